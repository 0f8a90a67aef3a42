/// Errors of segmented runs and of joining their segments, each saying what to do next.
public enum SegmentError: Error, CustomStringConvertible, Equatable {
    case badSegment(String)
    case badSegmentCount(Int)
    case tooFewFrames(frames: Int, segments: Int)
    case badOverlap(Int, shortest: Int)
    case jobMismatch(path: String, differences: [String])
    case notASegmentedJob(path: String)
    case missing(segment: String, path: String)
    case foreign(segment: String, path: String, differences: [String])
    case incomplete(segment: String, path: String, done: Int, needed: Int, firstMissing: Int)
    case inputChanged(path: String)
    case frameCountChanged(path: String, expected: Int, found: Int)
    case unreadableFingerprint(path: String, reason: String)

    public var description: String {
        switch self {
        case .badSegment(let text):
            return "--segment \(text): expected i/N with 1 ≤ i ≤ N, e.g. 2/3 for the second of three segments"
        case .badSegmentCount(let n):
            return "--segments \(n): expected at least 1"
        case .tooFewFrames(let frames, let segments):
            return "the clip has \(frames) frames, too few for \(segments) segments: use at most \(frames)"
        case .badOverlap(let overlap, let shortest):
            return "--overlap \(overlap): expected 0…\(shortest) frames (the shortest segment's length)"
        case .jobMismatch(let path, let differences):
            return "\(path) describes another job (\(differences.joined(separator: "; "))): run every segment with the same "
                + "inputs, settings and segment count, or use another --work-dir"
        case .notASegmentedJob(let path):
            return "\(path) is missing: the folder holds no segmented job (`stylize video … --segment i/N` writes it)"
        case .missing(let segment, let path):
            return "segment \(segment) is missing (\(path) holds none of its frames): run it with `stylize video … --segment \(segment) --resume`"
        case .foreign(let segment, let path, let differences):
            return "segment \(segment) in \(path) was made differently from the job (\(differences.joined(separator: "; "))): "
                + "remove it and run it again with the job's settings"
        case .incomplete(let segment, let path, let done, let needed, let firstMissing):
            return "segment \(segment) is incomplete: \(done) of its \(needed) frames in \(path), frame \(firstMissing + 1) is missing: "
                + "finish it with `stylize video … --segment \(segment) --resume`"
        case .inputChanged(let path):
            return "\(path) is not the clip the segments were made from (its sha256 differs): restore it or stylize it again"
        case .frameCountChanged(let path, let expected, let found):
            return "\(path) now gives \(found) frames, the segments were planned for \(expected): restore it or stylize it again"
        case .unreadableFingerprint(let path, let reason):
            return "\(path): the fingerprint gives no recipe (\(reason)), so the join's sidecar cannot say how the frames were made: "
                + "restore job.json as the segments wrote it"
        }
    }
}
