@testable import Weights

// The ZIP reader: end records (ZIP64 too), central directory, local headers and CRC of every entry.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzZip(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    refusesOnlyWithWeightsError(data, size) { bytes in
        let zip = try ZipArchive(bytes, file: "fuzz")
        for name in zip.entries.keys.sorted() { _ = try? zip.data(name) }
    }
}
