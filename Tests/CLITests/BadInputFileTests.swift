import Foundation
import XCTest

/// Input files that must be refused with one line naming them, before any work and without leaving output.
final class BadInputFileTests: XCTestCase {
    private func refused(_ arguments: [String], output: String, mentions: [String]) throws {
        let run = try Stylize.run(arguments)
        XCTAssertEqual(run.status, 1, run.error)
        for text in mentions { XCTAssertTrue(run.error.contains(text), "\(text) not in: \(run.error)") }
        XCTAssertFalse(FileManager.default.fileExists(atPath: output), output)
    }

    func testModelThatIsNotARegularFileIsRefused() throws {
        let out = try Stylize.directory(self) + "/out.png"
        let samples = Stylize.root + "/Samples/"
        try refused(["image", samples + "chelsea.png", samples + "starry_night.jpg", "-o", out, "--model", "/dev/zero",
                     "--size", "32", "--iterations", "1"],
                    output: out, mentions: ["/dev/zero", "not a regular file"])
    }

    /// The image fuzzer's find: a 152-byte WebP claiming 14088×14587 pixels.
    func testPictureOverThePixelLimitIsRefused() throws {
        let out = try Stylize.directory(self) + "/out.png"
        let huge = Stylize.root + "/Tests/MediaTests/Files/huge_dimensions.webp"
        try refused(["image", huge, Stylize.root + "/Samples/starry_night.jpg", "-o", out, "--size", "32", "--iterations", "1"],
                    output: out, mentions: [huge, "14088×14587", "over the limit of 100.0 megapixels"])
    }
}
