import Foundation
import XCTest

/// Recipes name layers as VGG does; on AlexNet the default content and style layers (of `image` and of
/// `reconstruct`) become AlexNet's own, while layers the user chose are kept. Read back from `--save-recipe`.
final class DefaultLayersTests: XCTestCase {
    /// torchvision AlexNet's `features` convolutions: (index, in, out, kernel), with small deterministic values.
    private func writeAlexNet(_ path: String) throws {
        var tensors: [(name: String, shape: [Int], values: [Float])] = []
        for (index, cin, cout, k) in [(0, 3, 64, 11), (3, 64, 192, 5), (6, 192, 384, 3), (8, 384, 256, 3), (10, 256, 256, 3)] {
            let count = cout * cin * k * k
            tensors.append(("features.\(index).weight", [cout, cin, k, k], (0 ..< count).map { Float(($0 * 7919) % 201 - 100) * 1e-4 }))
            tensors.append(("features.\(index).bias", [cout], [Float](repeating: 0.01, count: cout)))
        }
        try SafetensorsFile.write(tensors, to: path)
    }

    private func savedLayers(_ arguments: [String], in dir: String) throws -> (content: [String], style: [String]) {
        let saved = dir + "/recipe.json"
        let run = try Stylize.run(arguments + ["--size", "64", "--iterations", "1", "-o", dir + "/out.png", "--save-recipe", saved])
        XCTAssertEqual(run.status, 0, run.error)
        let recipe = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: saved))) as? [String: Any])
        return (try XCTUnwrap(recipe["content_layers"] as? [String]), try XCTUnwrap(recipe["style_layers"] as? [String]))
    }

    func testVGGDefaultsBecomeAlexNetsOwn() throws {
        let dir = try Stylize.directory(self), samples = Stylize.root + "/Samples/", model = dir + "/alexnet.safetensors"
        try writeAlexNet(model)
        let pair = [samples + "chelsea.png", samples + "starry_night.jpg"]

        let image = try savedLayers(["image"] + pair + ["--model", model], in: dir)
        XCTAssertEqual(image.content, ["relu4"])
        XCTAssertEqual(image.style, ["relu1", "relu2", "relu3", "relu4", "relu5"])

        let reconstruct = try savedLayers(["reconstruct", samples + "chelsea.png", "--model", model], in: dir)
        XCTAssertEqual(reconstruct.content, ["relu4"])

        let chosen = try savedLayers(["image"] + pair + ["--model", model, "--content-layers", "conv3", "--style-layers", "relu2,relu5"], in: dir)
        XCTAssertEqual(chosen.content, ["conv3"])
        XCTAssertEqual(chosen.style, ["relu2", "relu5"])

        // Per-layer style weights were chosen for VGG's names, so those names stay (and the run says they are unknown).
        let weighted = try Stylize.run(["image"] + pair + ["--model", model, "--style-layer-weights", "1,1,1,1,1",
                                                          "--size", "64", "--iterations", "1", "-o", dir + "/w.png"])
        XCTAssertNotEqual(weighted.status, 0)
        XCTAssertTrue(weighted.error.contains("alexnet has no layer 'relu1_1'"), weighted.error)
    }

    func testVGGKeepsItsDefaults() throws {
        let dir = try Stylize.directory(self), samples = Stylize.root + "/Samples/"
        let image = try savedLayers(["image", samples + "chelsea.png", samples + "starry_night.jpg", "--model", "vgg16"], in: dir)
        XCTAssertEqual(image.content, ["relu4_2"])
        XCTAssertEqual(image.style, ["relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1"])
        let reconstruct = try savedLayers(["reconstruct", samples + "chelsea.png", "--model", "vgg16"], in: dir)
        XCTAssertEqual(reconstruct.content, ["relu3_1"])
    }
}
