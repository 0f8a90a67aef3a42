import Foundation
import Media
import XCTest

/// Pictures that are valid but unusual — grey, grey with alpha, RGBA, 16-bit, CMYK JPEG, 1×1, 3×1000 — are
/// stylized like any other: exit 0, the picture written at the size asked for; only a content too thin for the
/// network at --size is refused. (Bad inputs: `BadInputTests`.)
final class UnusualInputTests: XCTestCase {
    private let root = Stylize.root
    private var coffee: String { root + "/Samples/coffee.jpg" }
    private var starry: String { root + "/Samples/starry_night_unframed.jpg" }
    private let fast = ["--size", "32", "--iterations", "2", "--scales", "1", "--model", "vgg16"]

    override class func tearDown() {
        Fixtures.removeAll()
        super.tearDown()
    }

    /// Runs `image content styles… -o DIR/a.png` and returns the picture written.
    private func stylize(_ content: String, _ styles: [String], line: UInt = #line) throws -> RGBImage? {
        let dir = try Stylize.directory(self), out = dir + "/a.png"
        let run = try Stylize.run(["image", content] + styles + ["-o", out] + fast)
        XCTAssertEqual(run.status, 0, "\(content) \(styles): \(run.error)", line: line)
        guard FileManager.default.fileExists(atPath: out) else {
            XCTFail("\(content) \(styles): no picture written", line: line)
            return nil
        }
        return try ImageReader.read(out)
    }

    func testGreyAlphaAnd16BitPictures() throws {
        let grey = try Fixtures.picture("grey.png", pixelFormat: "gray")
        let greyAlpha = try Fixtures.picture("grey-alpha.png", pixelFormat: "ya8")
        let rgba = try Fixtures.picture("rgba.png", pixelFormat: "rgba")
        let deep = try Fixtures.picture("deep.png", pixelFormat: "rgb48be")
        // 64×48 at --size 32: 32×24.
        for (content, style) in [(grey, greyAlpha), (rgba, deep), (deep, grey)] {
            let image = try stylize(content, [style])
            XCTAssertEqual(image.map { [$0.width, $0.height] }, [32, 24], "\(content) with \(style)")
        }
    }

    func testCMYKJPEG() throws {
        let cmyk = root + "/Tests/MediaTests/Files/cmyk.jpg"
        let source = try ImageReader.read(cmyk)
        let image = try XCTUnwrap(try stylize(cmyk, [cmyk]))
        XCTAssertEqual(max(image.width, image.height), 32)
        // The aspect is kept (to the pixel the rounding allows).
        XCTAssertEqual(Double(image.width) / Double(image.height), Double(source.width) / Double(source.height), accuracy: 0.1)
    }

    func testTinyAndExtremeAspectPictures() throws {
        // Cropped in RGB: FFmpeg's sources are 4:2:0 and cannot be an odd size themselves.
        let dot = try Fixtures.ffmpeg("dot.png", source: "color=c=red:size=8x8:rate=1,format=rgb24,crop=1:1", options: ["-frames:v", "1"])
        let sliver = try Fixtures.ffmpeg("sliver.png", source: "testsrc=size=4x1000:rate=1,format=rgb24,crop=3:1000", options: ["-frames:v", "1"])
        let asStyle = try stylize(coffee, [dot, sliver])
        XCTAssertEqual(asStyle.map { max($0.width, $0.height) }, 32)
        let asContent = try stylize(dot, [starry])
        XCTAssertEqual(asContent.map { [$0.width, $0.height] }, [32, 32])
        // As the content, 3×1000 at --size 32 is 1×32: thinner than VGG16's pooling allows. Refused with the
        // minimum and the picture named, nothing written.
        let dir = try Stylize.directory(self)
        let thin = try Stylize.run(["image", sliver, starry, "-o", dir + "/a.png"] + fast)
        XCTAssertEqual(thin.status, 1, thin.error)
        XCTAssertTrue(thin.error.hasPrefix("Error: ") && thin.error.contains("too small") && thin.error.contains("8×8")
                      && thin.error.contains(sliver) && thin.error.contains("--size 32"), thin.error)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), [])
    }
}
