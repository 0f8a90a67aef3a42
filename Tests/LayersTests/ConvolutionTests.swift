import Layers
import TensorCore
import XCTest

final class ConvolutionTests: XCTestCase {
    override func setUp() { _ = try? BLAS.load() }

    /// Winograd and GEMM 3×3 paths against the direct loop, forward and backward, on odd sizes.
    func testConv3x3PathsMatchDirectConvolution() {
        var rng = TestRandom(1)
        let cases = [(8, 16, 7, 9), (16, 8, 1, 1), (8, 8, 13, 13), (24, 16, 16, 16), (16, 32, 5, 22), (3, 8, 6, 7)]
        for (cin, cout, h, w) in cases {
            let s = Shape(channels: cin, height: h, width: w)
            let x = rng.array(s.count), weight = rng.array(cout * cin * 9, scale: 0.5), bias = rng.array(cout)
            let dy = rng.array(cout * h * w)
            let (yRef, _) = directConv(x, s, weight: weight, bias: bias, cout: cout, k: 3, stride: 1, pad: 1)
            let dxRef = directConvBackward(dy, input: s, weight: weight, cout: cout, k: 3, stride: 1, pad: 1)
            var algorithms: [Conv3x3.Algorithm] = [.gemm]
            if cin % 8 == 0 { algorithms.append(.winograd) }
            for algorithm in algorithms {
                let conv = Conv3x3(weight: weight, bias: bias, inChannels: cin, outChannels: cout, algorithm: algorithm)
                let (y, dx) = runConvolution(conv, x, s, dy: dy)
                XCTAssertLessThan(relativeError(y, yRef), 1e-4, "\(algorithm) forward \(cin)→\(cout) \(h)×\(w)")
                XCTAssertLessThan(relativeError(dx, dxRef), 1e-4, "\(algorithm) backward \(cin)→\(cout) \(h)×\(w)")
            }
        }
    }

    /// Many tiles: exercises the per-core chunks, including chunks that start inside a tile row.
    func testWinogradOnALargerMapMatchesDirect() {
        var rng = TestRandom(2)
        let s = Shape(channels: 16, height: 57, width: 74), cout = 8  // 15×19 tiles: chunks split tile rows
        let x = rng.array(s.count), weight = rng.array(cout * 16 * 9, scale: 0.3), bias = rng.array(cout)
        let dy = rng.array(cout * s.planeSize)
        let conv = Conv3x3(weight: weight, bias: bias, inChannels: 16, outChannels: cout, algorithm: .winograd)
        let (y, dx) = runConvolution(conv, x, s, dy: dy)
        XCTAssertLessThan(relativeError(y, directConv(x, s, weight: weight, bias: bias, cout: cout, k: 3, stride: 1, pad: 1).0), 1e-4)
        XCTAssertLessThan(relativeError(dx, directConvBackward(dy, input: s, weight: weight, cout: cout, k: 3, stride: 1, pad: 1)), 1e-4)
    }

    /// The general convolution on the shapes AlexNet and SqueezeNet use.
    func testConv2dMatchesDirectConvolution() {
        var rng = TestRandom(3)
        // (cin, cout, k, stride, pad, h, w)
        let cases = [(3, 8, 11, 4, 2, 27, 31), (4, 6, 5, 1, 2, 9, 8), (5, 7, 1, 1, 0, 6, 5), (3, 4, 3, 2, 0, 11, 12), (2, 3, 3, 1, 1, 4, 4)]
        for (cin, cout, k, stride, pad, h, w) in cases {
            let s = Shape(channels: cin, height: h, width: w)
            let x = rng.array(s.count), weight = rng.array(cout * cin * k * k, scale: 0.3), bias = rng.array(cout)
            let conv = Conv2d(weight: weight, bias: bias, inChannels: cin, outChannels: cout, kernel: k, stride: stride, padding: pad)
            let (yRef, outShape) = directConv(x, s, weight: weight, bias: bias, cout: cout, k: k, stride: stride, pad: pad)
            XCTAssertEqual(conv.outputShape(s), outShape)
            let dy = rng.array(outShape.count)
            let (y, dx) = runConvolution(conv, x, s, dy: dy)
            XCTAssertLessThan(relativeError(y, yRef), 1e-5, "forward k\(k) s\(stride) p\(pad)")
            let dxRef = directConvBackward(dy, input: s, weight: weight, cout: cout, k: k, stride: stride, pad: pad)
            XCTAssertLessThan(relativeError(dx, dxRef), 1e-5, "backward k\(k) s\(stride) p\(pad)")
        }
    }
}
