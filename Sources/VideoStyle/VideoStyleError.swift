/// Frame mode's errors, each saying what to do next.
public enum VideoStyleError: Error, CustomStringConvertible, Equatable {
    case invalidValue(knob: String, value: String, expected: String)
    case noFrames(path: String)
    case workDirectoryInUse(path: String)
    case resumeMismatch(path: String, expected: String, found: String)
    case fingerprintMissing(path: String)
    case fingerprintMismatch(path: String, differences: [String])
    case maskClipTooShort(path: String, frames: Int, needed: Int)

    public var description: String {
        switch self {
        case .invalidValue(let knob, let value, let expected):
            return "\(knob) = \(value): expected \(expected)"
        case let .maskClipTooShort(path, frames, needed):
            return "\(path): the mask clip has \(frames) frames in the clip's selection, and frame \(needed) needs one; "
                + "give a mask clip as long as the clip (or one picture for every frame)"
        case .noFrames(let path):
            return "\(path) has no video frames; give a clip with a video stream"
        case .workDirectoryInUse(let path):
            return "\(path) holds frames of an earlier run: pass --resume to continue it, or remove the directory"
        case .resumeMismatch(let path, let expected, let found):
            return "\(path) is \(found), this run makes \(expected) frames: resume with the same --size, or remove the work directory"
        case .fingerprintMissing(let path):
            return "\(path) is missing or unreadable, so the frames beside it cannot be matched to this run: remove the work directory to start again"
        case .fingerprintMismatch(let path, let differences):
            return "\(path) holds frames made differently (\(differences.joined(separator: "; "))): run with the same inputs and settings to resume, or remove the work directory"
        }
    }
}
