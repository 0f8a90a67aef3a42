import Models
import Weights
import XCTest

/// Truncated and randomly damaged copies of every fixture format go through the readers: each must either read or
/// throw a WeightsError (a CheckpointError when a damaged lpips file lacks a tensor) — a crash would end the test
/// process. Seeded, so failures reproduce.
final class FuzzTests: XCTestCase {
    private struct SplitMix {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    private func samples() throws -> [(String, [UInt8])] {
        var files = try ["tiny_vgg16_p2.ckpt", "tiny_vgg16_p5.ckpt", "tiny_alexnet.ckpt", "tiny_torch_zip.pth",
                         "tiny_torch_zip64.pth", "tiny_torch_legacy.pth"].map { ($0, try Fixtures.bytes($0)) }
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Safetensors.write(try WeightFile.tensors(Fixtures.path("tiny_alexnet.ckpt")), metadata: ["a": "b"], to: dir + "/s.safetensors")
        files.append(("tiny.safetensors", [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/s.safetensors")))))
        return files
    }

    /// Throws only WeightsError or CheckpointError (anything else fails the test); returns whether the bytes read.
    private func probe(_ bytes: [UInt8], _ label: String) -> Bool {
        do {
            _ = try WeightFile.tensors(decoding: bytes, file: label)
            return true
        } catch is WeightsError, is CheckpointError {
            return false
        } catch {
            XCTFail("\(label): unexpected error type \(error)")
            return false
        }
    }

    func testEveryTruncationIsAnError() throws {
        for (name, bytes) in try samples() {
            XCTAssertTrue(probe(bytes, name), name)
            for length in 0 ..< bytes.count {
                XCTAssertFalse(probe(Array(bytes[..<length]), name), "\(name) cut to \(length) bytes read without error")
            }
        }
    }

    func testRandomMutationsNeverCrash() throws {
        var rng = SplitMix(state: 0x5EED)
        var errors = 0, total = 0
        for (name, original) in try samples() {
            for variant in 0 ..< 400 {
                var bytes = original
                for _ in 0 ... rng.below(8) {
                    let i = rng.below(bytes.count)
                    switch rng.below(3) {
                    case 0: bytes[i] = UInt8(truncatingIfNeeded: rng.next())
                    case 1: bytes[i] ^= 1 << UInt8(rng.below(8))
                    default: bytes[i] = [0x00, 0xFF, 0x7F, 0x80][rng.below(4)]
                    }
                }
                total += 1
                if !probe(bytes, "\(name) variant \(variant)") { errors += 1 }
            }
        }
        // Most damage must be noticed (structure, checksums); a flipped bit in a float can legitimately go unseen.
        XCTAssertGreaterThan(errors, total / 4, "\(errors) of \(total) damaged files were refused")
    }
}
