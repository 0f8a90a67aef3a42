/// Mistakes in what a caller gives `VideoWriter` (timestamps, the soundtrack's source and span).
public enum WriterError: Error, CustomStringConvertible, Equatable {
    case timestampNotIncreasing(path: String, previous: Int64, given: Int64)
    case negativeTimestamp(path: String, given: Int64)
    case invalidAudioSpan(path: String, start: Double, end: Double?)
    case unreadableAudioSource(path: String, reason: String)

    public var description: String {
        switch self {
        case .timestampNotIncreasing(let path, let previous, let given):
            return "\(path): frame timestamp \(given) does not follow \(previous); give frames in presentation order with increasing timestamps"
        case .negativeTimestamp(let path, let given):
            return "\(path): frame timestamp \(given) is negative; count timestamps from the output's start (0)"
        case .invalidAudioSpan(let path, let start, let end):
            return "\(path): audio span from \(start) s to \(end.map { "\($0) s" } ?? "the end") is empty or negative; give 0 ≤ start < end"
        case .unreadableAudioSource(let path, let reason):
            return "\(path): cannot read the soundtrack (\(reason)); use a file `ffprobe` can open, or write without audio"
        }
    }
}
