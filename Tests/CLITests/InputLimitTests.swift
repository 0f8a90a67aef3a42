import Foundation
import TensorCore
import XCTest

/// Runs that could not fit are refused before any work: pictures over `--max-megapixels`, and runs whose memory
/// estimate is over what the machine has available.
final class InputLimitTests: XCTestCase {
    private var content: String { Stylize.root + "/Samples/coffee.jpg" }  // 600×400: 0.24 megapixels
    private var style: String { Stylize.root + "/Samples/chelsea.png" }

    func testAPictureOverTheLimitIsRefusedAndTheFlagRaisesIt() throws {
        let dir = try Stylize.directory(self), output = dir + "/out.png"
        let quick = ["-o", output, "--size", "32", "--iterations", "1", "--scales", "1"]
        let refused = try Stylize.run(["image", content, style, "--max-megapixels", "0.2"] + quick)
        XCTAssertEqual(refused.status, 1, refused.error)
        XCTAssertTrue(refused.error.contains("coffee.jpg is 600×400 (0.2 megapixels), over the limit of 0.2 megapixels"), refused.error)
        XCTAssertTrue(refused.error.contains("--max-megapixels (now 0.2)"), refused.error)
        XCTAssertFalse(FileManager.default.fileExists(atPath: output))

        let raised = try Stylize.run(["image", content, style, "--max-megapixels", "0.25"] + quick)
        XCTAssertEqual(raised.status, 0, raised.error)
        XCTAssertTrue(FileManager.default.fileExists(atPath: output))

        let bad = try Stylize.run(["image", content, style, "--max-megapixels", "nan"] + quick)
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.error.contains("--max-megapixels"), bad.error)
    }

    func testAHugePictureIsRefusedByDefaultBeforeDecoding() throws {
        let dir = try Stylize.directory(self), output = dir + "/out.png", huge = dir + "/huge.png"
        // Only the header of a 16000×16000 PNG (256 megapixels): refused from it, before any decoding.
        var bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]
        for value in [16000, 16000] { bytes += [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> $0) } }
        bytes += [8, 2, 0, 0, 0, 0, 0, 0, 0]
        try Data(bytes).write(to: URL(fileURLWithPath: huge))
        let run = try Stylize.run(["image", huge, style, "-o", output, "--size", "64"])
        XCTAssertEqual(run.status, 1, run.error)
        XCTAssertTrue(run.error.contains("huge.png is 16000×16000 (256.0 megapixels), over the limit of 100.0 megapixels"), run.error)
        XCTAssertTrue(run.error.contains("--max-megapixels"), run.error)
        XCTAssertFalse(FileManager.default.fileExists(atPath: output))
    }

    func testARunThatCannotFitItsMemoryBudgetEvenInTilesIsRefusedWithWhatWouldFit() throws {
        let dir = try Stylize.directory(self), output = dir + "/out.png"
        let run = try Stylize.run(["image", content, style, "-o", output, "--size", "2048", "--max-memory", "700M"])
        XCTAssertEqual(run.status, 1, run.error)
        XCTAssertTrue(run.error.contains("a run at --size 2048 needs at least"), run.error)
        XCTAssertTrue(run.error.contains("its budget is 0.7 GB"), run.error)
        let fitting = try XCTUnwrap(run.error.components(separatedBy: "use --size ").dropFirst().first?.split(separator: " ").first.flatMap { Int($0) },
                                    run.error)
        XCTAssertLessThan(fitting, 2048)
        XCTAssertFalse(FileManager.default.fileExists(atPath: output))
        let bad = try Stylize.run(["image", content, style, "-o", output, "--max-memory", "lots"])
        XCTAssertEqual(bad.status, 64, bad.error)
        XCTAssertTrue(bad.error.contains("--max-memory"), bad.error)
    }
}
