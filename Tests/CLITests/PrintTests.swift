import Foundation
import Media
import XCTest

/// Large pictures through the executable: a memory budget cuts the evaluation into tiles without changing the
/// picture it paints, and a run larger than `--preview-size` paints at that size first, then refines.
final class PrintTests: XCTestCase {
    private var content: String { Stylize.root + "/Samples/building.jpg" }
    private var style: String { Stylize.root + "/Samples/starry_night_unframed.jpg" }

    /// The recipe keys of a picture's sidecar (they stand at its top level, beside `run`).
    private func sidecarRecipe(_ png: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: String(png.dropLast(4)) + ".json"))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// A budget under the whole picture's need that still leaves room for every L-BFGS pair (1.6G: 4 tiles): the
    /// tiles' features are the whole picture's bit for bit, so only the order of some sums differs. (Under 1G the
    /// plan also keeps fewer pairs, which changes the optimisation itself: 39 dB measured, see the README.)
    func testAMemoryBudgetTilesTheRunAndPaintsTheUntiledPicture() throws {
        let dir = try Stylize.directory(self)
        let common = ["image", content, style, "--size", "1024", "--scales", "1", "--iterations", "6", "--model", "vgg16"]
        let tiled = try Stylize.run(common + ["-o", dir + "/tiled.png", "--max-memory", "1.6G"])
        XCTAssertEqual(tiled.status, 0, tiled.error)
        XCTAssertTrue(tiled.output.contains("1024×708 in 4 tiles of "), tiled.output)
        XCTAssertTrue(tiled.output.contains("6 L-BFGS pairs"), tiled.output)
        XCTAssertEqual(try sidecarRecipe(dir + "/tiled.png")["max_memory"] as? String, "1.6G")
        let whole = try Stylize.run(common + ["-o", dir + "/whole.png"])
        XCTAssertEqual(whole.status, 0, whole.error)
        XCTAssertFalse(whole.output.contains(" tiles of "), whole.output)
        let psnr = ImageMetrics.psnr(try ImageReader.read(dir + "/whole.png"), try ImageReader.read(dir + "/tiled.png"))
        print("1024 px, 6 iterations: tiled under --max-memory 1.6G against untiled, PSNR \(psnr) dB")
        XCTAssertGreaterThanOrEqual(psnr, 45)
    }

    func testALargerRunPaintsAtThePreviewSizeThenRefinesInDoublings() throws {
        let dir = try Stylize.directory(self)
        func scales(_ extra: [String]) throws -> [(width: Int, iterations: Int)] {
            let run = try Stylize.run(["image", content, style, "-o", dir + "/p.png", "--iterations", "8", "--model", "vgg16", "--json"] + extra)
            XCTAssertEqual(run.status, 0, run.error)
            let started = try XCTUnwrap(run.output.split(separator: "\n").first.flatMap {
                try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            })
            let list = try XCTUnwrap(started["scales"] as? [[String: Any]])
            return list.map { ($0["width"] as? Int ?? 0, $0["iterations"] as? Int ?? 0) }
        }
        // At or below the preview size: √2 steps to --size, as before.
        XCTAssertEqual(try scales(["--size", "256", "--min-size", "64"]).map(\.width), [128, 181, 256])
        // Past it: the preview's own schedule, then 2× steps with a quarter of the iterations.
        let larger = try scales(["--size", "512", "--preview-size", "128", "--min-size", "64"])
        XCTAssertEqual(larger.map(\.width), [64, 91, 128, 256, 512])
        XCTAssertEqual(larger.map(\.iterations), [4, 4, 8, 2, 2])
        XCTAssertEqual(try sidecarRecipe(dir + "/p.png")["preview_size"] as? Int, 128)
        // A single scale stays one scale.
        XCTAssertEqual(try scales(["--size", "256", "--preview-size", "128", "--scales", "1"]).map(\.width), [256])
    }
}
