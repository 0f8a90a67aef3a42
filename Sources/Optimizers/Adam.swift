/// Adam (Kingma & Ba 2015) with bias-corrected moments.
public final class Adam: Optimizer {
    public struct Options: Sendable {
        public var learningRate: Double
        public var beta1: Double
        public var beta2: Double
        public var epsilon: Double
        /// Box the iterate is projected onto after every update; nil leaves it free.
        public var bounds: ClosedRange<Float>?

        public init(
            learningRate: Double = 0.02, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8,
            bounds: ClosedRange<Float>? = nil
        ) {
            self.learningRate = learningRate
            self.beta1 = beta1
            self.beta2 = beta2
            self.epsilon = epsilon
            self.bounds = bounds
        }
    }

    public var options: Options
    private let count: Int
    private let gradient, m, v: FloatBuffer
    /// β₁ᵗ and β₂ᵗ, for the bias correction.
    private var beta1Power = 1.0, beta2Power = 1.0

    public init(count: Int, options: Options = Options()) {
        self.count = count
        self.options = options
        gradient = FloatBuffer(count)
        m = FloatBuffer(count)
        v = FloatBuffer(count)
    }

    public func step(_ x: UnsafeMutableBufferPointer<Float>, _ f: LossAndGradient) -> StepReport {
        precondition(x.count == count, "Adam sized for \(count) values, given \(x.count)")
        let loss = f(UnsafeBufferPointer(x), gradient.buffer)
        beta1Power *= options.beta1
        beta2Power *= options.beta2
        let b1 = Float(options.beta1), b2 = Float(options.beta2), eps = Float(options.epsilon)
        let c1 = Float(1 - beta1Power), c2 = Float(1 - beta2Power)
        let lr = Float(options.learningRate)
        let g = gradient.data, mp = m.data, vp = v.data
        for i in 0..<count {
            mp[i] = b1 * mp[i] + (1 - b1) * g[i]
            vp[i] = b2 * vp[i] + (1 - b2) * g[i] * g[i]
            x[i] -= lr * (mp[i] / c1) / ((vp[i] / c2).squareRoot() + eps)
        }
        project(x, into: options.bounds)
        return StepReport(loss: loss, evaluations: 1, converged: false)
    }
}
