import TensorCore

// Max pooling (no padding; ceil mode as torch), keeping for the backward pass only where each maximum was.
//   forward:  x C×H×W → y C×Ho×Wo, y = max over each window, and argmax C×Ho×Wo bytes: the window's first
//             maximum in row-major order, as ky·kernel + kx
//   backward: dy C×Ho×Wo, argmax → dx C×H×W, each dy added at its window's stored maximum
// A byte per output rather than 4 bits (the windows here are at most 3×3): every output owns its byte, so the
// cores write their channels without sharing a byte where a plane's size is odd. It costs 1/16 of the pooled map's
// floats at VGG's 2×2 (half of it would be saved by 4 bits: about 2% of the network's buffers).
public enum MaxPool {
    public static func forward(
        _ x: UnsafePointer<Float>, _ input: Shape, into y: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<UInt8>,
        geometry g: PoolGeometry
    ) {
        precondition(g.kernel * g.kernel <= 256, "MaxPool: a \(g.kernel)×\(g.kernel) window's argmax does not fit a byte")
        let out = g.outputShape(input)
        Parallel.ranges(input.channels) { channels in
            for c in channels {
                let src = x + c * input.planeSize, dst = y + c * out.planeSize, at = argmax + c * out.planeSize
                if g.kernel == 2 && g.stride == 2 && 2 * out.height <= input.height && 2 * out.width <= input.width {
                    // VGG's case, every window whole: a tight loop.
                    for oy in 0..<out.height {
                        let a = src + 2 * oy * input.width, b = a + input.width, o = dst + oy * out.width, m = at + oy * out.width
                        for ox in 0..<out.width {
                            var best = a[2 * ox], place: UInt8 = 0
                            if a[2 * ox + 1] > best { best = a[2 * ox + 1]; place = 1 }
                            if b[2 * ox] > best { best = b[2 * ox]; place = 2 }
                            if b[2 * ox + 1] > best { best = b[2 * ox + 1]; place = 3 }
                            o[ox] = best
                            m[ox] = place
                        }
                    }
                    continue
                }
                for oy in 0..<out.height {
                    let rows = g.window(oy, input.height)
                    for ox in 0..<out.width {
                        let cols = g.window(ox, input.width)
                        var best = -Float.infinity, place = 0
                        for iy in rows {
                            for ix in cols where src[iy * input.width + ix] > best {
                                best = src[iy * input.width + ix]
                                place = (iy - rows.lowerBound) * g.kernel + ix - cols.lowerBound
                            }
                        }
                        dst[oy * out.width + ox] = best
                        at[oy * out.width + ox] = UInt8(place)
                    }
                }
            }
        }
    }

    public static func backward(
        _ dy: UnsafePointer<Float>, argmax: UnsafePointer<UInt8>, _ input: Shape, into dx: UnsafeMutablePointer<Float>,
        geometry g: PoolGeometry
    ) {
        let out = g.outputShape(input)
        Parallel.ranges(input.channels) { channels in
            withUnsafeTemporaryAllocation(of: Int.self, capacity: g.kernel * g.kernel) { offset in
                for place in offset.indices { offset[place] = place / g.kernel * input.width + place % g.kernel }
                for c in channels {
                    let grad = dy + c * out.planeSize, at = argmax + c * out.planeSize, dst = dx + c * input.planeSize
                    dst.update(repeating: 0, count: input.planeSize)
                    for oy in 0..<out.height {
                        let row = oy * g.stride * input.width
                        for ox in 0..<out.width {
                            let o = oy * out.width + ox
                            dst[row + ox * g.stride + offset[Int(at[o])]] += grad[o]
                        }
                    }
                }
            }
        }
    }
}
