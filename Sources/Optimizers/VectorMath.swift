// The few vector operations the optimizers need, accumulated in Double so that long buffers of small
// gradients keep their precision.

@inline(__always)
func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Double {
    var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
    var i = 0
    while i + 4 <= n {
        s0 += Double(a[i]) * Double(b[i])
        s1 += Double(a[i + 1]) * Double(b[i + 1])
        s2 += Double(a[i + 2]) * Double(b[i + 2])
        s3 += Double(a[i + 3]) * Double(b[i + 3])
        i += 4
    }
    while i < n { s0 += Double(a[i]) * Double(b[i]); i += 1 }
    return (s0 + s1) + (s2 + s3)
}

/// y += alpha · x
@inline(__always)
func axpy(_ alpha: Double, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
    let a = Float(alpha)
    for i in 0..<n { y[i] += a * x[i] }
}

@inline(__always)
func maxAbs(_ a: UnsafePointer<Float>, _ n: Int) -> Float {
    var m: Float = 0
    for i in 0..<n { m = max(m, abs(a[i])) }
    return m
}

/// A heap buffer of `count` floats, zeroed, freed with its owner.
final class FloatBuffer {
    let count: Int
    let data: UnsafeMutablePointer<Float>

    init(_ count: Int) {
        self.count = count
        data = .allocate(capacity: max(count, 1))
        data.initialize(repeating: 0, count: max(count, 1))
    }

    deinit { data.deallocate() }

    var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: data, count: count) }
}
