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

    // Double precision, for the C×C matrix functions of the style statistics (Wasserstein.swift): their square
    // roots hinge on eigenvalues below float's rounding of the largest.

    /// Row-major triangular product in place: `B = alpha · op(U)·B` (m×n B, m×m U), or `B = alpha · B·op(U)` (n×n U)
    /// when `right`, U upper triangular (its lower triangle is not read).
    @inline(__always)
    public static func dtrmm(
        right: Bool = false, transA: Bool = false, m: Int, n: Int, alpha: Double = 1, a: UnsafePointer<Double>, lda: Int,
        b: UnsafeMutablePointer<Double>, ldb: Int
    ) {
        library.dtrmm(
            rowMajor, right ? rightSide : leftSide, upper, transA ? trans : noTrans, nonUnit, Int32(m), Int32(n), alpha, a, Int32(lda),
            b, Int32(ldb))
    }

    /// Row-major symmetric rank-k update of the upper triangle, as `ssyrk`: `C = alpha · A·Aᵀ + beta · C` with A n×k,
    /// or `C = alpha · Aᵀ·A + beta · C` with A k×n when `transA`.
    @inline(__always)
    public static func dsyrk(
        transA: Bool = false, n: Int, k: Int, alpha: Double, a: UnsafePointer<Double>, lda: Int, beta: Double,
        c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        library.dsyrk(rowMajor, upper, transA ? trans : noTrans, Int32(n), Int32(k), alpha, a, Int32(lda), beta, c, Int32(ldc))
    }

    /// Replaces the symmetric n×n matrix in `a` (row-major) by the upper triangular U with Uᵀ·U = A, zeros below the
    /// diagonal (LAPACK `dpotrf`); false, with `a` undefined, when A is not numerically positive definite. (LAPACK is
    /// column-major: it reads the same symmetric A, and the lower L = Uᵀ it writes there is U read row-major.)
    public static func cholesky(_ a: inout [Double], n: Int) -> Bool {
        precondition(a.count == n * n, "cholesky: \(a.count) entries for a \(n)×\(n) matrix")
        var order = Int32(n), lda = Int32(n), info: Int32 = 0
        library.dpotrf("L", &order, &a, &lda, &info, 1)
        for i in 0..<n { for j in 0..<i { a[i * n + j] = 0 } }
        return info == 0
    }

    /// Eigenvalues and eigenvectors of the symmetric n×n matrix in `a` (row-major; LAPACK `dsyevd`, divide and
    /// conquer, which finds every eigenvector faster than `dsyevr` here: 25 ms against 29 at n = 512). Returns the
    /// eigenvalues ascending and leaves eigenvector `i` in row `i` of `a` (`a[i·n ..< (i+1)·n]`): with V the
    /// eigenvectors as columns, `a` holds Vᵀ and the input was V·diag(λ)·Vᵀ. (LAPACK is column-major and writes the
    /// eigenvectors as columns; the symmetric input reads the same either way, and a column-major column is a
    /// row-major row.) A non-finite input, or one LAPACK fails to diagonalise, gives NaN eigenvalues: a loss built on
    /// them turns non-finite, which the engine reports, rather than the process stopping.
    public static func symmetricEigen(_ a: inout [Double], n: Int) -> [Double] {
        precondition(a.count == n * n, "symmetricEigen: \(a.count) entries for a \(n)×\(n) matrix")
        let failed = [Double](repeating: .nan, count: n)
        guard n > 0, a.allSatisfy({ $0.isFinite }) else { return failed }
        var values = failed, order = Int32(n), lda = Int32(n), info: Int32 = 0
        // A first call with sizes −1 only asks for the workspace the second needs.
        var workSize = 0.0, iworkSize: Int32 = 0, lwork: Int32 = -1, liwork: Int32 = -1
        library.dsyevd("V", "U", &order, &a, &lda, &values, &workSize, &lwork, &iworkSize, &liwork, &info, 1, 1)
        guard info == 0 else { return failed }
        lwork = Int32(workSize)
        liwork = iworkSize
        var work = [Double](repeating: 0, count: Int(lwork)), iwork = [Int32](repeating: 0, count: Int(liwork))
        library.dsyevd("V", "U", &order, &a, &lda, &values, &work, &lwork, &iwork, &liwork, &info, 1, 1)
        return info == 0 ? values : failed
    }

    // CBLAS enumeration values, fixed by the CBLAS standard.
    private static let upper: Int32 = 121
    private static let rowMajor: Int32 = 101
    private static let noTrans: Int32 = 111
    private static let trans: Int32 = 112
    private static let nonUnit: Int32 = 131
    private static let leftSide: Int32 = 141
    private static let rightSide: Int32 = 142

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
        typealias Dtrmm = @convention(c) (
            Int32, Int32, Int32, Int32, Int32, Int32, Int32, Double, UnsafePointer<Double>?, Int32, UnsafeMutablePointer<Double>?, Int32) -> Void
        typealias Dsyrk = @convention(c) (
            Int32, Int32, Int32, Int32, Int32, Double, UnsafePointer<Double>?, Int32, Double, UnsafeMutablePointer<Double>?, Int32) -> Void
        // LAPACK's Fortran routines take every argument by reference, then the length of each character argument
        // (gfortran passes them as size_t).
        /// `dpotrf(uplo, n, a, lda, info)`
        typealias Dpotrf = @convention(c) (
            UnsafePointer<CChar>?, UnsafePointer<Int32>?, UnsafeMutablePointer<Double>?, UnsafePointer<Int32>?,
            UnsafeMutablePointer<Int32>?, Int) -> Void
        /// `dsyevd(jobz, uplo, n, a, lda, w, work, lwork, iwork, liwork, info)`
        typealias Dsyevd = @convention(c) (
            UnsafePointer<CChar>?, UnsafePointer<CChar>?, UnsafePointer<Int32>?, UnsafeMutablePointer<Double>?, UnsafePointer<Int32>?,
            UnsafeMutablePointer<Double>?, UnsafeMutablePointer<Double>?, UnsafePointer<Int32>?, UnsafeMutablePointer<Int32>?,
            UnsafePointer<Int32>?, UnsafeMutablePointer<Int32>?, Int, Int) -> Void
        typealias GetString = @convention(c) () -> UnsafePointer<CChar>
        typealias GetInt = @convention(c) () -> Int32
        typealias SetInt = @convention(c) (Int32) -> Void

        let path: String
        let coreSource: CPUKernel.Source
        let sgemm: Sgemm
        let ssyrk: Ssyrk
        let dtrmm: Dtrmm
        let dsyrk: Dsyrk
        let dpotrf: Dpotrf
        let dsyevd: Dsyevd
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
                        dtrmm: try symbol("cblas_dtrmm", Dtrmm.self),
                        dsyrk: try symbol("cblas_dsyrk", Dsyrk.self),
                        dpotrf: try symbol("dpotrf_", Dpotrf.self),
                        dsyevd: try symbol("dsyevd_", Dsyevd.self),
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
