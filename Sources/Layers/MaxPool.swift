import TensorCore

// Max pooling (no padding; ceil mode as torch).
//   forward:  x C×H×W → y C×Ho×Wo, y = max over each window
//   backward: dy → dx, each dy routed to its window's first maximum (recomputed from x, so no index buffer)
public enum MaxPool {
    public static func forward(_ x: UnsafePointer<Float>, _ input: Shape, into y: UnsafeMutablePointer<Float>, geometry g: PoolGeometry) {
        let out = g.outputShape(input)
        Parallel.ranges(input.channels) { channels in
            for c in channels {
                let src = x + c * input.planeSize, dst = y + c * out.planeSize
                if g.kernel == 2 && g.stride == 2 && 2 * out.height <= input.height && 2 * out.width <= input.width {
                    // VGG's case, every window whole: a tight loop.
                    for oy in 0..<out.height {
                        let a = src + 2 * oy * input.width, b = a + input.width, o = dst + oy * out.width
                        for ox in 0..<out.width { o[ox] = max(max(a[2 * ox], a[2 * ox + 1]), max(b[2 * ox], b[2 * ox + 1])) }
                    }
                    continue
                }
                for oy in 0..<out.height {
                    let rows = g.window(oy, input.height)
                    for ox in 0..<out.width {
                        let cols = g.window(ox, input.width)
                        var best = -Float.infinity
                        for iy in rows { for ix in cols { best = max(best, src[iy * input.width + ix]) } }
                        dst[oy * out.width + ox] = best
                    }
                }
            }
        }
    }

    public static func backward(
        _ dy: UnsafePointer<Float>, input x: UnsafePointer<Float>, _ input: Shape, into dx: UnsafeMutablePointer<Float>, geometry g: PoolGeometry
    ) {
        let out = g.outputShape(input)
        Parallel.ranges(input.channels) { channels in
            for c in channels {
                let src = x + c * input.planeSize, grad = dy + c * out.planeSize, dst = dx + c * input.planeSize
                dst.update(repeating: 0, count: input.planeSize)
                if g.kernel == 2 && g.stride == 2 && 2 * out.height <= input.height && 2 * out.width <= input.width {
                    for oy in 0..<out.height {
                        let row = 2 * oy * input.width
                        for ox in 0..<out.width {
                            let a = row + 2 * ox, b = a + input.width
                            var at = a
                            if src[a + 1] > src[at] { at = a + 1 }
                            if src[b] > src[at] { at = b }
                            if src[b + 1] > src[at] { at = b + 1 }
                            dst[at] += grad[oy * out.width + ox]
                        }
                    }
                    continue
                }
                for oy in 0..<out.height {
                    let rows = g.window(oy, input.height)
                    for ox in 0..<out.width {
                        let cols = g.window(ox, input.width)
                        var best = -Float.infinity, at = rows.lowerBound * input.width + cols.lowerBound
                        for iy in rows {
                            for ix in cols where src[iy * input.width + ix] > best {
                                best = src[iy * input.width + ix]
                                at = iy * input.width + ix
                            }
                        }
                        dst[at] += grad[oy * out.width + ox]
                    }
                }
            }
        }
    }
}
