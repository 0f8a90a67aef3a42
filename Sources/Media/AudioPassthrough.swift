import CFFmpeg

/// A video's soundtrack, taken from the audio streams of a source file while the frames are written. Each audio
/// stream is packet-copied (bit for bit, no re-encode) when the output container accepts its codec, else
/// re-encoded to the container's usual codec (`AudioTranscoder`); other streams are named as dropped.
///
/// Cutting to [start, end): a copied packet is kept when it starts before the span's end and ends at or after its
/// start. A packet straddling (or ending at) `start` is kept with a negative timestamp when the container stores
/// those (MP4/MOV: an edit list hides the lead-in, so the first sample heard is the one at `start` and the decoder
/// has its pre-roll); otherwise (WebM) packets starting before `start` are dropped and the first one kept begins
/// less than one packet after it, still at its true time. Either way every packet keeps its exact offset from the
/// video: sync holds. Re-encoded streams are cut to the sample at both ends.
/// Packets are read from the source only up to the time the video has reached, so memory stays bounded.
final class AudioPassthrough {
    /// One line per audio stream and one naming the dropped streams, for the CLI to print.
    private(set) var notes: [String] = []
    private let path: String
    private var input: UnsafeMutablePointer<AVFormatContext>?
    private var packet: UnsafeMutablePointer<AVPacket>?
    private var tracks: [Int32: Track] = [:]
    private var plans: [(index: Int32, encoder: String?)] = []
    /// Source seconds at output time 0 (the video's start offset plus `start`).
    private var offset = 0.0
    /// Output seconds where audio stops (the span's end, then also the last video frame's end).
    private var cutEnd = Double.infinity
    private var allowsNegative = false
    private var holding = false
    private var exhausted = false

    private struct Track {
        let input: UnsafeMutablePointer<AVStream>
        let output: UnsafeMutablePointer<AVStream>
        let transcoder: AudioTranscoder?
    }

    /// Opens `source` and decides, for the container `muxer` (nil: one that holds no audio, GIF/APNG), what
    /// becomes of each stream. The source's main video stream (the one the frames come from) is not reported.
    init(source: AudioSource, muxer: String?, outputPath: String) throws {
        _ = FFmpeg.quiet
        path = source.path
        guard source.start >= 0, source.start.isFinite, source.end.map({ $0 > source.start && $0.isFinite }) ?? true else {
            throw WriterError.invalidAudioSpan(path: source.path, start: source.start, end: source.end)
        }
        var context: UnsafeMutablePointer<AVFormatContext>?
        let opened = avformat_open_input(&context, source.path, nil, nil)
        guard opened >= 0, let context else { throw WriterError.unreadableAudioSource(path: source.path, reason: FFmpeg.message(opened)) }
        input = context
        packet = av_packet_alloc()
        guard packet != nil else { throw MediaError.ffmpeg(path: source.path, operation: "allocation", message: "out of memory") }
        let info = avformat_find_stream_info(context, nil)
        if info < 0 { throw WriterError.unreadableAudioSource(path: source.path, reason: FFmpeg.message(info)) }

        let video = av_find_best_stream(context, AVMEDIA_TYPE_VIDEO, -1, -1, nil, 0)
        var origin = 0.0
        if video >= 0, let v = context.pointee.streams[Int(video)], v.pointee.start_time != cffmpeg_nopts() {
            origin = Double(v.pointee.start_time) * av_q2d(v.pointee.time_base)
        } else if context.pointee.start_time != cffmpeg_nopts() {
            origin = Double(context.pointee.start_time) / 1e6
        }
        offset = origin + source.start
        cutEnd = source.end.map { $0 - source.start } ?? .infinity

        let format = muxer.flatMap { av_guess_format($0, nil, nil) }
        allowsNegative = format.map { $0.pointee.flags & AVFMT_TS_NEGATIVE != 0 } ?? false
        var dropped: [String] = []
        for i in 0 ..< Int32(context.pointee.nb_streams) {
            guard let stream = context.pointee.streams[Int(i)], i != video else { continue }
            let par = stream.pointee.codecpar.pointee
            let codec = String(cString: avcodec_get_name(par.codec_id))
            let kind = av_get_media_type_string(par.codec_type).map { String(cString: $0) } ?? "unknown"
            // Cover art and other still pictures beside the video are not a soundtrack either.
            guard par.codec_type == AVMEDIA_TYPE_AUDIO else {
                let tag = par.codec_type == AVMEDIA_TYPE_DATA ? Self.tag(par.codec_tag) : nil
                dropped.append("#\(i) \(kind) (\(tag ?? codec))")
                continue
            }
            let description = "audio #\(i) \(codec)\(Self.describe(par))"
            guard let format, let muxer else {
                dropped.append("#\(i) audio (\(codec))")
                continue
            }
            if Self.accepts(muxer, format, stream) {
                plans.append((i, nil))
                notes.append("\(description): copied")
            } else if let encoder = Self.encoder(for: muxer) {
                plans.append((i, encoder))
                notes.append("\(description): re-encoded to \(Self.codecName(encoder)) (\(muxer) cannot hold \(codec))")
            } else {
                dropped.append("#\(i) audio (\(codec): \(muxer) cannot hold it and no encoder for it is available)")
            }
        }
        if !dropped.isEmpty {
            notes.append("dropped: " + dropped.joined(separator: ", ") + (muxer == nil ? " (\(outputPath.fileExtension) holds no audio)" : ""))
        }
        if plans.isEmpty { close() }
    }

