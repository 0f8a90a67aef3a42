import ArgumentParser
import Media

/// Where and how the run is recorded as it forms: a video, a GIF preview, numbered PNGs.
struct FrameOptions: ParsableArguments {
    @Option(help: "Write the convergence video here: .mp4 (H.264), .webm (VP9), .apng or .png (animated PNG).")
    var video: String?

    @Option(help: "Write a GIF preview of the convergence here.")
    var gif: String?

    @Option(help: "Write every recorded frame as numbered PNGs into this directory.")
    var frames: String?

    @Option(help: "Record a frame every N iterations (default: about 60 frames over the run).")
    var saveEvery: Int?

    @Option(help: "Frames per second of the video and, unless --gif-fps is given, of the GIF (e.g. 15, 29.97, 30000/1001).")
    var fps = FrameRate(15)

    @Option(help: "Which iterations become frames: linear (every --save-every) or log (as many frames, dense early when the picture changes fastest).")
    var frameSchedule: FrameSchedule.Kind = .log

    @Option(help: "Seconds the final picture stays on screen at the end.")
    var hold: Double = 1.5

    @Option(help: "Frame layout: result, or side-by-side (content | style | result).")
    var layout: Layout = .result

    @Option(help: "Largest GIF width, pixels.")
    var gifWidth: Int = 480

    @Option(help: "GIF frames per second (default: --fps).")
    var gifFps: Double?

    enum Layout: String, ExpressibleByArgument, CaseIterable { case result, sideBySide = "side-by-side" }

    var wantsFrames: Bool { video != nil || gif != nil || frames != nil }

    func validate() throws {
        if let saveEvery, saveEvery <= 0 { throw ValidationError("--save-every must be positive") }
        guard fps.value > 0, fps.value <= 120 else { throw ValidationError("--fps must be in (0, 120]") }
        if let gifFps, !(gifFps > 0 && gifFps <= 50) { throw ValidationError("--gif-fps must be in (0, 50]") }
        guard hold >= 0 else { throw ValidationError("--hold must be 0 or more seconds") }
        guard gifWidth >= 16 else { throw ValidationError("--gif-width must be at least 16 pixels") }
    }

    /// The encoders these options ask for, opened now so a bad path fails before the run starts.
    func makeConsumers() throws -> [FrameConsumer] {
        var consumers: [FrameConsumer] = []
        // A `--video x.gif` is a GIF too: it takes the same width and rate as `--gif`.
        let gifOptions = GifOptions(maxWidth: gifWidth, fps: gifFps ?? fps.value)
        if let video { consumers.append(try VideoWriter(path: video, frameRate: fps, options: VideoOptions(gif: gifOptions))) }
        if let gif { consumers.append(try GifWriter(path: gif, frameRate: fps, options: gifOptions)) }
        if let frames { consumers.append(try PNGSequenceWriter(directory: frames)) }
        return consumers
    }
}

extension FrameSchedule.Kind: ExpressibleByArgument {}

extension FrameRate: ExpressibleByArgument {
    public init?(argument: String) { self.init(parsing: argument) }
}
