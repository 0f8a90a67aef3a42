import Models
@testable import Weights

/// Shared by the weights harnesses (the readers are built with -enable-testing, so their internal types are visible).
/// A reader may refuse its input only with a WeightsError, or a CheckpointError when the tensors do not fit a network;
/// anything else is a finding, reported as a crash.
func refusesOnlyWithWeightsError(_ data: UnsafePointer<UInt8>, _ size: Int, _ body: ([UInt8]) throws -> Void) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    do { try body(bytes) } catch is WeightsError {} catch is CheckpointError {} catch {
        fatalError("a reader threw something other than a WeightsError or CheckpointError: \(error)")
    }
    return 0
}
