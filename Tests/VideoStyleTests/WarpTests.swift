import TensorCore
import VideoStyle
import XCTest

final class WarpTests: XCTestCase {
    func testIntegerShiftMovesPixelsAndRepeatsTheEdge() {
        var g = TestRandom(seed: 1)
        let image = g.image(height: 5, width: 7)
        let flow = Tensor(channels: 2, height: 5, width: 7)
        for i in 0..<35 { flow.data[i] = 2; flow.data[35 + i] = -1 }
        let out = Warp.backward(image, flow: flow)
        for c in 0..<3 {
            for y in 0..<5 {
                for x in 0..<7 {
                    XCTAssertEqual(out[c, y, x], image[c, max(y - 1, 0), min(x + 2, 6)], "(\(c), \(y), \(x))")
                }
            }
        }
    }

    func testFractionalFlowInterpolatesBilinearly() {
        let image = Tensor(Shape(channels: 1, height: 2, width: 2), values: [0, 1, 2, 4])
        let flow = Tensor(channels: 2, height: 2, width: 2)
        flow.data[0] = 0.25; flow.data[4] = 0.5   // pixel (0, 0) samples (x 0.25, y 0.5)
        let out = Warp.backward(image, flow: flow)
        // Rows: 0 + 0.25·1 = 0.25 and 2 + 0.25·2 = 2.5; halfway between them: 1.375.
        XCTAssertEqual(out[0, 0, 0], 1.375, accuracy: 1e-6)
        XCTAssertEqual(out[0, 1, 1], 4)
    }
}
