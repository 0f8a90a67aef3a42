import ArgumentParser
import StyleTransfer

struct TextureCommand: TransferCommand {
    static let configuration = CommandConfiguration(
        commandName: "texture",
        abstract: "Synthesise a texture from style images alone, starting from seeded noise.")

    @Argument(help: "One or more style images.")
    var styles: [String]

    @OptionGroup var options: RunOptions<TextureDefaults>
    @OptionGroup var objective: ObjectiveOptions<TextureDefaults>
    @OptionGroup var optimization: OptimizationOptions<TextureDefaults>
    @OptionGroup(title: "Video and GIF of the run") var frames: FrameOptions
    @OptionGroup(title: "Loss plot") var plot: PlotOptions

    func validate() throws {
        if styles.isEmpty { throw ValidationError("give at least one style image") }
    }

    func run() throws { try runSession(content: nil, styles: styles) }
}
