import ArgumentParser
import Plots
import StyleTransfer

/// `--plot`: the run's losses drawn as a PNG (its path is checked with the other outputs, `OutputPlan`).
struct PlotOptions: ParsableArguments {
    @Option(help: "Draw the losses per iteration (total and each weighted term, log scale, scale changes marked) as a PNG here; written after Ctrl-C too. (default: none)")
    var plot: String?

    /// An observer collecting the losses, added to `engine`; nil without `--plot`.
    func recorder(for engine: Engine) -> LossRecorder? {
        guard plot != nil else { return nil }
        let recorder = LossRecorder(recipe: engine.recipe)
        engine.observers.append(recorder)
        return recorder
    }

    /// Draws what `recorder` collected into `--plot`.
    func write(_ recorder: LossRecorder?, title: String) throws {
        guard let recorder, let plot else { return }
        try recorder.plot(title: title).write(to: plot)
        print("wrote \(plot)")
    }
}
