@testable import Weights

// The pre-1.6 torch format: a run of pickles followed by raw storages.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTorchLegacy(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    refusesOnlyWithWeightsError(data, size) { _ = try TorchCheckpoint.readLegacy($0, file: "fuzz") }
}
