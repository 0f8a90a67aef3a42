/// Floating-point element types a checkpoint may hold; all are widened to `Float` on load.
enum ScalarType: String {
    case float32, float16, bfloat16, float64

    var byteCount: Int {
        switch self {
        case .float32: return 4
        case .float16, .bfloat16: return 2
        case .float64: return 8
        }
    }

    init?(torchStorage name: String) {
        switch name {
        case "torch.FloatStorage": self = .float32
        case "torch.HalfStorage": self = .float16
        case "torch.BFloat16Storage": self = .bfloat16
        case "torch.DoubleStorage": self = .float64
        default: return nil
        }
    }

    /// numpy's type codes without their byte-order character (`f4`, `f2`, `f8`); the caller refuses big-endian data.
    init?(numpy code: String) {
        switch code {
        case "f4": self = .float32
        case "f2": self = .float16
        case "f8": self = .float64
        default: return nil
        }
    }

    init?(safetensors name: String) {
        switch name {
        case "F32": self = .float32
        case "F16": self = .float16
        case "BF16": self = .bfloat16
        case "F64": self = .float64
        default: return nil
        }
    }

    /// Decodes `count` little-endian elements starting at byte `offset` of `bytes` into `Float`s.
    /// The caller has checked the range.
    static func decode(_ type: ScalarType, _ bytes: UnsafeRawBufferPointer, offset: Int, count: Int) -> [Float] {
        guard count > 0 else { return [] }
        return [Float](unsafeUninitializedCapacity: count) { out, initialized in
            let base = bytes.baseAddress! + offset
            for i in 0 ..< count { out[i] = element(type, base, byteOffset: type.byteCount * i) }
            initialized = count
        }
    }

    /// The little-endian element at `byteOffset` from `base`, widened to `Float`. The caller has checked the range.
    @inline(__always)
    static func element(_ type: ScalarType, _ base: UnsafeRawPointer, byteOffset: Int) -> Float {
        switch type {
        case .float32: return Float(bitPattern: UInt32(littleEndian: base.loadUnaligned(fromByteOffset: byteOffset, as: UInt32.self)))
        case .float16: return Float(Float16(bitPattern: UInt16(littleEndian: base.loadUnaligned(fromByteOffset: byteOffset, as: UInt16.self))))
        case .bfloat16:
            return Float(bitPattern: UInt32(UInt16(littleEndian: base.loadUnaligned(fromByteOffset: byteOffset, as: UInt16.self))) << 16)
        case .float64: return Float(Double(bitPattern: UInt64(littleEndian: base.loadUnaligned(fromByteOffset: byteOffset, as: UInt64.self))))
        }
    }
}
