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
        let shapes = layout.outputShapes(for: Shape(channels: 3, height: height, width: width))
        var flops = 0.0
        for (i, stage) in stages[0...depth].enumerated() {
            let output = Double(shapes[i].height * shapes[i].width)
            switch stage.spec {
            case let .conv(_, cin, cout, k, _, _): flops += 2 * Double(cin * cout * k * k) * output
            case let .fire(_, cin, sq, e1, e3): flops += 2 * Double(cin * sq + sq * e1 + sq * e3 * 9) * output
            case .relu, .pool: break
            }
        }
        return (flops, flops)
    }
}
