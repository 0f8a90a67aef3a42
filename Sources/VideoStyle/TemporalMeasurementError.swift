/// Why a clip's warping error could not be measured, saying what to give instead.
public enum TemporalMeasurementError: Error, CustomStringConvertible, Equatable {
    case tooFewPairs(output: String, reference: String, frames: Int, emptyPairs: Int)

    public var description: String {
        switch self {
        case .tooFewPairs(let output, let reference, let frames, let emptyPairs):
            return emptyPairs > 0
                ? "\(output) against \(reference): the flow of \(reference) is trusted nowhere in any of its \(emptyPairs) frame pairs, so there is nothing to measure; check that it is the clip \(output) was made from"
                : "\(output) against \(reference): \(frames) frame(s) in common, at least 2 are needed; give clips with several frames"
        }
    }
}
