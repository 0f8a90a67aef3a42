import Layers
import TensorCore
import XCTest

/// The cores split work without sharing outputs, so repeated passes must agree bit for bit; a race would not.
final class DeterminismTests: XCTestCase {
    override func setUp() { _ = try? BLAS.load() }

    func testRepeatedPassesAreBitwiseIdentical() {
        var rng = TestRandom(21)
        for (cin, cout, h, w) in [(64, 64, 40, 44), (128, 256, 12, 12), (3, 64, 30, 30)] {
            let s = Shape(channels: cin, height: h, width: w)
            let conv = Conv3x3(weight: rng.array(cout * cin * 9, scale: 0.1), bias: rng.array(cout), inChannels: cin, outChannels: cout)
            let x = rng.array(s.count), dy = rng.array(cout * h * w)
            let first = runConvolution(conv, x, s, dy: dy)
            for _ in 0..<20 {
                let again = runConvolution(conv, x, s, dy: dy)
                XCTAssertEqual(again.y, first.y, "forward \(cin)→\(cout)")
                XCTAssertEqual(again.dx, first.dx, "backward \(cin)→\(cout)")
            }
        }
    }
}
