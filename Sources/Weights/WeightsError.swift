import AtomicFiles

/// Everything that can go wrong reading, checking or storing weights. Each case names the file (and the tensor
/// where there is one) and its description says what to do next.
public enum WeightsError: Error, CustomStringConvertible, Equatable {
    case unreadable(file: String, reason: String)
    case truncated(file: String, context: String)
    case corrupt(file: String, reason: String)
    case unsupportedFormat(file: String, reason: String)
    /// The pickle asked for a global outside the allow-list (it could run code if it were honoured).
    case forbiddenGlobal(file: String, global: String)
    case missingTensor(file: String, tensor: String, network: String)
    case wrongShape(file: String, tensor: String, expected: [Int], found: [Int])
    case nonFinite(file: String, tensor: String, index: Int)
    case unknownNetwork(file: String)
    case notInstalled(name: String, hint: String)
    case noModelInstalled(directory: String)
    case unknownModel(name: String, known: [String])
    case invalidName(String)
    case checksumMismatch(file: String, expected: String, found: String)
    case fetchFailed(name: String, reason: String)
    case invalidWeightsURL(String, reason: String)
    case writeFailed(file: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadable(file, reason): return "cannot read \(file): \(reason)"
        case let .truncated(file, context):
            return "\(file) is truncated (ended inside \(context)); download or export it again"
        case let .corrupt(file, reason): return "\(file) is corrupt: \(reason); download or export it again"
        case let .unsupportedFormat(file, reason): return "\(file): \(reason)"
        case let .forbiddenGlobal(file, global):
            return "\(file) refers to \(global), which a weights file has no reason to use; refusing to load it "
                + "(only tensors, numpy arrays and dictionaries are allowed)"
        case let .missingTensor(file, tensor, network):
            return "\(file): tensor \(tensor) is missing (needed by \(network)); is it a complete \(network) state_dict?"
        case let .wrongShape(file, tensor, expected, found):
            return "\(file): tensor \(tensor) has shape \(found), expected \(expected)"
        case let .nonFinite(file, tensor, index):
            return "\(file): tensor \(tensor) holds NaN or infinity at element \(index); the file is damaged"
        case let .unknownNetwork(file):
            return "\(file) holds no known network (vgg16, vgg19, alexnet, squeezenet1_1 in torchvision layout)"
        case let .notInstalled(name, hint): return "model \(name) is not installed; \(hint)"
        case let .noModelInstalled(directory):
            return "no model is installed in \(directory); run `stylize models fetch vgg16`"
        case let .unknownModel(name, known):
            return "unknown model \(name); known models: \(known.joined(separator: ", ")) "
                + "(or give a path to a .pth/.ckpt/.safetensors file)"
        case let .invalidName(name):
            return "invalid model name \(name): use letters, digits, '-', '_' or '.', not starting with '.'"
        case let .checksumMismatch(file, expected, found):
            return "\(file) has sha256 \(found), expected \(expected); it was not installed (a damaged or "
                + "different download)"
        case let .fetchFailed(name, reason): return "could not fetch \(name): \(reason)"
        case let .invalidWeightsURL(value, reason):
            return "STYLIZE_WEIGHTS_URL \(value) \(reason); set it to the https:// or file:// URL of the directory "
                + "holding torchvision's model files"
        case let .writeFailed(file, reason): return "could not write \(file): \(reason)"
        }
    }
}

extension WeightsError {
    /// Runs an `AtomicFile` operation (AtomicFiles), reporting its failure as `writeFailed`.
    static func writing<R>(_ body: () throws -> R) throws -> R {
        do { return try body() } catch let failure as AtomicFile.Failure {
            throw WeightsError.writeFailed(file: failure.path, reason: failure.reason)
        }
    }
}
