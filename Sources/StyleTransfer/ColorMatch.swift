import Foundation
import TensorCore

// Colour histogram matching before the transfer (Gatys et al. 2017, "Controlling Perceptual Factors in Neural
// Style Transfer", §5.1): the style's RGB values x are moved by the affine map with which they take the content's
// mean and covariance,
//   x' = A·(x − μs) + μc,   A = Σc^½ · Σs^-½   (the "image analogies" form; symmetric square roots)
// so the transfer paints with the style's brushwork in the content's palette. A 3×3 symmetric matrix's square
// root comes from its eigenvectors (cyclic Jacobi rotations: exact to rounding in a few sweeps).
public enum ColorMatch {
    /// `style` with the mean and covariance of `content`'s colours, clamped to [0, 1].
    public static func matching(_ style: Tensor, to content: Tensor) -> Tensor {
        let (ms, cs) = moments(style), (mc, cc) = moments(content)
        let a = multiply(power(cc, 0.5), power(cs, -0.5))
        let out = Tensor(style.shape), n = style.shape.planeSize
        for p in 0..<n {
            let x = (0..<3).map { Double(style.data[$0 * n + p]) - ms[$0] }
            for i in 0..<3 {
                let v = a[i][0] * x[0] + a[i][1] * x[1] + a[i][2] * x[2] + mc[i]
                out.data[i * n + p] = Float(min(max(v, 0), 1))
            }
        }
        return out
    }

    /// Mean and covariance of an RGB tensor's colours.
    static func moments(_ t: Tensor) -> (mean: [Double], covariance: [[Double]]) {
        let n = t.shape.planeSize
        var mean = [Double](repeating: 0, count: 3), cov = [[Double]](repeating: [0, 0, 0], count: 3)
        for i in 0..<3 { for p in 0..<n { mean[i] += Double(t.data[i * n + p]) } }
        mean = mean.map { $0 / Double(max(n, 1)) }
        for p in 0..<n {
            let x = (0..<3).map { Double(t.data[$0 * n + p]) - mean[$0] }
            for i in 0..<3 { for j in 0..<3 { cov[i][j] += x[i] * x[j] } }
        }
        return (mean, cov.map { $0.map { $0 / Double(max(n, 1)) } })
    }

    /// `m^e` for a symmetric positive semi-definite 3×3 matrix; eigenvalues are floored so that a flat (grey or
    /// one-colour) picture's singular covariance gives a finite map.
    static func power(_ m: [[Double]], _ e: Double) -> [[Double]] {
        let (values, vectors) = eigen(m)
        let floor = max(values.max() ?? 0, 1e-12) * 1e-4
        let scaled = values.map { pow(max($0, floor), e) }
        var out = [[Double]](repeating: [0, 0, 0], count: 3)
        for i in 0..<3 { for j in 0..<3 { for k in 0..<3 { out[i][j] += vectors[i][k] * scaled[k] * vectors[j][k] } } }
        return out
    }

    /// Eigenvalues and eigenvectors (as columns) of a symmetric 3×3 matrix, by cyclic Jacobi rotations.
    static func eigen(_ m: [[Double]]) -> (values: [Double], vectors: [[Double]]) {
        var a = m, v: [[Double]] = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
        for _ in 0..<50 {
            let off = a[0][1] * a[0][1] + a[0][2] * a[0][2] + a[1][2] * a[1][2]
            if off < 1e-30 { break }
            for (p, q) in [(0, 1), (0, 2), (1, 2)] where a[p][q] != 0 {
                let theta = (a[q][q] - a[p][p]) / (2 * a[p][q])
                let t = (theta >= 0 ? 1 : -1) / (abs(theta) + (theta * theta + 1).squareRoot())
                let c = 1 / (t * t + 1).squareRoot(), s = t * c
                for k in 0..<3 {  // a ← a·J
                    let (x, y) = (a[k][p], a[k][q])
                    (a[k][p], a[k][q]) = (c * x - s * y, s * x + c * y)
                }
                for k in 0..<3 {  // a ← Jᵀ·a
                    let (x, y) = (a[p][k], a[q][k])
                    (a[p][k], a[q][k]) = (c * x - s * y, s * x + c * y)
                }
                for k in 0..<3 {
                    let (x, y) = (v[k][p], v[k][q])
                    (v[k][p], v[k][q]) = (c * x - s * y, s * x + c * y)
                }
            }
        }
        return ([a[0][0], a[1][1], a[2][2]], v)
    }

    private static func multiply(_ a: [[Double]], _ b: [[Double]]) -> [[Double]] {
        (0..<3).map { i in (0..<3).map { j in (0..<3).reduce(0.0) { $0 + a[i][$1] * b[$1][j] } } }
    }
}
