import Layers
import TensorCore

/// What a `SequentialNetwork` holds for one image size, from the layout alone: the network allocates exactly this
/// and `Architecture.memory` adds it up, so the estimate follows the code.
///
/// With frozen weights the backward pass needs of the forward only a ReLU's sign bits, a max-pool's argmax and a
/// fire module's two masks (a convolution needs its weights, an average pool nothing); the activations and then
/// the gradient flow through two ping-pong buffers, and each tapped output is copied into a tensor of its own.
/// With `PrefixBands` the first block's maps are band-sized instead, its pool's records stay whole, and the block
/// keeps the normalised picture (its first convolution is recomputed in the backward pass).
struct BufferPlan: Equatable {
    /// Floats in each of the two ping-pong buffers: the image or the largest stage up to the deepest tap.
    var activations: Int
    /// Floats of the image gradient `backward` returns.
    var imageGradient: Int
    /// Floats of each tapped stage's copy, by stage.
    var taps: [Int: Int]
    /// Bytes each stage keeps for the backward pass (ReLU: its mask; max-pool: its argmax; fire: its masks), by stage.
    var records: [Int]
    /// Floats of the scratch the fire modules share (SqueezeNet; 0 elsewhere).
    var fireScratch: Int
    /// Floats of the layers' shared `Workspace`.
    var workspace: Int
    /// Floats of the banded block's buffers: the normalised picture, a band of it and three band maps.
    var bandFloats = 0
    /// Bytes of the banded block's band records: a ReLU mask and an argmax.
    var bandRecords = 0

    var bytes: Int {
        4 * (2 * activations + imageGradient + taps.values.reduce(0, +) + fireScratch + workspace + bandFloats)
            + records.reduce(0, +) + bandRecords
    }

    /// `shapes` are `layout.outputShapes(for: image)`; stages past `depth` hold nothing. `workspace(i, input)` is stage
    /// `i`'s workspace at its input shape (the built layers' own figure, or `convolutionWorkspaceSize` before building).
    init(layout: Layout, shapes: [Shape], image: Shape, depth: Int, taps: Set<Int>, pooling: Pooling, bands: PrefixBands?,
         workspace: (Int, Shape) -> Int) {
        activations = image.count
        imageGradient = image.count
        self.taps = Dictionary(uniqueKeysWithValues: taps.filter { $0 != bands?.firstReLU }.map { ($0, shapes[$0].count) })
        records = Array(repeating: 0, count: layout.stages.count)
        fireScratch = 0
        self.workspace = 0
        let banded = bands.map { 0..<$0.pool } ?? 0..<0
        if let bands {
            bandFloats = image.count + bands.largestInput.count + 3 * bands.largest.count
            bandRecords = ReLU.maskBytes(bands.largest.count) + bands.largest.count / 4
            self.workspace = max(workspace(0, bands.largestInput), workspace(bands.secondReLU - 1, bands.largest))
            // The pool's argmax as ever; the second ReLU's mask only where the pool reads it (its outputs' signs).
            records[bands.secondReLU] = ReLU.maskBytes(shapes[bands.pool].count)
        }
        for i in 0..<(depth + 1) where !banded.contains(i) {
            let input = i == 0 ? image : shapes[i - 1]
            activations = max(activations, shapes[i].count)
            self.workspace = max(self.workspace, workspace(i, input))
            switch layout.stages[i].spec {
            case .conv: break
            case .relu: records[i] = ReLU.maskBytes(shapes[i].count)
            case .pool: records[i] = pooling == .max ? shapes[i].count : 0
            case let .fire(_, _, squeeze, e1, e3):
                records[i] = Fire.maskBytes(squeeze: squeeze, output: e1 + e3, input)
                fireScratch = max(fireScratch, Fire.scratchSize(squeeze: squeeze, input))
            }
        }
    }
}
