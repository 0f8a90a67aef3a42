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

    /// Exports `OPENBLAS_CORETYPE` for this CPU unless the user has set it. Returns where the value came from.
    @discardableResult
    static func configureEnvironment() -> Source {
        if let preset = getenv("OPENBLAS_CORETYPE"), !String(cString: preset).isEmpty { return .user }
        guard let core = coreTypeForThisCPU() else { return .openBLAS }
        setenv("OPENBLAS_CORETYPE", core, 1)
        return .cpuFeatures
    }

    /// The core type for the CPU this process runs on, read from `/proc/cpuinfo`.
    public static func coreTypeForThisCPU() -> String? {
        readCPUInfo().flatMap { coreType(cpuFlags: $0.flags, vendor: $0.vendor) }
    }

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
