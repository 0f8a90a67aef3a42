import Layers
import TensorCore

// SqueezeNet fire module.
//   forward:  x Cin×H×W → s = relu(squeeze1×1(x)) S×H×W → y = relu([expand1×1(s), expand3×3(s)]) (E1+E3)×H×W
//   backward: dy, masked by y's bits → ds = expand1×1ᵀ(dy₁) + expand3×3ᵀ(dy₃), masked by s's bits → dx = squeezeᵀ(ds)
// The expand maps are written straight into their channels of y (channel concatenation is only that layout) and
// the backward pass needs only the two ReLUs' masks, which the caller keeps (`maskBytes`). The scratch
// (`scratchSize`: s in the forward, ds and the 3×3 branch's share in the backward) is not needed between passes,
// so one serves every module.
final class Fire {
    let squeeze: Conv2d, expand1x1: Conv2d, expand3x3: Convolution

    init(squeeze: Conv2d, expand1x1: Conv2d, expand3x3: Convolution) {
        self.squeeze = squeeze
        self.expand1x1 = expand1x1
        self.expand3x3 = expand3x3
    }

    /// Floats of scratch a pass needs: two squeeze-sized maps.
    static func scratchSize(squeeze: Int, _ input: Shape) -> Int { 2 * squeeze * input.planeSize }

    /// Bytes of the two masks, the squeeze map's then the output's.
    static func maskBytes(squeeze: Int, output: Int, _ input: Shape) -> Int {
        ReLU.maskBytes(squeeze * input.planeSize) + ReLU.maskBytes(output * input.planeSize)
    }

    var outputChannels: Int { expand1x1.outChannels + expand3x3.outChannels }

    func outputShape(_ input: Shape) -> Shape { Shape(channels: outputChannels, height: input.height, width: input.width) }

    func workspaceSize(_ input: Shape) -> Int {
        let inner = Shape(channels: squeeze.outChannels, height: input.height, width: input.width)
        return max(squeeze.workspaceSize(input), expand1x1.workspaceSize(inner), expand3x3.workspaceSize(inner))
    }

    func forward(
        _ x: UnsafePointer<Float>, _ input: Shape, into y: UnsafeMutablePointer<Float>, masks: UnsafeMutablePointer<UInt8>,
        scratch s: UnsafeMutablePointer<Float>, workspace: Workspace
    ) {
        let plane = input.planeSize, inner = Shape(channels: squeeze.outChannels, height: input.height, width: input.width)
        squeeze.forward(x, input, into: s, workspace: workspace)
        ReLU.forward(s, count: inner.count, mask: masks)
        expand1x1.forward(s, inner, into: y, workspace: workspace)
        expand3x3.forward(s, inner, into: y + expand1x1.outChannels * plane, workspace: workspace)
        ReLU.forward(y, count: outputChannels * plane, mask: masks + ReLU.maskBytes(inner.count))
    }

    /// Masks `dy` in place; needs the masks the last forward at this `input` shape wrote.
    func backward(
        _ dy: UnsafeMutablePointer<Float>, _ input: Shape, into dx: UnsafeMutablePointer<Float>, masks: UnsafePointer<UInt8>,
        scratch ds: UnsafeMutablePointer<Float>, workspace: Workspace
    ) {
        let plane = input.planeSize, inner = Shape(channels: squeeze.outChannels, height: input.height, width: input.width)
        ReLU.backward(dy, mask: masks + ReLU.maskBytes(inner.count), count: outputChannels * plane)
        expand1x1.backward(dy, inner, into: ds, workspace: workspace)
        let dsFrom3x3 = ds + inner.count
        expand3x3.backward(dy + expand1x1.outChannels * plane, inner, into: dsFrom3x3, workspace: workspace)
        for i in 0..<inner.count { ds[i] += dsFrom3x3[i] }
        ReLU.backward(ds, mask: masks, count: inner.count)
        squeeze.backward(ds, input, into: dx, workspace: workspace)
    }
}
