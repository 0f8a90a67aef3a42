/// A recipe or input the engine cannot run, with what to do about it.
public enum EngineError: Error, CustomStringConvertible, Equatable {
    case unknownLayer(String, model: String, available: [String])
    case missingContent(reason: String)
    case missingStyle(reason: String)
    case countMismatch(knob: String, expected: Int, got: Int)
    case invalidValue(knob: String, value: String, expected: String)
    case imageNotRGB(channels: Int)
    case nonFiniteLoss(iteration: Int)

    public var description: String {
        switch self {
        case .unknownLayer(let name, let model, let available):
            return "\(model) has no layer '\(name)'; choose among \(available.joined(separator: ","))"
        case .missingContent(let reason):
            return "a content image is needed: \(reason)"
        case .missingStyle(let reason):
            return "a style image is needed: \(reason)"
        case .countMismatch(let knob, let expected, let got):
            return "\(knob) has \(got) values but \(expected) are needed; give one per entry"
        case .invalidValue(let knob, let value, let expected):
            return "\(knob) \(value) is not valid: expected \(expected)"
        case .imageNotRGB(let channels):
            return "images must have 3 channels (RGB), this one has \(channels)"
        case .nonFiniteLoss(let iteration):
            return "the loss became NaN or infinite at iteration \(iteration); lower --learning-rate or the weights"
        }
    }
}
