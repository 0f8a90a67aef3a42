import Models
import StyleTransfer
import TensorCore
import XCTest

/// Each term's gradient against central finite differences of the loss, through a small network.
final class ObjectiveGradientTests: XCTestCase {
    override func setUp() { _ = try? BLAS.load() }

    private func recipe(_ edit: (inout Recipe) -> Void) -> Recipe {
        var r = Recipe()
        r.contentWeight = 0
        r.styleWeight = 0
        r.tvWeight = 0
        edit(&r)
        return r
    }

    func testContentMeanAtConvAndReLUTaps() throws {
        var rng = TestRandom(seed: 1)
        let r = recipe { $0.contentWeight = 50; $0.contentLayers = ["conv1_1", "relu2_1"]; $0.normalization = .mean }
        try checkObjectiveGradient(r, content: rng.image(height: 10, width: 12), styles: [])
    }

    func testContentPaper() throws {
        var rng = TestRandom(seed: 2)
        let r = recipe { $0.contentWeight = 1; $0.contentLayers = ["relu1_1"]; $0.normalization = .paper }
        try checkObjectiveGradient(r, content: rng.image(height: 10, width: 12), styles: [])
    }

    func testStyleMeanWithLayerWeights() throws {
        var rng = TestRandom(seed: 3)
        let r = recipe {
            $0.styleWeight = 1e4
            $0.styleLayers = ["relu1_1", "pool1", "relu2_1"]
            $0.styleLayerWeights = [1e3 / 16, 0.5, 1e3 / 36]
            $0.normalization = .mean
        }
        try checkObjectiveGradient(r, content: nil, styles: [rng.image(height: 14, width: 8)])
    }

    func testStylePaperWithAStyleImageOfAnotherSize() throws {
        var rng = TestRandom(seed: 4)
        let r = recipe { $0.styleWeight = 1; $0.styleLayers = ["conv1_1", "relu2_1"]; $0.normalization = .paper }
        try checkObjectiveGradient(r, content: nil, styles: [rng.image(height: 16, width: 12)])
    }

    func testTotalVariationBothNormalizations() throws {
        for n in Normalization.allCases {
            let r = recipe { $0.tvWeight = 3; $0.normalization = n }
            try checkObjectiveGradient(r, content: nil, styles: [])
        }
    }

    func testAllTermsWithABlendOfTwoStyles() throws {
        var rng = TestRandom(seed: 5)
        let r = recipe {
            $0.contentWeight = 10
            $0.styleWeight = 1e3
            $0.tvWeight = 0.5
            $0.contentLayers = ["relu2_1"]
            $0.styleLayers = ["relu1_1", "relu2_1"]
            $0.styleBlend = [0.3, 0.7]
        }
        try checkObjectiveGradient(
            r, content: rng.image(height: 10, width: 12), styles: [rng.image(height: 8, width: 8), rng.image(height: 12, width: 10)])
    }

    func testBlendWeightsSelectAndMixStyleTargets() throws {
        // A blend of (1, 0) is the first style alone; (w, 1−w) gives the Gram target w·A₁ + (1−w)·A₂, so at an
        // image whose Gram equals A₁ the loss is (1−w)²·E(A₁ vs A₂) — quadratic in the share, not linear.
        var rng = TestRandom(seed: 6)
        let a = rng.image(height: 10, width: 12), b = rng.image(height: 10, width: 12)
        let net = TinyNetwork()
        func loss(_ blend: [Double]?, _ styles: [Tensor], at image: Tensor) throws -> Double {
            let r = recipe { $0.styleWeight = 1; $0.styleLayers = ["relu1_1"]; $0.styleBlend = blend }
            let o = try Objective(network: net, recipe: r, shape: image.shape, content: nil, styles: styles)
            return try o.evaluate(image, gradient: Tensor(image.shape)).total
        }
        let probe = rng.image(height: 10, width: 12)
        XCTAssertEqual(try loss([1, 0], [a, b], at: probe), try loss(nil, [a], at: probe), accuracy: 1e-9)
        XCTAssertEqual(try loss(nil, [a], at: a), 0, accuracy: 1e-12)
        let full = try loss([0, 1], [a, b], at: a)
        XCTAssertGreaterThan(full, 0)
        XCTAssertEqual(try loss([0.75, 0.25], [a, b], at: a), full / 16, accuracy: full * 1e-3)
    }

    func testGramMatchesANaiveProduct() throws {
        var rng = TestRandom(seed: 7)
        let f = rng.image(height: 5, width: 4)
        var g = [Float](repeating: 0, count: 9)
        g.withUnsafeMutableBufferPointer { Gram.forward(f, scale: 0.5, into: $0.baseAddress!) }
        for i in 0..<3 {
            for j in 0..<3 {
                var s: Float = 0
                for p in 0..<20 { s += f.data[i * 20 + p] * f.data[j * 20 + p] }
                XCTAssertEqual(g[i * 3 + j], 0.5 * s, accuracy: 1e-5)
            }
        }
    }

    func testUnknownLayerIsATypedError() {
        let r = recipe { $0.contentWeight = 1; $0.contentLayers = ["relu9_9"] }
        XCTAssertThrowsError(try Objective(network: TinyNetwork(), recipe: r, shape: Shape(channels: 3, height: 4, width: 4),
                                           content: Tensor(channels: 3, height: 4, width: 4), styles: [])) { error in
            guard case EngineError.unknownLayer("relu9_9", _, _) = error else { return XCTFail("\(error)") }
        }
    }
}
