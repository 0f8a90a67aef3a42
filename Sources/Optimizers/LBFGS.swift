/// Limited-memory BFGS (Nocedal & Wright, Numerical Optimization, alg. 7.4/7.5), optionally with a
/// strong-Wolfe line search (alg. 3.5/3.6).
///
/// Without a line search every iteration costs one evaluation and moves by `learningRate` along the
/// quasi-Newton direction (the first iteration by `min(1, 1/‖g‖₁)·learningRate`, as the gradient carries no
/// scale yet). With `bounds` the iterate is projected after each move; the curvature pair then uses the
/// projected step, and pairs with no positive curvature are dropped, so the model stays positive definite.
public final class LBFGS: Optimizer {
    public struct Options: Sendable {
        public var historySize: Int
        public var learningRate: Double
        public var lineSearch: Bool
        /// Converged when max |∂f/∂xᵢ| falls to this.
        public var toleranceGradient: Double
        /// Converged when the loss or the step (max |Δxᵢ|) changes by less than this.
        public var toleranceChange: Double
        /// Evaluation budget of one line search.
        public var maxLineSearchEvaluations: Int
        public var bounds: ClosedRange<Float>?
        /// Pairs stored in half precision (`HistoryVector`): twice the pairs in the same memory.
        public var compactHistory: Bool

        public init(
            historySize: Int = 100, learningRate: Double = 1, lineSearch: Bool = false,
            toleranceGradient: Double = 1e-7, toleranceChange: Double = 1e-9, maxLineSearchEvaluations: Int = 25,
            bounds: ClosedRange<Float>? = nil, compactHistory: Bool = false
        ) {
            self.historySize = historySize
            self.learningRate = learningRate
            self.lineSearch = lineSearch
            self.toleranceGradient = toleranceGradient
            self.toleranceChange = toleranceChange
            self.maxLineSearchEvaluations = maxLineSearchEvaluations
            self.bounds = bounds
            self.compactHistory = compactHistory
        }
    }

    public let options: Options
    private let count: Int
    // Curvature pairs, a ring of `historySize` slots; `newest` is the index of the latest.
    private var s: [HistoryVector] = [], y: [HistoryVector] = [], rho: [Double] = []
    private var newest = -1
    private var gamma = 1.0
    private let gradient, previousGradient, previousX, direction, trialX, trialGradient, scratchS, scratchY: FloatBuffer
    private var alpha: [Double]
    private var previousLoss = 0.0
    private var hasPrevious = false
    private var iteration = 0
    /// The loss at the current x when the previous line search ended on an evaluated point (its gradient is
    /// then in `gradient`).
    private var cachedLoss: Double?

    public init(count: Int, options: Options = Options()) {
        precondition(options.historySize > 0, "L-BFGS history must hold at least one pair")
        self.count = count
        self.options = options
        gradient = FloatBuffer(count)
        previousGradient = FloatBuffer(count)
        previousX = FloatBuffer(count)
        direction = FloatBuffer(count)
        scratchS = FloatBuffer(count)
        scratchY = FloatBuffer(count)
        trialX = FloatBuffer(options.lineSearch ? count : 0)
        trialGradient = FloatBuffer(options.lineSearch ? count : 0)
        alpha = Array(repeating: 0, count: options.historySize)
    }

    /// A step that raises the loss by more than this factor is halved.
    static let overshoot = 1.1

