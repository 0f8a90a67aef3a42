import TensorCore

/// What exact tiling needs to know of a network up to its deepest tap: how far a tap position reaches into the
/// picture on either side (the margin a tile needs around what it owns) and the grid tile borders must fall on.
///
/// A tile whose origin is a multiple of `alignment` sees every pooling window and strided convolution where the
/// whole picture does, so its tap positions are the picture's, shifted by whole positions; and each 3×3
/// convolution cuts it into the same Winograd tiles, so every value is computed by the same arithmetic, bit for
/// bit. A position whose reach stays inside the tile has the value (and the gradient path) it has in the picture.
public struct ReceptiveField: Sendable, Equatable {
    /// Pixels a tap position at pixel p depends on to its left (above): p − left … p + right, for the deepest tap.
    public let left: Int
    /// … and to its right (below); pooling windows only look that way.
    public let right: Int
    /// Tile borders fall on multiples of this: each tap's stride, and each Winograd layer's output tile (4
    /// positions) times its stride.
    public let alignment: Int
    /// Each tap's downsampling factor (pixels per tap position along a side).
    public let strides: [String: Int]

    /// The margin before a tile's interior: `left` rounded up to the alignment, so the window starts aligned.
    public var leadingMargin: Int { (left + alignment - 1) / alignment * alignment }
}

/// The output tile of the Winograd 3×3 convolution (F(4×4, 3×3)): tiles must not shift its grid.
let winogradTile = 4

extension Architecture {
    /// The receptive field of this network through `taps`; nil when a tap is not one of its layers.
    public func receptiveField(taps: Set<String>) -> ReceptiveField? {
        let stages = layout.stages
        var strides: [String: Int] = [:]
        var stride = 1, left = 0, right = 0, alignment = 1
        func align(_ step: Int) { alignment = alignment / gcd(alignment, step) * step }
        for stage in stages {
            guard strides.count < taps.count else { break }
            switch stage.spec {
            case let .conv(_, _, _, k, s, p):
                left += p * stride
                right += (k - 1 - p) * stride
                if k == 3 && s == 1 { align(winogradTile * stride) }
                stride *= s
            case .pool(let g):
                right += (g.kernel - 1) * stride  // no padding; ceil mode only adds windows past the right edge
                stride *= g.stride
            case .fire:
                left += stride  // the 3×3 expand, padding 1
                right += stride
                align(winogradTile * stride)
            case .relu: break
            }
            align(stride)
            if taps.contains(stage.name) { strides[stage.name] = stride }
        }
        guard strides.count == taps.count else { return nil }
        return ReceptiveField(left: left, right: right, alignment: alignment, strides: strides)
    }
}

private func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }

extension Architecture {
    /// Each tap's output shape for a picture of `image`'s shape; nil when a tap is not one of its layers.
    public func tapShapes(_ taps: Set<String>, image: Shape) -> [String: Shape]? {
        let stages = layout.stages, shapes = layout.outputShapes(for: image)
        var result: [String: Shape] = [:]
        for (i, stage) in stages.enumerated() where taps.contains(stage.name) { result[stage.name] = shapes[i] }
        return result.count == taps.count ? result : nil
    }
}

extension FeatureNetwork {
    /// The receptive field through `taps` when this network is one of the known architectures (nil otherwise: it
    /// is then only ever run on whole pictures).
    public func receptiveField(taps: Set<String>) -> ReceptiveField? {
        Architecture(rawValue: name)?.receptiveField(taps: taps)
    }

    /// The shapes of `taps` for a picture of `image`'s shape, without running the network (known architectures).
    public func tapShapes(_ taps: Set<String>, image: Shape) -> [String: Shape]? {
        Architecture(rawValue: name)?.tapShapes(taps, image: image)
    }
}
