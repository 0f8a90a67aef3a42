import CFFmpeg
import Foundation
import Media
import XCTest

/// Every input kind, from fixtures made by FFmpeg's encoders; expected pixels computed from the fixture's source.
final class ImageReaderTests: XCTestCase {
    let width = 37, height = 23  // odd on purpose

    /// Whether fixtures hold 8-bit values: then the 16-bit source is made of exact 8-bit steps (v·257), so the
    /// fixture encoder's own 16 → 8 conversion cannot round or dither them.
    var eightBitSource = true

    /// A colour ramp; with `grey` the three channels are equal; alpha ramps along y when `alpha`.
    func sample(_ x: Int, _ y: Int, grey: Bool = false, alpha: Bool = false) -> (r: UInt16, g: UInt16, b: UInt16, a: UInt16) {
        func v(_ value: Int) -> UInt16 { eightBitSource ? UInt16((value + 128) / 257 * 257) : UInt16(value) }
        let r = v(x * 65535 / (width - 1)), g = grey ? r : v(y * 65535 / (height - 1)), b = grey ? r : v(65535 - Int(r) / 2)
        return (r, g, b, alpha ? v(y * 65535 / (height - 1)) : 65535)
    }

    /// Expected RGB: straight alpha composited on white.
    func expected(grey: Bool = false, alpha: Bool = false) -> RGBImage {
        var image = RGBImage(width: width, height: height)
        let n = width * height
        for y in 0 ..< height {
            for x in 0 ..< width {
                let p = sample(x, y, grey: grey, alpha: alpha)
                let a = Float(p.a) / 65535
                for (c, v) in [p.r, p.g, p.b].enumerated() { image.planes[c * n + y * width + x] = Float(v) / 65535 * a + 1 - a }
            }
        }
        return image
    }

    /// Lossless sources are checked sample by sample (`maxError`), lossy ones by PSNR (`minPSNR`).
    func check(encoder: String, format: AVPixelFormat, ext: String, grey: Bool = false, alpha: Bool = false,
               maxError: Float = 1, minPSNR: Double = 0, file: StaticString = #filePath, line: UInt = #line) throws {
        eightBitSource = av_pix_fmt_desc_get(format)!.pointee.comp.0.depth <= 8
        let path = try Fixtures.directory(self) + "/fixture.\(ext)"
        try Fixtures.encode(width: width, height: height, encoder: encoder, format: format, to: path) { x, y in
            self.sample(x, y, grey: grey, alpha: alpha)
        }
        let image = try ImageReader.read(path)
        XCTAssertEqual(image.width, width, file: file, line: line)
        XCTAssertEqual(image.height, height, file: file, line: line)
        let want = expected(grey: grey, alpha: alpha)
        let worst = zip(image.planes, want.planes).map { abs($0 - $1) }.max()!
        XCTAssertLessThanOrEqual(worst, maxError, "\(encoder) \(String(cString: av_get_pix_fmt_name(format)))", file: file, line: line)
        XCTAssertGreaterThan(ImageMetrics.psnr(image, want), minPSNR, "\(encoder)", file: file, line: line)
    }

    // The fixture encoder's own swscale 16 → 8-bit step is off by one at some values; the reader adds nothing.
    let eight: Float = 1 / 255 + 1e-5

    func testPNG8() throws { try check(encoder: "png", format: AV_PIX_FMT_RGB24, ext: "png", maxError: eight) }
    func testPNG16() throws { try check(encoder: "png", format: AV_PIX_FMT_RGB48BE, ext: "png", maxError: 1e-5) }
    func testPNGRGBA() throws { try check(encoder: "png", format: AV_PIX_FMT_RGBA, ext: "png", alpha: true, maxError: eight) }
    func testPNGRGBA16() throws { try check(encoder: "png", format: AV_PIX_FMT_RGBA64BE, ext: "png", alpha: true, maxError: 1e-5) }
    func testPNGGrey() throws { try check(encoder: "png", format: AV_PIX_FMT_GRAY8, ext: "png", grey: true, maxError: eight) }
    func testPNGGrey16() throws { try check(encoder: "png", format: AV_PIX_FMT_GRAY16BE, ext: "png", grey: true, maxError: 1e-4) }
    func testPNGGreyAlpha() throws {
        try check(encoder: "png", format: AV_PIX_FMT_YA8, ext: "png", grey: true, alpha: true, maxError: eight)
    }
    func testBMP() throws { try check(encoder: "bmp", format: AV_PIX_FMT_BGR24, ext: "bmp", maxError: eight) }
    func testTIFF() throws { try check(encoder: "tiff", format: AV_PIX_FMT_RGB24, ext: "tiff", maxError: eight) }
    func testTIFF16() throws { try check(encoder: "tiff", format: AV_PIX_FMT_RGB48LE, ext: "tif", maxError: 1e-5) }
    func testJPEG() throws { try check(encoder: "mjpeg", format: AV_PIX_FMT_YUVJ444P, ext: "jpg", minPSNR: 35) }

