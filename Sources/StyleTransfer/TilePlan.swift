import Models
import TensorCore

/// A picture cut into tiles for exact evaluation: each tile owns an interior (the interiors partition the picture,
/// their borders on multiples of the receptive field's alignment) and is run through the network as a window
/// reaching past its interior as far as the receptive field does (clipped to the picture), so every tap position
/// it owns has the value it has in the whole picture.
///
/// Every window has the same size, placed on aligned origins (one flush with the far edge, which the window's size
/// is chosen for): the network then sizes its buffers once, not once per tile.
public struct TilePlan: Sendable, Equatable {
    /// A rectangle of pixels, half-open.
    public struct Rect: Sendable, Equatable {
        public var y0, y1, x0, x1: Int
        public var height: Int { y1 - y0 }
        public var width: Int { x1 - x0 }
    }

    public struct Tile: Sendable, Equatable {
        /// What the network runs on.
        public var window: Rect
        /// What this tile owns.
        public var interior: Rect
    }

    /// The interiors' sides asked of a plan, about so many pixels each way.
    public struct Size: Sendable, Equatable {
        public var height, width: Int
        public init(height: Int, width: Int) { (self.height, self.width) = (height, width) }
        public init(side: Int) { self.init(height: side, width: side) }
    }

    public let shape: Shape
    /// The shape of every tile's window.
    public let window: Shape
    public let tiles: [Tile]
    /// The picture wraps around (`tileable`): windows reach past its edges into its opposite side.
    public let wraps: Bool

    /// The picture itself, run as it is.
    public var isWhole: Bool { !wraps && tiles.count == 1 }

    /// One tile, the whole picture.
    public init(whole shape: Shape) {
        let all = Rect(y0: 0, y1: shape.height, x0: 0, x1: shape.width)
        self.shape = shape
        window = shape
        tiles = [Tile(window: all, interior: all)]
        wraps = false
    }

    /// Interiors of about `size` (whole alignment steps), in rows, in a snake order so consecutive tiles are
    /// neighbours. A picture no larger than one tile is one tile, unless it `wrap`s: then every window reaches
    /// its margins past the picture's edges, where the picture continues from its opposite side (periodically),
    /// so a tile sees what a picture with circular padding would; a window then need not be flush with an edge.
    public init(_ shape: Shape, size: Size, field: ReceptiveField, wrap: Bool = false) {
        let a = field.alignment, lead = field.leadingMargin
        /// Interior borders along one side, and the window length (≡ length mod a, so a window ending at the
        /// far edge starts aligned); one range and the whole length when a window would not be smaller.
        func split(_ length: Int, _ side: Int) -> (interiors: [Range<Int>], window: Int) {
            let count = max(1, Int((Double(length) / Double(max(a, side))).rounded(.up)))
            let step = ((length + count - 1) / count + a - 1) / a * a
            var window = lead + step + field.right
            if !wrap { window += ((length - window) % a + a) % a }
            guard wrap || (count > 1 && window < length) else { return ([0..<length], length) }
            let interiors = (0..<count).map { i in min(length, i * step)..<min(length, (i + 1) * step) }.filter { !$0.isEmpty }
            return (interiors, window)
        }
        let (rows, height) = split(shape.height, size.height), (columns, width) = split(shape.width, size.width)
        func place(_ interior: Range<Int>, _ window: Int, _ length: Int) -> Int {
            wrap ? interior.lowerBound - lead : min(max(0, interior.lowerBound - lead), length - window)
        }
        var tiles: [Tile] = []
        for (r, ys) in rows.enumerated() {
            for xs in r % 2 == 0 ? columns : columns.reversed() {
                let y0 = place(ys, height, shape.height), x0 = place(xs, width, shape.width)
                tiles.append(Tile(
                    window: Rect(y0: y0, y1: y0 + height, x0: x0, x1: x0 + width),
                    interior: Rect(y0: ys.lowerBound, y1: ys.upperBound, x0: xs.lowerBound, x1: xs.upperBound)))
            }
        }
        self.shape = shape
        window = Shape(channels: shape.channels, height: height, width: width)
        self.tiles = tiles
        wraps = wrap
    }

    /// What a picture is run as: in tiles of about `size`, or nil, whole, or when it wraps one window around it.
    public static func of(_ shape: Shape, size: Size?, field: ReceptiveField, wrap: Bool) -> TilePlan {
        if let size { return TilePlan(shape, size: size, field: field, wrap: wrap) }
        guard wrap else { return TilePlan(whole: shape) }
        return TilePlan(shape, size: Size(height: shape.height, width: shape.width), field: field, wrap: true)
    }

    /// Pixels run through the network over all tiles, relative to the picture's: the cost of the margins.
    public var overhead: Double {
        Double(tiles.count * window.planeSize) / Double(max(1, shape.planeSize))
    }

    /// The tap positions `tile` owns, in the tile's own tap coordinates, for a tap of `stride` whose whole-picture
    /// map is `tapShape`: the positions whose pixel block starts inside the interior (the last row and column
    /// of tiles take every position to the map's edge).
    public func tapInterior(_ tile: Tile, stride: Int, tapShape: Shape) -> Rect {
        func span(_ i0: Int, _ i1: Int, _ p0: Int, total: Int, length: Int) -> (Int, Int) {
            let lo = i0 / stride, hi = i1 == total ? length : min(length, i1 / stride)
            return (lo - p0 / stride, max(lo, hi) - p0 / stride)
        }
        let (y0, y1) = span(tile.interior.y0, tile.interior.y1, tile.window.y0, total: shape.height, length: tapShape.height)
        let (x0, x1) = span(tile.interior.x0, tile.interior.x1, tile.window.x0, total: shape.width, length: tapShape.width)
        return Rect(y0: y0, y1: y1, x0: x0, x1: x1)
    }
}