    deinit { close() }

    /// Adds the output streams (called before the output's header is written).
    func addStreams(to format: UnsafeMutablePointer<AVFormatContext>, outputPath: String) throws {
        guard let input else { return }
        for plan in plans {
            let stream = input.pointee.streams[Int(plan.index)]!
            if let encoder = plan.encoder {
                let transcoder = try AudioTranscoder(input: stream, encoderName: encoder, format: format, offset: offset, path: outputPath)
                transcoder.cut(at: cutEnd)
                tracks[plan.index] = Track(input: stream, output: transcoder.output, transcoder: transcoder)
            } else {
                guard let out = avformat_new_stream(format, nil) else {
                    throw MediaError.ffmpeg(path: outputPath, operation: "adding an audio stream", message: "out of memory")
                }
                try FFmpeg.check(avcodec_parameters_copy(out.pointee.codecpar, stream.pointee.codecpar), "copying the audio parameters", outputPath)
                // The source container's tag may mean nothing in the output one; its muxer picks its own.
                out.pointee.codecpar.pointee.codec_tag = 0
                // WebM's demuxer subtracts the stated codec delay (CodecDelay) from every timestamp, which FFmpeg's
                // muxer does not add: stating none keeps the copied timestamps (and sync) as written. The decoder
                // still skips the pre-roll its own header (OpusHead) gives.
                if !allowsNegative { out.pointee.codecpar.pointee.initial_padding = 0 }
                out.pointee.time_base = stream.pointee.time_base
                av_dict_copy(&out.pointee.metadata, stream.pointee.metadata, 0)
                tracks[plan.index] = Track(input: stream, output: out, transcoder: nil)
            }
        }
    }

    /// Writes the audio that precedes output second `time` (the latest video frame's).
    func write(until time: Double, _ write: (UnsafeMutablePointer<AVPacket>) throws -> Void) throws {
        guard let input, let packet else { return }
        while true {
            if !holding {
                if exhausted { return }
                let code = av_read_frame(input, packet)
                if code == FFmpeg.eof { exhausted = true; return }
                try FFmpeg.check(code, "reading the soundtrack", path)
                guard tracks[packet.pointee.stream_index] != nil else { av_packet_unref(packet); continue }
                holding = true
            }
            let track = tracks[packet.pointee.stream_index]!
            let seconds = outputSeconds(packet, track.input)
            if seconds > time { return }
            holding = false
            try route(packet, track, at: seconds, write)
            av_packet_unref(packet)
        }
    }

    /// Writes the rest of the audio up to `videoEnd` (the end of the last frame, output seconds) and flushes
    /// the encoders; the source is closed.
    func finish(videoEnd: Double, _ write: (UnsafeMutablePointer<AVPacket>) throws -> Void) throws {
        cutEnd = min(cutEnd, videoEnd)
        for track in tracks.values { track.transcoder?.cut(at: cutEnd) }
        try self.write(until: cutEnd, write)
        for track in tracks.values { try track.transcoder?.finish(write: write) }
        close()
    }

