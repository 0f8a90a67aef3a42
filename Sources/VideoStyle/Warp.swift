import TensorCore

/// Backward warping ω: out(p) = image(p + flow(p)), bilinear. `flow` is 2×H×W (dx, dy in pixels) on the
/// output's grid. Sample points beyond the border are clamped to it (the edge pixels repeat); callers that
/// must not trust those pixels mask them out (`FlowConsistency` does).
public enum Warp {
    public static func backward(_ image: Tensor, flow: Tensor) -> Tensor {
        let s = image.shape, h = s.height, w = s.width
        precondition(flow.shape == Shape(channels: 2, height: h, width: w), "flow \(flow.shape) for image \(s)")
        let out = Tensor(s)
        let u = flow.data, v = flow.data + s.planeSize
        for y in 0..<h {
            for x in 0..<w {
                let i = y * w + x
                let sx = min(max(Float(x) + u[i], 0), Float(w - 1))
                let sy = min(max(Float(y) + v[i], 0), Float(h - 1))
                let x0 = Int(sx), y0 = Int(sy)
                let x1 = min(x0 + 1, w - 1), y1 = min(y0 + 1, h - 1)
                let fx = sx - Float(x0), fy = sy - Float(y0)
                for c in 0..<s.channels {
                    let p = image.data + c * s.planeSize
                    let top = p[y0 * w + x0] + fx * (p[y0 * w + x1] - p[y0 * w + x0])
                    let bottom = p[y1 * w + x0] + fx * (p[y1 * w + x1] - p[y1 * w + x0])
                    out.data[c * s.planeSize + i] = top + fy * (bottom - top)
                }
            }
        }
        return out
    }

    /// Whether p + flow(p) lies inside the image (where `backward` samples real pixels).
    static func lands(inside flow: Tensor, x: Int, y: Int) -> Bool {
        let s = flow.shape, i = y * s.width + x
        let sx = Float(x) + flow.data[i], sy = Float(y) + flow.data[s.planeSize + i]
        return sx >= 0 && sy >= 0 && sx <= Float(s.width - 1) && sy <= Float(s.height - 1)
    }
}
