import AtomicFiles

/// Everything that can go wrong reading, fetching or storing weights; a file that reads but does not fit its
/// network is a `CheckpointError` (Models). Each case names the file and its description says what to do next.
public enum WeightsError: Error, CustomStringConvertible, Equatable {
    case unreadable(file: String, reason: String)
    case truncated(file: String, context: String)
    case corrupt(file: String, reason: String)
    case unsupportedFormat(file: String, reason: String)
    /// The pickle asked for a global outside the allow-list (it could run code if it were honoured).
    case forbiddenGlobal(file: String, global: String)
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
