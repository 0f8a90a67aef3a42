import TensorCore

/// The mean over a (2r+1)² window's part inside the image, for every channel, separably.
enum BoxBlur {
    static func apply(_ t: Tensor, radius r: Int) -> Tensor {
        let h = t.shape.height, w = t.shape.width, n = t.shape.planeSize
        let rows = Tensor(t.shape), out = Tensor(t.shape)
        for c in 0..<t.shape.channels {
            let src = t.data + c * n, mid = rows.data + c * n, dst = out.data + c * n
            for y in 0..<h {
                for x in 0..<w {
                    var sum: Float = 0
                    for xx in max(x - r, 0)...min(x + r, w - 1) { sum += src[y * w + xx] }
                    mid[y * w + x] = sum / Float(min(x + r, w - 1) - max(x - r, 0) + 1)
                }
            }
            for y in 0..<h {
                for x in 0..<w {
                    var sum: Float = 0
                    for yy in max(y - r, 0)...min(y + r, h - 1) { sum += mid[yy * w + x] }
                    dst[y * w + x] = sum / Float(min(y + r, h - 1) - max(y - r, 0) + 1)
                }
            }
        }
        return out
    }
}
