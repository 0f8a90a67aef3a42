import TensorCore

/// Window geometry shared by the pooling layers: square kernel, stride, no padding, torch's ceil mode.
public struct PoolGeometry: Sendable, Equatable {
    public let kernel: Int
    public let stride: Int
    public let ceilMode: Bool

    public init(kernel: Int, stride: Int, ceilMode: Bool = false) {
        precondition(kernel >= 1 && stride >= 1)
        self.kernel = kernel
        self.stride = stride
        self.ceilMode = ceilMode
    }

    /// Output length for an input length `n` (at least `kernel`). In ceil mode a last, partial window is
    /// kept only if it starts inside the input, as torch does.
    public func outputLength(_ n: Int) -> Int {
        let span = n - kernel
        var out = (ceilMode ? (span + stride - 1) / stride : span / stride) + 1
        if ceilMode && (out - 1) * stride >= n { out -= 1 }
        return out
    }

    public func outputShape(_ input: Shape) -> Shape {
        precondition(input.height >= kernel && input.width >= kernel, "pooling \(kernel)×\(kernel) on \(input)")
        return Shape(channels: input.channels, height: outputLength(input.height), width: outputLength(input.width))
    }

    /// The input rows (or columns) window `o` covers, clipped to the input.
    @inline(__always)
    func window(_ o: Int, _ n: Int) -> Range<Int> { o * stride ..< min(n, o * stride + kernel) }
}
