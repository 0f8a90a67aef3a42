import Optimizers
import XCTest

final class AdamTests: XCTestCase {
    func testMinimisesAnIllConditionedQuadratic() {
        let n = 10
        let center = (0..<n).map { Float($0) / Float(n) }
        let adam = Adam(count: n, options: .init(learningRate: 0.05))
        let r = Problems.minimise(adam, Problems.quadratic(center: center), from: [Float](repeating: -1, count: n), iterations: 600)
        XCTAssertLessThan(r.loss, 1e-5)
        for i in 0..<n { XCTAssertEqual(r.x[i], center[i], accuracy: 2e-3) }
    }

    func testFollowsRosenbrocksValleyToTheMinimum() {
        let adam = Adam(count: 2, options: .init(learningRate: 0.02))
        let r = Problems.minimise(adam, Problems.rosenbrock, from: [-1.2, 1], iterations: 6000)
        XCTAssertEqual(r.x[0], 1, accuracy: 0.02)
        XCTAssertEqual(r.x[1], 1, accuracy: 0.04)
    }

    func testFirstStepMovesEachCoordinateByTheLearningRate() {
        // Bias correction makes the first update exactly −lr·sign(g) (up to ε), whatever the gradient's size.
        let adam = Adam(count: 3, options: .init(learningRate: 0.1))
        var x: [Float] = [5, -3, 0.001]
        _ = x.withUnsafeMutableBufferPointer { adam.step($0, Problems.quadratic(center: [0, 0, 0])) }
        XCTAssertEqual(x[0], 4.9, accuracy: 1e-5)
        XCTAssertEqual(x[1], -2.9, accuracy: 1e-5)
        XCTAssertEqual(x[2], -0.099, accuracy: 1e-4)
    }

    func testBoundsClampEveryStep() {
        let adam = Adam(count: 2, options: .init(learningRate: 0.1, bounds: 0...1))
        var x: [Float] = [0.5, 0.5]
        let f = Problems.quadratic(center: [2, -1])
        x.withUnsafeMutableBufferPointer { b in
            for _ in 0..<100 {
                _ = adam.step(b, f)
                XCTAssertTrue(b.allSatisfy { (0...1).contains($0) })
            }
        }
        XCTAssertEqual(x, [1, 0])
    }
}
