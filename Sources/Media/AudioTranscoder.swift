import CFFmpeg

/// Re-encodes one audio stream for a container that cannot hold its codec: decoder → libavfilter graph
/// (`atrim` at output time 0, `aformat` with the automatic resampler to what the encoder takes, frames of the
/// encoder's size) → encoder. Timestamps are output time; samples past `cut(at:)` are dropped sample-exactly.
/// The graph is built from the first decoded frame (decoders may change the sample format the container states).
final class AudioTranscoder {
    let output: UnsafeMutablePointer<AVStream>
    let encoderName: String
    private let path: String
    private let sourceTimeBase: AVRational
    /// Source seconds that become output time 0.
    private let offset: Double
    private var decoder: UnsafeMutablePointer<AVCodecContext>?
    private var encoder: UnsafeMutablePointer<AVCodecContext>?
    private var graph: UnsafeMutablePointer<AVFilterGraph>?
    private var source: UnsafeMutablePointer<AVFilterContext>?
    private var sink: UnsafeMutablePointer<AVFilterContext>?
    private var frame: UnsafeMutablePointer<AVFrame>?
    private var packet: UnsafeMutablePointer<AVPacket>?
    /// The first sample not written, in the encoder's time base (1/sample rate).
    private var endTicks = Int64.max
    private var ended = false

    /// Opens the decoder for `input` and the encoder `encoderName`, and adds the output stream to `format`.
    init(input: UnsafeMutablePointer<AVStream>, encoderName: String, format: UnsafeMutablePointer<AVFormatContext>,
         offset: Double, path: String) throws {
        self.encoderName = encoderName
        self.path = path
        self.offset = offset
        sourceTimeBase = input.pointee.time_base
        let par = input.pointee.codecpar!
        guard let decoding = avcodec_find_decoder(par.pointee.codec_id) else {
            throw MediaError.ffmpeg(path: path, operation: "finding an audio decoder", message: "this FFmpeg cannot decode \(String(cString: avcodec_get_name(par.pointee.codec_id)))")
        }
        guard let encoding = avcodec_find_encoder_by_name(encoderName) else {
            throw MediaError.encoderUnavailable(path: path, encoder: encoderName)
        }
        guard let out = avformat_new_stream(format, nil) else {
            throw MediaError.ffmpeg(path: path, operation: "adding an audio stream", message: "out of memory")
        }
        output = out
        decoder = avcodec_alloc_context3(decoding)
        encoder = avcodec_alloc_context3(encoding)
        frame = av_frame_alloc()
        packet = av_packet_alloc()
        guard let decoder, let encoder, frame != nil, packet != nil else {
            throw MediaError.ffmpeg(path: path, operation: "allocation", message: "out of memory")
        }
        try FFmpeg.check(avcodec_parameters_to_context(decoder, par), "configuring the audio decoder", path)
        decoder.pointee.pkt_timebase = sourceTimeBase
        try FFmpeg.check(avcodec_open2(decoder, decoding, nil), "opening the audio decoder", path)

        var layout = AVChannelLayout()
        defer { av_channel_layout_uninit(&layout) }
        Self.layout(for: par.pointee.ch_layout, encoder: encoding, into: &layout)
        try FFmpeg.check(av_channel_layout_copy(&encoder.pointee.ch_layout, &layout), "setting the channel layout", path)
        let rate = Self.rate(for: par.pointee.sample_rate, encoder: encoding)
        encoder.pointee.sample_rate = rate
        encoder.pointee.sample_fmt = encoding.pointee.sample_fmts?.pointee ?? AV_SAMPLE_FMT_FLTP
        encoder.pointee.time_base = AVRational(num: 1, den: rate)
        encoder.pointee.bit_rate = Int64(64_000 * Int(layout.nb_channels))
        if format.pointee.oformat.pointee.flags & AVFMT_GLOBALHEADER != 0 {
            encoder.pointee.flags |= cffmpeg_codec_flag_global_header()
        }
        try FFmpeg.check(avcodec_open2(encoder, encoding, nil), "opening the \(encoderName) encoder", path)
        try FFmpeg.check(avcodec_parameters_from_context(out.pointee.codecpar, encoder), "configuring the audio stream", path)
        out.pointee.time_base = encoder.pointee.time_base
        av_dict_copy(&out.pointee.metadata, input.pointee.metadata, 0)
    }

    deinit {
        avfilter_graph_free(&graph)
        avcodec_free_context(&decoder)
        avcodec_free_context(&encoder)
        av_frame_free(&frame)
        av_packet_free(&packet)
    }

