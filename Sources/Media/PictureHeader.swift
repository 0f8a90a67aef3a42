import Foundation

/// A PNG's, JPEG's or WebP's pixel size read from its header, without decoding. FFmpeg finds a picture's size only by
/// decoding it (a 16000×16000 PNG of 700 KB becomes a 768 MB frame), so a picture over the pixel limit is
/// measured here to say by how much; nil for other formats or a header that does not parse.
enum PictureHeader {
    static func size(of path: String) -> (width: Int, height: Int)? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        // A JPEG's frame header follows its EXIF and other segments, which stay within the first 1 MiB in practice.
        guard let head = try? handle.read(upToCount: 1 << 20) else { return nil }
        let bytes = [UInt8](head)
        return png(bytes) ?? jpeg(bytes) ?? webp(bytes)
    }

    private static func littleEndian(_ bytes: [UInt8], _ at: Int, _ count: Int) -> Int {
        bytes[at ..< at + count].reversed().reduce(0) { $0 << 8 | Int($1) }
    }

    private static func bigEndian(_ bytes: [UInt8], _ at: Int, _ count: Int) -> Int {
        bytes[at ..< at + count].reduce(0) { $0 << 8 | Int($1) }
    }

    /// Signature, then the IHDR chunk: length, "IHDR", width and height as 32-bit big-endian.
    private static func png(_ b: [UInt8]) -> (width: Int, height: Int)? {
        guard b.count >= 24, b[0 ..< 8] == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], b[12 ..< 16] == [0x49, 0x48, 0x44, 0x52] else {
            return nil
        }
        return (bigEndian(b, 16, 4), bigEndian(b, 20, 4))
    }

    /// Walks the segments after SOI to the first start-of-frame (SOF0…SOF15 but DHT, JPG and DAC), whose
    /// payload is precision, height, width.
    private static func jpeg(_ b: [UInt8]) -> (width: Int, height: Int)? {
        guard b.count >= 4, b[0] == 0xFF, b[1] == 0xD8 else { return nil }
        var i = 2
        while i + 9 < b.count {
            guard b[i] == 0xFF else { return nil }
            let marker = b[i + 1]
            if marker == 0xFF { i += 1; continue }  // fill byte
            if marker == 0x01 || (0xD0 ... 0xD7).contains(marker) { i += 2; continue }  // no payload
            if (0xC0 ... 0xCF).contains(marker), ![0xC4, 0xC8, 0xCC].contains(marker) {
                return (bigEndian(b, i + 7, 2), bigEndian(b, i + 5, 2))
            }
            i += 2 + bigEndian(b, i + 2, 2)
        }
        return nil
    }

    /// RIFF "WEBP", then the first chunk: VP8X (canvas size − 1, 24-bit little-endian), VP8L (signature 0x2F,
    /// then size − 1 in 14-bit fields) or VP8 (key-frame start code 9D 01 2A, then 14-bit width and height).
    private static func webp(_ b: [UInt8]) -> (width: Int, height: Int)? {
        guard b.count >= 30, b[0 ..< 4] == [0x52, 0x49, 0x46, 0x46], b[8 ..< 12] == [0x57, 0x45, 0x42, 0x50] else { return nil }
        switch String(decoding: b[12 ..< 16], as: UTF8.self) {
        case "VP8X": return (littleEndian(b, 24, 3) + 1, littleEndian(b, 27, 3) + 1)
        case "VP8L":
            guard b[20] == 0x2F else { return nil }
            let bits = littleEndian(b, 21, 4)
            return ((bits & 0x3FFF) + 1, (bits >> 14 & 0x3FFF) + 1)
        case "VP8 ":
            guard b[23 ..< 26] == [0x9D, 0x01, 0x2A] else { return nil }
            return (littleEndian(b, 26, 2) & 0x3FFF, littleEndian(b, 28, 2) & 0x3FFF)
        default: return nil
        }
    }
}
