import CFFmpeg
import Foundation
import Media
import XCTest

/// `stylize video` run as a user would, on the fixture clips: exit status, what it prints and the files it leaves.
final class VideoCommandTests: XCTestCase {
    private let files = Stylize.root + "/Tests/MediaTests/Files"
    private var starry: String { Stylize.root + "/Samples/starry_night_unframed.jpg" }
    private var coffee: String { Stylize.root + "/Samples/coffee.jpg" }
    /// Small and short: every run takes about a second.
    private let fast = ["--size", "64", "--iterations", "5", "--frame-iterations", "2", "--progress-every", "0"]

    private func clip(_ name: String) -> String { files + "/" + name }

    private func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    /// Runs `stylize video` and fails the test (showing stderr) unless it exits 0.
    @discardableResult
    private func video(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> Stylize.Run {
        let run = try Stylize.run(["video"] + arguments)
        XCTAssertEqual(run.status, 0, "stylize video \(arguments.joined(separator: " ")): \(run.error)", file: file, line: line)
        return run
    }

    private func summary(_ run: Stylize.Run) -> String? {
        run.output.split(separator: "\n").first { $0.contains("stylized,") && $0.contains("resumed") }.map(String.init)
    }

    // MARK: 1. Sound

    func testAudioIsCopiedBitIdentical() throws {
        let dir = try Stylize.directory(self), out = dir + "/out.mp4"
        let run = try video([clip("cfr_audio.mp4"), starry, "-o", out] + fast)
        XCTAssertTrue(run.output.contains("copied"), run.output)
        XCTAssertFalse(run.output.contains("truncated"), "a whole clip is not reported short: \(run.output)")
        let source = try ClipProbe.streams(clip("cfr_audio.mp4")).filter { $0.type == AVMEDIA_TYPE_AUDIO }
        let written = try ClipProbe.streams(out).filter { $0.type == AVMEDIA_TYPE_AUDIO }
        XCTAssertEqual(source.count, 1)
        XCTAssertEqual(written.count, 1, "out.mp4 should carry the clip's audio stream")
        guard let input = source.first, let output = written.first else { return }
        XCTAssertEqual(output.codec, input.codec)
        XCTAssertGreaterThan(input.packetChecksums.count, 50)
        XCTAssertEqual(output.packetChecksums, input.packetChecksums, "audio packet payloads differ from the source's")
    }

    func testStartAndDurationCutPictureAndSound() throws {
        let dir = try Stylize.directory(self), out = dir + "/out.mp4"
        // Side by side: the left part is the input frame, so what was selected can be seen in the output.
        let run = try video([clip("cfr_audio.mp4"), starry, "-o", out, "--start", "0.5", "--duration", "1", "--side-by-side"] + fast)
        XCTAssertTrue(run.output.contains("10 frames"), run.output)
        let frames = try ClipProbe.frames(out)
        XCTAssertEqual(frames.images.count, 10)
        let audio = try ClipProbe.streams(out).filter { $0.type == AVMEDIA_TYPE_AUDIO }
        XCTAssertEqual(audio.count, 1)
        XCTAssertEqual(audio.first?.duration ?? 0, 1, accuracy: 0.1, "audio length of the 1 s span")

        guard let first = frames.images.first else { return }
        let expected = try XCTUnwrap(ClipProbe.frames(clip("cfr_audio.mp4"), selection: ClipSelection(start: 0.5, maxFrames: 1), longSide: 64).images.first)
        let other = try XCTUnwrap(ClipProbe.frames(clip("cfr_audio.mp4"), selection: ClipSelection(start: 0, maxFrames: 1), longSide: 64).images.first)
        XCTAssertGreaterThanOrEqual(first.width, 2 * expected.width)
        XCTAssertEqual(first.height, expected.height)
        let left = crop(first, width: expected.width)
        let atStart = ClipProbe.meanAbsoluteDifference(left, expected), atZero = ClipProbe.meanAbsoluteDifference(left, other)
        XCTAssertLessThan(atStart, 0.05, "first output frame vs the source at 0.5 s")
        XCTAssertLessThan(atStart, atZero, "the first frame should be the one at 0.5 s, not at 0 s")
    }

    private func crop(_ image: RGBImage, width: Int) -> RGBImage {
        var planes: [Float] = []
        let area = image.width * image.height
        for channel in 0..<3 {
            for y in 0..<image.height {
                let row = channel * area + y * image.width
                planes += image.planes[row..<row + width]
            }
        }
        return RGBImage(width: width, height: image.height, planes: planes)
    }

    // MARK: 2. Dropped streams

    func testDroppedSubtitleIsNamed() throws {
        let dir = try Stylize.directory(self), out = dir + "/out.mp4"
        let run = try video([clip("subs.mkv"), starry, "-o", out, "--max-frames", "2"] + fast)
        let dropped = run.output.split(separator: "\n").first { $0.contains("dropped") }
        XCTAssertNotNil(dropped, run.output)
        XCTAssertTrue(dropped?.contains("subtitle") ?? false, run.output)
        XCTAssertTrue(exists(out))
        XCTAssertEqual(try ClipProbe.streams(out).filter { $0.type == AVMEDIA_TYPE_SUBTITLE }.count, 0)
    }

    // MARK: 3. Timing

    func testVariableRateTimestampsAreKept() throws {
        let dir = try Stylize.directory(self), out = dir + "/out.mp4"
        try video([clip("vfr.mkv"), starry, "-o", out] + fast)
        let input = try ClipProbe.frames(clip("vfr.mkv"), longSide: 64), output = try ClipProbe.frames(out)
        XCTAssertEqual(input.seconds.count, 20)
        XCTAssertEqual(output.seconds.count, input.seconds.count)
        guard let inputStart = input.seconds.first, let outputStart = output.seconds.first else { return }
        for (index, (a, b)) in zip(input.seconds, output.seconds).enumerated() {
            XCTAssertEqual(b - outputStart, a - inputStart, accuracy: 0.002, "frame \(index + 1) time")
        }
    }

    func testFpsResamplesToConstantRate() throws {
        let dir = try Stylize.directory(self), out = dir + "/out.mp4"
        try video([clip("vfr.mkv"), starry, "-o", out, "--fps", "5"] + fast)
        let duration = try XCTUnwrap(VideoReader(path: clip("vfr.mkv")).duration)
        let output = try ClipProbe.frames(out)
        XCTAssertEqual(Double(output.seconds.count), duration * 5, accuracy: 1, "frames for \(duration) s at 5 fps")
        for (index, pair) in zip(output.seconds, output.seconds.dropFirst()).enumerated() {
            XCTAssertEqual(pair.1 - pair.0, 0.2, accuracy: 0.002, "spacing after frame \(index + 1)")
        }
    }

    func testRotatedClipComesOutPortrait() throws {
        let dir = try Stylize.directory(self), out = dir + "/out.mp4"
        try video([clip("rotated.mp4"), starry, "-o", out, "--max-frames", "2"] + fast)
        let first = try XCTUnwrap(ClipProbe.frames(out).images.first)
        XCTAssertGreaterThan(first.height, first.width)
    }

    // MARK: 4. Several styles

    func testBlendedStylesWithColorsAndScale() throws {
        let dir = try Stylize.directory(self), out = dir + "/out.mp4"
        try video([clip("cfr_audio.mp4"), starry, coffee, "-o", out, "--max-frames", "3", "--style-blend", "0.7,0.3",
                   "--preserve-colors", "--style-scale", "0.5"] + fast)
        XCTAssertEqual(try ClipProbe.frames(out).images.count, 3)
    }

    // MARK: 5. Recipes

    func testRecipeIsSavedAndHonoured() throws {
        let dir = try Stylize.directory(self), recipe = dir + "/r.json"
        try video([clip("cfr_audio.mp4"), starry, "-o", dir + "/a.mp4", "--max-frames", "2", "--save-recipe", recipe] + fast)
        let data = try Data(contentsOf: URL(fileURLWithPath: recipe))
        var json = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        for key in ["temporal", "temporal_weight", "frame_iterations", "start", "max_frames", "style_weight"] {
            XCTAssertNotNil(json[key], "r.json lacks \(key)")
        }
        XCTAssertEqual(json["temporal"] as? String, "flow")
        XCTAssertEqual(json["max_frames"] as? Int, 2)

        json["temporal"] = "previous"
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: recipe))
        let run = try video([clip("cfr_audio.mp4"), starry, "-o", dir + "/b.mp4", "--recipe", recipe])
        let firstLine = run.output.split(separator: "\n").first.map(String.init) ?? ""
        XCTAssertTrue(firstLine.contains("temporal previous"), firstLine)
        XCTAssertEqual(try ClipProbe.frames(dir + "/b.mp4").images.count, 2, "max_frames from the recipe")
    }

    // MARK: 6. Resume

    func testResumeContinuesAndNamesWhatDiffers() throws {
        let dir = try Stylize.directory(self), out = dir + "/out.mp4"
        let base = [clip("cfr_audio.mp4"), starry, "-o", out] + fast
        try video(base + ["--max-frames", "3"])
        let resumed = try video(base + ["--max-frames", "4", "--resume"])
        XCTAssertTrue(summary(resumed)?.contains("1 stylized, 3 resumed") ?? false, resumed.output)
        XCTAssertEqual(try ClipProbe.frames(out).images.count, 4)

        let otherStyle = try Stylize.run(["video", clip("cfr_audio.mp4"), coffee, "-o", out, "--max-frames", "4", "--resume"] + fast)
        XCTAssertNotEqual(otherStyle.status, 0)
        XCTAssertTrue(otherStyle.error.contains("style 1"), otherStyle.error)

        let otherWeight = try Stylize.run(["video"] + base + ["--max-frames", "4", "--resume", "--style-weight", "1000"])
        XCTAssertNotEqual(otherWeight.status, 0)
        XCTAssertTrue(otherWeight.error.contains("style_weight"), otherWeight.error)

        let fresh = try Stylize.run(["video"] + base + ["--max-frames", "4"])
        XCTAssertNotEqual(fresh.status, 0)
        XCTAssertTrue(fresh.error.contains("--resume"), fresh.error)
        XCTAssertTrue(exists(out + ".frames/frame_00003.png"), "a refused run must not remove the finished frames")
    }

    // MARK: 7, 8. Interrupted runs

    /// Starts `stylize video`, sends `signal` once `lines` lines starting "frame " are on stdout, and waits.
    private func interrupted(_ arguments: [String], signal: Int32, afterFrameLines lines: Int) throws
        -> (reason: Process.TerminationReason, status: Int32, output: String)
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Stylize.executable)
        process.arguments = ["video"] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        var text = "", sent = false
        while true {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
            let frameLines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().filter { $0.hasPrefix("frame ") }
            if !sent, frameLines.count >= lines {
                kill(process.processIdentifier, signal)
                sent = true
            }
        }
        process.waitUntilExit()
        XCTAssertTrue(sent, "the run ended before its frame \(lines) line: \(text)")
        return (process.terminationReason, process.terminationStatus, text)
    }

    private func frameFiles(_ directory: String) throws -> [String: Data] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix("frame_") }
        return try Dictionary(uniqueKeysWithValues: names.map { ($0, try Data(contentsOf: URL(fileURLWithPath: directory + "/" + $0))) })
    }

    func testKilledRunResumesWithItsFramesKept() throws {
        let dir = try Stylize.directory(self), out = dir + "/out.mp4"
        let settings = fast + ["--max-frames", "8"]
        let killed = try interrupted([clip("cfr_audio.mp4"), starry, "-o", out] + settings, signal: SIGKILL, afterFrameLines: 2)
        XCTAssertEqual(killed.reason, .uncaughtSignal)
        let kept = try frameFiles(out + ".frames")
        XCTAssertNotNil(kept["frame_00001.png"], "frame 1 was reported but not kept")
        XCTAssertNotNil(kept["frame_00002.png"], "frame 2 was reported but not kept")
        XCTAssertLessThan(kept.count, 8, "the kill came after the run finished")
        // The frames done are playable although the process never finished its output.
        let partial = out + ".frames/partial.mp4"
        XCTAssertGreaterThanOrEqual(try ClipProbe.frames(partial).images.count, 1)

        let resumed = try video([clip("cfr_audio.mp4"), starry, "-o", out, "--resume"] + settings)
        XCTAssertTrue(summary(resumed)?.contains("\(8 - kept.count) stylized, \(kept.count) resumed") ?? false, resumed.output)
        XCTAssertEqual(try ClipProbe.frames(out).images.count, 8)
        let after = try frameFiles(out + ".frames")
        XCTAssertEqual(after.count, 8)
        XCTAssertFalse(exists(partial), "a clean end removes the crash copy")
        let strays = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix(".out.partial-") }
        XCTAssertEqual(strays, [], "the killed run's unfinished output is removed by the next run")
        for (name, bytes) in kept { XCTAssertEqual(after[name], bytes, "\(name) changed on resume") }

        let whole = dir + "/whole/out.mp4"
        try FileManager.default.createDirectory(atPath: dir + "/whole", withIntermediateDirectories: true)
        try video([clip("cfr_audio.mp4"), starry, "-o", whole] + settings)
        let reference = try frameFiles(whole + ".frames")
        // Each frame depends only on its input, the previous kept (8-bit) frame and the settings, so the
        // resumed run's frames are the uninterrupted run's, byte for byte.
        for name in after.keys.sorted() {
            XCTAssertEqual(after[name], reference[name], "\(name): the killed and resumed run differs from an uninterrupted one")
        }
    }

    func testCtrlCKeepsAPlayableVideo() throws {
        let dir = try Stylize.directory(self), out = dir + "/out.mp4"
        let settings = fast + ["--max-frames", "8"]
        let stopped = try interrupted([clip("cfr_audio.mp4"), starry, "-o", out] + settings, signal: SIGINT, afterFrameLines: 2)
        XCTAssertEqual(stopped.reason, .exit)
        XCTAssertEqual(stopped.status, 130)
        XCTAssertTrue(exists(out), "no out.mp4 after Ctrl-C")
        XCTAssertGreaterThanOrEqual(try ClipProbe.frames(out).images.count, 2)
    }

    // MARK: 9. Failures leave nothing

    private func assertNoOutputs(_ dir: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let left = try FileManager.default.contentsOfDirectory(atPath: dir)
        XCTAssertEqual(left, [], "left behind after a failure", file: file, line: line)
    }

    func testInvalidTemporalWeightLeavesNothing() throws {
        let dir = try Stylize.directory(self)
        let run = try Stylize.run(["video", clip("cfr_audio.mp4"), starry, "-o", dir + "/out.mp4", "--gif", dir + "/out.gif",
                                   "--max-frames", "2", "--temporal-weight", "inf"] + fast)
        XCTAssertNotEqual(run.status, 0)
        XCTAssertTrue(run.error.contains("temporal_weight") || run.error.contains("temporal-weight"), run.error)
        try assertNoOutputs(dir)
    }

    func testClipWithoutVideoIsRefused() throws {
        let dir = try Stylize.directory(self)
        let run = try Stylize.run(["video", clip("no_video.m4a"), starry, "-o", dir + "/out.mp4", "--gif", dir + "/out.gif"] + fast)
        XCTAssertNotEqual(run.status, 0)
        XCTAssertTrue(run.error.contains("no_video.m4a") && run.error.contains("picture"), run.error)
        try assertNoOutputs(dir)
    }

    /// A clip cut off after its header (an interrupted download): the frames there are become the video, and the
    /// run says that the file gave fewer than its header announces.
    func testTruncatedClipIsStylizedAndReported() throws {
        let dir = try Stylize.directory(self), cut = dir + "/cut.mp4", out = dir + "/out.mp4"
        let whole = try Data(contentsOf: URL(fileURLWithPath: Stylize.root + "/Samples/tree.mp4"))
        try whole.prefix(70_000).write(to: URL(fileURLWithPath: cut))
        let run = try video([cut, starry, "-o", out] + fast)
        let decodable = try ClipProbe.frames(cut).images.count
        XCTAssertGreaterThan(decodable, 2)
        XCTAssertLessThan(decodable, 60)
        XCTAssertEqual(try ClipProbe.frames(out).images.count, decodable)
        XCTAssertTrue(run.output.contains("cut.mp4 gave \(decodable) frames where its header announces 63"), run.output)
        XCTAssertTrue(run.output.contains("truncated"), run.output)
    }

    func testStartPastTheEndGivesTheLength() throws {
        let dir = try Stylize.directory(self)
        let run = try Stylize.run(["video", clip("cfr_audio.mp4"), starry, "-o", dir + "/out.mp4", "--start", "100"] + fast)
        XCTAssertNotEqual(run.status, 0)
        XCTAssertTrue(run.error.contains("2.000 s"), run.error)
        try assertNoOutputs(dir)
    }

    // MARK: 10. Side by side

    func testSideBySideDoublesTheWidth() throws {
        let dir = try Stylize.directory(self)
        let base = [clip("cfr_audio.mp4"), starry, "--max-frames", "2"] + fast
        try video(base + ["-o", dir + "/plain.mp4"])
        try video(base + ["-o", dir + "/pair.mp4", "--side-by-side"])
        let plain = try XCTUnwrap(ClipProbe.frames(dir + "/plain.mp4").images.first)
        let pair = try XCTUnwrap(ClipProbe.frames(dir + "/pair.mp4").images.first)
        XCTAssertEqual(pair.height, plain.height)
        XCTAssertGreaterThanOrEqual(pair.width, 2 * plain.width)
        XCTAssertLessThanOrEqual(pair.width, 2 * plain.width + 16, "more than a gutter between the halves")
    }

    func testGifOutputTakesTheGifWidth() throws {
        let dir = try Stylize.directory(self)
        try video([clip("cfr_audio.mp4"), starry, "--max-frames", "2", "-o", dir + "/out.gif", "--gif-width", "40"] + fast)
        XCTAssertEqual(try XCTUnwrap(ClipProbe.frames(dir + "/out.gif").images.first).width, 40)
    }

    // MARK: 11. Metrics

    func testTemporalMetricsOfAnOutput() throws {
        let dir = try Stylize.directory(self), out = dir + "/out.mp4"
        try video([clip("cfr_audio.mp4"), starry, "-o", out, "--max-frames", "4"] + fast)
        let run = try Stylize.run(["metrics", "temporal", out, "--reference", clip("cfr_audio.mp4"), "--json"])
        XCTAssertEqual(run.status, 0, run.error)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any])
        let error = try XCTUnwrap(json["warping_error"] as? Double, "no warping_error in \(run.output)")
        XCTAssertTrue(error.isFinite && error >= 0, "warping_error \(error)")
        XCTAssertEqual(json["pairs"] as? Int, 3)
    }
}
