#if canImport(Glibc)
import Glibc
#endif

/// OpenBLAS, opened at run time.
///
/// Linking it would load it before `main` and before `CPUKernel` could pick its kernel, so the library is
/// opened with `dlopen` on first use instead, after `OPENBLAS_CORETYPE` is set.
public enum BLAS {
    public struct Info: Sendable {
        public let library: String
        public let config: String
        public let coreName: String
        public let coreSource: CPUKernel.Source
        public let threads: Int
    }

    /// Opens OpenBLAS if it is not open yet; call early to turn a missing library into a clear error.
    public static func load() throws -> Info {
        let lib = try loaded.get()
        return Info(
            library: lib.path, config: String(cString: lib.getConfig()), coreName: String(cString: lib.getCoreName()),
            coreSource: lib.coreSource, threads: Int(lib.getNumThreads()))
    }

    public static func setThreads(_ n: Int) { library.setNumThreads(Int32(n)) }

    /// Row-major single-precision GEMM: `C = alpha · op(A) · op(B) + beta · C`, with `op(A)` m×k and `op(B)` k×n.
    @inline(__always)
    public static func sgemm(
        transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        library.sgemm(
            rowMajor, transA ? trans : noTrans, transB ? trans : noTrans, Int32(m), Int32(n), Int32(k),
            alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// Row-major symmetric rank-k update of the upper triangle: `C = alpha · A·Aᵀ + beta · C`, A n×k (half the
    /// FLOPs of the GEMM that writes both triangles).
    @inline(__always)
    public static func ssyrk(n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        library.ssyrk(rowMajor, upper, noTrans, Int32(n), Int32(k), alpha, a, Int32(lda), beta, c, Int32(ldc))
    }

    // CBLAS enumeration values, fixed by the CBLAS standard.
    private static let upper: Int32 = 121
    private static let rowMajor: Int32 = 101
    private static let noTrans: Int32 = 111
    private static let trans: Int32 = 112

    private static var library: Library {
        switch loaded {
        case .success(let lib): return lib
        case .failure(let error): preconditionFailure("\(error)")
        }
    }

    private static let loaded: Result<Library, BLASError> = Result { () throws(BLASError) in
        let lib = try Library.open()
        // OpenBLAS starts a thread per online core; the user's OPENBLAS_NUM_THREADS still wins.
        if getenv("OPENBLAS_NUM_THREADS") == nil && Int(lib.getNumThreads()) > CoreCount.available {
            lib.setNumThreads(Int32(CoreCount.available))
        }
        return lib
    }

    private struct Library: @unchecked Sendable {
        typealias Sgemm = @convention(c) (
            Int32, Int32, Int32, Int32, Int32, Int32, Float, UnsafePointer<Float>?, Int32,
            UnsafePointer<Float>?, Int32, Float, UnsafeMutablePointer<Float>?, Int32) -> Void
        typealias Ssyrk = @convention(c) (
            Int32, Int32, Int32, Int32, Int32, Float, UnsafePointer<Float>?, Int32, Float, UnsafeMutablePointer<Float>?, Int32) -> Void
        typealias GetString = @convention(c) () -> UnsafePointer<CChar>
        typealias GetInt = @convention(c) () -> Int32
        typealias SetInt = @convention(c) (Int32) -> Void

        let path: String
        let coreSource: CPUKernel.Source
        let sgemm: Sgemm
        let ssyrk: Ssyrk
        let getConfig: GetString
        let getCoreName: GetString
        let getNumThreads: GetInt
        let setNumThreads: SetInt

        static let candidates = [
            "libopenblas.so.0", "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0",
            "/usr/lib/aarch64-linux-gnu/openblas-pthread/libopenblas.so.0", "libopenblas.so",
        ]

        static func open() throws(BLASError) -> Library {
            let source = try CPUKernel.configureEnvironment()
            var missing: BLASError?
            for path in candidates {
                guard let handle = openFresh(path) else { continue }
                func symbol<T>(_ name: String, _: T.Type) throws(BLASError) -> T {
                    guard let p = dlsym(handle, name) else { throw .missingSymbol(name, path) }
                    return unsafeBitCast(p, to: T.self)
                }
                do throws(BLASError) {
                    return Library(
                        path: path, coreSource: source,
                        sgemm: try symbol("cblas_sgemm", Sgemm.self),
                        ssyrk: try symbol("cblas_ssyrk", Ssyrk.self),
                        getConfig: try symbol("openblas_get_config", GetString.self),
                        getCoreName: try symbol("openblas_get_corename", GetString.self),
                        getNumThreads: try symbol("openblas_get_num_threads", GetInt.self),
                        setNumThreads: try symbol("openblas_set_num_threads", SetInt.self))
                } catch {
                    // Not OpenBLAS (or an incomplete build): a later candidate may still be the real one.
                    dlclose(handle)
                    missing = missing ?? error
                }
            }
            throw missing ?? .notFound(candidates)
        }

        /// Opens `path` so that OpenBLAS initialises after `OPENBLAS_CORETYPE` was set. When another library
        /// already loaded it before `main` (libavfilter → libsphinxbase → libblas does, on Debian), its kernel
        /// was fixed then, from OpenBLAS's own detection; a private copy in a new link-map namespace
        /// (`dlmopen`) initialises again and reads the variable.
        private static func openFresh(_ path: String) -> UnsafeMutableRawPointer? {
            guard let loaded = dlopen(path, RTLD_NOW | RTLD_NOLOAD) else { return dlopen(path, RTLD_NOW | RTLD_GLOBAL) }
            dlclose(loaded)  // only a probe: drop the reference RTLD_NOLOAD took
            typealias DLMOpen = @convention(c) (Int, UnsafePointer<CChar>, Int32) -> UnsafeMutableRawPointer?
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "dlmopen") else { return dlopen(path, RTLD_NOW) }
            let newNamespace = -1  // LM_ID_NEWLM
            return unsafeBitCast(symbol, to: DLMOpen.self)(newNamespace, path, RTLD_NOW) ?? dlopen(path, RTLD_NOW)
        }
    }
}

public enum BLASError: Error, CustomStringConvertible {
    case notFound([String])
    case missingSymbol(String, String)
    /// `OPENBLAS_CORETYPE` names a kernel whose instructions (`missing`) this CPU lacks.
    case unsupportedCoreType(String, missing: [String], suggestion: String?)

    public var description: String {
        switch self {
        case .notFound:
            return "OpenBLAS is not installed (libopenblas.so.0 not found): install it with `apt-get install libopenblas0-pthread` or run Scripts/setup.sh"
        case .missingSymbol(let name, let path):
            return "\(path) has no symbol \(name): it is not OpenBLAS; install libopenblas0-pthread"
        case let .unsupportedCoreType(core, missing, suggestion):
            return "OPENBLAS_CORETYPE=\(core) names an OpenBLAS kernel that needs instructions this CPU lacks "
                + "(\(missing.joined(separator: ", "))) and would crash with an illegal instruction; unset OPENBLAS_CORETYPE"
                + (suggestion.map { " (Stylize then picks \($0) here)" } ?? " (OpenBLAS then detects the CPU)")
        }
    }
}
