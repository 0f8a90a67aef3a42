// Luminance (luma) of RGB image tensors with the Rec. 601 / NTSC weights: Y = 0.299 R + 0.587 G + 0.114 B.
// Used by colour preservation (StyleTransfer, as the Y row of YIQ) and by optical flow and camera-shift search
// (VideoStyle), which compare frames by brightness.

public enum Luminance {
    /// The weights of R, G and B in Y.
    public static let red: Float = 0.299, green: Float = 0.587, blue: Float = 0.114

    /// Y of a 3×H×W RGB tensor as a 1×H×W tensor (a 1-channel image is returned as a copy).
    public static func of(_ image: Tensor) -> Tensor {
        let s = image.shape
        guard s.channels == 3 else { return image.copy() }
        let out = Tensor(channels: 1, height: s.height, width: s.width)
        let n = s.planeSize, r = image.data, g = r + n, b = g + n
        for i in 0..<n { out.data[i] = red * r[i] + green * g[i] + blue * b[i] }
        return out
    }
}
