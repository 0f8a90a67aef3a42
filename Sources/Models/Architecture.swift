#if canImport(Glibc)
import Glibc
#endif
import Layers
import TensorCore

/// How a network pools: torchvision's max pooling, or average pooling (smoother style images, Gatys et al.).
public enum Pooling: String, CaseIterable, Sendable, Codable { case max, avg }

/// The feature networks Stylize can run, with torchvision's `features` layouts.
public enum Architecture: String, CaseIterable, Sendable {
    case vgg16, vgg19, alexnet, squeezenet1_1

    /// Builds the network from torchvision `state_dict` weights, after checking every tensor it needs (`validated`).
    /// `algorithm` forces one 3×3 convolution path (benchmarks compare them); nil picks the fastest.
    public func makeNetwork(weights: WeightSet, pooling: Pooling = .max, algorithm: Conv3x3.Algorithm? = nil) throws -> FeatureNetwork {
        try SequentialNetwork(name: rawValue, layout: layout, weights: validated(weights, file: nil), pooling: pooling, algorithm: algorithm)
    }

    /// He-initialised weights (normal, std √(2/fan-in), zero bias) for benchmarks and tests: speed does not depend on values.
    public func randomWeights(seed: UInt64) -> WeightSet {
        var rng = NormalGenerator(seed: seed)
        var set = WeightSet()
        for tensor in layout.tensors {
            let fanIn = tensor.shape.dropFirst().reduce(1, *)
            let values: [Float] = tensor.shape.count == 1
                ? [Float](repeating: 0, count: tensor.shape[0])
                : (0..<tensor.shape.reduce(1, *)).map { _ in rng.next() * Float((2 / Double(fanIn)).squareRoot()) }
            set[tensor.name] = WeightArray(shape: tensor.shape, values: values)
        }
        return set
    }

    var layout: Layout {
        switch self {
        case .vgg16: return .vgg([2, 2, 3, 3, 3])
        case .vgg19: return .vgg([2, 2, 4, 4, 4])
        case .alexnet: return .alexnet
        case .squeezenet1_1: return .squeezenet1_1
        }
    }
}

/// Standard normal samples (Box–Muller over `SeededGenerator`), reproducible from a seed.
struct NormalGenerator {
    private var uniforms: SeededGenerator
    private var spare: Float?
    init(seed: UInt64) { uniforms = SeededGenerator(seed: seed) }

    /// Uniform in (0, 1): never 0, so the logarithm below stays finite.
    private mutating func uniform() -> Double { (Double(uniforms.next() >> 11) + 0.5) / Double(1 << 53) }

    mutating func next() -> Float {
        if let s = spare { spare = nil; return s }
        let r = (-2 * log(uniform())).squareRoot(), t = 2 * Double.pi * uniform()
        spare = Float(r * sin(t))
        return Float(r * cos(t))
    }
}
