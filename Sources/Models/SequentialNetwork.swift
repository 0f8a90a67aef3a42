import Layers
import TensorCore

/// A `features` stack run stage by stage: VGG, AlexNet and SqueezeNet are all one of these.
///
/// Memory (`BufferPlan`): the forward keeps for the backward pass only what it needs (a ReLU's bit mask, a max-pool's
/// argmax, a fire module's masks); activations, then gradients, ping-pong between two buffers of the largest map,
/// and tapped outputs are copied into tensors of their own. What a size needs is allocated once (grown when a deeper
/// tap comes, taps re-planned every call) and freed when the size changes; one `Workspace` serves all layers. Once a
/// size has been seen no pass allocates tensor memory; only a few small bookkeeping collections (tap lists, the
/// result dictionary) are built per call. Called with `TapBands`, a large picture's first block runs in bands
/// (`PrefixBands`, `BandedBlock.swift`).
final class SequentialNetwork: BandingNetwork {
    let name: String
    let layerNames: [String]

    enum Stage {
        case conv(Convolution)
        case relu
        case pool(PoolGeometry)
        case fire(Fire)
    }

    let stages: [Stage]
    private let layout: Layout
    private let pooling: Pooling
    private let index: [String: Int]  // name or `features.N` alias → stage

    // Per image size (`BufferPlan`).
    private var imageShape: Shape?
    private(set) var shapes: [Shape] = []
    private var planned = -1  // the deepest stage planned at this size
    private var activations: (Tensor, Tensor)?
    private var imageGradient: Tensor?
    private var tapCopies: [Int: Tensor] = [:]
    var records: [[UInt8]] = []
    private var fireScratch: Tensor?
    private(set) var workspace = Workspace()
    private var lastDepth = -1
    /// The first block's bands at this size (nil: run whole), and their buffers.
    private(set) var bands: PrefixBands?
    var bandBuffers: BandBuffers?
    /// The first block's tap the last forward streamed, as it was named.
    private var bandedTap: String?
    /// Floats a band's map may hold (`PrefixBands`).
    var bandBudget = PrefixBands.defaultBandFloats

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
    }

    /// Bytes of every per-size buffer held now: what `Architecture.memory(…).buffers` estimates.
    var heldBytes: Int {
        let floats = [activations?.0, activations?.1, imageGradient, fireScratch].reduce(0) { $0 + ($1?.count ?? 0) }
            + tapCopies.values.reduce(0) { $0 + $1.count } + workspace.capacity + (bandBuffers?.floats ?? 0)
        return 4 * floats + records.reduce(0) { $0 + $1.count } + (bandBuffers?.recordBytes ?? 0)
    }

    func forward(_ image: Tensor, taps: Set<String>) throws -> [String: Tensor] {
        try forward(image, taps: taps, handler: nil)
    }

    func forward(_ image: Tensor, taps: Set<String>, bands handler: TapBands) throws -> [String: Tensor] {
        try forward(image, taps: taps, handler: handler)
    }

    func backward(_ tapGradients: [String: Tensor]) -> Tensor { backward(tapGradients, handler: nil) }

    func backward(_ tapGradients: [String: Tensor], bands handler: TapBands) -> Tensor { backward(tapGradients, handler: handler) }

    private func forward(_ image: Tensor, taps: Set<String>, handler: TapBands?) throws -> [String: Tensor] {
        guard image.shape.channels == 3 else { throw ModelError.notAnImage(image.shape) }
        let tapped = try taps.map { tap -> (String, Int) in
            guard let i = index[tap] else { throw ModelError.unknownLayer(tap, model: name, available: layerNames) }
            return (tap, i)
        }
        let depth = tapped.map(\.1).max() ?? -1
        try plan(image.shape, depth: depth, taps: Set(tapped.map(\.1)), banded: handler != nil)
        lastDepth = depth
        guard depth >= 0, let (first, second) = activations else { return [:] }
        var x = first.data, y = second.data
        Normalize.forward(image.data, image.shape, into: x)
        var start = 0
        bandedTap = nil
        if let bands, let handler {
            bandedTap = tapped.first { $0.1 == bands.firstReLU }?.0
            forwardBands(x, image.shape, into: y, tap: bandedTap.map { tap in { handler.features(tap, $0, $1, $2) } })
            swap(&x, &y)
            tapCopies[bands.pool]?.data.update(from: x, count: shapes[bands.pool].count)
            start = bands.pool + 1
        }
        for i in start..<(depth + 1) {
            let input = i == 0 ? image.shape : shapes[i - 1], count = shapes[i].count
            switch stages[i] {
            case .conv(let conv):
                conv.forward(x, input, into: y, workspace: workspace)
                swap(&x, &y)
            case .relu:
                records[i].withUnsafeMutableBufferPointer { ReLU.forward(x, count: count, mask: $0.baseAddress!) }
            case .pool(let g):
                switch pooling {
                case .max: records[i].withUnsafeMutableBufferPointer { MaxPool.forward(x, input, into: y, argmax: $0.baseAddress!, geometry: g) }
                case .avg: AvgPool.forward(x, input, into: y, geometry: g)
                }
                swap(&x, &y)
            case .fire(let fire):
                records[i].withUnsafeMutableBufferPointer {
                    fire.forward(x, input, into: y, masks: $0.baseAddress!, scratch: fireScratch!.data, workspace: workspace)
                }
                swap(&x, &y)
            }
            // Before the next stage: a tap followed by an in-place ReLU keeps its own values.
            tapCopies[i]?.data.update(from: x, count: count)
        }
        var result: [String: Tensor] = [:]
        for (tap, i) in tapped where tap != bandedTap { result[tap] = tapCopies[i]! }
        return result
    }

    private func backward(_ tapGradients: [String: Tensor], handler: TapBands?) -> Tensor {
        guard let imageShape, let (first, second) = activations, let imageGradient, lastDepth >= 0 else {
            preconditionFailure("\(name): backward needs a forward with taps first")
        }
        var byStage = [[Tensor]](repeating: [], count: stages.count)
        for (tap, gradient) in tapGradients {
            guard let i = index[tap], i <= lastDepth else { preconditionFailure("\(name): no gradient target \(tap) in the last forward") }
            precondition(gradient.shape == shapes[i], "\(name): gradient for \(tap) is \(gradient.shape), expected \(shapes[i])")
            byStage[i].append(gradient)
        }
        // Banded, the first block's tap is not in `tapGradients`: its gradient is made band by band (`handler`).
        let bandTap = bandedTap.map { tap in { handler!.gradient(tap, $0, $1, $2) } as (Tensor, Int, Range<Int>) -> Void }
        precondition(bandedTap == nil || handler != nil, "\(name): a banded forward needs its bands' handler back")
        guard let start = byStage.lastIndex(where: { !$0.isEmpty }) ?? (bandTap != nil ? bands!.pool : nil) else {
            imageGradient.fill(0)
            return imageGradient
        }
        // The forward's activations are spent (taps were copied out): their buffers take the gradient.
        var g = first.data, spare = second.data
        g.update(repeating: 0, count: shapes[start].count)
        for i in stride(from: start, through: 0, by: -1) {
            for t in byStage[i] { for j in 0..<t.count { g[j] += t.data[j] } }
            if let bands, i == bands.pool {
                backwardBands(g, imageShape, into: spare, tap: bandTap)
                Normalize.backward(spare, imageShape, into: imageGradient.data)
                return imageGradient
            }
            let input = i == 0 ? imageShape : shapes[i - 1]
            switch stages[i] {
            case .conv(let conv):
                conv.backward(g, input, into: spare, workspace: workspace)
                swap(&g, &spare)
            case .relu:
                records[i].withUnsafeBufferPointer { ReLU.backward(g, mask: $0.baseAddress!, count: shapes[i].count) }
            case .pool(let geometry):
                switch pooling {
                case .max: records[i].withUnsafeBufferPointer { MaxPool.backward(g, argmax: $0.baseAddress!, input, into: spare, geometry: geometry) }
                case .avg: AvgPool.backward(g, input, into: spare, geometry: geometry)
                }
                swap(&g, &spare)
            case .fire(let fire):
                records[i].withUnsafeBufferPointer {
                    fire.backward(g, input, into: spare, masks: $0.baseAddress!, scratch: fireScratch!.data, workspace: workspace)
                }
                swap(&g, &spare)
            }
        }
        Normalize.backward(g, imageShape, into: imageGradient.data)
        return imageGradient
    }

    /// Allocates the `BufferPlan` for this image, the deepest stage planned at this size and these taps, the first
    /// block in bands if `banded` and it can be. A new size frees the last one's buffers first; the tap copies and
    /// the bands follow the taps of every call.
    private func plan(_ image: Shape, depth: Int, taps wanted: Set<Int>, banded: Bool) throws {
        if image != imageShape {
            shapes = layout.outputShapes(for: image)
            imageShape = image
            planned = -1
            activations = nil
            imageGradient = nil
            tapCopies = [:]
            records = Array(repeating: [], count: stages.count)
            fireScratch = nil
            workspace = Workspace()
            lastDepth = -1
            bands = nil
            bandBuffers = nil
        }
        if depth >= 0 && shapes[depth].count == 0 {
            throw ModelError.imageTooSmall(image, model: name, minimum: minimumSize(depth: depth))
        }
        planned = max(planned, depth)
        guard planned >= 0 else { return }
        let bands = banded ? PrefixBands(layout: layout, image: image, taps: wanted, depth: depth, pooling: pooling, budget: bandBudget) : nil
        if bands != self.bands {
            self.bands = bands
            bandBuffers = bands.map { BandBuffers($0, image: image) }
        }
        let plan = BufferPlan(layout: layout, shapes: shapes, image: image, depth: planned, taps: wanted, pooling: pooling,
                              bands: bands) { i, input in
            switch stages[i] {
            case .conv(let conv): return conv.workspaceSize(input)
            case .fire(let fire): return fire.workspaceSize(input)
            case .relu, .pool: return 0
            }
        }
        func floats(_ count: Int) -> Tensor { Tensor(Shape(channels: 1, height: 1, width: count)) }
        if activations?.0.count != plan.activations { activations = (floats(plan.activations), floats(plan.activations)) }
        if imageGradient == nil { imageGradient = Tensor(image) }
        if plan.fireScratch > 0 && fireScratch?.count != plan.fireScratch { fireScratch = floats(plan.fireScratch) }
        workspace.reserve(plan.workspace)
        for (i, bytes) in plan.records.enumerated() where records[i].count != bytes { records[i] = [UInt8](repeating: 0, count: bytes) }
        tapCopies = tapCopies.filter { plan.taps[$0.key] != nil }
        for i in plan.taps.keys where tapCopies[i] == nil { tapCopies[i] = Tensor(shapes[i]) }
    }

    /// The smallest square side that keeps stage `depth` at least 1×1.
    private func minimumSize(depth: Int) -> Int {
        (1...4096).first { layout.outputShapes(for: Shape(channels: 3, height: $0, width: $0))[depth].count > 0 } ?? 4096
    }
}