    func testWebP() throws {
        guard avcodec_find_encoder_by_name("libwebp") != nil else { throw XCTSkip("this FFmpeg has no libwebp encoder") }
        try check(encoder: "libwebp", format: AV_PIX_FMT_YUV420P, ext: "webp", minPSNR: 25)
    }

    func testPalettePNGWithTransparency() throws {
        let path = try Fixtures.directory(self) + "/palette.png"
        // Opaque red, half-transparent blue, fully transparent black.
        try Fixtures.encodePalette(width: width, height: height, palette: [0xFFFF_0000, 0x8000_00FF, 0x0000_0000], to: path) { x, _ in
            UInt8(x % 3)
        }
        let image = try ImageReader.read(path)
        let n = width * height
        let a: Float = 128 / 255
        let want: [[Float]] = [[1, 0, 0], [1 - a, 1 - a, 1], [1, 1, 1]]
        for x in 0 ..< width {
            for c in 0 ..< 3 { XCTAssertEqual(image.planes[c * n + 5 * width + x], want[x % 3][c], accuracy: 1e-5, "x \(x) c \(c)") }
        }
    }

    func testCMYK() throws {
        let files = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Files")
        let reference = try ImageReader.read(files.appendingPathComponent("cmyk_reference.png").path)
        for name in ["cmyk.jpg", "cmyk.tif"] {
            let image = try ImageReader.read(files.appendingPathComponent(name).path)
            XCTAssertGreaterThan(ImageMetrics.psnr(image, reference), 40, name)
        }
    }

    /// The upright picture of the orientation tests: red, green / blue, white quadrants, 48×32.
    static let uprightWidth = 48, uprightHeight = 32
    static func upright(_ x: Int, _ y: Int) -> (Float, Float, Float) {
        let colours: [(Float, Float, Float)] = [(1, 0, 0), (0, 1, 0), (0, 0, 1), (1, 1, 1)]
        return colours[(y < uprightHeight / 2 ? 0 : 2) + (x < uprightWidth / 2 ? 0 : 1)]
    }
    static var uprightImage: RGBImage {
        let w = uprightWidth, h = uprightHeight
        var image = RGBImage(width: w, height: h)
        for y in 0 ..< h {
            for x in 0 ..< w { (image.planes[y * w + x], image.planes[w * h + y * w + x], image.planes[2 * w * h + y * w + x]) = upright(x, y) }
        }
        return image
    }

    /// Writes the upright picture stored the way the EXIF specification describes for `tag` (no tag in the file)
    /// and returns the stored size.
    func encodeStored(tag: Int, encoder: String, format: AVPixelFormat, to path: String) throws -> (width: Int, height: Int) {
        let w = Self.uprightWidth, h = Self.uprightHeight
        // Stored size and, for a stored pixel, the upright pixel it holds.
        let layouts: [Int: (width: Int, height: Int, source: (Int, Int) -> (Int, Int))] = [
            1: (w, h, { ($0, $1) }), 2: (w, h, { (w - 1 - $0, $1) }),
            3: (w, h, { (w - 1 - $0, h - 1 - $1) }), 4: (w, h, { ($0, h - 1 - $1) }),
            5: (h, w, { ($1, $0) }), 6: (h, w, { (w - 1 - $1, $0) }),
            7: (h, w, { (w - 1 - $1, h - 1 - $0) }), 8: (h, w, { ($1, h - 1 - $0) }),
        ]
        let layout = try XCTUnwrap(layouts[tag])
        try Fixtures.encode(width: layout.width, height: layout.height, encoder: encoder, format: format, to: path) { x, y in
            let (ux, uy) = layout.source(x, y)
            let p = Self.upright(ux, uy)
            return (UInt16(p.0 * 65535), UInt16(p.1 * 65535), UInt16(p.2 * 65535), 65535)
        }
        return (layout.width, layout.height)
    }

