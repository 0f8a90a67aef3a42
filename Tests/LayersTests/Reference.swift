import Layers
import TensorCore

/// Deterministic pseudo-random numbers for test data (SplitMix64).
struct TestRandom {
    var state: UInt64
    init(_ seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [-1, 1).
    mutating func uniform() -> Float { Float(Double(next() >> 11) / Double(1 << 53) * 2 - 1) }
    mutating func array(_ n: Int, scale: Float = 1) -> [Float] { (0..<n).map { _ in uniform() * scale } }
}

/// Naive direct convolution, accumulated in Double: the independent reference.
func directConv(_ x: [Float], _ s: Shape, weight: [Float], bias: [Float], cout: Int, k: Int, stride: Int, pad: Int) -> ([Float], Shape) {
    let ho = (s.height + 2 * pad - k) / stride + 1, wo = (s.width + 2 * pad - k) / stride + 1
    var y = [Float](repeating: 0, count: cout * ho * wo)
    for o in 0..<cout {
        for oy in 0..<ho {
            for ox in 0..<wo {
                var sum = Double(bias[o])
                for c in 0..<s.channels {
                    for ky in 0..<k {
                        let iy = oy * stride - pad + ky
                        if iy < 0 || iy >= s.height { continue }
                        for kx in 0..<k {
                            let ix = ox * stride - pad + kx
                            if ix < 0 || ix >= s.width { continue }
                            sum += Double(x[(c * s.height + iy) * s.width + ix]) * Double(weight[((o * s.channels + c) * k + ky) * k + kx])
                        }
                    }
                }
                y[(o * ho + oy) * wo + ox] = Float(sum)
            }
        }
    }
    return (y, Shape(channels: cout, height: ho, width: wo))
}

/// Naive input gradient of `directConv`: dx[c][iy][ix] = Σ dy[o][oy][ox] · w[o][c][ky][kx].
func directConvBackward(_ dy: [Float], input s: Shape, weight: [Float], cout: Int, k: Int, stride: Int, pad: Int) -> [Float] {
    let ho = (s.height + 2 * pad - k) / stride + 1, wo = (s.width + 2 * pad - k) / stride + 1
    var dx = [Double](repeating: 0, count: s.count)
    for o in 0..<cout {
        for oy in 0..<ho {
            for ox in 0..<wo {
                let g = Double(dy[(o * ho + oy) * wo + ox])
                for c in 0..<s.channels {
                    for ky in 0..<k {
                        let iy = oy * stride - pad + ky
                        if iy < 0 || iy >= s.height { continue }
                        for kx in 0..<k {
                            let ix = ox * stride - pad + kx
                            if ix < 0 || ix >= s.width { continue }
                            dx[(c * s.height + iy) * s.width + ix] += g * Double(weight[((o * s.channels + c) * k + ky) * k + kx])
                        }
                    }
                }
            }
        }
    }
    return dx.map(Float.init)
}

/// max |a − b| / max |b|: the relative error the Winograd and GEMM paths are held to.
func relativeError(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count)
    var diff: Float = 0, scale: Float = 0
    for i in 0..<a.count { diff = max(diff, abs(a[i] - b[i])); scale = max(scale, abs(b[i])) }
    return diff / max(scale, 1e-30)
}

/// Runs a convolution layer forward and backward on arrays.
func runConvolution(_ conv: Convolution, _ x: [Float], _ s: Shape, dy: [Float]) -> (y: [Float], dx: [Float]) {
    let out = conv.outputShape(s)
    let ws = Workspace(capacity: conv.workspaceSize(s))
    var y = [Float](repeating: .nan, count: out.count), dx = [Float](repeating: .nan, count: s.count)
    y.withUnsafeMutableBufferPointer { yb in conv.forward(x, s, into: yb.baseAddress!, workspace: ws) }
    dx.withUnsafeMutableBufferPointer { db in conv.backward(dy, s, into: db.baseAddress!, workspace: ws) }
    return (y, dx)
}
