// The one quantise step of every writer and of the 16-bit planes handed to libswscale: a [0, 1] sample is
// clamped, scaled to the integer range and rounded to the nearest integer (ties away from zero).
// (Decoding goes the other way in PixelConverter, integer → Float, and is not a quantise step.)

enum Quantize {
    /// A sample as an 8-bit value (PNG, JPEG and GIF pixels).
    @inline(__always)
    static func to8Bit(_ v: Float) -> UInt8 { UInt8((min(max(v, 0), 1) * 255).rounded()) }

    /// A sample as a 16-bit value (16-bit PNG, swscale's GBRP16/GRAY16 planes).
    @inline(__always)
    static func to16Bit(_ v: Float) -> UInt16 { UInt16((min(max(v, 0), 1) * 65535).rounded()) }
}

extension RGBImage {
    /// The planes quantised to 16 bits, R, G, B plane after plane.
    var samples16: [UInt16] { planes.map(Quantize.to16Bit) }
}

extension RGBImage {
    /// The pixels quantised to 8 bits, R, G, B interleaved per pixel, rows top to bottom.
    public var interleaved8: [UInt8] {
        let n = width * height
        var out = [UInt8](repeating: 0, count: 3 * n)
        for i in 0..<n {
            for c in 0..<3 { out[3 * i + c] = Quantize.to8Bit(planes[c * n + i]) }
        }
        return out
    }
}
