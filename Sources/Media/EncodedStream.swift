import AtomicFiles
import CFFmpeg

/// One video encoder feeding one muxer, written to a temporary file: the send/receive loops, the flush and the
/// trailer. Other streams (copied or re-encoded audio) are added by `addStreams` before the header and written
/// through `write(_:)`, interleaved by libavformat. `close()` writes the trailer even when the flush failed, so
/// whatever was encoded plays; a file whose trailer could not be written (an MP4 without its index) does not play
/// and is discarded.
final class EncodedStream {
    let file: AtomicFile
    private let growing: Bool
    private var format: UnsafeMutablePointer<AVFormatContext>?
    private var codec: UnsafeMutablePointer<AVCodecContext>?
    private var packet: UnsafeMutablePointer<AVPacket>?
    private let stream: UnsafeMutablePointer<AVStream>
    /// Length of one frame in the codec's time base (for the last packet's duration).
    private let frameDuration: Int64
    private(set) var framesSent = 0
    private var closed = false
    var path: String { file.target }

    struct Settings {
        var muxer: String
        var encoder: String
        var pixelFormat: AVPixelFormat
        var width: Int
        var height: Int
        var timeBase: AVRational
        var frameRate: AVRational
        var frameDuration: Int64 = 1
        var encoderOptions: [String: String] = [:]
        var muxerOptions: [String: String] = [:]
        var threads: Int = 1
        var tagBT709 = false
        /// Written under its own name from the start and flushed to it after every frame (`VideoOptions.growing`),
        /// not renamed into place at the end.
        var growing = false
    }

    init(path: String, settings s: Settings,
         addStreams: (UnsafeMutablePointer<AVFormatContext>) throws -> Void = { _ in }) throws {
        _ = FFmpeg.quiet
        file = AtomicFile(target: path, inPlace: s.growing)
        growing = s.growing
        frameDuration = s.frameDuration
        guard let encoder = avcodec_find_encoder_by_name(s.encoder) else {
            throw MediaError.encoderUnavailable(path: path, encoder: s.encoder)
        }
        var fmt: UnsafeMutablePointer<AVFormatContext>?
        try FFmpeg.check(avformat_alloc_output_context2(&fmt, nil, s.muxer, file.temporary), "choosing the \(s.muxer) muxer", path)
        guard let fmt, let st = avformat_new_stream(fmt, nil), let ctx = avcodec_alloc_context3(encoder),
              let pkt = av_packet_alloc() else {
            avformat_free_context(fmt)
            throw MediaError.ffmpeg(path: path, operation: "allocation", message: "out of memory")
        }
        format = fmt; stream = st; codec = ctx; packet = pkt
        // From here on deinit releases everything, also if a step below throws.
        ctx.pointee.width = Int32(s.width)
        ctx.pointee.height = Int32(s.height)
        ctx.pointee.pix_fmt = s.pixelFormat
        ctx.pointee.time_base = s.timeBase
        ctx.pointee.framerate = s.frameRate
        ctx.pointee.sample_aspect_ratio = AVRational(num: 1, den: 1)
        ctx.pointee.thread_count = Int32(s.threads)
        if s.tagBT709 {
            ctx.pointee.colorspace = AVCOL_SPC_BT709
            ctx.pointee.color_primaries = AVCOL_PRI_BT709
            ctx.pointee.color_trc = AVCOL_TRC_BT709
            ctx.pointee.color_range = AVCOL_RANGE_MPEG
        }
        if fmt.pointee.oformat.pointee.flags & AVFMT_GLOBALHEADER != 0 {
            ctx.pointee.flags |= cffmpeg_codec_flag_global_header()
        }
        var options = Self.dictionary(s.encoderOptions)
        let opened = avcodec_open2(ctx, encoder, &options)
        av_dict_free(&options)
        try FFmpeg.check(opened, "opening the \(s.encoder) encoder", path)
        try FFmpeg.check(avcodec_parameters_from_context(st.pointee.codecpar, ctx), "configuring the stream", path)
        st.pointee.time_base = s.timeBase
        st.pointee.avg_frame_rate = s.frameRate
        st.pointee.r_frame_rate = s.frameRate
        try addStreams(fmt)
        if fmt.pointee.oformat.pointee.flags & AVFMT_NOFILE == 0 {
            let code = avio_open(&fmt.pointee.pb, file.temporary, AVIO_FLAG_WRITE)
            if code < 0 { throw MediaError.writeFailed(path: path, reason: FFmpeg.message(code)) }
        }
        var muxerOptions = Self.dictionary(s.muxerOptions)
        let header = avformat_write_header(fmt, &muxerOptions)
        av_dict_free(&muxerOptions)
        if header < 0 { FFmpeg.closeOutput(format); file.discard(); try FFmpeg.check(header, "writing the header", path) }
    }

