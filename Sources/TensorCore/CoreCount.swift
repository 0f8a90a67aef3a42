import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The cores this process may use: those of its CPU affinity mask, and no more than a batch scheduler granted
/// its task (`SLURM_CPUS_PER_TASK`). Slurm's `task/none` does not bind tasks to cores, so two tasks sharing a
/// node would each see every core and together run twice as many threads as there are.
public enum CoreCount {
    public static let available: Int = {
        var cores = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        // glibc's sched_getaffinity is a GNU extension the Glibc module does not declare.
        typealias GetAffinity = @convention(c) (pid_t, Int, UnsafeMutableRawPointer) -> Int32
        var mask = [UInt8](repeating: 0, count: 128)  // a cpu_set_t: 1024 cores
        if let symbol = dlsym(nil, "sched_getaffinity"),
           unsafeBitCast(symbol, to: GetAffinity.self)(0, mask.count, &mask) == 0 {
            cores = mask.reduce(0) { $0 + $1.nonzeroBitCount }
        }
        if let granted = ProcessInfo.processInfo.environment["SLURM_CPUS_PER_TASK"].flatMap(Int.init), granted > 0 {
            cores = min(cores, granted)
        }
        return max(1, cores)
    }()
}
