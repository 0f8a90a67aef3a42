import CFFmpeg
import Foundation

/// Decodes the selected part of a video file into RGB frames that are upright (display rotation applied), have
/// square pixels (sample aspect ratio applied) and are scaled to the working size in the same swscale step.
public final class VideoReader {
    public let path: String
    public let selection: ClipSelection
    /// Size of the returned images.
    public let width: Int
    public let height: Int
    /// `selection.fps`, else the stream's nominal rate (base rate, else average), snapped to a common rate when
    /// within 0.01 %.
    public let frameRate: FrameRate
    /// The unit of `VideoFrame.pts`: the source stream's time base, or one frame at `selection.fps`.
    public let timeBase: TimeBase
    /// Source time (s, from the stream's start) of the first returned frame: where the sound should start.
    public private(set) var startSeconds: Double = 0
    /// Frames the selection gives: exact for constant-rate clips whose container knows the length, an estimate
    /// for variable-rate ones; nil when the length is unknown.
    public private(set) var expectedFrames: Int?
    /// How the stored pictures are turned (and mirrored) to be upright, from the stream's display matrix.
    public let orientation: DisplayOrientation
    /// Degrees (0, 90, 180, 270) the stored pictures are turned clockwise.
    public var rotation: Int { orientation.rotation }
    /// The whole clip's length in seconds, when the container knows it.
    public let duration: Double?
    /// Seconds of the video stream's first timestamp in the container's timeline (its start time): with
    /// `startSeconds` it places the selection among the other streams' timestamps.
    public let streamStartSeconds: Double
    /// Source time (s, from the stream's start) of the frame last returned by `nextFrame()`.
    public private(set) var timestamp: Double = 0
    /// Frames returned by `nextFrame()` so far.
    public private(set) var framesRead = 0

    private let decoder: MediaDecoder
    private let converter = PixelConverter()
    /// Size given to swscale: the returned size before the orientation is applied.
    private let scaledSize: (width: Int, height: Int)
    private let sourceTimeBase: AVRational
    /// Stream ticks of the clip's first frame; every other tick count here is relative to it.
    private let origin: Int64
    private let startTicks: Int64
    private let endTicks: Int64?
    /// One frame at the nominal rate, for frames that carry no timestamp or duration.
    private let nominalTicks: Int64

    private var lastDecodedTicks: Int64?
    /// Where the last decoded frame ends (ticks), to tell how long a clip without a known duration is.
    private var decodedEnd: Int64?
    private var produced = 0
    private var lookahead: DecodedFrame?
    private var sourceEnded = false
    /// Resampling: the source frame shown in the current output slot, and its picture once converted.
    private var current: DecodedFrame?
    private var currentImage: RGBImage?
    /// Ticks of the first returned source frame (pts 0) when keeping the source's timestamps.
    private var firstTicks: Int64 = 0
    /// The first frame, decoded while opening to learn `startSeconds` (and that the selection is not empty).
    private var pending: VideoFrame?

