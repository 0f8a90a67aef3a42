import Foundation
import Media
import XCTest

/// The GIF writer streams: its memory stays flat however many frames it is given.
final class GifMemoryTests: XCTestCase {
    /// Resident set size in bytes, from /proc/self/status.
    func residentBytes() throws -> Int {
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let line = try XCTUnwrap(status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") })
        let kib = try XCTUnwrap(Int(line.split(separator: " ").dropFirst().first ?? ""))
        return kib * 1024
    }

    /// RSS growth from frame 100 to frame 400 (160×120 at 20 fps), after the writer's buffers are warm; checks
    /// the GIF's frame count, duration and fidelity.
    func growth(framesPerPalette: Int) throws -> Int {
        let dir = try Fixtures.directory(self)
        let path = dir + "/long.gif"
        let writer = try GifWriter(path: path, frameRate: FrameRate(20), options: GifOptions(maxWidth: nil, framesPerPalette: framesPerPalette))
        var after100 = 0
        for t in 0 ..< 400 {
            try writer.append(Fixtures.pattern(width: 160, height: 120, frame: t))
            if t == 99 { after100 = try residentBytes() }
        }
        let after400 = try residentBytes()
        try writer.finish()
        let (reader, frames) = try Fixtures.decodeAll(path)
        XCTAssertEqual(frames.count, 400)
        XCTAssertEqual(try XCTUnwrap(reader.duration), 20, accuracy: 0.05)
        XCTAssertGreaterThan(Fixtures.meanPSNR(frames, (0 ..< 400).map { Fixtures.pattern(width: 160, height: 120, frame: $0) }), 28)
        return after400 - after100
    }

    func testMemoryStaysBounded() throws {
        // Buffering the 300 frames after the 100th would take at least 300 × 160 × 120 × 4 bytes = 23 MB (BGRA).
        let buffered = 300 * 160 * 120 * 4
        let streamed = try growth(framesPerPalette: GifOptions().framesPerPalette)
        // The old behaviour, one palette over every frame, as the control that shows the test can fail. It runs
        // second, so it may reuse heap the first run freed: that can only lower its figure.
        let oneRun = try growth(framesPerPalette: .max)
        print("GIF memory: RSS growth from frame 100 to 400 at 160×120: streamed \(streamed / 1024) KiB, "
              + "one palette for all \(oneRun / 1024) KiB, every frame's BGRA \(buffered / 1024) KiB")
        XCTAssertLessThan(streamed, buffered / 4, "streaming holds one palette run (32 frames, 2.4 MB), not the clip")
        XCTAssertGreaterThan(oneRun, buffered / 3, "the control holds every frame (it may reuse some heap the first run freed)")
    }
}
