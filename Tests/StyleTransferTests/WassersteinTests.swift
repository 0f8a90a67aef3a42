import StyleTransfer
import TensorCore
import XCTest

final class WassersteinTests: XCTestCase {
    override func setUpWithError() throws { _ = try BLAS.load() }

    func testIdenticalGaussiansAreAtDistanceZero() {
        var rng = TestRandom(seed: 1)
        let c = 12, f = rng.features(channels: c, positions: 50, dead: [3])
        let (mean, second) = statistics(f, channels: c)
        let target = Wasserstein.Target(mean: mean, secondMoment: second, channels: c)
        let e = Wasserstein.distance(mean: mean, secondMoment: second, target: target)
        let scale = trace(second, c)
        XCTAssertEqual(e.value, 0, accuracy: 1e-10 * scale)
        XCTAssertLessThan(e.secondMomentGradient.map(abs).max()!, 1e-6)  // T = I
        XCTAssertLessThan(e.meanGradient.map(abs).max()!, 1e-6 * scale)
    }

    /// Commuting covariances: E = ‖μ1 − μ2‖² + Σ (√(σ1ᵢ + ε) − √(σ2ᵢ + ε))².
    func testDiagonalCovariancesMatchTheClosedForm() {
        var rng = TestRandom(seed: 2)
        let c = 7
        let mu1 = (0..<c).map { _ in rng.double(-1, 2) }, mu2 = (0..<c).map { _ in rng.double(-1, 2) }
        var var1 = (0..<c).map { _ in rng.double(0.01, 3) }, var2 = (0..<c).map { _ in rng.double(0.01, 3) }
        var1[2] = 0  // a dead channel on either side
        var2[5] = 0
        let target = Wasserstein.Target(mean: mu2, secondMoment: moment(mu2, diagonal(var2)), channels: c)
        XCTAssertEqual(target.epsilon, 1e-3 * var2.reduce(0, +) / Double(c), accuracy: 1e-15)
        let e = Wasserstein.distance(mean: mu1, secondMoment: moment(mu1, diagonal(var1)), target: target)
        var expected = 0.0
        for i in 0..<c {
            expected += (mu1[i] - mu2[i]) * (mu1[i] - mu2[i])
            let d = (var1[i] + target.epsilon).squareRoot() - (var2[i] + target.epsilon).squareRoot()
            expected += d * d
        }
        XCTAssertEqual(e.value, expected, accuracy: 1e-12 * expected)
        // And with a negligible ε, the plain Gaussians' closed form.
        let sharp = Wasserstein.Target(mean: mu2, secondMoment: moment(mu2, diagonal(var2)), channels: c, relativeEpsilon: 1e-14)
        let plain = (0..<c).reduce(0.0) { sum, i in
            let d = var1[i].squareRoot() - var2[i].squareRoot()
            return sum + (mu1[i] - mu2[i]) * (mu1[i] - mu2[i]) + d * d
        }
        XCTAssertEqual(Wasserstein.distance(mean: mu1, secondMoment: moment(mu1, diagonal(var1)), target: sharp).value, plain, accuracy: 1e-6 * plain)
    }

    /// C = 2 by hand: R·Σε·R and M = Σε·R² share their eigenvalues (M = R⁻¹·(R·Σε·R)·R), and a 2×2 matrix M with
    /// positive eigenvalues has tr(M^{1/2}) = √(tr M + 2·√det M).
    func testFullTwoByTwoCovariancesMatchTheHandFormula() {
        let mu1 = [0.3, -1.2], mu2 = [1.1, 0.4]
        let s1 = [2.0, 1.5, 1.5, 1.4], s2 = [0.5, -0.3, -0.3, 3.0]  // correlated, with opposite signs: no common axes
        let target = Wasserstein.Target(mean: mu2, secondMoment: moment(mu2, s2), channels: 2)
        let e = Wasserstein.distance(mean: mu1, secondMoment: moment(mu1, s1), target: target)
        let a = widened(s1, target.epsilon, 2), b = widened(s2, target.epsilon, 2), m = product(a, b, 2)
        let det = m[0] * m[3] - m[1] * m[2], rootTrace = (m[0] + m[3] + 2 * det.squareRoot()).squareRoot()
        let dMu = (mu1[0] - mu2[0]) * (mu1[0] - mu2[0]) + (mu1[1] - mu2[1]) * (mu1[1] - mu2[1])
        let expected = dMu + trace(a, 2) + trace(b, 2) - 2 * rootTrace
        XCTAssertEqual(e.value, expected, accuracy: 1e-12 * expected)
    }

