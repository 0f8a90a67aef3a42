#if canImport(Glibc)
import Glibc
#endif

/// Memory a new allocation can still get without swapping: the kernel's `MemAvailable`, or, when this process's
/// control group has a lower limit (a container, a Slurm job), what that limit leaves above the group's usage.
public enum AvailableMemory {
    /// Bytes, or nil where neither `/proc/meminfo` nor a cgroup tells.
    public static func bytes() -> Int? {
        let limits = [("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),  // cgroup v2
                      ("/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/memory/memory.usage_in_bytes")]  // v1
        let room = limits.compactMap { cgroupRoom(limit: read($0.0), usage: read($0.1)) }.min()
        let free = read("/proc/meminfo").flatMap(memAvailable)
        return [free, room].compactMap { $0 }.min()
    }

    /// What this process holds now (`VmRSS`), bytes; 0 where `/proc` does not tell.
    public static func resident() -> Int {
        guard let status = read("/proc/self/status"),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kB = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { return 0 }
        return kB * 1024
    }

    /// `MemAvailable:  21684256 kB` in bytes.
    public static func memAvailable(meminfo: String) -> Int? {
        guard let line = meminfo.split(separator: "\n").first(where: { $0.hasPrefix("MemAvailable:") }) else { return nil }
        let fields = line.split(separator: " ")
        guard fields.count >= 2, let kB = Int(fields[1]) else { return nil }
        return kB * 1024
    }

    /// Limit minus usage; nil without a limit ("max" in v2, a number near 2⁶³ in v1).
    public static func cgroupRoom(limit: String?, usage: String?) -> Int? {
        func number(_ text: String?) -> Int? { text.flatMap { Int($0.split(separator: "\n").first ?? "") } }
        guard let limit = number(limit), limit < 1 << 60, let usage = number(usage) else { return nil }
        return max(0, limit - usage)
    }

    /// A small text file (procfs, cgroupfs), whole.
    private static func read(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = [], chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = fread(&chunk, 1, chunk.count, file)
            if n <= 0 { break }
            bytes += chunk[0 ..< n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
