import Foundation
import XCTest

/// `OUT.json` beside every output: what it records, that `--recipe OUT.json` remakes the same bytes, and that a
/// failed run leaves none.
final class SidecarTests: XCTestCase {
    private var content: String { Stylize.root + "/Samples/building.jpg" }
    private var style: String { Stylize.root + "/Samples/starry_night.jpg" }
    private var clip: String { Stylize.root + "/Tests/MediaTests/Files/cfr_audio.mp4" }
    /// From noise (so the seed matters), two scales at 64 px.
    private let fast = ["--size", "64", "--min-size", "32", "--scales", "2", "--iterations", "6", "--init", "content+noise", "--quiet"]

    private func image(_ arguments: [String]) throws {
        let run = try Stylize.run(["image", content, style] + arguments)
        XCTAssertEqual(run.status, 0, run.error)
    }

    private func object(_ path: String) throws -> [String: Any] {
        let data = try XCTUnwrap(FileManager.default.contents(atPath: path), "no \(path)")
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    func testSidecarRecordsRecipeModelVersionsTimingsAndLossTrace() throws {
        let dir = try Stylize.directory(self)
        try image(["-o", dir + "/a.png", "--seed", "7", "--gif", dir + "/a.gif"] + fast)
        let sidecar = try object(dir + "/a.json")
        XCTAssertEqual(sidecar["size"] as? Int, 64)
        XCTAssertEqual(sidecar["seed"] as? Int, 7)
        XCTAssertEqual(sidecar["init"] as? String, "content+noise")
        XCTAssertNotNil(sidecar["model"] as? String, "the model is named even when the default was taken")
        let run = try XCTUnwrap(sidecar["run"] as? [String: Any])
        XCTAssertEqual(run["command"] as? String, "image")
        XCTAssertEqual(run["inputs"] as? [String], [content, style])
        XCTAssertEqual(run["outputs"] as? [String], [dir + "/a.png", dir + "/a.gif"], "one sidecar names every output")
        let model = try XCTUnwrap(run["model"] as? [String: Any])
        XCTAssertEqual((model["sha256"] as? String)?.count, 64)
        let versions = try XCTUnwrap(run["versions"] as? [String: String])
        for key in ["stylize", "FFmpeg", "OpenBLAS", "OpenBLAS kernel"] { XCTAssertNotNil(versions[key], "versions lack \(key)") }
        let timings = try XCTUnwrap(run["timings"] as? [String: Double])
        XCTAssertGreaterThan(timings["run_seconds"] ?? 0, 0)
        let trace = try XCTUnwrap(run["loss_trace"] as? [[String: Any]])
        XCTAssertEqual(trace.map { $0["iteration"] as? Int }, (1...9).map { $0 })
        XCTAssertEqual(run["iterations"] as? Int, 9)
        XCTAssertTrue(trace.allSatisfy { (($0["losses"] as? [String: Any])?["total"] as? Double ?? 0) > 0 })
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/a.gif.json"))
    }

    func testRecipeFromSidecarRemakesTheSameBytes() throws {
        let dir = try Stylize.directory(self)
        try image(["-o", dir + "/a.png", "--seed", "3", "--style-weight", "2e5"] + fast)
        try image(["--recipe", dir + "/a.json", "-o", dir + "/b.png", "--quiet"])
        let a = try XCTUnwrap(FileManager.default.contents(atPath: dir + "/a.png"))
        XCTAssertEqual(FileManager.default.contents(atPath: dir + "/b.png"), a, "--recipe a.json should remake a.png byte for byte")
        // The comparison can tell: another seed makes other bytes.
        try image(["--recipe", dir + "/a.json", "-o", dir + "/c.png", "--seed", "4", "--quiet"])
        XCTAssertNotEqual(FileManager.default.contents(atPath: dir + "/c.png"), a)
    }

    func testFailedRunLeavesNoSidecar() throws {
        let dir = try Stylize.directory(self)
        let run = try Stylize.run(["image", content, dir + "/missing.jpg", "-o", dir + "/a.png"] + fast)
        XCTAssertNotEqual(run.status, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/a.json"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/a.png"))
    }

    func testVideoSidecarRecordsEveryFrame() throws {
        let dir = try Stylize.directory(self), out = dir + "/clip.mp4"
        let run = try Stylize.run(["video", clip, style, "-o", out, "--size", "64", "--iterations", "4", "--frame-iterations", "2",
                                   "--max-frames", "3", "--quiet"])
        XCTAssertEqual(run.status, 0, run.error)
        let sidecar = try object(dir + "/clip.json")
        XCTAssertEqual(sidecar["frame_iterations"] as? Int, 2)
        XCTAssertEqual(sidecar["max_frames"] as? Int, 3)
        let details = try XCTUnwrap(sidecar["run"] as? [String: Any])
        XCTAssertEqual(details["command"] as? String, "video")
        let frames = try XCTUnwrap(details["frame_trace"] as? [[String: Any]])
        XCTAssertEqual(frames.map { $0["frame"] as? Int }, [1, 2, 3])
        XCTAssertEqual(frames.dropFirst().map { $0["iterations"] as? Int }, [2, 2])
    }

    func testEverySampleRecipeIsDocumentedAndRuns() throws {
        let folder = Stylize.root + "/Samples/recipes"
        let readme = try String(contentsOfFile: folder + "/README.md", encoding: .utf8)
        let recipes = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".json") }.sorted()
        XCTAssertFalse(recipes.isEmpty)
        let dir = try Stylize.directory(self)
        for name in recipes {
            XCTAssertTrue(readme.contains("`\(name)`"), "Samples/recipes/README.md does not document \(name)")
            let command = name.hasPrefix("texture") ? ["texture", style] : name.hasPrefix("reconstruct") ? ["reconstruct", content]
                : ["image", content, style]
            // The recipe's knobs, cut to a thumbnail and two iterations.
            let run = try Stylize.run(command + ["--recipe", folder + "/" + name, "-o", dir + "/" + name + ".png",
                                                 "--size", "32", "--min-size", "16", "--iterations", "2", "--quiet"])
            XCTAssertEqual(run.status, 0, "\(name): \(run.error)")
        }
    }
}
