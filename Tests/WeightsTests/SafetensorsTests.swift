import XCTest
import Weights
import TensorCore

final class SafetensorsTests: XCTestCase {
    func testWriteThenReadGivesTheSameWeightsAndMetadata() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let weights: WeightSet = [
            "features.0.weight": WeightArray(shape: [2, 1, 3, 3], values: (0 ..< 18).map { Float($0) * 0.37 - 2 }),
            "features.0.bias": WeightArray(shape: [2], values: [-0.0, .leastNonzeroMagnitude]),
            "scalar": WeightArray(shape: [], values: [42]),
            "empty": WeightArray(shape: [0, 4], values: []),
        ]
        let path = dir + "/model.safetensors"
        try Safetensors.write(weights, metadata: ["network": "test", "note": "quote \" and ünïcode"], to: path)
        let (read, metadata) = try Safetensors.read(path)
        XCTAssertEqual(read, weights)
        XCTAssertEqual(metadata, ["network": "test", "note": "quote \" and ünïcode"])
        XCTAssertEqual(read["features.0.bias"]?.values[0].sign, .minus)
        // The data section starts 8-byte aligned, and no temporary file is left beside the target.
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        XCTAssertEqual(bytes.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) } % 8, 0)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["model.safetensors"])
    }

    func testEveryFormatSurvivesConversionToSafetensors() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for file in ["tiny_vgg16_p3.ckpt", "tiny_alexnet.ckpt", "tiny_torch_zip.pth", "tiny_torch_legacy.pth"] {
            let original = try WeightFile.tensors(Fixtures.path(file))
            let path = dir + "/\(file).safetensors"
            try Safetensors.write(original, to: path)
            XCTAssertEqual(try WeightFile.tensors(path), original, file)
        }
    }

    func testReadsHalfPrecisionWrittenByHand() throws {
        // Header for one F16 tensor of 2 elements: 1.0 (0x3C00) and -2.0 (0xC000).
        let header = Array(#"{"h":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}"#.utf8)
        var bytes = (0 ..< 8).map { UInt8(truncatingIfNeeded: header.count >> (8 * $0)) } + header
        bytes += [0x00, 0x3C, 0x00, 0xC0]
        XCTAssertEqual(try WeightFile.tensors(decoding: bytes, file: "h.safetensors")["h"]?.values, [1, -2])
    }

    func testOffsetsPastTheEndAreRefused() throws {
        let header = Array(#"{"h":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#.utf8)
        let bytes = (0 ..< 8).map { UInt8(truncatingIfNeeded: header.count >> (8 * $0)) } + header + [0, 0, 0, 0]
        XCTAssertThrowsError(try WeightFile.tensors(decoding: bytes, file: "short.safetensors")) { error in
            guard case WeightsError.truncated(let file, let context) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(file, "short.safetensors")
            XCTAssertTrue(context.contains("tensor h"), context)
        }
    }
}
