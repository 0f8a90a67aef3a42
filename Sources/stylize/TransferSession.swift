import ArgumentParser
import Foundation
import ImageTensor
import Media
import Models
import StyleTransfer
import TensorCore
import Weights

/// One engine run from the command line: loads the network and images, runs with progress and Ctrl-C
/// cancellation, writes the result and its sidecar. Commands add observers (video, GIF, PNG frames) to
/// `engine.observers` between `init` and `run`.
final class TransferSession {
    let recipe: Recipe
    let engine: Engine
    let modelName: String
    private let contentPath: String?
    private let stylePaths: [String]
    private let setupSeconds: Double
    /// Every iteration's losses: the sidecar's trace, and `--plot`'s curves.
    let losses: LossRecorder

    init(recipe: Recipe, content: String?, styles: [String], maxMegapixels: Double) throws {
        let start = DispatchTime.now()
        let setup = try TransferSetup(recipe: recipe, content: content, styles: styles, maxMegapixels: maxMegapixels)
        engine = try Engine(network: setup.network, recipe: setup.recipe, content: setup.content, styles: setup.styles,
                            initialization: setup.initialization, guidance: setup.guidance, memoryBudget: setup.memoryBudget)
        self.recipe = setup.recipe
        modelName = setup.modelName
        contentPath = content
        stylePaths = styles
        losses = LossRecorder(recipe: setup.recipe)
        setupSeconds = start.secondsSince
    }

    /// What the sidecar of a picture adds to the common record: how the run ended and every iteration's losses.
    struct Details: Encodable {
        var iterations: Int
        var evaluations: Int
        var stopReason: String
        var finalLosses: Losses
        var lossTrace: [LossRecorder.Point]

        enum CodingKeys: String, CodingKey {
            case iterations, evaluations
            case stopReason = "stop_reason"
            case finalLosses = "final_losses"
            case lossTrace = "loss_trace"
        }
    }

    /// Runs to the end (or Ctrl-C, which keeps the image reached so far: `engine.cancellation` then says so, and
    /// the sidecar `"stop_reason": "cancelled"`) and writes `output`, the frames `frames` asks for and the sidecar
    /// naming them all; a failed run finishes neither video nor GIF and writes no sidecar.
    func run(command: String, output: String, printer: ProgressPrinter, progressEvery: Int, frames: FrameOptions) throws -> EngineResult {
        engine.observers.insert(contentsOf: [EngineProgress(printer: printer, every: progressEvery, engine: engine), losses] as [EngineObserver], at: 0)
        let recorder = frames.wantsFrames
            ? try FrameRecorder(options: frames, engine: engine, content: contentPath, style: stylePaths.first) : nil
        if let recorder { engine.observers.append(recorder) }
        let interrupt = cancelOnInterrupt(engine.cancellation, message: "stopping after this iteration")
        defer { withExtendedLifetime(interrupt) {} }
        let outputs = [output, frames.video, frames.gif, frames.frames].compactMap { $0 }
        let shapes = engine.schedule.shapes, last = shapes.last!
        let scales = shapes.enumerated().map { i, shape in
            ProgressEvent.Scale(scale: i + 1, scales: shapes.count, width: shape.width, height: shape.height,
                                iterations: recipe.iterations(atScale: i, of: shapes.count), plan: engine.plans[i])
        }
        let peak = engine.plans.map(\.bytes).max() ?? 0
        printer.emit(.started(.init(command: command, model: modelName, recipe: sidecarRecipe, inputs: inputs, outputs: outputs, scales: scales)),
                     text: "model \(modelName), \(shapes.count) scale(s) to \(last.width)×\(last.height), \(recipe.optimizer.rawValue)"
                        + (peak > 0 ? ", about \(ByteCount(bytes: peak).gigabytes) of memory at most" : ""))
        let result: EngineResult
        do {
            result = try runEngine()
        } catch {
            recorder?.discard()
            throw error
        }
        try recorder?.finish()
        let writeStart = DispatchTime.now()
        try ImageWriter.write(RGBImage(result.image), to: output)
        let cancelled = engine.cancellation.isCancelled
        let stopReason = cancelled ? "cancelled" : result.stopReason.rawValue
        let sidecar = Sidecar(recipe: sidecarRecipe, run: .init(
            command: command, inputs: inputs, outputs: outputs, model: .init(resolving: modelName), versions: MachineVersions.all,
            timings: ["setup_seconds": setupSeconds, "run_seconds": result.elapsed, "write_seconds": writeStart.secondsSince],
            details: Details(iterations: result.iterations, evaluations: result.evaluations, stopReason: stopReason,
                             finalLosses: result.losses, lossTrace: losses.points)))
        let sidecarPath = try sidecar.write(besides: output)
        printer.emit(.finished(.init(outputs: outputs, sidecar: sidecarPath, elapsed: result.elapsed, iterations: result.iterations,
                                     stopReason: stopReason, losses: result.losses, cancelled: cancelled)),
                     text: "final  " + ProgressPrinter.losses(result.losses) + String(format: "  %.1f s", result.elapsed)
                        + "  (\(result.iterations) iterations, \(result.evaluations) evaluations, stopped: \(stopReason))")
        for path in outputs + [sidecarPath] { printer.wrote("wrote \(path)") }
        return result
    }

