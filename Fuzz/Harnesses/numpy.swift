@testable import Weights

// Pickled nested dictionaries of numpy arrays (protocols 2–5), as NumpyCheckpoint reads them.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNumpy(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    refusesOnlyWithWeightsError(data, size) { _ = try NumpyCheckpoint.read($0, file: "fuzz") }
}
