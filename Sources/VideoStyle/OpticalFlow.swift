import TensorCore

/// Dense optical flow by coarse-to-fine Horn–Schunck with warping: on each pyramid level the second image is
/// warped by the current flow, the brightness-constancy constraint is linearised around it and the increment
/// solved by Gauss–Seidel sweeps under a quadratic smoothness term; a median filter of the flow after every
/// warp removes the outliers the quadratic terms leave (Sun, Roth & Black 2010). Works on luminance.
public struct OpticalFlow: Sendable, Equatable {
    /// α of the smoothness term, in intensity units ([0, 1] images): larger gives smoother flow.
    public var smoothness: Float = 0.04
    /// Warps (re-linearisations) per pyramid level.
    public var warps = 4
    /// Gauss–Seidel sweeps per warp.
    public var iterations = 40
    /// The median filter's radius (2: 5×5); 0 disables it.
    public var medianRadius = 2
    /// The coarsest level's shorter side is at least this.
    public var minSide = 12
    /// Larger frames are estimated at this long side and the flow scaled up: the finest levels cost most and
    /// add little for the few-pixel motions between frames.
    public var maxSide = Int.max

    public init() {}

    /// The flow w with `from`(p) ≈ `to`(p + w(p)), as 2×H×W (dx, dy in pixels), so that
    /// `Warp.backward(to, flow: w)` ≈ `from`. Both images are RGB (or grey) of the same shape.
    public func estimate(from: Tensor, to: Tensor) -> Tensor {
        precondition(from.shape == to.shape, "flow between \(from.shape) and \(to.shape)")
        let s = from.shape
        if max(s.height, s.width) > maxSide {
            let scale = Double(maxSide) / Double(max(s.height, s.width))
            let h = max(1, Int((Double(s.height) * scale).rounded())), w = max(1, Int((Double(s.width) * scale).rounded()))
            var coarse = self
            coarse.maxSide = .max
            let flow = coarse.estimate(from: TensorResize.resize(from, height: h, width: w, filter: .bilinear),
                                       to: TensorResize.resize(to, height: h, width: w, filter: .bilinear))
            return Self.upsampled(flow, height: s.height, width: s.width)
        }
        var first = [Self.smoothed(Luminance.of(from))], second = [Self.smoothed(Luminance.of(to))]
        while min(first.last!.shape.height, first.last!.shape.width) / 2 >= minSide {
            let s = first.last!.shape
            first.append(TensorResize.resize(first.last!, height: s.height / 2, width: s.width / 2, filter: .bilinear))
            second.append(TensorResize.resize(second.last!, height: s.height / 2, width: s.width / 2, filter: .bilinear))
        }
        var flow: Tensor?
        for level in stride(from: first.count - 1, through: 0, by: -1) {
            let s = first[level].shape
            let w = flow.map { Self.upsampled($0, height: s.height, width: s.width) }
                ?? Tensor(channels: 2, height: s.height, width: s.width)
            for _ in 0..<warps {
                refine(w, first: first[level], second: second[level])
                if medianRadius > 0 { MedianFilter.apply(w, radius: medianRadius) }
            }
            flow = w
        }
        return flow!
    }

