import TensorCore

// Average pooling (no padding; ceil mode as torch: a window cut by the edge averages what it covers).
//   forward:  x C×H×W → y C×Ho×Wo, y = mean over each window
//   backward: dy → dx, each dy spread evenly over its window
public enum AvgPool {
    public static func forward(_ x: UnsafePointer<Float>, _ input: Shape, into y: UnsafeMutablePointer<Float>, geometry g: PoolGeometry) {
        let out = g.outputShape(input)
        Parallel.ranges(input.channels) { channels in
            for c in channels {
                let src = x + c * input.planeSize, dst = y + c * out.planeSize
                for oy in 0..<out.height {
                    let rows = g.window(oy, input.height)
                    for ox in 0..<out.width {
                        let cols = g.window(ox, input.width)
                        var sum: Float = 0
                        for iy in rows { for ix in cols { sum += src[iy * input.width + ix] } }
                        dst[oy * out.width + ox] = sum / Float(rows.count * cols.count)
                    }
                }
            }
        }
    }

    public static func backward(_ dy: UnsafePointer<Float>, _ input: Shape, into dx: UnsafeMutablePointer<Float>, geometry g: PoolGeometry) {
        let out = g.outputShape(input)
        Parallel.ranges(input.channels) { channels in
            for c in channels {
                let grad = dy + c * out.planeSize, dst = dx + c * input.planeSize
                dst.update(repeating: 0, count: input.planeSize)
                for oy in 0..<out.height {
                    let rows = g.window(oy, input.height)
                    for ox in 0..<out.width {
                        let cols = g.window(ox, input.width)
                        let share = grad[oy * out.width + ox] / Float(rows.count * cols.count)
                        for iy in rows { for ix in cols { dst[iy * input.width + ix] += share } }
                    }
                }
            }
        }
    }
}
