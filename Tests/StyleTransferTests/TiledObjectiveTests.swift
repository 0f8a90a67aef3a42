import Models
import StyleTransfer
import TensorCore
import Weights
import XCTest

/// Tiled evaluation is exact: at 512 px in 128 px tiles the loss and gradient equal the whole picture's.
final class TiledObjectiveTests: XCTestCase {
    /// Smooth shapes and a little texture, so every layer has something to say.
    private func picture(height: Int, width: Int, phase: Float) -> Tensor {
        let t = Tensor(channels: 3, height: height, width: width)
        for c in 0..<3 {
            for y in 0..<height {
                for x in 0..<width {
                    let u = Float(x) / Float(width), v = Float(y) / Float(height)
                    let wave = sin(17 * u + 11 * v + phase + Float(c)) * 0.25 + sin(Float(x * 7 + y * 3 + c) * 0.9 + phase) * 0.1
                    t[c, y, x] = min(1, max(0, 0.5 + wave + (c == 1 ? 0.2 * v : 0.2 * u) - 0.1))
                }
            }
        }
        return t
    }

    /// Diagonal coloured stripes: a style far from the content, so the Gram differences the gradient scales by are
    /// large next to the rounding of the Grams' float sums (196,608 products each at relu1_1).
    private func stripes(height: Int, width: Int) -> Tensor {
        let t = Tensor(channels: 3, height: height, width: width)
        for y in 0..<height {
            for x in 0..<width {
                let on: Float = ((x + 2 * y) / 9) % 2 == 0 ? 1 : 0
                t[0, y, x] = 0.9 * on
                t[1, y, x] = 0.2 + 0.5 * (1 - on)
                t[2, y, x] = 0.1 + 0.3 * Float(y) / Float(height)
            }
        }
        return t
    }

    /// A pixel term that weighs pixels unevenly (frame mode's temporal term is one): it sees the whole picture.
    private final class Weighted: PixelTerm {
        let name = "weighted"
        func evaluate(_ image: Tensor, gradient: Tensor) -> Double {
            var sum = 0.0
            for i in 0..<image.count where i % 3 == 0 {
                sum += Double(image.data[i] * image.data[i])
                gradient.data[i] += 2 * image.data[i]
            }
            return sum
        }
    }

    private func check(_ network: FeatureNetwork, recipe: Recipe, guidance: Guidance = Guidance(),
                       file: StaticString = #filePath, line: UInt = #line) throws {
        let shape = Shape(channels: 3, height: 384, width: 512)
        let content = picture(height: 384, width: 512, phase: 0)
        let styles = [stripes(height: 300, width: 420), picture(height: 256, width: 256, phase: 2)].prefix(max(1, guidance.styleMasks.count))
        let image = picture(height: 384, width: 512, phase: 1)
        let whole = try Objective(network: network, recipe: recipe, shape: shape, content: content, styles: Array(styles), guidance: guidance)
        let tiled = try Objective(network: network, recipe: recipe, shape: shape, content: content, styles: Array(styles),
                                  tileSize: TilePlan.Size(side: 128), guidance: guidance)
        XCTAssertEqual(whole.tiles.tiles.count, 1, file: file, line: line)
        XCTAssertGreaterThanOrEqual(tiled.tiles.tiles.count, 4, file: file, line: line)
        for objective in [whole, tiled] { objective.pixelTerms = [Weighted()] }
        let g1 = Tensor(shape), g2 = Tensor(shape)
        let l1 = try whole.evaluate(image, gradient: g1)
        let l2 = try tiled.evaluate(image, gradient: g2)
        let terms = [(l1.total, l2.total, "total"), (l1.content, l2.content, "content")] + (recipe.styleWeight > 0 ? [(l1.style, l2.style, "style")] : [])
        for (a, b, term) in terms {
            XCTAssertGreaterThan(abs(a), 0, term, file: file, line: line)
            XCTAssertLessThanOrEqual(abs(a - b) / abs(a), 1e-5, "\(term): \(a) whole, \(b) tiled", file: file, line: line)
        }
        // A tile's features are the whole picture's bit for bit (the Winograd kernel rounds the same wherever a pixel
        // falls), so every ReLU and max-pool routes the gradient the same way; only the order of the sums over
        // tiles (Grams, overlapping windows' gradients) differs.
        var norm = 0.0, error = 0.0, largest: Float = 0, peak: Float = 0
        for i in 0..<shape.count {
            norm += Double(g1.data[i] * g1.data[i])
            error += Double((g1.data[i] - g2.data[i]) * (g1.data[i] - g2.data[i]))
            largest = max(largest, abs(g1.data[i] - g2.data[i]))
            peak = max(peak, abs(g1.data[i]))
        }
        XCTAssertGreaterThan(norm, 0, file: file, line: line)
        XCTAssertLessThanOrEqual((error / norm).squareRoot(), 1e-5, "‖Δg‖/‖g‖; largest difference \(largest)", file: file, line: line)
        // The largest single difference is rounding where G − A is small next to G (paper normalisation, relu5_2): a
        // Winograd output is rounded from its whole 6×6 input tile, so values a few positions inside a window's margin
        // differ from the picture's in the last bits, and OpenBLAS's rounding of the Grams' gradients depends on its CPU
        // kernel: 9.6e-6 of the peak with Haswell's, 1.01e-5 with SkylakeX's. (Grams summed from exact products left
        // it unchanged.) A tile in the wrong place or a lost overlap gives differences of the order of the peak.
        XCTAssertLessThanOrEqual(largest / peak, 3e-5, "largest difference \(largest) of \(peak)", file: file, line: line)
        print("tiled vs whole (\(network.name), \(tiled.tiles.tiles.count) tiles): loss \(abs(l1.total - l2.total) / l1.total), "
              + "gradient ‖Δg‖/‖g‖ \((error / norm).squareRoot()), largest |Δg| \(largest)")
        // A second evaluation reuses the tiles' buffers and gives the same answer.
        let g3 = Tensor(shape)
        XCTAssertEqual(try tiled.evaluate(image, gradient: g3).total, l2.total, file: file, line: line)
        XCTAssertEqual(g3.values, g2.values, file: file, line: line)
    }

