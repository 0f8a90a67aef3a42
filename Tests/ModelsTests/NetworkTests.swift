import Layers
import Models
import TensorCore
import XCTest

final class NetworkTests: XCTestCase {
    override func setUp() { _ = try? BLAS.load() }

    private func image(_ h: Int, _ w: Int, seed: UInt64 = 7) -> Tensor {
        var state = seed
        let t = Tensor(channels: 3, height: h, width: w)
        for i in 0..<t.count {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            t.data[i] = Float(state >> 40) / Float(1 << 24)
        }
        return t
    }

    private func relativeError(_ a: [Double], _ b: [Double]) -> Double {
        var diff = 0.0, scale = 0.0
        for i in 0..<a.count { diff = max(diff, abs(a[i] - b[i])); scale = max(scale, abs(b[i])) }
        return diff / max(scale, 1e-30)
    }

    /// Random weights with random biases too (He-initialised ones have none). Sorted: dictionary order changes from
    /// run to run, and the data must not (a max-pool window whose top two values differ by less than Float's
    /// rounding may route the gradient elsewhere than the Double reference).
    private func weightsWithBiases(_ architecture: Architecture) -> WeightSet {
        var weights = architecture.randomWeights(seed: 3)
        var state: UInt64 = 11
        for key in weights.keys.sorted() where key.hasSuffix(".bias") {
            let array = weights[key]!
            weights[key] = WeightArray(shape: array.shape, values: array.values.map { _ in
                state = state &* 6364136223846793005 &+ 1442695040888963407
                return Float(Int(state >> 33) % 1000 - 500) / 2000
            })
        }
        return weights
    }

    /// The network's taps and its input gradient from gradients at all of them at once, against a reference's
    /// stage outputs (`forward`, by stage) and input gradient (`backward`, from gradients by stage).
    private func checkAgainstReference(
        _ network: FeatureNetwork, image x: Tensor, taps: [String], label: String,
        forward: () -> [(shape: Shape, values: [Double])], backward: ([Int: [Double]]) -> [Double]
    ) throws {
        let outputs = forward()
        let result = try network.forward(x, taps: Set(taps))
        var gradients: [String: Tensor] = [:], referenceGradients: [Int: [Double]] = [:]
        for (n, tap) in taps.enumerated() {
            let index = tap.hasPrefix("features.") ? Int(tap.dropFirst(9))! : network.layerNames.firstIndex(of: tap)!
            let got = try XCTUnwrap(result[tap], tap)
            XCTAssertEqual(got.shape, outputs[index].shape, "\(label) \(tap)")
            XCTAssertLessThan(relativeError(got.values.map(Double.init), outputs[index].values), 1e-4, "\(label) forward \(tap)")
            let g = Tensor(got.shape)
            for i in 0..<g.count { g.data[i] = Float(sin(Double(i * (n + 3)) * 0.37)) }
            gradients[tap] = g
            referenceGradients[index] = zip(referenceGradients[index] ?? [Double](repeating: 0, count: g.count), g.values).map { $0 + Double($1) }
        }
        let dx = network.backward(gradients)
        XCTAssertLessThan(relativeError(dx.values.map(Double.init), backward(referenceGradients)), 1e-4, "\(label) input gradient")
    }

    /// VGG16 against the naive Double reference: taps at several depths, conv and its ReLU tapped together, and the
    /// input gradient from several taps at once, for both poolings.
    func testVGGForwardAndInputGradientMatchANaiveReference() throws {
        let weights = weightsWithBiases(.vgg16)
        for pooling in Pooling.allCases {
            let network = try Architecture.vgg16.makeNetwork(weights: weights, pooling: pooling)
            let x = image(20, 24), reference = NaiveNetwork(vgg16: weights, stages: 23, avgPool: pooling == .avg)
            let outputs = reference.forward(x)
            try checkAgainstReference(
                network, image: x, taps: ["conv1_1", "relu1_1", "pool2", "relu3_2", "features.19", "conv4_3"], label: "vgg16 \(pooling)",
                forward: { outputs.map { (Shape(channels: $0.c, height: $0.h, width: $0.w), $0.v) } },
                backward: { reference.backward(x, outputs: outputs, gradients: $0) })
            XCTAssertTrue(try network.forward(x, taps: ["conv1_1"])["conv1_1"]!.values.contains { $0 < 0 }, "conv1_1 must keep its negative values")
        }
    }

