import AtomicFiles
import CFFmpeg

/// FFmpeg's GIF muxer fed by one GIF encoder per palette run, written to a temporary file renamed into place
/// by `close()`. One encoder for the whole file would store every frame whose palette differs from the first
/// one whole (it only crops and marks unchanged pixels transparent against frames of the first palette); a new
/// encoder per run stores the run's first frame whole and the rest as changed rectangles. A later encoder's
/// first packet loses its file header (its frame already carries a local palette), and its other frames, which
/// refer to that header's global palette, get it inserted as their local palette. (The encoder's own
/// `global_palette=0` mode would do this, but in FFmpeg 5.1 it mixes up the transparent index when it shrinks
/// small palettes: 16-colour GIFs came out at 11 dB.)
final class GifStream {
    private let file: AtomicFile
    private let width: Int, height: Int
    private let frameRate: AVRational
    private var format: UnsafeMutablePointer<AVFormatContext>?
    private var codec: UnsafeMutablePointer<AVCodecContext>?
    private var packet: UnsafeMutablePointer<AVPacket>?
    private var stream: UnsafeMutablePointer<AVStream>?
    private var runs = 0
    /// Set by `beginRun` for runs after the first: the next packet starts with a header to cut.
    private var headerToCut = false
    /// The current run's palette as a GIF colour table (256 RGB triples), for runs after the first.
    private var localTable: [UInt8]?
    private var framesSent = 0
    private var closed = false
    private var path: String { file.target }

    /// Frames are PAL8 of this size, their pts counted in 1/`frameRate`.
    init(path: String, width: Int, height: Int, frameRate: AVRational) throws {
        _ = FFmpeg.quiet
        file = AtomicFile(target: path)
        (self.width, self.height, self.frameRate) = (width, height, frameRate)
        var fmt: UnsafeMutablePointer<AVFormatContext>?
        try FFmpeg.check(avformat_alloc_output_context2(&fmt, nil, "gif", file.temporary), "choosing the gif muxer", path)
        format = fmt
        // From here on deinit releases everything, also if a step below throws.
        guard let fmt, let st = avformat_new_stream(fmt, nil), let pkt = av_packet_alloc() else {
            throw MediaError.ffmpeg(path: path, operation: "allocation", message: "out of memory")
        }
        stream = st
        packet = pkt
        st.pointee.time_base = av_inv_q(frameRate)
        st.pointee.avg_frame_rate = frameRate
        st.pointee.r_frame_rate = frameRate
    }

    deinit {
        if !closed { FFmpeg.closeOutput(format); file.discard() }
        avcodec_free_context(&codec)
        av_packet_free(&packet)
        avformat_free_context(format)
    }

    /// Flushes the current encoder (if any) and opens a fresh one for frames of a new palette, given as the
    /// run's first PAL8 frame. The first run's encoder also sets the stream parameters and writes the file header.
    func beginRun(with frame: UnsafeMutablePointer<AVFrame>) throws {
        if codec != nil {
            try encode(nil)
            avcodec_free_context(&codec)
        }
        guard let format, let stream, let encoder = avcodec_find_encoder_by_name("gif") else {
            throw MediaError.encoderUnavailable(path: path, encoder: "gif")
        }
        guard let ctx = avcodec_alloc_context3(encoder) else {
            throw MediaError.ffmpeg(path: path, operation: "allocation", message: "out of memory")
        }
        codec = ctx
        ctx.pointee.width = Int32(width)
        ctx.pointee.height = Int32(height)
        ctx.pointee.pix_fmt = AV_PIX_FMT_PAL8
        ctx.pointee.time_base = av_inv_q(frameRate)
        ctx.pointee.framerate = frameRate
        ctx.pointee.sample_aspect_ratio = AVRational(num: 1, den: 1)
        try FFmpeg.check(avcodec_open2(ctx, encoder, nil), "opening the gif encoder", path)
        if runs == 0 {
            try FFmpeg.check(avcodec_parameters_from_context(stream.pointee.codecpar, ctx), "configuring the stream", path)
            let code = avio_open(&format.pointee.pb, file.temporary, AVIO_FLAG_WRITE)
            if code < 0 { throw MediaError.writeFailed(path: path, reason: FFmpeg.message(code)) }
            var muxerOptions: OpaquePointer?
            defer { av_dict_free(&muxerOptions) }
            try FFmpeg.check(av_dict_set(&muxerOptions, "loop", "0", 0), "setting the GIF to loop", path)
            try FFmpeg.check(avformat_write_header(format, &muxerOptions), "writing the header", path)
        }
        headerToCut = runs > 0
        localTable = runs > 0 ? Self.colourTable(frame) : nil
        runs += 1
    }

    func send(_ frame: UnsafeMutablePointer<AVFrame>) throws {
        try encode(frame)
        framesSent += 1
    }

