import CFFmpeg
import Foundation
import Media
import XCTest

/// `stylize video --segment i/N` and `stylize join`, run as a user would on a short clip with sound.
final class SegmentTests: XCTestCase {
    private let clip = Stylize.root + "/Tests/MediaTests/Files/cfr_audio.mp4"
    private let starry = Stylize.root + "/Samples/starry_night_unframed.jpg"
    /// 12 frames in 3 segments of 4, each later one with a 2-frame lead-in: about a second a segment.
    private let fast = ["--size", "64", "--iterations", "5", "--frame-iterations", "2", "--progress-every", "0", "--max-frames", "12"]

    private func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    private func segment(_ segment: String, out: String, _ extra: [String] = []) throws -> Stylize.Run {
        try Stylize.run(["video", clip, starry, "-o", out, "--gif", out + ".gif", "--segment", segment, "--overlap", "2", "--resume"] + fast + extra)
    }

    /// Runs segment `i` of 3 and fails the test unless it succeeds.
    @discardableResult
    private func segment(_ i: Int, out: String, _ extra: [String] = [], file: StaticString = #filePath, line: UInt = #line) throws -> Stylize.Run {
        let run = try segment("\(i)/3", out: out, extra)
        XCTAssertEqual(run.status, 0, "segment \(i)/3: \(run.error)", file: file, line: line)
        return run
    }

