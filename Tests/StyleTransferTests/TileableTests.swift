import Models
import StyleTransfer
import TensorCore
import XCTest

/// `tileable`: the network sees the picture wrapped around. Its gradient against finite differences, and its loss
/// unchanged by a circular shift (a picture on a torus has no edge). `CLITests.TileableTests` tiles a texture.
final class TileableTests: XCTestCase {
    private func recipe() -> Recipe {
        var r = Recipe()
        r.tileable = true
        r.contentLayers = ["relu3_1"]
        r.styleLayers = ["relu1_1", "relu2_1", "relu3_1", "relu4_1"]
        r.tvWeight = 0.5
        return r
    }

    func testWrappedGradientMatchesFiniteDifferences() throws {
        _ = try BLAS.load()
        let network = try Architecture.vgg16.makeNetwork(weights: Architecture.vgg16.randomWeights(seed: 5), pooling: .avg)
        var rng = TestRandom(seed: 8)
        var r = recipe()
        r.styleWeight = 1e3
        try checkObjectiveGradient(r, content: rng.image(height: 32, width: 48), styles: [rng.image(height: 36, width: 36)],
                                   network: network, height: 32, width: 48, step: 2e-3)
    }

    /// Rolling the picture by whole steps of the deepest layer's stride moves every feature by whole positions on
    /// the torus: the loss stays the same and the gradient rolls with the picture. Without wrapping it changes.
    func testACircularShiftLeavesTheLossAndRollsTheGradient() throws {
        _ = try BLAS.load()
        let network = try Architecture.vgg16.makeNetwork(weights: Architecture.vgg16.randomWeights(seed: 9))
        var rng = TestRandom(seed: 12)
        let style = rng.image(height: 48, width: 48), image = rng.image(height: 64, width: 96)
        var r = recipe()
        r.contentWeight = 0
        let shifted = roll(image, dy: 16, dx: 48)
        for wrap in [true, false] {
            r.tileable = wrap
            let objective = try Objective(network: network, recipe: r, shape: image.shape, content: nil, styles: [style])
            let g1 = Tensor(image.shape), g2 = Tensor(image.shape)
            let l1 = try objective.evaluate(image, gradient: g1).total, l2 = try objective.evaluate(shifted, gradient: g2).total
            let relative = abs(l1 - l2) / l1
            print("tileable \(wrap): loss \(l1) and rolled \(l2) (relative difference \(relative))")
            if wrap {
                XCTAssertLessThan(relative, 1e-5)
                let rolled = roll(g1, dy: 16, dx: 48), peak = g1.values.map(abs).max()!
                for i in 0..<image.count { XCTAssertEqual(g2.data[i], rolled.data[i], accuracy: 1e-3 * peak, "at \(i)") }
            } else {
                XCTAssertGreaterThan(relative, 1e-3, "edges make an unwrapped picture's loss depend on where it is cut")
            }
        }
    }

    private func roll(_ t: Tensor, dy: Int, dx: Int) -> Tensor {
        let out = Tensor(t.shape), h = t.shape.height, w = t.shape.width
        for c in 0..<t.shape.channels { for y in 0..<h { for x in 0..<w { out[c, (y + dy) % h, (x + dx) % w] = t[c, y, x] } } }
        return out
    }
}
