import ArgumentParser
import Foundation
import Layers

@main
struct Stylize: AsyncParsableCommand { // async so that `models fetch` can await its tools
    static let configuration = CommandConfiguration(
        abstract: "Neural style transfer (Gatys et al.) that renders its work as video.",
        discussion: """
        Exit status: 0 success; 1 an input could not be read, an output could not be written, or the model or \
        the run failed; 64 the command line is wrong (unknown or malformed flag, missing argument, value out of \
        its range, flags that do not go together, an output type the command does not write); 130 stopped by \
        Ctrl-C after writing what was reached. Every error is one line on standard error naming the input and \
        what to do. A run that fails leaves none of its outputs behind.
        """,
        subcommands: [Info.self, ModelsCommand.self, Bench.self, BenchVideo.self, Gif.self, MetricsCommand.self, ImageCommand.self, TextureCommand.self, ReconstructCommand.self, GridCommand.self, VideoCommand.self, JoinCommand.self])

    /// ArgumentParser's `main`, with every error reported as one line and the statuses of `ExitStatus`.
    static func main() async {
        do {
            _ = try WinogradISA.fromEnvironment()  // a bad STYLIZE_ISA is refused here, before any work
            var command = try parseAsRoot()
            if var command = command as? AsyncParsableCommand { try await command.run() } else { try command.run() }
        } catch {
            Foundation.exit(ExitStatus.report(error))
        }
    }

    /// Recorded in every sidecar. (Not `CommandConfiguration.version`: that adds a `--version` to every
    /// subcommand's help.)
    static let version = "0.1.0"
}