    /// AlexNet and SqueezeNet likewise: their strided and 11×11 convolutions, overlapping 3×3 pools (floor and ceil
    /// mode) and fire modules, tapped inside and at the end, for both poolings.
    func testAlexNetAndSqueezeNetMatchANaiveReference() throws {
        let cases: [(Architecture, [String], (WeightSet, Bool) -> NaiveNetwork)] = [
            (.alexnet, ["conv1", "relu1", "pool1", "conv2", "pool2", "relu4", "pool5"], { NaiveNetwork(alexnet: $0, avgPool: $1) }),
            (.squeezenet1_1, ["conv1", "pool1", "fire2", "fire3", "pool3", "features.7", "pool5", "fire9"], { NaiveNetwork(squeezenet: $0, avgPool: $1) }),
        ]
        for (architecture, taps, makeReference) in cases {
            let weights = weightsWithBiases(architecture)
            for pooling in Pooling.allCases {
                let network = try architecture.makeNetwork(weights: weights, pooling: pooling)
                let x = image(75, 67), reference = makeReference(weights, pooling == .avg)
                let outputs = reference.forward(x)
                try checkAgainstReference(
                    network, image: x, taps: taps, label: "\(architecture) \(pooling)",
                    forward: { outputs.map { (Shape(channels: $0.c, height: $0.h, width: $0.w), $0.v) } },
                    backward: { reference.backward(x, outputs: outputs, gradients: $0) })
            }
        }
    }

    /// The pre-ReLU copy of a tapped convolution is planned per call: tapping conv1_1 only on a later call at the
    /// same size must still return its negative values, not the ReLU'd tensor.
    func testConvTapAddedOnALaterCallKeepsItsNegativeValues() throws {
        let network = try Architecture.vgg16.makeNetwork(weights: Architecture.vgg16.randomWeights(seed: 5))
        let x = image(24, 20)
        let first = try network.forward(x, taps: ["relu1_1", "relu1_2"])
        XCTAssertFalse(first["relu1_1"]!.values.contains { $0 < 0 })
        let second = try network.forward(x, taps: ["conv1_1", "relu1_1", "conv1_2"])
        let conv = second["conv1_1"]!.values, relu = second["relu1_1"]!.values
        XCTAssertTrue(conv.contains { $0 < 0 }, "conv1_1 must keep its negative values")
        XCTAssertEqual(relu, conv.map { max($0, 0) })
        XCTAssertTrue(second["conv1_2"]!.values.contains { $0 < 0 }, "conv1_2 must keep its negative values")
        let third = try network.forward(x, taps: ["relu1_1"])
        XCTAssertEqual(third["relu1_1"]!.values, relu)
    }

    /// Direct-convolution FLOPs by hand: conv1_1 (3→64, 3×3, 10×10 out) then conv1_2 (64→64); the backward
    /// counts every convolution, the first included, since the pixels' gradient is needed.
    func testConvolutionFLOPsCountEveryConvolutionBothWays() throws {
        let first = 2.0 * 3 * 64 * 9 * 100, second = 2.0 * 64 * 64 * 9 * 100
        let one = try XCTUnwrap(Architecture.vgg16.convolutionFLOPs(through: "relu1_1", width: 10, height: 10))
        XCTAssertEqual(one.forward, first)
        XCTAssertEqual(one.backward, first)
        let two = try XCTUnwrap(Architecture.vgg16.convolutionFLOPs(through: "conv1_2", width: 10, height: 10))
        XCTAssertEqual(two.forward, first + second)
        XCTAssertEqual(two.backward, first + second)
        XCTAssertNil(Architecture.vgg16.convolutionFLOPs(through: "conv9_9", width: 10, height: 10))
    }

    /// Forward and backward are deterministic: the cores never share an output, so any race would show here.
    func testRepeatedEvaluationsAreBitwiseIdentical() throws {
        let network = try Architecture.vgg16.makeNetwork(weights: Architecture.vgg16.randomWeights(seed: 4))
        let x = image(40, 36), taps: Set = ["relu1_2", "pool2", "relu3_3", "conv4_3"]
        func evaluate() throws -> ([Float], [Float]) {
            let out = try network.forward(x, taps: taps)
            var gradients: [String: Tensor] = [:]
            for tap in taps {
                let g = Tensor(out[tap]!.shape)
                for i in 0..<g.count { g.data[i] = Float(sin(Double(i) * 0.9)) }
                gradients[tap] = g
            }
            return (out["conv4_3"]!.values, network.backward(gradients).values)
        }
        let first = try evaluate()
        for _ in 0..<12 {
            let again = try evaluate()
            XCTAssertEqual(again.0, first.0, "forward")
            XCTAssertEqual(again.1, first.1, "backward")
        }
    }

