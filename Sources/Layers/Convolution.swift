import TensorCore

/// A frozen convolution a network runs: forward with bias, backward to its input only.
public protocol Convolution: AnyObject {
    var inChannels: Int { get }
    var outChannels: Int { get }
    func outputShape(_ input: Shape) -> Shape
    /// Floats of `Workspace` one pass needs at this input shape.
    func workspaceSize(_ input: Shape) -> Int
    func forward(_ x: UnsafePointer<Float>, _ input: Shape, into y: UnsafeMutablePointer<Float>, workspace: Workspace)
    /// Writes dL/dx (shape `input`) from dL/dy (shape `outputShape(input)`).
    func backward(_ dy: UnsafePointer<Float>, _ input: Shape, into dx: UnsafeMutablePointer<Float>, workspace: Workspace)
}

/// Adds `bias[c]` to every element of plane `c`.
func addBias(_ bias: UnsafePointer<Float>, to y: UnsafeMutablePointer<Float>, channels: Int, planeSize: Int) {
    Parallel.ranges(channels) { r in
        for c in r {
            let b = bias[c], p = y + c * planeSize
            for i in 0..<planeSize { p[i] += b }
        }
    }
}
