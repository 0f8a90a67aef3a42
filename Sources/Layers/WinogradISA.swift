import CWinograd
#if canImport(Glibc)
import Glibc
#endif

/// The instruction set the fused Winograd kernels (Sources/CWinograd) run with: the widest the CPU has, unless
/// `STYLIZE_ISA` names one. All three are the same C source compiled at three vector widths.
public enum WinogradISA: Int32, CaseIterable, Sendable, CustomStringConvertible {
    /// 4-wide vectors of the baseline target (SSE2 on x86-64, NEON on ARM): CPUs without AVX2.
    case generic = 0
    case avx2 = 1
    case avx512 = 2

    public var description: String {
        switch self {
        case .generic: return "generic"
        case .avx2: return "avx2"
        case .avx512: return "avx512"
        }
    }

    /// Whether this CPU and its operating system run it (checked with cpuid, so a missing set is refused, not a SIGILL).
    public var isSupported: Bool { cwino_supported(rawValue) != 0 }

    /// The widest set this CPU runs.
    public static var best: WinogradISA { [.avx512, .avx2].first { $0.isSupported } ?? .generic }

    /// `STYLIZE_ISA` (avx2, avx512 or generic) if set, else `best`; an unknown name or a set this CPU lacks is an error.
    public static func fromEnvironment() throws(WinogradISAError) -> WinogradISA {
        guard let raw = getenv("STYLIZE_ISA"), !String(cString: raw).isEmpty else { return best }
        let name = String(cString: raw).lowercased()
        guard let isa = allCases.first(where: { $0.description == name }) else { throw .unknown(name) }
        guard isa.isSupported else { throw .unsupported(isa) }
        return isa
    }

    /// The set every Winograd layer uses unless given one. `stylize` refuses a bad `STYLIZE_ISA` at start
    /// (`fromEnvironment`); code that skips that check gets `best`.
    public static let active: WinogradISA = (try? fromEnvironment()) ?? best
}

public enum WinogradISAError: Error, CustomStringConvertible {
    case unknown(String)
    case unsupported(WinogradISA)

    public var description: String {
        switch self {
        case .unknown(let name):
            return "STYLIZE_ISA=\(name) is not an instruction set Stylize has; use avx2, avx512 or generic, or unset it to pick the best"
        case .unsupported(let isa):
            return "STYLIZE_ISA=\(isa): this CPU does not support \(isa) (best here: \(WinogradISA.best)); unset STYLIZE_ISA or choose one it supports"
        }
    }
}
