import CFFmpeg

/// Decodes a video file frame by frame into RGB images (libavformat + libavcodec + swscale).
public final class VideoReader {
    public let path: String
    public let width: Int
    public let height: Int
    /// The stream's nominal frame rate (base rate, else average), snapped to a common rate when within 0.01 %.
    public let frameRate: FrameRate
    /// Seconds, when the container knows it.
    public let duration: Double?
    /// Presentation time in seconds of the frame last returned by `nextFrame()`.
    public private(set) var timestamp: Double = 0
    public private(set) var framesRead = 0

    private let decoder: MediaDecoder
    private let converter = PixelConverter()

    public init(path: String) throws {
        self.path = path
        decoder = try MediaDecoder(path: path) { MediaError.notAVideo(path: path, reason: $0) }
        let stream = decoder.stream.pointee
        width = Int(stream.codecpar.pointee.width)
        height = Int(stream.codecpar.pointee.height)
        // The container's base rate is exact (15/1) where the average is computed from a rounded duration
        // (1000000/66667); trust the base rate when the two agree to 1%.
        let average = stream.avg_frame_rate, base = stream.r_frame_rate
        let rate = base.num > 0 && base.den > 0 && (average.num <= 0 || average.den <= 0 || abs(av_q2d(base) / av_q2d(average) - 1) < 0.01)
            ? base : average
        frameRate = rate.num > 0 && rate.den > 0
            ? FrameRate(numerator: Int(rate.num), denominator: Int(rate.den)).snapped : FrameRate(25)
        if stream.duration > 0 && stream.duration != cffmpeg_nopts() {
            duration = Double(stream.duration) * av_q2d(stream.time_base)
        } else if let format = decoder.formatDuration {
            duration = format
        } else {
            duration = nil
        }
    }

    /// The next frame, or nil at the end of the stream.
    public func nextFrame() throws -> RGBImage? {
        guard let frame = try decoder.next() else { return nil }
        let pts = frame.pointee.best_effort_timestamp
        if pts != cffmpeg_nopts() {
            let start = decoder.stream.pointee.start_time
            timestamp = Double(pts - (start == cffmpeg_nopts() ? 0 : start)) * av_q2d(decoder.stream.pointee.time_base)
        } else {
            timestamp = Double(framesRead) / frameRate.value
        }
        framesRead += 1
        return try converter.image(from: frame, path: path)
    }
}
