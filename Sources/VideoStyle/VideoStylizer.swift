import Foundation
import ImageTensor
import Media
import StyleTransfer
import TensorCore

/// Where a clip's frames come from and go.
public struct VideoJob: Sendable {
    public var input: String
    /// The stylized clip (any `VideoWriter` format); the input's audio streams are copied into it.
    public var output: String
    /// An optional GIF preview.
    public var gif: String?
    public var gifOptions = GifOptions()
    /// Where finished frames and the fingerprint are kept (`WorkFolder`).
    public var workDirectory: String
    /// Continue an earlier run with the same fingerprint instead of refusing its frames.
    public var resume = false
    public var selection = ClipSelection()
    /// Long side of the stylized frames, pixels.
    public var size: Int
    /// The output shows input | stylized.
    public var sideBySide = false
    /// What makes the frames besides the clip's own frames (styles, model, settings); the frame size is added.
    public var fingerprint = Fingerprint()

    public init(input: String, output: String, gif: String? = nil, workDirectory: String, resume: Bool = false,
                selection: ClipSelection = ClipSelection(), size: Int) {
        self.input = input
        self.output = output
        self.gif = gif
        self.workDirectory = workDirectory
        self.resume = resume
        self.selection = selection
        self.size = size
    }
}

extension VideoJob {
    /// Checks the job's size and selection and opens its clip: the reader, and the fingerprint with the frame
    /// size added (what a one-machine run and every segment must agree on).
    func open() throws -> (VideoReader, Fingerprint) {
        guard (16...8192).contains(size) else {
            throw VideoStyleError.invalidValue(knob: "size", value: "\(size)", expected: "16…8192 pixels")
        }
        try selection.validate(path: input)
        let reader = try VideoReader(path: input, selection: selection, longSide: size)
        var fingerprint = self.fingerprint
        fingerprint.entries["frame_size"] = "\(reader.width)×\(reader.height)"
        return (reader, fingerprint)
    }
}

/// What a run tells its caller as it goes.
public enum VideoEvent {
    /// Everything is open and checked; `notes` say what happens to the input's other streams.
    case started(width: Int, height: Int, expectedFrames: Int?, frameRate: FrameRate, notes: [String])
    case frame(FrameReport)
}

/// One frame's progress, for the caller to print.
public struct FrameReport {
    public var index: Int
    /// Frames the run will have (nil when the container does not say).
    public var expected: Int?
    /// Taken from the work directory rather than stylized (then `outcome` is nil).
    public var resumed: Bool
    public var outcome: FrameOutcome?
    /// Mean seconds per stylized frame after the first, over the last few (nil until there is one).
    public var secondsPerFrame: Double?
    /// Seconds left at that pace, when the frame count is known.
    public var secondsLeft: Double?
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
    /// Mean style loss of the stylized frames.
    public var meanStyleLoss: Double?
    /// What the user should know about the run, e.g. a clip that ended well before its header said.
    public var notes: [String] = []
}

/// Frame mode over a file, as a stream: decodes the selected frames at the working size, stylizes each with a
/// `FrameStylizer`, keeps each result in the work folder and sends it with its source timestamp to the video
/// (which also receives the input's audio) and GIF writers through a `FrameSink`. Memory does not grow with
/// the clip's length. A failure removes the video and GIF (the command then also removes a work folder the run
/// made, so a rerun starts clean); a cancelled run finishes them, so the frames done so far play.
public final class VideoStylizer {
    public let stylizer: FrameStylizer

    public init(stylizer: FrameStylizer) { self.stylizer = stylizer }

    public func run(_ job: VideoJob, events: (VideoEvent) -> Void = { _ in }) throws -> VideoSummary {
        let (reader, fingerprint) = try job.open()
        let work = WorkFolder(path: job.workDirectory, fingerprint: fingerprint, resume: job.resume)
        try work.check()

        let audio = AudioSource(path: job.input, start: reader.startSeconds, end: job.selection.duration.map { reader.startSeconds + $0 })
        // An output that is itself a GIF takes the preview's options (`--gif-width`).
        let video = try VideoWriter(path: job.output, frameRate: reader.frameRate, options: VideoOptions(gif: job.gifOptions),
                                    timeBase: reader.timeBase, audio: audio)
        var consumers: [FrameConsumer] = [video, CrashCopy(path: work.crashCopyPath, frameRate: reader.frameRate, timeBase: reader.timeBase)]
        if let gif = job.gif {
            do { consumers.append(try GifWriter(path: gif, frameRate: reader.frameRate, options: job.gifOptions)) } catch {
                video.discard()
                throw error
            }
        }
        let sink = FrameSink(consumers: consumers)
        events(.started(width: reader.width, height: reader.height, expectedFrames: reader.expectedFrames,
                        frameRate: reader.frameRate, notes: video.notes))
        do {
            var summary = try stylize(reader, work: work, sink: sink, sideBySide: job.sideBySide, events: events)
            try sink.finish()
            if summary.frames == 0 && !summary.cancelled { throw VideoStyleError.noFrames(path: job.input) }
            // A cut-off download or copy decodes up to where it stops; the count from the header is an estimate
            // for some containers, so only a clear shortfall is reported.
            if !summary.cancelled, let expected = reader.expectedFrames, expected - summary.frames > max(2, expected / 20) {
                summary.notes.append("\(job.input) gave \(summary.frames) frames where its header announces \(expected): "
                    + "the file may be truncated; the video holds the \(summary.frames)")
            }
            return summary
        } catch {
            try? sink.finish(discarding: true)
            throw error
        }
    }

    private func stylize(_ reader: VideoReader, work: WorkFolder, sink: FrameSink, sideBySide: Bool,
                         events: (VideoEvent) -> Void) throws -> VideoSummary {
        var summary = VideoSummary(frames: 0, stylized: 0, resumed: 0, cancelled: false)
        var flicker: [Double] = [], inputFlicker: [Double] = [], seconds: [Double] = [], style: [Double] = []
        var previous: PreviousFrame?
        while let decoded = try reader.nextFrame() {
            var report = FrameReport(index: decoded.index, expected: reader.expectedFrames, resumed: false)
            guard let step = try FrameStep.take(decoded, previous: previous, work: work, stylizer: stylizer) else {
                summary.cancelled = true
                break
            }
            if let outcome = step.outcome {
                summary.stylized += 1
                style.append(outcome.result.losses.style)
                if previous != nil {
                    outcome.flicker.map { flicker.append($0) }
                    outcome.inputFlicker.map { inputFlicker.append($0) }
                    seconds.append(outcome.result.elapsed + outcome.flowSeconds)
                }
                report.outcome = outcome
            } else {
                summary.resumed += 1
                report.resumed = true
            }
            let result = RGBImage(step.next.stylized)
            try sink.push(sideBySide ? SideBySide.row([decoded.image, result]) : result, pts: decoded.pts)
            previous = step.next
            summary.frames += 1
            if !seconds.isEmpty {
                let recent = seconds.suffix(5)
                report.secondsPerFrame = recent.reduce(0, +) / Double(recent.count)
                report.secondsLeft = reader.expectedFrames.map { Double(max(0, $0 - summary.frames)) * report.secondsPerFrame! }
            }
            events(.frame(report))
        }
        func mean(_ a: [Double]) -> Double? { a.isEmpty ? nil : a.reduce(0, +) / Double(a.count) }
        summary.meanFlicker = mean(flicker)
        summary.meanInputFlicker = mean(inputFlicker)
        summary.secondsPerFrame = mean(seconds)
        summary.meanStyleLoss = mean(style)
        return summary
    }
}
