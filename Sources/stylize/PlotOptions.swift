import ArgumentParser
import Plots
import StyleTransfer

/// `--plot`: the run's losses drawn as a PNG (its path is checked with the other outputs, `OutputPlan`).
struct PlotOptions: ParsableArguments {
    @Option(help: "Draw the losses per iteration (total and each weighted term, log scale, scale changes marked) as a PNG here; written after Ctrl-C too. (default: none)")
    var plot: String?

    /// Draws what `recorder` collected into `--plot`, if given.
    func write(_ recorder: LossRecorder, title: String, printer: ProgressPrinter) throws {
        guard let plot else { return }
        try recorder.plot(title: title).write(to: plot)
        printer.wrote("wrote \(plot)")
    }
}
