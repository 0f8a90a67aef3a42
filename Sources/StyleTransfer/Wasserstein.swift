import TensorCore

// Squared Wasserstein-2 distance between Gaussians fitted to a layer's features (--style-loss w2).
//   F: C×M (M positions)      μ = (1/M)·F·1 (C)      S = (1/M)·F·Fᵀ (C×C)      Σ = S − μμᵀ
//   The style gives μt, St and Σt alike. Both covariances are widened by ε·I (see Regularisation):
//   Σε = Σ + εI      R = (Σt + εI)^{1/2}
//   E = ‖μ − μt‖² + tr(Σε) + tr(Σt + εI) − 2·tr((R·Σε·R)^{1/2})      exactly W2² between N(μ, Σε) and N(μt, Σt + εI)
//   backward: d tr((RΣεR)^{1/2}) = ½·tr((RΣεR)^{-1/2}·R·dΣ·R), and dΣ = dS − dμ·μᵀ − μ·dμᵀ, so with
//     T = R·(R·Σε·R)^{-1/2}·R   (symmetric; the linear map that carries N(0, Σε) onto N(0, Σt + εI): T·Σε·T = Σt + εI)
//     ∂E/∂S = I − T      ∂E/∂μ = 2(μ − μt) − 2(I − T)·μ
//   and the caller's ∂E/∂F = (2/M)·(∂E/∂S)·F + (1/M)·(∂E/∂μ)·1ᵀ  =  (2/M)·((I − T)·(F − μ1ᵀ) + (μ − μt)·1ᵀ).
//
// Regularisation. ReLU layers have dead channels, and fewer positions than channels (a small scale or tile) leave
//   Σ singular; R·Σ·R is then singular too, and its inverse square root, the gradient, unbounded: √ has no
//   derivative at 0. Flooring eigenvalues would keep E finite but part the gradient from it (a floored eigenvalue
//   has no derivative, and a floor that follows the largest moves with Σ). Widening both Gaussians by ε·I, as if
//   noise of variance ε were added to every feature, keeps E an exact W2² (zero for equal statistics, the closed
//   form for commuting ones) and smooth, with the gradient above exactly its derivative: R·Σε·R ≥ ε·R² ≥ ε²·I, so
//   ‖T‖ ≤ (λmax(Σt) + ε)/ε. ε is `relativeEpsilon` (10⁻³) times the style's mean channel variance tr(Σt)/C: it
//   scales with the features and, fixed by the style, adds no gradient of its own. It also covers rounding that
//   leaves S − μμᵀ slightly indefinite. Channels whose variance is far below ε are matched less sharply.
//
// Computation, in double. Any K with Kᵀ·K = Σt + εI serves for R: K = Q·R with Q orthogonal, so A = K·Σε·Kᵀ =
//   Q·(R·Σε·R)·Qᵀ has the same square root trace and T = Kᵀ·A^{-1/2}·K. K is the upper triangular Cholesky factor,
//   computed once per style, whose triangular products cost half a GEMM's. Per evaluation, A's square roots come from
//   one symmetric eigendecomposition, A = V·diag(λ)·Vᵀ:
//     tr(A^{1/2}) = Σ √λᵢ      T = Yᵀ·Y with Y = diag(λ^{-1/4})·Vᵀ·K
//   At C = 512 on 2 cores that is 32 ms, 24 of them the eigendecomposition. A's eigenvalues span up to
//   (λmax(Σt) + ε)(λmax(Σ) + ε)/ε² (10⁷ to 10⁸ on ReLU-like test features), and T weighs the smallest most: float
//   eigenvectors (ssyevd, twice as fast) left T 6% off there. Newton–Schulz iterations grow a small eigenvalue's
//   root by at most 1.5× a round, so that span takes over 20 rounds of three C×C products: some 180 ms.
public enum Wasserstein {
    /// The style's side of one layer, computed once: μt, ε, the factor K and tr(Σt + εI).
    public struct Target: Sendable {
        public let channels: Int
        public let mean: [Double]
        /// The variance added to every channel of both Gaussians.
        public let epsilon: Double
        /// K, upper triangular, C×C row-major.
        let factor: [Double]
        let trace: Double