    func testVGG16TapNamesAndShapesAt32() throws {
        let network = try Architecture.vgg16.makeNetwork(weights: Architecture.vgg16.randomWeights(seed: 1))
        XCTAssertEqual(network.name, "vgg16")
        XCTAssertEqual(network.layerNames.count, 31)
        XCTAssertEqual(Array(network.layerNames.prefix(5)), ["conv1_1", "relu1_1", "conv1_2", "relu1_2", "pool1"])
        XCTAssertEqual(network.layerNames.last, "pool5")
        let aliases = (0..<31).map { "features.\($0)" }
        let taps = try network.forward(image(32, 32), taps: Set(network.layerNames + aliases))
        var side = 32, channels = 64
        for (i, name) in network.layerNames.enumerated() {
            if name.hasPrefix("pool") { side /= 2 }
            if name.hasPrefix("conv") { channels = [64, 128, 256, 512, 512][Int(String(name.dropFirst(4).first!))! - 1] }
            let t = try XCTUnwrap(taps[name], name)
            XCTAssertEqual(t.shape, Shape(channels: channels, height: side, width: side), name)
            XCTAssertEqual(taps["features.\(i)"]!.values, t.values, "features.\(i) is \(name)")
            XCTAssertTrue(t.values.allSatisfy { $0.isFinite }, name)
        }
    }

    func testVGG19LayoutAndInference() throws {
        let weights = Architecture.vgg19.randomWeights(seed: 2)
        XCTAssertEqual(Architecture(inferringFrom: weights), .vgg19)
        let network = try Architecture.vgg19.makeNetwork(weights: weights, pooling: .avg)
        XCTAssertEqual(network.layerNames.count, 37)
        XCTAssertEqual(network.layerNames[34], "conv5_4")
        XCTAssertEqual(network.layerNames[35], "relu5_4")
        let taps = try network.forward(image(16, 16), taps: ["relu5_1", "features.34"])
        XCTAssertEqual(taps["relu5_1"]!.shape, Shape(channels: 512, height: 1, width: 1))
        XCTAssertEqual(taps["features.34"]!.shape, Shape(channels: 512, height: 1, width: 1))
    }

    /// Shapes follow torchvision's AlexNet (floor-mode pools) and SqueezeNet 1.1 (ceil-mode pools).
    func testAlexNetAndSqueezeNetShapes() throws {
        let alexnet = try Architecture.alexnet.makeNetwork(weights: Architecture.alexnet.randomWeights(seed: 1))
        let a = try alexnet.forward(image(64, 64), taps: ["relu1", "pool1", "conv2", "pool2", "relu5", "pool5"])
        XCTAssertEqual(a["relu1"]!.shape, Shape(channels: 64, height: 15, width: 15))
        XCTAssertEqual(a["pool1"]!.shape, Shape(channels: 64, height: 7, width: 7))
        XCTAssertEqual(a["conv2"]!.shape, Shape(channels: 192, height: 7, width: 7))
        XCTAssertEqual(a["pool2"]!.shape, Shape(channels: 192, height: 3, width: 3))
        XCTAssertEqual(a["relu5"]!.shape, Shape(channels: 256, height: 3, width: 3))
        XCTAssertEqual(a["pool5"]!.shape, Shape(channels: 256, height: 1, width: 1))

        let squeezenet = try Architecture.squeezenet1_1.makeNetwork(weights: Architecture.squeezenet1_1.randomWeights(seed: 1))
        let s = try squeezenet.forward(image(64, 64), taps: ["conv1", "pool1", "fire2", "fire3", "pool3", "fire5", "pool5", "fire9", "features.12"])
        XCTAssertEqual(s["conv1"]!.shape, Shape(channels: 64, height: 31, width: 31))
        XCTAssertEqual(s["pool1"]!.shape, Shape(channels: 64, height: 15, width: 15))
        XCTAssertEqual(s["fire2"]!.shape, Shape(channels: 128, height: 15, width: 15))
        XCTAssertEqual(s["pool3"]!.shape, Shape(channels: 128, height: 7, width: 7))
        XCTAssertEqual(s["fire5"]!.shape, Shape(channels: 256, height: 7, width: 7))
        XCTAssertEqual(s["pool5"]!.shape, Shape(channels: 256, height: 3, width: 3))
        XCTAssertEqual(s["fire9"]!.shape, Shape(channels: 512, height: 3, width: 3))
        XCTAssertEqual(s["features.12"]!.values, s["fire9"]!.values)
    }

