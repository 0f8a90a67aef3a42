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
                    "optimizer", "learning_rate", "iterations", "init", "seed", "size", "colors", "style_loss", "tileable", "normalization"] {
            XCTAssertNotNil(object[key], "missing \(key)")
        }
        XCTAssertEqual(object["init"] as? String, "content+noise")
        XCTAssertEqual(try JSONDecoder().decode(Recipe.self, from: data), r)
    }

    /// `preserve_colors: true` from an older recipe is `colors: content`; it is not written any more.
    func testAnOlderRecipesPreserveColorsIsColorsContent() throws {
        let old = try JSONDecoder().decode(Recipe.self, from: Data(#"{"preserve_colors": true, "colors": "style"}"#.utf8))
        XCTAssertEqual(old.colors, .content)
        XCTAssertEqual(try JSONDecoder().decode(Recipe.self, from: Data(#"{"preserve_colors": false}"#.utf8)).colors, .style)
        var r = Recipe()
        r.styleMasks = [2: "b.png", 1: "a.png"]
        r.contentMask = "c.png"
        let object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(r)) as! [String: Any]
        XCTAssertNil(object["preserve_colors"])
        XCTAssertEqual(object["style_masks"] as? [String: String], ["1": "a.png", "2": "b.png"])
        XCTAssertEqual(try JSONDecoder().decode(Recipe.self, from: JSONEncoder().encode(r)), r)
    }

    /// `pooling` and `init` are typed now but read and written as the same strings as before.
    func testRecipeFilesWithPoolingAndInitStringsLoadTyped() throws {
        let r = try JSONDecoder().decode(Recipe.self, from: Data(#"{"pooling": "avg", "init": "content+noise"}"#.utf8))
        XCTAssertEqual(r.pooling, .avg)
        XCTAssertEqual(r.initialization, .contentNoise)
        let image = try JSONDecoder().decode(Recipe.self, from: Data(#"{"init": "start.png"}"#.utf8))
        XCTAssertEqual(image.initialization, .image(path: "start.png"))
        let object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(image)) as! [String: Any]
        XCTAssertEqual(object["init"] as? String, "start.png")
        XCTAssertEqual(object["pooling"] as? String, "max")
        XCTAssertThrowsError(try JSONDecoder().decode(Recipe.self, from: Data(#"{"pooling": "mean"}"#.utf8)))
        XCTAssertThrowsError(try JSONDecoder().decode(Recipe.self, from: Data(#"{"init": ""}"#.utf8)))
    }

    func testEveryKnobOutsideItsLimitIsRefusedByName() {
        let cases: [(String, (inout Recipe) -> Void)] = [
            ("--size", { $0.size = Int.max }), ("--scales", { $0.scales = 0 }), ("--iterations", { $0.iterations = -1 }),
            ("--style-scale", { $0.styleScale = .infinity }), ("--learning-rate", { $0.learningRate = .nan }),
            ("--tv-weight", { $0.tvWeight = -.infinity }), ("--style-blend", { $0.styleBlend = [1, .nan] }),
            ("--noise", { $0.noise = 2 }), ("--tolerance", { $0.tolerance = 1 }), ("--min-size", { $0.minSize = 0 }),
        ]
        for (flag, change) in cases {
            var r = Recipe()
            change(&r)
            XCTAssertThrowsError(try r.validate(), flag) { XCTAssertEqual(($0 as? LimitError)?.flag, flag) }
        }
        XCTAssertNoThrow(try Recipe().validate())
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
