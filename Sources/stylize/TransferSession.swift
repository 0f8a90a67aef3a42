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
        var recipe = recipe
        let (network, name) = try Self.loadNetwork(for: &recipe)
        let contentImage = try content.map(Self.read)
        let styleImages = try styles.map(Self.read)
        let initialization = try Initialization.named(recipe.initialization, noise: recipe.noise)
            ?? .image(Self.read(recipe.initialization))
        engine = try Engine(network: network, recipe: recipe, content: contentImage, styles: styleImages, initialization: initialization)
        self.recipe = recipe
        modelName = name
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
        guard let pooling = Pooling(rawValue: recipe.pooling) else {
            throw ValidationError("--pooling \(recipe.pooling): choose max or avg")
        }
        let store = ModelStore()
        let (name, weights) = try store.load(recipe.model ?? store.defaultModelName())
        guard let architecture = Architecture(inferringFrom: weights) else {
            throw CLIError.unknownArchitecture(name)
        }
        let network = try architecture.makeNetwork(weights: weights, pooling: pooling)
        if !network.hasLayers(recipe.contentLayers + recipe.styleLayers) {
            Self.adoptDefaultLayers(of: architecture, in: &recipe)
        }
        return (network, name)
    }

    static func read(_ path: String) throws -> Tensor {
        Tensor(try ImageReader.read(path))
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
        if recipe.contentLayers == vgg.contentLayers || recipe.contentLayers == ReconstructCommand.defaults.contentLayers {
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
    var options: RunOptions { get }
    var objective: ObjectiveOptions { get }
    var optimization: OptimizationOptions { get }
    var frames: FrameOptions { get }
    var plot: PlotOptions { get }
    /// The recipe the command starts from, before `--recipe` and the flags.
    static var defaults: Recipe { get }
}

extension TransferCommand {
    /// Builds the recipe from the defaults and flags, saves it if asked, runs the session and writes the result.
    func runSession(content: String?, styles: [String]) throws {
        let recipe = try options.makeRecipe(defaults: Self.defaults, objective: objective, optimization: optimization)
        let session = try TransferSession(recipe: recipe, content: content, styles: styles)
        try options.saveRecipeIfAsked(session.recipe)
        let losses = plot.recorder(for: session.engine)
        let ran = Result { try session.run(output: options.output, progressEvery: options.progressEvery, frames: frames) }
        if case .failure(let error) = ran, !(error is ExitCode) { throw error }  // after Ctrl-C the plot is still drawn
        try plot.write(losses, title: "Losses of \(URL(fileURLWithPath: options.output).lastPathComponent) (\(session.modelName), \(session.recipe.optimizer.rawValue))")
        _ = try ran.get()
    }
}