    private func route(_ packet: UnsafeMutablePointer<AVPacket>, _ track: Track, at seconds: Double,
                       _ write: (UnsafeMutablePointer<AVPacket>) throws -> Void) throws {
        let duration = Double(packet.pointee.duration) * av_q2d(track.input.pointee.time_base)
        if let transcoder = track.transcoder {
            // The decoder gets a little lead-in (its pre-roll); the filters cut at output time 0 exactly.
            if seconds + duration > -0.5 && seconds < cutEnd { try transcoder.send(packet, write: write) }
            return
        }
        // A packet ending exactly at output time 0 (AAC priming) is the next one's pre-roll: kept where allowed.
        guard seconds < cutEnd, seconds >= 0 || (allowsNegative && seconds + duration >= 0) else { return }
        let timeBase = track.input.pointee.time_base
        let shift = Int64((offset / av_q2d(timeBase)).rounded())
        if packet.pointee.pts != cffmpeg_nopts() { packet.pointee.pts -= shift }
        if packet.pointee.dts != cffmpeg_nopts() { packet.pointee.dts -= shift }
        packet.pointee.pos = -1
        packet.pointee.stream_index = track.output.pointee.index
        av_packet_rescale_ts(packet, timeBase, track.output.pointee.time_base)
        try write(packet)
    }

    /// A packet's presentation time in output seconds (its decoding time when it has none).
    private func outputSeconds(_ packet: UnsafeMutablePointer<AVPacket>, _ stream: UnsafeMutablePointer<AVStream>) -> Double {
        let ts = packet.pointee.pts != cffmpeg_nopts() ? packet.pointee.pts : packet.pointee.dts
        guard ts != cffmpeg_nopts() else { return -.infinity }
        return Double(ts) * av_q2d(stream.pointee.time_base) - offset
    }

    private func close() {
        if input != nil { avformat_close_input(&input) }
        av_packet_free(&packet)
        holding = false
    }

    /// Whether `muxer` takes the stream as it is. Its codec list is not the whole answer (MOV lists Opus and then
    /// refuses it), so a header is also tried, in memory.
    private static func accepts(_ muxer: String, _ format: UnsafePointer<AVOutputFormat>, _ stream: UnsafeMutablePointer<AVStream>) -> Bool {
        guard avformat_query_codec(format, stream.pointee.codecpar.pointee.codec_id, FF_COMPLIANCE_NORMAL) == 1 else { return false }
        var trial: UnsafeMutablePointer<AVFormatContext>?
        guard avformat_alloc_output_context2(&trial, nil, muxer, nil) >= 0, let trial else { return false }
        defer {
            if trial.pointee.pb != nil {
                var bytes: UnsafeMutablePointer<UInt8>?
                _ = avio_close_dyn_buf(trial.pointee.pb, &bytes)
                av_free(bytes)
                trial.pointee.pb = nil
            }
            avformat_free_context(trial)
        }
        guard let out = avformat_new_stream(trial, nil),
              avcodec_parameters_copy(out.pointee.codecpar, stream.pointee.codecpar) >= 0 else { return false }
        out.pointee.codecpar.pointee.codec_tag = 0
        out.pointee.time_base = stream.pointee.time_base
        guard avio_open_dyn_buf(&trial.pointee.pb) >= 0 else { return false }
        return avformat_write_header(trial, nil) >= 0
    }

    /// The usual audio encoder for a container, when this FFmpeg has it.
    private static func encoder(for muxer: String) -> String? {
        let candidates = muxer == "webm" ? ["libopus", "libvorbis"] : ["aac"]
        return candidates.first { avcodec_find_encoder_by_name($0) != nil }
    }

    private static func codecName(_ encoder: String) -> String {
        avcodec_find_encoder_by_name(encoder).map { String(cString: avcodec_get_name($0.pointee.id)) } ?? encoder
    }

    /// " 48 kHz stereo" from the stream's parameters.
    private static func describe(_ par: AVCodecParameters) -> String {
        var text = ""
        if par.sample_rate > 0 {
            let khz = Double(par.sample_rate) / 1000
            text += khz == khz.rounded() ? " \(Int(khz)) kHz" : " \(khz) kHz"
        }
        var layout = par.ch_layout
        // "1 channels" says less than "mono": an unlabelled layout is described as the usual one of its size.
        if layout.order == AV_CHANNEL_ORDER_UNSPEC { av_channel_layout_default(&layout, layout.nb_channels) }
        var buffer = [CChar](repeating: 0, count: 64)
        if layout.nb_channels > 0, av_channel_layout_describe(&layout, &buffer, buffer.count) >= 0 { text += " " + String(cString: buffer) }
        return text
    }

    /// A four-character codec tag ("tmcd") when it is printable.
    private static func tag(_ value: UInt32) -> String? {
        let bytes = (0 ..< 4).map { UInt8((value >> (8 * $0)) & 0xFF) }
        guard value != 0, bytes.allSatisfy({ $0 >= 32 && $0 < 127 }) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }
}
