import Foundation

// Resizing a C×H×W tensor to C×H′×W′ with a separable filter (rows, then columns).
//
// The filter is stretched by the scale factor when shrinking, so every input pixel contributes (an
// antialiased area filter rather than point sampling); taps falling outside the image are dropped and the
// remaining weights renormalised, so borders are not darkened, or, for a picture that wraps around (`tileable`),
// taken from the opposite side. Bicubic may overshoot the input's range.
//
// Not the same as Media's `ImageResize`, on purpose: this one works on Float tensors of any channel count inside
// the engine and flow (scale pyramids, flow fields, grey planes), in plain Swift, without quantising or
// clipping; `ImageResize` resizes finished RGB pictures for the encoders with libswscale's Lanczos filter through
// 16-bit samples, clipped to [0, 1]. Media does not depend on TensorCore, nor the engine on FFmpeg.

public enum TensorResize {
    public enum Filter: String, Sendable, CaseIterable {
        /// Triangle kernel, radius 1.
        case bilinear
        /// Keys cubic convolution with a = −0.5, radius 2.
        case bicubic
        /// A picture that wraps around, band-limited: its Fourier series (up to the frequencies both sizes hold)
        /// evaluated at the new pixel centres. It treats every position alike, where a kernel's interpolation
        /// weights repeat with the phase of the scale step (at 4/3, columns differ by up to 4× in how much they
        /// change between neighbours), so a tileable picture's seam upsamples as any column. Only with `wrap`.
        case trigonometric

        var radius: Double { self == .bilinear ? 1 : 2 }

        func weight(_ x: Double) -> Double {
            let t = abs(x)
            switch self {
            case .bilinear:
                return max(0, 1 - t)
            case .bicubic:
                let a = -0.5
                if t < 1 { return ((a + 2) * t - (a + 3)) * t * t + 1 }
                if t < 2 { return (((t - 5) * t + 8) * t - 4) * a }
                return 0
            case .trigonometric:
                preconditionFailure("the trigonometric filter is no kernel")
            }
        }
    }

    public static func resize(_ input: Tensor, height: Int, width: Int, filter: Filter = .bicubic, wrap: Bool = false) -> Tensor {
        precondition(height > 0 && width > 0, "resize to \(height)×\(width)")
        let s = input.shape
        if s.height == height && s.width == width { return input.copy() }
        let columns = Taps(from: s.width, to: width, filter: filter, wrap: wrap)
        let rows = Taps(from: s.height, to: height, filter: filter, wrap: wrap)
        // Rows first: C×H×W → C×H×W′.
        let wide = Tensor(channels: s.channels, height: s.height, width: width)
        for c in 0..<s.channels {
            for y in 0..<s.height {
                let src = input.data + (c * s.height + y) * s.width
                let dst = wide.data + (c * s.height + y) * width
                for x in 0..<width { dst[x] = columns.apply(x, src, stride: 1) }
            }
        }
        // Then columns: C×H×W′ → C×H′×W′.
        let output = Tensor(channels: s.channels, height: height, width: width)
        for c in 0..<s.channels {
            let plane = wide.data + c * s.height * width
            for y in 0..<height {
                let dst = output.data + (c * height + y) * width
                for x in 0..<width { dst[x] = rows.apply(y, plane + x, stride: width) }
            }
        }
        return output
    }

    /// The adjoint of `resize` from `height`×`width` to `gradient`'s size: the gradient of a loss on the resized
    /// tensor, carried back to the original one (each output's weights scattered to the inputs it read).
    public static func resizeBackward(_ gradient: Tensor, height: Int, width: Int, filter: Filter = .bicubic,
                                      wrap: Bool = false) -> Tensor {
        let s = gradient.shape
        if s.height == height && s.width == width { return gradient.copy() }
        let columns = Taps(from: width, to: s.width, filter: filter, wrap: wrap)
        let rows = Taps(from: height, to: s.height, filter: filter, wrap: wrap)
        // The vertical pass's adjoint first: C×H′×W′ → C×H×W′.
        let wide = Tensor(channels: s.channels, height: height, width: s.width)
        for c in 0..<s.channels {
            let plane = wide.data + c * height * s.width
            for y in 0..<s.height {
                let src = gradient.data + (c * s.height + y) * s.width
                for x in 0..<s.width { rows.scatter(y, src[x], into: plane + x, stride: s.width) }
            }
        }
        // Then the horizontal one's: C×H×W′ → C×H×W.
        let output = Tensor(channels: s.channels, height: height, width: width)
        for c in 0..<s.channels {
            for y in 0..<height {
                let src = wide.data + (c * height + y) * s.width
                let dst = output.data + (c * height + y) * width
                for x in 0..<s.width { columns.scatter(x, src[x], into: dst, stride: 1) }
            }
        }
        return output
    }

    /// For each output index along one axis: the input indices it reads and their normalised weights.
    private struct Taps {
        var indices: [[Int]] = []
        var weights: [[Float]] = []

        init(from n: Int, to m: Int, filter: Filter, wrap: Bool) {
            let scale = Double(n) / Double(m)
            if filter == .trigonometric {
                precondition(wrap, "trigonometric interpolation is for pictures that wrap around")
                // y(t) = Σ_s x_s·D(t − s), D(u) = (1 + 2·Σ_{k=1…K} cos(2πku/n))/n = sin((K + ½)v)/(n·sin(v/2)) with
                // v = 2πu/n: the Dirichlet kernel, K below half of both sizes (the Nyquist term, which has no sign,
                // is dropped).
                let k = Double((min(n, m) - 1) / 2)
                for i in 0..<m {
                    let t = (Double(i) + 0.5) * scale - 0.5
                    indices.append(Array(0..<n))
                    weights.append((0..<n).map { s in
                        let v = 2 * Double.pi * (t - Double(s)) / Double(n), half = sin(v / 2)
                        return Float((abs(half) < 1e-12 ? 2 * k + 1 : sin((k + 0.5) * v) / half) / Double(n))
                    })
                }
                return
            }
            let stretch = max(scale, 1)
            let support = filter.radius * stretch
            for i in 0..<m {
                let center = (Double(i) + 0.5) * scale
                var lo = Int((center - support).rounded(.down)), hi = Int((center + support).rounded(.up))
                if !wrap { (lo, hi) = (max(0, lo), min(n, hi)) }
                var w = (lo..<hi).map { filter.weight((Double($0) + 0.5 - center) / stretch) }
                let total = w.reduce(0, +)
                if total != 0 { w = w.map { $0 / total } }
                indices.append((lo..<hi).map { ($0 % n + n) % n })
                weights.append(w.map(Float.init))
            }
        }

        @inline(__always)
        func apply(_ i: Int, _ src: UnsafeMutablePointer<Float>, stride: Int) -> Float {
            var sum: Float = 0
            for (index, w) in zip(indices[i], weights[i]) { sum += w * src[index * stride] }
            return sum
        }

        /// `apply`'s adjoint: adds `value`·weight to each input output `i` reads.
        @inline(__always)
        func scatter(_ i: Int, _ value: Float, into dst: UnsafeMutablePointer<Float>, stride: Int) {
            for (index, w) in zip(indices[i], weights[i]) { dst[index * stride] += w * value }
        }
    }
}
