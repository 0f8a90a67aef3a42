import Foundation
import StyleTransfer
import TensorCore

/// Turns an engine's events into progress: iteration/total, scale, losses by term, iterations per second and
/// the time left. The time left counts the current scale's remaining iterations at its measured pace and each
/// later scale's at that pace scaled by its pixel count (an iteration costs about as much per pixel).
final class EngineProgress: EngineObserver {
    /// A scale still to run: its pixel count, its iteration budget and how it is evaluated (nil: whole).
    struct Stage {
        var pixels: Int
        var iterations: Int
        var plan: EvaluationPlan? = nil

        /// An iteration's cost relative to a whole-picture iteration of as many pixels: tiles run their margins too,
        /// and all but the last tile twice.
        var cost: Double {
            guard let plan, plan.tiles > 1 else { return Double(pixels) }
            return Double(pixels) * plan.overhead * (2 * Double(plan.tiles) - 1 + Double(plan.tiles)) / (2 * Double(plan.tiles))
        }
    }

    /// Video: the frame being stylized, the frame count and the clip's time left at the frame pace (the
    /// engine runs once per frame, so its own stages say nothing about the clip).
    struct FrameContext {
        var frame: Int
        var frames: Int?
        var eta: Double?
    }

    private let printer: ProgressPrinter
    private let every: Int
    private let stages: [Stage]
    /// The L-BFGS pairs the recipe asks for: a plan that keeps fewer says so.
    private let requestedHistory: Int
    var frame: FrameContext?
    private var scaleStartedAt = DispatchTime.now()

    /// `stages` empty: the time left is the frame context's.
    init(printer: ProgressPrinter, every: Int, stages: [Stage] = [], requestedHistory: Int = 0) {
        self.printer = printer
        self.every = every
        self.stages = stages
        self.requestedHistory = requestedHistory
    }

    /// The stages of `engine`'s schedule.
    convenience init(printer: ProgressPrinter, every: Int, engine: Engine) {
        let shapes = engine.schedule.shapes
        self.init(printer: printer, every: every, stages: shapes.enumerated().map { i, shape in
            Stage(pixels: shape.width * shape.height, iterations: engine.recipe.iterations(atScale: i, of: shapes.count),
                  plan: engine.plans[i])
        }, requestedHistory: engine.recipe.optimizer == .lbfgs ? engine.recipe.historySize : 0)
    }

    func engine(_ event: EngineEvent, image: () -> Tensor) -> ObserverDecision {
        switch event {
        case .scaleStarted(let index, let count, let shape, let iterations):
            scaleStartedAt = .now()
            let plan = index < stages.count ? stages[index].plan : nil
            let e = ProgressEvent.Scale(scale: index + 1, scales: count, width: shape.width, height: shape.height, iterations: iterations,
                                        plan: plan)
            // Video frames after the first run one scale each: a line per frame would say nothing new.
            var text = frame == nil || count > 1 ? "scale \(index + 1)/\(count): \(shape.width)×\(shape.height), \(iterations) iterations" : nil
            if let plan, plan.tiles > 1 || plan.compactHistory || plan.historySize < min(iterations, requestedHistory) {
                text = "scale \(index + 1)/\(count): " + plan.summary  // what the memory budget chose
            }
            printer.emit(.scale(e), text: text)
        case .iteration(let r):
            let seconds = scaleStartedAt.secondsSince
            let perIteration = r.scaleIteration > 0 && seconds > 0 ? seconds / Double(r.scaleIteration) : nil
            let e = ProgressEvent.Iteration(
                iteration: r.iteration, totalIterations: stages.isEmpty ? nil : stages.map(\.iterations).reduce(0, +),
                scale: r.scale + 1, scales: r.scaleCount, scaleIteration: r.scaleIteration, losses: r.losses,
                elapsed: r.elapsed, iterationsPerSecond: perIteration.map { 1 / $0 },
                eta: stages.isEmpty ? frame?.eta : perIteration.map { timeLeft(scale: r.scale, done: r.scaleIteration, perIteration: $0) },
                frame: frame?.frame, frames: frame?.frames)
            if r.iteration == 1, !stages.isEmpty, let eta = e.eta {
                // The first iteration is the first measured pace: say early what the whole run will cost.
                let estimate = "estimated run time " + ProgressPrinter.duration(r.elapsed + eta) + " at the first iteration's pace"
                printer.emit(.note(estimate), text: estimate)
            }
            printer.iteration(.iteration(e), text: Self.text(e), periodic: every > 0 && r.scaleIteration % every == 0)
        case .finished:
            break
        }
        return .proceed
    }

    private func timeLeft(scale: Int, done: Int, perIteration: Double) -> Double {
        guard scale < stages.count else { return 0 }
        let here = stages[scale]
        var left = Double(max(here.iterations - done, 0)) * perIteration
        for later in stages[(scale + 1)...] {
            left += Double(later.iterations) * perIteration * later.cost / max(here.cost, 1)
        }
        return left
    }

    /// The figures first, the losses last: a narrow terminal cuts the live line's end.
    static func text(_ e: ProgressEvent.Iteration) -> String {
        var s = ""
        if let f = e.frame { s += "frame \(f)" + (e.frames.map { "/\($0)" } ?? "") + "  " }
        s += String(format: "%5d", e.iteration) + (e.totalIterations.map { "/\($0)" } ?? "")
        if e.scales > 1 { s += "  scale \(e.scale)/\(e.scales)" }
        if let rate = e.iterationsPerSecond { s += String(format: "  %.2f it/s", rate) }
        if let eta = e.eta { s += "  ETA " + ProgressPrinter.duration(eta) }
        return s + "  " + ProgressPrinter.losses(e.losses)
    }
}

extension DispatchTime {
    /// Seconds from this moment to now.
    var secondsSince: Double { Double(DispatchTime.now().uptimeNanoseconds - uptimeNanoseconds) / 1e9 }
}
