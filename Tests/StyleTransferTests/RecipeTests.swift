import Foundation
import StyleTransfer
import XCTest

final class RecipeTests: XCTestCase {
    func testJSONUsesTheSnakeCaseKnobNamesAndRoundTrips() throws {
        var r = Recipe()
        r.styleLayerWeights = [1, 2, 3, 4, 5]
        r.learningRate = 0.5
        r.initialization = .contentNoise
        r.contentWeight = 2
        let data = try JSONEncoder().encode(r)
        let object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        for key in ["content_layers", "style_layers", "style_layer_weights", "content_weight", "style_weight", "tv_weight",
                    "optimizer", "learning_rate", "iterations", "init", "seed", "size", "preserve_colors", "normalization"] {
            XCTAssertNotNil(object[key], "missing \(key)")
        }
        XCTAssertEqual(object["init"] as? String, "content+noise")
        XCTAssertEqual(try JSONDecoder().decode(Recipe.self, from: data), r)
    }

    func testMissingKeysTakeDefaults() throws {
        let r = try JSONDecoder().decode(Recipe.self, from: Data(#"{"style_weight": 20, "optimizer": "adam"}"#.utf8))
        XCTAssertEqual(r.styleWeight, 20)
        XCTAssertEqual(r.optimizer, .adam)
        XCTAssertEqual(r.contentLayers, Recipe().contentLayers)
        XCTAssertEqual(r.effectiveLearningRate, 0.02)
        XCTAssertEqual(r.clamp, .step)
    }

    func testUnknownEnumValueFailsToDecode() {
        XCTAssertThrowsError(try JSONDecoder().decode(Recipe.self, from: Data(#"{"normalization": "median"}"#.utf8)))
    }
}
