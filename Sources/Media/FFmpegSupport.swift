import AtomicFiles
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

extension FFmpeg {
    /// Closes an output's file, if it has one (muxers that write no file of their own hold none).
    static func closeOutput(_ format: UnsafeMutablePointer<AVFormatContext>?) {
        guard let format, format.pointee.oformat.pointee.flags & AVFMT_NOFILE == 0, format.pointee.pb != nil else { return }
        avio_closep(&format.pointee.pb)
    }

    /// The end of an output written through `file`, after its encoders were flushed (`failure`: the flush's error,
    /// if any): writes the trailer, closes the file, and renames it into place when the trailer was written. With
    /// its trailer, what was encoded plays, so it is kept even if the flush failed; without, it is removed.
    /// Throws `failure`, else the trailer's error, else a failed rename.
    static func finishOutput(_ format: UnsafeMutablePointer<AVFormatContext>?, file: AtomicFile, after failure: Error?) throws {
        var failure = failure
        let trailer = av_write_trailer(format)
        closeOutput(format)
        if failure == nil && trailer < 0 {
            failure = MediaError.ffmpeg(path: file.target, operation: "writing the trailer", message: FFmpeg.message(trailer))
        }
        if trailer < 0 { file.discard() } else { try MediaError.writing { try file.commit() } }
        if let failure { throw failure }
    }
}

extension MediaError {
    /// Runs an `AtomicFile` operation (AtomicFiles), reporting its failure as `writeFailed`.
    static func writing<R>(_ body: () throws -> R) throws -> R {
        do { return try body() } catch let failure as AtomicFile.Failure {
            throw MediaError.writeFailed(path: failure.path, reason: failure.reason)
        }
    }
}

extension String {
    /// Lower-cased file extension without the dot ("" when there is none).
    var fileExtension: String { URL(fileURLWithPath: self).pathExtension.lowercased() }
}
