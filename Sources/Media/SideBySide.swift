/// The `side-by-side` frame layout: content | style | result, the first two scaled (aspect kept) to the result's
/// height, separated by white gutters. The scaled inputs are cached per height.
public final class SideBySide {
    public let content: RGBImage
    public let style: RGBImage
    public let gutter: Int
    private var cache: (height: Int, content: RGBImage, style: RGBImage)?

    public init(content: RGBImage, style: RGBImage, gutter: Int = 4) {
        self.content = content
        self.style = style
        self.gutter = max(0, gutter)
    }

    public func compose(_ result: RGBImage) throws -> RGBImage {
        let h = result.height
        if cache?.height != h {
            cache = (h, try Self.scaled(content, height: h), try Self.scaled(style, height: h))
        }
        return Self.row([cache!.content, cache!.style, result], gutter: gutter)
    }

    /// Pictures of one height left to right, separated by white gutters.
    public static func row(_ parts: [RGBImage], gutter: Int = 4) -> RGBImage {
        let h = parts[0].height
        precondition(parts.allSatisfy { $0.height == h }, "pictures of different heights in a row")
        let width = parts.reduce(0) { $0 + $1.width } + (parts.count - 1) * gutter
        var out = RGBImage(width: width, height: h, planes: [Float](repeating: 1, count: 3 * width * h))
        var x0 = 0
        for part in parts {
            for c in 0 ..< 3 {
                for y in 0 ..< h {
                    let src = (c * h + y) * part.width, dst = (c * h + y) * width + x0
                    out.planes.replaceSubrange(dst ..< dst + part.width, with: part.planes[src ..< src + part.width])
                }
            }
            x0 += part.width + gutter
        }
        return out
    }

    private static func scaled(_ image: RGBImage, height: Int) throws -> RGBImage {
        let width = max(1, Int((Double(image.width) * Double(height) / Double(image.height)).rounded()))
        return try ImageResize.resize(image, width: width, height: height)
    }
}