    /// Full covariances with no common eigenvectors against Denman–Beavers square roots written here, and the
    /// gradient's T (= I − ∂E/∂S) against its defining property T·Σε·T = Σt + εI.
    func testFullCovariancesMatchDenmanBeavers() {
        var rng = TestRandom(seed: 3)
        let c = 6
        let f1 = rng.features(channels: c, positions: 30, dead: []), f2 = rng.features(channels: c, positions: 25, dead: [])
        let (mu1, s1) = statistics(f1, channels: c), (mu2, s2) = statistics(f2, channels: c)
        let target = Wasserstein.Target(mean: mu2, secondMoment: s2, channels: c)
        let e = Wasserstein.distance(mean: mu1, secondMoment: s1, target: target)
        let sigma1 = widened(covariance(mu1, s1, c), target.epsilon, c), sigma2 = widened(covariance(mu2, s2, c), target.epsilon, c)
        let r = denmanBeaversRoot(sigma2, c), middle = denmanBeaversRoot(product(product(r, sigma1, c), r, c), c)
        let dMu = zip(mu1, mu2).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        let expected = dMu + trace(sigma1, c) + trace(sigma2, c) - 2 * trace(middle, c)
        XCTAssertEqual(e.value, expected, accuracy: 1e-10 * expected)
        XCTAssertGreaterThan(expected, 1e-3 * trace(sigma1, c))  // far enough apart to test something

        var t = e.secondMomentGradient.map { -$0 }
        for i in 0..<c { t[i * c + i] += 1 }
        let mapped = product(product(t, sigma1, c), t, c)
        for i in 0..<(c * c) { XCTAssertEqual(mapped[i], sigma2[i], accuracy: 1e-9 * trace(sigma2, c), "entry \(i)") }
    }

    /// A style covariance left indefinite (by rounding, or here on purpose) widens ε until Σt + εI is definite.
    func testIndefiniteStyleCovarianceWidensEpsilon() {
        let target = Wasserstein.Target(mean: [0, 0, 0], secondMoment: diagonal([1, 1, -0.01]), channels: 3)
        XCTAssertGreaterThan(target.epsilon, 0.01)
        XCTAssertLessThan(target.epsilon, 0.03)  // doubled from 1.99e-3/3 until past 0.01
        let e = Wasserstein.distance(mean: [0.1, 0, 0], secondMoment: diagonal([1, 0.5, 0]), target: target)
        XCTAssertTrue(e.value.isFinite && e.value > 0)
    }

    func testNonFiniteStatisticsGiveANonFiniteValue() {
        let target = Wasserstein.Target(mean: [0, 0], secondMoment: [1, 0, 0, 1], channels: 2)
        XCTAssertTrue(Wasserstein.distance(mean: [.nan, 0], secondMoment: [1, 0, 0, 1], target: target).value.isNaN)
        XCTAssertTrue(Wasserstein.distance(mean: [0, 0], secondMoment: [.infinity, 0, 0, 1], target: target).value.isNaN)
        let broken = Wasserstein.Target(mean: [0, .nan], secondMoment: [1, 0, 0, 1], channels: 2)
        XCTAssertTrue(Wasserstein.distance(mean: [0, 0], secondMoment: [1, 0, 0, 1], target: broken).value.isNaN)
    }

