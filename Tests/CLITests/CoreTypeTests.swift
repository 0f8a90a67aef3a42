import TensorCore
import XCTest

/// An `OPENBLAS_CORETYPE` naming a kernel this CPU cannot run is refused with a message, where OpenBLAS itself
/// would die of SIGILL at the first matrix product.
final class CoreTypeTests: XCTestCase {
    func testACoreTypeThisCPULacksIsRefusedNotCrashedOn() throws {
        let flags = try XCTUnwrap(CPUKernel.flagsOfThisCPU(), "no instruction-set flags in /proc/cpuinfo")
        // Bulldozer's kernels use AMD's FMA4, which no Intel CPU (nor AMD since Zen) has; the others cover the rest.
        let candidates = ["Bulldozer", "SapphireRapids", "SkylakeX", "Haswell"]
        let core = try XCTUnwrap(candidates.first { !CPUKernel.missingFlags(coreType: $0, cpuFlags: flags).isEmpty },
                                 "this CPU runs every kernel in \(candidates)")
        let run = try Stylize.run(["info"], environment: ["OPENBLAS_CORETYPE": core])
        XCTAssertEqual(run.status, 1, "expected an error exit, not a signal: \(run.error)")
        XCTAssertTrue(run.error.contains("OPENBLAS_CORETYPE=\(core)"), run.error)
        XCTAssertTrue(run.error.contains("unset OPENBLAS_CORETYPE"), run.error)
        XCTAssertFalse(run.error.contains("Illegal instruction"), run.error)
    }
}
