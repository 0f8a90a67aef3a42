import TensorCore

/// The camera's motion between two frames as one whole-pixel translation, found without optical flow:
/// `previous` mode moves the previous stylized frame by it, so a pan carries its paint along instead of
/// restarting every pixel that the pan changed. Whole pixels, so the moved paint is not resampled (blurred).
public enum CameraShift {
    /// (dx, dy) with frame(x, y) ≈ previous(x + dx, y + dy): the shift of at most `maxShift` pixels each way
    /// that minimises the mean absolute luminance difference over the frames' overlap, searched on a pyramid
    /// (the whole range at the coarsest level, ±1 pixel at each finer one).
    public static func estimate(from frame: Tensor, to previous: Tensor, maxShift: Int) -> (dx: Int, dy: Int) {
        precondition(frame.shape == previous.shape, "frames \(frame.shape), \(previous.shape)")
        var levels = [(Luminance.of(frame), Luminance.of(previous))]
        while max(levels.last!.0.shape.height, levels.last!.0.shape.width) > 64 {
            let (a, b) = levels.last!
            let h = (a.shape.height + 1) / 2, w = (a.shape.width + 1) / 2
            levels.append((TensorResize.resize(a, height: h, width: w, filter: .bilinear),
                           TensorResize.resize(b, height: h, width: w, filter: .bilinear)))
        }
        let coarseRange = max(1, maxShift >> (levels.count - 1))
        var best = search(levels.last!, around: (0, 0), range: coarseRange)
        for level in levels.dropLast().reversed() {
            best = search(level, around: (2 * best.dx, 2 * best.dy), range: 1)
        }
        return (max(-maxShift, min(maxShift, best.dx)), max(-maxShift, min(maxShift, best.dy)))
    }

    /// A 2×H×W flow of `shift` everywhere, for `Warp.backward`.
    public static func flow(_ shift: (dx: Int, dy: Int), height: Int, width: Int) -> Tensor {
        let flow = Tensor(channels: 2, height: height, width: width), n = height * width
        for i in 0..<n {
            flow.data[i] = Float(shift.dx)
            flow.data[n + i] = Float(shift.dy)
        }
        return flow
    }

    private static func search(_ pair: (Tensor, Tensor), around center: (Int, Int), range: Int) -> (dx: Int, dy: Int) {
        var best = (dx: center.0, dy: center.1), bestCost = Float.infinity
        for dy in (center.1 - range)...(center.1 + range) {
            for dx in (center.0 - range)...(center.0 + range) {
                if let cost = cost(pair.0, pair.1, dx: dx, dy: dy), cost < bestCost {
                    best = (dx, dy)
                    bestCost = cost
                }
            }
        }
        return best
    }

    /// Mean |a(x, y) − b(x + dx, y + dy)| over the overlap; nil when it is under half the frame (a shift that
    /// far would win on a few lucky pixels).
    private static func cost(_ a: Tensor, _ b: Tensor, dx: Int, dy: Int) -> Float? {
        let h = a.shape.height, w = a.shape.width
        let x0 = max(0, -dx), x1 = min(w, w - dx), y0 = max(0, -dy), y1 = min(h, h - dy)
        guard x1 > x0, y1 > y0, 2 * (x1 - x0) * (y1 - y0) >= w * h else { return nil }
        var sum: Float = 0
        for y in y0..<y1 {
            for x in x0..<x1 { sum += abs(a.data[y * w + x] - b.data[(y + dy) * w + x + dx]) }
        }
        return sum / Float((x1 - x0) * (y1 - y0))
    }
}
