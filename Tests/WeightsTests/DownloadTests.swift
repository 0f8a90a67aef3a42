import XCTest
import Weights
import TensorCore

/// The curl download path of `fetch` (checksum prefix, resume, refusal, atomic install) from a `file:` URL named by
/// STYLIZE_WEIGHTS_URL, since torchvision's own host is not reachable here.
final class DownloadTests: XCTestCase {
    private var root = ""

    override func setUpWithError() throws { root = try Fixtures.temporaryDirectory() }

    override func tearDown() { try? FileManager.default.removeItem(atPath: root) }

    private var environment: [String: String] { [ModelSource.weightsURLVariable: "file://" + root + "/served"] }

    private func serve(_ weights: WeightSet, as file: String) throws -> (bytes: [UInt8], sha256: String) {
        try FileManager.default.createDirectory(atPath: root + "/served", withIntermediateDirectories: true)
        try Safetensors.write(weights, to: root + "/served/" + file)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: root + "/served/" + file)))
        return (bytes, Fixtures.sha256(bytes))
    }

    private func source(_ file: String, sha256Prefix: String, bytes: Int) -> ModelSource {
        ModelSource(name: "squeezenet1_1", origin: .torchvision(file: file, sha256Prefix: sha256Prefix), downloadBytes: bytes)
    }

    func testDownloadResumesChecksAndInstallsWeightsWithTheirChecksum() async throws {
        let weights = Fixtures.weights(for: .squeezenet1_1, seed: 11)
        let (bytes, digest) = try serve(weights, as: "squeezenet1_1-abc.pth")
        let store = ModelStore(directory: root + "/store")
        // A partial download from an earlier try: curl continues it.
        try FileManager.default.createDirectory(atPath: store.directory, withIntermediateDirectories: true)
        try Data(bytes.prefix(1000)).write(to: URL(fileURLWithPath: store.directory + "/.squeezenet1_1-abc.pth.part"))
        let model = try await store.fetch(source("squeezenet1_1-abc.pth", sha256Prefix: String(digest.prefix(8)), bytes: bytes.count),
                                          environment: environment)
        XCTAssertEqual(try store.load("squeezenet1_1").weights, weights)
        XCTAssertEqual(model.source, "squeezenet1_1-abc.pth")
        XCTAssertTrue(try store.verify(model))
        let link = try FileManager.default.destinationOfSymbolicLink(atPath: store.path(for: "squeezenet1_1"))
        XCTAssertEqual(link, ".blobs/\(try XCTUnwrap(model.sha256)).safetensors", "the file is named by its checksum")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: store.directory).sorted(), [".blobs", "squeezenet1_1.safetensors"])
    }

    func testAFailedFetchLeavesThePreviousModelAndItsChecksum() async throws {
        let store = ModelStore(directory: root + "/store")
        let old = try store.install(Fixtures.weights(for: .squeezenet1_1, seed: 1), network: "squeezenet1_1", as: "squeezenet1_1",
                                    source: "old", sourceSHA256: "0")
        let (bytes, digest) = try serve(Fixtures.weights(for: .squeezenet1_1, seed: 12), as: "squeezenet1_1-bad.pth")
        let wrong = digest.hasPrefix("0") ? "10000000" : "00000000"
        let bad = source("squeezenet1_1-bad.pth", sha256Prefix: wrong, bytes: bytes.count), environment = environment
        await assertThrowsAsync({ try await store.fetch(bad, environment: environment) }) { error in
            XCTAssertEqual(error as? WeightsError, .checksumMismatch(file: "squeezenet1_1-bad.pth", expected: wrong + "…", found: digest))
        }
        let now = try XCTUnwrap(store.installed().first)
        XCTAssertEqual(now.sha256, old.sha256)
        XCTAssertEqual(now.source, "old")
        XCTAssertTrue(try store.verify(now))
        XCTAssertFalse(FileManager.default.fileExists(atPath: store.directory + "/.squeezenet1_1-bad.pth.part"), "a bad download is dropped")
    }

    func testReinstallingReplacesTheBlobAndAnOlderStoresChecksumFile() throws {
        let store = ModelStore(directory: root + "/store")
        // An older store: a plain file with its checksum beside it.
        try FileManager.default.createDirectory(atPath: store.directory, withIntermediateDirectories: true)
        try Safetensors.write(Fixtures.weights(for: .squeezenet1_1, seed: 2), to: store.path(for: "squeezenet1_1"))
        let oldDigest = try FileDigest.sha256(ofFile: store.path(for: "squeezenet1_1"))
        try "\(oldDigest)  squeezenet1_1.safetensors\n".write(toFile: store.path(for: "squeezenet1_1") + ".sha256", atomically: true, encoding: .utf8)
        XCTAssertEqual(store.installed().first?.sha256, oldDigest)

        let weights = Fixtures.weights(for: .squeezenet1_1, seed: 3)
        let first = try store.install(weights, network: "squeezenet1_1", as: "squeezenet1_1", source: "a", sourceSHA256: "0")
        XCTAssertEqual(try store.load("squeezenet1_1").weights, weights)
        XCTAssertNotEqual(first.sha256, oldDigest)
        XCTAssertFalse(FileManager.default.fileExists(atPath: store.path(for: "squeezenet1_1") + ".sha256"))
        try store.install(weights, network: "squeezenet1_1", as: "copy", source: "a", sourceSHA256: "0")
        let second = try store.install(Fixtures.weights(for: .squeezenet1_1, seed: 4), network: "squeezenet1_1", as: "squeezenet1_1",
                                       source: "b", sourceSHA256: "0")
        // The first blob is still linked by "copy"; replacing "copy" too leaves only the second.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: store.directory + "/.blobs").count, 2)
        try store.install(Fixtures.weights(for: .squeezenet1_1, seed: 4), network: "squeezenet1_1", as: "copy", source: "b", sourceSHA256: "0")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: store.directory + "/.blobs"), ["\(try XCTUnwrap(second.sha256)).safetensors"])
        XCTAssertEqual(store.installed().map(\.sha256), [second.sha256, second.sha256])
    }

    func testOnlyHTTPSAndFileURLsReachCurl() async throws {
        let store = ModelStore(directory: root + "/store")
        for (value, reason) in [("http://127.0.0.1:8000/", "uses http:"), ("ftp://host/models", "uses ftp:"),
                                ("-o/tmp/x", "is not a URL"), ("--output /tmp/x https://h/", "spaces"),
                                ("https:///models", "names no host"), ("https://h/m?x=1", "query"),
                                ("https://h/m[1-2]", "brackets")] {
            await assertThrowsAsync({ try await store.fetch("vgg19", environment: [ModelSource.weightsURLVariable: value]) }) { error in
                guard case .invalidWeightsURL(value, let found)? = error as? WeightsError else { return XCTFail("\(value): \(error)") }
                XCTAssertTrue(found.contains(reason), "\(value): \(found)")
                XCTAssertTrue("\(error)".contains("https:// or file://"), "\(error)")
            }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: store.directory), "nothing is created before the check")
    }

    func testRefusedConnectionFailsFastWithAWayOut() async throws {
        let store = ModelStore(directory: root + "/store")
        let source = ModelSource(name: "vgg19", origin: .torchvision(file: "vgg19-dcbb9e9d.pth", sha256Prefix: "dcbb9e9d"),
                                 downloadBytes: 1)
        let refused = [ModelSource.weightsURLVariable: "https://127.0.0.1:1/missing/"]  // nothing listens on port 1
        await assertThrowsAsync({ try await store.fetch(source, environment: refused) }) { error in
            XCTAssertTrue("\(error)".contains("stylize models import vgg19-dcbb9e9d.pth --as vgg19"), "\(error)")
        }
        XCTAssertFalse(store.isInstalled("vgg19"))
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