    public init(path: String, selection: ClipSelection = ClipSelection(), longSide: Int? = nil,
                pixelLimit: Int = ImageReader.defaultPixelLimit) throws {
        self.path = path
        self.selection = selection
        try selection.validate(path: path)
        if let longSide, longSide < 2 {
            throw MediaError.invalidSelection(path: path, reason: "size \(longSide) must be at least 2 pixels")
        }
        decoder = try MediaDecoder(path: path, pixelLimit: pixelLimit) { MediaError.notAVideo(path: path, reason: $0) }
        let stream = decoder.stream.pointee
        sourceTimeBase = stream.time_base
        guard sourceTimeBase.num > 0, sourceTimeBase.den > 0 else {
            throw MediaError.notAVideo(path: path, reason: "the video stream has no time base")
        }
        let codedWidth = Int(stream.codecpar.pointee.width), codedHeight = Int(stream.codecpar.pointee.height)
        guard codedWidth > 0, codedHeight > 0 else { throw MediaError.notAVideo(path: path, reason: "the picture size is unknown") }

        // The container's base rate is exact (15/1) where the average is computed from a rounded duration
        // (1000000/66667); trust the base rate when the two agree to 1%.
        let average = stream.avg_frame_rate, base = stream.r_frame_rate
        let rate = base.num > 0 && base.den > 0 && (average.num <= 0 || average.den <= 0 || abs(av_q2d(base) / av_q2d(average) - 1) < 0.01)
            ? base : average
        let nominal = rate.num > 0 && rate.den > 0
            ? FrameRate(numerator: Int(rate.num), denominator: Int(rate.den)).snapped : FrameRate(25)
        frameRate = selection.fps ?? nominal
        timeBase = selection.fps.map { TimeBase(frameInterval: $0) }
            ?? TimeBase(numerator: Int(sourceTimeBase.num), denominator: Int(sourceTimeBase.den))
        let secondsPerTick = av_q2d(sourceTimeBase)
        nominalTicks = max(1, Int64((1 / (nominal.value * secondsPerTick)).rounded()))
        origin = stream.start_time == cffmpeg_nopts() ? 0 : stream.start_time
        streamStartSeconds = Double(origin) * secondsPerTick
        if stream.duration > 0 && stream.duration != cffmpeg_nopts() {
            duration = Double(stream.duration) * secondsPerTick
        } else {
            duration = decoder.formatDuration
        }
        if let duration, selection.start >= duration {
            throw MediaError.startBeyondEnd(path: path, start: selection.start, length: duration)
        }
        startTicks = Self.ticks(selection.start, secondsPerTick)
        endTicks = selection.duration.map { Self.ticks(selection.start + $0, secondsPerTick) }

        // Square pixels by stretching the short-changed axis (no detail is thrown away), then the orientation.
        let sar = decoder.sampleAspectRatio
        let squareWidth = sar > 1 ? Int((Double(codedWidth) * sar).rounded()) : codedWidth
        let squareHeight = sar < 1 ? Int((Double(codedHeight) / sar).rounded()) : codedHeight
        orientation = decoder.displayMatrix.flatMap { DisplayOrientation(displayMatrix: $0) } ?? .upright
        let shown = orientation.shownSize(width: squareWidth, height: squareHeight)
        (width, height) = longSide.map { Self.fitted(width: shown.width, height: shown.height, longSide: $0) } ?? shown
        scaledSize = orientation.swapsAxes ? (height, width) : (width, height)

        try seekToStart()
        guard let first = try produce() else {
            if selection.start > 0 {
                let end = duration ?? decodedEnd.map { Double($0) * secondsPerTick }
                throw MediaError.startBeyondEnd(path: path, start: selection.start, length: end)
            }
            throw MediaError.notAVideo(path: path, reason: "no frame could be decoded")
        }
        pending = first
        startSeconds = selection.fps == nil ? Double(firstTicks) * secondsPerTick : selection.start
        expectedFrames = Self.expectedCount(selection: selection, length: duration, startSeconds: startSeconds,
                                            frameRate: frameRate, wholeClipFrames: selection.fps == nil ? Int(stream.nb_frames) : 0)
    }

    /// The next frame of the selection, or nil after its last one.
    public func nextFrame() throws -> VideoFrame? {
        let frame: VideoFrame?
        if let first = pending {
            pending = nil
            frame = first
        } else {
            frame = try produce()
        }
        if let frame {
            framesRead += 1
            timestamp = startSeconds + timeBase.seconds(frame.pts)
        }
        return frame
    }

    /// The size with the aspect ratio of `width`×`height` whose longer side is `longSide`, both sides even (as
    /// 4:2:0 video encoders need).
    public static func fitted(width: Int, height: Int, longSide: Int) -> (width: Int, height: Int) {
        let scale = Double(longSide) / Double(max(width, height))
        func even(_ v: Double) -> Int { max(2, 2 * Int((v / 2).rounded())) }
        return (even(Double(width) * scale), even(Double(height) * scale))
    }

    /// Seconds as stream ticks, kept far from Int64's limits (a start of 1e300 s is valid but lies past any clip).
    private static func ticks(_ seconds: Double, _ secondsPerTick: Double) -> Int64 {
        Int64(min(max((seconds / secondsPerTick).rounded(), -0x1p61), 0x1p61))
    }

    // MARK: - Selection

    private func produce() throws -> VideoFrame? {
        if let maxFrames = selection.maxFrames, produced >= maxFrames { return nil }
        let frame: VideoFrame?
        if let fps = selection.fps { frame = try nextResampledFrame(fps) } else { frame = try nextSourceFrame() }
        if frame != nil { produced += 1 }
        return frame
    }

