import TensorCore

/// Where a flow can be trusted (Ruder, Dosovitskiy & Brox 2016): c(p) = 0 where the forward and backward
/// flows disagree (disocclusion: |w + ŵ(p + w)|² > 0.01·(|w|² + |ŵ(p + w)|²) + 0.5), on motion boundaries
/// (|∇u|² + |∇v|² > 0.01·|w|² + 0.002), and where p + w leaves the image; 1 elsewhere.
public enum FlowConsistency {
    /// `forward` maps the current frame's pixels into the other frame, `backward` the other frame's into the
    /// current one (both from `OpticalFlow.estimate`). Returns the 1×H×W mask c on the current frame.
    public static func mask(forward w: Tensor, backward b: Tensor) -> Tensor {
        precondition(w.shape == b.shape && w.shape.channels == 2, "flows \(w.shape), \(b.shape)")
        let s = w.shape, h = s.height, width = s.width, n = s.planeSize
        let bw = Warp.backward(b, flow: w)
        let mask = Tensor(channels: 1, height: h, width: width)
        for y in 0..<h {
            for x in 0..<width {
                let i = y * width + x
                let u = w.data[i], v = w.data[n + i], bu = bw.data[i], bv = bw.data[n + i]
                let sumU = u + bu, sumV = v + bv
                let disoccluded = sumU * sumU + sumV * sumV > 0.01 * (u * u + v * v + bu * bu + bv * bv) + 0.5
                let gradient = squaredGradient(w, channel: 0, x: x, y: y) + squaredGradient(w, channel: 1, x: x, y: y)
                let boundary = gradient > 0.01 * (u * u + v * v) + 0.002
                mask.data[i] = disoccluded || boundary || !Warp.lands(inside: w, x: x, y: y) ? 0 : 1
            }
        }
        return mask
    }

    /// Shrinks the trusted region by `radius` pixels in place (a (2r+1)² minimum filter): the pixels at a
    /// disocclusion's edge pass the consistency check by a hair, and the previous frame's paint that leaks
    /// through them is what shows as a ghost trail behind moving objects.
    public static func erode(_ mask: Tensor, radius r: Int) {
        let h = mask.shape.height, w = mask.shape.width
        let source = Array(UnsafeBufferPointer(start: mask.data, count: h * w))
        for y in 0..<h {
            for x in 0..<w {
                var m = source[y * w + x]
                for yy in max(y - r, 0)...min(y + r, h - 1) where m > 0 {
                    for xx in max(x - r, 0)...min(x + r, w - 1) { m = min(m, source[yy * w + xx]) }
                }
                mask.data[y * w + x] = m
            }
        }
    }

    /// Settles each pixel's flow by colour, in place. Where the previous frame unmoved matches this one at least
    /// as well as the flow-warped one (static parts of the scene), the flow becomes zero and is trusted: its
    /// sub-pixel noise there would resample, and so blur, the paint a little more every frame. Where neither
    /// explains the pixel (residual over `limit`), it is not trusted whatever the flows' agreement says: the
    /// background a fast object uncovers passes the forward–backward check when both flows smooth it to zero,
    /// and trusting it there locks the object's old paint into the static background for good. Residuals are
    /// colour differences averaged over 5×5 pixels; `flow` maps `frame`'s pixels into `previous`.
    public static func settle(_ flow: Tensor, mask: Tensor, frame: Tensor, previous: Tensor, limit: Float = 0.05) {
        let n = flow.shape.planeSize
        let still = BoxBlur.apply(colourDifference(frame, previous), radius: 2)
        let moved = BoxBlur.apply(colourDifference(frame, Warp.backward(previous, flow: flow)), radius: 2)
        for i in 0..<n {
            if still.data[i] <= moved.data[i] + 0.002 {
                flow.data[i] = 0
                flow.data[n + i] = 0
                mask.data[i] = still.data[i] > limit ? 0 : 1
            } else if moved.data[i] > limit {
                mask.data[i] = 0
            }
        }
    }

    /// Mean of |a − b| over the RGB channels per pixel, 1×H×W. Colour, not luminance: an orange object over a
    /// yellow wall of the same brightness is a change.
    static func colourDifference(_ a: Tensor, _ b: Tensor) -> Tensor {
        let n = a.shape.planeSize, channels = a.shape.channels
        let out = Tensor(channels: 1, height: a.shape.height, width: a.shape.width)
        for c in 0..<channels {
            for i in 0..<n { out.data[i] += abs(a.data[c * n + i] - b.data[c * n + i]) / Float(channels) }
        }
        return out
    }

    /// |∇f|² of one flow channel by central differences (one-sided at the edges).
    private static func squaredGradient(_ f: Tensor, channel: Int, x: Int, y: Int) -> Float {
        let s = f.shape, w = s.width, p = f.data + channel * s.planeSize
        let x0 = max(x - 1, 0), x1 = min(x + 1, w - 1), y0 = max(y - 1, 0), y1 = min(y + 1, s.height - 1)
        let gx = x1 > x0 ? (p[y * w + x1] - p[y * w + x0]) / Float(x1 - x0) : 0
        let gy = y1 > y0 ? (p[y1 * w + x] - p[y0 * w + x]) / Float(y1 - y0) : 0
        return gx * gx + gy * gy
    }
}
