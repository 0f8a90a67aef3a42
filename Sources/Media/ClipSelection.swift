import Foundation

/// Which part of a clip to read: where to start, for how long, at which rate and how many frames at most.
public struct ClipSelection: Sendable, Equatable, Codable {
    /// Seconds from the clip's first frame; the first frame read is the one shown at that moment.
    public var start: Double = 0
    /// Seconds; frames shown at or after `start + duration` are not read.
    public var duration: Double? = nil
    /// Resample to this constant rate (frames dropped or repeated, like ffmpeg's fps filter); nil keeps the
    /// source's own timestamps, so a variable-rate clip stays variable.
    public var fps: FrameRate? = nil
    public var maxFrames: Int? = nil

    /// Limits of the fields: a clip of up to 100 days, a span of at least a millisecond, up to 100 days of
    /// frames at 120 per second.
    public static let maxSeconds = 1e7
    public static let shortestDuration = 1e-3
    public static let maxFrameCount = 1_000_000_000

    public init(start: Double = 0, duration: Double? = nil, fps: FrameRate? = nil, maxFrames: Int? = nil) {
        self.start = start
        self.duration = duration
        self.fps = fps
        self.maxFrames = maxFrames
    }

    /// Throws `MediaError.invalidSelection` naming `path` unless every field is usable.
    public func validate(path: String) throws {
        func fail(_ reason: String) -> MediaError { .invalidSelection(path: path, reason: reason) }
        func text(_ v: Double) -> String { String(format: "%g", v) }
        guard (0...Self.maxSeconds).contains(start) else {
            throw fail("--start \(text(start)): must be between 0 and \(text(Self.maxSeconds)) seconds")
        }
        if let duration, !(Self.shortestDuration...Self.maxSeconds).contains(duration) {
            throw fail("--duration \(text(duration)): must be between \(text(Self.shortestDuration)) and \(text(Self.maxSeconds)) seconds")
        }
        if let maxFrames, !(1...Self.maxFrameCount).contains(maxFrames) {
            throw fail("--max-frames \(maxFrames): must be between 1 and \(Self.maxFrameCount)")
        }
        // FFmpeg counts in 32-bit rationals.
        if let fps, fps.numerator > Int(Int32.max) || fps.denominator > Int(Int32.max) || fps.value > Double(FrameRate.maxValue) {
            throw fail("fps \(fps) is out of range; use at most \(FrameRate.maxValue) frames per second as a fraction of 32-bit integers")
        }
    }

    private enum CodingKeys: String, CodingKey {
        case start, duration, fps
        case maxFrames = "max_frames"
    }

    /// `fps` is written as a number ("fps": 12) or, for a fractional rate, as text ("fps": "30000/1001").
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        start = try c.decodeIfPresent(Double.self, forKey: .start) ?? 0
        duration = try c.decodeIfPresent(Double.self, forKey: .duration)
        maxFrames = try c.decodeIfPresent(Int.self, forKey: .maxFrames)
        let absent = try !c.contains(.fps) || c.decodeNil(forKey: .fps)
        if absent {
            fps = nil
        } else {
            let text = try (try? c.decode(String.self, forKey: .fps)) ?? String(c.decode(Double.self, forKey: .fps))
            guard let rate = FrameRate(parsing: text) else {
                throw DecodingError.dataCorruptedError(forKey: .fps, in: c,
                    debugDescription: "fps \(text) is not a positive rate such as 12, 29.97 or 30000/1001")
            }
            fps = rate
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(start, forKey: .start)
        try c.encodeIfPresent(duration, forKey: .duration)
        try c.encodeIfPresent(maxFrames, forKey: .maxFrames)
        if let fps {
            if fps.denominator == 1 { try c.encode(fps.numerator, forKey: .fps) } else { try c.encode(fps.description, forKey: .fps) }
        }
    }
}
