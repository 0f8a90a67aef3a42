import TensorCore

// Gram matrix of a feature map, on BLAS.
//   F: C×M (a C×H×W map, M = H·W, or the columns of a tile's interior)      G = s · F·Fᵀ (C×C)
//   The product is symmetric: SYRK computes the upper triangle only (half a GEMM's FLOPs). A float sum over
//   millions of positions (relu1_1 of a print) keeps only about five digits, and the style gradient scales by
//   G − A, small next to G once the style is nearly matched: so SYRK sums `chunk` positions at a time in float
//   and the chunks (and tiles) add up in double.
//   backward: given dL/dG, dL/dF = s · (dG + dGᵀ)·F  =  2s · dG·F  for symmetric dG (always so here)
public enum Gram {
    static let chunk = 4096

    /// Writes `scale · F·Fᵀ` into `gram` (C×C, row-major, both triangles).
    public static func forward(_ features: Tensor, scale: Float, into gram: UnsafeMutablePointer<Float>) {
        let c = features.shape.channels
        withUnsafeTemporaryAllocation(of: Double.self, capacity: c * c) { sum in
            sum.initialize(repeating: 0)
            accumulate(features.data, channels: c, positions: features.shape.planeSize, featureStride: features.shape.planeSize,
                       scale: scale, into: sum.baseAddress!, scratch: gram)
            finish(sum.baseAddress!, channels: c, into: gram)
        }
    }

    /// Adds `scale · F·Fᵀ` to the upper triangle of `sum`, F the C×`positions` columns at `features` (rows
    /// `featureStride` apart); `scratch` holds C×C floats.
    public static func accumulate(
        _ features: UnsafePointer<Float>, channels c: Int, positions m: Int, featureStride: Int, scale: Float,
        into sum: UnsafeMutablePointer<Double>, scratch: UnsafeMutablePointer<Float>
    ) {
        for start in stride(from: 0, to: m, by: chunk) {
            BLAS.ssyrk(n: c, k: min(chunk, m - start), alpha: scale, a: features + start, lda: featureStride, beta: 0, c: scratch, ldc: c)
            for i in 0..<c { for j in i..<c { sum[i * c + j] += Double(scratch[i * c + j]) } }
        }
    }

    /// The summed upper triangle as a full symmetric float matrix.
    public static func finish(_ sum: UnsafePointer<Double>, channels c: Int, into gram: UnsafeMutablePointer<Float>) {
        for i in 0..<c {
            for j in i..<c {
                gram[i * c + j] = Float(sum[i * c + j])
                gram[j * c + i] = gram[i * c + j]
            }
        }
    }

    /// Adds `alpha · 2s · dG·F` to `featureGradient` (C×`positions`, rows `gradientStride` apart), F the C×`positions`
    /// columns at `features` (rows `featureStride` apart), for a symmetric `gramGradient` divided by `alpha`. (Callers
    /// fold their loss weights into `alpha` rather than scaling the C×C matrix.)
    public static func backward(
        _ gramGradient: UnsafePointer<Float>, features: UnsafePointer<Float>, channels c: Int, positions m: Int, featureStride: Int,
        scale: Float, alpha: Float, accumulateInto featureGradient: UnsafeMutablePointer<Float>, gradientStride: Int
    ) {
        BLAS.sgemm(
            m: c, n: m, k: c, alpha: 2 * scale * alpha, a: gramGradient, lda: c, b: features, ldb: featureStride,
            beta: 1, c: featureGradient, ldc: gradientStride)
    }
}
