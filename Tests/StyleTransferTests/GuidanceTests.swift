import Models
import StyleTransfer
import TensorCore
import Weights
import XCTest

/// Style masks (guided Grams) and the content mask: gradients against finite differences, and a run with two styles
/// on two halves judged by Grams computed here, apart from the objective's own.
final class GuidanceTests: XCTestCase {
    /// A soft mask: 1 on the left, 0 on the right, a ramp of `soft` columns between.
    static func leftMask(height: Int, width: Int, soft: Int = 0) -> Tensor {
        let t = Tensor(channels: 1, height: height, width: width)
        for y in 0..<height {
            for x in 0..<width {
                let edge = Float(width) / 2, ramp = Float(max(soft, 1))
                t.data[y * width + x] = min(max((edge + ramp / 2 - Float(x) - 0.5) / ramp, 0), 1)
            }
        }
        return t
    }

    static func invert(_ t: Tensor) -> Tensor {
        let out = Tensor(t.shape)
        for i in 0..<t.count { out.data[i] = 1 - t.data[i] }
        return out
    }

    func testMaskedGradientsMatchFiniteDifferences() throws {
        _ = try BLAS.load()
        let network = try Architecture.vgg16.makeNetwork(weights: Architecture.vgg16.randomWeights(seed: 5), pooling: .avg)
        var rng = TestRandom(seed: 31)
        let content = rng.image(height: 32, width: 40)
        let styles = [rng.image(height: 36, width: 36), rng.image(height: 30, width: 44)]
        // Masks at another size than the output, one soft; the first covers the left part, the second less than the
        // right part, so a third region (the uncovered rest, with both styles blended) exists too.
        let left = Self.leftMask(height: 20, width: 24, soft: 6)
        let right = Self.invert(left)
        for i in 0..<right.count where i % 24 < 20 { right.data[i] *= 0.5 }
        let contentMask = Tensor(channels: 1, height: 16, width: 20)
        for i in 0..<contentMask.count { contentMask.data[i] = Float(i % 20) / 19 }
        let guidance = Guidance(styleMasks: [0: left, 1: right], contentMask: contentMask)
        for (loss, normalization) in [(StyleLoss.gram, Normalization.mean), (.gram, .paper), (.w2, .mean)] {
            var r = Recipe()
            r.styleLoss = loss
            r.normalization = normalization
            r.contentLayers = ["relu3_1"]
            r.styleLayers = ["relu1_1", "conv2_1", "relu3_1"]
            r.styleLayerWeights = [1, 2, 3]
            r.styleBlend = [1, 3]
            r.styleWeight = normalization == .paper ? 1e-3 : loss == .w2 ? 1e6 : 1e3
            try checkObjectiveGradient(r, content: content, styles: styles, network: network, height: 32, width: 40,
                                       step: 2e-3, guidance: guidance.resized(height: 32, width: 40))
        }
    }

    /// An all-white mask on the only style is the plain objective: the same loss and gradient.
    func testAWhiteMaskIsThePlainObjective() throws {
        _ = try BLAS.load()
        let network = try Architecture.vgg16.makeNetwork(weights: Architecture.vgg16.randomWeights(seed: 2))
        var rng = TestRandom(seed: 4)
        let content = rng.image(height: 40, width: 48), style = rng.image(height: 40, width: 40), image = rng.image(height: 40, width: 48)
        let white = Tensor(channels: 1, height: 40, width: 48)
        white.fill(1)
        for loss in StyleLoss.allCases {
            var r = Recipe()
            r.styleLoss = loss
            let plain = try Objective(network: network, recipe: r, shape: image.shape, content: content, styles: [style])
            let masked = try Objective(network: network, recipe: r, shape: image.shape, content: content, styles: [style],
                                       guidance: Guidance(styleMasks: [0: white], contentMask: white))
            let g1 = Tensor(image.shape), g2 = Tensor(image.shape)
            let l1 = try plain.evaluate(image, gradient: g1), l2 = try masked.evaluate(image, gradient: g2)
            XCTAssertEqual(l2.total, l1.total, accuracy: 1e-5 * l1.total, "\(loss)")
            let peak = g1.values.map(abs).max()!
            XCTAssertGreaterThan(peak, 0)
            for i in 0..<image.count { XCTAssertEqual(g2.data[i], g1.data[i], accuracy: 1e-4 * peak, "\(loss) at \(i)") }
        }
    }

