import TensorCore
import XCTest

final class ResampleTests: XCTestCase {
    func testConstantImageStaysConstantEitherWay() {
        for filter in TensorResize.Filter.allCases {
            let t = Tensor(channels: 2, height: 7, width: 9)
            t.fill(0.3)
            for (h, w) in [(3, 4), (20, 13), (7, 30)] {
                let r = TensorResize.resize(t, height: h, width: w, filter: filter)
                XCTAssertEqual(r.shape, Shape(channels: 2, height: h, width: w))
                for v in r.values { XCTAssertEqual(v, 0.3, accuracy: 1e-6) }
            }
        }
    }

    func testHalvingWithTheTriangleFilterAveragesNeighbourhoods() {
        // Halving stretches the triangle to radius 2: output pixel 1 of a ramp sees inputs 1…4 with weights
        // 1,3,3,1 (/8) around centre 2.5 — the ramp's value there.
        let t = Tensor(channels: 1, height: 1, width: 8)
        for i in 0..<8 { t.data[i] = Float(i) }
        let r = TensorResize.resize(t, height: 1, width: 4, filter: .bilinear)
        XCTAssertEqual(r.data[1], 2.5, accuracy: 1e-5)
        XCTAssertEqual(r.data[2], 4.5, accuracy: 1e-5)
    }

    func testUpsamplingInterpolatesLinearRampsExactlyInside() {
        let t = Tensor(channels: 1, height: 4, width: 4)
        for y in 0..<4 { for x in 0..<4 { t[0, y, x] = Float(x) + 2 * Float(y) } }
        let r = TensorResize.resize(t, height: 8, width: 8, filter: .bicubic)
        // Output (3, 4) sits at input (1.25, 1.75) in pixel-index coordinates, where all four cubic taps exist.
        XCTAssertEqual(r[0, 3, 4], 1.75 + 2 * 1.25, accuracy: 1e-4)
    }
}
