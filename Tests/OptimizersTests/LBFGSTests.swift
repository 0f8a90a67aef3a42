import Optimizers
import XCTest

final class LBFGSTests: XCTestCase {
    func testLineSearchSolvesRosenbrockFromTheClassicStart() {
        let lbfgs = LBFGS(count: 2, options: .init(historySize: 10, lineSearch: true))
        let r = Problems.minimise(lbfgs, Problems.rosenbrock, from: [-1.2, 1], iterations: 100)
        XCTAssertLessThan(r.iterations, 60, "took \(r.iterations) iterations")
        XCTAssertEqual(r.x[0], 1, accuracy: 1e-3)
        XCTAssertEqual(r.x[1], 1, accuracy: 2e-3)
    }

    func testLineSearchSolvesTenDimensionalRosenbrock() {
        let lbfgs = LBFGS(count: 10, options: .init(historySize: 20, lineSearch: true))
        let start = [Float](repeating: 0, count: 10)
        let r = Problems.minimise(lbfgs, Problems.rosenbrock, from: start, iterations: 200)
        XCTAssertLessThan(r.loss, 1e-6)
        XCTAssertLessThan(r.iterations, 150)
    }

    func testFixedStepMinimisesAnIllConditionedQuadraticInFewIterations() {
        // Without a line search the step is the quasi-Newton step itself: on a quadratic the secant pairs
        // recover the curvature, so the iterate reaches the minimum in about n iterations, where steepest
        // descent with any fixed rate would need hundreds (condition number 100).
        let n = 20
        let center = (0..<n).map { Float($0) / Float(n) - 0.3 }
        let lbfgs = LBFGS(count: n, options: .init(historySize: 30, learningRate: 1))
        let r = Problems.minimise(lbfgs, Problems.quadratic(center: center), from: [Float](repeating: 1, count: n), iterations: 2 * n + 10)
        XCTAssertLessThan(r.loss, 1e-8)
        for i in 0..<n { XCTAssertEqual(r.x[i], center[i], accuracy: 1e-4) }
    }

    func testCompactHistoryFollowsTheFullOneToHalfPrecision() {
        // The same quadratic in 1003 dimensions (vector loops and their tails), pairs in half precision: the path
        // differs from the full-precision one (proof the pairs are stored compactly), by far less than the steps.
        let n = 1003
        let center = (0..<n).map { Float($0 % 17) / 17 - 0.3 }
        func run(compact: Bool) -> [Float] {
            let lbfgs = LBFGS(count: n, options: .init(historySize: 10, learningRate: 1, compactHistory: compact))
            return Problems.minimise(lbfgs, Problems.quadratic(center: center), from: [Float](repeating: 1, count: n), iterations: 12).x
        }
        let full = run(compact: false), compact = run(compact: true)
        func distance(_ a: [Float], _ b: [Float]) -> Double { zip(a, b).reduce(0.0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) }.squareRoot() }
        let travelled = distance(full, [Float](repeating: 1, count: n)), apart = distance(full, compact)
        XCTAssertGreaterThan(apart, 0)
        XCTAssertLessThan(apart, 1e-2 * travelled, "apart \(apart), travelled \(travelled)")
    }

    func testFixedStepHalvesAnOvershoot() {
        // Gentle slope towards 10, a steep wall from 2: the secant step measured on the slope jumps to 10,
        // deep into the wall (loss 1 → 64000). Such steps are halved until they no longer climb, so every
        // reported loss stays within 10% of the one before and the loss falls to the wall's foot.
        let f: LossAndGradient = { x, g in
            let a = Double(x[0]), wall = max(0, a - 2)
            g[0] = Float(0.02 * (a - 10) + 2000 * wall)
            return 0.01 * (a - 10) * (a - 10) + 1000 * wall * wall
        }
        let lbfgs = LBFGS(count: 1, options: .init(historySize: 10, learningRate: 1))
        var x: [Float] = [0]
        var losses: [Double] = []
        x.withUnsafeMutableBufferPointer { buffer in
            for _ in 0..<60 {
                let report = lbfgs.step(buffer, f)
                losses.append(report.loss)
                if report.converged { break }
            }
        }
        for (before, after) in zip(losses, losses.dropFirst()) {
            XCTAssertLessThanOrEqual(after, before * 1.1, "losses \(losses)")
        }
        XCTAssertLessThan(losses.last!, 0.645, "losses \(losses)")  // 0.64 at the wall's foot
    }

    func testLineSearchReusesTheAcceptedEvaluation() {
        // On a quadratic the unit step is accepted at once, so after the first iteration every step should
        // cost exactly one evaluation (the line search's), with none spent re-evaluating the new point.
        let n = 8
        let lbfgs = LBFGS(count: n, options: .init(historySize: 10, lineSearch: true))
        var x = [Float](repeating: 1, count: n)
        let f = Problems.quadratic(center: [Float](repeating: 0, count: n))
        var evaluations: [Int] = []
        x.withUnsafeMutableBufferPointer { b in
            for _ in 0..<5 { evaluations.append(lbfgs.step(b, f).evaluations) }
        }
        XCTAssertEqual(Array(evaluations.dropFirst(2)), [1, 1, 1], "evaluations per step: \(evaluations)")
    }

    func testBoundsKeepTheIterateInsideAndFindTheBoxMinimum() {
        // Minimum at (1.5, −0.5, 0.25): the box [0, 1] optimum is (1, 0, 0.25).
        let f = Problems.quadratic(center: [1.5, -0.5, 0.25])
        let lbfgs = LBFGS(count: 3, options: .init(historySize: 5, learningRate: 1, bounds: 0...1))
        var x: [Float] = [0.5, 0.5, 0.5]
        x.withUnsafeMutableBufferPointer { b in
            for _ in 0..<50 {
                _ = lbfgs.step(b, f)
                for v in b { XCTAssertTrue((0...1).contains(v), "\(v) escaped the box") }
            }
        }
        XCTAssertEqual(x[0], 1, accuracy: 1e-4)
        XCTAssertEqual(x[1], 0, accuracy: 1e-4)
        XCTAssertEqual(x[2], 0.25, accuracy: 1e-3)
    }

    func testReportsConvergenceAtAStationaryPoint() {
        let lbfgs = LBFGS(count: 2)
        var x: [Float] = [1, 1]
        let report = x.withUnsafeMutableBufferPointer { lbfgs.step($0, Problems.rosenbrock) }
        XCTAssertTrue(report.converged)
        XCTAssertEqual(x, [1, 1])
    }
}
