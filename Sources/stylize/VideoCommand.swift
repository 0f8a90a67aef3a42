import ArgumentParser
import Foundation
import Media
import StyleTransfer
import TensorCore
import VideoStyle
import Weights

extension TemporalMode: ExpressibleByArgument {}

struct VideoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "video",
        abstract: "Stylize a clip frame by frame without flicker, keeping its sound and timing.",
        discussion: """
        The first frame is stylized from --init with the recipe's scales and iterations; every later frame starts \
        as --temporal says and runs at most --frame-iterations. Each finished frame is kept in the work folder \
        (OUTPUT.frames by default) with a fingerprint of the clip, styles, model and every setting: --resume \
        continues an interrupted run only when the fingerprint matches, and otherwise names what differs. Ctrl-C \
        writes the output with the frames done; a run that is killed or crashes leaves them playable as \
        partial.mp4 in the work folder.

        The output keeps the clip's frame rate and timestamps (variable-rate clips stay so unless --fps \
        resamples them), is shown upright (display rotation) with square pixels, and carries every audio stream \
        of the clip, copied unchanged, or re-encoded when the container cannot hold its codec (the run says so); \
        subtitles and data streams are dropped and named. With --start/--duration the sound is cut to the same span.

        Ctrl-C stops after the current iteration: the video and GIF then hold the frames done so far and play; \
        any other failure leaves no video, GIF or recipe behind, and removes the work folder if this run made it.

        Long clips on several machines: --segment i/N stylizes only segment i of N into the shared work folder \
        (resumable, with the same fingerprint as a one-machine run); `stylize join WORKDIR` checks that every \
        segment is there and made alike, cross-fades the seams and writes the video, its sound and the GIF. \
        --slurm --segments N submits both to Slurm. The work folder must be on storage every machine sees.

        All keys of --recipe/--save-recipe: those of `stylize \
        image` plus temporal, temporal_weight, frame_iterations, frame_tolerance, start, duration, fps, max_frames.
        """)

    @Argument(help: "The clip to stylize (anything FFmpeg decodes).")
    var input: String

    @Argument(help: "The style images (several blend, see --style-blend).")
    var styles: [String]

    @OptionGroup var options: RunOptions<VideoDefaults>
    @OptionGroup var objective: ObjectiveOptions<VideoDefaults>
    @OptionGroup var optimization: OptimizationOptions<VideoDefaults>

    @Option(help: help("Start at this time of the clip, seconds.", default: VideoDefaults.video.selection.start))
    var start: Double?

    @Option(help: help("Stylize this many seconds.", default: "to the end"))
    var duration: Double?

    @Option(help: help("Resample to this constant frame rate, e.g. 12, 29.97 or 30000/1001.", default: "the clip's own timing"))
    var fps: FrameRate?

    @Option(help: help("Stylize at most this many frames.", default: "all"))
    var maxFrames: Int?

    @Option(help: help("How each frame after the first starts: none (its content: the flicker baseline), previous (the previous stylized frame moved by the camera pan, held where the picture did not change), flow (it warped by the optical flow, held by the temporal term where the flow is trusted).",
                       default: VideoDefaults.video.frame.temporal.rawValue))
    var temporal: TemporalMode?

    @Option(help: help("Weight of the temporal term holding each frame to the previous one, \(Recipe.weightLimit) (0: off).",
                       default: VideoDefaults.video.frame.temporalWeight))
    var temporalWeight: Double?

    @Option(help: help("Most iterations for every frame after the first, \(Recipe.iterationsLimit).", default: VideoDefaults.video.frame.frameIterations))
    var frameIterations: Int?

    @Option(help: help("Stop a frame after the first when its loss fell by less than this share over \(FrameSettings.toleranceWindow) iterations, \(Recipe.toleranceLimit) (0: always run --frame-iterations).",
                       default: VideoDefaults.video.frame.frameTolerance))
    var frameTolerance: Double?

    @Option(help: "Also write a GIF preview here. (default: none)")
    var gif: String?

    @Option(help: "Largest GIF width, pixels, \(RecordingDefaults.gifWidthLimit).")
    var gifWidth = VideoDefaults.gifWidth

    @Flag(help: "Show input | stylized side by side in the video and GIF. (default: off)")
    var sideBySide = false

    @Option(help: help("Folder for the finished frames and the fingerprint.", default: "OUTPUT.frames"))
    var workDir: String?

    @Flag(help: "Continue an interrupted run from the frames in the work folder (same inputs and settings only). (default: off)")
    var resume = false

    @OptionGroup(title: "Segments and clusters") var cluster: ClusterOptions

    func run() throws {
        let started = DispatchTime.now()
        let printer = options.makePrinter()
        let segment = try cluster.checkedSegment()
        var video = try options.loadRecipe(over: VideoDefaults.video)
        try options.apply(to: &video.recipe, objective: objective, optimization: optimization)
        if let start { video.selection.start = start }
        if let duration { video.selection.duration = duration }
        if let fps { video.selection.fps = fps }
        if let maxFrames { video.selection.maxFrames = maxFrames }
        if let temporal { video.frame.temporal = temporal }
        if let temporalWeight { video.frame.temporalWeight = temporalWeight }
        if let frameIterations { video.frame.frameIterations = frameIterations }
        if let frameTolerance { video.frame.frameTolerance = frameTolerance }
        try video.recipe.validate()
        try video.frame.validate()
        try video.selection.validate(path: input)
        try RecordingDefaults.gifWidthLimit.check(gifWidth, key: "gif_width")
        let workDirectory = workDir ?? options.output + ".frames"
        let plan = try outputPlan(video, workDirectory: workDirectory)

        let setup = try TransferSetup(recipe: video.recipe, content: nil, styles: styles, maxMegapixels: options.maxMegapixels, video: true)
        video.recipe = setup.recipe
        let modelName = setup.modelName
        let stylizer = try FrameStylizer(network: setup.network, styles: setup.styles, recipe: video.recipe,
                                         settings: video.frame, firstInitialization: setup.initialization,
                                         masks: Self.masks(video, pictures: setup.guidance))
        var job = VideoJob(input: input, output: options.output, gif: gif, workDirectory: workDirectory,
                           resume: resume, selection: video.selection, size: video.recipe.size)
        job.gifOptions.maxWidth = gifWidth
        job.sideBySide = sideBySide
        job.fingerprint = try Self.fingerprint(input: input, styles: styles, model: modelName, recipe: video)
        let progress = EngineProgress(printer: printer, every: options.progressEvery)
        // Plain lines with --progress-every 0 keep to one line per frame.
        if printer.mode != .lines || options.progressEvery > 0 { stylizer.observers = [progress] }
        if cluster.slurm { return try SlurmSubmission(command: self, recipe: video, job: job).submit() }
        if let segment { return try runSegment(segment, stylizer: stylizer, job: job, printer: printer, progress: progress) }

        // The one-machine run: a failure takes back its outputs and the work folder it made, so that a rerun
        // starts clean. (A segment shares its folder with the others: it keeps what it made.)
        try plan.run { try runOneMachine(stylizer: stylizer, job: job, video: video, modelName: modelName, printer: printer, progress: progress, started: started) }
    }

    private func runOneMachine(stylizer: FrameStylizer, job: VideoJob, video: VideoRecipe, modelName: String,
                               printer: ProgressPrinter, progress: EngineProgress, started: DispatchTime) throws {
        let interrupt = cancelOnInterrupt(stylizer.cancellation, message: "stopping; the frames done are kept (rerun with --resume to continue)")
        defer { withExtendedLifetime(interrupt) {} }
        printer.say("model \(modelName), temporal \(video.frame.temporal.rawValue), \(video.frame.frameIterations) iterations after the first, "
            + "temporal weight \(video.frame.temporalWeight)")
        var recipe = video
        if recipe.recipe.model == nil { recipe.recipe.model = modelName }  // named, so that --recipe OUT.json reruns it
        let outputs = [options.output] + (gif.map { [$0] } ?? [])
        var trace = FrameTrace()
        let setupSeconds = started.secondsSince
        let summary = try VideoStylizer(stylizer: stylizer).run(job) { event in
            switch event {
            case .started(let width, let height, let expected, let rate, let notes):
                progress.frame = .init(frame: 1, frames: expected, eta: nil)
                printer.emit(.started(.init(command: "video", model: modelName, recipe: recipe, inputs: [input] + styles, outputs: outputs,
                                            width: width, height: height, frames: expected, fps: "\(rate)")),
                             text: "\(input): \(width)×\(height) at \(rate) fps, \(expected.map { "\($0) frames" } ?? "frame count unknown")")
                notes.forEach { printer.emit(.note($0), text: $0) }
            case .frame(let report):
                trace.add(report)
                progress.frame = .init(frame: report.index + 2, frames: report.expected, eta: report.secondsLeft)
                printer.emit(.frame(Self.event(report)), text: Self.line(report))
            }
        }
        summary.notes.forEach { printer.emit(.note($0), text: $0) }
        try options.saveRecipeIfAsked(video)
        func f(_ v: Double?) -> String { v.map { String(format: "%.4f", $0) } ?? "-" }
        let elapsed = started.secondsSince
        let sidecar = Sidecar(recipe: recipe, run: .init(
            command: "video", inputs: [input] + styles, outputs: outputs, model: .init(resolving: modelName), versions: MachineVersions.all,
            timings: ["setup_seconds": setupSeconds, "total_seconds": elapsed],
            details: VideoDetails(summary: summary, workDirectory: job.workDirectory, trace: trace)))
        let sidecarPath = try sidecar.write(besides: options.output)
        printer.emit(.finished(.init(outputs: outputs, sidecar: sidecarPath, elapsed: elapsed, frames: summary.frames, cancelled: summary.cancelled)),
                     text: "\(summary.frames) frames (\(summary.stylized) stylized, \(summary.resumed) resumed)\(summary.cancelled ? ", cancelled" : ""); "
                        + "flicker \(f(summary.meanFlicker)) (input \(f(summary.meanInputFlicker))), "
                        + "\(summary.secondsPerFrame.map { String(format: "%.1f s", $0) } ?? "-") per frame after the first")
        printer.wrote("wrote \(options.output)" + (gif.map { " and \($0)" } ?? "") + "; frames in \(job.workDirectory); sidecar \(sidecarPath)")
        if summary.cancelled { throw ExitCode(ExitStatus.interrupted.rawValue) }
    }

    /// The video, GIF, work folder and recipe this command writes, checked now. The frame count is not known
    /// before the clip is opened: the free-space estimate counts --max-frames frames, else one.
    private func outputPlan(_ video: VideoRecipe, workDirectory: String) throws -> OutputPlan {
        let pixels = Double(video.recipe.size * video.recipe.size), frames = Double(video.selection.maxFrames ?? 1)
        var plan = OutputPlan()
        plan.add(options.output, flag: "-o", kind: .video, bytes: OutputPlan.videoBytes(frames: frames, pixels: pixels))
        plan.add(gif, flag: "--gif", kind: .gif, bytes: OutputPlan.gifBytes(frames: frames, pixels: pixels, gifWidth: gifWidth))
        plan.add(workDirectory, flag: "--work-dir", kind: .workFolder, bytes: OutputPlan.pngBytes(frames: frames, pixels: pixels))
        plan.add(sidecarPath(for: options.output), flag: "-o (its sidecar)", kind: .recipe)
        plan.add(options.saveRecipe, flag: "--save-recipe", kind: .recipe)
        try plan.check()
        return plan
    }

    /// The recipe's masks for every frame: the pictures `TransferSetup` read, and the clips it left to be read in step.
    static func masks(_ video: VideoRecipe, pictures: Guidance) -> FrameMasks {
        func source(_ path: String, _ picture: Tensor?) -> FrameMasks.Source {
            picture.map { .picture($0) } ?? .clip(path: path, selection: video.selection)
        }
        let styleMasks = (video.recipe.styleMasks ?? [:]).reduce(into: [Int: FrameMasks.Source]()) { masks, entry in
            masks[entry.key - 1] = source(entry.value, pictures.styleMasks[entry.key - 1])
        }
        return FrameMasks(styleMasks: styleMasks, contentMask: video.recipe.contentMask.map { source($0, pictures.contentMask) })
    }

    /// What the frames depend on besides their size: the bytes of the clip and styles, the model, every knob
    /// but those that only say where to stop.
    static func fingerprint(input: String, styles: [String], model: String, recipe: VideoRecipe) throws -> Fingerprint {
        var f = Fingerprint()
        f.entries["input"] = try digest(input)
        for (i, style) in styles.enumerated() { f.entries["style \(i + 1)"] = try digest(style) }
        for (n, mask) in recipe.recipe.styleMasks ?? [:] { f.entries["style mask \(n)"] = try digest(mask) }
        if let mask = recipe.recipe.contentMask { f.entries["content mask"] = try digest(mask) }
        try f.add(knobsOf: recipe)
        // After the knobs, whose `model` is only the name: the entry must name the weights' bytes too.
        let installed = ModelStore().installed().first { $0.name == model }
        f.entries["model"] = model + " " + (try installed?.sha256.map { "sha256 " + $0 } ?? digest(installed?.path ?? model))
        // How far the run goes does not change the frames it makes: a resumed run may go further.
        f.entries["max_frames"] = nil
        f.entries["duration"] = nil
        return f
    }

    /// The recipe `fingerprint` was made from, for the sidecar of a join (`job.json` keeps only the
    /// fingerprint): every knob entry, the model's name without its digest, and the duration and frame cap that
    /// the fingerprint leaves out, from `selection`. `jobPath` names job.json in the error.
    static func recipe(of fingerprint: Fingerprint, selection: ClipSelection, jobPath: String) throws -> VideoRecipe {
        var object: [String: Any] = [:]
        for (key, value) in fingerprint.entries where !["input", "model", "frame_size"].contains(key) && !key.hasPrefix("style ") {
            guard let knob = try? JSONSerialization.jsonObject(with: Data(value.utf8), options: .fragmentsAllowed) else {
                throw SegmentError.unreadableFingerprint(path: jobPath, reason: "its \(key) is not JSON")
            }
            object[key] = knob
        }
        object["model"] = model(of: fingerprint)?.name
        do {
            var recipe = try JSONDecoder().decode(VideoRecipe.self, from: JSONSerialization.data(withJSONObject: object))
            recipe.selection.duration = selection.duration
            recipe.selection.maxFrames = selection.maxFrames
            return recipe
        } catch {
            throw SegmentError.unreadableFingerprint(path: jobPath, reason: "\(error)")
        }
    }

    /// The model's name and sha256 as `fingerprint` wrote them (`NAME sha256 HEX`).
    static func model(of fingerprint: Fingerprint) -> (name: String, sha256: String)? {
        guard let entry = fingerprint.entries["model"], let mark = entry.range(of: " sha256 ", options: .backwards) else { return nil }
        return (String(entry[..<mark.lowerBound]), String(entry[mark.upperBound...]))
    }

    /// How the fingerprint names a file's bytes.
    static func digest(_ path: String) throws -> String {
        "sha256 " + (try FileDigest.sha256(ofFile: path))
    }

    static func event(_ r: FrameReport) -> ProgressEvent.Frame {
        ProgressEvent.Frame(frame: r.index + 1, frames: r.expected, resumed: r.outcome == nil, iterations: r.outcome?.result.iterations,
                            losses: r.outcome?.result.losses, secondsPerFrame: r.secondsPerFrame, eta: r.secondsLeft)
    }

    static func line(_ r: FrameReport) -> String {
        var head = "frame \(r.index + 1)" + (r.expected.map { "/\($0)" } ?? "")
        if let spf = r.secondsPerFrame {
            head += String(format: " (%.1f s/frame", spf) + (r.secondsLeft.map { ", ETA " + ProgressPrinter.duration($0) } ?? "") + ")"
        }
        guard let o = r.outcome else { return head + ": resumed from the work folder" }
        var s = head + ": " + ProgressPrinter.losses(o.result.losses) + String(format: "  %.1f s", o.result.elapsed)
        s += "  \(o.result.iterations) it"
        if let c = o.maskCoverage { s += String(format: "  mask %.0f%%  flow %.2f s", 100 * c, o.flowSeconds) }
        if let fl = o.flicker, let inp = o.inputFlicker { s += String(format: "  flicker %.4f (input %.4f)", fl, inp) }
        return s
    }
}
