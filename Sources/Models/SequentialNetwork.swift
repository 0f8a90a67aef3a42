import Layers
import TensorCore

/// A `features` stack run stage by stage: VGG, AlexNet and SqueezeNet are all one of these.
///
/// Memory: every stage's output is a tensor allocated once per image size (a ReLU shares its input's tensor and
/// works in place), one `Workspace` serves all layers, and the backward pass ping-pongs between two buffers of
/// the largest map. Once a size has been seen no pass allocates tensor memory; only a few small bookkeeping
/// collections (tap lists, the result dictionary) are built per call.
final class SequentialNetwork: FeatureNetwork {
    let name: String
    let layerNames: [String]

    private enum Stage {
        case conv(Convolution)
        case relu
        case pool(PoolGeometry)
        case fire(Fire)
    }

    private let stages: [Stage]
    private let layout: Layout
    private let pooling: Pooling
    private let index: [String: Int]  // name or `features.N` alias → stage
    private let workspace = Workspace()

    // Per image size.
    private var imageShape: Shape?
    private var shapes: [Shape] = []
    private var outputs: [Tensor?] = []
    private var preReLU: [Tensor?] = []  // copies of tapped outputs a following in-place ReLU would overwrite
    private var normalized: Tensor?
    private var gradients: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>)?
    private var gradientCapacity = 0
    private var imageGradient: Tensor?
    private var lastDepth = -1
    private var copied: Set<Int> = []

    /// `weights` are checked against `layout` (`Architecture.validated`), so every tensor read here is present.
    init(name: String, layout: Layout, weights: WeightSet, pooling: Pooling, algorithm: Conv3x3.Algorithm?) {
        self.name = name
        self.pooling = pooling
        self.layout = layout
        layerNames = layout.stages.map(\.name)
        var index: [String: Int] = [:]
        for (i, stage) in layout.stages.enumerated() {
            index[stage.name] = i
            index["features.\(i)"] = i
        }
        self.index = index
        func values(_ name: String) -> [Float] { weights[name]!.values }
        stages = layout.stages.map { stage -> Stage in
            switch stage.spec {
            case let .conv(i, cin, cout, k, stride, padding):
                return .conv(makeConvolution(
                    weight: values("features.\(i).weight"), bias: values("features.\(i).bias"),
                    inChannels: cin, outChannels: cout, kernel: k, stride: stride, padding: padding, algorithm: algorithm))
            case .relu: return .relu
            case .pool(let geometry): return .pool(geometry)
            case let .fire(i, cin, s, e1, e3):
                func weight(_ part: String) -> [Float] { values("features.\(i).\(part).weight") }
                func bias(_ part: String) -> [Float] { values("features.\(i).\(part).bias") }
                return .fire(Fire(
                    squeeze: Conv2d(weight: weight("squeeze"), bias: bias("squeeze"), inChannels: cin, outChannels: s, kernel: 1),
                    expand1x1: Conv2d(weight: weight("expand1x1"), bias: bias("expand1x1"), inChannels: s, outChannels: e1, kernel: 1),
                    expand3x3: makeConvolution(
                        weight: weight("expand3x3"), bias: bias("expand3x3"), inChannels: s, outChannels: e3,
                        kernel: 3, stride: 1, padding: 1, algorithm: algorithm)))
            }
        }
        outputs = Array(repeating: nil, count: stages.count)
        preReLU = outputs
    }

    deinit {
        if let (a, b) = gradients { a.deallocate(); b.deallocate() }
    }

    func forward(_ image: Tensor, taps: Set<String>) throws -> [String: Tensor] {
        guard image.shape.channels == 3 else { throw ModelError.notAnImage(image.shape) }
        let tapped = try taps.map { tap -> (String, Int) in
            guard let i = index[tap] else { throw ModelError.unknownLayer(tap, model: name, available: layerNames) }
            return (tap, i)
        }
        let depth = tapped.map(\.1).max() ?? -1
        let wanted = Set(tapped.map(\.1))
        try plan(image.shape, depth: depth, wanted: wanted)
        lastDepth = depth
        copied.removeAll(keepingCapacity: true)
        guard depth >= 0, let normalized else { return [:] }
        Normalize.forward(image.data, image.shape, into: normalized.data)
        for i in 0...depth {
            let input = i == 0 ? normalized : outputs[i - 1]!, inShape = i == 0 ? image.shape : shapes[i - 1]
            let output = outputs[i]!
            switch stages[i] {
            case .conv(let conv): conv.forward(input.data, inShape, into: output.data, workspace: workspace)
            case .relu:
                if i > 0 && wanted.contains(i - 1) {
                    preReLU[i - 1]!.copy(from: input)
                    copied.insert(i - 1)
                }
                ReLU.forward(output.data, count: output.count)
            case .pool(let g):
                switch pooling {
                case .max: MaxPool.forward(input.data, inShape, into: output.data, geometry: g)
                case .avg: AvgPool.forward(input.data, inShape, into: output.data, geometry: g)
                }
            case .fire(let fire): fire.forward(input.data, inShape, into: output.data, workspace: workspace)
            }
        }
        var result: [String: Tensor] = [:]
        for (tap, i) in tapped { result[tap] = copied.contains(i) ? preReLU[i]! : outputs[i]! }
        return result
    }

    func backward(_ tapGradients: [String: Tensor]) -> Tensor {
        guard let imageShape, let (first, second) = gradients, let imageGradient, lastDepth >= 0 else {
            preconditionFailure("\(name): backward needs a forward with taps first")
        }
        var byStage = [[Tensor]](repeating: [], count: stages.count)
        for (tap, gradient) in tapGradients {
            guard let i = index[tap], i <= lastDepth else { preconditionFailure("\(name): no gradient target \(tap) in the last forward") }
            precondition(gradient.shape == shapes[i], "\(name): gradient for \(tap) is \(gradient.shape), expected \(shapes[i])")
            byStage[i].append(gradient)
        }
        guard let start = byStage.lastIndex(where: { !$0.isEmpty }) else {
            imageGradient.fill(0)
            return imageGradient
        }
        var g = first, spare = second
        g.update(repeating: 0, count: shapes[start].count)
        for i in stride(from: start, through: 0, by: -1) {
            for t in byStage[i] { for j in 0..<t.count { g[j] += t.data[j] } }
            let inShape = i == 0 ? imageShape : shapes[i - 1]
            switch stages[i] {
            case .conv(let conv):
                conv.backward(g, inShape, into: spare, workspace: workspace)
                swap(&g, &spare)
            case .relu:
                ReLU.backward(g, output: outputs[i]!.data, count: shapes[i].count)
            case .pool(let geometry):
                switch pooling {
                case .max: MaxPool.backward(g, input: (i == 0 ? normalized! : outputs[i - 1]!).data, inShape, into: spare, geometry: geometry)
                case .avg: AvgPool.backward(g, inShape, into: spare, geometry: geometry)
                }
                swap(&g, &spare)
            case .fire(let fire):
                fire.backward(g, inShape, into: spare, workspace: workspace)
                swap(&g, &spare)
            }
        }
        Normalize.backward(g, imageShape, into: imageGradient.data)
        return imageGradient
    }

    /// Sizes every stage for this image and allocates what stages `0...depth` need (once per size). A pre-ReLU copy
    /// exists only for a tapped stage whose output the next (in-place) ReLU overwrites; taps can change between
    /// calls, so these are re-checked every call and the untapped ones freed.
    private func plan(_ image: Shape, depth: Int, wanted: Set<Int>) throws {
        if image != imageShape {
            shapes = layout.outputShapes(for: image)
            imageShape = image
            outputs = Array(repeating: nil, count: stages.count)
            preReLU = outputs
            normalized = Tensor(image)
            imageGradient = Tensor(image)
            lastDepth = -1
        }
        guard depth >= 0 else { return }
        if shapes[depth].count == 0 {
            throw ModelError.imageTooSmall(image, model: name, minimum: minimumSize(depth: depth))
        }
        var need = 0, largest = image.count
        for i in 0...depth {
            let inShape = i == 0 ? image : shapes[i - 1]
            switch stages[i] {
            case .conv(let conv): need = max(need, conv.workspaceSize(inShape))
            case .fire(let fire): need = max(need, fire.workspaceSize(inShape))
            case .relu, .pool: break
            }
            largest = max(largest, shapes[i].count)
            if outputs[i] == nil {
                if case .relu = stages[i], i > 0 {
                    outputs[i] = outputs[i - 1]
                } else {
                    outputs[i] = Tensor(shapes[i])
                }
            }
        }
        for i in stages.indices.dropLast() {
            var overwritten = false
            if case .relu = stages[i + 1], i + 1 <= depth, wanted.contains(i) { overwritten = true }
            if !overwritten { preReLU[i] = nil } else if preReLU[i] == nil { preReLU[i] = Tensor(shapes[i]) }
        }
        workspace.reserve(need)
        if largest > gradientCapacity {
            if let (a, b) = gradients { a.deallocate(); b.deallocate() }
            gradients = (.allocate(capacity: largest), .allocate(capacity: largest))
            gradientCapacity = largest
        }
    }

    /// The smallest square side that keeps stage `depth` at least 1×1.
    private func minimumSize(depth: Int) -> Int {
        (1...4096).first { layout.outputShapes(for: Shape(channels: 3, height: $0, width: $0))[depth].count > 0 } ?? 4096
    }
}
