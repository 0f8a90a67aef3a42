import Foundation
import Media
import XCTest

/// `stylize gif` streams: its peak memory does not grow with the clip's length. Measured on the executable in a
/// process of its own (the test process's heap holds what earlier tests freed, which hides growth).
final class GifMemoryTests: XCTestCase {
    /// A clip of `frames` moving 160×120 frames (a bright square over gradients, each frame different).
    private func clip(_ path: String, frames: Int) throws {
        let writer = try VideoWriter(path: path, frameRate: FrameRate(20))
        for t in 0 ..< frames {
            var image = RGBImage(width: 160, height: 120)
            let n = 160 * 120
            for y in 0 ..< 120 {
                for x in 0 ..< 160 {
                    let i = y * 160 + x, inSquare = abs(x - (t * 3) % 160) < 12 && abs(y - 60) < 12
                    image.planes[i] = inSquare ? 1 : Float(x) / 160
                    image.planes[n + i] = inSquare ? 0.9 : Float(y) / 120
                    image.planes[2 * n + i] = Float((x + y + t) % 64) / 64
                }
            }
            try writer.append(image)
        }
        try writer.finish()
    }

    /// Peak resident memory of one `stylize` run, in bytes (the child's own `ru_maxrss`, from `wait4`).
    private func peakMemory(_ arguments: [String]) throws -> Int {
        var pid: pid_t = 0
        let argv = ([Stylize.executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        guard posix_spawn(&pid, Stylize.executable, nil, nil, argv, environ) == 0 else { throw CocoaError(.executableLoad) }
        var status: Int32 = 0
        var usage = rusage()
        XCTAssertEqual(wait4(pid, &status, 0, &usage), pid)
        XCTAssertEqual(status, 0, "stylize \(arguments.joined(separator: " ")) failed")
        return usage.ru_maxrss * 1024
    }

    func testPeakMemoryDoesNotGrowWithTheClip() throws {
        let dir = try Stylize.directory(self)
        try clip(dir + "/short.mp4", frames: 100)
        try clip(dir + "/long.mp4", frames: 500)
        let short = try peakMemory(["gif", dir + "/short.mp4", "-o", dir + "/short.gif"])
        let long = try peakMemory(["gif", dir + "/long.mp4", "-o", dir + "/long.gif"])
        // Holding the 400 extra frames would take at least 400 × 160 × 120 × 4 bytes = 30.7 MB (BGRA).
        let held = 400 * 160 * 120 * 4
        print("stylize gif peak RSS: 100 frames \(short / 1024) KiB, 500 frames \(long / 1024) KiB")
        XCTAssertLessThan(long - short, held / 5, "the GIF writer holds frames in proportion to the clip")
        let reader = try VideoReader(path: dir + "/long.gif")
        var frames = 0
        while try reader.nextFrame() != nil { frames += 1 }
        XCTAssertEqual(frames, 500)
    }
}
