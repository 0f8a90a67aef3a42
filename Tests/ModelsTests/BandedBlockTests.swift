import Layers
@testable import Models
import TensorCore
import XCTest

/// The first block in bands (`PrefixBands`) gives the whole block's taps and image gradient, and holds what the
/// estimate says.
final class BandedBlockTests: XCTestCase {
    override func setUp() { _ = try? BLAS.load() }

    private func image(_ h: Int, _ w: Int) -> Tensor {
        let t = Tensor(channels: 3, height: h, width: w)
        for c in 0..<3 {
            for y in 0..<h {
                for x in 0..<w { t[c, y, x] = 0.5 + 0.4 * sin(Float(x * (c + 2) + 3 * y) * 0.11) * cos(Float(y - x) * 0.07) }
            }
        }
        return t
    }

    /// A fixed gradient for every position of a map: what an objective writes, a function of the position alone.
    private func gradientValue(_ c: Int, _ y: Int, _ x: Int) -> Float { sin(Float(c * 31 + y * 7 + x * 3) * 0.37) }

    /// Runs `network` whole and in bands of at most `budget` floats: taps, the streamed first ReLU and the image
    /// gradient must agree; returns the number of bands.
    private func compare(_ architecture: Architecture, height: Int, width: Int, budget: Int,
                         file: StaticString = #filePath, line: UInt = #line) throws -> Int {
        let weights = architecture.randomWeights(seed: 11)
        let whole = try XCTUnwrap(try architecture.makeNetwork(weights: weights) as? SequentialNetwork)
        let banded = try XCTUnwrap(try architecture.makeNetwork(weights: weights) as? SequentialNetwork)
        banded.bandBudget = budget
        let picture = image(height, width), taps: Set<String> = ["relu1_1", "relu2_1", "relu3_1", "pool1"]

        let expected = try whole.forward(picture, taps: taps)
        var streamed: Tensor?, seen = [Int](repeating: 0, count: height)
        let got = try banded.forward(picture, taps: taps, bands: TapBands(features: { tap, band, offset, rows in
            XCTAssertEqual(tap, "relu1_1", file: file, line: line)
            let map = streamed ?? Tensor(Shape(channels: band.shape.channels, height: height, width: width))
            streamed = map
            for y in rows {
                seen[y] += 1
                for c in 0..<band.shape.channels { for x in 0..<width { map[c, y, x] = band[c, y - offset, x] } }
            }
        }, gradient: { _, _, _, _ in XCTFail("no gradient in a forward", file: file, line: line) }))
        let bands = try XCTUnwrap(banded.bands, "banded at \(width)×\(height)", file: file, line: line).bands.count
        XCTAssertNil(got["relu1_1"], "streamed, not returned", file: file, line: line)
        XCTAssertEqual(seen, [Int](repeating: 1, count: height), "every row of the first ReLU exactly once", file: file, line: line)
        func same(_ a: Tensor?, _ b: Tensor) -> Bool { a.map { $0.shape == b.shape && $0.values == b.values } ?? false }
        XCTAssertTrue(same(streamed, expected["relu1_1"]!), "the first ReLU, bit for bit", file: file, line: line)
        for tap in ["relu2_1", "relu3_1", "pool1"] {
            XCTAssertTrue(same(got[tap], expected[tap]!), "\(tap), bit for bit", file: file, line: line)
        }

        // Backward: the same gradients at every tap, the first ReLU's through the band handler.
        var gradients: [String: Tensor] = [:], wholeGradients: [String: Tensor] = [:]
        for (tap, t) in expected {
            let g = Tensor(t.shape)
            for c in 0..<t.shape.channels { for y in 0..<t.shape.height { for x in 0..<t.shape.width { g[c, y, x] = gradientValue(c, y, x) } } }
            wholeGradients[tap] = g
            if tap != "relu1_1" { gradients[tap] = g.copy() }
        }
        let reference = whole.backward(wholeGradients).copy()
        var owned = [Int](repeating: 0, count: height)
        let result = banded.backward(gradients, bands: TapBands(features: { _, _, _, _ in XCTFail("no features in a backward") }) { tap, band, offset, rows in
            XCTAssertEqual(tap, "relu1_1", file: file, line: line)
            for y in rows { owned[y] += 1 }
            for c in 0..<band.shape.channels {
                for y in 0..<band.shape.height { for x in 0..<width { band[c, y, x] = self.gradientValue(c, y + offset, x) } }
            }
        })
        XCTAssertEqual(owned, [Int](repeating: 1, count: height), "every row owned by one band", file: file, line: line)
        var error: Float = 0, peak: Float = 0
        for i in 0..<reference.count {
            error = max(error, abs(result.data[i] - reference.data[i]))
            peak = max(peak, abs(reference.data[i]))
        }
        XCTAssertGreaterThan(peak, 0, file: file, line: line)
        XCTAssertEqual(error, 0, "image gradient, bit for bit: largest difference \(error) of \(peak)", file: file, line: line)
        return bands
    }