    deinit {
        if !closed { FFmpeg.closeOutput(format); file.discard() }
        avcodec_free_context(&codec)
        av_packet_free(&packet)
        avformat_free_context(format)
    }

    /// Encodes one frame (its pts in the codec time base) and muxes every packet that comes out.
    func send(_ frame: UnsafeMutablePointer<AVFrame>) throws {
        try encode(frame)
        framesSent += 1
        // A null packet makes the muxer write out what it holds (the MP4 fragment of this frame).
        if growing, let format { try FFmpeg.check(av_write_frame(format, nil), "flushing the muxer", path) }
    }

    /// Muxes a packet of another stream (its stream index and timestamps already set for the output); takes
    /// ownership of its data.
    func write(_ packet: UnsafeMutablePointer<AVPacket>) throws {
        guard let format, !closed else { av_packet_unref(packet); return }
        try FFmpeg.check(av_interleaved_write_frame(format, packet), "writing an audio packet", path)
    }

    /// Flushes the encoder, runs `beforeTrailer` (the other streams' last packets), writes the trailer and renames
    /// the file into place. Idempotent. With no frames sent there is nothing to play: the temporary file is
    /// removed and `noFrames` thrown.
    func close(beforeTrailer: () throws -> Void = {}) throws {
        guard !closed else { return }
        guard framesSent > 0 else { closed = true; FFmpeg.closeOutput(format); file.discard(); throw MediaError.noFrames(path: path) }
        var failure: Error?
        do { try encode(nil) } catch { failure = error }
        do { try beforeTrailer() } catch { failure = failure ?? error }
        closed = true
        try FFmpeg.finishOutput(format, file: file, after: failure)
    }

    /// Stops without a file: nothing appears under the target's name. Idempotent; no effect after `close()`.
    func discard() {
        guard !closed else { return }
        closed = true
        FFmpeg.closeOutput(format)
        file.discard()
    }

    private func encode(_ frame: UnsafeMutablePointer<AVFrame>?) throws {
        guard let codec, let packet, let format else { return }
        try FFmpeg.check(avcodec_send_frame(codec, frame), frame == nil ? "flushing the encoder" : "encoding", path)
        while true {
            let code = avcodec_receive_packet(codec, packet)
            if code == FFmpeg.eagain || code == FFmpeg.eof { return }
            try FFmpeg.check(code, "encoding", path)
            if packet.pointee.duration <= 0 { packet.pointee.duration = frameDuration }
            packet.pointee.stream_index = stream.pointee.index
            av_packet_rescale_ts(packet, codec.pointee.time_base, stream.pointee.time_base)
            // Takes ownership of the packet's data whether it succeeds or not.
            try FFmpeg.check(av_interleaved_write_frame(format, packet), "writing a packet", path)
        }
    }

    private static func dictionary(_ values: [String: String]) -> OpaquePointer? {
        var dict: OpaquePointer?
        for (key, value) in values { av_dict_set(&dict, key, value, 0) }
        return dict
    }
}