    /// Flushes the encoder, writes the trailer and renames the file into place. Idempotent. With no frames
    /// sent, no file is made and `noFrames` thrown.
    func close() throws {
        guard !closed else { return }
        closed = true
        guard framesSent > 0 else { FFmpeg.closeOutput(format); file.discard(); throw MediaError.noFrames(path: path) }
        var failure: Error?
        do { try encode(nil) } catch { failure = error }
        try FFmpeg.finishOutput(format, file: file, after: failure)
    }

    /// Removes the temporary file without writing the trailer. Idempotent.
    func discard() {
        guard !closed else { return }
        closed = true
        FFmpeg.closeOutput(format)
        file.discard()
    }

    private func encode(_ frame: UnsafeMutablePointer<AVFrame>?) throws {
        guard let codec, let packet, let format, let stream else { return }
        try FFmpeg.check(avcodec_send_frame(codec, frame), frame == nil ? "flushing the encoder" : "encoding", path)
        while true {
            let code = avcodec_receive_packet(codec, packet)
            if code == FFmpeg.eagain || code == FFmpeg.eof { return }
            try FFmpeg.check(code, "encoding", path)
            if headerToCut {
                headerToCut = false
                try cutHeader(packet)
            } else if let localTable {
                try insert(localTable, into: packet)
            }
            if packet.pointee.duration <= 0 { packet.pointee.duration = 1 }
            packet.pointee.stream_index = stream.pointee.index
            av_packet_rescale_ts(packet, codec.pointee.time_base, stream.pointee.time_base)
            // Takes ownership of the packet's data whether it succeeds or not.
            try FFmpeg.check(av_interleaved_write_frame(format, packet), "writing a packet", path)
        }
    }

    /// Drops the signature, logical screen descriptor and global colour table that a fresh encoder puts before
    /// its first frame; the muxer then sees a frame like any other.
    private func cutHeader(_ packet: UnsafeMutablePointer<AVPacket>) throws {
        let size = Int(packet.pointee.size)
        guard size > 13, let data = packet.pointee.data, data[0] == 0x47, data[1] == 0x49, data[2] == 0x46 else {
            throw unexpected("first packet without a GIF header")
        }
        let cut = 13 + (data[10] & 0x80 != 0 ? 3 << (Int(data[10] & 0x07) + 1) : 0)
        guard size > cut else { throw unexpected("first packet without a frame") }
        packet.pointee.data = data + cut
        packet.pointee.size -= Int32(cut)
    }

    /// Gives a frame that uses the (cut) global colour table `table` as its local one: the encoder writes a
    /// graphic control extension (8 bytes), then the image descriptor (10 bytes, flags last).
    private func insert(_ table: [UInt8], into packet: UnsafeMutablePointer<AVPacket>) throws {
        let size = Int(packet.pointee.size)
        guard size > 18, let data = packet.pointee.data, data[0] == 0x21, data[1] == 0xF9, data[8] == 0x2C else {
            throw unexpected("frame without a graphic control extension")
        }
        guard data[17] & 0x80 == 0 else { return }
        var rewritten = av_packet_alloc()
        defer { av_packet_free(&rewritten) }
        guard let out = rewritten else { throw MediaError.ffmpeg(path: path, operation: "av_packet_alloc", message: "out of memory") }
        try FFmpeg.check(av_new_packet(out, Int32(size + table.count)), "av_new_packet", path)
        try FFmpeg.check(av_packet_copy_props(out, packet), "av_packet_copy_props", path)
        let target = out.pointee.data!
        target.update(from: data, count: 17)
        target[17] = data[17] | 0x80 | 0x07 // local table of 2^(7+1) entries
        table.withUnsafeBufferPointer { target.advanced(by: 18).update(from: $0.baseAddress!, count: table.count) }
        target.advanced(by: 18 + table.count).update(from: data + 18, count: size - 18)
        av_packet_unref(packet)
        av_packet_move_ref(packet, out)
    }

    /// The 256 RGB triples of a PAL8 frame's palette (data[1], 0xAARRGGBB in native order).
    private static func colourTable(_ frame: UnsafeMutablePointer<AVFrame>) -> [UInt8] {
        let entries = UnsafeRawPointer(frame.pointee.data.1!).assumingMemoryBound(to: UInt32.self)
        return (0 ..< 256).flatMap { i in [UInt8(entries[i] >> 16 & 0xFF), UInt8(entries[i] >> 8 & 0xFF), UInt8(entries[i] & 0xFF)] }
    }

    private func unexpected(_ what: String) -> MediaError {
        MediaError.ffmpeg(path: path, operation: "encoding", message: "the gif encoder wrote a \(what); this FFmpeg version is not supported for GIF output")
    }
}
