import Foundation
import Media
import StyleTransfer
import TensorCore
import VideoStyle
import XCTest

/// The frame-mode drivers on a cheap identity network: the temporal modes must lower flicker, and the file
/// driver must write, refuse to overwrite, resume only the same job, stop cleanly and leave nothing on failure.
final class FrameModeTests: XCTestCase {
    private let texture = Texture(seed: 11)

    private func recipe() -> Recipe {
        var r = Recipe()
        r.iterations = 40
        r.contentLayers = ["pixels"]
        r.styleLayers = ["pixels"]
        r.styleWeight = 10
        return r
    }

    private func frame(_ t: Int, height: Int = 24, width: Int = 32) -> Tensor {
        texture.render(height: height, width: width) { ($0 - 1.5 * Double(t), $1) }
    }

    /// Starting every frame from its own noise leaves noise that does not follow the motion; the warped
    /// previous result and the temporal term make the second frame follow the first.
    func testFlowModeFollowsTheMotion() throws {
        var g = TestRandom(seed: 2)
        let style = g.image(height: 24, width: 32)
        var settings = FrameSettings()
        settings.frameIterations = 5
        settings.temporalWeight = 100
        let s = try FrameStylizer(network: IdentityNetwork(), styles: [style], recipe: recipe(), settings: settings, firstInitialization: .noise)
        let first = try s.stylize(frame(0), index: 0, previous: nil)
        let second = try s.stylize(frame(1), index: 1, previous: PreviousFrame(frame: frame(0), stylized: first.image))
        XCTAssertGreaterThan(try XCTUnwrap(second.maskCoverage), 0.8)
        // The same budget as the second frame, from its own noise.
        var independentRecipe = recipe()
        independentRecipe.seed = 1
        independentRecipe.scales = 1
        independentRecipe.iterations = settings.frameIterations
        let independent = try FrameStylizer(network: IdentityNetwork(), styles: [style], recipe: independentRecipe, settings: settings,
                                            firstInitialization: .noise).stylize(frame(1), index: 1, previous: nil)
        // Both measured with the flow of the inputs, as `stylize metrics temporal` does.
        let flow = OpticalFlow()
        let forward = flow.estimate(from: frame(1), to: frame(0)), backward = flow.estimate(from: frame(0), to: frame(1))
        let mask = FlowConsistency.mask(forward: forward, backward: backward)
        let followed = try XCTUnwrap(Flicker.warpedDifference(current: second.image, previous: first.image, flow: forward, mask: mask))
        let apart = try XCTUnwrap(Flicker.warpedDifference(current: independent.image, previous: first.image, flow: forward, mask: mask))
        print(String(format: "identity network, noise start: flicker %.2e independent, %.2e flow mode", apart, followed))
        XCTAssertLessThan(followed, 0.5 * apart)
    }

    /// `previous` mode with no style loss: what the start and the temporal term keep is all that shows.
    private func previousModeStylizer() throws -> FrameStylizer {
        var settings = FrameSettings()
        settings.temporal = .previous
        settings.frameIterations = 20
        settings.temporalWeight = 100
        var r = recipe()
        r.styleWeight = 0
        return try FrameStylizer(network: IdentityNetwork(), styles: [frame(0)], recipe: r, settings: settings)
    }

    /// A stand-in for the previous stylized frame: the frame, its contrast halved.
    private static func painted(_ frame: Tensor) -> Tensor {
        let painted = Tensor(frame.shape)
        for i in 0..<painted.count { painted.data[i] = 0.5 * frame.data[i] + 0.25 }
        return painted
    }

    /// Where the picture is static, `previous` holds the paint; where it changed, the new content comes through.
    func testPreviousModeHoldsStaticPixelsAndLetsChangesThrough() throws {
        let s = try previousModeStylizer()
        let before = frame(0), after = frame(0).copy()
        // A bright square appears in the right half.
        for c in 0..<3 { for y in 8..<16 { for x in 20..<28 { after.data[(c * 24 + y) * 32 + x] = 1 } } }
        let painted = Self.painted(before)
        let out = try s.stylize(after, index: 1, previous: PreviousFrame(frame: before, stylized: painted))
        XCTAssertEqual(out.image.data[(0 * 24 + 2) * 32 + 2], painted.data[(0 * 24 + 2) * 32 + 2], accuracy: 0.01, "static pixel kept")
        XCTAssertGreaterThan(out.image.data[(0 * 24 + 12) * 32 + 24], 0.9, "the new square comes through")
    }

