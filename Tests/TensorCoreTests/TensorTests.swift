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

    /// The double-precision triangular and symmetric products, and Cholesky's factor, against naive loops.
    func testDoublePrecisionFactorAndProducts() throws {
        _ = try BLAS.load()
        let n = 4
        let matrix: [Double] = [4, 1, -2, 0.5, 1, 3, 0, 1, -2, 0, 5, 0.25, 0.5, 1, 0.25, 2]
        var u = matrix
        XCTAssertTrue(BLAS.cholesky(&u, n: n))
        for i in 0..<n {
            for j in 0..<n {
                if i > j { XCTAssertEqual(u[i * n + j], 0) }
                let utu = (0..<n).reduce(0.0) { $0 + u[$1 * n + i] * u[$1 * n + j] }
                XCTAssertEqual(utu, matrix[i * n + j], accuracy: 1e-12)
            }
        }
        var indefinite = matrix
        indefinite[0] = -1
        XCTAssertFalse(BLAS.cholesky(&indefinite, n: n))

        let b = (0..<(n * 3)).map { Double($0 % 5) - 1.5 }  // n×3
        var left = b, right = (0..<(3 * n)).map { Double($0 % 3) - 0.5 }  // 3×n
        let rightInput = right
        BLAS.dtrmm(m: n, n: 3, alpha: 2, a: u, lda: n, b: &left, ldb: 3)  // 2·U·B
        BLAS.dtrmm(right: true, transA: true, m: 3, n: n, a: u, lda: n, b: &right, ldb: n)  // B'·Uᵀ
        var gram = [Double](repeating: 7, count: n * n)
        BLAS.dsyrk(transA: true, n: n, k: 3, alpha: 1, a: rightInput, lda: n, beta: 0, c: &gram, ldc: n)  // B'ᵀ·B'
        for i in 0..<n {
            for j in 0..<3 {
                XCTAssertEqual(left[i * 3 + j], 2 * (0..<n).reduce(0.0) { $0 + u[i * n + $1] * b[$1 * 3 + j] }, accuracy: 1e-12)
                XCTAssertEqual(right[j * n + i], (0..<n).reduce(0.0) { $0 + rightInput[j * n + $1] * u[i * n + $1] }, accuracy: 1e-12)
            }
            for j in i..<n {
                XCTAssertEqual(gram[i * n + j], (0..<3).reduce(0.0) { $0 + rightInput[$1 * n + i] * rightInput[$1 * n + j] }, accuracy: 1e-12)
            }
        }
    }

    /// Eigenvalues ascending, eigenvector i in row i: A·vᵢ = λᵢ·vᵢ, orthonormal rows.
    func testSymmetricEigenLeavesEigenvectorsInRows() throws {
        _ = try BLAS.load()
        let n = 4
        let matrix: [Double] = [4, 1, -2, 0.5, 1, 3, 0, 1, -2, 0, 1, 0.25, 0.5, 1, 0.25, -1]
        var vectors = matrix
        let values = BLAS.symmetricEigen(&vectors, n: n)
        XCTAssertEqual(values, values.sorted())
        for i in 0..<n {
            for r in 0..<n {
                let av = (0..<n).reduce(0.0) { $0 + matrix[r * n + $1] * vectors[i * n + $1] }
                XCTAssertEqual(av, values[i] * vectors[i * n + r], accuracy: 1e-12)
            }
            for j in 0..<n {
                let dot = (0..<n).reduce(0.0) { $0 + vectors[i * n + $1] * vectors[j * n + $1] }
                XCTAssertEqual(dot, i == j ? 1 : 0, accuracy: 1e-12)
            }
        }
        var broken = matrix
        broken[5] = .nan
        XCTAssertTrue(BLAS.symmetricEigen(&broken, n: n).allSatisfy(\.isNaN))
    }

    func testCopiesAreIndependent() {
        let t = Tensor(Shape(channels: 2, height: 2, width: 2), values: [1, 2, 3, 4, 5, 6, 7, 8])
        let u = t.copy()
        u[1, 1, 1] = 0
        XCTAssertEqual(t[1, 1, 1], 8)
        XCTAssertEqual(u.values, [1, 2, 3, 4, 5, 6, 7, 0])
    }
}
