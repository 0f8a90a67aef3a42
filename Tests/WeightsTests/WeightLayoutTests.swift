import XCTest
import Weights
import TensorCore

final class WeightLayoutTests: XCTestCase {
    /// Parameter counts of torchvision's `features` (total minus classifier, from the published model sizes).
    func testParameterCountsMatchTorchvision() {
        let counts = Dictionary(uniqueKeysWithValues: WeightLayout.all.map { layout in
            (layout.network, layout.tensors.reduce(0) { $0 + $1.shape.reduce(1, *) })
        })
        XCTAssertEqual(counts, ["vgg16": 14_714_688, "vgg19": 20_024_384, "alexnet": 2_469_696, "squeezenet1_1": 722_496])
    }

    func testInferencePicksTheNetworkWhoseTensorsAllMatch() {
        for layout in WeightLayout.all {
            XCTAssertEqual(WeightLayout.infer(from: Fixtures.weights(for: layout, seed: 1))?.network, layout.network)
        }
        XCTAssertNil(WeightLayout.infer(from: ["fc.weight": WeightArray(shape: [1], values: [0])]))
    }
}
