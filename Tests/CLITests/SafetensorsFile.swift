import Foundation

/// Writes a safetensors file by hand (8-byte little-endian header length, JSON header, raw little-endian floats),
/// so the CLI tests can hand `--model` a weights file of their own making.
enum SafetensorsFile {
    static func write(_ tensors: [(name: String, shape: [Int], values: [Float])], to path: String) throws {
        var entries: [String] = [], offset = 0
        for tensor in tensors {
            entries.append(#""\#(tensor.name)":{"dtype":"F32","shape":\#(tensor.shape),"data_offsets":[\#(offset),\#(offset + 4 * tensor.values.count)]}"#)
            offset += 4 * tensor.values.count
        }
        let header = Data(("{" + entries.joined(separator: ",") + "}").utf8)
        var file = Data()
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { file.append(contentsOf: $0) }
        file.append(header)
        for tensor in tensors {
            tensor.values.map(\.bitPattern.littleEndian).withUnsafeBytes { file.append(contentsOf: $0) }
        }
        try file.write(to: URL(fileURLWithPath: path))
    }
}
