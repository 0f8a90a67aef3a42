import XCTest
import Weights
import TensorCore

/// The curl download path of `fetch` (checksum prefix, resume fallback, refusal) against a file server on the
/// loopback address named by STYLIZE_WEIGHTS_URL, since torchvision's own host is not reachable here.
final class DownloadTests: XCTestCase {
    private var server: Process?
    private var root = ""
    private var port = 0

    override func setUpWithError() throws {
        root = try Fixtures.temporaryDirectory()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", root]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        server = process
        // "Serving HTTP on 127.0.0.1 port 41234 (http://127.0.0.1:41234/) ..."
        let line = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        port = try XCTUnwrap(line.split(separator: " ").firstIndex(of: "port").flatMap { Int(line.split(separator: " ")[$0 + 1]) }, line)
    }

    override func tearDown() {
        server?.terminate()
        server?.waitUntilExit()
        try? FileManager.default.removeItem(atPath: root)
    }

    private var environment: [String: String] { [ModelSource.weightsURLVariable: "http://127.0.0.1:\(port)"] }

    private func serve(_ weights: WeightSet, as file: String) throws -> (bytes: [UInt8], sha256: String) {
        try Safetensors.write(weights, to: root + "/" + file)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: root + "/" + file)))
        return (bytes, Fixtures.sha256(bytes))
    }

    func testDownloadChecksumAndInstall() async throws {
        let weights = Fixtures.weights(for: .squeezenet1_1, seed: 11)
        let (bytes, digest) = try serve(weights, as: "squeezenet1_1-abc.pth")
        let store = ModelStore(directory: root + "/store")
        let source = ModelSource(name: "squeezenet1_1", origin: .torchvision(file: "squeezenet1_1-abc.pth", sha256Prefix: String(digest.prefix(8))),
                                 downloadBytes: bytes.count)

        // A partial download from an earlier try; this server cannot resume, so fetch starts over.
        try FileManager.default.createDirectory(atPath: store.directory, withIntermediateDirectories: true)
        try Data(bytes.prefix(1000)).write(to: URL(fileURLWithPath: store.directory + "/.squeezenet1_1-abc.pth.part"))
        var messages: [String] = []
        let model = try await store.fetch(source, environment: environment) { messages.append($0) }
        XCTAssertTrue(messages.contains { $0.contains("from the start") }, "\(messages)")
        XCTAssertEqual(try store.load("squeezenet1_1").weights, weights)
        XCTAssertEqual(model.source, "squeezenet1_1-abc.pth")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: store.directory).sorted(),
                       ["squeezenet1_1.safetensors", "squeezenet1_1.safetensors.sha256"])
    }

    func testWrongChecksumIsNotInstalled() async throws {
        let (bytes, digest) = try serve(Fixtures.weights(for: .squeezenet1_1, seed: 12), as: "squeezenet1_1-bad.pth")
        let store = ModelStore(directory: root + "/store")
        let wrong = digest.hasPrefix("0") ? "10000000" : "00000000"
        let source = ModelSource(name: "squeezenet1_1", origin: .torchvision(file: "squeezenet1_1-bad.pth", sha256Prefix: wrong),
                                 downloadBytes: bytes.count)
        await assertThrowsAsync({ try await store.fetch(source, environment: environment) }) { error in
            XCTAssertEqual(error as? WeightsError, .checksumMismatch(file: "squeezenet1_1-bad.pth", expected: wrong + "…", found: digest))
        }
        XCTAssertFalse(store.isInstalled("squeezenet1_1"))
    }

    func testRefusedConnectionFailsFastWithAWayOut() async throws {
        let store = ModelStore(directory: root + "/store")
        let source = ModelSource(name: "vgg19", origin: .torchvision(file: "vgg19-dcbb9e9d.pth", sha256Prefix: "dcbb9e9d"),
                                 downloadBytes: 1)
        let start = Date()
        let missing = [ModelSource.weightsURLVariable: "http://127.0.0.1:\(port)/missing/"]
        await assertThrowsAsync({ try await store.fetch(source, environment: missing) }) { error in
            XCTAssertTrue("\(error)".contains("stylize models import vgg19-dcbb9e9d.pth --as vgg19"), "\(error)")
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 10)
    }

    func testWithoutTheWeightsURLFetchFailsAtOnceWithAWayOut() async throws {
        let store = ModelStore(directory: root + "/store")
        for environment in [[:], [ModelSource.weightsURLVariable: ""]] {
            await assertThrowsAsync({ try await store.fetch("vgg19", environment: environment) }) { error in
                XCTAssertTrue("\(error)".contains("set STYLIZE_WEIGHTS_URL"), "\(error)")
                XCTAssertTrue("\(error)".contains("stylize models import vgg19-dcbb9e9d.pth --as vgg19"), "\(error)")
            }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: store.directory), "nothing is created before the check")
    }
}
