import Models
import TensorCore
import XCTest

/// Names, shapes, inference and checks all come from each architecture's one layout.
final class WeightCheckTests: XCTestCase {
    /// Parameter counts of torchvision's `features` (total minus classifier, from the published model sizes).
    func testParameterCountsMatchTorchvision() {
        let counts = Dictionary(uniqueKeysWithValues: Architecture.allCases.map { architecture in
            (architecture.rawValue, architecture.weightShapes.reduce(0) { $0 + $1.shape.reduce(1, *) })
        })
        XCTAssertEqual(counts, ["vgg16": 14_714_688, "vgg19": 20_024_384, "alexnet": 2_469_696, "squeezenet1_1": 722_496])
    }

    func testInferencePicksEachArchitectureFromItsRandomWeights() throws {
        for architecture in Architecture.allCases {
            var weights = architecture.randomWeights(seed: 5)
            XCTAssertEqual(Set(weights.keys), Set(architecture.weightShapes.map(\.name)))
            XCTAssertEqual(Architecture(inferringFrom: weights), architecture)
            weights["classifier.1.weight"] = WeightArray(shape: [2, 2], values: [1, 2, 3, 4])
            let identified = try Architecture.identify(weights, file: "model.pth")
            XCTAssertEqual(identified.architecture, architecture)
            XCTAssertNil(identified.weights["classifier.1.weight"], "only the network's own tensors are kept")
            XCTAssertEqual(identified.weights.count, architecture.weightShapes.count)
        }
        XCTAssertNil(Architecture(inferringFrom: [:]))
        let unrelated: WeightSet = ["fc.weight": WeightArray(shape: [1], values: [0])]
        XCTAssertNil(Architecture(inferringFrom: unrelated))
        XCTAssertThrowsError(try Architecture.identify(unrelated, file: "fc.pth")) { error in
            XCTAssertEqual(error as? CheckpointError, .unknownNetwork(file: "fc.pth"))
            XCTAssertTrue("\(error)".contains("fc.pth") && "\(error)".contains("squeezenet1_1"), "\(error)")
        }
    }

    /// A damaged file still names its network (most of its tensors are there), and the check says which tensor is
    /// wrong, in the same error whether the file is read or the network is built from the arrays in memory.
    func testEachWrongTensorGivesTheOneErrorNamingIt() throws {
        for architecture in Architecture.allCases {
            let good = architecture.randomWeights(seed: 3), network = architecture.rawValue
            let kernels = architecture.weightShapes.filter { $0.shape.count == 4 }
            let (name, shape) = kernels[kernels.count / 2]
            let values = try XCTUnwrap(good[name]).values

            var missing = good
            missing[name] = nil
            var reshaped = good
            let wrongShape = [values.count]
            reshaped[name] = WeightArray(shape: wrongShape, values: values)
            var notFinite = good
            notFinite[name]!.values[7] = .infinity

            let cases: [(WeightSet, (String?) -> CheckpointError)] = [
                (missing, { .missingTensor(file: $0, tensor: name, network: network) }),
                (reshaped, { .wrongShape(file: $0, tensor: name, network: network, expected: shape, found: wrongShape) }),
                (notFinite, { .nonFinite(file: $0, tensor: name, index: 7) }),
            ]
            for (weights, expected) in cases {
                XCTAssertEqual(Architecture(inferringFrom: weights), architecture)
                XCTAssertThrowsError(try Architecture.identify(weights, file: "/m/\(network).pth")) { error in
                    XCTAssertEqual(error as? CheckpointError, expected("/m/\(network).pth"))
                    XCTAssertTrue("\(error)".hasPrefix("/m/\(network).pth: tensor \(name) "), "\(error)")
                }
                XCTAssertThrowsError(try architecture.makeNetwork(weights: weights)) { error in
                    XCTAssertEqual(error as? CheckpointError, expected(nil))
                    XCTAssertTrue("\(error)".contains("tensor \(name) "), "\(error)")
                }
            }
        }
    }
}
