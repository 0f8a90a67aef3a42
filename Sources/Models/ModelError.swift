import TensorCore

/// Why a network could not be built or run; each case says what to do next.
public enum ModelError: Error, CustomStringConvertible {
    case missingTensor(String, model: String)
    case wrongShape(String, expected: [Int], found: [Int])
    case nonFinite(String)
    case unknownLayer(String, model: String, available: [String])
    case notAnImage(Shape)
    case imageTooSmall(Shape, model: String, minimum: Int)

    public var description: String {
        switch self {
        case .missingTensor(let name, let model):
            return "the \(model) weights have no tensor \(name): the checkpoint is incomplete or for another model; re-download it or pass the right model"
        case .wrongShape(let name, let expected, let found):
            return "weight \(name) has shape \(found), expected \(expected): the checkpoint is for another architecture"
        case .nonFinite(let name):
            return "weight \(name) contains NaN or infinity: the checkpoint is corrupt; re-download it"
        case .unknownLayer(let name, let model, let available):
            return "\(model) has no layer \(name); choose from \(available.joined(separator: ", "))"
        case .notAnImage(let shape):
            return "the network input must be an RGB image (3×H×W), got \(shape)"
        case .imageTooSmall(let shape, let model, let minimum):
            return "a \(shape.width)×\(shape.height) image is too small for \(model) up to the requested layer; use at least \(minimum)×\(minimum)"
        }
    }
}
