import TensorCore

// Total variation: k·Σ over channels of (x[y][x+1] − x[y][x])² + (x[y+1][x] − x[y][x])².
//   forward: image C×H×W → scalar      backward: ∂/∂x, added into a C×H×W gradient
public enum TotalVariation {
    /// Returns TV(image) and adds `weight · ∂TV/∂image` to `gradient`.
    public static func evaluate(_ image: Tensor, factor: Double, weight: Double, accumulateInto gradient: Tensor) -> Double {
        let s = image.shape, w = s.width, h = s.height
        var sum = 0.0
        let g = Float(2 * factor * weight)
        for c in 0..<s.channels {
            let p = image.data + c * s.planeSize, d = gradient.data + c * s.planeSize
            for y in 0..<h {
                for x in 0..<w {
                    let i = y * w + x
                    if x + 1 < w {
                        let diff = p[i + 1] - p[i]
                        sum += Double(diff * diff)
                        d[i + 1] += g * diff
                        d[i] -= g * diff
                    }
                    if y + 1 < h {
                        let diff = p[i + w] - p[i]
                        sum += Double(diff * diff)
                        d[i + w] += g * diff
                        d[i] -= g * diff
                    }
                }
            }
        }
        return factor * sum
    }
}
