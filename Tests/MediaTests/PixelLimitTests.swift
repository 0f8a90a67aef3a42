import CFFmpeg
import Foundation
import Media
import XCTest

/// Pictures over a pixel limit are refused before decoding; large ones are decoded straight to a smaller size.
final class PixelLimitTests: XCTestCase {
    private func picture(_ ext: String, width: Int = 200, height: Int = 100) throws -> String {
        let path = try Fixtures.directory(self) + "/picture." + ext
        try ImageWriter.write(Fixtures.pattern(width: width, height: height), to: path)
        return path
    }

    func testPNGAndJPEGOverTheLimitAreRefusedWithTheirSize() throws {
        for ext in ["png", "jpg"] {
            let path = try picture(ext)
            XCTAssertThrowsError(try ImageReader.read(path, pixelLimit: 19_999)) { error in
                XCTAssertEqual(error as? MediaError, .tooManyPixels(path: path, width: 200, height: 100, limit: 19_999))
                XCTAssertTrue("\(error)".contains("200×100 (0.0 megapixels), over the limit"), "\(error)")
            }
            let image = try ImageReader.read(path, pixelLimit: 20_000)
            XCTAssertEqual([image.width, image.height], [200, 100])
        }
    }

    func testAHugePNGIsRefusedFromItsHeaderAlone() throws {
        // A 16000×16000 PNG header with no pixel data: had it been decoded, it would fail as truncated instead.
        var bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]
        for value in [16000, 16000] { bytes += [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> $0) } }
        bytes += [8, 2, 0, 0, 0, 0, 0, 0, 0]
        let path = try Fixtures.directory(self) + "/huge.png"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try ImageReader.read(path, pixelLimit: 100_000_000)) { error in
            XCTAssertEqual(error as? MediaError, .tooManyPixels(path: path, width: 16000, height: 16000, limit: 100_000_000))
        }
    }

    func testAFormatWithoutAHeaderSizeIsHeldToTheLimitAfterDecoding() throws {
        let path = try Fixtures.directory(self) + "/picture.bmp"
        try Fixtures.encode(width: 200, height: 100, encoder: "bmp", format: AV_PIX_FMT_BGR24, to: path) { x, y in
            (UInt16(x * 300), UInt16(y * 600), 30000, 65535)
        }
        XCTAssertThrowsError(try ImageReader.read(path, pixelLimit: 19_999)) { error in
            XCTAssertEqual(error as? MediaError, .tooManyPixels(path: path, width: 200, height: 100, limit: 19_999))
        }
        XCTAssertThrowsError(try ImageReader.read(path, pixelLimit: 9_000), "FFmpeg's own limit, twice ours, stops the decoder")
        XCTAssertEqual(try ImageReader.read(path, pixelLimit: 20_000).width, 200)
    }

    func testALargePictureIsDecodedStraightToTheShortSideAsked() throws {
        let path = try picture("png", width: 400, height: 200)
        let full = try ImageReader.read(path)
        let small = try ImageReader.read(path, shortSide: 50)
        XCTAssertEqual([small.width, small.height], [100, 50])
        XCTAssertEqual([try ImageReader.read(path, shortSide: 300).width], [400], "never scaled up")
        // The same picture, averaged: the means of the planes agree.
        for c in 0 ..< 3 {
            let mean = { (image: RGBImage) in
                image.planes[c * image.width * image.height ..< (c + 1) * image.width * image.height].reduce(0, +) / Float(image.width * image.height)
            }
            XCTAssertEqual(mean(small), mean(full), accuracy: 0.01)
        }
    }
}
