import ArgumentParser
import Foundation
import ImageTensor
import Media
import Models
import StyleTransfer
import TensorCore
import Weights

/// One engine run from the command line: loads the network and images, runs with progress and Ctrl-C
/// cancellation, writes the result. Commands add observers (video, GIF, PNG frames) to `engine.observers`
/// between `init` and `run`.
final class TransferSession {
    let recipe: Recipe
    let engine: Engine
    let modelName: String
    private let contentPath: String?
    private let stylePaths: [String]

    init(recipe: Recipe, content: String?, styles: [String]) throws {
        let setup = try TransferSetup(recipe: recipe, content: content, styles: styles)
        engine = try Engine(network: setup.network, recipe: setup.recipe, content: setup.content, styles: setup.styles,
                            initialization: setup.initialization)
        self.recipe = setup.recipe
        modelName = setup.modelName
        contentPath = content
        stylePaths = styles
    }

    /// Runs to the end (or Ctrl-C, which keeps the image reached so far: `engine.cancellation` then says so)
    /// and writes `output` and the frames `frames` asks for; a failed run finishes neither video nor GIF.
    func run(output: String, progressEvery: Int, frames: FrameOptions) throws -> EngineResult {
        engine.observers.insert(ProgressPrinter(every: progressEvery), at: 0)
        setvbuf(stdout, nil, _IOLBF, 0)  // progress lines appear as they happen, also through a pipe
        let recorder = frames.wantsFrames
            ? try FrameRecorder(options: frames, engine: engine, content: contentPath, style: stylePaths.first) : nil
        if let recorder { engine.observers.append(recorder) }
        let interrupt = cancelOnInterrupt(engine.cancellation, message: "stopping after this iteration")
        defer { withExtendedLifetime(interrupt) {} }
        print("model \(modelName), \(engine.schedule.shapes.count) scale(s) to \(engine.schedule.shapes.last!.width)×\(engine.schedule.shapes.last!.height), \(recipe.optimizer.rawValue)")
        let result: EngineResult
        do {
            result = try engine.run()
        } catch {
            recorder?.discard()
            throw error
        }
        try recorder?.finish()
        try ImageWriter.write(RGBImage(result.image), to: output)
        print("final  " + ProgressPrinter.line(result.losses, iteration: nil, elapsed: result.elapsed)
            + "  (\(result.iterations) iterations, \(result.evaluations) evaluations, stopped: \(result.stopReason.rawValue))")
        for path in [output, frames.video, frames.gif, frames.frames].compactMap({ $0 }) { print("wrote \(path)") }
        return result
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
    case cannotWrite(flag: String, path: String, reason: String)
    case unreadableRecipe(path: String, reason: String)

    var description: String {
        switch self {
        case .unknownArchitecture(let name):
            return "\(name) is not a VGG16/VGG19/AlexNet/SqueezeNet 1.1 checkpoint; see `stylize models list`"
        case .cannotWrite(let flag, let path, let reason):
            return "\(flag) \(path): cannot write it (\(reason)); write elsewhere"
        case .unreadableRecipe(let path, let reason):
            return "--recipe \(path): \(reason)"
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
    /// Builds the recipe from the defaults and flags, checks every output, runs the session, writes the result
    /// and then the recipe if asked; a failure leaves none of them. After Ctrl-C all are written, then the
    /// process exits with status 130.
    func runSession(content: String?, styles: [String]) throws {
        let recipe = try options.makeRecipe(objective: objective, optimization: optimization)
        var plan = OutputPlan()
        plan.add(options.output, flag: "-o", kind: .picture, bytes: Double(recipe.size * recipe.size * 3))
        frames.addOutputs(to: &plan, recipe: recipe)
        plan.add(options.saveRecipe, flag: "--save-recipe", kind: .recipe)
        try plan.check()
        let cancelled = try plan.run {
            let session = try TransferSession(recipe: recipe, content: content, styles: styles)
            _ = try session.run(output: options.output, progressEvery: options.progressEvery, frames: frames)
            try options.saveRecipeIfAsked(session.recipe)
            return session.engine.cancellation.isCancelled
        }
        if cancelled { throw ExitCode(ExitStatus.interrupted.rawValue) }
    }
}
