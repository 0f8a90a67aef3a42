import Layers
import TensorCore

/// What a feature network holds in memory for one image, from its layout alone (no weights needed), so a run can
/// be sized before it starts.
public struct NetworkMemory: Sendable {
    /// The weights, bytes (4 per parameter, as in the file).
    public var weights: Int
    /// Stage outputs, copies of tapped outputs, the normalised image and its gradient, the two gradient buffers
    /// and the convolution workspace at this image size, bytes.
    public var buffers: Int
    /// The shape of each tap's output.
    public var taps: [String: Shape]
}

extension Architecture {
    /// Mirrors `SequentialNetwork.plan`: every stage up to the deepest tap has an output (a ReLU shares its
    /// input's), a tapped stage that a ReLU follows keeps a copy, the backward pass ping-pongs between two
    /// buffers of the largest stage, and the workspace is taken as one more largest stage (the convolutions' im2col
    /// bands and Winograd tiles stay below that). Nil when a tap is not a layer of this network.
    public func memory(width: Int, height: Int, taps: Set<String>) -> NetworkMemory? {
        let stages = layout.stages
        let indexed = taps.compactMap { tap in stages.firstIndex { $0.name == tap }.map { (tap, $0) } }
        guard indexed.count == taps.count, let deepest = indexed.map(\.1).max() else { return nil }
        let shapes = Array(layout.outputShapes(for: Shape(channels: 3, height: height, width: width))[0 ... deepest])
        let image = 3 * width * height, largest = max(image, shapes.map(\.count).max() ?? 0)
        var floats = 2 * image + 3 * largest
        for (i, stage) in stages[0 ... deepest].enumerated() {
            if case .relu = stage.spec, i > 0 { continue }
            floats += shapes[i].count
            if i < deepest, case .relu = stages[i + 1].spec, taps.contains(stage.name) { floats += shapes[i].count }
        }
        let parameters = layout.tensors.reduce(0) { $0 + $1.shape.reduce(1, *) }
        return NetworkMemory(weights: 4 * parameters, buffers: 4 * floats,
                             taps: Dictionary(uniqueKeysWithValues: indexed.map { ($0.0, shapes[$0.1]) }))
    }
}
