import TensorCore

// ReLU, in place.
//   forward:  x (count floats) → max(x, 0)
//   backward: dy, y the forward output → dx = dy where y > 0, else 0 (in place on the gradient)
public enum ReLU {
    public static func forward(_ x: UnsafeMutablePointer<Float>, count: Int) {
        Parallel.ranges(count / 8) { r in
            let v = UnsafeMutableRawPointer(x)
            for i in r {
                let a = v.loadUnaligned(fromByteOffset: i * 32, as: SIMD8<Float>.self)
                v.storeBytes(of: a.replacing(with: 0, where: a .< 0), toByteOffset: i * 32, as: SIMD8<Float>.self)
            }
        }
        for i in (count / 8 * 8)..<count where x[i] < 0 { x[i] = 0 }
    }

    /// `gradient` (dy on entry, dx on return) is masked by the forward output `output`.
    public static func backward(_ gradient: UnsafeMutablePointer<Float>, output: UnsafePointer<Float>, count: Int) {
        Parallel.ranges(count / 8) { r in
            let g = UnsafeMutableRawPointer(gradient), y = UnsafeRawPointer(output)
            for i in r {
                let a = g.loadUnaligned(fromByteOffset: i * 32, as: SIMD8<Float>.self)
                let m = y.loadUnaligned(fromByteOffset: i * 32, as: SIMD8<Float>.self)
                g.storeBytes(of: a.replacing(with: 0, where: m .<= 0), toByteOffset: i * 32, as: SIMD8<Float>.self)
            }
        }
        for i in (count / 8 * 8)..<count where output[i] <= 0 { gradient[i] = 0 }
    }
}
