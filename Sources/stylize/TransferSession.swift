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

    init(recipe: Recipe, content: String?, styles: [String], maxMegapixels: Double) throws {
        let setup = try TransferSetup(recipe: recipe, content: content, styles: styles, maxMegapixels: maxMegapixels)
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
        let (name, architecture, weights) = try store.load(recipe.model ?? store.defaultModelName())
        let network = try architecture.makeNetwork(weights: weights, pooling: recipe.pooling)
        recipe.contentLayers = architecture.contentLayers(adopting: recipe.contentLayers)
        // Per-layer style weights were chosen for the layers named, so those are kept.
        if recipe.styleLayerWeights == nil { recipe.styleLayers = architecture.styleLayers(adopting: recipe.styleLayers) }
        return (network, name)
    }
}

enum CLIError: Error, CustomStringConvertible {
    case unsupportedPicture(String)

    var description: String {
        switch self {
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
    var plot: PlotOptions { get }
}

extension TransferCommand {
    /// Builds the recipe from the defaults and flags, saves it if asked, runs the session and writes the result.
    func runSession(content: String?, styles: [String]) throws {
        let recipe = try options.makeRecipe(objective: objective, optimization: optimization)
        let session = try TransferSession(recipe: recipe, content: content, styles: styles, maxMegapixels: options.maxMegapixels)
        try options.saveRecipeIfAsked(session.recipe)
        let losses = plot.recorder(for: session.engine)
        let ran = Result { try session.run(output: options.output, progressEvery: options.progressEvery, frames: frames) }
        if case .failure(let error) = ran, !(error is ExitCode) { throw error }  // after Ctrl-C the plot is still drawn
        try plot.write(losses, title: "Losses of \(URL(fileURLWithPath: options.output).lastPathComponent) (\(session.modelName), \(session.recipe.optimizer.rawValue))")
        _ = try ran.get()
    }
}
