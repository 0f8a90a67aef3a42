import Crypto
import Foundation
import Models
import XCTest
import Weights
import TensorCore

/// Files under Fixtures/, made once by the committed Python scripts beside them.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path

    static func path(_ name: String) -> String { directory + "/" + name }

    static func bytes(_ name: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: path(name)))) }

    static func json(_ name: String) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path(name)))) as? [String: Any])
    }

    /// `{"name": {"shape": [...], "values": [...]}}` as a WeightSet; values are float32 written as doubles, so the
    /// conversion back to Float is exact.
    static func expectedWeights(_ object: Any) throws -> WeightSet {
        let entries = try XCTUnwrap(object as? [String: [String: [Double]]])
        return try entries.mapValues { entry in
            WeightArray(shape: try XCTUnwrap(entry["shape"]).map { Int($0) }, values: try XCTUnwrap(entry["values"]).map { Float($0) })
        }
    }

    /// SHA-256 in one call over bytes in memory, to check the chunked `FileDigest` against.
    static func sha256<D: DataProtocol>(_ bytes: D) -> String { SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined() }

    static func temporaryDirectory() throws -> String {
        let dir = NSTemporaryDirectory() + "stylize-weights-tests-\(getpid())-\(UInt32.random(in: 0 ... .max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Deterministic weights with `architecture`'s names and shapes (values from a seeded generator).
    static func weights(for architecture: Architecture, seed: UInt64) -> WeightSet {
        var state = seed
        var result: WeightSet = [:]
        for (name, shape) in architecture.weightShapes {
            let values = (0 ..< shape.reduce(1, *)).map { _ -> Float in
                state = state &* 6364136223846793005 &+ 1442695040888963407
                return Float(Int64(bitPattern: state) >> 40) / Float(1 << 23) * 0.05
            }
            result[name] = WeightArray(shape: shape, values: values)
        }
        return result
    }
}

/// XCTAssertThrowsError for an async call: fails if `call` returns, else hands its error to `check`.
func assertThrowsAsync<T>(_ call: () async throws -> T, file: StaticString = #filePath, line: UInt = #line,
                          _ check: (Error) -> Void = { _ in }) async {
    do {
        _ = try await call()
        XCTFail("did not throw", file: file, line: line)
    } catch {
        check(error)
    }
}
