import Foundation
import Models
import TensorCore
import Weights
import XCTest

/// The real VGG16 from the model store against features computed independently with numpy in float64
/// (Tests/WeightsTests/Fixtures/make_vgg16_reference.py) on a synthetic image both sides define by formula.
final class RealVGG16FeatureTests: XCTestCase {
    struct Reference: Decodable {
        struct Feature: Decodable { let shape: [Int]; let mean: Double; let std: Double; let samples: [[Double]] }
        let imageSize: Int
        let features: [String: Feature]
        enum CodingKeys: String, CodingKey { case imageSize = "image_size", features }
    }

    func testFeaturesMatchTheNumpyReferenceOnEveryReLU() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../WeightsTests/Fixtures/vgg16_reference.json")
        let reference = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
        let (_, _, weights) = try ModelStore().load("vgg16")  // installed by Scripts/test.sh; absent → this test fails
        let network = try Architecture.vgg16.makeNetwork(weights: weights, pooling: .max)

        let n = reference.imageSize
        let image = Tensor(channels: 3, height: n, width: n)
        for c in 0..<3 {
            for y in 0..<n {
                for x in 0..<n {
                    let phase = 0.3 * Double(c + 1) * Double(x) / Double(n) * 7 + 0.2 * Double(y) * Double(c + 2) / Double(n) * 9 + Double(c)
                    image[c, y, x] = Float(0.5 + 0.5 * sin(phase))
                }
            }
        }
        let taps = try network.forward(image, taps: Set(reference.features.keys))
        XCTAssertEqual(taps.count, 13)
        for (name, expected) in reference.features.sorted(by: { $0.key < $1.key }) {
            let t = try XCTUnwrap(taps[name], name)
            XCTAssertEqual([t.shape.channels, t.shape.height, t.shape.width], expected.shape, name)
            var sum = 0.0, squares = 0.0
            for v in t.buffer { sum += Double(v); squares += Double(v) * Double(v) }
            let mean = sum / Double(t.count)
            let std = (squares / Double(t.count) - mean * mean).squareRoot()
            XCTAssertEqual(mean, expected.mean, accuracy: 2e-4 * expected.mean, "\(name) mean")
            XCTAssertEqual(std, expected.std, accuracy: 2e-4 * expected.std, "\(name) std")
            for s in expected.samples {
                let value = Double(t[Int(s[0]), Int(s[1]), Int(s[2])])
                XCTAssertEqual(value, s[3], accuracy: 1e-4 * expected.std + 1e-5 * abs(s[3]), "\(name) at \(s[0...2])")
            }
        }
    }
}
