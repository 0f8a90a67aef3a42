import Layers
import TensorCore

/// What a feature network holds in memory for one image, from its layout alone (no weights needed), so a run can
/// be sized before it starts.
public struct NetworkMemory: Sendable {
    /// The weights, bytes (4 per parameter, as in the file).
    public var weights: Int
    /// Everything the network allocates for this image size and these taps, bytes: the two ping-pong buffers, the
    /// image gradient, the taps' copies, the ReLU masks and max-pool argmaxes, the fire modules' scratch and the
    /// layers' workspace (`BufferPlan`).
    public var buffers: Int
    /// The shape of each tap's output.
    public var taps: [String: Shape]
}

extension Architecture {
    /// The `BufferPlan` a network built by `makeNetwork` (default algorithm) allocates for these taps at this size,
    /// after a forward whose deepest tap is the deepest of `taps`; exact, the convolutions' workspace included
    /// (`convolutionWorkspaceSize`). Average pooling keeps no argmax. Nil when a tap is not a layer of this network.
    /// `banded`: the first block in bands where it can be (`PrefixBands`), as an objective runs it.
    public func memory(width: Int, height: Int, taps: Set<String>, pooling: Pooling = .max, banded: Bool = false) -> NetworkMemory? {
        memory(width: width, height: height, taps: taps, pooling: pooling, bandBudget: banded ? PrefixBands.defaultBandFloats : nil)
    }

    /// `memory` with the first block in bands of at most `bandBudget` floats a map (nil: whole).
    func memory(width: Int, height: Int, taps: Set<String>, pooling: Pooling, bandBudget: Int?) -> NetworkMemory? {
        let stages = layout.stages
        let indexed = taps.compactMap { tap in stages.firstIndex { $0.name == tap }.map { (tap, $0) } }
        guard indexed.count == taps.count, let deepest = indexed.map(\.1).max() else { return nil }
        let image = Shape(channels: 3, height: height, width: width), shapes = layout.outputShapes(for: image)
        let tapIndices = Set(indexed.map(\.1))
        let bands = bandBudget.flatMap {
            PrefixBands(layout: layout, image: image, taps: tapIndices, depth: deepest, pooling: pooling, budget: $0)
        }
        let plan = BufferPlan(layout: layout, shapes: shapes, image: image, depth: deepest, taps: tapIndices, pooling: pooling,
                              bands: bands) { i, input in
            switch stages[i].spec {
            case let .conv(_, cin, cout, k, stride, padding):
                return convolutionWorkspaceSize(inChannels: cin, outChannels: cout, kernel: k, stride: stride, padding: padding, input: input)
            case let .fire(_, cin, s, e1, e3):
                let inner = Shape(channels: s, height: input.height, width: input.width)
                return [
                    convolutionWorkspaceSize(inChannels: cin, outChannels: s, kernel: 1, stride: 1, padding: 0, input: input),
                    convolutionWorkspaceSize(inChannels: s, outChannels: e1, kernel: 1, stride: 1, padding: 0, input: inner),
                    convolutionWorkspaceSize(inChannels: s, outChannels: e3, kernel: 3, stride: 1, padding: 1, input: inner),
                ].max()!
            case .relu, .pool: return 0
            }
        }
        let parameters = layout.tensors.reduce(0) { $0 + $1.shape.reduce(1, *) }
        return NetworkMemory(weights: 4 * parameters, buffers: plan.bytes,
                             taps: Dictionary(uniqueKeysWithValues: indexed.map { ($0.0, shapes[$0.1]) }))
    }
}

extension FeatureNetwork {
    /// The bytes of per-size buffers this network holds now, summed over its allocations: what `Architecture.memory`
    /// estimates, for a network `makeNetwork` built (nil for any other).
    public var bufferBytes: Int? { (self as? SequentialNetwork)?.heldBytes }
}
