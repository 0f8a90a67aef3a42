import Foundation
import Media
import XCTest

final class ImageWriterTests: XCTestCase {
    let image = Fixtures.pattern(width: 41, height: 27)

    func worst(_ a: RGBImage, _ b: RGBImage) -> Float { zip(a.planes, b.planes).map { abs($0 - $1) }.max()! }

    func testPNG8RoundTrip() throws {
        let path = try Fixtures.directory(self) + "/out.png"
        try ImageWriter.write(image, to: path)
        let back = try ImageReader.read(path)
        XCTAssertEqual([back.width, back.height], [41, 27])
        XCTAssertLessThanOrEqual(worst(back, image), 0.5 / 255 + 1e-4)
    }

    func testPNG16RoundTripKeepsFineSteps() throws {
        let path = try Fixtures.directory(self) + "/out16.png"
        try ImageWriter.write(image, to: path, bitDepth: 16)
        let back = try ImageReader.read(path)
        // Far finer than 8 bits could hold.
        XCTAssertLessThanOrEqual(worst(back, image), 1e-4)
    }

    func testJPEGRoundTrip() throws {
        let path = try Fixtures.directory(self) + "/out.jpeg"
        try ImageWriter.write(image, to: path)
        let back = try ImageReader.read(path)
        XCTAssertEqual([back.width, back.height], [41, 27])
        XCTAssertGreaterThan(ImageMetrics.psnr(back, image), 32)
    }

    func testUnsupportedExtensionLeavesNothing() throws {
        let dir = try Fixtures.directory(self)
        XCTAssertThrowsError(try ImageWriter.write(image, to: dir + "/out.xyz")) { error in
            XCTAssertEqual(error as? MediaError, .unsupportedExtension(path: dir + "/out.xyz", supported: ImageWriter.supportedExtensions))
        }
        XCTAssertEqual(Fixtures.files(in: dir), [])
    }

    func testMissingDirectoryIsTypedAndLeavesNothing() throws {
        let dir = try Fixtures.directory(self)
        for name in ["out.png", "out.jpg"] {
            let path = dir + "/missing/" + name
            XCTAssertThrowsError(try ImageWriter.write(image, to: path)) { error in
                guard case .writeFailed(let p, _)? = error as? MediaError else { return XCTFail("\(error)") }
                XCTAssertEqual(p, path)
            }
        }
        XCTAssertEqual(Fixtures.files(in: dir), [])
    }

    func testReplacesAnExistingFileWhole() throws {
        let path = try Fixtures.directory(self) + "/out.png"
        try ImageWriter.write(Fixtures.pattern(width: 8, height: 8), to: path)
        try ImageWriter.write(image, to: path)
        XCTAssertEqual(try ImageReader.read(path).width, 41)
        XCTAssertEqual(Fixtures.files(in: URL(fileURLWithPath: path).deletingLastPathComponent().path), ["out.png"])
    }
}
