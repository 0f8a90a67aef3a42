import Layers
import TensorCore

/// What a `SequentialNetwork` holds for one image size, from the layout alone: the network allocates exactly this
/// and `Architecture.memory` adds it up, so the estimate follows the code.
///
/// With frozen weights the backward pass needs of the forward only a ReLU's sign bits, a max-pool's argmax and a
/// fire module's two masks (a convolution needs its weights, an average pool nothing); the activations and then
/// the gradient flow through two ping-pong buffers, and each tapped output is copied into a tensor of its own.
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

    var bytes: Int {
        4 * (2 * activations + imageGradient + taps.values.reduce(0, +) + fireScratch + workspace) + records.reduce(0, +)
    }

    /// `shapes` are `layout.outputShapes(for: image)`; stages past `depth` hold nothing. `workspace(i, input)` is stage
    /// `i`'s workspace at its input shape (the built layers' own figure, or `convolutionWorkspaceSize` before building).
    init(layout: Layout, shapes: [Shape], image: Shape, depth: Int, taps: Set<Int>, pooling: Pooling, workspace: (Int, Shape) -> Int) {
        activations = image.count
        imageGradient = image.count
        self.taps = Dictionary(uniqueKeysWithValues: taps.map { ($0, shapes[$0].count) })
        records = Array(repeating: 0, count: layout.stages.count)
        fireScratch = 0
        self.workspace = 0
        for i in 0..<(depth + 1) {
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
