@testable import Weights

// safetensors: header length, JSON header, dtype/shape/offsets against the data.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafetensors(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    refusesOnlyWithWeightsError(data, size) { bytes in
        _ = try bytes.withUnsafeBytes { try Safetensors.parse($0, file: "fuzz") }
    }
}
