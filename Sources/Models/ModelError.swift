import TensorCore

/// Why a network could not run an image; each case says what to do next (a wrong weights file is a `CheckpointError`).
public enum ModelError: Error, CustomStringConvertible {
    case unknownLayer(String, model: String, available: [String])
    case notAnImage(Shape)
    case imageTooSmall(Shape, model: String, minimum: Int)

    public var description: String {
        switch self {
        case .unknownLayer(let name, let model, let available):
            return "\(model) has no layer \(name); choose from \(available.joined(separator: ", "))"
        case .notAnImage(let shape):
            return "the network input must be an RGB image (3×H×W), got \(shape)"
        case .imageTooSmall(let shape, let model, let minimum):
            return "a \(shape.width)×\(shape.height) image is too small for \(model) up to the requested layer; use at least \(minimum)×\(minimum)"
        }
    }
}
