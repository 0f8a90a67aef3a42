import TensorCore

// Gram matrix of a feature map, on BLAS.
//   F: C×M (a C×H×W tensor, M = H·W)      G = s · F·Fᵀ (C×C)
//   backward: given dL/dG, dL/dF = s · (dG + dGᵀ)·F  =  2s · dG·F  for symmetric dG (always so here)
public enum Gram {
    /// Writes `scale · F·Fᵀ` into `gram` (C×C, row-major).
    public static func forward(_ features: Tensor, scale: Float, into gram: UnsafeMutablePointer<Float>) {
        let c = features.shape.channels, m = features.shape.planeSize
        BLAS.sgemm(
            transB: true, m: c, n: c, k: m, alpha: scale, a: features.data, lda: m, b: features.data, ldb: m,
            c: gram, ldc: c)
    }

    /// Adds `alpha · 2s · dG·F` to `featureGradient`, for a symmetric `gramGradient` divided by `alpha`.
    /// (Callers fold their loss weights into `alpha` rather than scaling the C×C matrix.)
    public static func backward(
        _ gramGradient: UnsafePointer<Float>, features: Tensor, scale: Float, alpha: Float,
        accumulateInto featureGradient: Tensor
    ) {
        let c = features.shape.channels, m = features.shape.planeSize
        BLAS.sgemm(
            m: c, n: m, k: c, alpha: 2 * scale * alpha, a: gramGradient, lda: c, b: features.data, ldb: m,
            beta: 1, c: featureGradient.data, ldc: m)
    }
}