    /// Runs the engine; a picture too small for the network is named, with the flag that made it so.
    func runEngine() throws -> EngineResult {
        do {
            return try engine.run()
        } catch ModelError.imageTooSmall(let shape, let model, let minimum) {
            throw CLIError.pictureTooSmall(path: contentPath ?? stylePaths.joined(separator: ", "), shape: shape, size: recipe.size,
                                           model: model, minimum: minimum)
        }
    }

    /// The content (if any), then the styles.
    private var inputs: [String] { (contentPath.map { [$0] } ?? []) + stylePaths }

    /// The recipe as run, with the model named even when the default was taken: `--recipe OUT.json` reruns it.
    private var sidecarRecipe: Recipe {
        var r = recipe
        if r.model == nil { r.model = modelName }
        return r
    }

    /// The recipe's network (its model, else the default one) with its pooling; layers the recipe names by
    /// VGG's defaults become the architecture's own. Returns the network and the model's name.
    static func loadNetwork(for recipe: inout Recipe) throws -> (FeatureNetwork, String) {
        _ = try BLAS.load()
        let store = ModelStore()
        let (name, architecture, weights) = try store.load(recipe.model ?? store.defaultModelName())
        let network = try architecture.makeNetwork(weights: weights, pooling: recipe.pooling)
        recipe.contentLayers = architecture.contentLayers(adopting: recipe.contentLayers)
        // Per-layer style weights were chosen for the layers named, so those are kept.
        if recipe.styleLayerWeights == nil { recipe.styleLayers = architecture.styleLayers(adopting: recipe.styleLayers) }
        return (network, name)
    }
}

enum CLIError: Error, CustomStringConvertible {
    case cannotWrite(flag: String, path: String, reason: String)
    case unreadableRecipe(path: String, reason: String)
    case pictureTooSmall(path: String, shape: Shape, size: Int, model: String, minimum: Int)

    var description: String {
        switch self {
        case .cannotWrite(let flag, let path, let reason):
            return "\(flag) \(path): cannot write it (\(reason)); write elsewhere"
        case .unreadableRecipe(let path, let reason):
            return "--recipe \(path): \(reason)"
        case .pictureTooSmall(let path, let shape, let size, let model, let minimum):
            return "\(path) becomes \(shape.width)×\(shape.height) at --size \(size), too small for \(model) up to the layers used "
                + "(at least \(minimum)×\(minimum)): raise --size, or crop a picture this long and thin"
        }
    }
}

/// A command that runs one transfer session (image, texture, reconstruct): the same option groups, its own
/// defaults and inputs.
protocol TransferCommand: ParsableCommand {
    /// Where the command's defaults are written (`Defaults.swift`).
    associatedtype Defaults: CommandDefaults
    var options: RunOptions<Defaults> { get }
    var objective: ObjectiveOptions<Defaults> { get }
    var optimization: OptimizationOptions<Defaults> { get }
    var frames: FrameOptions { get }
    var plot: PlotOptions { get }
}

extension TransferCommand {
    /// Builds the recipe from the defaults and flags, checks every output, runs the session, writes the result
    /// and then the recipe if asked; a failure leaves none of them. After Ctrl-C all are written, then the
    /// process exits with status 130.
    func runSession(content: String?, styles: [String]) throws {
        let recipe = try options.makeRecipe(objective: objective, optimization: optimization, recorded: frames.wantsFrames)
        var plan = OutputPlan()
        plan.add(options.output, flag: "-o", kind: .picture, bytes: Double(recipe.size * recipe.size * 3))
        frames.addOutputs(to: &plan, recipe: recipe)
        plan.add(plot.plot, flag: "--plot", kind: .plot, bytes: 1e6)
        plan.add(sidecarPath(for: options.output), flag: "-o (its sidecar)", kind: .recipe)
        plan.add(options.saveRecipe, flag: "--save-recipe", kind: .recipe)
        try plan.check()
        let printer = options.makePrinter()
        let cancelled = try plan.run {
            let session = try TransferSession(recipe: recipe, content: content, styles: styles, maxMegapixels: options.maxMegapixels)
            _ = try session.run(command: Self.configuration.commandName ?? "image", output: options.output, printer: printer,
                                progressEvery: options.progressEvery, frames: frames)
            try plot.write(session.losses, title: "Losses of \(URL(fileURLWithPath: options.output).lastPathComponent) (\(session.modelName), \(session.recipe.optimizer.rawValue))",
                           printer: printer)
            try options.saveRecipeIfAsked(session.recipe)
            return session.engine.cancellation.isCancelled
        }
        if cancelled { throw ExitCode(ExitStatus.interrupted.rawValue) }
    }
}
