import Optimizers

/// Test problems with known minima.
enum Problems {
    /// Rosenbrock's valley in `n` dimensions (chained form), minimum 0 at (1, …, 1).
    static let rosenbrock: LossAndGradient = { x, g in
        var f = 0.0
        for i in 0..<x.count { g[i] = 0 }
        for i in 0..<(x.count - 1) {
            let a = Double(x[i]), b = Double(x[i + 1])
            f += 100 * (b - a * a) * (b - a * a) + (1 - a) * (1 - a)
            g[i] += Float(-400 * a * (b - a * a) - 2 * (1 - a))
            g[i + 1] += Float(200 * (b - a * a))
        }
        return f
    }

    /// ½ Σ cᵢ (xᵢ − mᵢ)² with curvatures cᵢ spread over [1, 100] (condition number 100), minimum 0 at m.
    static func quadratic(center: [Float]) -> LossAndGradient {
        let n = center.count
        let curvature = (0..<n).map { 1 + 99 * Double($0) / Double(max(n - 1, 1)) }
        return { x, g in
            var f = 0.0
            for i in 0..<n {
                let r = Double(x[i] - center[i])
                f += 0.5 * curvature[i] * r * r
                g[i] = Float(curvature[i] * r)
            }
            return f
        }
    }

    /// Runs `optimizer` from `start` until it converges or `iterations` are used; returns the final point,
    /// the iterations taken and f there.
    static func minimise(_ optimizer: Optimizer, _ f: LossAndGradient, from start: [Float], iterations: Int)
        -> (x: [Float], iterations: Int, loss: Double)
    {
        var x = start
        var used = 0
        x.withUnsafeMutableBufferPointer { buffer in
            for _ in 0..<iterations {
                used += 1
                if optimizer.step(buffer, f).converged { break }
            }
        }
        var g = [Float](repeating: 0, count: x.count)
        let loss = x.withUnsafeBufferPointer { xb in g.withUnsafeMutableBufferPointer { f(xb, $0) } }
        return (x, used, loss)
    }
}
