import StyleTransfer
import VideoStyle

/// Every frame of a clip as the video sidecar records it: its final losses and cost, or that it was resumed.
/// (Per frame rather than per iteration: a long clip has hundreds of thousands of iterations.)
struct FrameTrace: Encodable {
    struct Point: Encodable {
        var frame: Int
        var resumed: Bool
        var iterations: Int?
        var losses: Losses?
        var seconds: Double?
        var maskCoverage: Double?
        var flicker: Double?

        enum CodingKeys: String, CodingKey {
            case frame, resumed, iterations, losses, seconds, flicker
            case maskCoverage = "mask_coverage"
        }
    }

    private(set) var frames: [Point] = []

    mutating func add(_ r: FrameReport) {
        let o = r.outcome
        frames.append(Point(frame: r.index + 1, resumed: o == nil, iterations: o?.result.iterations, losses: o?.result.losses,
                            seconds: o.map { $0.result.elapsed + $0.flowSeconds }, maskCoverage: o?.maskCoverage, flicker: o?.flicker))
    }
}

/// What the sidecar of a clip adds to the common record.
struct VideoDetails: Encodable {
    var summary: VideoSummary
    var workDirectory: String
    var trace: FrameTrace

    enum CodingKeys: String, CodingKey {
        case frames, stylized, resumed, cancelled
        case meanFlicker = "mean_flicker"
        case meanInputFlicker = "mean_input_flicker"
        case secondsPerFrame = "seconds_per_frame"
        case workDirectory = "work_dir"
        case frameTrace = "frame_trace"
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(summary.frames, forKey: .frames)
        try c.encode(summary.stylized, forKey: .stylized)
        try c.encode(summary.resumed, forKey: .resumed)
        try c.encode(summary.cancelled, forKey: .cancelled)
        try c.encodeIfPresent(summary.meanFlicker, forKey: .meanFlicker)
        try c.encodeIfPresent(summary.meanInputFlicker, forKey: .meanInputFlicker)
        try c.encodeIfPresent(summary.secondsPerFrame, forKey: .secondsPerFrame)
        try c.encode(workDirectory, forKey: .workDirectory)
        try c.encode(trace.frames, forKey: .frameTrace)
    }
}
