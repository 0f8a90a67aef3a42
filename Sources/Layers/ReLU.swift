import TensorCore

// ReLU, in place.
//   forward:  x (C×H×W) → max(x, 0)
//   backward: dy (C×H×W), y the forward output → dx = dy where y > 0, else 0
public enum ReLU {
    public static func forward(_ x: Tensor) {
        let p = x.data
        for i in 0..<x.count where p[i] < 0 { p[i] = 0 }
    }

    /// `gradient` (dy on entry, dx on return) is masked by the forward output `output`.
    public static func backward(_ gradient: Tensor, output: Tensor) {
        precondition(gradient.shape == output.shape, "ReLU backward: \(gradient.shape) vs \(output.shape)")
        let g = gradient.data, y = output.data
        for i in 0..<gradient.count where y[i] <= 0 { g[i] = 0 }
    }
}
