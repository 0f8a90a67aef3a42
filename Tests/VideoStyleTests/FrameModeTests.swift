import Foundation
import Media
import StyleTransfer
import TensorCore
import VideoStyle
import XCTest

/// The frame-mode drivers on a cheap identity network: the temporal machinery must lower flicker, and the
/// file driver must write, refuse to overwrite, resume and stop.
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

    /// Starting every frame from the same noise leaves noise that does not follow the motion; the warped
    /// previous result and the temporal term make the second frame follow the first.
    func testTemporalMachineryLowersFlicker() throws {
        var g = TestRandom(seed: 2)
        let style = g.image(height: 24, width: 32)
        func flicker(_ settings: FrameSettings) throws -> Double {
            let s = try FrameStylizer(network: IdentityNetwork(), style: style, recipe: recipe(), settings: settings, firstInitialization: .noise)
            let first = try s.stylize(frame(0), previous: nil)
            XCTAssertNil(first.flicker)
            let second = try s.stylize(frame(1), previous: (frame(0), first.image))
            XCTAssertGreaterThan(try XCTUnwrap(second.maskCoverage), 0.8)
            return try XCTUnwrap(second.flicker)
        }
        var independent = FrameSettings()
        independent.frameIterations = 5
        independent.temporalWeight = 0
        independent.flowInit = false
        var temporal = independent
        temporal.flowInit = true
        temporal.temporalWeight = 100
        let (a, b) = (try flicker(independent), try flicker(temporal))
        print(String(format: "identity network, noise init: flicker %.2e independent, %.2e with warped init + temporal term", a, b))
        XCTAssertLessThan(b, 0.5 * a)
    }

    func testRejectsNegativeKnobs() {
        var s = FrameSettings()
        s.temporalWeight = -1
        XCTAssertThrowsError(try FrameStylizer(network: IdentityNetwork(), style: frame(0), recipe: recipe(), settings: s)) {
            XCTAssertEqual($0 as? VideoStyleError, .invalidValue(knob: "temporal_weight", value: "-1.0", expected: "0 or more"))
        }
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
        let stylizer = try FrameStylizer(network: IdentityNetwork(), style: frame(3), recipe: recipe(), settings: settings)
        var job = VideoJob(input: clip, output: dir + "/out.mp4", gif: dir + "/out.gif", workDirectory: dir + "/frames", maxFrames: 3, size: 32)
        var reports: [FrameReport] = []
        let first = try VideoStylizer(stylizer: stylizer).run(job) { reports.append($0) }
        XCTAssertEqual([first.frames, first.stylized, first.resumed], [3, 3, 0])
        XCTAssertEqual(reports.map(\.index), [0, 1, 2])
        XCTAssertNotNil(first.meanFlicker)
        XCTAssertEqual(try frameCount(dir + "/out.mp4"), 3)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/out.gif"))
        let kept = try ImageReader.read(VideoStylizer.framePath(job.workDirectory, index: 2))
        XCTAssertEqual([kept.width, kept.height], [32, 24])

        XCTAssertThrowsError(try VideoStylizer(stylizer: stylizer).run(job)) {
            XCTAssertEqual($0 as? VideoStyleError, .workDirectoryInUse(path: job.workDirectory))
        }

        job.resume = true
        job.maxFrames = 4
        let resumed = try VideoStylizer(stylizer: stylizer).run(job)
        XCTAssertEqual([resumed.frames, resumed.stylized, resumed.resumed], [4, 1, 3])
        XCTAssertEqual(try frameCount(dir + "/out.mp4"), 4)

        job.maxFrames = nil
        stylizer.cancellation.cancel()
        let cancelled = try VideoStylizer(stylizer: stylizer).run(job)
        XCTAssertTrue(cancelled.cancelled)
        XCTAssertEqual([cancelled.frames, cancelled.stylized, cancelled.resumed], [4, 0, 4])
        XCTAssertFalse(FileManager.default.fileExists(atPath: VideoStylizer.framePath(job.workDirectory, index: 4)))

        job.maxFrames = 0
        XCTAssertThrowsError(try VideoStylizer(stylizer: stylizer).run(job)) {
            XCTAssertEqual($0 as? VideoStyleError, .invalidValue(knob: "max_frames", value: "0", expected: "at least 1"))
        }
    }

    private func frameCount(_ path: String) throws -> Int {
        let reader = try VideoReader(path: path)
        while try reader.nextFrame() != nil {}
        return reader.framesRead
    }
}
