import Models
import TensorCore

/// A small FeatureNetwork with naive loops, for checking the objective's gradients independently of the real
/// kernels: conv1_1 (3→4, 3×3, pad 1) → relu1_1 → pool1 (avg 2×2) → conv2_1 (4→6) → relu2_1.
final class TinyNetwork: FeatureNetwork {
    let name = "tiny"
    let layerNames = ["conv1_1", "relu1_1", "pool1", "conv2_1", "relu2_1"]
    private let w1: [Float], b1: [Float], w2: [Float], b2: [Float]
    private var activations: [String: Tensor] = [:]
    private var inputShape = Shape(channels: 3, height: 1, width: 1)
    private(set) var forwardCount = 0

    init(seed: UInt64 = 1) {
        var g = TestRandom(seed: seed)
        w1 = (0..<(4 * 3 * 9)).map { _ in g.uniform(-0.5, 0.5) }
        b1 = (0..<4).map { _ in g.uniform(-0.1, 0.1) }
        w2 = (0..<(6 * 4 * 9)).map { _ in g.uniform(-0.4, 0.4) }
        b2 = (0..<6).map { _ in g.uniform(-0.1, 0.1) }
    }

    func forward(_ image: Tensor, taps: Set<String>) throws -> [String: Tensor] {
        forwardCount += 1
        inputShape = image.shape
        let c1 = conv(image, w1, b1, outputs: 4)
        let r1 = c1.copy(); relu(r1)
        let p1 = pool(r1)
        let c2 = conv(p1, w2, b2, outputs: 6)
        let r2 = c2.copy(); relu(r2)
        activations = ["input": image.copy(), "conv1_1": c1, "relu1_1": r1, "pool1": p1, "conv2_1": c2, "relu2_1": r2]
        var out: [String: Tensor] = [:]
        for t in taps { out[t] = activations[t]?.copy() }  // the caller may overwrite its taps
        return out
    }

    func backward(_ tapGradients: [String: Tensor]) -> Tensor {
        func tap(_ name: String, _ shape: Shape) -> Tensor { tapGradients[name]?.copy() ?? Tensor(shape) }
        let a = activations
        var g = tap("relu2_1", a["relu2_1"]!.shape)
        mask(g, by: a["relu2_1"]!)
        add(g, tapGradients["conv2_1"])
        g = convBackward(g, input: a["pool1"]!, w2, inputs: 4)
        add(g, tapGradients["pool1"])
        g = poolBackward(g, shape: a["relu1_1"]!.shape)
        add(g, tapGradients["relu1_1"])
        mask(g, by: a["relu1_1"]!)
        add(g, tapGradients["conv1_1"])
        return convBackward(g, input: a["input"]!, w1, inputs: 3)
    }

    private func add(_ g: Tensor, _ other: Tensor?) {
        guard let other else { return }
        for i in 0..<g.count { g.data[i] += other.data[i] }
    }

    private func relu(_ t: Tensor) { for i in 0..<t.count { t.data[i] = max(t.data[i], 0) } }
    private func mask(_ g: Tensor, by y: Tensor) { for i in 0..<g.count where y.data[i] <= 0 { g.data[i] = 0 } }

    private func conv(_ x: Tensor, _ w: [Float], _ b: [Float], outputs: Int) -> Tensor {
        let s = x.shape, y = Tensor(channels: outputs, height: s.height, width: s.width)
        for o in 0..<outputs {
            for i in 0..<s.height {
                for j in 0..<s.width {
                    var sum = b[o]
                    for c in 0..<s.channels {
                        for ky in 0..<3 {
                            for kx in 0..<3 {
                                let yy = i + ky - 1, xx = j + kx - 1
                                guard yy >= 0, yy < s.height, xx >= 0, xx < s.width else { continue }
                                sum += w[((o * s.channels + c) * 3 + ky) * 3 + kx] * x[c, yy, xx]
                            }
                        }
                    }
                    y[o, i, j] = sum
                }
            }
        }
        return y
    }

    private func convBackward(_ dy: Tensor, input x: Tensor, _ w: [Float], inputs: Int) -> Tensor {
        let s = x.shape, dx = Tensor(s)
        for o in 0..<dy.shape.channels {
            for i in 0..<s.height {
                for j in 0..<s.width {
                    let g = dy[o, i, j]
                    for c in 0..<inputs {
                        for ky in 0..<3 {
                            for kx in 0..<3 {
                                let yy = i + ky - 1, xx = j + kx - 1
                                guard yy >= 0, yy < s.height, xx >= 0, xx < s.width else { continue }
                                dx[c, yy, xx] += w[((o * inputs + c) * 3 + ky) * 3 + kx] * g
                            }
                        }
                    }
                }
            }
        }
        return dx
    }

    private func pool(_ x: Tensor) -> Tensor {
        let s = x.shape, y = Tensor(channels: s.channels, height: s.height / 2, width: s.width / 2)
        for c in 0..<s.channels {
            for i in 0..<y.shape.height {
                for j in 0..<y.shape.width {
                    y[c, i, j] = (x[c, 2 * i, 2 * j] + x[c, 2 * i + 1, 2 * j] + x[c, 2 * i, 2 * j + 1] + x[c, 2 * i + 1, 2 * j + 1]) / 4
                }
            }
        }
        return y
    }

    private func poolBackward(_ dy: Tensor, shape: Shape) -> Tensor {
        let dx = Tensor(shape)
        for c in 0..<dy.shape.channels {
            for i in 0..<dy.shape.height {
                for j in 0..<dy.shape.width {
                    let g = dy[c, i, j] / 4
                    dx[c, 2 * i, 2 * j] = g
                    dx[c, 2 * i + 1, 2 * j] = g
                    dx[c, 2 * i, 2 * j + 1] = g
                    dx[c, 2 * i + 1, 2 * j + 1] = g
                }
            }
        }
        return dx
    }
}

/// A test-side generator (SplitMix64), independent of the engine's.
struct TestRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func uniform(_ lo: Float, _ hi: Float) -> Float { lo + (hi - lo) * Float(next() >> 40) / 16_777_216 }

    mutating func image(height: Int, width: Int, range: ClosedRange<Float> = 0.1...0.9) -> Tensor {
        let t = Tensor(channels: 3, height: height, width: width)
        for i in 0..<t.count { t.data[i] = uniform(range.lowerBound, range.upperBound) }
        return t
    }
}
