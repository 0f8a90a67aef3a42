import Layers
import Models
import TensorCore
import XCTest

/// `Architecture.memory` against what a built network holds: every per-size buffer, counted from the allocations.
final class NetworkMemoryTests: XCTestCase {
    override func setUp() { _ = try? BLAS.load() }

    private func image(_ h: Int, _ w: Int) -> Tensor {
        let t = Tensor(channels: 3, height: h, width: w)
        for i in 0..<t.count { t.data[i] = Float(i % 251) / 251 }
        return t
    }

    /// Runs a forward and a backward, then compares the bytes held with the estimate for the same taps and size.
    private func assertEstimateMatches(_ network: FeatureNetwork, _ architecture: Architecture, _ pooling: Pooling, taps: Set<String>,
                                       height: Int, width: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        let out = try network.forward(image(height, width), taps: taps)
        var gradients: [String: Tensor] = [:]
        for (tap, t) in out {
            gradients[tap] = Tensor(t.shape)
            gradients[tap]!.fill(1)
        }
        _ = network.backward(gradients)
        let estimate = try XCTUnwrap(architecture.memory(width: width, height: height, taps: taps, pooling: pooling), file: file, line: line)
        XCTAssertEqual(network.bufferBytes, estimate.buffers, "\(architecture) \(pooling) \(taps.sorted()) \(width)×\(height)", file: file, line: line)
    }

    /// Every architecture and pooling, the deep and the shallow taps, Winograd tiles shared and split across the
    /// cores (120 px: fewer than 128 tiles a core at conv1; 200 px: more), and a size change (the old size's
    /// buffers freed, the new size's allocated).
    func testTheEstimateIsWhatTheNetworkHolds() throws {
        let cases: [(Architecture, Set<String>)] = [
            (.vgg16, ["relu5_1"]), (.vgg16, ["relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1", "conv4_2"]),
            (.vgg19, ["conv1_1", "relu1_2", "pool2"]), (.alexnet, ["relu1", "pool2", "relu5"]), (.squeezenet1_1, ["relu1", "fire3", "pool5", "fire9"]),
        ]
        for (architecture, taps) in cases {
            for pooling in Pooling.allCases {
                let network = try architecture.makeNetwork(weights: architecture.randomWeights(seed: 1), pooling: pooling)
                for (height, width) in [(200, 184), (120, 100), (67, 75)] {
                    try assertEstimateMatches(network, architecture, pooling, taps: taps, height: height, width: width)
                }
            }
        }
    }

    /// The layout by hand, where it does not depend on the convolution kernels: relu1_1 at 8×10 holds two ping-pong
    /// buffers and a copy of 64×8×10 floats, the 3×8×10 image gradient, 640 bytes of mask and conv1_1's Winograd
    /// workspace. Max pooling adds exactly one byte per pooled output.
    func testTheLayoutByHand() throws {
        let map = 64 * 8 * 10, image = 3 * 8 * 10
        let workspace = convolutionWorkspaceSize(inChannels: 3, outChannels: 64, kernel: 3, stride: 1, padding: 1,
                                                 input: Shape(channels: 3, height: 8, width: 10))
        XCTAssertEqual(Architecture.vgg16.memory(width: 10, height: 8, taps: ["relu1_1"])?.buffers, 4 * (3 * map + image + workspace) + map / 8)
        let taps: Set = ["relu1_1", "relu3_1"], outputs = 64 * 112 * 112 + 128 * 56 * 56
        let max = try XCTUnwrap(Architecture.vgg16.memory(width: 224, height: 224, taps: taps, pooling: .max))
        let avg = try XCTUnwrap(Architecture.vgg16.memory(width: 224, height: 224, taps: taps, pooling: .avg))
        XCTAssertEqual(max.buffers - avg.buffers, outputs)
    }
}
