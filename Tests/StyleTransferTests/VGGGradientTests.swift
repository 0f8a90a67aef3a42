import Models
import StyleTransfer
import TensorCore
import XCTest

/// The objective's gradient through a random-weight VGG16 (the real layer kernels) against finite
/// differences, at a small size.
final class VGGGradientTests: XCTestCase {
    func testAllTermsThroughVGG16() throws {
        _ = try BLAS.load()
        let network = try Architecture.vgg16.makeNetwork(weights: Architecture.vgg16.randomWeights(seed: 5), pooling: .avg)
        var rng = TestRandom(seed: 21)
        for normalization in Normalization.allCases {
            var r = Recipe()
            r.normalization = normalization
            r.contentLayers = ["relu3_1", "conv4_2"]
            r.styleLayers = ["relu1_1", "conv2_1", "relu3_1", "relu4_1"]
            r.styleLayerWeights = [1, 2, 3, 4]
            r.contentWeight = 1
            r.styleWeight = normalization == .mean ? 1e3 : 1e-3
            r.tvWeight = 0.1
            try checkObjectiveGradient(
                r, content: rng.image(height: 32, width: 40), styles: [rng.image(height: 36, width: 36)],
                network: network, height: 32, width: 40, step: 2e-3)
        }
    }
}
