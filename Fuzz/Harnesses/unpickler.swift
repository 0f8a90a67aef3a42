@testable import Weights

// The safe unpickler alone, with a persistent-id hook shaped like the torch zip reader's.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzUnpickler(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    refusesOnlyWithWeightsError(data, size) { bytes in
        var unpickler = Unpickler(bytes, file: "fuzz") { pid in
            guard let t = pid.asTuple, t.count >= 5, case .global(let type) = t[1], let key = t[2].asString,
                  let numel = t[4].asInt else { return .none }
            return .torchStorage(TorchStorage(key: key, typeName: type, numel: numel))
        }
        _ = try unpickler.load()
    }
}
