import ArgumentParser

@main
struct Stylize: AsyncParsableCommand { // async so that `models fetch` can await its tools
    static let configuration = CommandConfiguration(
        abstract: "Neural style transfer (Gatys et al.) that renders its work as video.",
        version: "0.1.0",
        subcommands: [Info.self, ModelsCommand.self, Bench.self, BenchVideo.self, Gif.self, MetricsCommand.self, ImageCommand.self, TextureCommand.self, ReconstructCommand.self, VideoCommand.self, JoinCommand.self])
}
