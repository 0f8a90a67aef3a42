/// An iterative minimiser of a `LossAndGradient` over a flat `Float` buffer.
public protocol Optimizer: AnyObject {
    /// One iteration: evaluates `f` at `x` (more often if it searches a line) and moves `x` in place.
    func step(_ x: UnsafeMutableBufferPointer<Float>, _ f: LossAndGradient) -> StepReport
}

public struct StepReport: Sendable, Equatable {
    /// f at the point `step` started from.
    public var loss: Double
    /// Calls of `f` made by this step (0 when a value cached by the previous step's line search was reused).
    public var evaluations: Int
    /// True when a tolerance said there is nothing left to gain; `x` was then left unchanged.
    public var converged: Bool

    public init(loss: Double, evaluations: Int, converged: Bool) {
        self.loss = loss
        self.evaluations = evaluations
        self.converged = converged
    }
}

/// Keeps every coordinate in `range` after each update (projection onto a box).
@inline(__always)
func project(_ x: UnsafeMutableBufferPointer<Float>, into range: ClosedRange<Float>?) {
    guard let range else { return }
    let lo = range.lowerBound, hi = range.upperBound
    for i in x.indices { x[i] = min(max(x[i], lo), hi) }
}
