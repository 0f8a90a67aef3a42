/// How a stored picture is turned and mirrored to be shown upright: from a video stream's display matrix (phone
/// clips) or a photo's EXIF orientation tag. Only quarter turns and mirrors exist here; a matrix at another angle
/// is taken to the nearest quarter turn.
public struct DisplayOrientation: Equatable, Sendable {
    // Shown coordinates from stored ones, both about the picture's centre with y pointing down:
    // x' = xx·x + yx·y, y' = xy·x + yy·y. The four are a signed permutation (each 0 or ±1).
    private let xx: Int, yx: Int, xy: Int, yy: Int

    public static let upright = DisplayOrientation(xx: 1, yx: 0, xy: 0, yy: 1)

    private init(xx: Int, yx: Int, xy: Int, yy: Int) {
        (self.xx, self.yx, self.xy, self.yy) = (xx, yx, xy, yy)
    }

    /// From FFmpeg's 3×3 display matrix (16.16 fixed point, row-major, applied as (x, y, 1)·M in pixel
    /// coordinates, the convention of libavutil/display.h): nil when it has fewer than 9 entries or is degenerate.
    public init?(displayMatrix m: [Int32]) {
        guard m.count >= 9 else { return nil }
        let a = Double(m[0]), b = Double(m[1]), c = Double(m[3]), d = Double(m[4])
        func sign(_ v: Double) -> Int { v > 0 ? 1 : v < 0 ? -1 : 0 }
        if abs(a) + abs(d) >= abs(b) + abs(c) {
            self.init(xx: sign(a), yx: 0, xy: 0, yy: sign(d))
        } else {
            self.init(xx: 0, yx: sign(c), xy: sign(b), yy: 0)
        }
        guard xx * yy - yx * xy != 0 else { return nil }
    }

    /// From the EXIF/TIFF Orientation tag (1…8, as in the EXIF 2.3 specification, table of tag 0x0112).
    public init?(exif: Int) {
        switch exif {
        case 1: self = .upright
        case 2: self.init(xx: -1, yx: 0, xy: 0, yy: 1)    // mirrored left–right
        case 3: self.init(xx: -1, yx: 0, xy: 0, yy: -1)   // half turn
        case 4: self.init(xx: 1, yx: 0, xy: 0, yy: -1)    // mirrored top–bottom
        case 5: self.init(xx: 0, yx: 1, xy: 1, yy: 0)     // transposed: mirrored, then a quarter turn anticlockwise
        case 6: self.init(xx: 0, yx: -1, xy: 1, yy: 0)    // a quarter turn clockwise
        case 7: self.init(xx: 0, yx: -1, xy: -1, yy: 0)   // transversed: mirrored, then a quarter turn clockwise
        case 8: self.init(xx: 0, yx: 1, xy: -1, yy: 0)    // a quarter turn anticlockwise
        default: return nil
        }
    }

    /// Whether the shown picture is mirrored (left–right, before `rotation`).
    public var mirrored: Bool { xx * yy - yx * xy < 0 }

    /// Degrees (0, 90, 180, 270) the stored picture is turned clockwise, after the mirroring when `mirrored`.
    public var rotation: Int {
        // Undo the mirror (negate the stored x column), leaving a pure rotation.
        let (rxx, rxy) = mirrored ? (-xx, -xy) : (xx, xy)
        switch (rxx, rxy) {
        case (1, _): return 0
        case (_, 1): return 90
        case (-1, _): return 180
        default: return 270
        }
    }

    /// Whether width and height trade places.
    public var swapsAxes: Bool { xx == 0 }

    /// The shown size of a stored `width`×`height` picture.
    public func shownSize(width: Int, height: Int) -> (width: Int, height: Int) {
        swapsAxes ? (height, width) : (width, height)
    }

    /// The picture as it is meant to be shown.
    public func apply(to image: RGBImage) -> RGBImage {
        if self == .upright { return image }
        let w = image.width, h = image.height, n = w * h
        let (ow, oh) = shownSize(width: w, height: h)
        // The inverse of a signed permutation is its transpose; in doubled centred coordinates (2x − (w − 1))
        // every position is an integer: x = xx·X + xy·Y + offsetX, y = yx·X + yy·Y + offsetY.
        let offsetX = (w - 1 - xx * (ow - 1) - xy * (oh - 1)) / 2
        let offsetY = (h - 1 - yx * (ow - 1) - yy * (oh - 1)) / 2
        var out = [Float](repeating: 0, count: 3 * n)
        image.planes.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for Y in 0 ..< oh {
                    for X in 0 ..< ow {
                        let from = (yx * X + yy * Y + offsetY) * w + xx * X + xy * Y + offsetX
                        let to = Y * ow + X
                        dst[to] = src[from]
                        dst[n + to] = src[n + from]
                        dst[2 * n + to] = src[2 * n + from]
                    }
                }
            }
        }
        return RGBImage(width: ow, height: oh, planes: out)
    }
}