    public func step(_ x: UnsafeMutableBufferPointer<Float>, _ f: LossAndGradient) -> StepReport {
        precondition(x.count == count, "L-BFGS sized for \(count) values, given \(x.count)")
        let n = count
        var evaluations = 0
        let loss: Double
        if let cached = cachedLoss {
            loss = cached
            cachedLoss = nil
        } else {
            loss = f(UnsafeBufferPointer(x), gradient.buffer)
            evaluations = 1
        }
        // Without a line search a quasi-Newton step can overshoot far when the curvature pairs misjudge the
        // scale (seen on a video frame: the loss went from 3.9 to 777 in one step, and the frame's few
        // iterations could not repair it). Such a step is halved, and halved again, until it no longer climbs:
        // the direction still descends, so a short enough step does. A healthy run does not climb 10% in a step.
        if hasPrevious && !options.lineSearch && loss > previousLoss * Self.overshoot {
            for i in 0..<n { x[i] = previousX.data[i] + 0.5 * (x[i] - previousX.data[i]) }
            return StepReport(loss: previousLoss, evaluations: evaluations, converged: false)
        }
        let g = gradient.data
        func done() -> StepReport { StepReport(loss: loss, evaluations: evaluations, converged: true) }

        if Double(maxAbs(g, n)) <= options.toleranceGradient { return done() }
        if hasPrevious {
            if abs(loss - previousLoss) < options.toleranceChange { return done() }
            addPair(x: x.baseAddress!)
        }
        computeDirection()
        let d = direction.data
        let gtd = dot(g, d, n)
        if gtd > -options.toleranceChange { return done() }

        var t = options.learningRate
        if iteration == 0 {
            var l1 = 0.0
            for i in 0..<n { l1 += Double(abs(g[i])) }
            t *= min(1, 1 / l1)
        }
        if t * Double(maxAbs(d, n)) <= options.toleranceChange { return done() }

        previousX.data.update(from: x.baseAddress!, count: n)
        previousGradient.data.update(from: g, count: n)
        previousLoss = loss
        hasPrevious = true
        iteration += 1

        if options.lineSearch {
            let search = strongWolfe(x: x.baseAddress!, f0: loss, gtd0: gtd, t0: t, f)
            evaluations += search.evaluations
            t = search.t
            if search.lastEvaluated {
                gradient.data.update(from: trialGradient.data, count: n)
                cachedLoss = search.loss
            }
        }
        if t == 0 { return done() }
        axpy(t, d, x.baseAddress!, n)
        if let bounds = options.bounds {
            for i in 0..<n where !bounds.contains(x[i]) {
                x[i] = min(max(x[i], bounds.lowerBound), bounds.upperBound)
                cachedLoss = nil
            }
        }
        return StepReport(loss: loss, evaluations: evaluations, converged: false)
    }

    /// Stores (s, y) = (x − x_prev, g − g_prev) when sᵀy > 0 and updates the initial Hessian scale γ = sᵀy/yᵀy.
    private func addPair(x: UnsafePointer<Float>) {
        let n = count
        let sp = scratchS.data, yp = scratchY.data, g = gradient.data
        for i in 0..<n {
            sp[i] = x[i] - previousX.data[i]
            yp[i] = g[i] - previousGradient.data[i]
        }
        let ys = dot(yp, sp, n)
        guard ys > 1e-10 else { return }
        let slot = (newest + 1) % options.historySize
        if slot == s.count {
            s.append(HistoryVector(count: n, compact: options.compactHistory))
            y.append(HistoryVector(count: n, compact: options.compactHistory))
            rho.append(0)
        }
        s[slot].store(sp)
        y[slot].store(yp)
        rho[slot] = 1 / ys
        newest = slot
        gamma = ys / dot(yp, yp, n)
    }

    /// direction = −H·g by the two-loop recursion, H₀ = γI.
    private func computeDirection() {
        let n = count, q = direction.data, g = gradient.data
        for i in 0..<n { q[i] = -g[i] }
        let m = s.count, h = options.historySize
        guard m > 0 else { return }
        for k in 0..<m {
            let i = (newest - k + h) % h
            alpha[i] = rho[i] * s[i].dot(q)
            y[i].add(-alpha[i], to: q)
        }
        let scale = Float(gamma)
        for j in 0..<n { q[j] *= scale }
        for k in stride(from: m - 1, through: 0, by: -1) {
            let i = (newest - k + h) % h
            let beta = rho[i] * y[i].dot(q)
            s[i].add(alpha[i] - beta, to: q)
        }
    }

