/// Frame mode's errors, each saying what to do next.
public enum VideoStyleError: Error, CustomStringConvertible, Equatable {
    case invalidValue(knob: String, value: String, expected: String)
    case noFrames(path: String)
    case workDirectoryInUse(path: String)
    case resumeMismatch(path: String, expected: String, found: String)

    public var description: String {
        switch self {
        case .invalidValue(let knob, let value, let expected):
            return "\(knob) = \(value): expected \(expected)"
        case .noFrames(let path):
            return "\(path) has no video frames; give a clip with a video stream"
        case .workDirectoryInUse(let path):
            return "\(path) holds frames of an earlier run: pass --resume to continue it, or remove the directory"
        case .resumeMismatch(let path, let expected, let found):
            return "\(path) is \(found), this run makes \(expected) frames: resume with the same --size, or remove the work directory"
        }
    }
}
