import ArgumentParser
import Plots
import StyleTransfer

/// `--plot`: the run's losses drawn as a PNG.
struct PlotOptions: ParsableArguments {
    @Option(help: "Draw the losses per iteration (total and each weighted term, log scale, scale changes marked) as a PNG here; written after Ctrl-C too. (default: none)")
    var plot: String?

    func validate() throws {
        guard let plot else { return }
        do { try PNGOutput.check(plot) } catch { throw ValidationError("--plot: \(error)") }
    }

    /// Draws what `recorder` collected into `--plot`, if given.
    func write(_ recorder: LossRecorder, title: String, printer: ProgressPrinter) throws {
        guard let plot else { return }
        try recorder.plot(title: title).write(to: plot)
        printer.wrote("wrote \(plot)")
    }
}
