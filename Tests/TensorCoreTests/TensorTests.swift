import TensorCore
import XCTest

final class TensorTests: XCTestCase {
    func testSgemmMatchesANaiveProductWithTransposes() throws {
        _ = try BLAS.load()
        let m = 5, n = 7, k = 3
        let a = Tensor(Shape(channels: 1, height: k, width: m), values: (0..<(k * m)).map { Float($0) * 0.5 - 3 })
        let b = Tensor(Shape(channels: 1, height: k, width: n), values: (0..<(k * n)).map { Float($0 % 4) - 1.5 })
        let c = Tensor(Shape(channels: 1, height: m, width: n))
        c.fill(1)
        // C = 2·Aᵀ·B + 1·C, with A stored k×m.
        BLAS.sgemm(transA: true, m: m, n: n, k: k, alpha: 2, a: a.data, lda: m, b: b.data, ldb: n, beta: 1, c: c.data, ldc: n)
        for i in 0..<m {
            for j in 0..<n {
                var sum: Float = 0
                for p in 0..<k { sum += a[0, p, i] * b[0, p, j] }
                XCTAssertEqual(c[0, i, j], 2 * sum + 1, accuracy: 1e-4)
            }
        }
    }

    func testCopiesAreIndependent() {
        let t = Tensor(Shape(channels: 2, height: 2, width: 2), values: [1, 2, 3, 4, 5, 6, 7, 8])
        let u = t.copy()
        u[1, 1, 1] = 0
        XCTAssertEqual(t[1, 1, 1], 8)
        XCTAssertEqual(u.values, [1, 2, 3, 4, 5, 6, 7, 0])
    }
}
