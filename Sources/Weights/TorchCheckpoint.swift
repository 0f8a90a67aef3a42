import TensorCore

/// Reads `torch.save` files holding a state_dict: the zip format (`<prefix>/data.pkl` whose persistent ids name
/// storages stored as `<prefix>/data/<key>`) and the legacy format of the older torchvision downloads (a run of
/// pickles followed by the raw storages). Tensors are returned as row-major `Float` arrays under their state_dict
/// names.
enum TorchCheckpoint {
    static func isZip(_ bytes: [UInt8]) -> Bool { bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) }

    static func readZip(_ bytes: [UInt8], file: String) throws -> [String: WeightArray] {
        let zip = try ZipArchive(bytes, file: file)
        guard let pickleName = zip.entries.keys.filter({ $0.hasSuffix("data.pkl") }).min(by: { $0.count < $1.count }) else {
            throw WeightsError.unsupportedFormat(file: file, reason: "a ZIP file without data.pkl is not a torch checkpoint")
        }
        let prefix = String(pickleName.dropLast("data.pkl".count))
        if zip.entries[prefix + "byteorder"] != nil, try zip.data(prefix + "byteorder").elementsEqual("big".utf8) {
            throw WeightsError.unsupportedFormat(file: file, reason: "the checkpoint was saved big-endian")
        }
        var unpickler = Unpickler(Array(try zip.data(pickleName)), file: file) { pid in
            guard let t = pid.asTuple, t.count == 5, t[0].asString == "storage", case .global(let type) = t[1],
                  let key = t[2].asString, let numel = t[4].asInt
            else { throw WeightsError.corrupt(file: file, reason: "an unexpected persistent id") }
            return .torchStorage(TorchStorage(key: key, typeName: type, numel: numel))
        }
        // Tensors sharing a storage read (and CRC-check) it once.
        var storages: [String: ArraySlice<UInt8>] = [:]
        return try tensors(in: unpickler.load(), fileSize: bytes.count, file: file) { storage in
            if let read = storages[storage.key] { return read }
            let read = try zip.data(prefix + "data/" + storage.key)
            storages[storage.key] = read
            return read
        }
    }

    /// The pre-1.6 format: magic number, protocol version, system info, the state_dict pickle, the list of storage
    /// keys, then each storage as an 8-byte element count followed by its elements.
    static func readLegacy(_ bytes: [UInt8], file: String) throws -> [String: WeightArray] {
        let magic: [UInt8] = [0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19] // 0x1950a86a20f9469cfc6c
        var header = Unpickler(bytes, file: file)
        guard case .bigInt(magic) = try header.load() else {
            throw WeightsError.unsupportedFormat(file: file, reason: "not a torch checkpoint (no torch magic number)")
        }
        var next = Unpickler(bytes, file: file, start: header.position)
        guard try next.load().asInt == 1001 else {
            throw WeightsError.unsupportedFormat(file: file, reason: "unknown legacy torch protocol version")
        }
        var info = Unpickler(bytes, file: file, start: next.position)
        if case .dict(let d) = try info.load(), case .bool(false)? = d.value(forKey: "little_endian") {
            throw WeightsError.unsupportedFormat(file: file, reason: "the checkpoint was saved big-endian")
        }
        var storages: [String: TorchStorage] = [:]
        var main = Unpickler(bytes, file: file, start: info.position) { pid in
            guard let t = pid.asTuple, t.count == 6, t[0].asString == "storage", case .global(let type) = t[1],
                  let key = t[2].asString, let numel = t[4].asInt
            else { throw WeightsError.corrupt(file: file, reason: "an unexpected persistent id") }
            guard case .none = t[5] else {
                throw WeightsError.unsupportedFormat(file: file, reason: "storage views are not supported; re-save with torch.save")
            }
            let storage = TorchStorage(key: key, typeName: type, numel: numel)
            storages[key] = storage
            return .torchStorage(storage)
        }
        let root = try main.load()
        var keysPickle = Unpickler(bytes, file: file, start: main.position)
        guard let keys = try keysPickle.load().asTuple?.compactMap(\.asString) else {
            throw WeightsError.corrupt(file: file, reason: "no storage key list")
        }
        var r = ByteReader(bytes, file: file, position: keysPickle.position)
        var data: [String: ArraySlice<UInt8>] = [:]
        for key in keys {
            guard let storage = storages[key] else { throw WeightsError.corrupt(file: file, reason: "storage \(key) is never used") }
            let count = try r.length(8, "storage \(key)")
            guard count == storage.numel else { throw WeightsError.corrupt(file: file, reason: "storage \(key) has a wrong size") }
            let (bytesNeeded, overflow) = count.multipliedReportingOverflow(by: storage.scalar?.byteCount ?? 1)
            guard !overflow else { throw WeightsError.truncated(file: file, context: "storage \(key)") }
            data[key] = try r.take(bytesNeeded, "storage \(key)")
        }
        return try tensors(in: root, fileSize: bytes.count, file: file) { storage in
            guard let bytes = data[storage.key] else { throw WeightsError.corrupt(file: file, reason: "storage \(storage.key) is missing") }
            return bytes
        }
    }

    /// The tensors of a state_dict (or of the `state_dict` entry of a training checkpoint). Views may share a
    /// storage, so together they hold at most as many elements as the file has bytes (an element takes at least
    /// two): many views of one large storage cannot multiply a file into gigabytes.
    private static func tensors(in root: PickleValue, fileSize: Int, file: String,
                                storageBytes: (TorchStorage) throws -> ArraySlice<UInt8>) throws -> [String: WeightArray] {
        guard case .dict(var dict) = root else {
            throw WeightsError.unsupportedFormat(file: file, reason: "the checkpoint holds a \(root.typeName), not a state_dict")
        }
        if case .dict(let inner)? = dict.value(forKey: "state_dict") { dict = inner }
        var result: [String: WeightArray] = [:]
        var elements = 0
        for (key, value) in dict.entries {
            guard let name = key.asString, case .torchTensor(let tensor) = value else { continue }
            let array = try materialize(tensor, name: name, bytes: storageBytes(tensor.storage), file: file)
            elements += array.values.count
            guard elements <= fileSize else {
                throw WeightsError.corrupt(file: file, reason: "its tensors hold more elements (\(elements) by tensor \(name)) "
                    + "than the file has bytes (\(fileSize)); views share one storage over and over")
            }
            result[name] = array
        }
        guard !result.isEmpty else { throw WeightsError.unsupportedFormat(file: file, reason: "the checkpoint holds no tensors") }
        return result
    }

    /// Gathers a strided view of a storage into a row-major array, checking every index stays inside the storage.
    private static func materialize(_ t: TorchTensor, name: String, bytes: ArraySlice<UInt8>, file: String) throws -> WeightArray {
        guard let scalar = t.storage.scalar else {
            throw WeightsError.unsupportedFormat(file: file, reason: "tensor \(name) is stored as \(t.storage.typeName); "
                + "only floating-point tensors are supported")
        }
        guard t.storage.numel >= 0, t.storage.numel <= bytes.count / scalar.byteCount else {
            throw WeightsError.truncated(file: file, context: "the storage of tensor \(name)")
        }
        guard t.offset >= 0, t.size.allSatisfy({ $0 >= 0 && $0 <= 1 << 31 }), t.stride.allSatisfy({ $0 >= 0 && $0 <= 1 << 40 }) else {
            throw WeightsError.corrupt(file: file, reason: "tensor \(name) has a negative or huge size, stride or offset")
        }
        // Sizes, strides and offset come from the file: every product and sum is checked, as an overflow traps.
        let tooLarge = WeightsError.corrupt(file: file, reason: "tensor \(name) is impossibly large")
        var count = 1, last = t.offset
        for (n, s) in zip(t.size, t.stride) {
            let (c, o) = count.multipliedReportingOverflow(by: n)
            guard !o, c <= 1 << 34 else { throw tooLarge }
            count = c
            let (reach, o1) = max(n - 1, 0).multipliedReportingOverflow(by: s)
            let (sum, o2) = last.addingReportingOverflow(reach)
            guard !o1, !o2 else { throw tooLarge }
            last = sum
        }
        if count == 0 { return WeightArray(shape: t.size, values: []) }
        guard last < t.storage.numel else {
            throw WeightsError.corrupt(file: file, reason: "tensor \(name) reaches past the end of its storage")
        }
        // A stride-0 (broadcast) view could otherwise turn a storage of a few bytes into gigabytes.
        guard count <= t.storage.numel else {
            throw WeightsError.corrupt(file: file, reason: "tensor \(name) has \(count) elements but its storage holds "
                + "only \(t.storage.numel) (a broadcast view; re-save it with .contiguous())")
        }
        let contiguous = zip(t.size, t.stride).reversed().reduce((true, 1)) { acc, d in
            (acc.0 && (d.0 <= 1 || d.1 == acc.1), acc.1 * d.0)
        }.0
        return bytes.withUnsafeBytes { storage in
            if contiguous {
                return WeightArray(shape: t.size, values: ScalarType.decode(scalar, storage, offset: t.offset * scalar.byteCount, count: count))
            }
            // Only the viewed elements are decoded, so the work follows the view's size, not its storage's.
            var values = [Float](repeating: 0, count: count)
            var index = [Int](repeating: 0, count: t.size.count)
            for i in 0 ..< count {
                var source = t.offset
                for d in 0 ..< index.count { source += index[d] * t.stride[d] }
                values[i] = ScalarType.element(scalar, storage.baseAddress!, byteOffset: source * scalar.byteCount)
                var d = index.count - 1
                while d >= 0 { index[d] += 1; if index[d] < t.size[d] { break }; index[d] = 0; d -= 1 }
            }
            return WeightArray(shape: t.size, values: values)
        }
    }
}