    /// AlexNet and SqueezeNet input gradients against central differences along a random direction. Average
    /// pooling only: across a whole network some max windows switch within any usable step, so max pooling's
    /// backward is checked per layer (GradientTests) and through the VGG reference instead.
    func testAlexNetAndSqueezeNetGradientsMatchFiniteDifferences() throws {
        for (architecture, tap) in [(Architecture.alexnet, "relu4"), (.squeezenet1_1, "fire4")] {
            for pooling in [Pooling.avg] {
                let network = try architecture.makeNetwork(weights: architecture.randomWeights(seed: 9), pooling: pooling)
                let x = image(48, 40)
                let out = try network.forward(x, taps: [tap])[tap]!
                let weights = Tensor(out.shape)
                for i in 0..<weights.count { weights.data[i] = Float(cos(Double(i) * 0.71)) }
                let gradient = network.backward([tap: weights]).copy()
                let direction = (0..<x.count).map { Float(sin(Double($0) * 1.3)) }
                func loss(_ step: Float) throws -> Double {
                    let y = x.copy()
                    for i in 0..<y.count { y.data[i] += step * direction[i] }
                    let t = try network.forward(y, taps: [tap])[tap]!
                    return (0..<t.count).reduce(0.0) { $0 + Double(t.data[$1]) * Double(weights.data[$1]) }
                }
                let h: Float = 1e-3
                let numeric = (try loss(h) - loss(-h)) / Double(2 * h)
                let analytic = (0..<x.count).reduce(0.0) { $0 + Double(gradient.data[$1]) * Double(direction[$1]) }
                XCTAssertEqual(analytic, numeric, accuracy: 2e-2 * max(1, abs(numeric)), "\(architecture) \(pooling)")
            }
        }
    }

    func testBadWeightsAreNamedInTheError() {
        var weights = Architecture.vgg16.randomWeights(seed: 1)
        weights["features.2.weight"] = nil
        XCTAssertThrowsError(try Architecture.vgg16.makeNetwork(weights: weights)) {
            XCTAssertTrue("\($0)".contains("features.2.weight"), "\($0)")
        }
        weights = Architecture.vgg16.randomWeights(seed: 1)
        weights["features.5.bias"] = WeightArray(shape: [64], values: [Float](repeating: 0, count: 64))
        XCTAssertThrowsError(try Architecture.vgg16.makeNetwork(weights: weights)) {
            XCTAssertTrue("\($0)".contains("features.5.bias") && "\($0)".contains("[128]"), "\($0)")
        }
        weights = Architecture.vgg16.randomWeights(seed: 1)
        var values = weights["features.7.weight"]!.values
        values[3] = .nan
        weights["features.7.weight"] = WeightArray(shape: weights["features.7.weight"]!.shape, values: values)
        XCTAssertThrowsError(try Architecture.vgg16.makeNetwork(weights: weights)) {
            XCTAssertTrue("\($0)".contains("features.7.weight") && "\($0)".contains("NaN"), "\($0)")
        }
    }

    func testBadTapsAndImagesThrow() throws {
        let network = try Architecture.vgg16.makeNetwork(weights: Architecture.vgg16.randomWeights(seed: 1))
        XCTAssertThrowsError(try network.forward(image(32, 32), taps: ["conv6_1"])) {
            XCTAssertTrue("\($0)".contains("conv6_1"), "\($0)")
        }
        XCTAssertThrowsError(try network.forward(Tensor(channels: 1, height: 32, width: 32), taps: ["conv1_1"]))
        XCTAssertThrowsError(try network.forward(image(8, 8), taps: ["pool5"])) {
            XCTAssertTrue("\($0)".contains("32×32"), "\($0)")
        }
        // The same network still works at other sizes afterwards, forward and backward, and returns to a size.
        for (h, w) in [(8, 8), (12, 20), (8, 8)] {
            let x = image(h, w), out = try network.forward(x, taps: ["relu3_1"])["relu3_1"]!
            XCTAssertEqual(out.shape, Shape(channels: 256, height: h / 4, width: w / 4))
            let g = Tensor(out.shape)
            g.fill(1)
            let dx = network.backward(["relu3_1": g])
            XCTAssertEqual(dx.shape, x.shape)
            XCTAssertTrue(dx.values.allSatisfy { $0.isFinite } && dx.values.contains { $0 != 0 })
        }
    }
}
