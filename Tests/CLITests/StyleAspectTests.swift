import Foundation
import Media
import XCTest

/// The style keeps its aspect ratio by default: a portrait painting on a landscape photo is not squashed (the
/// engine's shapes are checked in `EngineTests`); `--stretch-style` names the old behaviour.
final class StyleAspectTests: XCTestCase {
    private let root = Stylize.root

    func testPortraitStyleOnLandscapeContent() throws {
        let dir = try Stylize.directory(self)
        // The Starry Night turned on its side: 568×720, a portrait.
        let landscape = try ImageReader.read(root + "/Samples/starry_night_unframed.jpg")
        var portrait = RGBImage(width: landscape.height, height: landscape.width)
        let (w, h) = (landscape.width, landscape.height)
        for c in 0..<3 {
            for y in 0..<h {
                for x in 0..<w { portrait.planes[(c * w + x) * h + y] = landscape.planes[(c * h + y) * w + x] }
            }
        }
        let style = dir + "/portrait.png"
        try ImageWriter.write(portrait, to: style)
        let content = root + "/Samples/coffee.jpg"  // 600×400
        let common = ["--size", "48", "--scales", "1", "--iterations", "2", "--model", "vgg16", "--progress-every", "0"]

        let kept = try Stylize.run(["image", content, style, "-o", dir + "/kept.png"] + common)
        XCTAssertEqual(kept.status, 0, kept.error)
        let picture = try ImageReader.read(dir + "/kept.png")
        XCTAssertEqual([picture.width, picture.height], [48, 32], "the output keeps the content's shape")
        let recipe = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/kept.json"))) as? [String: Any])
        XCTAssertEqual(recipe["style_scale"] as? Double, 1)
        XCTAssertEqual(recipe["stretch_style"] as? Bool, false)

        let stretched = try Stylize.run(["image", content, style, "-o", dir + "/stretched.png", "--stretch-style"] + common)
        XCTAssertEqual(stretched.status, 0, stretched.error)
        // Same start, same budget, a different style target: a different picture.
        XCTAssertNotEqual(try ImageReader.read(dir + "/stretched.png").planes, picture.planes)
    }
}
