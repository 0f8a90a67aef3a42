import ArgumentParser
import Media
import StyleTransfer

/// Where and how the run is recorded as it forms: a video, a GIF preview, numbered PNGs.
struct FrameOptions: ParsableArguments {
    @Option(help: "Write the convergence video here: .mp4 (H.264), .webm (VP9), .apng or .png (animated PNG). (default: none)")
    var video: String?

    @Option(help: "Write a GIF preview of the convergence here. (default: none)")
    var gif: String?

    @Option(help: "Write every recorded frame as numbered PNGs into this directory. (default: none)")
    var frames: String?

    @Option(help: help("Record a frame every N iterations, \(RecordingDefaults.saveEveryLimit).", default: "about 60 frames over the run"))
    var saveEvery: Int?

    @Option(help: "Frames per second of the video and, unless --gif-fps is given, of the GIF (e.g. 15, 29.97, 30000/1001), \(RecordingDefaults.fpsLimit).")
    var fps = RecordingDefaults.fps

    @Option(help: "Which iterations become frames: linear (every --save-every) or log (as many frames, dense early when the picture changes fastest).")
    var frameSchedule = RecordingDefaults.frameSchedule

    @Option(help: "Seconds the final picture stays on screen at the end, \(RecordingDefaults.holdLimit).")
    var hold = RecordingDefaults.hold

    @Option(help: "Frame layout: result, or side-by-side (content | style | result).")
    var layout: Layout = .result

    @Option(help: "Largest GIF width, pixels, \(RecordingDefaults.gifWidthLimit).")
    var gifWidth = RecordingDefaults.gifWidth

    @Option(help: help("GIF frames per second, \(RecordingDefaults.gifFpsLimit).", default: "--fps"))
    var gifFps: Double?

    enum Layout: String, ExpressibleByArgument, CaseIterable { case result, sideBySide = "side-by-side" }

    var wantsFrames: Bool { video != nil || gif != nil || frames != nil }

    func validate() throws {
        do {
            if let saveEvery { try RecordingDefaults.saveEveryLimit.check(saveEvery, key: "save_every") }
            try RecordingDefaults.fpsLimit.check(fps.value, key: "fps")
            if let gifFps { try RecordingDefaults.gifFpsLimit.check(gifFps, key: "gif_fps") }
            try RecordingDefaults.holdLimit.check(hold, key: "hold")
            try RecordingDefaults.gifWidthLimit.check(gifWidth, key: "gif_width")
        } catch let error as LimitError {
            throw ValidationError(error.description)  // a usage error (exit 64), as those ArgumentParser finds
        }
    }

    /// Adds the video, GIF and frame folder to `plan`, sized roughly for `recipe`'s run: as many frames as
    /// `FrameRecorder` will record, each at most `--size` squared (the long side bounds the short) times the
    /// `pictures` a frame shows (a grid's cells).
    func addOutputs(to plan: inout OutputPlan, recipe: Recipe, pictures: Int = 1) {
        let pixels = Double(recipe.size * recipe.size * pictures)
        let scales = recipe.scaleIterations?.count ?? recipe.scales + recipe.refinementScales
        let iterations = (0..<scales).map { recipe.iterations(atScale: $0, of: scales) }.reduce(0, +)
        let recorded = Double(iterations / (saveEvery ?? max(1, iterations / 60)) + 1) + (hold * fps.value).rounded(.up)
        plan.add(video, flag: "--video", kind: .video, bytes: OutputPlan.videoBytes(frames: recorded, pixels: pixels))
        plan.add(gif, flag: "--gif", kind: .gif, bytes: OutputPlan.gifBytes(frames: recorded, pixels: pixels, gifWidth: gifWidth))
        plan.add(frames, flag: "--frames", kind: .frameFolder, bytes: OutputPlan.pngBytes(frames: recorded, pixels: pixels))
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
