import Layers
import TensorCore
import XCTest

final class PoolTests: XCTestCase {
    /// Output sizes as torch computes them (ceil mode drops a last window that would start past the input).
    func testOutputLengths() {
        let floor3 = PoolGeometry(kernel: 3, stride: 2), ceil3 = PoolGeometry(kernel: 3, stride: 2, ceilMode: true)
        XCTAssertEqual(floor3.outputLength(55), 27)  // AlexNet at 224
        XCTAssertEqual(ceil3.outputLength(111), 55)  // SqueezeNet 1.1 at 224
        XCTAssertEqual(ceil3.outputLength(8), 4)
        XCTAssertEqual(floor3.outputLength(8), 3)
        XCTAssertEqual(ceil3.outputLength(7), 3)
        XCTAssertEqual(PoolGeometry(kernel: 2, stride: 2).outputLength(7), 3)
        XCTAssertEqual(PoolGeometry(kernel: 2, stride: 2, ceilMode: true).outputLength(7), 4)
    }

    /// Max and average pooling against a naive loop, including partial ceil-mode windows. Values on a coarse grid so
    /// windows often tie: the argmax must be the first maximum in row-major order (the rule the gradient had when it
    /// was recomputed from the input), and the backward pass must route every gradient there, bit for bit.
    func testPoolsMatchNaiveLoops() {
        var rng = TestRandom(8)
        for geometry in [PoolGeometry(kernel: 2, stride: 2), PoolGeometry(kernel: 2, stride: 2, ceilMode: true), PoolGeometry(kernel: 3, stride: 2, ceilMode: true), PoolGeometry(kernel: 3, stride: 2)] {
            let s = Shape(channels: 3, height: 10, width: 9), x = rng.array(s.count).map { ($0 * 4).rounded() / 4 }, out = geometry.outputShape(s)
            let dy = rng.array(out.count)
            var maxY = [Float](repeating: 0, count: out.count), avgY = maxY, argmax = [UInt8](repeating: 0, count: out.count)
            var dx = [Float](repeating: .nan, count: s.count), naiveDx = [Float](repeating: 0, count: s.count)
            maxY.withUnsafeMutableBufferPointer { MaxPool.forward(x, s, into: $0.baseAddress!, argmax: &argmax, geometry: geometry) }
            dx.withUnsafeMutableBufferPointer { MaxPool.backward(dy, argmax: argmax, s, into: $0.baseAddress!, geometry: geometry) }
            avgY.withUnsafeMutableBufferPointer { AvgPool.forward(x, s, into: $0.baseAddress!, geometry: geometry) }
            var ties = 0
            for c in 0..<3 {
                for oy in 0..<out.height {
                    for ox in 0..<out.width {
                        var cells: [(place: Int, at: Int)] = []
                        for dy in 0..<geometry.kernel {
                            for dx in 0..<geometry.kernel {
                                let y = oy * geometry.stride + dy, xx = ox * geometry.stride + dx
                                if y < s.height && xx < s.width { cells.append((dy * geometry.kernel + dx, (c * s.height + y) * s.width + xx)) }
                            }
                        }
                        let values = cells.map { x[$0.at] }, top = values.max()!, first = cells[values.firstIndex(of: top)!]
                        if values.filter({ $0 == top }).count > 1 { ties += 1 }
                        let o = (c * out.height + oy) * out.width + ox
                        XCTAssertEqual(maxY[o], top)
                        XCTAssertEqual(Int(argmax[o]), first.place, "\(geometry) output \(o)")
                        naiveDx[first.at] += dy[o]
                        XCTAssertEqual(avgY[o], values.reduce(0, +) / Float(values.count), accuracy: 1e-6)
                    }
                }
            }
            XCTAssertGreaterThan(ties, 5, "the data must exercise the tie rule")
            XCTAssertEqual(dx.map(\.bitPattern), naiveDx.map(\.bitPattern), "\(geometry) backward")
        }
    }
}
