import Foundation
import Media
import Models
import TensorCore
import XCTest

/// A deterministic generator for test data (SplitMix64).
struct TestRandom {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func uniform(_ a: Double, _ b: Double) -> Double { a + (b - a) * Double(next() >> 11) / Double(1 << 53) }
    mutating func image(channels: Int = 3, height: Int, width: Int) -> Tensor {
        let t = Tensor(channels: channels, height: height, width: width)
        for i in 0..<t.count { t.data[i] = Float(uniform(0, 1)) }
        return t
    }
}

/// A smooth analytic RGB texture (sums of plane waves, wavelengths 7–30 px) that can be sampled anywhere, so
/// moved copies carry no interpolation error.
struct Texture {
    private var waves: [(kx: Double, ky: Double, phase: Double, amplitude: [Double])] = []

    init(seed: UInt64) {
        var g = TestRandom(seed: seed)
        for _ in 0..<14 {
            let wavelength = g.uniform(7, 30), angle = g.uniform(0, 2 * .pi)
            let k = 2 * Double.pi / wavelength
            waves.append((k * cos(angle), k * sin(angle), g.uniform(0, 2 * .pi), (0..<3).map { _ in g.uniform(0.01, 0.05) }))
        }
    }

    func value(_ c: Int, _ x: Double, _ y: Double) -> Float {
        Float(0.5 + waves.reduce(0) { $0 + $1.amplitude[c] * sin($1.kx * x + $1.ky * y + $1.phase) })
    }

    /// The image whose pixel p shows the texture at `source(p)`.
    func render(height: Int, width: Int, source: (Double, Double) -> (Double, Double) = { ($0, $1) }) -> Tensor {
        let t = Tensor(channels: 3, height: height, width: width)
        for y in 0..<height {
            for x in 0..<width {
                let (sx, sy) = source(Double(x), Double(y))
                for c in 0..<3 { t[c, y, x] = value(c, sx, sy) }
            }
        }
        return t
    }
}

/// Mean and largest endpoint error of `flow` against `truth(x, y)` over pixels at least `margin` from the border.
func endpointError(_ flow: Tensor, margin: Int, truth: (Double, Double) -> (Double, Double)) -> (mean: Double, max: Double) {
    let h = flow.shape.height, w = flow.shape.width
    var sum = 0.0, worst = 0.0, n = 0
    for y in margin..<(h - margin) {
        for x in margin..<(w - margin) {
            let (u, v) = truth(Double(x), Double(y))
            let e = ((Double(flow[0, y, x]) - u) * (Double(flow[0, y, x]) - u) + (Double(flow[1, y, x]) - v) * (Double(flow[1, y, x]) - v)).squareRoot()
            sum += e
            worst = max(worst, e)
            n += 1
        }
    }
    return (sum / Double(n), worst)
}

/// PSNR (peak 1) between two tensors of one shape, over the pixels where `mask` (1×H×W) is nonzero, if given.
func psnr(_ a: Tensor, _ b: Tensor, mask: Tensor? = nil) -> Double {
    let n = a.shape.planeSize
    var sum = 0.0, count = 0
    for i in 0..<n where mask.map({ $0.data[i] > 0 }) ?? true {
        for c in 0..<a.shape.channels {
            let d = Double(a.data[c * n + i] - b.data[c * n + i])
            sum += d * d
            count += 1
        }
    }
    return 10 * log10(1 / (sum / Double(count)))
}

func samplePath(_ name: String) -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Samples/\(name)").standardized.path
}

func readSample(_ name: String) throws -> Tensor {
    let image = try ImageReader.read(samplePath(name))
    return Tensor(Shape(channels: 3, height: image.height, width: image.width), values: image.planes)
}

/// A feature network whose only layer is the image itself: content loss is then a pixel distance and the
/// style loss the Gram of the colours, cheap and exact enough for driver tests.
final class IdentityNetwork: FeatureNetwork {
    let name = "identity"
    let layerNames = ["pixels"]

    func forward(_ image: Tensor, taps: Set<String>) throws -> [String: Tensor] {
        taps.contains("pixels") ? ["pixels": image.copy()] : [:]
    }

    func backward(_ tapGradients: [String: Tensor]) -> Tensor { tapGradients["pixels"]!.copy() }
}
