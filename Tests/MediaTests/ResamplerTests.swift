import Media
import XCTest

final class ResamplerTests: XCTestCase {
    func testConstantStaysConstant() throws {
        let flat = RGBImage(width: 33, height: 17, planes: [Float](repeating: 0.37, count: 3 * 33 * 17))
        let out = try ImageResize.resize(flat, width: 20, height: 41)
        XCTAssertEqual([out.width, out.height], [20, 41])
        for v in out.planes { XCTAssertEqual(v, 0.37, accuracy: 1e-4) }
    }

    func testDownThenUpKeepsSmoothPicture() throws {
        var smooth = RGBImage(width: 96, height: 64)
        let n = 96 * 64
        for y in 0 ..< 64 {
            for x in 0 ..< 96 {
                smooth.planes[y * 96 + x] = 0.5 + 0.4 * sinf(Float(x) / 15)
                smooth.planes[n + y * 96 + x] = Float(y) / 63
                smooth.planes[2 * n + y * 96 + x] = 0.3
            }
        }
        let back = try ImageResize.resize(ImageResize.resize(smooth, width: 48, height: 32), width: 96, height: 64)
        XCTAssertGreaterThan(ImageMetrics.psnr(back, smooth), 38)
    }

    func testSharpEdgeStaysInRange() throws {
        var edge = RGBImage(width: 16, height: 4)
        for i in edge.planes.indices where i % 16 >= 8 { edge.planes[i] = 1 }
        let out = try ImageResize.resize(edge, width: 37, height: 9)
        XCTAssertTrue(out.planes.allSatisfy { $0 >= 0 && $0 <= 1 })
    }

    func testInvalidSizeIsTyped() {
        XCTAssertThrowsError(try ImageResize.resize(RGBImage(width: 4, height: 4), width: 0, height: 3)) { error in
            XCTAssertEqual(error as? MediaError, .invalidSize(path: "resize", width: 0, height: 3))
        }
    }

    func testFitting() {
        XCTAssertEqual(ImageResize.fitting(width: 800, height: 600, maxSide: 512).width, 512)
        XCTAssertEqual(ImageResize.fitting(width: 800, height: 600, maxSide: 512).height, 384)
        XCTAssertEqual(ImageResize.fitting(width: 300, height: 200, maxSide: 512).width, 300)
    }
}

extension ResamplerTests {
    func testNoLeakBetweenChannels() throws {
        var green = RGBImage(width: 30, height: 20)
        for i in 600 ..< 1200 { green.planes[i] = 1 }
        let out = try ImageResize.resize(green, width: 13, height: 7)
        XCTAssertEqual(out.planes[0 ..< 91].max(), 0)
        XCTAssertEqual(out.planes[182 ..< 273].max(), 0)
        XCTAssertEqual(out.planes[91 ..< 182].min(), 1)
    }
}
