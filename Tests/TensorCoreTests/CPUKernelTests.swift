import TensorCore
import XCTest

final class CPUKernelTests: XCTestCase {
    func testAVX512CPUsGetTheSkylakeXKernel() {
        let flags: Set = ["sse2", "avx", "avx2", "fma", "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]
        XCTAssertEqual(CPUKernel.coreType(cpuFlags: flags, vendor: "GenuineIntel"), "SkylakeX")
    }

    func testAVX2CPUsGetTheHaswellClassKernel() {
        let flags: Set = ["sse2", "avx", "avx2", "fma"]
        XCTAssertEqual(CPUKernel.coreType(cpuFlags: flags, vendor: "GenuineIntel"), "Haswell")
        XCTAssertEqual(CPUKernel.coreType(cpuFlags: flags, vendor: "AuthenticAMD"), "Zen")
    }

    func testPartialAVX512IsNotEnough() {
        let flags: Set = ["avx2", "fma", "avx512f"]
        XCTAssertEqual(CPUKernel.coreType(cpuFlags: flags, vendor: "GenuineIntel"), "Haswell")
        XCTAssertNil(CPUKernel.coreType(cpuFlags: ["sse2", "avx"], vendor: "GenuineIntel"))
    }

    func testTheLoadedKernelIsTheOneChosenAndFast() throws {
        let info = try BLAS.load()
        XCTAssertNotEqual(info.coreName, "Prescott", "OpenBLAS fell back to its generic kernel")
        // Two threads of any AVX2 kernel exceed 30 GFLOP/s; the generic Prescott kernel stays below 28.
        XCTAssertGreaterThan(SgemmRate.measure(size: 512, seconds: 0.3), 30)
    }
}
