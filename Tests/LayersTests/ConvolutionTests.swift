import Layers
import TensorCore
import XCTest

final class ConvolutionTests: XCTestCase {
    override func setUp() { _ = try? BLAS.load() }

    /// Odd sizes, channel counts that are no multiple of a vector, one pixel, maps cut into several blocks of
    /// tiles (57×74: 285 tiles, blocks start inside a tile row) and maps so small the workers split channels.
    /// Blocks of 9, 25 and 42 tiles take one, two and three vectors of tiles with several channel groups at once;
    /// 150 channels, in or out, take the sum over k in slices of 64, the last shorter.
    private let cases = [(8, 16, 7, 9), (16, 8, 1, 1), (8, 8, 13, 13), (24, 16, 16, 16), (16, 32, 5, 22), (5, 7, 13, 17), (16, 8, 57, 74), (64, 48, 20, 18), (16, 40, 12, 12), (8, 30, 24, 28), (150, 20, 9, 11), (20, 150, 9, 11)]

    /// Bound on max |result − direct| / max |direct|. F(4×4,3×3) in Float measures 1e-6 to 1e-5 on these cases
    /// (2e-5 at 512 channels): its transforms (entries up to 8 in Aᵀ, 5 in Bᵀ, down to 1/24 in G) amplify the
    /// rounding of the 36·K products about tenfold over a direct dot product of 9·K terms. A wrong coefficient,
    /// tile or channel gives errors of order 0.1 to 1, so 1e-4 separates the two with room either side.
    private let winogradBound: Float = 1e-4

    /// One instruction set's Winograd, forward and backward, against the direct loop in Double; and backward as
    /// the exact adjoint of forward: ⟨dy, conv(x)⟩ = ⟨conv⊤(dy), x⟩ without bias.
    private func checkWinograd(_ isa: WinogradISA, file: StaticString = #filePath, line: UInt = #line) {
        var rng = TestRandom(1)
        for (cin, cout, h, w) in cases {
            let s = Shape(channels: cin, height: h, width: w)
            let x = rng.array(s.count), weight = rng.array(cout * cin * 9, scale: 0.5), bias = rng.array(cout)
            let dy = rng.array(cout * h * w)
            let conv = Conv3x3(weight: weight, bias: bias, inChannels: cin, outChannels: cout, algorithm: .winograd, isa: isa)
            let (y, dx) = runConvolution(conv, x, s, dy: dy)
            let label = "\(isa) \(cin)→\(cout) \(h)×\(w)"
            let yRef = directConv(x, s, weight: weight, bias: bias, cout: cout, k: 3, stride: 1, pad: 1).0
            XCTAssertLessThan(relativeError(y, yRef), winogradBound, "forward \(label)", file: file, line: line)
            let dxRef = directConvBackward(dy, input: s, weight: weight, cout: cout, k: 3, stride: 1, pad: 1)
            XCTAssertLessThan(relativeError(dx, dxRef), winogradBound, "backward \(label)", file: file, line: line)
            var outer = 0.0, inner = 0.0, scale = 0.0
            for i in 0..<y.count { outer += Double(dy[i]) * Double(y[i] - bias[i / (h * w)]); scale += abs(Double(dy[i]) * Double(y[i])) }
            for i in 0..<x.count { inner += Double(dx[i]) * Double(x[i]) }
            XCTAssertLessThan(abs(outer - inner) / scale, 1e-5, "adjoint \(label)", file: file, line: line)
        }
    }

    func testWinogradAVX2MatchesDirectConvolution() throws {
        guard WinogradISA.avx2.isSupported else { throw XCTSkip("this CPU has no AVX2+FMA: the AVX2 build cannot run here") }
        checkWinograd(.avx2)
    }

    func testWinogradAVX512MatchesDirectConvolution() throws {
        guard WinogradISA.avx512.isSupported else {
            throw XCTSkip("this CPU has no AVX-512 (F, VL, DQ, BW): the AVX-512 build is not run here; the AVX2 test runs the same source at half the width")
        }
        checkWinograd(.avx512)
    }

    /// Each lane sums over k in one order whatever the vector width, block or channel grouping, so the AVX2 and
    /// AVX-512 builds give the same bits: a picture comes out the same on either kind of machine.
    func testAVX2AndAVX512GiveTheSameBits() throws {
        guard WinogradISA.avx512.isSupported else {
            throw XCTSkip("this CPU has no AVX-512 (F, VL, DQ, BW): there is no second build to compare the AVX2 one with")
        }
        var rng = TestRandom(2)
        for (cin, cout, h, w) in cases + [(200, 64, 40, 36)] {
            let s = Shape(channels: cin, height: h, width: w)
            let x = rng.array(s.count), weight = rng.array(cout * cin * 9, scale: 0.5), bias = rng.array(cout), dy = rng.array(cout * h * w)
            let runs = [WinogradISA.avx2, .avx512].map { isa in
                runConvolution(Conv3x3(weight: weight, bias: bias, inChannels: cin, outChannels: cout, algorithm: .winograd, isa: isa), x, s, dy: dy)
            }
            XCTAssertEqual(runs[0].y, runs[1].y, "forward \(cin)→\(cout) \(h)×\(w)")
            XCTAssertEqual(runs[0].dx, runs[1].dx, "backward \(cin)→\(cout) \(h)×\(w)")
        }
    }

    /// The portable build, which CPUs without AVX2 run.
    func testWinogradGenericMatchesDirectConvolution() { checkWinograd(.generic) }

    /// im2col + GEMM, the 3×3 path of image inputs.
    func testConv3x3GEMMMatchesDirectConvolution() {
        var rng = TestRandom(1)
        for (cin, cout, h, w) in [(3, 8, 6, 7), (8, 16, 7, 9), (16, 8, 1, 1), (5, 7, 13, 17)] {
            let s = Shape(channels: cin, height: h, width: w)
            let x = rng.array(s.count), weight = rng.array(cout * cin * 9, scale: 0.5), bias = rng.array(cout)
            let dy = rng.array(cout * h * w)
            let conv = Conv3x3(weight: weight, bias: bias, inChannels: cin, outChannels: cout, algorithm: .gemm)
            let (y, dx) = runConvolution(conv, x, s, dy: dy)
            XCTAssertLessThan(relativeError(y, directConv(x, s, weight: weight, bias: bias, cout: cout, k: 3, stride: 1, pad: 1).0), 1e-5, "forward \(cin)→\(cout) \(h)×\(w)")
            XCTAssertLessThan(relativeError(dx, directConvBackward(dy, input: s, weight: weight, cout: cout, k: 3, stride: 1, pad: 1)), 1e-5, "backward \(cin)→\(cout) \(h)×\(w)")
        }
    }

    /// `STYLIZE_ISA` names are the descriptions, and the default is a set this CPU runs.
    func testActiveInstructionSetIsSupported() {
        XCTAssertTrue(WinogradISA.active.isSupported)
        XCTAssertTrue(WinogradISA.best.isSupported)
        XCTAssertEqual(WinogradISA.allCases.map(\.description), ["generic", "avx2", "avx512"])
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
