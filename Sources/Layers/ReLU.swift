import TensorCore

// ReLU in place, keeping for the backward pass only its mask: one bit per element (1/32 of the map's floats).
//   forward:  x (count floats) → max(x, 0), and mask bit i (byte i / 8, bit i % 8) = x[i] > 0; `maskBytes(count)` bytes
//   backward: dy → dx = dy where the mask bit is set, else 0 (in place on the gradient)
public enum ReLU {
    public static func maskBytes(_ count: Int) -> Int { (count + 7) / 8 }

    /// The mask is written in the clamping loop: eight lanes give one byte, lane j bit j.
    public static func forward(_ x: UnsafeMutablePointer<Float>, count: Int, mask: UnsafeMutablePointer<UInt8>) {
        Parallel.ranges(count / 8) { r in
            let v = UnsafeMutableRawPointer(x), lanes = SIMD8<UInt32>(1, 2, 4, 8, 16, 32, 64, 128)
            for i in r {
                let a = v.loadUnaligned(fromByteOffset: i * 32, as: SIMD8<Float>.self)
                mask[i] = UInt8(truncatingIfNeeded: SIMD8<UInt32>().replacing(with: lanes, where: a .> 0).wrappedSum())
                v.storeBytes(of: a.replacing(with: 0, where: a .< 0), toByteOffset: i * 32, as: SIMD8<Float>.self)
            }
        }
        let tail = count / 8 * 8
        guard tail < count else { return }
        var bits: UInt8 = 0
        for i in tail..<count {
            if x[i] > 0 { bits |= 1 << (i - tail) }
            if x[i] < 0 { x[i] = 0 }
        }
        mask[count / 8] = bits
    }

    /// `gradient` (dy on entry, dx on return) is masked by the forward's `mask`.
    public static func backward(_ gradient: UnsafeMutablePointer<Float>, mask: UnsafePointer<UInt8>, count: Int) {
        Parallel.ranges(count / 8) { r in
            // Bit j spread to all 32 bits of lane j and ANDed with the gradient's bits (0 is +0): shifts and masks
            // vectorise, a comparison of the spread byte did not (16 times slower).
            let g = UnsafeMutableRawPointer(gradient), shifts = SIMD8<UInt32>(0, 1, 2, 3, 4, 5, 6, 7)
            for i in r {
                let a = g.loadUnaligned(fromByteOffset: i * 32, as: SIMD8<UInt32>.self)
                let keep = 0 &- (SIMD8<UInt32>(repeating: UInt32(mask[i])) &>> shifts & 1)
                g.storeBytes(of: a & keep, toByteOffset: i * 32, as: SIMD8<UInt32>.self)
            }
        }
        let tail = count / 8 * 8
        for i in tail..<count where mask[count / 8] & (1 << (i - tail)) == 0 { gradient[i] = 0 }
    }
}
