import Dispatch
import TensorCore
#if canImport(Glibc)
import Glibc
#endif

/// Work split across the machine's cores for the loops BLAS does not run.
public enum Parallel {
    /// Worker count: the cores this process may use (at most 16).
    public static let workers: Int = min(CoreCount.available, 16)

    /// Runs `body(i)` for `i` in `0..<count`, concurrently when `count > 1`.
    @inline(__always)
    static func run(_ count: Int, _ body: (Int) -> Void) {
        if count <= 1 { if count == 1 { body(0) } } else { DispatchQueue.concurrentPerform(iterations: count, execute: body) }
    }

    /// Splits `0..<total` into `workers` contiguous ranges and runs them concurrently.
    @inline(__always)
    static func ranges(_ total: Int, _ body: (Range<Int>) -> Void) {
        let n = min(workers, total)
        run(n) { w in body(total * w / n ..< total * (w + 1) / n) }
    }

    /// OpenBLAS's own thread count, read once at first use (loading OpenBLAS if it is not loaded yet).
    static let blasThreads: Int = (try? BLAS.load().threads) ?? 1

    /// Runs `body` with single-threaded OpenBLAS, for loops that call sgemm from several workers at once.
    @inline(__always)
    static func withSingleThreadedBLAS(_ body: () -> Void) {
        if blasThreads > 1 { BLAS.setThreads(1) }
        body()
        if blasThreads > 1 { BLAS.setThreads(blasThreads) }
    }
}
