import Foundation
import TensorCore
import VideoStyle
import XCTest

/// The temporal warping error on sequences whose answer is known: by hand, by construction (static, shifted,
/// changing over a static reference).
final class WarpingErrorTests: XCTestCase {
    private let texture = Texture(seed: 11)

    /// Mean over pixels and channels of (a − b)², with no warp and no mask.
    private func plainSquaredDifference(_ a: Tensor, _ b: Tensor) -> Double {
        (0..<a.count).reduce(0.0) { $0 + Double(a.data[$1] - b.data[$1]) * Double(a.data[$1] - b.data[$1]) } / Double(a.count)
    }

    /// Two pairs of 3×1×3 frames, worked out on paper. Pair 1 (flow +1 px in x, last pixel masked):
    /// previous − ω(current) = R (−0.3, −0.7), G (−0.1, 0), B (−0.5, 0) over the two kept pixels: 0.84 / 6 = 0.14.
    /// Pair 2 (no motion, full mask): 0.2 against 0.3 everywhere: 0.01. Then a pair with an empty mask.
    func testHandComputedSequence() {
        let shape = Shape(channels: 3, height: 1, width: 3)
        let previous = Tensor(shape, values: [0.1, 0.2, 0.3, 0.5, 0.5, 0.5, 0, 0, 1])
        let current = Tensor(shape, values: [0, 0.4, 0.9, 0.5, 0.6, 0.5, 1, 0.5, 0])
        let shiftRight = Tensor(Shape(channels: 2, height: 1, width: 3), values: [1, 1, 1, 0, 0, 0])
        let mask = Tensor(Shape(channels: 1, height: 1, width: 3), values: [1, 1, 0])
        var error = WarpingError()
        XCTAssertEqual(try XCTUnwrap(error.add(previous: previous, current: current, flow: shiftRight, mask: mask)), 0.14, accuracy: 1e-6)

        let grey2 = Tensor(shape, values: [Float](repeating: 0.2, count: 9)), grey3 = Tensor(shape, values: [Float](repeating: 0.3, count: 9))
        let still = Tensor(Shape(channels: 2, height: 1, width: 3)), everywhere = Tensor(Shape(channels: 1, height: 1, width: 3), values: [1, 1, 1])
        XCTAssertEqual(try XCTUnwrap(error.add(previous: grey2, current: grey3, flow: still, mask: everywhere)), 0.01, accuracy: 1e-6)
        XCTAssertNil(error.add(previous: grey2, current: grey3, flow: still, mask: Tensor(Shape(channels: 1, height: 1, width: 3))))

        XCTAssertEqual([error.pairs, error.emptyPairs], [2, 1])
        XCTAssertEqual(try XCTUnwrap(error.value), (0.14 + 0.01) / 2, accuracy: 1e-6)
        XCTAssertEqual(try XCTUnwrap(error.meanCoverage), (2.0 / 3 + 1 + 0) / 3, accuracy: 1e-6)
    }

    /// A still textured clip measured against itself: nothing moves, nothing changes.
    func testStaticClipIsZero() {
        let frame = texture.render(height: 48, width: 64)
        var error = WarpingError()
        for _ in 0..<3 { error.add(previous: frame, current: frame.copy(), refPrevious: frame, refCurrent: frame.copy()) }
        print(String(format: "static clip: E = %.2e, coverage %.3f", error.value ?? -1, error.meanCoverage ?? -1))
        XCTAssertEqual(error.pairs, 3)
        XCTAssertLessThan(try XCTUnwrap(error.value), 1e-8)
        XCTAssertGreaterThan(try XCTUnwrap(error.meanCoverage), 0.95)
    }

    /// Frame t+1 is frame t moved by (4, −3) px: the reference's flow explains the motion, so the error is far
    /// below the plain frame difference, which the motion alone makes large.
    func testKnownShiftIsCompensated() throws {
        let (dx, dy) = (4.0, -3.0)
        var error = WarpingError()
        var plain = 0.0
        for t in 0..<3 {
            let a = texture.render(height: 72, width: 96) { ($0 - dx * Double(t), $1 - dy * Double(t)) }
            let b = texture.render(height: 72, width: 96) { ($0 - dx * Double(t + 1), $1 - dy * Double(t + 1)) }
            error.add(previous: a, current: b, refPrevious: a, refCurrent: b)
            plain += plainSquaredDifference(a, b) / 3
        }
        let e = try XCTUnwrap(error.value)
        print(String(format: "shift (4, −3) px: E = %.2e, plain difference %.2e, coverage %.3f", e, plain, error.meanCoverage ?? -1))
        XCTAssertLessThan(e, 1e-4)
        XCTAssertLessThan(e, plain / 50)
        // The strip the motion brings in from outside the frame is masked out: about 4/96 + 3/72 of the pixels.
        XCTAssertLessThan(try XCTUnwrap(error.meanCoverage), 0.97)
        XCTAssertGreaterThan(try XCTUnwrap(error.meanCoverage), 0.75)
    }

    /// The output changes from frame to frame while its reference stands still: the flow is zero, the mask
    /// full, and the error is exactly the plain squared difference of the output frames.
    func testChangingOutputOverStaticReference() {
        let reference = texture.render(height: 48, width: 64)
        let a = texture.render(height: 48, width: 64)
        let b = texture.render(height: 48, width: 64) { ($0 + 5, $1) }
        for i in 0..<b.count { b.data[i] += 0.1 }
        var error = WarpingError()
        error.add(previous: a, current: b, refPrevious: reference, refCurrent: reference.copy())
        let expected = plainSquaredDifference(a, b)
        print(String(format: "changing output, static reference: E = %.5f, expected %.5f", error.value ?? -1, expected))
        XCTAssertEqual(error.meanCoverage ?? 0, 1, accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(error.value), expected, accuracy: 1e-6 * expected)
        XCTAssertGreaterThan(expected, 0.01)
    }
}