    /// A phone photo stores the sensor's pixels plus an EXIF Orientation tag saying how to show them. For each of
    /// the 8 tags a JPEG holds the upright picture stored as that tag describes; the reader must give back the
    /// upright picture. (FFmpeg's JPEG decoder turns the tag into a display matrix on the frame.)
    func testEXIFOrientationIsApplied() throws {
        let want = Self.uprightImage, dir = try Fixtures.directory(self)
        for tag in 1 ... 8 {
            let plain = dir + "/plain\(tag).jpg", tagged = dir + "/tagged\(tag).jpg"
            let stored = try encodeStored(tag: tag, encoder: "mjpeg", format: AV_PIX_FMT_YUVJ444P, to: plain)
            try Self.insertEXIF(orientation: tag, bigEndian: tag % 2 == 0, intoJPEG: plain, to: tagged)
            let untouched = try ImageReader.read(plain)
            XCTAssertEqual([untouched.width, untouched.height], [stored.width, stored.height], "tag \(tag) without EXIF")
            if tag > 1 {
                let differs = untouched.width != want.width || untouched.height != want.height || ImageMetrics.psnr(untouched, want) < 15
                XCTAssertTrue(differs, "tag \(tag): the stored picture must differ from the upright one")
            }
            let image = try ImageReader.read(tagged)
            XCTAssertEqual([image.width, image.height], [want.width, want.height], "tag \(tag)")
            guard image.width == want.width, image.height == want.height else { continue }
            XCTAssertGreaterThan(ImageMetrics.psnr(image, want), 30, "tag \(tag)")
        }
    }

    /// FFmpeg's WebP decoder keeps the EXIF tag only in the frame's metadata (no display matrix): the other path.
    func testWebPEXIFOrientationIsApplied() throws {
        guard avcodec_find_encoder_by_name("libwebp") != nil else { throw XCTSkip("this FFmpeg has no libwebp encoder") }
        let want = Self.uprightImage, dir = try Fixtures.directory(self)
        for tag in [3, 6, 7, 8] {
            let plain = dir + "/plain\(tag).webp", tagged = dir + "/tagged\(tag).webp"
            _ = try encodeStored(tag: tag, encoder: "libwebp", format: AV_PIX_FMT_YUV420P, to: plain)
            try Self.insertEXIF(orientation: tag, bigEndian: false, intoWebP: plain, width: tag < 5 ? want.width : want.height,
                                height: tag < 5 ? want.height : want.width, to: tagged)
            let image = try ImageReader.read(tagged)
            XCTAssertEqual([image.width, image.height], [want.width, want.height], "tag \(tag)")
            guard image.width == want.width, image.height == want.height else { continue }
            XCTAssertGreaterThan(ImageMetrics.psnr(image, want), 22, "tag \(tag)")
        }
    }

    /// A TIFF block (header and one IFD holding only the Orientation tag), as EXIF stores it.
    static func exifTIFF(orientation: Int, bigEndian: Bool) -> [UInt8] {
        func u16(_ v: Int) -> [UInt8] { bigEndian ? [UInt8(v >> 8), UInt8(v & 0xFF)] : [UInt8(v & 0xFF), UInt8(v >> 8)] }
        func u32(_ v: Int) -> [UInt8] { bigEndian ? u16(v >> 16) + u16(v & 0xFFFF) : u16(v & 0xFFFF) + u16(v >> 16) }
        var tiff: [UInt8] = bigEndian ? Array("MM".utf8) : Array("II".utf8)
        tiff += u16(42) + u32(8)                                           // magic, offset of the first IFD
        tiff += u16(1)                                                     // one entry
        tiff += u16(0x0112) + u16(3) + u32(1) + u16(orientation) + u16(0)  // Orientation, SHORT, count 1, value
        tiff += u32(0)                                                     // no next IFD
        return tiff
    }

