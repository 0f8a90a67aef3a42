import Layers
import TensorCore
import XCTest

/// Every layer's backward against central finite differences of L = Σ r·y, accumulated in Double.
final class GradientTests: XCTestCase {
    override func setUp() { _ = try? BLAS.load() }

    /// `forward(x) -> y`, `backward(r) -> dL/dx`; checks `samples` input coordinates.
    private func check(
        _ label: String, input x: [Float], outputCount: Int, step h: Float = 1e-2, tolerance: Double = 2e-3,
        forward: ([Float]) -> [Float], backward: ([Float]) -> [Float], file: StaticString = #filePath, line: UInt = #line
    ) {
        var rng = TestRandom(99)
        let r = rng.array(outputCount)
        let dx = backward(r)
        XCTAssertEqual(dx.count, x.count, label, file: file, line: line)
        func loss(_ x: [Float]) -> Double { zip(forward(x), r).reduce(0.0) { $0 + Double($1.0) * Double($1.1) } }
        let stride = max(1, x.count / 40)
        for i in Swift.stride(from: 0, to: x.count, by: stride) {
            var plus = x, minus = x
            plus[i] += h
            minus[i] -= h
            let numeric = (loss(plus) - loss(minus)) / Double(2 * h)
            XCTAssertEqual(Double(dx[i]), numeric, accuracy: tolerance * max(1, abs(numeric)), "\(label) dx[\(i)]", file: file, line: line)
        }
    }

    /// Distinct values far apart (steps of 0.05) so a ±h probe never changes a max or a ReLU mask.
    private func separated(_ n: Int, seed: UInt64) -> [Float] {
        var rng = TestRandom(seed)
        var values = (0..<n).map { Float($0 - n / 2) * 0.05 + 0.025 }
        for i in stride(from: n - 1, to: 0, by: -1) { values.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
        return values
    }

    func testConvolutionsBackward() {
        var rng = TestRandom(5)
        let s = Shape(channels: 8, height: 6, width: 7)
        let w = rng.array(8 * 8 * 9, scale: 0.3), b = rng.array(8)
        let layers: [(String, Convolution, Shape)] = [
            ("winograd", Conv3x3(weight: w, bias: b, inChannels: 8, outChannels: 8, algorithm: .winograd), s),
            ("gemm", Conv3x3(weight: w, bias: b, inChannels: 8, outChannels: 8, algorithm: .gemm), s),
            ("conv 5×5/2 pad 2", Conv2d(weight: rng.array(4 * 3 * 25, scale: 0.3), bias: rng.array(4), inChannels: 3, outChannels: 4, kernel: 5, stride: 2, padding: 2),
             Shape(channels: 3, height: 9, width: 8)),
            ("conv 1×1", Conv2d(weight: rng.array(5 * 8), bias: rng.array(5), inChannels: 8, outChannels: 5, kernel: 1), s),
        ]
        for (label, conv, shape) in layers {
            let ws = Workspace(capacity: conv.workspaceSize(shape)), out = conv.outputShape(shape)
            check(label, input: rng.array(shape.count), outputCount: out.count, forward: { x in
                var y = [Float](repeating: 0, count: out.count)
                y.withUnsafeMutableBufferPointer { conv.forward(x, shape, into: $0.baseAddress!, workspace: ws) }
                return y
            }, backward: { r in
                var dx = [Float](repeating: 0, count: shape.count)
                dx.withUnsafeMutableBufferPointer { conv.backward(r, shape, into: $0.baseAddress!, workspace: ws) }
                return dx
            })
        }
    }

    func testReLUBackward() {
        let x = separated(3 * 5 * 7, seed: 1)
        var mask = [UInt8](repeating: 0, count: ReLU.maskBytes(x.count))
        check("relu", input: x, outputCount: x.count, step: 1e-3, forward: { x in
            var y = x
            y.withUnsafeMutableBufferPointer { ReLU.forward($0.baseAddress!, count: x.count, mask: &mask) }
            return y
        }, backward: { r in
            var y = x, g = r
            y.withUnsafeMutableBufferPointer { ReLU.forward($0.baseAddress!, count: x.count, mask: &mask) }
            g.withUnsafeMutableBufferPointer { ReLU.backward($0.baseAddress!, mask: mask, count: x.count) }
            return g
        })
    }

    func testPoolsBackward() {
        for geometry in [PoolGeometry(kernel: 2, stride: 2), PoolGeometry(kernel: 2, stride: 2, ceilMode: true), PoolGeometry(kernel: 3, stride: 2, ceilMode: true), PoolGeometry(kernel: 3, stride: 2)] {
            let s = Shape(channels: 2, height: 8, width: 9), out = geometry.outputShape(s)
            let x = separated(s.count, seed: 2)
            var argmax = [UInt8](repeating: 0, count: out.count)
            check("max \(geometry)", input: x, outputCount: out.count, step: 1e-3, forward: { x in
                var y = [Float](repeating: 0, count: out.count)
                y.withUnsafeMutableBufferPointer { MaxPool.forward(x, s, into: $0.baseAddress!, argmax: &argmax, geometry: geometry) }
                return y
            }, backward: { r in
                var y = [Float](repeating: 0, count: out.count), dx = [Float](repeating: 0, count: s.count)
                y.withUnsafeMutableBufferPointer { MaxPool.forward(x, s, into: $0.baseAddress!, argmax: &argmax, geometry: geometry) }
                dx.withUnsafeMutableBufferPointer { MaxPool.backward(r, argmax: argmax, s, into: $0.baseAddress!, geometry: geometry) }
                return dx
            })
            check("avg \(geometry)", input: x, outputCount: out.count, forward: { x in
                var y = [Float](repeating: 0, count: out.count)
                y.withUnsafeMutableBufferPointer { AvgPool.forward(x, s, into: $0.baseAddress!, geometry: geometry) }
                return y
            }, backward: { r in
                var dx = [Float](repeating: 0, count: s.count)
                dx.withUnsafeMutableBufferPointer { AvgPool.backward(r, s, into: $0.baseAddress!, geometry: geometry) }
                return dx
            })
        }
    }

    func testNormalizeBackward() {
        var rng = TestRandom(4)
        let s = Shape(channels: 3, height: 4, width: 5), image = rng.array(s.count)
        check("normalize", input: image, outputCount: s.count, forward: { x in
            var y = [Float](repeating: 0, count: s.count)
            y.withUnsafeMutableBufferPointer { Normalize.forward(x, s, into: $0.baseAddress!) }
            return y
        }, backward: { r in
            var dx = [Float](repeating: 0, count: s.count)
            dx.withUnsafeMutableBufferPointer { Normalize.backward(r, s, into: $0.baseAddress!) }
            return dx
        })
    }
}