    /// ∂E/∂F through μ(F) and S(F) against central differences, with dead channels on both sides (Σ singular).
    func testGradientThroughFeatures() {
        checkFeatureGradient(channels: 6, positions: 40, outputDead: [1, 4], styleDead: [4, 5], seed: 4)
    }

    /// Fewer positions than channels (rank 39 of 64, and dead channels): E and its gradient stay finite and agree.
    func testGradientThroughFeaturesWhenRankDeficient() {
        checkFeatureGradient(channels: 64, positions: 40, outputDead: [0, 7, 30, 31, 63], styleDead: [7, 8, 50], seed: 5)
    }

    private func checkFeatureGradient(channels c: Int, positions m: Int, outputDead: [Int], styleDead: [Int], seed: UInt64) {
        var rng = TestRandom(seed: seed)
        var f = rng.features(channels: c, positions: m, dead: outputDead)
        let style = rng.features(channels: c, positions: m + 10, dead: styleDead)
        let (mt, st) = statistics(style, channels: c)
        let target = Wasserstein.Target(mean: mt, secondMoment: st, channels: c)
        func energy(_ f: [Double]) -> (value: Double, secondMomentGradient: [Double], meanGradient: [Double]) {
            let (mu, s) = statistics(f, channels: c)
            return Wasserstein.distance(mean: mu, secondMoment: s, target: target)
        }
        let e = energy(f)
        XCTAssertTrue(e.value.isFinite && e.value > 0)
        // ∂E/∂F = (2/M)·(∂E/∂S)·F + (1/M)·(∂E/∂μ)·1ᵀ
        var analytic = [Double](repeating: 0, count: c * m)
        for i in 0..<c {
            for p in 0..<m {
                var sum = 0.0
                for j in 0..<c { sum += e.secondMomentGradient[i * c + j] * f[j * m + p] }
                analytic[i * m + p] = (2 * sum + e.meanGradient[i]) / Double(m)
            }
        }
        XCTAssertTrue(analytic.allSatisfy { $0.isFinite })
        let gmax = analytic.map(abs).max()!
        // Random coordinates, the largest, and some in dead rows (where T is largest).
        var indices = (0..<40).map { _ in Int(rng.next() % UInt64(c * m)) }
        indices += outputDead.map { $0 * m + Int(rng.next() % UInt64(m)) }
        indices.append((0..<(c * m)).max { abs(analytic[$0]) < abs(analytic[$1]) }!)
        let h = 1e-4
        var worst = 0.0
        for k in indices {
            let x0 = f[k]
            f[k] = x0 + h
            let plus = energy(f).value
            f[k] = x0 - h
            let minus = energy(f).value
            f[k] = x0
            let fd = (plus - minus) / (2 * h)
            let error = abs(fd - analytic[k]) / max(abs(analytic[k]), 1e-3 * gmax)
            worst = max(worst, error)
            XCTAssertLessThan(error, 1e-4, "coordinate \(k): finite difference \(fd), analytic \(analytic[k])")
        }
        print("Wasserstein gradient, C = \(c), M = \(m): E = \(e.value), max |∂E/∂F| = \(gmax), worst relative error \(worst)")
    }
}

extension TestRandom {
    mutating func double(_ lo: Double, _ hi: Double) -> Double { lo + (hi - lo) * Double(next() >> 11) / 0x1p53 }

    /// C×M ReLU-like features (about a third zero, correlated across channels), with the `dead` rows all zero.
    mutating func features(channels c: Int, positions m: Int, dead: [Int]) -> [Double] {
        let k = 3
        let mix = (0..<(c * k)).map { _ in double(-1, 1) }, shared = (0..<(k * m)).map { _ in double(-1, 1) }
        var f = [Double](repeating: 0, count: c * m)
        for i in 0..<c where !dead.contains(i) {
            for p in 0..<m {
                var x = double(-0.3, 0.7)
                for j in 0..<k { x += mix[i * k + j] * shared[j * m + p] }
                f[i * m + p] = max(x, 0)
            }
        }
        return f
    }
}