    /// Output seconds after which no sample is written (the clip's end or the last video frame's).
    func cut(at seconds: Double) {
        guard let encoder, seconds.isFinite else { return }
        endTicks = min(endTicks, Int64((seconds * Double(encoder.pointee.sample_rate)).rounded()))
    }

    /// Decodes one source packet and writes what the encoder gives back.
    func send(_ sourcePacket: UnsafeMutablePointer<AVPacket>, write: (UnsafeMutablePointer<AVPacket>) throws -> Void) throws {
        guard let decoder, !ended else { return }
        let code = avcodec_send_packet(decoder, sourcePacket)
        // A damaged packet costs its own samples, not the whole soundtrack.
        if code == cffmpeg_averror_invaliddata() { return }
        try FFmpeg.check(code, "decoding audio", path)
        try drainDecoder(write)
    }

    /// Flushes the decoder, the graph and the encoder.
    func finish(write: (UnsafeMutablePointer<AVPacket>) throws -> Void) throws {
        guard let decoder, let encoder else { return }
        if !ended {
            try FFmpeg.check(avcodec_send_packet(decoder, nil), "flushing the audio decoder", path)
            try drainDecoder(write)
        }
        if let source {
            try FFmpeg.check(av_buffersrc_add_frame(source, nil), "flushing the audio filters", path)
            try drainGraph(write)
        }
        try FFmpeg.check(avcodec_send_frame(encoder, nil), "flushing the \(encoderName) encoder", path)
        try drainEncoder(write)
    }

    private func drainDecoder(_ write: (UnsafeMutablePointer<AVPacket>) throws -> Void) throws {
        guard let decoder, let frame else { return }
        while true {
            let code = avcodec_receive_frame(decoder, frame)
            if code == FFmpeg.eagain || code == FFmpeg.eof { return }
            try FFmpeg.check(code, "decoding audio", path)
            if graph == nil { try buildGraph(for: frame) }
            let pts = frame.pointee.best_effort_timestamp
            let rate = frame.pointee.sample_rate
            frame.pointee.pts = pts == cffmpeg_nopts() ? cffmpeg_nopts()
                : av_rescale_q(pts, sourceTimeBase, AVRational(num: 1, den: rate)) - Int64((offset * Double(rate)).rounded())
            // Takes the frame's data and resets it.
            try FFmpeg.check(av_buffersrc_add_frame(source, frame), "filtering audio", path)
            try drainGraph(write)
        }
    }

    private func drainGraph(_ write: (UnsafeMutablePointer<AVPacket>) throws -> Void) throws {
        guard let sink, let encoder, let frame else { return }
        let timeBase = av_buffersink_get_time_base(sink)
        while true {
            let code = av_buffersink_get_frame(sink, frame)
            if code == FFmpeg.eagain || code == FFmpeg.eof { return }
            try FFmpeg.check(code, "filtering audio", path)
            defer { av_frame_unref(frame) }
            if ended { continue }
            let pts = av_rescale_q(frame.pointee.pts, timeBase, encoder.pointee.time_base)
            if pts >= endTicks { ended = true; continue }
            if pts + Int64(frame.pointee.nb_samples) > endTicks {
                // Encoders with a fixed frame size accept a shorter last frame.
                frame.pointee.nb_samples = Int32(endTicks - pts)
                ended = true
            }
            frame.pointee.pts = pts
            try FFmpeg.check(avcodec_send_frame(encoder, frame), "encoding audio with \(encoderName)", path)
            try drainEncoder(write)
        }
    }

    private func drainEncoder(_ write: (UnsafeMutablePointer<AVPacket>) throws -> Void) throws {
        guard let encoder, let packet else { return }
        while true {
            let code = avcodec_receive_packet(encoder, packet)
            if code == FFmpeg.eagain || code == FFmpeg.eof { return }
            try FFmpeg.check(code, "encoding audio with \(encoderName)", path)
            packet.pointee.stream_index = output.pointee.index
            av_packet_rescale_ts(packet, encoder.pointee.time_base, output.pointee.time_base)
            try write(packet)
        }
    }

