import Models
import TensorCore
import Weights
import XCTest

final class ModelStoreTests: XCTestCase {
    func testCacheDirectoryPrecedence() {
        XCTAssertEqual(ModelStore.defaultDirectory(environment: ["STYLIZE_MODELS": "/m", "XDG_CACHE_HOME": "/x", "HOME": "/h"]), "/m")
        XCTAssertEqual(ModelStore.defaultDirectory(environment: ["XDG_CACHE_HOME": "/x", "HOME": "/h"]), "/x/stylize")
        XCTAssertEqual(ModelStore.defaultDirectory(environment: ["HOME": "/h"]), "/h/.cache/stylize")
        XCTAssertEqual(ModelStore.defaultDirectory(environment: ["STYLIZE_MODELS": "", "HOME": "/h"]), "/h/.cache/stylize")
    }

    func testInstallLoadAndDefaultModel() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = ModelStore(directory: dir)
        XCTAssertThrowsError(try store.defaultModelName()) { error in
            XCTAssertTrue("\(error)".contains("stylize models fetch vgg16"), "\(error)")
        }
        XCTAssertThrowsError(try store.load("vgg19")) { error in
            XCTAssertEqual(error as? WeightsError, .notInstalled(name: "vgg19", hint: "run `stylize models fetch vgg19`"))
        }
        let weights = Fixtures.weights(for: .alexnet, seed: 3)
        let model = try store.install(weights, network: "alexnet", as: "alexnet", source: "test", sourceSHA256: "0")
        XCTAssertEqual(model.network, "alexnet")
        XCTAssertEqual(model.sha256, Fixtures.sha256(try Data(contentsOf: URL(fileURLWithPath: model.path))))
        XCTAssertTrue(try store.verify(model))
        let loaded = try store.load("alexnet")
        XCTAssertEqual(loaded.name, "alexnet")
        XCTAssertEqual(loaded.weights, weights)
        XCTAssertEqual(try store.load(model.path).weights, weights) // the same file by path
        XCTAssertThrowsError(try store.defaultModelName()) // alexnet is never the default

        // Importing under another name, then vgg16/vgg19 preference (symlinks stand in for installed files).
        try store.importFile(model.path, as: "my-alexnet")
        XCTAssertEqual(try store.load("my-alexnet").weights, weights)
        XCTAssertThrowsError(try store.importFile(model.path, as: "vgg16")) // alexnet weights can't be named vgg16
        XCTAssertThrowsError(try store.importFile(model.path, as: "../escape")) { error in
            XCTAssertEqual(error as? WeightsError, .invalidName("../escape"))
        }
        try FileManager.default.createSymbolicLink(atPath: dir + "/vgg16.safetensors", withDestinationPath: model.path)
        XCTAssertEqual(try store.defaultModelName(), "vgg16")
        try FileManager.default.createSymbolicLink(atPath: dir + "/vgg19.safetensors", withDestinationPath: model.path)
        XCTAssertEqual(try store.defaultModelName(), "vgg19")
        XCTAssertEqual(store.installed().map(\.name), ["alexnet", "my-alexnet", "vgg16", "vgg19"])
    }

    func testMismatchedFilesNameTheFileAndTensor() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let good = Fixtures.weights(for: .alexnet, seed: 5)

        var wrongShape = good
        wrongShape["features.6.weight"] = WeightArray(shape: [384, 192, 1, 9], values: good["features.6.weight"]!.values)
        var missing = good
        missing["features.10.bias"] = nil
        var notFinite = good
        notFinite["features.3.bias"]!.values[17] = .nan

        for (name, weights, expected) in [
            ("shape", wrongShape, CheckpointError.wrongShape(file: dir + "/shape.safetensors", tensor: "features.6.weight", network: "alexnet",
                                                             expected: [384, 192, 3, 3], found: [384, 192, 1, 9])),
            ("missing", missing, .missingTensor(file: dir + "/missing.safetensors", tensor: "features.10.bias", network: "alexnet")),
            ("nan", notFinite, .nonFinite(file: dir + "/nan.safetensors", tensor: "features.3.bias", index: 17)),
        ] {
            try Safetensors.write(weights, to: dir + "/\(name).safetensors")
            XCTAssertThrowsError(try ModelStore(directory: dir).load(dir + "/\(name).safetensors")) { error in
                XCTAssertEqual(error as? CheckpointError, expected)
            }
            XCTAssertThrowsError(try ModelStore(directory: dir).importFile(dir + "/\(name).safetensors", as: "x"))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/x.safetensors"))
    }

    func testUnknownModelIsRefusedBeforeAnyDownload() async throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        await assertThrowsAsync({ try await ModelStore(directory: dir).fetch("resnet50") }) { error in
            XCTAssertTrue("\(error)".contains("vgg16, vgg19, alexnet, squeezenet1_1"), "\(error)")
        }
    }
}
