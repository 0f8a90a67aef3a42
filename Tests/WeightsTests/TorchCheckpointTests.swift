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

    /// A legacy checkpoint written byte by byte: one float32 storage of `values` and tensors (`w` unless `names`
    /// says otherwise) each viewing it the same way.
    private func legacyCheckpoint(values: [Float], offset: Int, size: [Int], stride: [Int], names: [String] = ["w"]) -> [UInt8] {
        func long(_ v: Int) -> [UInt8] { [0x8A, 8] + (0 ..< 8).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
        func text(_ s: String) -> [UInt8] { [0x8C, UInt8(s.utf8.count)] + Array(s.utf8) }
        func ints(_ list: [Int]) -> [UInt8] { [0x28] + list.flatMap(long) + [0x74] } // MARK … TUPLE
        let magic: [UInt8] = [0x80, 0x02, 0x8A, 10, 0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19, 0x2E]
        let version: [UInt8] = [0x80, 0x02, 0x4D, 0xE9, 0x03, 0x2E] // 1001
        let info: [UInt8] = [0x80, 0x02, 0x7D, 0x2E]
        let storage = [0x28] + text("storage") + Array("ctorch\nFloatStorage\n".utf8) + text("0") + text("cpu")
            + long(values.count) + [0x4E, 0x74, 0x51] // None, TUPLE, BINPERSID
        let rebuild: [UInt8] = Array("ctorch._utils\n_rebuild_tensor_v2\n".utf8)
        let arguments: [UInt8] = [0x28] + storage + long(offset) + ints(size) + ints(stride)
        let tensors: [UInt8] = names.flatMap { name -> [UInt8] in
            text(name) + rebuild + arguments + [0x74, 0x52, 0x73] // TUPLE REDUCE SETITEM
        }
        let main: [UInt8] = [0x80, 0x02, 0x7D] + tensors + [0x2E]
        let keys = [0x80, 0x02] + text("0") + [0x85, 0x2E]
        let count = (0 ..< 8).map { UInt8(truncatingIfNeeded: values.count >> (8 * $0)) }
        let data = values.flatMap { v in (0 ..< 4).map { UInt8(truncatingIfNeeded: v.bitPattern >> (8 * $0)) } }
        return magic + version + info + main + keys + count + data
    }

    func testHandWrittenLegacyViewIsRead() throws {
        let read = try WeightFile.tensors(decoding: legacyCheckpoint(values: [1, 2, 3, 4, 5, 6], offset: 1, size: [2, 2], stride: [1, 2]),
                                          file: "view.pth")
        XCTAssertEqual(read["w"]?.shape, [2, 2])
        XCTAssertEqual(read["w"]?.values, [2, 4, 3, 5])
    }

    func testOverflowingSizesStridesAndOffsetsAreErrors() {
        let cases: [(offset: Int, size: [Int], stride: [Int])] = [
            (0, [1 << 31], [1 << 40]),                        // (size - 1) × stride overflows
            (1 << 62, [(1 << 22) + 1], [1 << 40]),            // offset + reach overflows
            (Int.max - 1, [4], [1]),                          // offset + reach overflows
            (5, [2], [1]),                                    // no overflow, but past the end of the storage
        ]
        for c in cases {
            let bytes = legacyCheckpoint(values: [1, 2, 3, 4, 5, 6], offset: c.offset, size: c.size, stride: c.stride)
            XCTAssertThrowsError(try WeightFile.tensors(decoding: bytes, file: "huge.pth"), "\(c)") { error in
                guard case WeightsError.corrupt(let file, _) = error else { return XCTFail("\(error)") }
                XCTAssertEqual(file, "huge.pth")
            }
        }
    }

    func testBroadcastViewWithinItsStorageIsGathered() throws {
        let read = try WeightFile.tensors(decoding: legacyCheckpoint(values: [1, 2, 3, 4, 5, 6], offset: 1, size: [2, 3], stride: [0, 1]),
                                          file: "broadcast.pth")
        XCTAssertEqual(read["w"]?.shape, [2, 3])
        XCTAssertEqual(read["w"]?.values, [2, 3, 4, 2, 3, 4])
    }

    /// Stride-0 views of a 6-element storage once asked for 2^34 elements (64 GiB) from a 400-byte file.
    func testStrideZeroViewLargerThanItsStorageIsRefused() throws {
        for size in [[1 << 31, 8], [7], [2, 2, 2]] {
            let bytes = legacyCheckpoint(values: [1, 2, 3, 4, 5, 6], offset: 0, size: size, stride: size.map { _ in 0 })
            XCTAssertThrowsError(try WeightFile.tensors(decoding: bytes, file: "broadcast.pth"), "\(size)") { error in
                guard case WeightsError.corrupt("broadcast.pth", let reason) = error else { return XCTFail("\(error)") }
                XCTAssertTrue(reason.contains("storage holds only 6"), reason)
            }
        }
    }

    /// Many full views of one storage would multiply the file: together they may hold no more elements than the file
    /// has bytes. Four 1000-element views fit their ~4.7 KB file; eight do not fit theirs.
    func testViewsSharingAStorageAreBoundedByTheFileSize() throws {
        let values = (0 ..< 1000).map(Float.init)
        let four = legacyCheckpoint(values: values, offset: 0, size: [1000], stride: [1], names: (0 ..< 4).map { "w\($0)" })
        XCTAssertEqual(try WeightFile.tensors(decoding: four, file: "shared.pth").count, 4)
        let eight = legacyCheckpoint(values: values, offset: 0, size: [1000], stride: [1], names: (0 ..< 8).map { "w\($0)" })
        XCTAssertGreaterThan(8 * 1000, eight.count)
        XCTAssertThrowsError(try WeightFile.tensors(decoding: eight, file: "shared.pth")) { error in
            guard case WeightsError.corrupt("shared.pth", let reason) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("than the file has bytes (\(eight.count))"), reason)
        }
    }
}
