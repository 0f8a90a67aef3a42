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

    func testOpenBLASRunsTheKernelChosenForThisCPU() throws {
        let info = try BLAS.load()
        // OPENBLAS_CORETYPE set by the user wins, whatever it names.
        if info.coreSource == .user { return XCTAssertFalse(info.coreName.isEmpty, "OpenBLAS reports no core name") }
        guard let chosen = CPUKernel.coreTypeForThisCPU() else {
            return XCTAssertEqual(info.coreSource, .openBLAS, "no AVX2 here: the choice is left to OpenBLAS")
        }
        XCTAssertNotEqual(info.coreName.lowercased(), "prescott", "OpenBLAS fell back to its generic kernel")
        XCTAssertEqual(info.coreSource, .cpuFeatures)
        XCTAssertEqual(info.coreName.lowercased(), chosen.lowercased())
    }
}
