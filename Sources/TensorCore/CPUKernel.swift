#if canImport(Glibc)
import Glibc
#endif

/// Chooses OpenBLAS's CPU kernel from the instruction sets the kernel reports, before OpenBLAS loads.
///
/// Debian's OpenBLAS 0.3.21 does not know every CPU it meets: on some AVX-512 machines it falls back to the
/// generic "Prescott" kernel and runs sgemm 4× slower. It reads `OPENBLAS_CORETYPE` once, when it loads, so the
/// choice has to be made here, from `/proc/cpuinfo`, and exported before `BLAS` opens the library.
public enum CPUKernel {
    /// The core type Stylize asks for, or nil to let OpenBLAS detect it.
    public static func coreType(cpuFlags: Set<String>, vendor: String) -> String? {
        let avx512: Set = ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]
        if avx512.isSubset(of: cpuFlags) { return "SkylakeX" }
        if cpuFlags.contains("avx2") && cpuFlags.contains("fma") {
            return vendor == "AuthenticAMD" ? "Zen" : "Haswell"
        }
        return nil
    }

    /// The `/proc/cpuinfo` flags each x86-64 OpenBLAS core type's kernels use (keys lowercased: OpenBLAS matches
    /// the name without regard to case). A kernel run on a CPU without them dies of SIGILL at its first sgemm, so
    /// a user's `OPENBLAS_CORETYPE` is checked against this table first. Names not listed are left to OpenBLAS,
    /// which falls back to a generic kernel for names it does not know.
    static let requiredFlags: [String: Set<String>] = {
        let avx512: Set = ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]
        return [
            "prescott": ["pni"], "opteron_sse3": ["pni"], "barcelona": ["pni", "sse4a"],
            "core2": ["ssse3"], "atom": ["ssse3"], "nano": ["ssse3"],
            "penryn": ["sse4_1"], "dunnington": ["sse4_1"], "nehalem": ["sse4_2"],
            "sandybridge": ["avx"], "bulldozer": ["avx", "fma4"], "piledriver": ["avx", "fma", "fma4"],
            "steamroller": ["avx", "fma", "fma4"], "excavator": ["avx2", "fma", "fma4"],
            "haswell": ["avx2", "fma"], "zen": ["avx2", "fma"], "skylakex": avx512,
            "cooperlake": avx512.union(["avx512_bf16"]),
            "sapphirerapids": avx512.union(["avx512_bf16", "avx512_fp16", "amx_tile", "amx_bf16"]),
        ]
    }()

    /// The instruction sets `coreType` needs that a CPU with `cpuFlags` lacks, sorted; empty when it has them all
    /// or the name is not in the table.
    public static func missingFlags(coreType: String, cpuFlags: Set<String>) -> [String] {
        requiredFlags[coreType.lowercased()]?.subtracting(cpuFlags).sorted() ?? []
    }

    /// Exports `OPENBLAS_CORETYPE` for this CPU unless the user has set it, and refuses a user's core type this
    /// CPU cannot run. Returns where the value came from.
    @discardableResult
    static func configureEnvironment() throws(BLASError) -> Source {
        let cpu = readCPUInfo()
        if let preset = getenv("OPENBLAS_CORETYPE").map({ String(cString: $0) }), !preset.isEmpty {
            let missing = cpu.map { missingFlags(coreType: preset, cpuFlags: $0.flags) } ?? []
            guard missing.isEmpty else {
                throw .unsupportedCoreType(preset, missing: missing, suggestion: cpu.flatMap { coreType(cpuFlags: $0.flags, vendor: $0.vendor) })
            }
            return .user
        }
        guard let core = cpu.flatMap({ coreType(cpuFlags: $0.flags, vendor: $0.vendor) }) else { return .openBLAS }
        setenv("OPENBLAS_CORETYPE", core, 1)
        return .cpuFeatures
    }

    /// The core type for the CPU this process runs on, read from `/proc/cpuinfo`.
    public static func coreTypeForThisCPU() -> String? {
        readCPUInfo().flatMap { coreType(cpuFlags: $0.flags, vendor: $0.vendor) }
    }

    /// The instruction-set flags of the CPU this process runs on (`/proc/cpuinfo`), nil where there are none.
    public static func flagsOfThisCPU() -> Set<String>? { readCPUInfo()?.flags }

    public enum Source: String, Sendable {
        case user = "OPENBLAS_CORETYPE from the environment"
        case cpuFeatures = "chosen by Stylize from the CPU's instruction sets"
        case openBLAS = "detected by OpenBLAS"
    }

    private static func readCPUInfo() -> (flags: Set<String>, vendor: String)? {
        guard let file = fopen("/proc/cpuinfo", "r") else { return nil }
        defer { fclose(file) }
        var flags: Set<String>?
        var vendor = ""
        var line: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(line) }
        while flags == nil || vendor.isEmpty, getline(&line, &capacity, file) > 0, let line {
            let text = String(cString: line)
            guard let colon = text.firstIndex(of: ":") else { continue }
            let key = text[..<colon].trimmingCharacters(in: " \t")
            let value = text[text.index(after: colon)...].trimmingCharacters(in: " \t\n")
            if key == "flags" { flags = Set(value.split(separator: " ").map(String.init)) }
            if key == "vendor_id" { vendor = value }
        }
        return flags.map { ($0, vendor) }
    }
}

private extension StringProtocol {
    func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}
