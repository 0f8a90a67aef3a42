import CFFmpeg

/// A decoded frame kept past the decoder's next call (a new reference to the same buffers, no pixel copy), with
/// its time in ticks of the stream's time base counted from the clip's start.
final class DecodedFrame {
    let frame: UnsafeMutablePointer<AVFrame>
    let ticks: Int64
    let duration: Int64

    init(cloning source: UnsafeMutablePointer<AVFrame>, ticks: Int64, duration: Int64, path: String) throws {
        guard let clone = av_frame_clone(source) else {
            throw MediaError.ffmpeg(path: path, operation: "av_frame_clone", message: "out of memory")
        }
        frame = clone
        self.ticks = ticks
        self.duration = duration
    }

    deinit {
        var f: UnsafeMutablePointer<AVFrame>? = frame
        av_frame_free(&f)
    }
}