    private func recipe(_ architecture: Architecture) -> Recipe {
        var r = Recipe()
        r.contentLayers = architecture.defaultContentLayers
        r.styleLayers = architecture.defaultStyleLayers
        return r
    }

    func testVGG16WithItsRealWeightsMaxAndAveragePooling() throws {
        _ = try BLAS.load()
        let weights = try ModelStore().load("vgg16").weights  // Scripts/test.sh installs vgg16
        for pooling in Pooling.allCases {
            try check(try Architecture.vgg16.makeNetwork(weights: weights, pooling: pooling), recipe: recipe(.vgg16))
        }
    }

    func testVGG19MaxAndAveragePooling() throws {
        _ = try BLAS.load()
        let weights = Architecture.vgg19.randomWeights(seed: 3)  // the real VGG19 file cannot be had here; values do not matter
        for pooling in Pooling.allCases {
            try check(try Architecture.vgg19.makeNetwork(weights: weights, pooling: pooling), recipe: recipe(.vgg19))
        }
    }

    func testPaperNormalizationAndAContentLayerDeeperThanTheStyles() throws {
        _ = try BLAS.load()
        var r = recipe(.vgg16)
        r.normalization = .paper
        r.contentLayers = ["relu5_2"]
        r.styleLayers = ["relu1_1", "relu3_1"]
        try check(try Architecture.vgg16.makeNetwork(weights: Architecture.vgg16.randomWeights(seed: 5)), recipe: r)
    }

    /// Reconstruction: no style layers, so pass 1 runs only the tile pass 2 starts from.
    func testContentAlone() throws {
        _ = try BLAS.load()
        var r = recipe(.vgg16)
        r.styleWeight = 0
        try check(try Architecture.vgg16.makeNetwork(weights: Architecture.vgg16.randomWeights(seed: 7)), recipe: r)
    }

    /// Style masks for two styles (soft-edged, leaving a third region uncovered) and a content mask; the W2 loss;
    /// a picture that wraps around (its tiles' windows then wrap too).
    func testMasksW2AndWrapping() throws {
        _ = try BLAS.load()
        let network = try Architecture.vgg16.makeNetwork(weights: ModelStore().load("vgg16").weights)
        let left = Tensor(channels: 1, height: 384, width: 512), right = Tensor(channels: 1, height: 384, width: 512)
        let contentMask = Tensor(channels: 1, height: 384, width: 512)
        for y in 0..<384 {
            for x in 0..<512 {
                left.data[y * 512 + x] = min(max(Float(300 - x) / 80, 0), 1)
                right.data[y * 512 + x] = min(max(Float(x - 280) / 80, 0), 1) * (y < 300 ? 1 : 0.3)
                contentMask.data[y * 512 + x] = Float(y) / 383
            }
        }
        let guidance = Guidance(styleMasks: [0: left, 1: right], contentMask: contentMask)
        for loss in StyleLoss.allCases {
            var r = recipe(.vgg16)
            r.styleLoss = loss
            try check(network, recipe: r, guidance: guidance)
        }
        var r = recipe(.vgg16)
        r.tileable = true
        try check(network, recipe: r)
    }

    func testTilesPartitionThePictureOnAlignedBordersWithFullMargins() throws {
        let field = try XCTUnwrap(Architecture.vgg16.receptiveField(taps: ["relu1_1", "relu5_1"]))
        XCTAssertEqual(field.alignment, 64, "conv5_1's Winograd tiles: 4 positions of 16 px")
        XCTAssertEqual(field.left, 58, "conv1_1 … conv5_1 at strides 1 … 16")
        XCTAssertEqual(field.right, 73, "and the pools 1 + 2 + 4 + 8 px more to the right")
        XCTAssertEqual(field.leadingMargin, 64)
        let shape = Shape(channels: 3, height: 708, width: 1021)
        let plan = TilePlan(shape, size: TilePlan.Size(side: 200), field: field)
        var owned = [Int](repeating: 0, count: shape.planeSize)
        for tile in plan.tiles {
            XCTAssertEqual(tile.window.height, plan.window.height)
            XCTAssertEqual(tile.window.width, plan.window.width)
            XCTAssertEqual(tile.window.y0 % 64, 0)
            XCTAssertEqual(tile.window.x0 % 64, 0)
            XCTAssertTrue(tile.interior.y0 == 0 || tile.interior.y0 - tile.window.y0 >= 58, "\(tile)")
            XCTAssertTrue(tile.interior.x0 == 0 || tile.interior.x0 - tile.window.x0 >= 58, "\(tile)")
            XCTAssertTrue(tile.window.y1 == shape.height || tile.window.y1 - tile.interior.y1 >= 73, "\(tile)")
            XCTAssertTrue(tile.window.x1 == shape.width || tile.window.x1 - tile.interior.x1 >= 73, "\(tile)")
            for y in tile.interior.y0..<tile.interior.y1 { for x in tile.interior.x0..<tile.interior.x1 { owned[y * shape.width + x] += 1 } }
        }
        XCTAssertEqual(Set(owned), [1], "every pixel belongs to exactly one interior")
        XCTAssertEqual(TilePlan(Shape(channels: 3, height: 100, width: 120), size: TilePlan.Size(side: 200), field: field).tiles.count, 1)
    }
}
