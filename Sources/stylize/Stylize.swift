import ArgumentParser

@main
struct Stylize: AsyncParsableCommand { // async so that `models fetch` can await its tools
    static let configuration = CommandConfiguration(
        abstract: "Neural style transfer (Gatys et al.) that renders its work as video.",
        subcommands: [Info.self, ModelsCommand.self, Bench.self, BenchVideo.self, Gif.self, MetricsCommand.self, ImageCommand.self, TextureCommand.self, ReconstructCommand.self, GridCommand.self, VideoCommand.self, JoinCommand.self])

    /// Recorded in every sidecar. (Not `CommandConfiguration.version`: that adds a `--version` to every
    /// subcommand's help.)
    static let version = "0.1.0"
}
