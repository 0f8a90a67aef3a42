import Foundation

/// A file written under a temporary name beside its target, renamed over the target only when complete, so an
/// interrupted or failed write never leaves a half-written file under the target's name.
///
/// Shared by `Media` (images, videos, GIFs) and `Weights` (converted checkpoints, checksum files); each reports a
/// `Failure` as its own error type (`MediaError.writeFailed`, `WeightsError.writeFailed`).
public struct AtomicFile: Sendable {
    /// Why a write could not be completed.
    public struct Failure: Error, Equatable, Sendable {
        public let path: String
        public let reason: String
    }

    public let target: String
    public let temporary: String

    /// `inPlace`: the file is its own temporary (for files meant to be read while they grow).
    public init(target: String, inPlace: Bool = false) {
        self.target = target
        guard !inPlace else {
            temporary = target
            return
        }
        let url = URL(fileURLWithPath: target), directory = url.deletingLastPathComponent()
        let ext = url.pathExtension, prefix = "." + url.deletingPathExtension().lastPathComponent + ".partial-"
        let stem = prefix + "\(getpid())-\(UInt32.random(in: 0 ... .max))"
        temporary = directory.appendingPathComponent(ext.isEmpty ? stem : stem + "." + ext).path
        Self.removeOrphans(in: directory.path, prefix: prefix)
    }

    /// Removes the temporaries of this target left by processes that no longer exist (killed before they could
    /// clean up), so a crash leaves no stray file for longer than the next write.
    private static func removeOrphans(in directory: String, prefix: String) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where name.hasPrefix(prefix) {
            let pid = name.dropFirst(prefix.count).prefix { $0.isNumber }
            guard let pid = pid_t(pid), kill(pid, 0) != 0, errno == ESRCH else { continue }
            unlink(directory + "/" + name)
        }
    }

    /// Fails early (before any work is spent on the content) when the target's directory cannot take the file.
    public static func checkWritable(_ target: String) throws {
        let directory = URL(fileURLWithPath: target).deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw Failure(path: target, reason: "no directory \(directory)")
        }
        guard access(directory, W_OK) == 0 else { throw Failure(path: target, reason: "\(directory) is not writable") }
    }

    /// Renames the temporary over the target; on failure the temporary is removed.
    public func commit() throws {
        if rename(temporary, target) != 0 {
            let reason = String(cString: strerror(errno))
            discard()
            throw Failure(path: target, reason: reason)
        }
    }

    public func discard() { unlink(temporary) }

    /// Writes `data` as the whole file at `path`, atomically.
    public static func write(_ data: Data, to path: String) throws {
        let file = AtomicFile(target: path)
        do {
            try data.write(to: URL(fileURLWithPath: file.temporary))
        } catch {
            file.discard()
            throw Failure(path: path, reason: "\(error)")
        }
        try file.commit()
    }
}
