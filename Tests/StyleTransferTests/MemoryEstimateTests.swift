import Models
import StyleTransfer
import TensorCore
import XCTest

final class MemoryEstimateTests: XCTestCase {
    private let photo = Shape(channels: 3, height: 600, width: 800)

    private func estimator(_ recipe: Recipe, _ architecture: Architecture = .vgg16, video: Bool = false) throws -> MemoryEstimate {
        try XCTUnwrap(MemoryEstimate(architecture: architecture, recipe: recipe, content: photo, styles: [photo], video: video))
    }

    /// The whole picture at `recipe.size` with `history` pairs.
    private func estimate(_ recipe: Recipe, _ architecture: Architecture = .vgg16, video: Bool = false, history: Int = 60) throws -> Int {
        let e = try estimator(recipe, architecture, video: video)
        return e.bytes(output: e.output, tileSize: nil, history: history)
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
        // L-BFGS keeps 2 vectors of 3·H·W floats per pair.
        let pixels = 3 * 1536 * 2048
        XCTAssertEqual(try estimate(recipe, history: 40) - (try estimate(recipe, history: 30)), 10 * 2 * pixels * 4)
        recipe.optimizer = .adam
        XCTAssertLessThan(try estimate(recipe, history: 0), try estimate(Recipe(), history: 0) + large)
        XCTAssertGreaterThan(try estimate(recipe, video: true), try estimate(recipe))
    }

    func testTilesCostLessMemoryThanTheWholePicture() throws {
        var recipe = Recipe()
        recipe.size = 2048
        let e = try estimator(recipe)
        let whole = e.bytes(output: e.output, tileSize: nil, history: 10)
        let halves = e.bytes(output: e.output, tileSize: TilePlan.Size(side: 1024), history: 10)
        let small = e.bytes(output: e.output, tileSize: TilePlan.Size(side: 256), history: 10)
        XCTAssertLessThan(halves, whole)
        XCTAssertLessThan(small, halves)
    }

    /// Tiles follow the picture's columns and rows, each way on its own: as the budget of a 2048×1416 print shrinks,
    /// it runs whole, then in 2 tiles (2 columns, 1.2× the pixels), 3 (3 columns), 4 (2 × 2), … one more at a time,
    /// never jumping to squares of a fraction of the long side.
    func testTilesCountColumnsAndRows() throws {
        var recipe = Recipe()
        recipe.size = 2048
        let photo = Shape(channels: 3, height: 1416, width: 2048), painting = Shape(channels: 3, height: 480, width: 600)
        let e = try XCTUnwrap(MemoryEstimate(architecture: .vgg16, recipe: recipe, content: photo, styles: [painting]))
        XCTAssertEqual(e.output, photo)
        var counts: [Int] = [], budget = e.bytes(output: photo, tileSize: nil, history: 15)
        // Every pair kept: with fewer, larger tiles come back.
        while let plan = try? e.plan(output: photo, iterations: 15, budget: budget), plan.tiles <= 9, plan.historySize == 15 {
            XCTAssertLessThanOrEqual(plan.bytes, budget, plan.summary)
            if counts.last != plan.tiles { counts.append(plan.tiles) }
            budget = plan.bytes - 1
        }
        XCTAssertEqual(counts, [1, 2, 3, 4, 5, 6, 7, 8])
    }

    func testAPlanKeepsEveryPairAndTheWholePictureWhenItCanAndFitsItsBudgetOtherwise() throws {
        var recipe = Recipe()
        recipe.size = 2048
        let e = try estimator(recipe)
        let free = try e.plan(output: e.output, iterations: 60, budget: nil)
        XCTAssertNil(free.tileSize)
        XCTAssertEqual(free.historySize, 60, "no more pairs than iterations")
        let roomy = try e.plan(output: e.output, iterations: 60, budget: free.bytes)
        XCTAssertEqual(roomy, free)
        for gigabytes in [3, 2] {
            let budget = gigabytes << 30
            let plan = try e.plan(output: e.output, iterations: 60, budget: budget)
            XCTAssertLessThanOrEqual(plan.bytes, budget, plan.summary)
            XCTAssertGreaterThan(plan.tiles, 1, plan.summary)
            XCTAssertGreaterThanOrEqual(plan.historySize, 5, plan.summary)
        }
        recipe.optimizer = .adam
        let adam = try estimator(recipe)
        let tiledAdam = try adam.plan(output: adam.output, iterations: 60, budget: 2 << 30)
        XCTAssertLessThanOrEqual(tiledAdam.bytes, 2 << 30, tiledAdam.summary)
        XCTAssertGreaterThan(tiledAdam.tiles, 1, tiledAdam.summary)
        XCTAssertEqual(tiledAdam.historySize, 0)
    }

