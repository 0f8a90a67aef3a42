import XCTest
import Weights

/// Tiny checkpoints in torch.save's zip and legacy formats (written by make_torch_fixtures.py, which emulates
/// torch.save's pickling protocol; see its header) must read back to the values numpy computed for each view.
final class TorchCheckpointTests: XCTestCase {
    func testZipAndLegacyFormatsMatchExpectedViews() throws {
        let expected = try Fixtures.expectedWeights(Fixtures.json("torch_expected.json"))
        XCTAssertEqual(expected.count, 6)
        for file in ["tiny_torch_zip.pth", "tiny_torch_zip64.pth", "tiny_torch_legacy.pth"] {
            let read = try WeightFile.tensors(Fixtures.path(file))
            XCTAssertEqual(Set(read.keys), Set(expected.keys), file)
            for (name, array) in expected { XCTAssertEqual(read[name], array, "\(file) \(name)") }
        }
    }

    func testTransposedFloat16ViewIsGathered() throws {
        let read = try WeightFile.tensors(Fixtures.path("tiny_torch_zip.pth"))
        let view = try XCTUnwrap(read["features.2.weight"])
        XCTAssertEqual(view.shape, [3, 2])
        XCTAssertEqual(read["classifier.0.scale"]?.shape, [])
    }

    func testDamagedStorageFailsItsChecksum() throws {
        var bytes = try Fixtures.bytes("tiny_torch_zip.pth")
        // The first storage holds 54 float32 values; damage one byte in the middle of it.
        let marker = Array("tiny_torch_zip/data/0".utf8)
        let header = try XCTUnwrap((0 ..< bytes.count - marker.count).first { Array(bytes[$0 ..< $0 + marker.count]) == marker })
        bytes[header + marker.count + 100] ^= 0x40
        XCTAssertThrowsError(try WeightFile.tensors(decoding: bytes, file: "damaged.pth")) { error in
            XCTAssertTrue("\(error)".contains("damaged.pth"), "\(error)")
            XCTAssertTrue("\(error)".contains("CRC-32"), "\(error)")
        }
    }
}