    /// abuffer → atrim (drop what precedes output time 0) → aformat (the encoder's format, rate and layout) → sink.
    private func buildGraph(for frame: UnsafeMutablePointer<AVFrame>) throws {
        guard let encoder, let g = avfilter_graph_alloc() else {
            throw MediaError.ffmpeg(path: path, operation: "allocating the audio filters", message: "out of memory")
        }
        graph = g
        var inputLayout = AVChannelLayout()
        defer { av_channel_layout_uninit(&inputLayout) }
        if frame.pointee.ch_layout.order == AV_CHANNEL_ORDER_UNSPEC {
            av_channel_layout_default(&inputLayout, frame.pointee.ch_layout.nb_channels)
        } else {
            try FFmpeg.check(av_channel_layout_copy(&inputLayout, &frame.pointee.ch_layout), "reading the channel layout", path)
        }
        let inputFormat = String(cString: av_get_sample_fmt_name(AVSampleFormat(rawValue: frame.pointee.format)))
        let outputFormat = String(cString: av_get_sample_fmt_name(encoder.pointee.sample_fmt))
        let rate = frame.pointee.sample_rate
        let src = try filter("abuffer", "in", g, args: "time_base=1/\(rate):sample_rate=\(rate):sample_fmt=\(inputFormat):channel_layout=\(Self.describe(&inputLayout))")
        let trim = try filter("atrim", "trim", g, args: "start=0")
        let convert = try filter("aformat", "format", g,
                                 args: "sample_fmts=\(outputFormat):sample_rates=\(encoder.pointee.sample_rate):channel_layouts=\(Self.describe(&encoder.pointee.ch_layout))")
        let out = try filter("abuffersink", "out", g, args: nil)
        for (a, b) in [(src, trim), (trim, convert), (convert, out)] {
            try FFmpeg.check(avfilter_link(a, 0, b, 0), "linking the audio filters", path)
        }
        try FFmpeg.check(avfilter_graph_config(g, nil), "configuring the audio filters", path)
        let variable = Int32(encoder.pointee.codec.pointee.capabilities) & Int32(AV_CODEC_CAP_VARIABLE_FRAME_SIZE) != 0
        if encoder.pointee.frame_size > 0 && !variable { av_buffersink_set_frame_size(out, UInt32(encoder.pointee.frame_size)) }
        source = src
        sink = out
    }

    private func filter(_ name: String, _ label: String, _ graph: UnsafeMutablePointer<AVFilterGraph>,
                        args: String?) throws -> UnsafeMutablePointer<AVFilterContext> {
        var context: UnsafeMutablePointer<AVFilterContext>?
        try FFmpeg.check(avfilter_graph_create_filter(&context, avfilter_get_by_name(name), label, args, nil, graph),
                         "creating the \(name) filter", path)
        guard let context else { throw MediaError.ffmpeg(path: path, operation: "creating the \(name) filter", message: "out of memory") }
        return context
    }

    private static func describe(_ layout: UnsafePointer<AVChannelLayout>) -> String {
        var buffer = [CChar](repeating: 0, count: 128)
        return av_channel_layout_describe(layout, &buffer, buffer.count) < 0 ? "stereo" : String(cString: buffer)
    }

    /// The source's layout when the encoder takes it, else mono or stereo.
    private static func layout(for source: AVChannelLayout, encoder: UnsafePointer<AVCodec>, into layout: inout AVChannelLayout) {
        var wanted = AVChannelLayout()
        av_channel_layout_default(&wanted, max(source.nb_channels, 1))
        if source.order != AV_CHANNEL_ORDER_UNSPEC { var s = source; _ = av_channel_layout_copy(&wanted, &s) }
        defer { av_channel_layout_uninit(&wanted) }
        var accepted = encoder.pointee.ch_layouts == nil
        if let list = encoder.pointee.ch_layouts {
            var i = 0
            while list[i].nb_channels != 0 {
                var candidate = list[i]
                if av_channel_layout_compare(&candidate, &wanted) == 0 { accepted = true; break }
                i += 1
            }
        }
        if accepted { _ = av_channel_layout_copy(&layout, &wanted) } else { av_channel_layout_default(&layout, min(max(source.nb_channels, 1), 2)) }
    }

    /// The source's rate when the encoder takes it, else the nearest higher one it does (the highest if none).
    private static func rate(for source: Int32, encoder: UnsafePointer<AVCodec>) -> Int32 {
        guard let list = encoder.pointee.supported_samplerates else { return source }
        var rates: [Int32] = []
        var i = 0
        while list[i] != 0 { rates.append(list[i]); i += 1 }
        if rates.contains(source) || rates.isEmpty { return source }
        return rates.filter { $0 > source }.min() ?? rates.max()!
    }
}