    private struct Point { var t, f, gtd: Double }

    /// Finds t satisfying the strong Wolfe conditions (c₁ = 1e-4, c₂ = 0.9) along `direction` from `x`.
    /// Leaves the gradient of the last evaluated point in `trialGradient`.
    private func strongWolfe(x: UnsafePointer<Float>, f0: Double, gtd0: Double, t0: Double, _ f: LossAndGradient)
        -> (t: Double, loss: Double, lastEvaluated: Bool, evaluations: Int)
    {
        let c1 = 1e-4, c2 = 0.9, n = count, d = direction.data
        let dMax = Double(maxAbs(d, n))
        var evaluations = 0
        var lastT = Double.nan
        func evaluate(_ t: Double) -> Point {
            let xt = trialX.data, tf = Float(t)
            for i in 0..<n { xt[i] = x[i] + tf * d[i] }
            evaluations += 1
            lastT = t
            let value = f(UnsafeBufferPointer(trialX.buffer), trialGradient.buffer)
            return Point(t: t, f: value, gtd: dot(trialGradient.data, d, n))
        }
        func result(_ p: Point) -> (Double, Double, Bool, Int) { (p.t, p.f, p.t == lastT, evaluations) }
        let origin = Point(t: 0, f: f0, gtd: gtd0)
        func sufficientDecrease(_ p: Point) -> Bool { p.f <= f0 + c1 * p.t * gtd0 }
        func curvature(_ p: Point) -> Bool { abs(p.gtd) <= -c2 * gtd0 }

        // Bracketing phase: grow t until an interval must contain an acceptable point.
        var previous = origin
        var t = t0
        var bracket: (lo: Point, hi: Point)?
        while bracket == nil {
            if evaluations >= options.maxLineSearchEvaluations { return result(previous) }
            let p = evaluate(t)
            if !sufficientDecrease(p) || (evaluations > 1 && p.f >= previous.f) {
                bracket = (previous, p)
            } else if curvature(p) {
                return result(p)
            } else if p.gtd >= 0 {
                bracket = (p, previous)
            } else {
                let next = cubicMinimum(previous, p, in: (p.t + 0.01 * (p.t - previous.t))...(10 * p.t))
                previous = p
                t = next
            }
        }
        // Zoom phase: shrink the bracket, `lo` always the best point satisfying sufficient decrease.
        var (lo, hi) = bracket!
        while evaluations < options.maxLineSearchEvaluations {
            let a = min(lo.t, hi.t), b = max(lo.t, hi.t)
            if (b - a) * dMax < options.toleranceChange { break }
            var tj = cubicMinimum(lo, hi, in: a...b)
            if min(tj - a, b - tj) < 0.1 * (b - a) { tj = (a + b) / 2 }
            let p = evaluate(tj)
            if !sufficientDecrease(p) || p.f >= lo.f {
                hi = p
            } else {
                if curvature(p) { return result(p) }
                if p.gtd * (hi.t - lo.t) >= 0 { hi = lo }
                lo = p
            }
        }
        return result(lo)
    }

    /// Minimiser of the cubic interpolating f and f′ at two points, clamped to `range`; the midpoint of
    /// `range` when the cubic has no minimum.
    private func cubicMinimum(_ p1: Point, _ p2: Point, in range: ClosedRange<Double>) -> Double {
        let d1 = p1.gtd + p2.gtd - 3 * (p1.f - p2.f) / (p1.t - p2.t)
        let d2sq = d1 * d1 - p1.gtd * p2.gtd
        let mid = (range.lowerBound + range.upperBound) / 2
        guard d2sq >= 0 else { return mid }
        let d2 = (p2.t >= p1.t ? 1.0 : -1.0) * d2sq.squareRoot()
        let t = p2.t - (p2.t - p1.t) * (p2.gtd + d2 - d1) / (p2.gtd - p1.gtd + 2 * d2)
        guard t.isFinite else { return mid }
        return min(max(t, range.lowerBound), range.upperBound)
    }
}
