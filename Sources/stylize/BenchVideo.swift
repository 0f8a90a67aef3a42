import ArgumentParser
import Foundation
import ImageTensor
import Media
import StyleTransfer
import TensorCore
import VideoStyle

struct BenchVideo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-video",
        abstract: "Time frame mode: seconds per frame after the first, at several sizes (real weights, nothing written).",
        discussion: """
            Each size stylizes the first --frames frames of CLIP: the first frame single-scale with --iterations \
            (not timed), every later one as `stylize video` does (--temporal, --frame-iterations). Printed per size: \
            seconds per later frame, split into optical flow and optimisation, iterations and evaluations per frame, \
            and the mean style loss of the later frames.
            """)

    @Argument(help: "The clip to stylize.")
    var clip: String

    @Argument(help: "The style image.")
    var style: String

    @Option(name: .customLong("size"), help: "Long side of the frames, pixels; repeat for several. (default: 160, 320, 480)")
    var sizes: [Int] = [160, 320, 480]

    @Option(help: "Frames per size, the first included.")
    var frames = 6

    @Option(help: "Iterations of the untimed first frame.")
    var iterations = 30

    @Option(help: "Most iterations of every later frame. (default: as `stylize video`)")
    var frameIterations: Int?

    @Option(help: "How later frames start: none, previous or flow.")
    var temporal: TemporalMode = .flow

    @Option(help: "Feature network (default: vgg19 if installed, else vgg16).")
    var model: String?

    @Flag(help: "Print one JSON object per size.")
    var json = false

    func run() throws {
        guard (2...1000).contains(frames) else { throw ValidationError("--frames must be 2…1000") }
        guard sizes.allSatisfy({ (16...2048).contains($0) }) else { throw ValidationError("--size must be 16…2048 pixels") }
        var recipe = Recipe()
        recipe.model = model
        recipe.scales = 1
        recipe.iterations = iterations
        try recipe.validate()
        let setup = try TransferSetup(recipe: recipe, content: nil, styles: [style], maxMegapixels: InputDefaults.maxMegapixels, video: true)
        let (network, modelName, styleImage) = (setup.network, setup.modelName, setup.styles[0])
        recipe = setup.recipe
        var settings = FrameSettings()
        settings.temporal = temporal
        if let frameIterations { settings.frameIterations = frameIterations }
        if !json {
            print("\(modelName), OpenBLAS \(try BLAS.load().coreName); \(clip), \(frames) frames per size, "
                + "temporal \(temporal.rawValue), \(settings.frameIterations) iterations per later frame")
        }
        for size in sizes {
            var r = recipe
            r.size = size
            let stylizer = try FrameStylizer(network: network, styles: [styleImage], recipe: r, settings: settings)
            let reader = try VideoReader(path: clip, selection: ClipSelection(maxFrames: frames), longSide: size)
            var previous: PreviousFrame?
            var flow = 0.0, optimisation = 0.0, iterationsDone = 0, evaluations = 0, style = 0.0, timed = 0
            while let decoded = try reader.nextFrame() {
                let frame = Tensor(decoded.image)
                let outcome = try stylizer.stylize(frame, index: decoded.index, previous: previous)
                if previous != nil {
                    flow += outcome.flowSeconds
                    optimisation += outcome.result.elapsed
                    iterationsDone += outcome.result.iterations
                    evaluations += outcome.result.evaluations
                    style += outcome.result.losses.style
                    timed += 1
                }
                previous = PreviousFrame(frame: frame, stylized: outcome.image)
            }
            guard timed > 0 else { throw ValidationError("\(clip) has fewer than 2 frames") }
            let n = Double(timed), perFrame = (flow + optimisation) / n
            if json {
                let object: [String: Any] = [
                    "size": size, "width": reader.width, "height": reader.height, "frames": timed, "seconds_per_frame": perFrame,
                    "flow_seconds": flow / n, "optimisation_seconds": optimisation / n, "iterations": Double(iterationsDone) / n,
                    "evaluations": Double(evaluations) / n, "style_loss": style / n, "model": modelName, "temporal": temporal.rawValue,
                ]
                print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
            } else {
                print(String(format: "%4d px (%d×%d): %.2f s/frame (flow %.2f s, optimisation %.2f s), %.1f iterations, %.1f evaluations, style %.4g",
                             size, reader.width, reader.height, perFrame, flow / n, optimisation / n,
                             Double(iterationsDone) / n, Double(evaluations) / n, style / n))
            }
        }
    }
}
