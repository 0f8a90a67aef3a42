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

    init(recipe: Recipe, content: String?, styles: [String]) throws {
        let start = DispatchTime.now()
        let setup = try TransferSetup(recipe: recipe, content: content, styles: styles)
        engine = try Engine(network: setup.network, recipe: setup.recipe, content: setup.content, styles: setup.styles,
                            initialization: setup.initialization)
        self.recipe = setup.recipe
        modelName = setup.modelName
        contentPath = content
        stylePaths = styles
        setupSeconds = start.secondsSince
    }

    /// What the sidecar of a picture adds to the common record: how the run ended and every iteration's losses.
    struct Details: Encodable {
        var iterations: Int
        var evaluations: Int
        var stopReason: String
        var finalLosses: Losses
        var lossTrace: [LossTrace.Point]

        enum CodingKeys: String, CodingKey {
            case iterations, evaluations
            case stopReason = "stop_reason"
            case finalLosses = "final_losses"
            case lossTrace = "loss_trace"
        }
    }

    /// Runs to the end (or Ctrl-C, which keeps the image reached so far) and writes `output`, the frames
    /// `frames` asks for and the sidecar naming them all. After Ctrl-C everything is still written (the
    /// sidecar says `"stop_reason": "cancelled"`), then the process exits with status 130; a failed run writes
    /// no sidecar.
    func run(command: String, output: String, printer: ProgressPrinter, progressEvery: Int, frames: FrameOptions) throws -> EngineResult {
        guard ImageWriter.canWrite(output) else {
            throw CLIError.unsupportedPicture(output)
        }
        let trace = LossTrace()
        engine.observers.insert(contentsOf: [EngineProgress(printer: printer, every: progressEvery, engine: engine), trace] as [EngineObserver], at: 0)
        let recorder = frames.wantsFrames
            ? try FrameRecorder(options: frames, engine: engine, content: contentPath, style: stylePaths.first) : nil
        if let recorder { engine.observers.append(recorder) }
        let interrupt = cancelOnInterrupt(engine.cancellation, message: "stopping after this iteration")
        defer { withExtendedLifetime(interrupt) {} }
        let outputs = [output, frames.video, frames.gif, frames.frames].compactMap { $0 }
        let shapes = engine.schedule.shapes, last = shapes.last!
        let scales = shapes.enumerated().map { i, shape in
            ProgressEvent.Scale(scale: i + 1, scales: shapes.count, width: shape.width, height: shape.height,
                                iterations: recipe.iterations(atScale: i, of: shapes.count))
        }
        printer.emit(.started(.init(command: command, model: modelName, recipe: sidecarRecipe, inputs: inputs, outputs: outputs, scales: scales)),
                     text: "model \(modelName), \(shapes.count) scale(s) to \(last.width)×\(last.height), \(recipe.optimizer.rawValue)")
        let run = Result { try engine.run() }
        let closing = Result { try recorder?.finish() }
        let result = try run.get()  // a failed run's own error comes first, not the empty video it left
        try closing.get()
        let writeStart = DispatchTime.now()
        try ImageWriter.write(RGBImage(result.image), to: output)
        let cancelled = engine.cancellation.isCancelled
        let stopReason = cancelled ? "cancelled" : result.stopReason.rawValue
        let sidecar = Sidecar(recipe: sidecarRecipe, run: .init(
            command: command, inputs: inputs, outputs: outputs, model: .init(resolving: modelName), versions: MachineVersions.all,
            timings: ["setup_seconds": setupSeconds, "run_seconds": result.elapsed, "write_seconds": writeStart.secondsSince],
            details: Details(iterations: result.iterations, evaluations: result.evaluations, stopReason: stopReason,
                             finalLosses: result.losses, lossTrace: trace.points)))
        let sidecarPath = try sidecar.write(besides: output)
        printer.emit(.finished(.init(outputs: outputs, sidecar: sidecarPath, elapsed: result.elapsed, iterations: result.iterations,
                                     stopReason: stopReason, losses: result.losses, cancelled: cancelled)),
                     text: "final  " + ProgressPrinter.losses(result.losses) + String(format: "  %.1f s", result.elapsed)
                        + "  (\(result.iterations) iterations, \(result.evaluations) evaluations, stopped: \(stopReason))")
        for path in outputs + [sidecarPath] { printer.wrote("wrote \(path)") }
        if cancelled { throw ExitCode(130) }
        return result
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
        let (name, weights) = try store.load(recipe.model ?? store.defaultModelName())
        guard let architecture = Architecture(inferringFrom: weights) else {
            throw CLIError.unknownArchitecture(name)
        }
        let network = try architecture.makeNetwork(weights: weights, pooling: recipe.pooling)
        if !network.hasLayers(recipe.contentLayers + recipe.styleLayers) {
            Self.adoptDefaultLayers(of: architecture, in: &recipe)
        }
        return (network, name)
    }

    /// When the recipe names layers this network lacks and they are the VGG defaults, the architecture's own
    /// defaults are used instead (AlexNet and SqueezeNet name their layers differently).
    private static func adoptDefaultLayers(of architecture: Architecture, in recipe: inout Recipe) {
        let vgg = Recipe()
        let (content, style): ([String], [String])
        switch architecture {
        case .vgg16, .vgg19: return
        case .alexnet: (content, style) = (["relu4"], ["relu1", "relu2", "relu3", "relu4", "relu5"])
        case .squeezenet1_1: (content, style) = (["fire6"], ["relu1", "fire2", "fire4", "fire6", "fire8"])
        }
        if recipe.contentLayers == vgg.contentLayers || recipe.contentLayers == ReconstructDefaults.recipe.contentLayers {
            recipe.contentLayers = content
        }
        if recipe.styleLayers == vgg.styleLayers && recipe.styleLayerWeights == nil { recipe.styleLayers = style }
    }
}

extension FeatureNetwork {
    func hasLayers(_ names: [String]) -> Bool { names.allSatisfy(layerNames.contains) }
}

enum CLIError: Error, CustomStringConvertible {
    case unknownArchitecture(String)
    case unsupportedPicture(String)

    var description: String {
        switch self {
        case .unknownArchitecture(let name):
            return "\(name) is not a VGG16/VGG19/AlexNet/SqueezeNet 1.1 checkpoint; see `stylize models list`"
        case .unsupportedPicture(let path):
            return "-o \(path): write a .png, .jpg or .jpeg picture (videos and GIFs go to --video and --gif)"
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
}

extension TransferCommand {
    /// Builds the recipe from the defaults and flags, saves it if asked, runs the session and writes the result.
    func runSession(content: String?, styles: [String]) throws {
        let recipe = try options.makeRecipe(objective: objective, optimization: optimization)
        let session = try TransferSession(recipe: recipe, content: content, styles: styles)
        try options.saveRecipeIfAsked(session.recipe)
        _ = try session.run(command: Self.configuration.commandName ?? "image", output: options.output, printer: options.makePrinter(),
                            progressEvery: options.progressEvery, frames: frames)
    }
}
