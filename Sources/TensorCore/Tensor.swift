/// A batch-1 NCHW `Float` tensor with contiguous, 64-byte aligned storage it owns (or, for a view, borrows).
///
/// A class, not a struct: activations are large and are reused in place by the layers, so copies must be
/// explicit (`copy()`), never the accidental result of a mutation.
public final class Tensor: @unchecked Sendable {
    public let shape: Shape
    public let data: UnsafeMutablePointer<Float>
    private let owned: Bool

    /// A zero-filled tensor.
    public init(_ shape: Shape) {
        self.shape = shape
        owned = true
        let bytes = max(shape.count, 1) * MemoryLayout<Float>.stride
        let raw = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
        data = raw.bindMemory(to: Float.self, capacity: max(shape.count, 1))
    }

    public convenience init(channels: Int, height: Int, width: Int) {
        self.init(Shape(channels: channels, height: height, width: width))
    }

    /// A tensor holding `values`, which must have exactly `shape.count` elements.
    public convenience init(_ shape: Shape, values: [Float]) {
        precondition(values.count == shape.count, "\(values.count) values for shape \(shape)")
        self.init(shape)
        values.withUnsafeBufferPointer { data.update(from: $0.baseAddress!, count: shape.count) }
    }

    /// A tensor of `shape` over the floats at `data`, which its owner keeps alive while the view is used (a band
    /// of a larger buffer).
    public init(viewing data: UnsafeMutablePointer<Float>, _ shape: Shape) {
        self.shape = shape
        self.data = data
        owned = false
    }

    deinit { if owned { UnsafeMutableRawPointer(data).deallocate() } }

    public var count: Int { shape.count }
    public var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: data, count: count) }
    public var values: [Float] { Array(buffer) }

    /// Element `(c, y, x)`.
    public subscript(c: Int, y: Int, x: Int) -> Float {
        get { data[(c * shape.height + y) * shape.width + x] }
        set { data[(c * shape.height + y) * shape.width + x] = newValue }
    }

    public func copy() -> Tensor {
        let t = Tensor(shape)
        t.data.update(from: data, count: count)
        return t
    }

    public func copy(from other: Tensor) {
        precondition(other.shape == shape, "copy from \(other.shape) into \(shape)")
        data.update(from: other.data, count: count)
    }

    public func fill(_ value: Float) { buffer.update(repeating: value) }
}
