import ArgumentParser
import StyleTransfer

struct ReconstructCommand: TransferCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconstruct",
        abstract: "Rebuild an image from noise using only its features at --content-layers: what a layer keeps.")

    @Argument(help: "The content image.")
    var content: String

    @OptionGroup var options: RunOptions
    @OptionGroup var objective: ObjectiveOptions
    @OptionGroup var optimization: OptimizationOptions
    @OptionGroup(title: "Video and GIF of the run") var frames: FrameOptions
    @OptionGroup(title: "Loss plot") var plot: PlotOptions

    static var defaults: Recipe {
        var r = Recipe()
        r.styleWeight = 0
        r.contentLayers = ["relu3_1"]
        // One scale from noise: the picture shows what the layer alone keeps.
        r.scales = 1
        r.iterations = 200
        r.initialization = "noise"
        return r
    }

    func run() throws { try runSession(content: content, styles: []) }
}
