import CFFmpeg
import Foundation

/// Small bridges between Swift and FFmpeg's C conventions, shared by the readers and writers.
enum FFmpeg {
    /// FFmpeg logs to stderr by default; Stylize reports failures through `MediaError` instead, on one line.
    /// `STYLIZE_FFMPEG_LOG=1` brings FFmpeg's own error messages back for diagnosis.
    static let quiet: Void = {
        av_log_set_level(ProcessInfo.processInfo.environment["STYLIZE_FFMPEG_LOG"] == nil ? AV_LOG_QUIET : AV_LOG_ERROR)
    }()

    static func message(_ code: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        av_strerror(code, &buffer, buffer.count)
        return String(cString: buffer)
    }

    /// Throws `MediaError.ffmpeg` for a negative return code, passes the code through otherwise.
    @discardableResult
    static func check(_ code: Int32, _ operation: String, _ path: String) throws -> Int32 {
        if code < 0 { throw MediaError.ffmpeg(path: path, operation: operation, message: message(code)) }
        return code
    }

    static let eagain = cffmpeg_eagain()
    static let eof = cffmpeg_averror_eof()

    /// The first four data pointers and line sizes of a frame, as arrays swscale accepts.
    static func planes(_ frame: UnsafeMutablePointer<AVFrame>) -> (data: [UnsafeMutablePointer<UInt8>?], lines: [Int32]) {
        let d = frame.pointee.data, l = frame.pointee.linesize
        return ([d.0, d.1, d.2, d.3], [l.0, l.1, l.2, l.3])
    }

    static func allocFrame(width: Int, height: Int, format: AVPixelFormat, path: String) throws -> UnsafeMutablePointer<AVFrame> {
        guard let frame = av_frame_alloc() else { throw MediaError.ffmpeg(path: path, operation: "av_frame_alloc", message: "out of memory") }
        frame.pointee.width = Int32(width)
        frame.pointee.height = Int32(height)
        frame.pointee.format = format.rawValue
        let code = av_frame_get_buffer(frame, 0)
        if code < 0 {
            var f: UnsafeMutablePointer<AVFrame>? = frame
            av_frame_free(&f)
            try check(code, "av_frame_get_buffer", path)
        }
        return frame
    }
}

/// A file written under a temporary name beside its target, renamed over the target only when complete, so an
/// interrupted or failed write never leaves a half-written file under the target's name.
struct AtomicFile {
    let target: String
    let temporary: String

    /// `inPlace`: the file is its own temporary (for files meant to be read while they grow).
    init(target: String, inPlace: Bool = false) {
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
    static func checkWritable(_ target: String) throws {
        let directory = URL(fileURLWithPath: target).deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw MediaError.writeFailed(path: target, reason: "no directory \(directory)")
        }
        guard access(directory, W_OK) == 0 else { throw MediaError.writeFailed(path: target, reason: "\(directory) is not writable") }
    }

    func commit() throws {
        if rename(temporary, target) != 0 {
            let reason = String(cString: strerror(errno))
            discard()
            throw MediaError.writeFailed(path: target, reason: reason)
        }
    }

    func discard() { unlink(temporary) }
}

extension String {
    /// Lower-cased file extension without the dot ("" when there is none).
    var fileExtension: String { URL(fileURLWithPath: self).pathExtension.lowercased() }
}
