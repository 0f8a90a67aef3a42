import Foundation
import XCTest

/// Every numeric flag and recipe key is bounded: the crashers of issue 12 end with a clear error naming the flag
/// and its range, before any work and with nothing written; typed values are refused before the model loads;
/// older recipe files still load; every option's help shows its default.
final class OptionLimitTests: XCTestCase {
    private let root = Stylize.root
    private var coffee: String { root + "/Samples/coffee.jpg" }
    private var starry: String { root + "/Samples/starry_night_unframed.jpg" }
    private var clip: String { root + "/Tests/MediaTests/Files/cfr_audio.mp4" }

    /// Runs `arguments` (with `DIR` standing for a fresh folder) and checks: exit 64 (a usage error, not a trap
    /// or a signal), the message names the flag and its range, and the folder is still empty.
    private func expectRefused(_ arguments: [String], flag: String, range: String, line: UInt = #line) throws {
        let dir = try Stylize.directory(self)
        let run = try Stylize.run(arguments.map { $0.replacingOccurrences(of: "DIR", with: dir) })
        XCTAssertEqual(run.status, 64, "\(arguments): \(run.error)", line: line)
        XCTAssertTrue(run.error.contains("\(flag) ") && run.error.contains("must be between \(range)"),
                      "\(arguments): \(run.error)", line: line)
        XCTAssertFalse(run.error.contains("Fatal error") || run.error.contains("Backtrace"), run.error, line: line)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), [], "left behind by \(arguments)", line: line)
    }

    func testReportedCrashersEndWithTheFlagAndItsRange() throws {
        try expectRefused(["image", coffee, starry, "-o", "DIR/a.png", "--gif", "DIR/g.gif", "--hold", "inf"],
                          flag: "--hold", range: "0 and 60")
        try expectRefused(["image", coffee, starry, "-o", "DIR/a.png", "--style-scale", "1e300"],
                          flag: "--style-scale", range: "0.05 and 4")
        try expectRefused(["image", coffee, starry, "-o", "DIR/a.png", "--size", "9223372036854775807"],
                          flag: "--size", range: "16 and 8192")
        try expectRefused(["image", coffee, starry, "-o", "DIR/a.png", "--iterations", "9223372036854775807", "--gif", "DIR/g.gif"],
                          flag: "--iterations", range: "0 and 100000")
        try expectRefused(["texture", starry, "-o", "DIR/a.png", "--scales", "2000000000"],
                          flag: "--scales", range: "1 and 16")
        try expectRefused(["image", coffee, starry, "-o", "DIR/a.png", "--style-layer-weights", "nan,1,1,1,1",
                           "--video", "DIR/v.mp4", "--gif", "DIR/g.gif"],
                          flag: "--style-layer-weights", range: "0 and 1e+15")
        try expectRefused(["video", clip, starry, "-o", "DIR/out.mp4", "--temporal-weight", "inf"],
                          flag: "--temporal-weight", range: "0 and 1e+15")
    }

    func testOtherNumbersAreBoundedToo() throws {
        try expectRefused(["image", coffee, starry, "-o", "DIR/a.png", "--gif", "DIR/g.gif", "--gif-fps", "1e9"],
                          flag: "--gif-fps", range: "0.1 and 50")
        try expectRefused(["image", coffee, starry, "-o", "DIR/a.png", "--gif", "DIR/g.gif", "--gif-width", "100000"],
                          flag: "--gif-width", range: "16 and 4096")
        try expectRefused(["image", coffee, starry, "-o", "DIR/a.png", "--learning-rate", "1e9"],
                          flag: "--learning-rate", range: "1e-06 and 1000")
        try expectRefused(["reconstruct", coffee, "-o", "DIR/a.png", "--scale-iterations", "5,-3"],
                          flag: "--scale-iterations", range: "0 and 100000")
        try expectRefused(["video", clip, starry, "-o", "DIR/out.mp4", "--frame-iterations", "9223372036854775807"],
                          flag: "--frame-iterations", range: "0 and 100000")
        try expectRefused(["video", clip, starry, "-o", "DIR/out.mp4", "--slurm", "--dry-run", "--segments", "2000000000"],
                          flag: "--segments", range: "1 and 1000")
        try expectRefused(["video", clip, starry, "-o", "DIR/out.mp4", "--start", "1e300"],
                          flag: "--start", range: "0 and 1e+07")
        try expectRefused(["video", clip, starry, "-o", "DIR/out.mp4", "--max-frames", "9223372036854775807"],
                          flag: "--max-frames", range: "1 and 1000000000")
    }

    func testRecipeFileValuesAreBoundedLikeTheFlags() throws {
        let dir = try Stylize.directory(self), recipe = dir + "/r.json"
        try Data(#"{"style_scale": 1e300, "size": 64}"#.utf8).write(to: URL(fileURLWithPath: recipe))
        let run = try Stylize.run(["image", coffee, starry, "-o", dir + "/a.png", "--recipe", recipe])
        XCTAssertEqual(run.status, 64, run.error)
        XCTAssertTrue(run.error.contains("--style-scale 1e+300: must be between 0.05 and 4"), run.error)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["r.json"])
    }

    /// A model path that does not exist would fail when the network loads: the pooling error must come first.
    func testBadPoolingAndInitFailBeforeTheModelLoads() throws {
        let dir = try Stylize.directory(self), missing = dir + "/no-such-model.pth"
        let flag = try Stylize.run(["image", coffee, starry, "-o", dir + "/a.png", "--model", missing, "--pooling", "mean"])
        XCTAssertNotEqual(flag.status, 0)
        XCTAssertTrue(flag.error.contains("--pooling") && flag.error.contains("max") && flag.error.contains("avg"), flag.error)
        XCTAssertFalse(flag.error.contains("no-such-model"), flag.error)

        let recipe = dir + "/r.json"
        try Data(#"{"pooling": "mean"}"#.utf8).write(to: URL(fileURLWithPath: recipe))
        let file = try Stylize.run(["image", coffee, starry, "-o", dir + "/a.png", "--model", missing, "--recipe", recipe])
        XCTAssertNotEqual(file.status, 0)
        XCTAssertTrue(file.error.contains("--recipe") && file.error.contains("mean"), file.error)
        XCTAssertFalse(file.error.contains("no-such-model"), file.error)

        let start = try Stylize.run(["image", coffee, starry, "-o", dir + "/a.png", "--model", missing, "--init", dir + "/missing.png"])
        XCTAssertEqual(start.status, 1)
        XCTAssertTrue(start.error.contains("missing.png"), start.error)
        XCTAssertFalse(start.error.contains("no-such-model"), start.error)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["r.json"])
    }

    /// A recipe written before `pooling` and `init` were typed (the same strings) runs and is saved unchanged.
    func testOldRecipeFileStillLoads() throws {
        let dir = try Stylize.directory(self), recipe = dir + "/old.json", saved = dir + "/saved.json"
        let old = #"{"pooling": "avg", "init": "content+noise", "noise": 0.25, "size": 32, "scales": 1, "iterations": 1, "model": "vgg16"}"#
        try Data(old.utf8).write(to: URL(fileURLWithPath: recipe))
        let run = try Stylize.run(["image", coffee, starry, "-o", dir + "/a.png", "--recipe", recipe, "--save-recipe", saved])
        XCTAssertEqual(run.status, 0, run.error)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/a.png"))
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: saved))) as? [String: Any])
        XCTAssertEqual(object["pooling"] as? String, "avg")
        XCTAssertEqual(object["init"] as? String, "content+noise")
        XCTAssertEqual(object["noise"] as? Double, 0.25)

        // An image file as the start, as older recipes wrote it: a plain path.
        try Data(#"{"init": "\#(coffee)", "size": 32, "scales": 1, "iterations": 1, "model": "vgg16"}"#.utf8).write(to: URL(fileURLWithPath: recipe))
        let image = try Stylize.run(["image", coffee, starry, "-o", dir + "/b.png", "--recipe", recipe, "--save-recipe", saved])
        XCTAssertEqual(image.status, 0, image.error)
        let second = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: saved))) as? [String: Any])
        XCTAssertEqual(second["init"] as? String, coffee)
    }

    /// Each option's entry in `stylize help COMMAND`, from its first line to the next entry (after the overview
    /// and discussion: from the ARGUMENTS section on).
    private func optionEntries(_ command: String) throws -> [String] {
        let run = try Stylize.run(["help", command])
        XCTAssertEqual(run.status, 0, run.error)
        let lines = run.output.split(separator: "\n", omittingEmptySubsequences: false).drop { $0 != "ARGUMENTS:" }
        XCTAssertFalse(lines.isEmpty, "no ARGUMENTS section in stylize help \(command)")
        var entries: [String] = []
        for line in lines {
            if line.hasPrefix("    "), !entries.isEmpty {
                entries[entries.count - 1] += " " + line.trimmingCharacters(in: .whitespaces)
            } else {
                entries.append(line.trimmingCharacters(in: .whitespaces))  // an entry, a heading or a blank line
            }
        }
        return entries.filter { $0.hasPrefix("-") }
    }

    func testHelpShowsADefaultForEveryOption() throws {
        for command in ["image", "texture", "reconstruct", "video"] {
            let entries = try optionEntries(command)
            XCTAssertGreaterThan(entries.count, 30, command)
            for entry in entries where !entry.contains("--help") {
                XCTAssertTrue(entry.contains("default:") || entry.contains("(required)"), "stylize help \(command): \(entry)")
            }
        }
        // The command's own defaults, not another's; typed values list their choices.
        let texture = try optionEntries("texture"), image = try optionEntries("image")
        XCTAssertTrue(texture.contains { $0.contains("--init") && $0.contains("default: noise") }, "\(texture)")
        XCTAssertTrue(image.contains { $0.contains("--init") && $0.contains("default: content") }, "\(image)")
        XCTAssertTrue(image.contains { $0.contains("--pooling") && $0.contains("values: max, avg") }, "\(image)")
        XCTAssertTrue(try optionEntries("video").contains { $0.contains("--size") && $0.contains("default: 192") })
    }
}