    /// Two styles on two halves: each half of the result, seen alone by the network, has Grams closer to its own
    /// style's than to the other's, by a clear margin.
    func testTwoStylesOnTwoHalves() throws {
        _ = try BLAS.load()
        let network = try Architecture.vgg16.makeNetwork(weights: ModelStore().load("vgg16").weights)  // Scripts/test.sh installs it
        let size = 96
        let content = Tensor(channels: 3, height: size, width: size)
        for y in 0..<size { for x in 0..<size { for c in 0..<3 { content[c, y, x] = 0.3 + 0.4 * Float(x + y) / Float(2 * size) } } }
        let stripes = Tensor(channels: 3, height: 64, width: 64), dots = Tensor(channels: 3, height: 64, width: 64)
        for y in 0..<64 {
            for x in 0..<64 {
                let stripe: Float = ((x + y) / 5) % 2 == 0 ? 1 : 0
                (stripes[0, y, x], stripes[1, y, x], stripes[2, y, x]) = (0.9 * stripe, 0.1, 0.2 + 0.3 * (1 - stripe))
                let dot: Float = (x % 12 - 6) * (x % 12 - 6) + (y % 12 - 6) * (y % 12 - 6) < 10 ? 1 : 0
                (dots[0, y, x], dots[1, y, x], dots[2, y, x]) = (0.1, 0.3 + 0.6 * dot, 0.8 - 0.5 * dot)
            }
        }
        var r = Recipe()
        r.size = size
        r.scales = 1
        r.iterations = 150
        r.contentWeight = 0.01
        let left = Self.leftMask(height: size, width: size)
        let engine = try Engine(network: network, recipe: r, content: content, styles: [stripes, dots], initialization: .content,
                                guidance: Guidance(styleMasks: [0: left, 1: Self.invert(left)]))
        let targets = try [stripes, dots].map { try grams(network, $0, r.styleLayers) }
        for (i, separated) in try halves(engine.run().image, network, r.styleLayers, targets).enumerated() {
            XCTAssertTrue(separated, "half \(i) is not clearly its own style's")
        }
        // The control: the two styles blended everywhere, no half is clearly one of them.
        let blended = try Engine(network: network, recipe: r, content: content, styles: [stripes, dots], initialization: .content)
        XCTAssertFalse(try halves(blended.run().image, network, r.styleLayers, targets).allSatisfy { $0 })
    }

    /// Whether each half of `result` (cut a little inside, so neither sees the other's strokes across the border) has
    /// Grams less than half as far from its own style's as from the other's.
    private func halves(_ result: Tensor, _ network: FeatureNetwork, _ layers: [String], _ targets: [[[Double]]]) throws -> [Bool] {
        let half = result.shape.width / 2, margin = 8
        let pictures = [crop(result, x0: 0, width: half - margin), crop(result, x0: half + margin, width: half - margin)]
        return try pictures.enumerated().map { i, picture in
            let g = try grams(network, picture, layers)
            let own = distance(g, targets[i]), other = distance(g, targets[1 - i])
            print("half \(i): Gram distance to its own style \(own), to the other \(other)")
            return own < 0.5 * other
        }
    }

    private func crop(_ t: Tensor, x0: Int, width: Int) -> Tensor {
        let out = Tensor(channels: 3, height: t.shape.height, width: width)
        for c in 0..<3 { for y in 0..<t.shape.height { for x in 0..<width { out[c, y, x] = t[c, y, x0 + x] } } }
        return out
    }

    /// Grams F·Fᵀ/(C·M) per layer by plain loops (not the objective's BLAS path).
    private func grams(_ network: FeatureNetwork, _ image: Tensor, _ layers: [String]) throws -> [[Double]] {
        let features = try network.forward(image, taps: Set(layers))
        return layers.map { name in
            let f = features[name]!, c = f.shape.channels, m = f.shape.planeSize
            var g = [Double](repeating: 0, count: c * c)
            for i in 0..<c {
                for j in i..<c {
                    var sum = 0.0
                    for p in 0..<m { sum += Double(f.data[i * m + p]) * Double(f.data[j * m + p]) }
                    (g[i * c + j], g[j * c + i]) = (sum / Double(c * m), sum / Double(c * m))
                }
            }
            return g
        }
    }

    /// Σ over layers of the relative squared difference ‖G − A‖²/‖A‖².
    private func distance(_ g: [[Double]], _ a: [[Double]]) -> Double {
        zip(g, a).reduce(0) { total, pair in
            let (g, a) = pair
            let d = zip(g, a).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }, n = a.reduce(0.0) { $0 + $1 * $1 }
            return total + d / max(n, 1e-30)
        }
    }
}

extension Guidance {
    /// Every mask resized to `height`×`width` (the objective takes them at the output's size).
    func resized(height: Int, width: Int) -> Guidance {
        func fit(_ t: Tensor) -> Tensor { TensorResize.resize(t, height: height, width: width, filter: .bilinear) }
        return Guidance(styleMasks: styleMasks.mapValues(fit), contentMask: contentMask.map(fit))
    }
}
