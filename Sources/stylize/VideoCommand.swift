import ArgumentParser
import Foundation
import Media
import StyleTransfer
import TensorCore
import VideoStyle

extension TemporalMode: ExpressibleByArgument {}

struct VideoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "video",
        abstract: "Stylize a clip frame by frame without flicker (each frame starts from the previous one, warped by optical flow).")

    @Argument(help: "The clip to stylize (anything FFmpeg decodes).")
    var input: String

    @Argument(help: "The style images (several blend, see --style-blend).")
    var styles: [String]

    @OptionGroup var options: RunOptions
    @OptionGroup var objective: ObjectiveOptions
    @OptionGroup var optimization: OptimizationOptions

    @Option(help: "Also write a GIF preview here.")
    var gif: String?

    @Option(help: "Stylize at most this many frames.")
    var maxFrames: Int?

    @Option(help: "Iterations for every frame after the first (the first uses --iterations and the scale schedule).")
    var frameIterations: Int?

    @Option(help: "Weight of the temporal term holding each frame to the previous one where the flow is trusted (0: off).")
    var temporalWeight: Double?

    @Option(help: "How each frame after the first starts: none (from its content, the flicker baseline), previous (from the previous stylized frame), flow (from it warped by the optical flow, plus the temporal term where the flow is trusted).")
    var temporal: TemporalMode?

    @Option(help: "Stop a frame after the first when its loss fell by less than this share over 5 iterations (0: run --frame-iterations).")
    var frameTolerance: Double?

    @Option(help: "Directory for the stylized frames as PNGs (default: OUTPUT.frames beside the output).")
    var workDir: String?

    @Flag(help: "Continue an interrupted run: frames already in the work directory are kept, not stylized again.")
    var resume = false

    /// Small frames, a full first frame, short later ones.
    static var defaults: Recipe {
        var r = Recipe()
        r.size = 192
        r.iterations = 200
        return r
    }

    func run() throws {
        // A clip takes minutes to hours: show each frame's line even when the output goes to a file.
        setvbuf(stdout, nil, _IOLBF, 0)
        let recipe = try options.makeRecipe(defaults: Self.defaults, objective: objective, optimization: optimization)
        // Frame mode warps and holds the previous frame's colours, which luminance-only transfer would fight.
        // The session loads the network and resolves the layers; its content-less engine is not run.
        let session = try TransferSession(recipe: recipe, content: nil, styles: styles)
        try options.saveRecipeIfAsked(session.recipe)
        var settings = FrameSettings()
        if let frameIterations { settings.frameIterations = frameIterations }
        if let temporalWeight { settings.temporalWeight = temporalWeight }
        if let temporal { settings.temporal = temporal }
        if let frameTolerance { settings.frameTolerance = frameTolerance }
        let initialization = try Initialization.named(session.recipe.initialization, noise: session.recipe.noise)
            ?? .image(TransferSession.read(session.recipe.initialization))
        let stylizer = try FrameStylizer(
            network: session.engine.network, styles: styles.map(TransferSession.read), recipe: session.recipe,
            settings: settings, firstInitialization: initialization)
        stylizer.observers = [ProgressPrinter(every: options.progressEvery)]
        let job = VideoJob(
            input: input, output: options.output, gif: gif, workDirectory: workDir ?? options.output + ".frames",
            resume: resume, maxFrames: maxFrames, size: session.recipe.size)

        let interrupt = cancelOnInterrupt(stylizer.cancellation, message: "stopping; the frames done are kept (rerun with --resume to continue)")
        defer { withExtendedLifetime(interrupt) {} }
        print("model \(session.modelName), frames of long side \(job.size), temporal \(settings.temporal.rawValue), \(settings.frameIterations) iterations after the first, temporal weight \(settings.temporalWeight)")
        let summary = try VideoStylizer(stylizer: stylizer).run(job) { report in
            stylizer.observers = []
            print(Self.line(report))
        }
        func f(_ v: Double?) -> String { v.map { String(format: "%.4f", $0) } ?? "-" }
        print("\(summary.frames) frames (\(summary.stylized) stylized, \(summary.resumed) resumed)\(summary.cancelled ? ", cancelled" : ""); "
            + "flicker \(f(summary.meanFlicker)) (input \(f(summary.meanInputFlicker))), "
            + "\(summary.secondsPerFrame.map { String(format: "%.1f s", $0) } ?? "-") per frame after the first")
        print("wrote \(options.output)" + (gif.map { " and \($0)" } ?? "") + "; frames in \(job.workDirectory)")
        if summary.cancelled { throw ExitCode(130) }
    }

    static func line(_ r: FrameReport) -> String {
        let head = "frame \(r.index + 1)" + (r.expected.map { "/\($0)" } ?? "")
        guard let o = r.outcome else { return head + ": resumed from the work directory" }
        var s = head + ": " + ProgressPrinter.line(o.result.losses, iteration: nil, elapsed: o.result.elapsed)
        if let t = o.result.losses.pixelTerms["temporal"] { s += String(format: "  temporal %.4g", t) }
        if let fl = o.flicker, let inp = o.inputFlicker, let c = o.maskCoverage {
            s += String(format: "  flicker %.4f (input %.4f)  mask %.0f%%  flow %.2f s", fl, inp, 100 * c, o.flowSeconds)
        }
        return s
    }
}
