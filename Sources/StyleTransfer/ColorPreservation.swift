import TensorCore

// Luminance-only transfer (Gatys et al. 2016, "Preserving color in neural artistic style transfer"):
// content and style are reduced to their luminance Y (YIQ), the style's Y matched to the content's mean and
// standard deviation, the transfer runs on grey images, and the result's Y is recombined with the content's
// I and Q chroma.
public enum ColorPreservation {
    // RGB → YIQ (NTSC 1953 coefficients; Y is `Luminance`) and back.
    static let toYIQ: [[Float]] = [[Luminance.red, Luminance.green, Luminance.blue], [0.595716, -0.274453, -0.321263], [0.211456, -0.522591, 0.311135]]
    static let toRGB: [[Float]] = [[1, 0.9563, 0.6210], [1, -0.2721, -0.6474], [1, -1.1070, 1.7046]]

    /// Y of an RGB tensor as a 1×H×W plane.
    static func luminance(_ rgb: Tensor) -> [Float] { Luminance.of(rgb).values }

    /// A grey RGB tensor holding `y` in all three channels.
    static func grey(_ y: [Float], shape: Shape) -> Tensor {
        let t = Tensor(shape), n = shape.planeSize
        for c in 0..<3 { (t.data + c * n).update(from: y, count: n) }
        return t
    }

    /// An RGB image's luminance in all three channels: what the engine optimizes under `preserve_colors`.
    public static func luminanceImage(_ rgb: Tensor) -> Tensor { greyContent(rgb) }

    /// The content as grey luminance.
    static func greyContent(_ content: Tensor) -> Tensor { grey(luminance(content), shape: content.shape) }

    /// The style as grey luminance with the content's luminance mean and standard deviation.
    static func greyStyle(_ style: Tensor, matching content: Tensor) -> Tensor {
        let ys = luminance(style), yc = luminance(content)
        let (ms, ss) = meanStd(ys), (mc, sc) = meanStd(yc)
        let gain = ss > 1e-6 ? sc / ss : 1
        return grey(ys.map { ($0 - ms) * gain + mc }, shape: style.shape)
    }

    /// The luminance of `result` with the chroma of `content`, clamped to [0, 1].
    static func recombine(_ result: Tensor, content: Tensor) -> Tensor {
        let n = result.shape.planeSize, x = result.data
        let c = content.data, a = toYIQ, m = toRGB
        let out = Tensor(result.shape)
        for p in 0..<n {
            let y = a[0][0] * x[p] + a[0][1] * x[p + n] + a[0][2] * x[p + 2 * n]
            let r = c[p], g = c[p + n], b = c[p + 2 * n]
            let i = a[1][0] * r + a[1][1] * g + a[1][2] * b
            let q = a[2][0] * r + a[2][1] * g + a[2][2] * b
            for ch in 0..<3 { out.data[p + ch * n] = min(max(m[ch][0] * y + m[ch][1] * i + m[ch][2] * q, 0), 1) }
        }
        return out
    }

    private static func meanStd(_ v: [Float]) -> (Float, Float) {
        let n = Double(max(v.count, 1))
        let mean = v.reduce(0.0) { $0 + Double($1) } / n
        let variance = v.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / n
        return (Float(mean), Float(variance.squareRoot()))
    }
}
