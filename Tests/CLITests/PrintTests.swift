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

    /// A budget under the whole picture's need (1G: 2 tiles, and the L-BFGS pairs in half precision): the tiles'
    /// features are the whole picture's bit for bit, so only the order of some sums and the pairs' rounding differ.
    /// Six iterations, not more: fixed-step L-BFGS amplifies any rounding difference (1e-9 of the loss) about tenfold
    /// every two iterations, so after 20 two untiled runs differing only in OpenBLAS's thread count are 37.5 dB apart.
    func testAMemoryBudgetTilesTheRunAndPaintsTheUntiledPicture() throws {
        let dir = try Stylize.directory(self)
        let common = ["image", content, style, "--size", "1024", "--scales", "1", "--iterations", "6", "--model", "vgg16"]
        let tiled = try Stylize.run(common + ["-o", dir + "/tiled.png", "--max-memory", "1G"])
        XCTAssertEqual(tiled.status, 0, tiled.error)
        XCTAssertTrue(tiled.output.contains("1024×708 in 2 tiles of "), tiled.output)
        XCTAssertTrue(tiled.output.contains("6 L-BFGS pairs in half precision"), tiled.output)
        XCTAssertEqual(try sidecarRecipe(dir + "/tiled.png")["max_memory"] as? String, "1G")
        let whole = try Stylize.run(common + ["-o", dir + "/whole.png"])
        XCTAssertEqual(whole.status, 0, whole.error)
        XCTAssertFalse(whole.output.contains(" tiles of "), whole.output)
        let psnr = ImageMetrics.psnr(try ImageReader.read(dir + "/whole.png"), try ImageReader.read(dir + "/tiled.png"))
        print("1024 px, 6 iterations: tiled under --max-memory 1G against untiled, PSNR \(psnr) dB")
        XCTAssertGreaterThanOrEqual(psnr, 45)
    }

    /// The look of the preview: a run 4× the preview's size, downscaled to it (by the ffmpeg CLI's area filter, not
    /// the engine's resampler), scores about the preview run's own style loss there; without the preview's style
    /// term (`--preview-weight 0`) the refinement repaints the strokes finer and scores several times worse.
    func testARefinedRunSeenAtThePreviewSizeHasThePreviewsStyle() throws {
        let dir = try Stylize.directory(self)
        let common = ["image", content, style, "--model", "vgg16", "--iterations", "20"]
        func styleLoss(_ png: String) throws -> Double {
            let small = dir + "/small.png"
            let ffmpeg = Process()
            ffmpeg.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            ffmpeg.arguments = ["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", png, "-vf", "scale=64:-1:flags=area", small]
            try ffmpeg.run()
            ffmpeg.waitUntilExit()
            XCTAssertEqual(ffmpeg.terminationStatus, 0, "ffmpeg could not downscale \(png)")
            let run = try Stylize.run(["image", small, style, "-o", dir + "/eval.png", "--init", small, "--size", "64", "--scales", "1",
                                       "--iterations", "0", "--model", "vgg16", "--json"])
            XCTAssertEqual(run.status, 0, run.error)
            let last = try XCTUnwrap(run.output.split(separator: "\n").last.flatMap {
                try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            })
            return try XCTUnwrap((last["losses"] as? [String: Any])?["style"] as? Double)
        }
        var losses: [String: Double] = [:]
        for (name, extra) in [("preview", ["--size", "64"]), ("print", ["--size", "256", "--preview-size", "64"]),
                              ("repainted", ["--size", "256", "--preview-size", "64", "--preview-weight", "0"])] {
            let run = try Stylize.run(common + extra + ["-o", dir + "/\(name).png"])
            XCTAssertEqual(run.status, 0, run.error)
            losses[name] = try styleLoss(dir + "/\(name).png")
        }
        let print = losses["print"]! / losses["preview"]!, repainted = losses["repainted"]! / losses["preview"]!
        Swift.print("style loss at 64 px against the 64 px run's: 256 px print \(print)×, repainted \(repainted)×")
        XCTAssertLessThanOrEqual(print, 1.5)
        XCTAssertGreaterThan(repainted, 2 * print)
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
