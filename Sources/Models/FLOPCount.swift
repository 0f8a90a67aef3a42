import Layers
import TensorCore

extension Architecture {
    /// Multiply-add FLOPs (2 per MAC) of the direct convolutions from the input through `layer` at this size:
    /// forward 2·Cin·Cout·K²·Ho·Wo per convolution, and the same for backward, the first convolution included
    /// (style transfer needs the gradient with respect to the pixels). Nil if the layer does not exist.
    public func convolutionFLOPs(through layer: String, width: Int, height: Int) -> (forward: Double, backward: Double)? {
        let stages = layout.stages
        guard let depth = stages.firstIndex(where: { $0.name == layer }) ?? Int(layer.dropFirst("features.".count)).flatMap({
            layer.hasPrefix("features.") && $0 < stages.count ? $0 : nil
        }) else { return nil }
        var h = height, w = width, forward = 0.0, backward = 0.0
        func conv(_ cin: Int, _ cout: Int, _ k: Int, _ s: Int, _ p: Int) {
            h = (h + 2 * p - k) / s + 1
            w = (w + 2 * p - k) / s + 1
            let flops = 2 * Double(cin * cout * k * k) * Double(max(h, 0) * max(w, 0))
            forward += flops
            backward += flops
        }
        for stage in stages[0...depth] {
            switch stage.spec {
            case let .conv(_, cin, cout, k, s, p): conv(cin, cout, k, s, p)
            case .relu: break
            case .pool(let g):
                h = h >= g.kernel ? g.outputLength(h) : 0
                w = w >= g.kernel ? g.outputLength(w) : 0
            case let .fire(_, cin, sq, e1, e3):
                let (h0, w0) = (h, w)
                conv(cin, sq, 1, 1, 0); (h, w) = (h0, w0)
                conv(sq, e1, 1, 1, 0); (h, w) = (h0, w0)
                conv(sq, e3, 3, 1, 1)
            }
        }
        return (forward, backward)
    }
}
