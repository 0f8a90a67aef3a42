import TensorCore
import XCTest

final class ResampleTests: XCTestCase {
    func testConstantImageStaysConstantEitherWay() {
        for filter in TensorResize.Filter.allCases {
            let t = Tensor(channels: 2, height: 7, width: 9)
            t.fill(0.3)
            for (h, w) in [(3, 4), (20, 13), (7, 30)] {
                let r = TensorResize.resize(t, height: h, width: w, filter: filter, wrap: filter == .trigonometric)
                XCTAssertEqual(r.shape, Shape(channels: 2, height: h, width: w))
                for v in r.values { XCTAssertEqual(v, 0.3, accuracy: 1e-6) }
            }
        }
    }

    func testBackwardIsTheAdjointOfResizing() {
        // ⟨resize(x), g⟩ = ⟨x, resizeBackward(g)⟩ for any x and g: downscaling, upscaling and a mix of the two.
        var seed: UInt64 = 7
        func random(_ shape: Shape) -> Tensor {
            let t = Tensor(shape)
            for i in 0..<t.count {
                seed = seed &* 6364136223846793005 &+ 1442695040888963407
                t.data[i] = Float(seed >> 40) / Float(1 << 24) - 0.5
            }
            return t
        }
        func dot(_ a: Tensor, _ b: Tensor) -> Double { (0..<a.count).reduce(0.0) { $0 + Double(a.data[$1]) * Double(b.data[$1]) } }
        for filter in TensorResize.Filter.allCases {
            for (h, w) in [(13, 9), (40, 61), (11, 50)] {
                let x = random(Shape(channels: 2, height: 23, width: 31)), g = random(Shape(channels: 2, height: h, width: w))
                let forward = dot(TensorResize.resize(x, height: h, width: w, filter: filter, wrap: filter == .trigonometric), g)
                let back = TensorResize.resizeBackward(g, height: 23, width: 31, filter: filter, wrap: filter == .trigonometric)
                XCTAssertEqual(back.shape, x.shape)
                XCTAssertEqual(forward, dot(x, back), accuracy: 1e-5 * max(1, abs(forward)), "\(filter) to \(h)×\(w)")
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

    /// A picture that wraps: the kernel's taps past an edge come from the opposite side, so resizing commutes with a
    /// circular shift of whole input steps; and the trigonometric filter reproduces a cosine the sizes hold exactly
    /// at any position, seam or not.
    func testWrappingResizesTreatTheEdgesAsAnyOtherPlace() {
        let n = 12, t = Tensor(channels: 1, height: 1, width: n), shifted = Tensor(channels: 1, height: 1, width: n)
        for x in 0..<n { t.data[x] = Float(x % 5) / 4 }
        for x in 0..<n { shifted.data[(x + 3) % n] = t.data[x] }
        for filter in TensorResize.Filter.allCases {
            // 12 → 8 and 12 → 24: 3 input steps are 2 and 6 output steps.
            for (m, step) in [(8, 2), (24, 6)] {
                let a = TensorResize.resize(t, height: 1, width: m, filter: filter, wrap: true)
                let b = TensorResize.resize(shifted, height: 1, width: m, filter: filter, wrap: true)
                for x in 0..<m { XCTAssertEqual(b.data[(x + step) % m], a.data[x], accuracy: 1e-5, "\(filter) to \(m) at \(x)") }
            }
        }
        let wave = Tensor(channels: 1, height: 1, width: 10)
        func cosine(_ t: Double, period n: Int) -> Float { Float(0.5 + 0.3 * cos(2 * Double.pi * 2 * (t + 0.5) / Double(n) + 0.4)) }
        for x in 0..<10 { wave.data[x] = cosine(Double(x), period: 10) }
        let up = TensorResize.resize(wave, height: 1, width: 16, filter: .trigonometric, wrap: true)
        for x in 0..<16 { XCTAssertEqual(up.data[x], cosine((Double(x) + 0.5) * 10 / 16 - 0.5, period: 10), accuracy: 1e-5, "at \(x)") }
        let plain = TensorResize.resize(t, height: 1, width: 24, filter: .bicubic)
        let wrapped = TensorResize.resize(t, height: 1, width: 24, filter: .bicubic, wrap: true)
        XCTAssertNotEqual(plain.data[0], wrapped.data[0], "without wrap the first pixel does not see the last")
    }
}
