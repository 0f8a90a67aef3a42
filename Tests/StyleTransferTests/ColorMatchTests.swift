import StyleTransfer
import TensorCore
import XCTest

/// `--colors histogram`: the style's colours take the content's mean and covariance (where nothing is clipped).
final class ColorMatchTests: XCTestCase {
    private func moments(_ t: Tensor) -> (mean: [Double], covariance: [[Double]]) {
        let n = t.shape.planeSize
        let mean = (0..<3).map { c in (0..<n).reduce(0.0) { $0 + Double(t.data[c * n + $1]) } / Double(n) }
        let covariance = (0..<3).map { i in
            (0..<3).map { j in
                (0..<n).reduce(0.0) { $0 + (Double(t.data[i * n + $1]) - mean[i]) * (Double(t.data[j * n + $1]) - mean[j]) } / Double(n)
            }
        }
        return (mean, covariance)
    }

    func testTheMatchedStyleHasTheContentsMeanAndCovariance() {
        var rng = TestRandom(seed: 3)
        // Correlated colours in the middle of the range, so the map moves nothing past 0 or 1.
        let style = Tensor(channels: 3, height: 20, width: 30), content = Tensor(channels: 3, height: 24, width: 16)
        for p in 0..<600 {
            let a = rng.uniform(-1, 1), b = rng.uniform(-1, 1), c = rng.uniform(-1, 1)
            (style.data[p], style.data[600 + p], style.data[1200 + p]) = (0.5 + 0.1 * a, 0.45 + 0.05 * a + 0.04 * b, 0.5 - 0.08 * b + 0.03 * c)
        }
        for p in 0..<384 {
            let a = rng.uniform(-1, 1), b = rng.uniform(-1, 1), c = rng.uniform(-1, 1)
            (content.data[p], content.data[384 + p], content.data[768 + p]) = (0.6 + 0.12 * a, 0.4 + 0.06 * b - 0.05 * a, 0.3 + 0.07 * c)
        }
        let matched = ColorMatch.matching(style, to: content)
        XCTAssertTrue(matched.values.allSatisfy { $0 > 0 && $0 < 1 })
        let want = moments(content), got = moments(matched)
        for i in 0..<3 {
            XCTAssertEqual(got.mean[i], want.mean[i], accuracy: 1e-5)
            for j in 0..<3 { XCTAssertEqual(got.covariance[i][j], want.covariance[i][j], accuracy: 1e-6, "(\(i), \(j))") }
        }
        // The map is the symmetric one: a style that already has the content's statistics is left as it is.
        let again = ColorMatch.matching(content, to: content)
        for i in 0..<content.count { XCTAssertEqual(again.data[i], content.data[i], accuracy: 1e-5) }
    }
}
