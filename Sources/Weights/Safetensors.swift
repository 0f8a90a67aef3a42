import AtomicFiles
import Foundation
import TensorCore

/// The safetensors format, the store's cache format: an 8-byte little-endian header length, a JSON header mapping
/// each tensor to its dtype, shape and byte range, then the raw little-endian data. Files are memory-mapped on read.
public enum Safetensors {
    public static func read(_ path: String) throws -> (weights: WeightSet, metadata: [String: String]) {
        try RegularFile.data(path, mapped: true).withUnsafeBytes { try parse($0, file: path) }
    }

    static func isSafetensors(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 9 && bytes[8] == UInt8(ascii: "{")
    }

    /// The `__metadata__` of a file, reading only its header (`models list` shows it for every installed model).
    static func metadata(of path: String) throws -> [String: String] {
        guard let handle = FileHandle(forReadingAtPath: path) else { return [:] }
        defer { try? handle.close() }
        let head = handle.readData(ofLength: 8)
        guard head.count == 8 else { return [:] }
        let length = head.enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        guard length < 1 << 20 else { return [:] }
        let bytes = head + handle.readData(ofLength: length)
        return try bytes.withUnsafeBytes { strings(try header($0, file: path).entries["__metadata__"]) }
    }

    /// The header's JSON object and where the tensor data begins; `bytes` may end right after the header.
    private static func header(_ bytes: UnsafeRawBufferPointer, file: String) throws -> (entries: [String: Any], dataStart: Int) {
        guard bytes.count >= 8 else { throw WeightsError.truncated(file: file, context: "the safetensors header length") }
        var headerLength: UInt64 = 0
        for i in 0 ..< 8 { headerLength |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard headerLength <= UInt64(min(bytes.count - 8, 100 << 20)) else {
            throw WeightsError.truncated(file: file, context: "the safetensors header")
        }
        let dataStart = 8 + Int(headerLength)
        guard let entries = try? JSONSerialization.jsonObject(with: Data(bytes[8 ..< dataStart])) as? [String: Any] else {
            throw WeightsError.corrupt(file: file, reason: "the safetensors header is not a JSON object")
        }
        return (entries, dataStart)
    }

    private static func strings(_ metadata: Any?) -> [String: String] {
        (metadata as? [String: Any])?.compactMapValues { $0 as? String } ?? [:]
    }

    static func parse(_ bytes: UnsafeRawBufferPointer, file: String) throws -> (weights: WeightSet, metadata: [String: String]) {
        let (header, dataStart) = try header(bytes, file: file)
        let dataSize = bytes.count - dataStart
        var weights: WeightSet = [:]
        var metadata: [String: String] = [:]
        for (name, entry) in header {
            if name == "__metadata__" {
                metadata = strings(entry)
                continue
            }
            guard let info = entry as? [String: Any], let dtype = info["dtype"] as? String,
                  let shape = (info["shape"] as? [Any])?.compactMap(count),
                  let offsets = (info["data_offsets"] as? [Any])?.compactMap(count),
                  offsets.count == 2, shape.count == (info["shape"] as? [Any])?.count
            else { throw WeightsError.corrupt(file: file, reason: "tensor \(name) has a malformed header entry") }
            guard let scalar = ScalarType(safetensors: dtype) else {
                throw WeightsError.unsupportedFormat(file: file, reason: "tensor \(name) has dtype \(dtype); only F32/F16/BF16/F64 are supported")
            }
            var count = 1
            for n in shape {
                let (c, o) = count.multipliedReportingOverflow(by: n)
                guard n >= 0, !o, c <= 1 << 34 else { throw WeightsError.corrupt(file: file, reason: "tensor \(name) has shape \(shape)") }
                count = c
            }
            let (begin, end) = (offsets[0], offsets[1])
            guard begin >= 0, begin <= end, end <= dataSize else {
                throw WeightsError.truncated(file: file, context: "the data of tensor \(name)")
            }
            guard end - begin == count * scalar.byteCount else {
                throw WeightsError.corrupt(file: file, reason: "tensor \(name) has \(end - begin) bytes for shape \(shape) \(dtype)")
            }
            weights[name] = WeightArray(shape: shape, values: ScalarType.decode(scalar, bytes, offset: dataStart + begin, count: count))
        }
        return (weights, metadata)
    }

    /// A JSON number that is a whole count small enough to be a size or an offset.
    private static func count(_ value: Any) -> Int? {
        guard let d = (value as? NSNumber)?.doubleValue, d >= 0, d <= 1e15, d == d.rounded() else { return nil }
        return Int(d)
    }

    /// Writes `weights` as F32, tensors in name order, to a temporary file beside `path`, renamed when complete.
    public static func write(_ weights: WeightSet, metadata: [String: String] = [:], to path: String) throws {
        let out = try encode(weights, metadata: metadata)
        try WeightsError.writing { try AtomicFile.write(out, to: path) }
    }

    /// The file's bytes, built in memory so the model store can name the file by its checksum before writing it.
    static func encode(_ weights: WeightSet, metadata: [String: String] = [:]) throws -> Data {
        let names = weights.keys.sorted()
        var header: [String: Any] = [:]
        var offset = 0
        for name in names {
            let array = weights[name]!
            header[name] = ["dtype": "F32", "shape": array.shape, "data_offsets": [offset, offset + 4 * array.values.count]]
            offset += 4 * array.values.count
        }
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        json.append(contentsOf: [UInt8](repeating: 0x20, count: (8 - json.count % 8) % 8)) // keeps the data 8-byte aligned
        var out = Data(capacity: 8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(json)
        for name in names {
            weights[name]!.values.withUnsafeBufferPointer { values in
                if Int(1).littleEndian == 1 { out.append(UnsafeBufferPointer(start: values.baseAddress, count: values.count)) }
                else { for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { out.append(contentsOf: $0) } } }
            }
        }
        return out
    }
}