    /// Each frame file of a folder with its bytes and modification date.
    private func files(_ directory: String) throws -> [String: (Data, Date)] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory)
        return try Dictionary(uniqueKeysWithValues: names.map { name in
            let path = directory + "/" + name
            let date = try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date ?? .distantPast
            return (name, (try Data(contentsOf: URL(fileURLWithPath: path)), date))
        })
    }

    private func assertUnchanged(_ before: [String: (Data, Date)], _ directory: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let after = try files(directory)
        XCTAssertEqual(Set(after.keys), Set(before.keys), "\(directory): files came or went", file: file, line: line)
        for (name, (bytes, date)) in before {
            XCTAssertEqual(after[name]?.0, bytes, "\(directory)/\(name) was rewritten", file: file, line: line)
            XCTAssertEqual(after[name]?.1, date, "\(directory)/\(name) was touched", file: file, line: line)
        }
    }

    func testBadSegmentValuesAreRefused() throws {
        let dir = try Stylize.directory(self)
        for value in ["0/3", "4/3", "a/b", "3", "1/0"] {
            let run = try segment(value, out: dir + "/out.mp4")
            XCTAssertNotEqual(run.status, 0, "--segment \(value) was accepted")
            let errorLine = run.error.split(separator: "\n").first.map(String.init) ?? ""
            XCTAssertTrue(errorLine.contains("--segment \(value)") && errorLine.contains("i/N"), "--segment \(value): \(run.error)")
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), [], "--segment \(value) left files behind")
        }
    }

    func testJoinNamesTheMissingSegment() throws {
        let dir = try Stylize.directory(self), out = dir + "/out.mp4"
        try segment(1, out: out)
        try segment(3, out: out)
        let join = try Stylize.run(["join", out + ".frames"])
        XCTAssertNotEqual(join.status, 0)
        XCTAssertTrue(join.error.contains("segment 2/3 is missing"), join.error)
        XCTAssertFalse(exists(out) || exists(out + ".gif"), "the join of an unfinished job wrote an output")
    }

    func testJoinRefusesASegmentMadeDifferently() throws {
        let dir = try Stylize.directory(self), out = dir + "/out.mp4", other = dir + "/other.mp4"
        try segment(1, out: out)
        try segment(2, out: out)
        // The same segment of another job cannot join this one's folder…
        let refused = try segment("3/3", out: out, ["--style-weight", "1000"])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.error.contains("job.json") && refused.error.contains("style_weight"), refused.error)
        XCTAssertFalse(exists(out + ".frames/segment-3-of-3"), "a refused segment left frames")
        // …and when copied in by hand, the join names it and what differs.
        try segment(3, out: other, ["--style-weight", "1000"])
        try FileManager.default.copyItem(atPath: other + ".frames/segment-3-of-3", toPath: out + ".frames/segment-3-of-3")
        let join = try Stylize.run(["join", out + ".frames"])
        XCTAssertNotEqual(join.status, 0)
        XCTAssertTrue(join.error.contains("segment 3/3") && join.error.contains("style_weight"), join.error)
        XCTAssertFalse(exists(out) || exists(out + ".gif"), "the join of a foreign segment wrote an output")
    }

    func testKilledSegmentResumesWithoutTouchingTheOthers() throws {
        let dir = try Stylize.directory(self), out = dir + "/out.mp4", work = out + ".frames"
        try segment(1, out: out)
        try segment(3, out: out)
        let first = try files(work + "/segment-1-of-3"), third = try files(work + "/segment-3-of-3")
        let job = FileManager.default.contents(atPath: work + "/job.json")

        // Killed after its second frame line: segment 2 stylizes 6 frames (2 lead-in, 4 its own).
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Stylize.executable)
        process.arguments = ["video", clip, starry, "-o", out, "--gif", out + ".gif", "--segment", "2/3", "--overlap", "2", "--resume"] + fast
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        var text = ""
        while case let chunk = pipe.fileHandleForReading.availableData, !chunk.isEmpty {
            text += String(decoding: chunk, as: UTF8.self)
            if text.split(separator: "\n").dropLast().filter({ $0.hasPrefix("frame ") }).count >= 2 { kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .uncaughtSignal, "segment 2 finished before the kill: \(text)")
        // Its lead-in and own frames (frame 1 is the start it shares with segment 1, not one of them).
        let kept = try files(work + "/segment-2-of-3").filter { $0.key.hasPrefix("frame_") && $0.key != "frame_00001.png" }
        XCTAssertGreaterThanOrEqual(kept.count, 2)
        XCTAssertLessThan(kept.count, 6)

        let rerun = try segment(2, out: out)
        XCTAssertTrue(rerun.output.contains("\(6 - kept.count) stylized, \(kept.count) resumed"), rerun.output)
        try assertUnchanged(first, work + "/segment-1-of-3")
        try assertUnchanged(third, work + "/segment-3-of-3")
        XCTAssertEqual(FileManager.default.contents(atPath: work + "/job.json"), job, "job.json changed")
        let second = try files(work + "/segment-2-of-3")
        for (name, (bytes, _)) in kept { XCTAssertEqual(second[name]?.0, bytes, "\(name) of segment 2 changed on resume") }
        XCTAssertEqual(second.keys.filter { $0.hasPrefix("frame_") && $0 != "frame_00001.png" }.count, 6)

        let join = try Stylize.run(["join", work])
        XCTAssertEqual(join.status, 0, join.error)
        XCTAssertEqual(try ClipProbe.frames(out).images.count, 12)
    }

    func testSegmentsAndJoinGiveWhatOneMachineGives() throws {
        let dir = try Stylize.directory(self), one = dir + "/one.mp4", joined = dir + "/joined.mp4"
        let whole = try Stylize.run(["video", clip, starry, "-o", one, "--gif", one + ".gif"] + fast)
        XCTAssertEqual(whole.status, 0, whole.error)
        for i in 1...3 { try segment(i, out: joined) }
        let join = try Stylize.run(["join", joined + ".frames"])
        XCTAssertEqual(join.status, 0, join.error)
        XCTAssertTrue(join.output.contains("seams at frames 5, 9"), join.output)

        // Same frames, timing and sound.
        let a = try ClipProbe.frames(one), b = try ClipProbe.frames(joined)
        XCTAssertEqual(b.images.count, 12)
        XCTAssertEqual(b.seconds, a.seconds)
        let sound = { (path: String) in try ClipProbe.streams(path).filter { $0.type == AVMEDIA_TYPE_AUDIO }.map(\.packetChecksums) }
        XCTAssertEqual(try sound(one).count, 1)
        XCTAssertEqual(try sound(joined), try sound(one), "the joined clip's audio packets differ from the one-machine run's")
        XCTAssertEqual(try ClipProbe.frames(joined + ".gif").images.count, try ClipProbe.frames(one + ".gif").images.count)

        // The join's sidecar carries the recipe the one-machine run records, which `--recipe` takes back.
        let sidecar = { (path: String) throws -> [String: Any] in
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any], path)
        }
        var joinedRecipe = try sidecar(dir + "/joined.json"), oneRecipe = try sidecar(dir + "/one.json")
        let joinedRun = try XCTUnwrap(joinedRecipe.removeValue(forKey: "run") as? [String: Any])
        let oneRun = try XCTUnwrap(oneRecipe.removeValue(forKey: "run") as? [String: Any])
        XCTAssertEqual(joinedRecipe as NSDictionary, oneRecipe as NSDictionary, "the joined clip's recipe differs from the one-machine run's")
        XCTAssertEqual(joinedRun["command"] as? String, "join")
        XCTAssertEqual(joinedRun["outputs"] as? [String], [joined, joined + ".gif"])
        XCTAssertEqual(joinedRun["inputs"] as? [String], [clip])
        XCTAssertEqual((joinedRun["model"] as? [String: String])?["sha256"], (oneRun["model"] as? [String: String])?["sha256"])
        XCTAssertNotNil((joinedRun["model"] as? [String: String])?["sha256"])
        XCTAssertEqual(joinedRun["frames"] as? Int, 12)
        XCTAssertEqual(joinedRun["seams"] as? [Int], [5, 9])
        let made = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: one + ".frames/fingerprint.json"))) as? [String: Any])
        let style = try XCTUnwrap((made["entries"] as? [String: String])?["style 1"])
        XCTAssertEqual(joinedRun["style_sha256"] as? [String], [String(style.dropFirst("sha256 ".count))])
        XCTAssertNotNil((joinedRun["versions"] as? [String: String])?["FFmpeg"])
        let again = try Stylize.run(["video", clip, starry, "-o", dir + "/again.mp4", "--recipe", dir + "/joined.json", "--max-frames", "2",
                                     "--progress-every", "0"])
        XCTAssertEqual(again.status, 0, again.error)
        var rerun = try sidecar(dir + "/again.json")
        rerun["run"] = nil
        XCTAssertEqual(rerun["max_frames"] as? Int, 2)
        rerun["max_frames"] = joinedRecipe["max_frames"]
        XCTAssertEqual(rerun as NSDictionary, joinedRecipe as NSDictionary, "--recipe joined.json did not rerun the joined clip's recipe")

        // The same fingerprint, and the first segment is the one-machine run's start, byte for byte.
        let fingerprint = { (folder: String) in try Data(contentsOf: URL(fileURLWithPath: folder + "/fingerprint.json")) }
        for i in 1...3 { XCTAssertEqual(try fingerprint(joined + ".frames/segment-\(i)-of-3"), try fingerprint(one + ".frames")) }
        for n in 1...4 {
            let name = String(format: "/frame_%05d.png", n)
            XCTAssertEqual(FileManager.default.contents(atPath: joined + ".frames/segment-1-of-3" + name),
                           FileManager.default.contents(atPath: one + ".frames" + name), "segment 1\(name)")
        }
    }

    /// The join checks its video, GIF and sidecar before it reads a frame: with two of the three segments
    /// missing, what it reports is the output, and the folder is left as it was.
    func testJoinChecksItsOutputsFirst() throws {
        let dir = try Stylize.directory(self), out = dir + "/out.mp4", work = out + ".frames"
        try segment(1, out: out)
        let before = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
        func refused(_ arguments: [String], status: Int32, mentions: [String], line: UInt = #line) throws {
            let run = try Stylize.run(["join", work] + arguments)
            XCTAssertEqual(run.status, status, run.error, line: line)
            XCTAssertEqual(run.error.split(separator: "\n").count, 1, run.error, line: line)
            for text in mentions { XCTAssertTrue(run.error.contains(text), "no '\(text)' in \(run.error)", line: line) }
            XCTAssertFalse(run.error.contains("segment 2/3"), "the join looked at the segments first: \(run.error)", line: line)
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).sorted(), before, "left behind: \(run.error)", line: line)
        }
        try refused(["-o", dir + "/clip.txt"], status: 64, mentions: ["-o \(dir)/clip.txt", ".mp4"])
        try refused(["--gif", dir + "/g.png"], status: 64, mentions: ["--gif \(dir)/g.png", ".gif"])
        try refused(["-o", dir + "/g.gif", "--gif", dir + "/g.gif"], status: 64, mentions: ["own path"])
        try refused(["-o", dir + "/none/clip.mp4"], status: 1, mentions: ["there is no folder \(dir)/none"])
        // Where no file can be created: mode 555 for a user; for root, who ignores modes, /sys.
        if getuid() == 0 {
            try refused(["-o", "/sys/stylize-join.mp4"], status: 1, mentions: ["-o /sys/stylize-join.mp4", "cannot create files in /sys"])
            XCTAssertFalse(exists("/sys/stylize-join.mp4"))
        } else {
            let locked = dir + "/locked"
            try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: false)
            XCTAssertEqual(chmod(locked, 0o555), 0)
            defer { chmod(locked, 0o755) }
            let run = try Stylize.run(["join", work, "--gif", locked + "/g.gif"])
            XCTAssertEqual(run.status, 1, run.error)
            XCTAssertTrue(run.error.contains("cannot create files in \(locked)"), run.error)
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: locked), [])
        }
        // With outputs it can write, the same join gets to the segments and names the missing one.
        let reached = try Stylize.run(["join", work, "-o", dir + "/elsewhere.mp4"])
        XCTAssertEqual(reached.status, 1, reached.error)
        XCTAssertTrue(reached.error.contains("segment 2/3 is missing"), reached.error)
    }

    /// A join whose GIF fails after the video is finished (`ulimit -f` just above the video's size, which
    /// the GIF outgrows) leaves neither, nor the sidecar; the same join without the limit writes all three and
    /// its `finished` event names the sidecar.
    func testJoinWhoseGIFFailsLeavesNoVideo() throws {
        let dir = try Stylize.directory(self), out = dir + "/out.mp4", work = out + ".frames"
        for i in 1...3 { try segment(i, out: out) }
        let whole = try Stylize.run(["join", work, "--json"])
        XCTAssertEqual(whole.status, 0, whole.error)
        let finished = try XCTUnwrap(whole.output.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }.last)
        XCTAssertEqual(finished["event"] as? String, "finished")
        XCTAssertEqual(finished["sidecar"] as? String, dir + "/out.json")
        XCTAssertEqual(finished["outputs"] as? [String], [out, out + ".gif"])
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: dir)), ["out.mp4", "out.mp4.gif", "out.json", "out.mp4.frames"])

        let size = { (path: String) in try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0 }
        let video = try size(out), gif = try size(out + ".gif")
        let limit = (video + 1023) / 1024  // ulimit -f counts KiB: the video fits, the GIF must not
        XCTAssertLessThan(limit * 1024, gif, "the GIF (\(gif) bytes) is not larger than the video (\(video)): it cannot fail alone")
        XCTAssertLessThan(try size(dir + "/out.json"), limit * 1024)
        for name in ["out.mp4", "out.mp4.gif", "out.json"] { try FileManager.default.removeItem(atPath: dir + "/" + name) }

        let failed = try Stylize.run(["join", work], launcher: ["/bin/bash", "-c", "ulimit -f \(limit); trap '' XFSZ; exec \"$@\"", "bash"])
        XCTAssertEqual(failed.status, 1, failed.error)
        XCTAssertTrue(failed.error.hasPrefix("Error: ") && failed.error.contains("File too large"), failed.error)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["out.mp4.frames"], "left behind: \(failed.error)")
    }

    /// On a still shot two chains started apart differ by the same strokes in every frame, and the cross-fade
    /// shows as a drift; started from the same picture they agree, and the seams measure close to the rest.
    func testSegmentsOfAStillShotShareTheirStart() throws {
        let dir = try Stylize.directory(self), out = dir + "/tree.mp4", tree = Stylize.root + "/Samples/tree.mp4"
        let settings = ["--size", "64", "--iterations", "20", "--frame-iterations", "4", "--progress-every", "0", "--max-frames", "18"]
        for i in 1...3 {
            let run = try Stylize.run(["video", tree, starry, "-o", out, "--segment", "\(i)/3", "--overlap", "3"] + settings)
            XCTAssertEqual(run.status, 0, "segment \(i)/3: \(run.error)")
            if i > 1 { XCTAssertTrue(run.output.contains("started from frame 1 as segment 1 stylizes it"), run.output) }
        }
        // Every segment starts from segment 1's first picture, byte for byte.
        let first = FileManager.default.contents(atPath: out + ".frames/segment-1-of-3/frame_00001.png")
        XCTAssertNotNil(first)
        for i in 2...3 { XCTAssertEqual(FileManager.default.contents(atPath: out + ".frames/segment-\(i)-of-3/frame_00001.png"), first, "segment \(i)") }

        let join = try Stylize.run(["join", out + ".frames"])
        XCTAssertEqual(join.status, 0, join.error)
        XCTAssertTrue(join.output.contains("--seams 7,13 --overlap 3"), join.output)
        let metrics = try Stylize.run(["metrics", "temporal", out, "--reference", tree, "--seams", "7,13", "--overlap", "3", "--json"])
        XCTAssertEqual(metrics.status, 0, metrics.error)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(metrics.output.utf8)) as? [String: Any])
        let seams = try XCTUnwrap(json["seams"] as? [String: Any])
        let around = try XCTUnwrap(seams["around"] as? Double), inside = try XCTUnwrap(seams["inside"] as? Double)
        print("still shot seams: around \(around), inside \(inside), ratio \(around / inside)")
        // At these quick settings (4 iterations a frame) this measured 1.8×; segments started apart, 29×. The
        // 1.5× target holds at the default settings (README, "Measured").
        XCTAssertLessThanOrEqual(around, 3 * inside, "the seams show: around them \(around), inside the segments \(inside)")
    }
}
