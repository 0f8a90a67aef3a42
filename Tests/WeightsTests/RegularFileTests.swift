import Foundation
import Weights
import XCTest

/// A model path that is not a regular file is refused before any byte is read: `/dev/zero` would be read for ever,
/// a FIFO would block until a writer comes.
final class RegularFileTests: XCTestCase {
    func testDevicesFIFOsAndFoldersAreRefused() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let fifo = dir + "/weights.pth"
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        for path in ["/dev/zero", fifo, dir] {
            for read in [{ _ = try WeightFile.read(path) }, { _ = try WeightFile.tensors(path) }, { _ = try Safetensors.read(path) }] {
                XCTAssertThrowsError(try read(), path) { error in
                    guard case WeightsError.unreadable(path, let reason) = error else { return XCTFail("\(error)") }
                    XCTAssertTrue(reason.contains("not a regular file"), reason)
                }
            }
        }
    }

    func testMissingFileNamesThePath() {
        XCTAssertThrowsError(try WeightFile.read("/nonexistent/vgg16.pth")) { error in
            guard case WeightsError.unreadable("/nonexistent/vgg16.pth", let reason) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("No such file"), reason)
        }
    }
}
