import Foundation
import Media
import XCTest

/// Pictures one or two pixels wide through swscale, which writes up to 10 bytes past a plane of such rows
/// (found by the image fuzzer as heap corruption): every plane must keep its own values.
final class NarrowPictureTests: XCTestCase {
    let colour: [Float] = [0.2, 0.5, 0.8]

    func flat(width: Int, height: Int) -> RGBImage {
        RGBImage(width: width, height: height, planes: colour.flatMap { [Float](repeating: $0, count: width * height) })
    }

    func assertFlat(_ image: RGBImage, tolerance: Float, _ what: String) {
        let n = image.width * image.height
        for c in 0 ..< 3 {
            for i in 0 ..< n {
                XCTAssertEqual(image.planes[c * n + i], colour[c], accuracy: tolerance, "\(what): channel \(c), pixel \(i)")
            }
        }
    }

    /// A JPEG decodes to YUV, so reading it goes through swscale's conversion to 16-bit RGB planes.
    func testNarrowJPEGKeepsEveryChannel() throws {
        let dir = try Fixtures.directory(self)
        for width in 1 ... 3 {
            for height in [1, 3, 5] {
                let path = dir + "/narrow\(width)x\(height).jpg"
                try ImageWriter.write(flat(width: width, height: height), to: path)
                let image = try ImageReader.read(path)
                XCTAssertEqual([image.width, image.height], [width, height])
                assertFlat(image, tolerance: 0.02, "\(width)×\(height) JPEG")
            }
        }
    }

    func testResizingToANarrowPictureKeepsEveryChannel() throws {
        for width in 1 ... 3 {
            assertFlat(try ImageResize.resize(flat(width: 8, height: 6), width: width, height: 5), tolerance: 1e-3,
                       "8×6 resized to \(width)×5")
        }
    }
}