        /// From the style's mean μt (C) and second moment St (C×C, row-major, symmetric). A style that is constant
        /// over the layer (Σt = 0) has no variance to scale ε by; its mean square stands in, or 1 when its features
        /// are all zero (any ε > 0 keeps the minimum at Σ = 0 there). Non-finite statistics give a target whose
        /// distances are NaN.
        public init(mean: [Double], secondMoment: [Double], channels c: Int, relativeEpsilon: Double = 1e-3) {
            precondition(c > 0 && mean.count == c && secondMoment.count == c * c, "Wasserstein.Target: statistics of \(c) channels expected")
            let variance = (0..<c).reduce(0.0) { $0 + secondMoment[$1 * c + $1] - mean[$1] * mean[$1] }
            let meanSquare = (0..<c).reduce(0.0) { $0 + secondMoment[$1 * c + $1] }
            var epsilon = relativeEpsilon * [variance, meanSquare, Double(c)].first { $0 > 0 }! / Double(c)
            let finite = mean.allSatisfy(\.isFinite) && secondMoment.allSatisfy(\.isFinite)
            // Rounding in St − μtμtᵀ can leave Σt + εI indefinite (a style nearly constant along some direction):
            // ε then doubles until Cholesky succeeds.
            var factor: [Double]
            repeat {
                factor = covariance(mean: mean, secondMoment: secondMoment, channels: c, epsilon: epsilon)
                if finite && BLAS.cholesky(&factor, n: c) { break }
                factor = [Double](repeating: .nan, count: c * c)
                epsilon *= 2
            } while finite && epsilon.isFinite
            (channels, self.mean, self.epsilon, self.factor) = (c, mean, epsilon, factor)
            trace = variance + Double(c) * epsilon
        }
    }

    /// E for the output's mean μ (C) and second moment S (C×C, row-major, symmetric), with ∂E/∂S (C×C, symmetric)
    /// and ∂E/∂μ. Non-finite statistics give a NaN value.
    public static func distance(
        mean: [Double], secondMoment: [Double], target: Target
    ) -> (value: Double, secondMomentGradient: [Double], meanGradient: [Double]) {
        let c = target.channels, k = target.factor
        precondition(mean.count == c && secondMoment.count == c * c, "Wasserstein.distance: statistics of \(c) channels expected")
        let sigma = covariance(mean: mean, secondMoment: secondMoment, channels: c, epsilon: target.epsilon)
        var a = sigma
        BLAS.dtrmm(m: c, n: c, a: k, lda: c, b: &a, ldb: c)  // K·Σε
        BLAS.dtrmm(right: true, transA: true, m: c, n: c, a: k, lda: c, b: &a, ldb: c)  // A = K·Σε·Kᵀ
        // `a` becomes Vᵀ. λ ≥ ε² (Regularisation, A being similar to R·Σε·R): the floor only meets rounding.
        let lambda = BLAS.symmetricEigen(&a, n: c).map { max($0, target.epsilon * target.epsilon / 2) }
        let rootTrace = lambda.reduce(0.0) { $0 + $1.squareRoot() }
        for i in 0..<c {
            let scale = 1 / lambda[i].squareRoot().squareRoot()
            for j in 0..<c { a[i * c + j] *= scale }
        }
        BLAS.dtrmm(right: true, m: c, n: c, a: k, lda: c, b: &a, ldb: c)  // Y = diag(λ^{-1/4})·Vᵀ·K
        var gradient = [Double](repeating: 0, count: c * c)
        BLAS.dsyrk(transA: true, n: c, k: c, alpha: -1, a: a, lda: c, beta: 0, c: &gradient, ldc: c)  // −T, upper triangle
        for i in 0..<c {
            gradient[i * c + i] += 1
            for j in 0..<i { gradient[i * c + j] = gradient[j * c + i] }
        }

        var meanTerm = 0.0, trace = 0.0, meanGradient = [Double](repeating: 0, count: c)
        for i in 0..<c {
            let d = mean[i] - target.mean[i]
            meanTerm += d * d
            trace += sigma[i * c + i]
            var product = 0.0
            for j in 0..<c { product += gradient[i * c + j] * mean[j] }
            meanGradient[i] = 2 * d - 2 * product
        }
        return (meanTerm + trace + target.trace - 2 * rootTrace, gradient, meanGradient)
    }

    /// S − μμᵀ + ε·I.
    private static func covariance(mean: [Double], secondMoment: [Double], channels c: Int, epsilon: Double) -> [Double] {
        var sigma = secondMoment
        for i in 0..<c {
            for j in 0..<c { sigma[i * c + j] -= mean[i] * mean[j] }
            sigma[i * c + i] += epsilon
        }
        return sigma
    }
}
