/// An 8-bit RGB picture, samples interleaved (R, G, B per pixel), rows top to bottom: a contact sheet's cell.
public struct Picture: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public let rgb: [UInt8]

    public init(width: Int, height: Int, rgb: [UInt8]) throws {
        guard width > 0, height > 0, rgb.count == 3 * width * height else {
            throw PlotError.pictureSize(width: width, height: height, samples: rgb.count)
        }
        self.width = width
        self.height = height
        self.rgb = rgb
    }
}
