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

    var description: String {
        switch self {
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
        plan.add(options.saveRecipe, flag: "--save-recipe", kind: .recipe)
        try plan.check()
        let cancelled = try plan.run {
            let session = try TransferSession(recipe: recipe, content: content, styles: styles, maxMegapixels: options.maxMegapixels)
            let losses = plot.recorder(for: session.engine)
            _ = try session.run(output: options.output, progressEvery: options.progressEvery, frames: frames)
            try plot.write(losses, title: "Losses of \(URL(fileURLWithPath: options.output).lastPathComponent) (\(session.modelName), \(session.recipe.optimizer.rawValue))")
            try options.saveRecipeIfAsked(session.recipe)
            return session.engine.cancellation.isCancelled
        }
        if cancelled { throw ExitCode(ExitStatus.interrupted.rawValue) }
    }
}
