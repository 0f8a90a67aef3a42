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

    /// Runs to the end (or Ctrl-C, which keeps the image reached so far) and writes `output` and the frames
    /// `frames` asks for. After Ctrl-C everything is still written, then the process exits with status 130.
    func run(output: String, progressEvery: Int, frames: FrameOptions) throws -> EngineResult {
        guard ImageWriter.canWrite(output) else {
            throw CLIError.unsupportedPicture(output)
        }
        engine.observers.insert(ProgressPrinter(every: progressEvery), at: 0)
        setvbuf(stdout, nil, _IOLBF, 0)  // progress lines appear as they happen, also through a pipe
        let recorder = frames.wantsFrames
            ? try FrameRecorder(options: frames, engine: engine, content: contentPath, style: stylePaths.first) : nil
        if let recorder { engine.observers.append(recorder) }
        let interrupt = cancelOnInterrupt(engine.cancellation, message: "stopping after this iteration")
        defer { withExtendedLifetime(interrupt) {} }
        print("model \(modelName), \(engine.schedule.shapes.count) scale(s) to \(engine.schedule.shapes.last!.width)×\(engine.schedule.shapes.last!.height), \(recipe.optimizer.rawValue)")
        let run = Result { try engine.run() }
        let closing = Result { try recorder?.finish() }
        let result = try run.get()  // a failed run's own error comes first, not the empty video it left
        try closing.get()
        try ImageWriter.write(RGBImage(result.image), to: output)
        print("final  " + ProgressPrinter.line(result.losses, iteration: nil, elapsed: result.elapsed)
            + "  (\(result.iterations) iterations, \(result.evaluations) evaluations, stopped: \(result.stopReason.rawValue))")
        for path in [output, frames.video, frames.gif, frames.frames].compactMap({ $0 }) { print("wrote \(path)") }
        if engine.cancellation.isCancelled { throw ExitCode(130) }
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
        let recipe = try options.makeRecipe(objective: objective, optimization: optimization, recorded: frames.wantsFrames)
        let session = try TransferSession(recipe: recipe, content: content, styles: styles)
        try options.saveRecipeIfAsked(session.recipe)
        _ = try session.run(output: options.output, progressEvery: options.progressEvery, frames: frames)
    }
}
