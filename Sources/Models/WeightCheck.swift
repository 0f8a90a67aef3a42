import TensorCore

/// Recognising and checking a checkpoint, both derived from the network's `Layout`: the only description of the
/// tensors (names, shapes) each architecture reads.
extension Architecture {
    /// The parameter arrays the network reads, under torchvision `state_dict` names, in network order; kernels OIHW.
    public var weightShapes: [(name: String, shape: [Int])] { layout.tensors }

    /// The architecture whose tensors `weights` matches best: the one whose tensors are all present with the
    /// right shapes, else the one with most of its tensor names present (its check then names what is wrong);
    /// nil if no name matches.
    public init?(inferringFrom weights: WeightSet) {
        let all = Self.allCases
        if let exact = all.first(where: { $0.weightShapes.allSatisfy { weights[$0.name]?.shape == $0.shape } }) {
            self = exact
            return
        }
        let named = all.map { architecture in (architecture, architecture.weightShapes.filter { weights[$0.name] != nil }.count) }
        guard let best = named.max(by: { $0.1 < $1.1 }), best.1 > 0 else { return nil }
        self = best.0
    }

    /// The network `weights` from `file` hold, with only that network's tensors, each checked.
    public static func identify(_ weights: WeightSet, file: String) throws -> (architecture: Architecture, weights: WeightSet) {
        guard let architecture = Architecture(inferringFrom: weights) else { throw CheckpointError.unknownNetwork(file: file) }
        return (architecture, try architecture.validated(weights, file: file))
    }

    /// Only this network's tensors, after checking each is present, has the expected shape and is finite.
    /// `file` names where they came from in the error (nil: built in memory).
    public func validated(_ weights: WeightSet, file: String?) throws -> WeightSet {
        var result: WeightSet = [:]
        for (name, shape) in weightShapes {
            guard let array = weights[name] else {
                throw CheckpointError.missingTensor(file: file, tensor: name, network: rawValue)
            }
            guard array.shape == shape else {
                throw CheckpointError.wrongShape(file: file, tensor: name, network: rawValue, expected: shape, found: array.shape)
            }
            if let bad = array.values.firstIndex(where: { !$0.isFinite }) {
                throw CheckpointError.nonFinite(file: file, tensor: name, index: bad)
            }
            result[name] = array
        }
        return result
    }
}