    /// On a camera pan every pixel changes, yet `previous` carries the paint along with the pan: the painted
    /// look survives everywhere but the strip the pan brings in.
    func testPreviousModeFollowsACameraPan() throws {
        let s = try previousModeStylizer()
        let before = texture.render(height: 24, width: 32), after = texture.render(height: 24, width: 32) { ($0 + 3, $1) }
        let painted = Self.painted(before)
        let out = try s.stylize(after, index: 1, previous: PreviousFrame(frame: before, stylized: painted))
        XCTAssertGreaterThan(try XCTUnwrap(out.maskCoverage), 0.8)
        for (y, x) in [(5, 4), (12, 15), (20, 25)] {
            XCTAssertEqual(out.image[0, y, x], painted[0, y, x + 3], accuracy: 0.01, "paint moved with the pan at (\(y), \(x))")
        }
    }

    func testRejectsBadKnobs() {
        var s = FrameSettings()
        s.temporalWeight = -1
        XCTAssertThrowsError(try FrameStylizer(network: IdentityNetwork(), styles: [frame(0)], recipe: recipe(), settings: s)) {
            XCTAssertEqual($0 as? LimitError, LimitError(key: "temporal_weight", value: "-1", lower: "0", upper: "1e+15"))
        }
        s = FrameSettings()
        s.temporalWeight = .infinity
        XCTAssertThrowsError(try s.validate())
        s = FrameSettings()
        s.frameTolerance = 1
        XCTAssertThrowsError(try s.validate())
        XCTAssertThrowsError(try FrameStylizer(network: IdentityNetwork(), styles: [], recipe: recipe(), settings: FrameSettings()))
    }

