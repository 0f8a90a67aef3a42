#if canImport(Glibc)
import Glibc
#endif

/// Measures the achieved single-precision GEMM rate, the number that bounds every convolution here.
public enum SgemmRate {
    /// GFLOP/s of square `size`³ products, repeated for at least `seconds` after one warm-up call.
    public static func measure(size n: Int = 1024, seconds: Double = 0.5) -> Double {
        let a = Tensor(channels: 1, height: n, width: n)
        let b = Tensor(channels: 1, height: n, width: n)
        let c = Tensor(channels: 1, height: n, width: n)
        for i in 0..<a.count { a.data[i] = Float(i % 7) * 0.1; b.data[i] = Float(i % 5) * 0.1 }
        func run() { BLAS.sgemm(m: n, n: n, k: n, a: a.data, lda: n, b: b.data, ldb: n, c: c.data, ldc: n) }
        run()
        var reps = 0
        let start = Clock.now()
        repeat { run(); reps += 1 } while Clock.now() - start < seconds
        return 2 * Double(n) * Double(n) * Double(n) * Double(reps) / (Clock.now() - start) / 1e9
    }
}

/// Monotonic wall-clock seconds.
public enum Clock {
    public static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }
}
