import TensorCore

/// The convolution parameters each supported network needs, under torchvision `state_dict` names. Checking a file
/// against this before use turns a wrong or damaged file into an error naming the tensor, not a crash mid-run.
public struct WeightLayout: Sendable {
    public let network: String
    /// (name, shape) in network order; kernels OIHW.
    public let tensors: [(name: String, shape: [Int])]

    public static let all: [WeightLayout] = [vgg16, vgg19, alexnet, squeezenet1_1]

    public static func named(_ network: String) -> WeightLayout? { all.first { $0.network == network } }

    public static let vgg16 = plainConvs("vgg16", [(0, 3, 64), (2, 64, 64), (5, 64, 128), (7, 128, 128),
        (10, 128, 256), (12, 256, 256), (14, 256, 256), (17, 256, 512), (19, 512, 512), (21, 512, 512),
        (24, 512, 512), (26, 512, 512), (28, 512, 512)], kernel: { _ in 3 })
    public static let vgg19 = plainConvs("vgg19", [(0, 3, 64), (2, 64, 64), (5, 64, 128), (7, 128, 128),
        (10, 128, 256), (12, 256, 256), (14, 256, 256), (16, 256, 256), (19, 256, 512), (21, 512, 512),
        (23, 512, 512), (25, 512, 512), (28, 512, 512), (30, 512, 512), (32, 512, 512), (34, 512, 512)], kernel: { _ in 3 })
    public static let alexnet = plainConvs("alexnet", [(0, 3, 64), (3, 64, 192), (6, 192, 384), (8, 384, 256),
        (10, 256, 256)], kernel: { [0: 11, 3: 5][$0] ?? 3 })
    public static let squeezenet1_1: WeightLayout = {
        var tensors: [(String, [Int])] = [("features.0.weight", [64, 3, 3, 3]), ("features.0.bias", [64])]
        // Fire modules: (index, inputs, squeeze, expand per branch)
        for (i, input, squeeze, expand) in [(3, 64, 16, 64), (4, 128, 16, 64), (6, 128, 32, 128), (7, 256, 32, 128),
                                            (9, 256, 48, 192), (10, 384, 48, 192), (11, 384, 64, 256), (12, 512, 64, 256)] {
            tensors += [("features.\(i).squeeze.weight", [squeeze, input, 1, 1]), ("features.\(i).squeeze.bias", [squeeze]),
                        ("features.\(i).expand1x1.weight", [expand, squeeze, 1, 1]), ("features.\(i).expand1x1.bias", [expand]),
                        ("features.\(i).expand3x3.weight", [expand, squeeze, 3, 3]), ("features.\(i).expand3x3.bias", [expand])]
        }
        return WeightLayout(network: "squeezenet1_1", tensors: tensors)
    }()

    private static func plainConvs(_ network: String, _ convs: [(Int, Int, Int)], kernel: (Int) -> Int) -> WeightLayout {
        WeightLayout(network: network, tensors: convs.flatMap { i, input, output in
            [("features.\(i).weight", [output, input, kernel(i), kernel(i)]), ("features.\(i).bias", [output])]
        })
    }

    /// The layout whose tensor names `weights` matches best (all present with the right shapes wins), or nil.
    public static func infer(from weights: WeightSet) -> WeightLayout? {
        let scored = all.map { layout in (layout, layout.tensors.filter { weights[$0.name]?.shape == $0.shape }.count) }
        if let exact = scored.first(where: { $0.1 == $0.0.tensors.count }) { return exact.0 }
        let best = all.map { layout in (layout, layout.tensors.filter { weights[$0.name] != nil }.count) }.max { $0.1 < $1.1 }
        return best.flatMap { $0.1 > 0 ? $0.0 : nil }
    }

    /// Only this network's tensors, after checking each is present, has the expected shape and is finite.
    public func validated(_ weights: WeightSet, file: String) throws -> WeightSet {
        var result: WeightSet = [:]
        for (name, shape) in tensors {
            guard let array = weights[name] else { throw WeightsError.missingTensor(file: file, tensor: name, network: network) }
            guard array.shape == shape else {
                throw WeightsError.wrongShape(file: file, tensor: name, expected: shape, found: array.shape)
            }
            if let bad = array.values.firstIndex(where: { !$0.isFinite }) {
                throw WeightsError.nonFinite(file: file, tensor: name, index: bad)
            }
            result[name] = array
        }
        return result
    }
}