    /// `jpeg` with an APP1 Exif segment right after SOI.
    static func insertEXIF(orientation: Int, bigEndian: Bool, intoJPEG jpeg: String, to path: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: jpeg))
        XCTAssertEqual(Array(data.prefix(2)), [0xFF, 0xD8])
        let payload = Array("Exif".utf8) + [0, 0] + exifTIFF(orientation: orientation, bigEndian: bigEndian)
        let segment: [UInt8] = [0xFF, 0xE1, UInt8((payload.count + 2) >> 8), UInt8((payload.count + 2) & 0xFF)] + payload
        try (data.prefix(2) + Data(segment) + data.dropFirst(2)).write(to: URL(fileURLWithPath: path))
    }

    /// A simple (lossy, one `VP8 ` chunk) WebP turned into the extended form: a VP8X header announcing EXIF, the
    /// image chunk, then an EXIF chunk.
    static func insertEXIF(orientation: Int, bigEndian: Bool, intoWebP webp: String, width: Int, height: Int, to path: String) throws {
        let data = [UInt8](try Data(contentsOf: URL(fileURLWithPath: webp)))
        XCTAssertEqual(Array(data[0 ..< 4]), Array("RIFF".utf8))
        XCTAssertEqual(Array(data[8 ..< 16]), Array("WEBPVP8 ".utf8))
        func le(_ v: Int, _ bytes: Int) -> [UInt8] { (0 ..< bytes).map { UInt8((v >> (8 * $0)) & 0xFF) } }
        func chunk(_ tag: String, _ body: [UInt8]) -> [UInt8] { Array(tag.utf8) + le(body.count, 4) + body + (body.count % 2 == 1 ? [0] : []) }
        let header = chunk("VP8X", [0x08, 0, 0, 0] + le(width - 1, 3) + le(height - 1, 3))  // 0x08: EXIF present
        let body = Array("WEBP".utf8) + header + data[12...] + chunk("EXIF", exifTIFF(orientation: orientation, bigEndian: bigEndian))
        try Data(Array("RIFF".utf8) + le(body.count, 4) + body).write(to: URL(fileURLWithPath: path))
    }

    func testMissingFileIsTyped() {
        XCTAssertThrowsError(try ImageReader.read("/nonexistent/picture.png")) { error in
            XCTAssertEqual(error as? MediaError, .fileNotFound(path: "/nonexistent/picture.png"))
        }
    }

    /// Found by the image fuzzer: 152 bytes whose WebP header claims 14088×14587 pixels are refused before decoding.
    func testHeaderOverThePixelLimitIsRefused() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Files/huge_dimensions.webp").path
        XCTAssertThrowsError(try ImageReader.read(path)) { error in
            guard case .tooManyPixels(let p, let width, let height, _)? = error as? MediaError else { return XCTFail("\(error)") }
            XCTAssertEqual([p], [path])
            XCTAssertEqual(width, 14088)
            XCTAssertEqual(height, 14587)
            XCTAssertTrue("\(error)".contains("over the limit of 100.0 megapixels"), "\(error)")
        }
    }

    /// Found by the image fuzzer: a PNG header claiming 4294967295 × 4294967295 pixels, whose product overflowed
    /// `Int` (a trap, before the limit could refuse it).
    func testHeaderSidesWhoseProductOverflowsAreRefused() throws {
        let path = try Fixtures.directory(self) + "/sides.png"
        let header: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]
        try Data(header + [UInt8](repeating: 0xFF, count: 60)).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try ImageReader.read(path)) { error in
            XCTAssertEqual(error as? MediaError, .tooManyPixels(path: path, width: 4294967295, height: 4294967295, limit: ImageReader.defaultPixelLimit))
            XCTAssertTrue("\(error)".contains("4294967295×4294967295 (18446744065119.6 megapixels)"), "\(error)")
        }
    }

    func testCallerChosenPixelLimitAppliesToPicturesAndClips() throws {
        let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Samples").standardized
        let picture = samples.appendingPathComponent("chelsea.png").path // 451×300
        XCTAssertEqual(try ImageReader.read(picture, pixelLimit: 451 * 300).width, 451)
        XCTAssertThrowsError(try ImageReader.read(picture, pixelLimit: 451 * 300 - 1)) { error in
            XCTAssertEqual(error as? MediaError, .tooManyPixels(path: picture, width: 451, height: 300, limit: 451 * 300 - 1))
        }
        let clip = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Files/rotated.mp4").path // 160×90
        XCTAssertThrowsError(try VideoReader(path: clip, pixelLimit: 160 * 90 - 1)) { error in
            XCTAssertEqual(error as? MediaError, .tooManyPixels(path: clip, width: 160, height: 90, limit: 160 * 90 - 1))
        }
    }

    func testTextFileIsNotAnImage() throws {
        for name in ["notes.txt", "notes.png"] {
            let path = try Fixtures.directory(self) + "/" + name
            try "just some text, not pixels\n".write(toFile: path, atomically: true, encoding: .utf8)
            XCTAssertThrowsError(try ImageReader.read(path)) { error in
                guard case .notAnImage(let p, _)? = error as? MediaError else { return XCTFail("\(error)") }
                XCTAssertEqual(p, path)
                XCTAssertTrue("\(error)".contains(path))
            }
        }
    }

    func testSamplesDecode() throws {
        let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Samples").standardized
        for (name, w, h) in [("chelsea.png", 451, 300), ("starry_night.jpg", 752, 600)] {
            let image = try ImageReader.read(samples.appendingPathComponent(name).path)
            XCTAssertEqual([image.width, image.height], [w, h], name)
        }
    }
}
