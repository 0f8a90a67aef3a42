import Foundation
import Media
import StyleTransfer
import TensorCore

/// Where a clip's frames come from and go.
public struct VideoJob: Sendable {
    public var input: String
    /// The stylized clip (any `VideoWriter` format).
    public var output: String
    /// An optional GIF preview.
    public var gif: String?
    /// Stylized frames are kept here as `frame_00001.png`…; a rerun with `resume` takes them instead of
    /// stylizing again, so an interrupted run continues where it stopped.
    public var workDirectory: String
    public var resume = false
    public var maxFrames: Int?
    /// Long side of the stylized frames, pixels.
    public var size: Int

    public init(input: String, output: String, gif: String? = nil, workDirectory: String, resume: Bool = false,
                maxFrames: Int? = nil, size: Int) {
        self.input = input
        self.output = output
        self.gif = gif
        self.workDirectory = workDirectory
        self.resume = resume
        self.maxFrames = maxFrames
        self.size = size
    }
}

/// One frame's progress, for the caller to print.
public struct FrameReport {
    public var index: Int
    /// Frames the run will have (nil when the container does not say).
    public var expected: Int?
    /// Taken from the work directory rather than stylized (then `outcome` is nil).
    public var resumed: Bool
    public var outcome: FrameOutcome?
}

/// What a whole run did.
public struct VideoSummary {
    public var frames: Int
    public var stylized: Int
    public var resumed: Int
    /// Stopped by `FrameStylizer.cancellation`; the output holds the frames done so far.
    public var cancelled: Bool
    /// Mean `Flicker.warpedDifference` over the stylized frames after the first, and of their inputs.
    public var meanFlicker: Double?
    public var meanInputFlicker: Double?
    /// Mean seconds per stylized frame after the first (optimisation and flow).
    public var secondsPerFrame: Double?
}

/// Frame mode over a file: decodes the clip, stylizes each frame with a `FrameStylizer`, keeps each result as
/// a PNG in the work directory and streams it to the video (and GIF) writers through a `FrameSink`.
public final class VideoStylizer {
    public let stylizer: FrameStylizer

    public init(stylizer: FrameStylizer) { self.stylizer = stylizer }

    public func run(_ job: VideoJob, progress: (FrameReport) -> Void = { _ in }) throws -> VideoSummary {
        if let m = job.maxFrames, m < 1 {
            throw VideoStyleError.invalidValue(knob: "max_frames", value: "\(m)", expected: "at least 1")
        }
        guard job.size >= 16 else { throw VideoStyleError.invalidValue(knob: "size", value: "\(job.size)", expected: "at least 16 pixels") }
        let reader = try VideoReader(path: job.input, longSide: job.size)
        let (width, height) = Self.fitted(width: reader.width, height: reader.height, longSide: job.size)
        try prepare(job.workDirectory, resume: job.resume)
        var expected = reader.duration.map { Int(($0 * reader.frameRate.value).rounded()) }
        if let m = job.maxFrames { expected = min(expected ?? m, m) }

        var consumers: [FrameConsumer] = [try VideoWriter(path: job.output, frameRate: reader.frameRate)]
        if let gif = job.gif { consumers.append(try GifWriter(path: gif, frameRate: reader.frameRate)) }
        let sink = FrameSink(consumers: consumers)
        var summary = VideoSummary(frames: 0, stylized: 0, resumed: 0, cancelled: false)
        var flicker: [Double] = [], inputFlicker: [Double] = [], seconds: [Double] = []
        var previous: PreviousFrame?

        while summary.frames < (job.maxFrames ?? .max), let decoded = try reader.nextFrame() {
            let image = try Resampler.resize(decoded.image, width: width, height: height)
            let frame = Tensor(Shape(channels: 3, height: height, width: width), values: image.planes)
            let path = Self.framePath(job.workDirectory, index: summary.frames)
            let stylized: Tensor
            if job.resume, FileManager.default.fileExists(atPath: path) {
                let kept = try ImageReader.read(path)
                guard kept.width == width && kept.height == height else {
                    throw VideoStyleError.resumeMismatch(path: path, expected: "\(width)×\(height)", found: "\(kept.width)×\(kept.height)")
                }
                stylized = Tensor(frame.shape, values: kept.planes)
                summary.resumed += 1
                progress(FrameReport(index: summary.frames, expected: expected, resumed: true, outcome: nil))
            } else {
                let outcome = try stylizer.stylize(frame, previous: previous)
                if outcome.result.stopReason == .cancelled {
                    summary.cancelled = true
                    break
                }
                stylized = outcome.image
                try ImageWriter.write(RGBImage(width: width, height: height, planes: stylized.values), to: path)
                summary.stylized += 1
                if previous != nil {
                    outcome.flicker.map { flicker.append($0) }
                    outcome.inputFlicker.map { inputFlicker.append($0) }
                    seconds.append(outcome.result.elapsed + outcome.flowSeconds)
                }
                progress(FrameReport(index: summary.frames, expected: expected, resumed: false, outcome: outcome))
            }
            try sink.push(RGBImage(width: width, height: height, planes: stylized.values))
            previous = PreviousFrame(frame: frame, stylized: stylized)
            summary.frames += 1
        }
        try sink.finish()
        if summary.frames == 0 && !summary.cancelled { throw VideoStyleError.noFrames(path: job.input) }
        func mean(_ a: [Double]) -> Double? { a.isEmpty ? nil : a.reduce(0, +) / Double(a.count) }
        summary.meanFlicker = mean(flicker)
        summary.meanInputFlicker = mean(inputFlicker)
        summary.secondsPerFrame = mean(seconds)
        return summary
    }

    /// `frame_00001.png` for index 0.
    public static func framePath(_ directory: String, index: Int) -> String {
        (directory as NSString).appendingPathComponent(String(format: "frame_%05d.png", index + 1))
    }

    /// The frame size with the clip's aspect ratio and `longSide` as its longer side, both sides even (H.264's
    /// 4:2:0 needs them so).
    static func fitted(width: Int, height: Int, longSide: Int) -> (Int, Int) {
        let scale = Double(longSide) / Double(max(width, height))
        func even(_ v: Double) -> Int { max(2, 2 * Int((v / 2).rounded())) }
        return (even(Double(width) * scale), even(Double(height) * scale))
    }

    /// Creates the work directory; without `resume` it must not hold frames already.
    private func prepare(_ directory: String, resume: Bool) throws {
        let fm = FileManager.default
        try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
        if !resume, fm.fileExists(atPath: Self.framePath(directory, index: 0)) {
            throw VideoStyleError.workDirectoryInUse(path: directory)
        }
    }
}
