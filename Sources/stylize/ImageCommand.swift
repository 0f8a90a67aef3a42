import ArgumentParser
import StyleTransfer

struct ImageCommand: TransferCommand {
    static let configuration = CommandConfiguration(
        commandName: "image",
        abstract: "Paint a content image in the style of one or more style images.")

    @Argument(help: "The content image.")
    var content: String

    @Argument(help: "One or more style images (blend them with --style-blend).")
    var styles: [String]

    @OptionGroup var options: RunOptions<ImageDefaults>
    @OptionGroup var objective: ObjectiveOptions<ImageDefaults>
    @OptionGroup var optimization: OptimizationOptions<ImageDefaults>
    @OptionGroup(title: "Video and GIF of the run") var frames: FrameOptions
    @OptionGroup(title: "Loss plot") var plot: PlotOptions

    func validate() throws {
        if styles.isEmpty { throw ValidationError("give at least one style image after the content image") }
    }

    func run() throws { try runSession(content: content, styles: styles) }
}