    /// One linearisation: solves for the flow U = w + dw minimising
    /// Σ (Ix·dU + Iy·dV + It)² + α²·Σ|∇U|², by Gauss–Seidel, in place.
    private func refine(_ flow: Tensor, first: Tensor, second: Tensor) {
        let s = first.shape, h = s.height, w = s.width, n = s.planeSize
        let warped = Warp.backward(second, flow: flow)
        let (gx1, gy1) = Self.gradients(first), (gx2, gy2) = Self.gradients(warped)
        var ix = [Float](repeating: 0, count: n), iy = ix, it = ix
        let u0 = Array(flow.buffer[0..<n]), v0 = Array(flow.buffer[n..<(2 * n)])
        for y in 0..<h {
            for x in 0..<w {
                let i = y * w + x
                // Points that left the image carry no data; the smoothness term fills them in.
                guard Warp.lands(inside: flow, x: x, y: y) else { continue }
                ix[i] = 0.5 * (gx1[i] + gx2[i])
                iy[i] = 0.5 * (gy1[i] + gy2[i])
                // Linearised around the current flow: It + Ix·(U − u0) + Iy·(V − v0).
                it[i] = warped.data[i] - first.data[i] - ix[i] * u0[i] - iy[i] * v0[i]
            }
        }
        let a2 = smoothness * smoothness
        let u = flow.data, v = flow.data + n
        for _ in 0..<iterations {
            for y in 0..<h {
                for x in 0..<w {
                    let i = y * w + x
                    var su: Float = 0, sv: Float = 0, k: Float = 0
                    if x > 0 { su += u[i - 1]; sv += v[i - 1]; k += 1 }
                    if x + 1 < w { su += u[i + 1]; sv += v[i + 1]; k += 1 }
                    if y > 0 { su += u[i - w]; sv += v[i - w]; k += 1 }
                    if y + 1 < h { su += u[i + w]; sv += v[i + w]; k += 1 }
                    let ub = su / k, vb = sv / k
                    // Closed-form minimiser at this pixel with its neighbours fixed (the Horn–Schunck update).
                    let r = (ix[i] * ub + iy[i] * vb + it[i]) / (a2 * k + ix[i] * ix[i] + iy[i] * iy[i])
                    u[i] = ub - ix[i] * r
                    v[i] = vb - iy[i] * r
                }
            }
        }
    }

    /// A [1 2 1]/4 binomial blur in both directions (edges repeated): removes the noise that derivatives amplify.
    static func smoothed(_ image: Tensor) -> Tensor {
        let s = image.shape, h = s.height, w = s.width
        let tmp = Tensor(s), out = Tensor(s)
        for y in 0..<h {
            for x in 0..<w {
                let i = y * w + x
                tmp.data[i] = 0.25 * (image.data[y * w + max(x - 1, 0)] + 2 * image.data[i] + image.data[y * w + min(x + 1, w - 1)])
            }
        }
        for y in 0..<h {
            for x in 0..<w {
                out.data[y * w + x] = 0.25 * (tmp.data[max(y - 1, 0) * w + x] + 2 * tmp.data[y * w + x] + tmp.data[min(y + 1, h - 1) * w + x])
            }
        }
        return out
    }

    /// Five-point derivatives (−1, 8, 0, −8, 1)/12 along x and y, edges repeated.
    static func gradients(_ image: Tensor) -> ([Float], [Float]) {
        let h = image.shape.height, w = image.shape.width, p = image.data
        var gx = [Float](repeating: 0, count: h * w), gy = gx
        for y in 0..<h {
            for x in 0..<w {
                func at(_ yy: Int, _ xx: Int) -> Float { p[min(max(yy, 0), h - 1) * w + min(max(xx, 0), w - 1)] }
                gx[y * w + x] = (at(y, x - 2) - 8 * at(y, x - 1) + 8 * at(y, x + 1) - at(y, x + 2)) / 12
                gy[y * w + x] = (at(y - 2, x) - 8 * at(y - 1, x) + 8 * at(y + 1, x) - at(y + 2, x)) / 12
            }
        }
        return (gx, gy)
    }

    /// The flow of a coarser level on a finer grid: resized, its vectors scaled by the size ratio.
    static func upsampled(_ flow: Tensor, height: Int, width: Int) -> Tensor {
        let out = TensorResize.resize(flow, height: height, width: width, filter: .bilinear)
        let sx = Float(width) / Float(flow.shape.width), sy = Float(height) / Float(flow.shape.height)
        let n = out.shape.planeSize
        for i in 0..<n {
            out.data[i] *= sx
            out.data[n + i] *= sy
        }
        return out
    }
}
