import StyleTransfer
import TensorCore

/// Ruder et al.'s short-term temporal loss: weight/D · Σ c(p)·(x(p) − ω(x_prev)(p))² over pixels and
/// channels, D = C·H·W, pulling the frame towards the previous stylized frame warped onto it wherever the
/// mask c (`FlowConsistency`) trusts the flow.
public final class TemporalTerm: PixelTerm {
    public let name = "temporal"
    public let target: Tensor
    public let mask: Tensor
    public let weight: Double

    /// `target` is C×H×W, `mask` 1×H×W with weights in [0, 1].
    public init(target: Tensor, mask: Tensor, weight: Double) {
        precondition(mask.shape == Shape(channels: 1, height: target.shape.height, width: target.shape.width),
                     "mask \(mask.shape) for target \(target.shape)")
        self.target = target
        self.mask = mask
        self.weight = weight
    }

    public func evaluate(_ image: Tensor, gradient: Tensor) -> Double {
        precondition(image.shape == target.shape && gradient.shape == target.shape, "temporal term built for \(target.shape)")
        let s = image.shape, n = s.planeSize
        let k = weight / Double(s.count), g = Float(2 * k)
        var sum = 0.0
        for c in 0..<s.channels {
            for i in 0..<n {
                let j = c * n + i
                let d = image.data[j] - target.data[j], m = mask.data[i]
                sum += Double(m * d * d)
                gradient.data[j] += g * m * d
            }
        }
        return k * sum
    }
}
