import ArgumentParser
import Models
import StyleTransfer

struct ReconstructCommand: TransferCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconstruct",
        abstract: "Rebuild an image from noise using only its features at --content-layers: what a layer keeps.")

    @Argument(help: "The content image.")
    var content: String

    @OptionGroup var options: RunOptions<ReconstructDefaults>
    @OptionGroup var objective: ObjectiveOptions<ReconstructDefaults>
    @OptionGroup var optimization: OptimizationOptions<ReconstructDefaults>
    @OptionGroup(title: "Video and GIF of the run") var frames: FrameOptions
    @OptionGroup(title: "Loss plot") var plot: PlotOptions

    func run() throws { try runSession(content: content, styles: []) }
}
