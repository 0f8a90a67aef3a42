import Foundation
import Media
import TensorCore
import VideoStyle
import XCTest

/// `stylize metrics temporal` end to end: clips written to MP4 (x264 at CRF 0), read back and measured.
final class TemporalMeasurementTests: XCTestCase {
    private let texture = Texture(seed: 5)

    private func directory() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("stylize-temporal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url.path
    }

    private func write(_ frames: [Tensor], to path: String) throws {
        let writer = try VideoWriter(path: path, frameRate: FrameRate(10), options: VideoOptions(crf: 0))
        for f in frames { try writer.append(RGBImage(width: f.shape.width, height: f.shape.height, planes: f.values)) }
        try writer.finish()
    }

    private func decoded(_ path: String) throws -> [Tensor] {
        let reader = try VideoReader(path: path)
        var frames: [Tensor] = []
        while let f = try reader.nextFrame()?.image { frames.append(Tensor(Shape(channels: 3, height: f.height, width: f.width), values: f.planes)) }
        return frames
    }

    /// Mean over consecutive pairs of the plain (unwarped, unmasked) squared difference.
    private func plainDifference(_ frames: [Tensor]) -> Double {
        var total = 0.0
        for t in 1..<frames.count {
            var sum = 0.0
            for i in 0..<frames[t].count {
                let d = Double(frames[t].data[i] - frames[t - 1].data[i])
                sum += d * d
            }
            total += sum / Double(frames[t].count)
        }
        return total / Double(frames.count - 1)
    }

    /// The texture moved by `step` px per frame in x (0: a still clip).
    private func moving(_ count: Int, step: Double, height: Int = 64, width: Int = 96) -> [Tensor] {
        (0..<count).map { t in texture.render(height: height, width: width) { ($0 - step * Double(t), $1) } }
    }

    func testStaticClipIsAboutZero() throws {
        let dir = try directory()
        try write(moving(5, step: 0), to: dir + "/still.mp4")
        let r = try TemporalMeasurement.run(output: dir + "/still.mp4", reference: dir + "/still.mp4")
        print(String(format: "still clip: E %.2e, floor %.2e, coverage %.3f", r.output, r.floor, r.coverage))
        XCTAssertEqual([r.pairs, r.emptyPairs, r.width, r.height], [4, 0, 96, 64])
        XCTAssertLessThan(r.output, 1e-6)
        XCTAssertNil(r.lengthNote)
    }

    /// A clip moving 5 px per frame measured against itself: the flow compensates the motion, so the error is
    /// a small fraction of the plain frame difference (which the motion alone makes large).
    func testKnownShiftIsCompensated() throws {
        let dir = try directory()
        try write(moving(5, step: 5), to: dir + "/pan.mp4")
        let r = try TemporalMeasurement.run(output: dir + "/pan.mp4", reference: dir + "/pan.mp4")
        let plain = plainDifference(try decoded(dir + "/pan.mp4"))
        print(String(format: "5 px/frame: E %.2e, plain difference %.2e, coverage %.3f", r.output, plain, r.coverage))
        XCTAssertEqual(r.pairs, 4)
        XCTAssertEqual(r.output, r.floor, "the same clip on both sides")
        XCTAssertLessThan(r.output, plain / 100)
        // The 5-px strip entering at the left edge each frame is masked out.
        XCTAssertLessThan(r.coverage, 0.97)
    }

    /// The output brightens and darkens while its reference stands still: no flow, full masks, and the error is
    /// the plain squared difference of the output's frames.
    func testChangingOutputOverStillReference() throws {
        let dir = try directory()
        let still = moving(4, step: 0)
        let flashing = still.enumerated().map { t, f -> Tensor in
            let g = f.copy()
            for i in 0..<g.count { g.data[i] += t % 2 == 0 ? 0 : 0.2 }
            return g
        }
        try write(still, to: dir + "/still.mp4")
        try write(flashing, to: dir + "/flash.mp4")
        let r = try TemporalMeasurement.run(output: dir + "/flash.mp4", reference: dir + "/still.mp4")
        let expected = plainDifference(try decoded(dir + "/flash.mp4"))
        print(String(format: "flashing over a still reference: E %.5f, expected %.5f, floor %.2e", r.output, expected, r.floor))
        XCTAssertEqual(r.coverage, 1, accuracy: 1e-9)
        XCTAssertEqual(r.output, expected, accuracy: 1e-3 * expected)
        XCTAssertGreaterThan(expected, 0.03) // about 0.2², less where 0.2 brighter clips at white
        XCTAssertLessThan(r.floor, 1e-6)
    }

    /// A reference twice the output's size is resized to it; a longer reference is cut to the output's length.
    func testLargerAndLongerReference() throws {
        let dir = try directory()
        try write(moving(4, step: 0), to: dir + "/small.mp4")
        try write(moving(6, step: 0, height: 128, width: 192), to: dir + "/large.mp4")
        let r = try TemporalMeasurement.run(output: dir + "/small.mp4", reference: dir + "/large.mp4")
        XCTAssertEqual([r.pairs, r.width, r.height], [3, 96, 64])
        XCTAssertEqual(r.lengthNote, "\(dir)/large.mp4 has more frames than \(dir)/small.mp4: measured the first 4 of each")
        XCTAssertLessThan(r.output, 1e-6)
    }

    func testTooFewFramesAndNoVideo() throws {
        let dir = try directory()
        try write(moving(1, step: 0), to: dir + "/one.mp4")
        XCTAssertThrowsError(try TemporalMeasurement.run(output: dir + "/one.mp4", reference: dir + "/one.mp4")) {
            XCTAssertEqual($0 as? TemporalMeasurementError,
                           .tooFewPairs(output: dir + "/one.mp4", reference: dir + "/one.mp4", frames: 1, emptyPairs: 0))
        }
        try "not a video\n".write(toFile: dir + "/notes.txt", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try TemporalMeasurement.run(output: dir + "/one.mp4", reference: dir + "/notes.txt")) {
            guard case .notAVideo(let path, _)? = $0 as? MediaError else { return XCTFail("\($0)") }
            XCTAssertEqual(path, dir + "/notes.txt")
        }
    }
}
