import ArgumentParser
import Dispatch
import Foundation
import Media
import Models
import StyleTransfer
import TensorCore
import Weights

/// One engine run from the command line: loads the network and images, runs with progress and Ctrl-C
/// cancellation, writes the result. Commands add observers (video, GIF, traces) to `engine.observers`
/// between `init` and `run`.
final class TransferSession {
    let recipe: Recipe
    let engine: Engine
    let modelName: String

    init(recipe: Recipe, content: String?, styles: [String]) throws {
        _ = try BLAS.load()
        var recipe = recipe
        let store = ModelStore()
        let (name, weights) = try store.load(recipe.model ?? store.defaultModelName())
        guard let architecture = Architecture(inferringFrom: weights) else {
            throw CLIError.unknownArchitecture(name)
        }
        guard let pooling = Pooling(rawValue: recipe.pooling) else {
            throw ValidationError("--pooling \(recipe.pooling): choose max or avg")
        }
        let network = try architecture.makeNetwork(weights: weights, pooling: pooling)
        if !network.hasLayers(recipe.contentLayers + recipe.styleLayers) {
            Self.adoptDefaultLayers(of: architecture, in: &recipe)
        }
        let contentImage = try content.map(Self.read)
        let styleImages = try styles.map(Self.read)
        let initialization = try Initialization.named(recipe.initialization, noise: recipe.noise)
            ?? .image(Self.read(recipe.initialization))
        engine = try Engine(network: network, recipe: recipe, content: contentImage, styles: styleImages, initialization: initialization)
        self.recipe = recipe
        modelName = name
    }

    /// Runs to the end (or Ctrl-C, which keeps the image reached so far) and writes `output`.
    func run(output: String, progressEvery: Int) throws -> EngineResult {
        engine.observers.insert(ProgressPrinter(every: progressEvery), at: 0)
        signal(SIGINT, SIG_IGN)
        let interrupt = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        let cancellation = engine.cancellation
        interrupt.setEventHandler {
            if cancellation.isCancelled { exit(130) }
            FileHandle.standardError.write(Data("\nstopping after this iteration (Ctrl-C again to abort)\n".utf8))
            cancellation.cancel()
        }
        interrupt.resume()
        defer {
            interrupt.cancel()
            signal(SIGINT, SIG_DFL)
        }
        print("model \(modelName), \(engine.schedule.shapes.count) scale(s) to \(engine.schedule.shapes.last!.width)×\(engine.schedule.shapes.last!.height), \(recipe.optimizer.rawValue)")
        let result = try engine.run()
        let s = result.image.shape
        try ImageWriter.write(RGBImage(width: s.width, height: s.height, planes: result.image.values), to: output)
        print("final  " + ProgressPrinter.line(result.losses, iteration: nil, elapsed: result.elapsed)
            + "  (\(result.iterations) iterations, \(result.evaluations) evaluations, stopped: \(result.stopReason.rawValue))")
        print("wrote \(output)")
        return result
    }

    static func read(_ path: String) throws -> Tensor {
        let image = try ImageReader.read(path)
        return Tensor(Shape(channels: 3, height: image.height, width: image.width), values: image.planes)
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

    var description: String {
        switch self {
        case .unknownArchitecture(let name):
            return "\(name) is not a VGG16/VGG19/AlexNet/SqueezeNet 1.1 checkpoint; see `stylize models list`"
        }
    }
}
