@testable import Weights

// torch.save's zip format: ZIP directory, data.pkl, storages, strided views.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTorchZip(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    refusesOnlyWithWeightsError(data, size) { _ = try TorchCheckpoint.readZip($0, file: "fuzz") }
}
