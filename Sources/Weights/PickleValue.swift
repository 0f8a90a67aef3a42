/// What the safe unpickler builds. Only plain data and the few objects a weights file needs exist here: there is
/// no way to represent, let alone call, an arbitrary Python object.
indirect enum PickleValue {
    case none
    case bool(Bool)
    case int(Int)
    /// An integer wider than 64 bits, kept as its little-endian two's-complement bytes (the legacy torch magic).
    case bigInt([UInt8])
    case float(Double)
    case string(String)
    case bytes([UInt8])
    case tuple([PickleValue], depth: Int)
    case list(PickleList)
    case dict(PickleDict)
    /// An allow-listed class or function used as a value, e.g. `numpy.ndarray` or `torch.FloatStorage`.
    case global(String)
    case numpyArray(NumpyArray)
    case numpyDType(NumpyDType)
    case torchStorage(TorchStorage)
    case torchTensor(TorchTensor)

    var typeName: String {
        switch self {
        case .none: return "None"
        case .bool: return "bool"
        case .int, .bigInt: return "int"
        case .float: return "float"
        case .string: return "str"
        case .bytes: return "bytes"
        case .tuple: return "tuple"
        case .list: return "list"
        case .dict: return "dict"
        case .global(let name): return name
        case .numpyArray: return "numpy.ndarray"
        case .numpyDType: return "numpy.dtype"
        case .torchStorage: return "torch storage"
        case .torchTensor: return "torch.Tensor"
        }
    }

    var asInt: Int? { if case .int(let v) = self { return v } else { return nil } }
    var asString: String? { if case .string(let v) = self { return v } else { return nil } }
    var asTuple: [PickleValue]? {
        switch self {
        case .tuple(let items, _): return items
        case .list(let list): return list.items
        default: return nil
        }
    }
}

/// Lists and dictionaries are filled after they are created (APPEND, SETITEMS), so they are references. Once
/// placed inside another container they are sealed: a later mutation would allow cycles or unbounded nesting, which
/// no weights file needs, so the unpickler refuses it.
final class PickleList {
    var items: [PickleValue] = []
    var depth = 1
    var sealed = false
}

final class PickleDict {
    var entries: [(key: PickleValue, value: PickleValue)] = []
    var depth = 1
    var sealed = false

    func value(forKey key: String) -> PickleValue? {
        entries.first { $0.key.asString == key }?.value
    }
}

/// A numpy array from `_reconstruct` + `__setstate__`: shape, element type and raw C-order bytes.
final class NumpyArray {
    var shape: [Int] = []
    var dtype: NumpyDType?
    var fortranOrder = false
    var data: [UInt8] = []
    var built = false
}

/// A numpy dtype from `dtype(code, align, copy)` + `__setstate__` (which sets the byte order).
final class NumpyDType {
    let code: String
    var byteOrder: Character = "="
    init(code: String) { self.code = code }
}

/// A torch storage named by the checkpoint's persistent ids: a key into the archive and an element type.
struct TorchStorage {
    let key: String
    let typeName: String
    let numel: Int
    var scalar: ScalarType? { ScalarType(torchStorage: typeName) }
}

/// A strided view of a storage, from `torch._utils._rebuild_tensor_v2`.
struct TorchTensor {
    let storage: TorchStorage
    let offset: Int
    let size: [Int]
    let stride: [Int]
}
