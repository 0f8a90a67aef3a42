/// One named parameter array as it is stored in a checkpoint: a shape and row-major `Float` values.
/// Convolution kernels use torchvision's layout, `[out, in, kh, kw]`.
public struct WeightArray: Equatable, Sendable {
    public var shape: [Int]
    public var values: [Float]

    public init(shape: [Int], values: [Float]) {
        precondition(shape.reduce(1, *) == values.count, "\(values.count) values for shape \(shape)")
        self.shape = shape
        self.values = values
    }
}

/// A network's parameters keyed by torchvision `state_dict` names: `features.0.weight`, `features.0.bias`, …
public typealias WeightSet = [String: WeightArray]