    func testABudgetShortOfEveryFullPairKeepsThemInHalfPrecisionThenTiles() throws {
        var recipe = Recipe()
        recipe.size = 1024
        let e = try estimator(recipe)
        let full = e.bytes(output: e.output, tileSize: nil, history: 20)
        let compact = e.bytes(output: e.output, tileSize: nil, history: 20, compact: true)
        XCTAssertEqual(full - compact, 20 * 4 * e.output.count, "a pair in half precision takes 4 bytes a value, not 8")
        let roomy = try e.plan(output: e.output, iterations: 20, budget: full)
        XCTAssertEqual([roomy.tiles, roomy.historySize], [1, 20])
        XCTAssertFalse(roomy.compactHistory)
        let short = try e.plan(output: e.output, iterations: 20, budget: full - 1)
        XCTAssertEqual([short.tiles, short.historySize], [1, 20], short.summary)
        XCTAssertTrue(short.compactHistory)
        XCTAssertTrue(short.summary.contains("20 L-BFGS pairs in half precision"), short.summary)
        // Short of the whole picture even in half precision: affordable tiles (two columns, 1.4× the pixels) keep
        // every pair.
        let shorter = try e.plan(output: e.output, iterations: 20, budget: compact - 1)
        XCTAssertEqual([shorter.tiles, shorter.historySize], [2, 20], shorter.summary)
        XCTAssertLessThanOrEqual(shorter.overhead, 2.0, "affordable: " + shorter.summary)
    }

    func testARunThatCannotFitEvenInSmallTilesIsRefusedWithTheBudgetItNeedsAndASizeThatFits() throws {
        var recipe = Recipe()
        recipe.size = 4096
        let budget = 600 << 20
        let e = try estimator(recipe)
        XCTAssertNoThrow(try e.finalPlan(budget: nil))
        var named: Int?
        XCTAssertThrowsError(try e.finalPlan(budget: budget)) { error in
            guard case let .tooLarge(needed, available, size, fitting?)? = error as? MemoryEstimateError else { return XCTFail("\(error)") }
            named = needed
            XCTAssertEqual([available, size], [budget, 4096])
            XCTAssertGreaterThan(needed, budget)
            XCTAssertLessThan(fitting, 4096)
            XCTAssertTrue("\(error)".contains("use --size \(fitting) or less"), "\(error)")
            XCTAssertTrue("\(error)".contains("raise --max-memory to "), "\(error)")
        }
        let needed = try XCTUnwrap(named)
        XCTAssertNoThrow(try e.finalPlan(budget: needed), "the budget the message names is enough")
    }

    func testAPictureKeepsToTheWorkingSetUnlessItNeedsMoreOrLessIsAvailable() throws {
        var recipe = Recipe()
        let plenty = 24 << 30
        for (size, tiled) in [(512, false), (2048, true)] {
            recipe.size = size
            let e = try estimator(recipe)
            XCTAssertEqual(e.defaultBudget(available: plenty), MemoryEstimate.workingSet, "\(size) px")
            let plan = try e.finalPlan(budget: e.defaultBudget(available: plenty))
            XCTAssertLessThanOrEqual(plan.bytes, MemoryEstimate.workingSet, plan.summary)
            XCTAssertEqual(plan.tiles > 1, tiled, plan.summary)
            XCTAssertEqual(e.defaultBudget(available: 1 << 30), 1 << 30, "never more than is available")
        }
        // A 16 MP print needs more than the working set in affordable tiles: it gets just what they need, not the
        // less that tiles of many times the pixels would.
        recipe.size = 4096
        let e = try estimator(recipe)
        let budget = e.defaultBudget(available: plenty)
        XCTAssertGreaterThan(budget, MemoryEstimate.workingSet)
        let plan = try e.finalPlan(budget: budget)
        XCTAssertLessThanOrEqual(plan.overhead, 2.0, plan.summary)
        let least = e.leastBytes(output: e.output, iterations: 60)
        XCTAssertLessThan(least, budget)
        XCTAssertNoThrow(try e.finalPlan(budget: least))
        XCTAssertThrowsError(try e.finalPlan(budget: least - 1))
    }
}