    /// Keeping the source's timestamps: the frame shown at `start` (the last one at or before it), then every
    /// decoded frame until one shown at or after `start + duration`.
    private func nextSourceFrame() throws -> VideoFrame? {
        var chosen: DecodedFrame?
        if produced == 0 {
            while let frame = try take() {
                if frame.ticks > startTicks {
                    if chosen == nil { chosen = frame } else { lookahead = frame }
                    break
                }
                chosen = frame
            }
            // The clip ended before the start: its last frame is no longer shown then.
            if startTicks > 0, let last = chosen, last.ticks + last.duration <= startTicks, try peek() == nil { return nil }
            if let chosen { firstTicks = chosen.ticks }
        } else {
            chosen = try take()
        }
        guard let chosen else { return nil }
        if let endTicks, chosen.ticks >= endTicks { return nil }
        let image = orientation.apply(to: try converter.image(from: chosen.frame, size: scaledSize, path: path))
        return VideoFrame(image: image, pts: chosen.ticks - firstTicks, index: produced)
    }

    /// Resampling to `fps`: output frame n stands for source time start + n/fps and shows the last source frame
    /// whose time rounds to slot n or earlier (ffmpeg's fps filter with its default rounding).
    private func nextResampledFrame(_ fps: FrameRate) throws -> VideoFrame? {
        let n = Int64(produced)
        if let length = selection.duration, Double(n) / fps.value >= length - 1e-9 { return nil }
        while let next = try peek(), slot(next.ticks, fps) <= n {
            current = next
            currentImage = nil
            lookahead = nil
        }
        if current == nil {  // every source frame lies after slot 0: show the first one from the start
            guard let next = try peek() else { return nil }
            current = next
            lookahead = nil
        }
        guard let current else { return nil }
        if try peek() == nil, n >= slot(current.ticks + current.duration, fps) { return nil }
        // A repeated frame reuses its picture.
        let image = try currentImage ?? orientation.apply(to: converter.image(from: current.frame, size: scaledSize, path: path))
        currentImage = image
        return VideoFrame(image: image, pts: n, index: produced)
    }

    private func slot(_ ticks: Int64, _ fps: FrameRate) -> Int64 {
        av_rescale_q_rnd(ticks - startTicks, sourceTimeBase, AVRational(num: Int32(fps.denominator), den: Int32(fps.numerator)),
                         AV_ROUND_NEAR_INF)
    }

    // MARK: - Decoding

    /// Seeks to a keyframe before the selection's start. An index can place a keyframe by its decoding time,
    /// which is earlier than its display time: when the first frame after the seek comes after the start, the
    /// clip is read from its beginning instead.
    private func seekToStart() throws {
        var target = startTicks
        if let fps = selection.fps {
            // Frames up to half an output interval before the start round into the first slot.
            target -= Int64((0.5 / (fps.value * av_q2d(sourceTimeBase))).rounded(.up))
        }
        guard target > 0, decoder.seek(toTicks: origin + target) else { return }
        lastDecodedTicks = nil
        let first = try decodeNext()
        if let first, first.ticks <= target {
            lookahead = first
        } else if decoder.seek(toTicks: origin) {
            lastDecodedTicks = nil
        } else {
            lookahead = first
        }
    }

    private func take() throws -> DecodedFrame? {
        let frame = try peek()
        lookahead = nil
        return frame
    }

    private func peek() throws -> DecodedFrame? {
        if lookahead == nil && !sourceEnded {
            lookahead = try decodeNext()
            sourceEnded = lookahead == nil
        }
        return lookahead
    }

    /// The next decoded frame with a timestamp after the previous one's: a damaged stream that repeats or
    /// reverses times would otherwise give frames out of order.
    private func decodeNext() throws -> DecodedFrame? {
        while let frame = try decoder.next() {
            let pts = frame.pointee.best_effort_timestamp
            let ticks = pts == cffmpeg_nopts() ? (lastDecodedTicks.map { $0 + nominalTicks } ?? 0) : pts - origin
            if let last = lastDecodedTicks, ticks <= last { continue }
            lastDecodedTicks = ticks
            let length = frame.pointee.pkt_duration > 0 ? frame.pointee.pkt_duration : nominalTicks
            decodedEnd = ticks + length
            return try DecodedFrame(cloning: frame, ticks: ticks, duration: length, path: path)
        }
        return nil
    }

    /// Frames between `startSeconds` and the end of the selection or the clip, at most `maxFrames`.
    private static func expectedCount(selection: ClipSelection, length: Double?, startSeconds: Double, frameRate: FrameRate,
                                      wholeClipFrames: Int) -> Int? {
        let limit = selection.maxFrames ?? .max
        if selection.start == 0, selection.duration == nil, wholeClipFrames > 0 { return min(wholeClipFrames, limit) }
        guard let length else { return nil }
        let end = min(length, selection.start + (selection.duration ?? .infinity))
        let frames = max(1, Int(((end - startSeconds) * frameRate.value - 1e-6).rounded(.up)))
        return min(frames, limit)
    }
}
