import TensorCore

/// A (2r+1)² median filter of every channel, in place, over the window's part inside the image.
enum MedianFilter {
    static func apply(_ t: Tensor, radius r: Int) {
        let s = t.shape, h = s.height, w = s.width
        var window = [Float](repeating: 0, count: (2 * r + 1) * (2 * r + 1))
        for c in 0..<s.channels {
            let p = t.data + c * s.planeSize
            let source = Array(UnsafeBufferPointer(start: p, count: s.planeSize))
            for y in 0..<h {
                for x in 0..<w {
                    var k = 0
                    for yy in max(y - r, 0)...min(y + r, h - 1) {
                        for xx in max(x - r, 0)...min(x + r, w - 1) {
                            window[k] = source[yy * w + xx]
                            k += 1
                        }
                    }
                    p[y * w + x] = median(&window, count: k)
                }
            }
        }
    }

    /// The median of the first `count` values (insertion sort: windows are at most a few dozen values).
    private static func median(_ a: inout [Float], count: Int) -> Float {
        for i in 1..<count {
            let v = a[i]
            var j = i - 1
            while j >= 0 && a[j] > v { a[j + 1] = a[j]; j -= 1 }
            a[j + 1] = v
        }
        return count % 2 == 1 ? a[count / 2] : 0.5 * (a[count / 2 - 1] + a[count / 2])
    }
}