    func testVideoRecipeIsOneFlatObject() throws {
        var v = VideoRecipe()
        v.recipe.styleWeight = 123
        v.frame.temporal = .previous
        v.selection.start = 1.5
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(v)) as? [String: Any]
        XCTAssertEqual(json?["style_weight"] as? Double, 123)
        XCTAssertEqual(json?["temporal"] as? String, "previous")
        XCTAssertEqual(json?["start"] as? Double, 1.5)
        XCTAssertEqual(try JSONDecoder().decode(VideoRecipe.self, from: JSONEncoder().encode(v)), v)
        let partial = try JSONDecoder().decode(VideoRecipe.self, from: Data(#"{"frame_iterations": 7, "max_frames": 3}"#.utf8))
        XCTAssertEqual(partial.frame.frameIterations, 7)
        XCTAssertEqual(partial.selection.maxFrames, 3)
        XCTAssertEqual(partial.recipe, Recipe())
    }

    func testFingerprintNamesWhatDiffers() throws {
        var a = Fingerprint(["input": "sha256 aa"])
        var r = Recipe()
        try a.add(knobsOf: r)
        var b = Fingerprint(["input": "sha256 aa"])
        r.styleWeight = 10
        try b.add(knobsOf: r)
        XCTAssertEqual(a.differences(from: a), [])
        XCTAssertEqual(b.differences(from: a), ["style_weight: 100000 → 10"])
    }

    func testVideoRunWritesResumesAndCancels() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("videostyle-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let clip = dir + "/in.mp4"
        let writer = try VideoWriter(path: clip, frameRate: FrameRate(10))
        for t in 0..<5 { try writer.append(RGBImage(width: 64, height: 48, planes: frame(t, height: 48, width: 64).values)) }
        try writer.finish()

        var settings = FrameSettings()
        settings.frameIterations = 5
        let stylizer = try FrameStylizer(network: IdentityNetwork(), styles: [frame(3)], recipe: recipe(), settings: settings)
        var job = VideoJob(input: clip, output: dir + "/out.mp4", gif: dir + "/out.gif", workDirectory: dir + "/frames",
                           selection: ClipSelection(maxFrames: 3), size: 32)
        job.fingerprint = Fingerprint(["style": "a"])
        var reports: [FrameReport] = []
        let first = try VideoStylizer(stylizer: stylizer).run(job) { if case .frame(let r) = $0 { reports.append(r) } }
        XCTAssertEqual([first.frames, first.stylized, first.resumed], [3, 3, 0])
        XCTAssertEqual(reports.map(\.index), [0, 1, 2])
        XCTAssertNotNil(reports.last?.secondsPerFrame)
        XCTAssertNotNil(first.meanFlicker)
        XCTAssertEqual(try frameCount(dir + "/out.mp4"), 3)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/out.gif"))
        let work = WorkFolder(path: job.workDirectory, fingerprint: job.fingerprint, resume: true)
        let kept = try ImageReader.read(work.framePath(index: 2))
        XCTAssertEqual([kept.width, kept.height], [32, 24])

        XCTAssertThrowsError(try VideoStylizer(stylizer: stylizer).run(job)) {
            XCTAssertEqual($0 as? VideoStyleError, .workDirectoryInUse(path: job.workDirectory))
        }
        // Another style's frames are not mixed in.
        job.resume = true
        job.fingerprint = Fingerprint(["style": "b"])
        XCTAssertThrowsError(try VideoStylizer(stylizer: stylizer).run(job)) {
            XCTAssertEqual($0 as? VideoStyleError, .fingerprintMismatch(path: job.workDirectory, differences: ["style: a → b"]))
        }
        job.fingerprint = Fingerprint(["style": "a"])
        job.selection.maxFrames = 4
        let resumed = try VideoStylizer(stylizer: stylizer).run(job)
        XCTAssertEqual([resumed.frames, resumed.stylized, resumed.resumed], [4, 1, 3])
        XCTAssertEqual(try frameCount(dir + "/out.mp4"), 4)
    }

    /// Ctrl-C keeps a playable video of the frames done; a failure leaves no video or GIF.
    func testCancelKeepsAPlayableVideoAndFailureLeavesNone() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("videostyle-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let clip = dir + "/in.mp4"
        let writer = try VideoWriter(path: clip, frameRate: FrameRate(10))
        for t in 0..<6 { try writer.append(RGBImage(width: 64, height: 48, planes: frame(t, height: 48, width: 64).values)) }
        try writer.finish()
        var settings = FrameSettings()
        settings.frameIterations = 3
        let stylizer = try FrameStylizer(network: IdentityNetwork(), styles: [frame(3)], recipe: recipe(), settings: settings)
        let job = VideoJob(input: clip, output: dir + "/out.mp4", gif: dir + "/out.gif", workDirectory: dir + "/frames", size: 32)
        let summary = try VideoStylizer(stylizer: stylizer).run(job) { event in
            if case .frame(let r) = event, r.index == 2 { stylizer.cancellation.cancel() }
        }
        XCTAssertTrue(summary.cancelled)
        XCTAssertEqual(summary.frames, 3)
        XCTAssertEqual(try frameCount(dir + "/out.mp4"), 3)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/out.gif"))

        // A frame of another size in the work folder makes the resumed run fail after the encoders opened.
        let failing = VideoJob(input: clip, output: dir + "/bad.mp4", gif: dir + "/bad.gif", workDirectory: dir + "/bad", resume: true, size: 32)
        let work = WorkFolder(path: failing.workDirectory, fingerprint: Fingerprint(["frame_size": "32×24"]), resume: true)
        try work.store(RGBImage(width: 8, height: 8), index: 0)
        XCTAssertThrowsError(try VideoStylizer(stylizer: try FrameStylizer(network: IdentityNetwork(), styles: [frame(3)], recipe: recipe(), settings: settings)).run(failing))
        XCTAssertEqual(Fixtures.files(in: dir).filter { $0.hasPrefix("bad.") }, [], "no video or GIF after a failure")
    }

    private func frameCount(_ path: String) throws -> Int {
        let reader = try VideoReader(path: path)
        var n = 0
        while try reader.nextFrame() != nil { n += 1 }
        return n
    }
}

private enum Fixtures {
    static func files(in directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    }
}
