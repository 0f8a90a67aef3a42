import Foundation
import Media
import XCTest

/// What a recorded run of `image` shows: it starts from the content blurred (only when recorded), and a finer
/// scale fades in from the coarser one instead of jumping.
final class RecordingTests: XCTestCase {
    private let root = Stylize.root
    private var coffee: String { root + "/Samples/coffee.jpg" }
    private var starry: String { root + "/Samples/starry_night_unframed.jpg" }

    private func savedInit(_ dir: String, _ name: String) throws -> String? {
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/\(name).json"))
        return (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["init"] as? String
    }

    /// Mean absolute difference between horizontal neighbours: how much edge a picture has.
    private func edges(_ image: RGBImage) -> Double {
        var sum = 0.0
        for c in 0..<3 {
            for y in 0..<image.height {
                let row = (c * image.height + y) * image.width
                for x in 1..<image.width { sum += Double(abs(image.planes[row + x] - image.planes[row + x - 1])) }
            }
        }
        return sum / Double(3 * image.height * (image.width - 1))
    }

    func testRecordedRunStartsBlurredAndFadesAcrossScales() throws {
        let dir = try Stylize.directory(self)
        // Two scales (long sides 34 and 48) of 2 and 4 iterations, every iteration a frame, 10 fps: a 0.4 s fade
        // is 4 frames, and no hold beyond the one final frame.
        let common = ["--size", "48", "--scales", "2", "--min-size", "24", "--iterations", "4", "--model", "vgg16",
                      "--progress-every", "0"]
        let recording = ["--frames", dir + "/frames", "--save-every", "1", "--frame-schedule", "linear", "--fps", "10",
                         "--hold", "0"]
        let recorded = try Stylize.run(["image", coffee, starry, "-o", dir + "/rec.png"]
                                       + common + recording)
        XCTAssertEqual(recorded.status, 0, recorded.error)
        let plain = try Stylize.run(["image", coffee, starry, "-o", dir + "/plain.png"] + common)
        XCTAssertEqual(plain.status, 0, plain.error)
        XCTAssertEqual(try savedInit(dir, "rec"), "blurred-content")
        XCTAssertEqual(try savedInit(dir, "plain"), "content", "a picture that is not recorded starts from the photo")

        let names = try FileManager.default.contentsOfDirectory(atPath: dir + "/frames").sorted()
        let frames = try names.map { try ImageReader.read("\(dir)/frames/\($0)") }
        // Start, 2 coarse iterations, 4 fade frames (the last is the fine scale's start), 4 fine iterations, final.
        XCTAssertEqual(frames.count, 1 + 2 + 4 + 4 + 1, names.joined(separator: " "))

        // The first frame is the photo blurred: far less edge than the photo at the same size.
        let photo = try ImageReader.read(coffee)
        let sharp = try ImageResize.resize(photo, width: frames[0].width, height: frames[0].height)
        XCTAssertLessThan(edges(frames[0]), 0.5 * edges(sharp), "first frame \(edges(frames[0])), photo \(edges(sharp))")

        // Frames 3…6 fade from the coarse scale's last frame (2) to the fine start (6); half-way (4) is their mean.
        let (before, middle, after) = (frames[2], frames[4], frames[6])
        XCTAssertNotEqual(before.planes, after.planes, "the fine scale's start differs from the coarse result")
        let worst = zip(middle.planes, zip(before.planes, after.planes)).map { abs($0 - ($1.0 + $1.1) / 2) }.max() ?? 1
        XCTAssertLessThanOrEqual(worst, 1.5 / 255, "8-bit frames: within rounding of the blend")
    }
}
