import Layers
import TensorCore

// SqueezeNet fire module.
//   forward:  x Cin×H×W → s = relu(squeeze1×1(x)) S×H×W → y = [relu(expand1×1(s)), relu(expand3×3(s))] (E1+E3)×H×W
//   backward: dy → (split, mask) → ds = expand1×1ᵀ(dy₁) + expand3×3ᵀ(dy₃), masked by s → dx = squeezeᵀ(ds)
// Its inner maps are allocated once per input size and kept for the backward pass.
final class Fire {
    let squeeze: Conv2d, expand1x1: Conv2d, expand3x3: Convolution
    private var size: Shape?
    private var s, e1, e3, ds, scratch: UnsafeMutablePointer<Float>?

    init(squeeze: Conv2d, expand1x1: Conv2d, expand3x3: Convolution) {
        self.squeeze = squeeze
        self.expand1x1 = expand1x1
        self.expand3x3 = expand3x3
    }

    deinit { release() }

    func outputShape(_ input: Shape) -> Shape {
        Shape(channels: expand1x1.outChannels + expand3x3.outChannels, height: input.height, width: input.width)
    }

    func workspaceSize(_ input: Shape) -> Int {
        let inner = Shape(channels: squeeze.outChannels, height: input.height, width: input.width)
        return max(squeeze.workspaceSize(input), expand1x1.workspaceSize(inner), expand3x3.workspaceSize(inner))
    }

    func forward(_ x: UnsafePointer<Float>, _ input: Shape, into y: UnsafeMutablePointer<Float>, workspace: Workspace) {
        allocate(for: input)
        let plane = input.planeSize, inner = Shape(channels: squeeze.outChannels, height: input.height, width: input.width)
        guard let s, let e1, let e3 else { preconditionFailure("Fire: buffers missing after allocate(for: \(input))") }
        squeeze.forward(x, input, into: s, workspace: workspace)
        ReLU.forward(s, count: inner.count)
        expand1x1.forward(s, inner, into: e1, workspace: workspace)
        ReLU.forward(e1, count: expand1x1.outChannels * plane)
        expand3x3.forward(s, inner, into: e3, workspace: workspace)
        ReLU.forward(e3, count: expand3x3.outChannels * plane)
        Concat.forward(e1, channels: expand1x1.outChannels, e3, channels: expand3x3.outChannels, planeSize: plane, into: y)
    }

    /// Needs the same `input` shape as the last forward (whose inner maps it reads).
    func backward(_ dy: UnsafePointer<Float>, _ input: Shape, into dx: UnsafeMutablePointer<Float>, workspace: Workspace) {
        guard let s, let e1, let e3, let ds, let scratch, size == input else { preconditionFailure("Fire backward before forward") }
        let plane = input.planeSize, c1 = expand1x1.outChannels, c3 = expand3x3.outChannels
        let inner = Shape(channels: squeeze.outChannels, height: input.height, width: input.width)
        // scratch holds d(e1) then d(e3) side by side; ds is the squeeze output's gradient.
        Concat.backward(dy, planeSize: plane, into: scratch, channels: c1, scratch + c1 * plane, channels: c3)
        ReLU.backward(scratch, output: e1, count: c1 * plane)
        ReLU.backward(scratch + c1 * plane, output: e3, count: c3 * plane)
        expand1x1.backward(scratch, inner, into: ds, workspace: workspace)
        let dsFrom3x3 = scratch + (c1 + c3) * plane
        expand3x3.backward(scratch + c1 * plane, inner, into: dsFrom3x3, workspace: workspace)
        for i in 0..<inner.count { ds[i] += dsFrom3x3[i] }
        ReLU.backward(ds, output: s, count: inner.count)
        squeeze.backward(ds, input, into: dx, workspace: workspace)
    }

    private func allocate(for input: Shape) {
        if size == input { return }
        release()
        let plane = input.planeSize, sq = squeeze.outChannels * plane
        s = .allocate(capacity: sq)
        e1 = .allocate(capacity: expand1x1.outChannels * plane)
        e3 = .allocate(capacity: expand3x3.outChannels * plane)
        ds = .allocate(capacity: sq)
        scratch = .allocate(capacity: (expand1x1.outChannels + expand3x3.outChannels) * plane + sq)
        size = input
    }

    private func release() {
        for p in [s, e1, e3, ds, scratch] { p?.deallocate() }
        s = nil; e1 = nil; e3 = nil; ds = nil; scratch = nil
    }
}
