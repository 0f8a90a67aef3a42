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

    func testACoreTypeIsCheckedAgainstTheInstructionsItsKernelsUse() {
        let avx2: Set = ["sse2", "pni", "ssse3", "sse4_1", "sse4_2", "avx", "avx2", "fma"]
        XCTAssertEqual(CPUKernel.missingFlags(coreType: "SkylakeX", cpuFlags: avx2),
                       ["avx512bw", "avx512cd", "avx512dq", "avx512f", "avx512vl"])
        XCTAssertEqual(CPUKernel.missingFlags(coreType: "bulldozer", cpuFlags: avx2), ["fma4"], "OpenBLAS ignores case")
        XCTAssertEqual(CPUKernel.missingFlags(coreType: "HASWELL", cpuFlags: avx2), [])
        XCTAssertEqual(CPUKernel.missingFlags(coreType: "Sandybridge", cpuFlags: ["sse2"]), ["avx"])
        XCTAssertEqual(CPUKernel.missingFlags(coreType: "NoSuchCore", cpuFlags: []), [], "unknown names are OpenBLAS's to handle")
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
