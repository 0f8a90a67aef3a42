import TensorCore

public struct EngineResult: @unchecked Sendable {
    /// The final image, RGB in [0, 1], at the last scale's shape.
    public var image: Tensor
    /// The losses of the final, clamped image.
    public var losses: Losses
    /// Iterations over all scales.
    public var iterations: Int
    /// Loss-and-gradient evaluations over all scales (the final one included).
    public var evaluations: Int
    /// Seconds the run took.
    public var elapsed: Double
    /// Why the last scale ended.
    public var stopReason: StopReason
}
