import Models
import StyleTransfer
import TensorCore
import XCTest

final class MemoryEstimateTests: XCTestCase {
    private let photo = Shape(channels: 3, height: 600, width: 800)

    private func estimate(_ recipe: Recipe, _ architecture: Architecture = .vgg16, video: Bool = false) throws -> Int {
        try XCTUnwrap(MemoryEstimate(architecture: architecture, recipe: recipe, content: photo, styles: [photo], video: video)).bytes
    }

    func testNetworkWeightsAreTheLayoutsParameters() throws {
        // torchvision's vgg16().features has 14,714,688 parameters; AlexNet's 2,469,696.
        XCTAssertEqual(try XCTUnwrap(Architecture.vgg16.memory(width: 64, height: 64, taps: ["relu1_1"])).weights, 4 * 14_714_688)
        XCTAssertEqual(try XCTUnwrap(Architecture.alexnet.memory(width: 64, height: 64, taps: ["relu1"])).weights, 4 * 2_469_696)
        let taps = try XCTUnwrap(Architecture.vgg16.memory(width: 800, height: 600, taps: ["relu1_1", "relu4_2"])).taps
        XCTAssertEqual(taps["relu1_1"], Shape(channels: 64, height: 600, width: 800))
        XCTAssertEqual(taps["relu4_2"], Shape(channels: 512, height: 75, width: 100))
        XCTAssertNil(Architecture.vgg16.memory(width: 64, height: 64, taps: ["relu9_9"]))
    }

    func testTheEstimateGrowsWithThePixelsAndTheOptimizerState() throws {
        var recipe = Recipe()
        recipe.size = 1024
        let small = try estimate(recipe)
        recipe.size = 2048
        let large = try estimate(recipe)
        // Four times the pixels: the per-pixel part quadruples, the weights and baseline do not.
        XCTAssertGreaterThan(Double(large) / Double(small), 3)
        XCTAssertLessThan(Double(large) / Double(small), 4)
        // L-BFGS keeps 2 vectors of 3·H·W floats per pair, one pair per iteration up to the history size.
        recipe.iterations = 30
        let lbfgs30 = try estimate(recipe)
        recipe.iterations = 40
        let pixels = 3 * 1536 * 2048
        XCTAssertEqual(try estimate(recipe) - lbfgs30, 10 * 2 * pixels * 4)
        recipe.historySize = 10
        XCTAssertEqual(lbfgs30 - (try estimate(recipe)), 20 * 2 * pixels * 4)
        recipe.optimizer = .adam
        XCTAssertLessThan(try estimate(recipe), lbfgs30)
        XCTAssertGreaterThan(try estimate(recipe, video: true), try estimate(recipe))
    }

    func testTheLargestSizeThatFitsIsTheLastOneUnderTheBudget() throws {
        var recipe = Recipe()
        recipe.size = 4096
        let budget = 3 << 30
        let fitting = try XCTUnwrap(MemoryEstimate.largestSize(within: budget, architecture: .vgg19, recipe: recipe, content: photo, styles: [photo]))
        recipe.size = fitting
        XCTAssertLessThanOrEqual(try estimate(recipe, .vgg19), budget)
        recipe.size = fitting + 1
        XCTAssertGreaterThan(try estimate(recipe, .vgg19), budget)
        XCTAssertNil(MemoryEstimate.largestSize(within: 1 << 20, architecture: .vgg19, recipe: recipe, content: photo, styles: [photo]))
    }

    func testARunOverTheAvailableMemoryIsRefusedWithASizeThatFits() throws {
        var recipe = Recipe()
        recipe.size = 4096
        let needed = try estimate(recipe)
        XCTAssertNoThrow(try MemoryEstimate.check(architecture: .vgg16, recipe: recipe, content: photo, styles: [photo], available: needed))
        XCTAssertNoThrow(try MemoryEstimate.check(architecture: .vgg16, recipe: recipe, content: photo, styles: [photo], available: nil))
        XCTAssertThrowsError(try MemoryEstimate.check(architecture: .vgg16, recipe: recipe, content: photo, styles: [photo], available: needed / 4)) { error in
            guard case let .tooLarge(estimate, available, size, fitting?)? = error as? MemoryEstimateError else { return XCTFail("\(error)") }
            XCTAssertEqual([estimate, available, size], [needed, needed / 4, 4096])
            XCTAssertLessThan(fitting, 4096)
            XCTAssertGreaterThan(fitting, 1024, "a quarter of the memory still holds about half the side")
            XCTAssertTrue("\(error)".contains("use --size \(fitting) or less"), "\(error)")
        }
    }
}
