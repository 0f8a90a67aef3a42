import Foundation
import TensorCore

/// What the run loop tells its observers.
public enum EngineEvent: Sendable {
    /// A scale begins: its index (0 = coarsest), the number of scales, its image shape, its iteration budget.
    case scaleStarted(index: Int, count: Int, shape: Shape, iterations: Int)
    /// One optimizer iteration was taken.
    case iteration(IterationReport)
    /// The run ended; `result` is what `run()` returns.
    case finished(EngineResult)
}

public struct IterationReport: Sendable {
    /// Counted over all scales, from 1.
    public var iteration: Int
    /// Counted within the current scale, from 1.
    public var scaleIteration: Int
    public var scale: Int
    public var scaleCount: Int
    public var shape: Shape
    /// The losses at the point the iteration started from.
    public var losses: Losses
    /// Loss-and-gradient evaluations so far, over all scales.
    public var evaluations: Int
    /// Seconds since `run()` began.
    public var elapsed: Double
}

public enum ObserverDecision: Sendable { case proceed, stop }

/// Receives every event of a run, on the run's thread. `image` renders the current image (RGB in [0, 1],
/// colours recombined under `preserve_colors`) as a new tensor; it costs a copy, so call it only when the
/// image is wanted, and only during the callback. Returning `.stop` ends the run after this iteration.
public protocol EngineObserver: AnyObject {
    func engine(_ event: EngineEvent, image: () -> Tensor) -> ObserverDecision
}

/// An observer made of a closure.
public final class ClosureObserver: EngineObserver {
    private let body: (EngineEvent, () -> Tensor) -> ObserverDecision

    public init(_ body: @escaping (EngineEvent, () -> Tensor) -> ObserverDecision) { self.body = body }

    public func engine(_ event: EngineEvent, image: () -> Tensor) -> ObserverDecision {
        withoutActuallyEscaping(image) { body(event, $0) }
    }
}

/// A flag another thread (a signal handler's queue, a UI) sets to end a run after the current iteration.
public final class Cancellation: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelled = false

    public init() {}

    public func cancel() { lock.withLock { cancelled = true } }
    public var isCancelled: Bool { lock.withLock { cancelled } }
}
