import CFFmpeg
import Foundation

/// Demuxes and decodes the best video stream of a file with libavformat/libavcodec: the read → send → receive
/// loop shared by `ImageReader` (first frame) and `VideoReader` (all frames).
final class MediaDecoder {
    let path: String
    private var format: UnsafeMutablePointer<AVFormatContext>?
    private var codec: UnsafeMutablePointer<AVCodecContext>?
    private var packet: UnsafeMutablePointer<AVPacket>?
    private var frame: UnsafeMutablePointer<AVFrame>?
    let stream: UnsafeMutablePointer<AVStream>
    private var draining = false

    /// `failure` turns a reason into the caller's error (not an image / not a video). A stream whose size is over
    /// `pixelLimit` is refused; FFmpeg's own `max_pixels`, also while probing, stops one at twice the limit before
    /// its full-size frame is allocated (a header of a few bytes can claim any size; FFmpeg counts the padded row
    /// length, hence the margin; callers check the exact limit on the decoded frame).
    init(path: String, pixelLimit: Int, failure: (String) -> MediaError) throws {
        _ = FFmpeg.quiet
        self.path = path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw MediaError.fileNotFound(path: path)
        }
        var fmt: UnsafeMutablePointer<AVFormatContext>?
        var code = avformat_open_input(&fmt, path, nil, nil)
        guard code >= 0, let fmt else { throw failure(FFmpeg.message(code)) }
        format = fmt
        let demuxer = String(cString: fmt.pointee.iformat.pointee.name)
        // The tty demuxer "decodes" any text file as ANSI art; that is never a picture the user meant.
        if demuxer == "tty" { avformat_close_input(&format); throw failure("text, not pixels") }
        var options = [OpaquePointer?](repeating: nil, count: Int(fmt.pointee.nb_streams))
        for i in options.indices { av_dict_set(&options[i], "max_pixels", "\(2 * pixelLimit)", 0) }
        code = options.withUnsafeMutableBufferPointer { avformat_find_stream_info(fmt, $0.baseAddress) }
        for i in options.indices { av_dict_free(&options[i]) }
        if code < 0 { avformat_close_input(&format); throw failure(FFmpeg.message(code)) }
        var decoder: UnsafePointer<AVCodec>?
        let index = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, &decoder, 0)
        guard index >= 0, let decoder else {
            avformat_close_input(&format)
            throw failure("no picture stream: \(FFmpeg.message(index))")
        }
        stream = fmt.pointee.streams[Int(index)]!
        // Fully initialised: from here `deinit` frees whatever was allocated, also when a later step throws.
        codec = avcodec_alloc_context3(decoder)
        packet = av_packet_alloc()
        frame = av_frame_alloc()
        guard let codec, packet != nil, frame != nil else {
            throw MediaError.ffmpeg(path: path, operation: "allocation", message: "out of memory")
        }
        let width = Int(stream.pointee.codecpar.pointee.width), height = Int(stream.pointee.codecpar.pointee.height)
        guard width * height <= pixelLimit else {
            throw MediaError.tooManyPixels(path: path, width: width, height: height, limit: pixelLimit)
        }
        code = avcodec_parameters_to_context(codec, stream.pointee.codecpar)
        codec.pointee.max_pixels = 2 * Int64(pixelLimit)
        if code >= 0 { code = avcodec_open2(codec, decoder, nil) }
        if code < 0 { throw failure("cannot open the \(String(cString: decoder.pointee.name)) decoder: \(FFmpeg.message(code))") }
    }

    deinit {
        avcodec_free_context(&codec)
        av_packet_free(&packet)
        av_frame_free(&frame)
        avformat_close_input(&format)
    }

    var streamIndex: Int32 { stream.pointee.index }

    /// The container's duration in seconds, when known.
    var formatDuration: Double? {
        guard let format, format.pointee.duration > 0, format.pointee.duration != cffmpeg_nopts() else { return nil }
        return Double(format.pointee.duration) / Double(AV_TIME_BASE)
    }

    /// Width over height of one stored pixel (from the stream, else the codec); 1 when unknown.
    var sampleAspectRatio: Double {
        guard let format else { return 1 }
        let sar = av_guess_sample_aspect_ratio(format, stream, nil)
        return sar.num > 0 && sar.den > 0 ? av_q2d(sar) : 1
    }

    /// The stream's display matrix (how the stored picture is turned for display), when the container has one.
    var displayMatrix: [Int32]? {
        var size = 0
        guard let data = av_stream_get_side_data(stream, AV_PKT_DATA_DISPLAYMATRIX, &size), size >= 9 * 4 else { return nil }
        return UnsafeRawPointer(data).withMemoryRebound(to: Int32.self, capacity: 9) { Array(UnsafeBufferPointer(start: $0, count: 9)) }
    }

    /// Moves to the last keyframe at or before `ticks` (in the stream's time base) and empties the decoder;
    /// false when the container cannot seek, and then reading simply goes on from where it was.
    func seek(toTicks ticks: Int64) -> Bool {
        guard let format, let codec else { return false }
        guard av_seek_frame(format, streamIndex, ticks, AVSEEK_FLAG_BACKWARD) >= 0 else { return false }
        avcodec_flush_buffers(codec)
        draining = false
        return true
    }

    /// The next decoded frame (owned by the decoder, valid until the next call), or nil at the end.
    func next() throws -> UnsafeMutablePointer<AVFrame>? {
        guard let codec, let frame, let packet, let format else { return nil }
        while true {
            let received = avcodec_receive_frame(codec, frame)
            if received >= 0 { return frame }
            if received == FFmpeg.eof { return nil }
            if received != FFmpeg.eagain { try FFmpeg.check(received, "decoding", path) }
            if draining { return nil }
            let read = av_read_frame(format, packet)
            if read == FFmpeg.eof {
                draining = true
                try FFmpeg.check(avcodec_send_packet(codec, nil), "flushing the decoder", path)
                continue
            }
            try FFmpeg.check(read, "reading", path)
            defer { av_packet_unref(packet) }
            guard packet.pointee.stream_index == streamIndex else { continue }
            let sent = avcodec_send_packet(codec, packet)
            // A damaged packet in a video costs one frame, not the whole file.
            if sent < 0 && sent != FFmpeg.eagain && sent != cffmpeg_averror_invaliddata() {
                try FFmpeg.check(sent, "decoding", path)
            }
        }
    }
}
