import TensorCore

/// The image sizes of a multi-scale run: `count` long sides in √2 steps ending at `size`, none below
/// `minSize` (coarser steps that would be are dropped), with the reference image's aspect ratio. With a
/// `previewSize` below `size` (and more than one scale) the √2 steps end there, and refinement scales follow in
/// 2× steps up to `size`. A picture that wraps around (`tileable`) has sides that are multiples of `multiple`, the
/// network's deepest stride, so that its pooling grid wraps with it: every tap position then covers pixels of the
/// picture alike, the seam's as any other's.
public struct ScaleSchedule: Equatable, Sendable {
    public let shapes: [Shape]

    public init(size: Int, count: Int, minSize: Int, previewSize: Int? = nil, aspectOf reference: Shape, multiple: Int = 1) {
        precondition(size > 0 && count > 0, "schedule of \(count) scales to \(size)")
        let top = count > 1 ? min(size, previewSize ?? size) : size
        var sides: [Int] = []
        for k in stride(from: count - 1, through: 0, by: -1) {
            let side = Int((Double(top) / Double.squareRootOfTwoPower(k)).rounded())
            if side >= min(minSize, top) && side != sides.last { sides.append(side) }
        }
        var side = top
        while side < size {
            side = min(size, 2 * side)
            sides.append(side)
        }
        shapes = sides.map { side in
            let s = Self.shape(longSide: side, aspectOf: reference)
            func round(_ n: Int) -> Int { max(multiple, Int((Double(n) / Double(multiple)).rounded()) * multiple) }
            return Shape(channels: s.channels, height: round(s.height), width: round(s.width))
        }
    }

    /// The style image's shape at an output shape: `scale` × the output's long side, with the style's own aspect
    /// ratio; each side at least 16, so the network's pooling keeps some features (a sliver of a style is widened
    /// to that rather than refused).
    public static func styleShape(_ style: Shape, output: Shape, scale: Double) -> Shape {
        let side = max(16, Int((Double(max(output.height, output.width)) * scale).rounded()))
        let kept = shape(longSide: side, aspectOf: style)
        return Shape(channels: kept.channels, height: max(16, kept.height), width: max(16, kept.width))
    }

    /// `reference` scaled so its longer side is `longSide` (each side at least 1).
    public static func shape(longSide: Int, aspectOf reference: Shape) -> Shape {
        let h = reference.height, w = reference.width
        let scale = Double(longSide) / Double(max(h, w))
        return Shape(
            channels: reference.channels, height: max(1, Int((Double(h) * scale).rounded())),
            width: max(1, Int((Double(w) * scale).rounded())))
    }
}

extension Double {
    static func squareRootOfTwoPower(_ k: Int) -> Double {
        var r = 1.0
        for _ in 0..<k { r *= 2.0.squareRoot() }
        return r
    }
}
