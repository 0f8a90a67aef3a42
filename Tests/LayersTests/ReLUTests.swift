import Layers
import TensorCore
import XCTest

final class ReLUTests: XCTestCase {
    /// The packed mask against the rule it stands for, bit for bit, across the SIMD body and a partial last byte
    /// (counts around multiples of 8, zeros included): forward clamps, records y > 0, and backward zeroes the rest.
    func testMaskBitsAndTheGradientTheyPass() {
        var rng = TestRandom(3)
        for count in [1, 7, 8, 9, 64, 101, 1003] {
            let x = rng.array(count).map { $0.magnitude < 0.2 ? 0 : $0 }, dy = rng.array(count)
            var y = x, g = dy, mask = [UInt8](repeating: 0xAA, count: ReLU.maskBytes(count))
            y.withUnsafeMutableBufferPointer { ReLU.forward($0.baseAddress!, count: count, mask: &mask) }
            g.withUnsafeMutableBufferPointer { ReLU.backward($0.baseAddress!, mask: mask, count: count) }
            XCTAssertEqual(mask.count, (count + 7) / 8)
            XCTAssertEqual(y, x.map { max($0, 0) }, "forward \(count)")
            XCTAssertEqual((0..<count).map { mask[$0 / 8] >> ($0 % 8) & 1 == 1 }, x.map { $0 > 0 }, "mask \(count)")
            XCTAssertEqual(g, (0..<count).map { x[$0] > 0 ? dy[$0] : 0 }, "backward \(count)")
        }
    }
}
