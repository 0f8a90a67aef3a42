import TensorCore

// Total variation: k·Σ over channels of (x[y][x+1] − x[y][x])² + (x[y+1][x] − x[y][x])².
//   forward: image C×H×W → scalar      backward: ∂/∂x, added into a C×H×W gradient
//   wrapped (a tileable picture): the last column's right neighbour is the first column, likewise for rows.
public enum TotalVariation {
    /// Returns TV(image) and adds `weight · ∂TV/∂image` to `gradient`.
    public static func evaluate(_ image: Tensor, factor: Double, weight: Double, wrap: Bool = false,
                                accumulateInto gradient: Tensor) -> Double {
        let s = image.shape, w = s.width, h = s.height
        var sum = 0.0
        let g = Float(2 * factor * weight)
        for c in 0..<s.channels {
            let p = image.data + c * s.planeSize, d = gradient.data + c * s.planeSize
            for y in 0..<h {
                for x in 0..<w {
                    let i = y * w + x
                    if x + 1 < w || (wrap && w > 1) {
                        let right = x + 1 < w ? i + 1 : y * w
                        let diff = p[right] - p[i]
                        sum += Double(diff * diff)
                        d[right] += g * diff
                        d[i] -= g * diff
                    }
                    if y + 1 < h || (wrap && h > 1) {
                        let below = y + 1 < h ? i + w : x
                        let diff = p[below] - p[i]
                        sum += Double(diff * diff)
                        d[below] += g * diff
                        d[i] -= g * diff
                    }
                }
            }
        }
        return factor * sum
    }
}
