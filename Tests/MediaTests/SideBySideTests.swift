import Media
import XCTest

final class SideBySideTests: XCTestCase {
    func solid(_ width: Int, _ height: Int, _ rgb: [Float]) -> RGBImage {
        RGBImage(width: width, height: height, planes: rgb.flatMap { [Float](repeating: $0, count: width * height) })
    }

    func testContentStyleResultScaledToResultHeight() throws {
        let layout = SideBySide(content: solid(200, 100, [1, 0, 0]), style: solid(30, 60, [0, 1, 0]), gutter: 2)
        let out = try layout.compose(solid(40, 50, [0, 0, 1]))
        // content 200×100 → 100×50, style 30×60 → 25×50, result 40×50, two gutters of 2.
        XCTAssertEqual([out.width, out.height], [100 + 2 + 25 + 2 + 40, 50])
        func pixel(_ x: Int, _ y: Int) -> [Float] { (0 ..< 3).map { out.planes[($0 * out.height + y) * out.width + x] } }
        XCTAssertEqual(pixel(50, 25), [1, 0, 0])
        XCTAssertEqual(pixel(101, 25), [1, 1, 1])  // gutter
        XCTAssertEqual(pixel(110, 25), [0, 1, 0])
        XCTAssertEqual(pixel(150, 49), [0, 0, 1])
        // A new result height (next scale) rescales the inputs.
        XCTAssertEqual(try layout.compose(solid(20, 25, [0, 0, 1])).height, 25)
    }
}
