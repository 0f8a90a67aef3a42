import Foundation
import XCTest

/// The four forms of progress, run as a user would: the live line on a terminal, plain lines through a pipe,
/// `--quiet` and `--json`.
final class ProgressTests: XCTestCase {
    private var content: String { Stylize.root + "/Samples/building.jpg" }
    private var style: String { Stylize.root + "/Samples/starry_night.jpg" }
    private var clip: String { Stylize.root + "/Tests/MediaTests/Files/cfr_audio.mp4" }
    /// Two scales of 3 and 6 iterations at 64 px: a second or two.
    private let fast = ["--size", "64", "--min-size", "32", "--scales", "2", "--iterations", "6"]

    private func image(_ out: String, _ extra: [String]) throws -> Stylize.Run {
        let run = try Stylize.run(["image", content, style, "-o", out] + fast + extra)
        XCTAssertEqual(run.status, 0, run.error)
        return run
    }

    func testPlainLinesThroughAPipeCarryTotalRateAndETA() throws {
        let dir = try Stylize.directory(self)
        let run = try image(dir + "/a.png", ["--progress-every", "1"])
        XCTAssertFalse(run.output.contains("\r"), "a pipe gets whole lines, no carriage returns")
        let iterations = run.output.split(separator: "\n").filter { $0.contains("it/s") }
        // 3 at the coarse scale, 6 at the fine one, each with the total over both scales and the time left.
        XCTAssertEqual(iterations.count, 9, run.output)
        XCTAssertTrue(iterations.allSatisfy { $0.contains("/9") && $0.contains("ETA") && $0.contains("style ") }, run.output)
        XCTAssertTrue(run.output.contains("scale 1/2: "), run.output)
        XCTAssertTrue(run.output.contains("wrote \(dir)/a.png"), run.output)
    }

    func testTerminalGetsOneLiveLineRewrittenInPlace() throws {
        let dir = try Stylize.directory(self)
        // `script` gives the command a pseudo-terminal and copies what it writes there to our pipe.
        let command = ([Stylize.executable, "image", content, style, "-o", dir + "/a.png"] + fast)
            .map { "'" + $0 + "'" }.joined(separator: " ")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["-qec", command, "/dev/null"]
        let out = Pipe()
        process.standardOutput = out
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, text)
        let rewrites = text.components(separatedBy: "\r\u{1B}[2K").filter { $0.contains("it/s") }
        // Every iteration rewrites the line, with iteration/total, the scale and the time left.
        XCTAssertEqual(rewrites.count, 9, text)
        XCTAssertTrue(rewrites.allSatisfy { $0.contains("/9") && $0.contains("scale ") && $0.contains("ETA") && !$0.contains("\n") }, text)
        XCTAssertTrue(text.contains("wrote \(dir)/a.png"), text)
    }

    func testQuietPrintsOnlyTheWroteLines() throws {
        let dir = try Stylize.directory(self)
        let run = try image(dir + "/a.png", ["--quiet", "--progress-every", "1"])
        let lines = run.output.split(separator: "\n")
        XCTAssertEqual(lines, ["wrote \(dir)/a.png", "wrote \(dir)/a.json"], run.output)
    }

    private func events(_ output: String) throws -> [[String: Any]] {
        try output.split(separator: "\n").map { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return try XCTUnwrap(object, "not a JSON object: \(line)")
        }
    }

    func testJSONPrintsOneEventPerLine() throws {
        let dir = try Stylize.directory(self)
        let run = try image(dir + "/a.png", ["--json"])
        let events = try events(run.output)
        let kinds = events.compactMap { $0["event"] as? String }
        XCTAssertEqual(kinds.count, events.count, "every object names its event")
        XCTAssertEqual(kinds.first, "started")
        XCTAssertEqual(kinds.last, "finished")
        XCTAssertEqual(kinds.filter { $0 == "scale" }.count, 2)
        let iterations = events.filter { $0["event"] as? String == "iteration" }
        XCTAssertEqual(iterations.map { $0["iteration"] as? Int }, (1...9).map { $0 })
        XCTAssertTrue(iterations.allSatisfy { $0["total_iterations"] as? Int == 9 && $0["eta"] is Double && ($0["losses"] as? [String: Any])?["style"] is Double })
        let recipe = try XCTUnwrap(events.first?["recipe"] as? [String: Any])
        XCTAssertEqual(recipe["size"] as? Int, 64)
        XCTAssertEqual(events.last?["outputs"] as? [String], [dir + "/a.png"])
    }

    func testVideoJSONReportsEveryFrame() throws {
        let dir = try Stylize.directory(self), out = dir + "/clip.mp4"
        let run = try Stylize.run(["video", clip, style, "-o", out, "--size", "64", "--iterations", "4", "--frame-iterations", "2",
                                   "--max-frames", "3", "--json"])
        XCTAssertEqual(run.status, 0, run.error)
        let events = try events(run.output)
        let kinds = events.compactMap { $0["event"] as? String }
        XCTAssertEqual(kinds.first, "started")
        XCTAssertEqual(kinds.last, "finished")
        XCTAssertEqual(events.filter { $0["event"] as? String == "frame" }.map { $0["frame"] as? Int }, [1, 2, 3])
        XCTAssertTrue(events.filter { $0["event"] as? String == "iteration" }.allSatisfy { $0["frame"] is Int }, run.output)
        XCTAssertEqual(events.first?["frames"] as? Int, 3)
    }

    func testVideoQuietPrintsOnlyTheWroteLine() throws {
        let dir = try Stylize.directory(self), out = dir + "/clip.mp4"
        let run = try Stylize.run(["video", clip, style, "-o", out, "--size", "64", "--iterations", "4", "--frame-iterations", "2",
                                   "--max-frames", "2", "--quiet"])
        XCTAssertEqual(run.status, 0, run.error)
        let lines = run.output.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, run.output)
        XCTAssertTrue(lines.first?.hasPrefix("wrote \(out)") ?? false, run.output)
    }
}