/// μ = (1/M)·F·1 and S = (1/M)·F·Fᵀ, by plain loops.
private func statistics(_ f: [Double], channels c: Int) -> (mean: [Double], secondMoment: [Double]) {
    let m = f.count / c
    var mean = [Double](repeating: 0, count: c), second = [Double](repeating: 0, count: c * c)
    for i in 0..<c {
        for p in 0..<m { mean[i] += f[i * m + p] / Double(m) }
        for j in 0..<c { for p in 0..<m { second[i * c + j] += f[i * m + p] * f[j * m + p] / Double(m) } }
    }
    return (mean, second)
}

/// Σ + μμᵀ.
private func moment(_ mean: [Double], _ sigma: [Double]) -> [Double] {
    let c = mean.count
    return (0..<(c * c)).map { sigma[$0] + mean[$0 / c] * mean[$0 % c] }
}

private func covariance(_ mean: [Double], _ second: [Double], _ c: Int) -> [Double] {
    (0..<(c * c)).map { second[$0] - mean[$0 / c] * mean[$0 % c] }
}

private func diagonal(_ d: [Double]) -> [Double] {
    let c = d.count
    return (0..<(c * c)).map { $0 / c == $0 % c ? d[$0 / c] : 0 }
}

private func widened(_ sigma: [Double], _ epsilon: Double, _ c: Int) -> [Double] {
    var s = sigma
    for i in 0..<c { s[i * c + i] += epsilon }
    return s
}

private func trace(_ a: [Double], _ c: Int) -> Double { (0..<c).reduce(0.0) { $0 + a[$1 * c + $1] } }

private func product(_ a: [Double], _ b: [Double], _ c: Int) -> [Double] {
    var p = [Double](repeating: 0, count: c * c)
    for i in 0..<c { for k in 0..<c { for j in 0..<c { p[i * c + j] += a[i * c + k] * b[k * c + j] } } }
    return p
}

/// Gauss–Jordan inverse with partial pivoting.
private func inverse(_ a: [Double], _ c: Int) -> [Double] {
    var m = a, inv = diagonal([Double](repeating: 1, count: c))
    for col in 0..<c {
        let pivot = (col..<c).max { abs(m[$0 * c + col]) < abs(m[$1 * c + col]) }!
        for j in 0..<c {
            m.swapAt(col * c + j, pivot * c + j)
            inv.swapAt(col * c + j, pivot * c + j)
        }
        let d = m[col * c + col]
        for j in 0..<c {
            m[col * c + j] /= d
            inv[col * c + j] /= d
        }
        for i in 0..<c where i != col {
            let factor = m[i * c + col]
            for j in 0..<c {
                m[i * c + j] -= factor * m[col * c + j]
                inv[i * c + j] -= factor * inv[col * c + j]
            }
        }
    }
    return inv
}

/// The principal square root of a symmetric positive definite matrix by Denman–Beavers iterations:
/// Y ← (Y + Z⁻¹)/2, Z ← (Z + Y⁻¹)/2 from Y = A, Z = I, which converge to A^{1/2} and A^{-1/2}.
private func denmanBeaversRoot(_ a: [Double], _ c: Int) -> [Double] {
    var y = a, z = diagonal([Double](repeating: 1, count: c))
    for _ in 0..<60 {
        let yInverse = inverse(y, c), zInverse = inverse(z, c)
        let next = (0..<(c * c)).map { (y[$0] + zInverse[$0]) / 2 }
        z = (0..<(c * c)).map { (z[$0] + yInverse[$0]) / 2 }
        let change = zip(next, y).map { abs($0 - $1) }.max()!
        y = next
        if change < 1e-15 * trace(y, c) { break }
    }
    return y
}
