import TensorCore
import VideoStyle
import XCTest

final class FlowConsistencyTests: XCTestCase {
    private func constant(_ u: Float, _ v: Float, height: Int = 20, width: Int = 24) -> Tensor {
        let f = Tensor(channels: 2, height: height, width: width)
        let n = height * width
        for i in 0..<n { f.data[i] = u; f.data[n + i] = v }
        return f
    }

    func testOppositeFlowsAreTrustedExceptWhereTheyLeaveTheImage() {
        let mask = FlowConsistency.mask(forward: constant(3, 0), backward: constant(-3, 0))
        for y in 0..<20 {
            for x in 0..<24 { XCTAssertEqual(mask[0, y, x], x + 3 <= 23 ? 1 : 0, "(\(y), \(x))") }
        }
    }

    func testDisagreeingFlowsAreNotTrusted() {
        // |w + ŵ|² = 4 > 0.01·(9 + 1) + 0.5.
        let mask = FlowConsistency.mask(forward: constant(3, 0), backward: constant(-1, 0))
        XCTAssertEqual(mask.buffer.reduce(0, +), 0)
        // A small disagreement is within the tolerance: |w + ŵ|² = 0.25.
        let close = FlowConsistency.mask(forward: constant(0, 2), backward: constant(0, -1.5))
        XCTAssertEqual(close[0, 5, 5], 1)
    }

    /// The left half moves right by 2, the right half stays (both flows consistent): the pixels at the step
    /// are a motion boundary.
    func testMotionBoundaryIsNotTrusted() {
        let w = constant(0, 0), b = constant(0, 0)
        for y in 0..<20 { for x in 0..<12 { w[0, y, x] = 2; b[0, y, x + 2] = -2 } }
        let mask = FlowConsistency.mask(forward: w, backward: b)
        XCTAssertEqual(mask[0, 10, 5], 1)
        XCTAssertEqual(mask[0, 10, 18], 1)
        XCTAssertEqual(mask[0, 10, 11], 0)
        XCTAssertEqual(mask[0, 10, 12], 0)
    }

    /// `settle` on a still grey scene where a dark square has just left: the static background is trusted with
    /// zero flow, but where the square was neither the still nor the flow-warped previous frame explains the
    /// pixel, so it is not trusted even though the flows agreed there.
    func testSettleDistrustsWhatNeitherFlowExplains() {
        let previous = Tensor(channels: 3, height: 20, width: 24), frame = Tensor(channels: 3, height: 20, width: 24)
        for i in 0..<previous.count { previous.data[i] = 0.6; frame.data[i] = 0.6 }
        for c in 0..<3 { for y in 6..<14 { for x in 6..<14 { previous[c, y, x] = 0.1 } } }
        let flow = constant(0.4, 0), mask = Tensor(channels: 1, height: 20, width: 24)
        for i in 0..<mask.count { mask.data[i] = 1 }
        FlowConsistency.settle(flow, mask: mask, frame: frame, previous: previous)
        XCTAssertEqual(mask[0, 10, 10], 0, "where the square was")
        XCTAssertEqual(mask[0, 2, 20], 1, "still background")
        XCTAssertEqual(flow[0, 2, 20], 0, "still background snaps to zero flow")
    }
}
