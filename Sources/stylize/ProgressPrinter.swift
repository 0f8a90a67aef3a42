import Foundation
import StyleTransfer
import TensorCore

/// Prints each scale's start and the losses every `every` iterations.
final class ProgressPrinter: EngineObserver {
    private let every: Int

    init(every: Int) { self.every = every }

    func engine(_ event: EngineEvent, image: () -> Tensor) -> ObserverDecision {
        switch event {
        case .scaleStarted(let index, let count, let shape, let iterations):
            print("scale \(index + 1)/\(count): \(shape.width)×\(shape.height), \(iterations) iterations")
        case .iteration(let r):
            if every > 0 && r.scaleIteration % every == 0 { print("  " + Self.line(r.losses, iteration: r.scaleIteration, elapsed: r.elapsed)) }
        case .finished:
            break
        }
        return .proceed
    }

    static func line(_ l: Losses, iteration: Int?, elapsed: Double) -> String {
        func f(_ v: Double) -> String { String(format: "%.4g", v) }
        let head = iteration.map { String(format: "%5d", $0) + "  " } ?? ""
        return head + "total \(f(l.total))  content \(f(l.content))  style \(f(l.style))  tv \(f(l.tv))  "
            + String(format: "%.1f s", elapsed)
    }
}