    /// Many bands, an odd height (the pool drops the last row; the last band owns it alone) and an odd width, and a
    /// band no larger than its halo; VGG19's first block is VGG16's.
    func testBandsGiveTheWholeBlocksTapsAndGradient() throws {
        XCTAssertGreaterThanOrEqual(try compare(.vgg16, height: 101, width: 67, budget: 64 * 67 * 22), 8)
        XCTAssertGreaterThanOrEqual(try compare(.vgg16, height: 97, width: 50, budget: 64 * 50 * 26), 4)
        XCTAssertGreaterThanOrEqual(try compare(.vgg19, height: 130, width: 72, budget: 64 * 72 * 46), 3)
    }

    func testWhatIsNotBanded() throws {
        let layout = Architecture.vgg16.layout, image = Shape(channels: 3, height: 900, width: 200)
        func bands(_ taps: Set<Int>, _ pooling: Pooling = .max) -> PrefixBands? {
            PrefixBands(layout: layout, image: image, taps: taps, depth: taps.max()!, pooling: pooling)
        }
        XCTAssertNotNil(bands([1, 6]))
        XCTAssertNil(bands([1, 6], .avg), "average pooling needs the second ReLU's whole mask")
        XCTAssertNil(bands([0, 6]), "conv1_1: a tap before the first ReLU")
        XCTAssertNil(bands([3, 6]), "relu1_2: a tap inside the block")
        XCTAssertNil(bands([1]), "nothing past the block")
        XCTAssertEqual(PrefixBands(layout: layout, image: Shape(channels: 3, height: 300, width: 200), taps: [1, 6], depth: 6, pooling: .max)?
                        .bands.count, 4, "at least four bands")
        XCTAssertNil(PrefixBands(layout: layout, image: Shape(channels: 3, height: 16, width: 200), taps: [1, 6], depth: 6, pooling: .max),
                     "bands of fewer than 8 rows")
        XCTAssertNil(PrefixBands(layout: Architecture.alexnet.layout, image: image, taps: [1, 6], depth: 6, pooling: .max))
    }

    /// The estimate counts the banded buffers: what a banded network holds after a forward and a backward.
    func testTheEstimateIsWhatABandedNetworkHolds() throws {
        let taps: Set<String> = ["relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1", "relu4_2"]
        for (height, width) in [(700, 200), (801, 161)] {
            let network = try XCTUnwrap(try Architecture.vgg16.makeNetwork(weights: Architecture.vgg16.randomWeights(seed: 1)) as? SequentialNetwork)
            network.bandBudget = 64 * width * 46
            let banding: BandingNetwork = network
            let handler = TapBands(features: { _, _, _, _ in }, gradient: { _, band, _, _ in band.fill(1) })
            let out = try banding.forward(image(height, width), taps: taps, bands: handler)
            XCTAssertNil(out["relu1_1"])
            _ = banding.backward(out.mapValues { t in let g = Tensor(t.shape); g.fill(1); return g }, bands: handler)
            let estimate = try XCTUnwrap(Architecture.vgg16.memory(width: width, height: height, taps: taps, pooling: .max,
                                                                   bandBudget: network.bandBudget))
            XCTAssertEqual(network.bufferBytes, estimate.buffers, "\(width)×\(height)")
            let unbanded = try XCTUnwrap(Architecture.vgg16.memory(width: width, height: height, taps: taps))
            XCTAssertLessThan(Double(estimate.buffers), 0.7 * Double(unbanded.buffers), "the bands save the block's maps")
        }
    }
}
