import CFFmpeg
import Foundation
import Media
import XCTest

/// The soundtrack of `VideoWriter`: packet copy bit for bit, cuts, re-encoding, dropped streams, timestamps,
/// discarding. Outputs are read back with libavformat directly, not with the code under test.
final class AudioTests: XCTestCase {
    static let files = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Files")
    let aac = files.appendingPathComponent("audio-aac.mp4").path          // aac 44.1 kHz mono, video starts at 0
    let opus = files.appendingPathComponent("audio-opus.webm").path       // opus 48 kHz mono
    let mixed = files.appendingPathComponent("audio-pcm-mp3-srt.mkv").path // #1 pcm 8 kHz, #2 mp3, #3 subrip

    /// Writes `count` frames at 10 fps with the soundtrack of `audio`; returns the path and the writer's notes.
    func write(_ ext: String, count: Int, audio: AudioSource) throws -> (path: String, notes: [String]) {
        let path = try Fixtures.directory(self) + "/out." + ext
        let writer = try VideoWriter(path: path, frameRate: FrameRate(10), audio: audio)
        for i in 0 ..< count { try writer.append(Fixtures.pattern(width: 32, height: 24, frame: i)) }
        try writer.finish()
        return (path, writer.notes)
    }

    func testCopiedPacketsAreBitIdentical() throws {
        let source = try Packets(aac).audio(1)
        for ext in ["mp4", "mov"] {
            let (path, notes) = try write(ext, count: 20, audio: AudioSource(path: aac))
            XCTAssertEqual(notes, ["audio #1 aac 44.1 kHz mono: copied"], ext)
            let out = try Packets(path)
            XCTAssertEqual(out.audioStreams.count, 1, ext)
            let copied = out.audio(out.audioStreams[0])
            // Every packet before the video's end (2 s), the AAC priming packet at −1024 included.
            let expected = source.filter { $0.seconds < 2 }
            XCTAssertGreaterThan(expected.count, 80)
            XCTAssertEqual(copied.map(\.hash), expected.map(\.hash), "\(ext): payloads")
            XCTAssertLessThan(zip(copied, expected).map { abs($0.seconds - $1.seconds) }.max() ?? 1, 1e-4, "\(ext): times")
        }
    }

    /// MP4 keeps the packet straddling the start (negative time, hidden by an edit list); WebM drops it.
    func testCutToSpanKeepsSync() throws {
        for (file, ext, index) in [(aac, "mp4", Int32(1)), (opus, "webm", Int32(1))] {
            let start = 0.5, end = 1.5
            // Source seconds count from the first video frame (0.007 s in the WebM, whose muxer shifted it).
            let sourcePackets = try Packets(file)
            let origin = try XCTUnwrap(sourcePackets.video().map(\.seconds).min())
            let source = sourcePackets.audio(index).map { Packets.Packet(seconds: $0.seconds - origin, duration: $0.duration, hash: $0.hash) }
            let (path, notes) = try write(ext, count: 10, audio: AudioSource(path: file, start: start, end: end))
            XCTAssertTrue(notes.first?.hasSuffix(": copied") ?? false, "\(notes)")
            let out = try Packets(path)
            let copied = out.audio(out.audioStreams[0])
            let packet = source[1].duration
            guard let first = source.firstIndex(where: { $0.hash == copied.first?.hash }) else {
                return XCTFail("\(ext): the first output packet is not a source packet")
            }
            // The payloads are a contiguous run of the source's.
            XCTAssertEqual(copied.map(\.hash), source[first ..< first + copied.count].map(\.hash), ext)
            let firstTime = source[first].seconds
            if ext == "mp4" {
                XCTAssertTrue(firstTime <= start && firstTime > start - packet, "\(ext): first kept at \(firstTime) s")
            } else {
                XCTAssertTrue(firstTime >= start && firstTime < start + packet, "\(ext): first kept at \(firstTime) s")
            }
            // Sync: each packet sits at its source time minus start.
            XCTAssertEqual(copied[0].seconds, firstTime - start, accuracy: 1e-3, "\(ext): sync")
            XCTAssertLessThanOrEqual(abs(copied[0].seconds), packet, ext)
            // Everything up to the end of the span (which is also the video's end) and nothing after.
            let last = source[first + copied.count - 1].seconds
            XCTAssertLessThan(last, end, ext)
            XCTAssertGreaterThanOrEqual(last + packet, end - 1e-6, ext)
            print("cut \(ext): \(copied.count) packets, first source time \(firstTime) s → output \(copied[0].seconds) s, last source \(last) s")
        }
    }

    func testReencodesWhatTheContainerCannotHoldAndNamesDroppedStreams() throws {
        let (path, notes) = try write("mp4", count: 20, audio: AudioSource(path: mixed))
        XCTAssertEqual(notes, ["audio #1 pcm_s16le 8 kHz mono: re-encoded to aac (mp4 cannot hold pcm_s16le)",
                               "audio #2 mp3 22.05 kHz mono: copied",
                               "dropped: #3 subtitle (subrip)"])
        let out = try Packets(path)
        XCTAssertEqual(out.audioStreams.map { out.codec($0) }, ["aac", "mp3"])
        // The source's video starts at 0.05 s: that instant is output time 0, for both streams.
        // The PCM stream spans source seconds 0.05…2.05, i.e. output 0…2 s, the video's 20 frames.
        let seconds = try Packets.decodedSeconds(path, stream: out.audioStreams[0])
        XCTAssertEqual(seconds, 2.0, accuracy: 0.1, "re-encoded duration vs the source span, within one video frame")
        print("re-encoded pcm → aac: \(seconds) s of audio for a 2 s span")
        let mp3 = try Packets(mixed).audio(2).filter { $0.seconds - 0.05 + $0.duration > 0 && $0.seconds - 0.05 < 2 }
        XCTAssertEqual(out.audio(out.audioStreams[1]).map(\.hash), mp3.map(\.hash), "the mp3 stream is copied bit for bit")
    }

    func testWebMReencodesAAC() throws {
        let (path, notes) = try write("webm", count: 10, audio: AudioSource(path: aac))
        XCTAssertEqual(notes.count, 1)
        XCTAssertTrue(notes[0].hasPrefix("audio #1 aac 44.1 kHz mono: re-encoded to "), notes[0])
        let out = try Packets(path)
        XCTAssertTrue(["opus", "vorbis"].contains(out.codec(out.audioStreams[0])))
        XCTAssertEqual(try Packets.decodedSeconds(path, stream: out.audioStreams[0]), 1.0, accuracy: 0.1)
    }

    /// Opus and MP3 go into MP4 and MOV unchanged; whatever the decision, the file plays.
    func testEveryPairOfFixtureAndContainerGivesAPlayableFile() throws {
        for file in [aac, opus, mixed] {
            for ext in ["mp4", "mov", "webm"] {
                let (path, notes) = try write(ext, count: 10, audio: AudioSource(path: file, start: 0.2))
                let out = try Packets(path)
                XCTAssertEqual(out.video().count, 10, "\(file) → \(ext)")
                for stream in out.audioStreams {
                    XCTAssertEqual(try Packets.decodedSeconds(path, stream: stream), 1.0, accuracy: 0.15, "\(file) → \(ext) #\(stream)")
                }
                print("\(URL(fileURLWithPath: file).lastPathComponent) → \(ext): \(notes.joined(separator: "; "))")
            }
        }
    }

    /// A start past the end of the sound (a silent tail of the clip) still gives a playable video.
    func testStartPastTheSoundtrackStillWrites() throws {
        for ext in ["mp4", "webm"] {
            let (path, _) = try write(ext, count: 5, audio: AudioSource(path: mixed, start: 5))
            let out = try Packets(path)
            XCTAssertEqual(out.video().count, 5, ext)
            for stream in out.audioStreams { XCTAssertEqual(out.audio(stream).count, 0, ext) }
        }
    }

    func testGIFCarriesNoAudio() throws {
        let (path, notes) = try write("gif", count: 3, audio: AudioSource(path: aac))
        XCTAssertEqual(notes, ["dropped: #1 audio (aac) (gif holds no audio)"])
        XCTAssertEqual(try Packets(path).audioStreams, [])
    }

    /// A run stopped after 5 frames (0.5 s) gets 0.5 s of sound, not the source's 2 s.
    func testEarlyFinishCutsAudioAtTheVideoEnd() throws {
        let (copyPath, _) = try write("mp4", count: 5, audio: AudioSource(path: aac))
        let copied = try Packets(copyPath).audio(1)
        let last = try XCTUnwrap(copied.last)
        XCTAssertLessThan(last.seconds, 0.5)
        XCTAssertGreaterThanOrEqual(last.seconds + last.duration, 0.5)
        let (encodedPath, _) = try write("mp4", count: 5, audio: AudioSource(path: mixed))
        let seconds = try Packets.decodedSeconds(encodedPath, stream: 1)
        XCTAssertEqual(seconds, 0.5, accuracy: 1024 / 8000, "within one AAC frame")
        print("early finish at 0.5 s: copied audio ends at \(last.seconds + last.duration) s, re-encoded has \(seconds) s")
    }

    /// Audio is read only as far as the video has come: 30 minutes of PCM (28.8 MB) copied beside 19 frames 100 s
    /// apart adds a few MB at most to the resident memory (the MOV index grows per packet; buffering the track would
    /// add all of it).
    func testMemoryStaysBoundedWithALongSoundtrack() throws {
        let dir = try Fixtures.directory(self)
        let wav = dir + "/long.wav"
        let rate = 8000, seconds = 1800
        try Self.writeTone(wav, rate: rate, seconds: seconds)
        let writer = try VideoWriter(path: dir + "/out.mov", frameRate: FrameRate(1), timeBase: TimeBase(numerator: 1, denominator: 10),
                                     audio: AudioSource(path: wav))
        XCTAssertEqual(writer.notes, ["audio #0 pcm_s16le 8 kHz mono: copied"])
        let image = Fixtures.pattern(width: 16, height: 16)
        try writer.append(image, pts: 0)  // opens the encoder and the muxer: the baseline includes them
        let baseline = Self.residentBytes()
        var peak = baseline
        for i in 1 ..< seconds / 100 + 1 {
            try writer.append(image, pts: Int64(i * 1000))
            peak = max(peak, Self.residentBytes())
        }
        try writer.finish()
        let growth = Double(peak - baseline) / 1e6
        print("long soundtrack: \(Double(2 * rate * seconds) / 1e6) MB of PCM copied, resident memory grew \(growth) MB")
        XCTAssertLessThan(growth, 4)
        let out = try Packets(dir + "/out.mov")
        let last = try XCTUnwrap(out.audio(out.audioStreams[0]).last)
        XCTAssertEqual(last.seconds + last.duration, Double(seconds), accuracy: 0.2, "the whole track is there")
    }

    /// A mono 16-bit PCM WAV of `signal(t)` (−1…1, t in seconds; a 440 Hz tone by default), written with libavformat.
    static func writeTone(_ path: String, rate: Int, seconds: Int,
                          signal: (Double) -> Double = { 0.25 * sin(2 * Double.pi * 440 * $0) }) throws {
        var format: UnsafeMutablePointer<AVFormatContext>?
        guard avformat_alloc_output_context2(&format, nil, "wav", path) >= 0, let format,
              let stream = avformat_new_stream(format, nil) else { throw FixtureError("cannot make \(path)") }
        defer { avio_closep(&format.pointee.pb); avformat_free_context(format) }
        let par = stream.pointee.codecpar!
        par.pointee.codec_type = AVMEDIA_TYPE_AUDIO
        par.pointee.codec_id = AV_CODEC_ID_PCM_S16LE
        par.pointee.sample_rate = Int32(rate)
        av_channel_layout_default(&par.pointee.ch_layout, 1)
        par.pointee.bits_per_coded_sample = 16
        par.pointee.block_align = 2
        stream.pointee.time_base = AVRational(num: 1, den: Int32(rate))
        guard avio_open(&format.pointee.pb, path, AVIO_FLAG_WRITE) >= 0, avformat_write_header(format, nil) >= 0 else {
            throw FixtureError("cannot write \(path)")
        }
        var packet = av_packet_alloc()
        defer { av_packet_free(&packet) }
        let chunk = rate / 2
        for c in 0 ..< 2 * seconds {
            XCTAssertEqual(av_new_packet(packet, Int32(2 * chunk)), 0)
            let samples = UnsafeMutableRawPointer(packet!.pointee.data!).assumingMemoryBound(to: Int16.self)
            for k in 0 ..< chunk { samples[k] = Int16((32767 * signal(Double(c * chunk + k) / Double(rate))).rounded()) }
            packet!.pointee.pts = Int64(c * chunk)
            packet!.pointee.dts = packet!.pointee.pts
            packet!.pointee.duration = Int64(chunk)
            av_packet_rescale_ts(packet, AVRational(num: 1, den: Int32(rate)), stream.pointee.time_base)
            XCTAssertGreaterThanOrEqual(av_write_frame(format, packet), 0)
            av_packet_unref(packet)
        }
        XCTAssertGreaterThanOrEqual(av_write_trailer(format), 0)
    }

    static func residentBytes() -> Int {
        let fields = ((try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8)) ?? "").split(separator: " ")
        return fields.count > 1 ? (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE))) : 0
    }

    /// Sync to the sample: a chirp (no period to confuse the match) cut at 1 s, copied into MOV and re-encoded to
    /// AAC in MP4, decoded back and matched against the source: the best-matching shift is 0 (AAC: within 2 samples).
    func testCutAudioIsInSyncToTheSample() throws {
        let dir = try Fixtures.directory(self)
        let wav = dir + "/chirp.wav", rate = 8000
        let chirp = { (t: Double) in 0.5 * sin(2 * Double.pi * (150 * t + 150 * t * t)) }
        try Self.writeTone(wav, rate: rate, seconds: 4, signal: chirp)
        for (ext, tolerance) in [("mov", 0), ("mp4", 2)] {
            let path = dir + "/cut." + ext
            let writer = try VideoWriter(path: path, frameRate: FrameRate(10), audio: AudioSource(path: wav, start: 1.0))
            for i in 0 ..< 15 { try writer.append(Fixtures.pattern(width: 16, height: 16, frame: i)) }
            try writer.finish()
            let out = try Packets.decodedSamples(path, stream: 1)
            XCTAssertEqual(Double(out.count) / Double(rate), 1.5, accuracy: 0.13, ext)
            // The shift of the source (sampled from 1 s on) that best matches the output.
            let window = 200 ..< 10000
            var best = (shift: Int.max, error: Double.infinity)
            for shift in -100 ... 100 {
                var error = 0.0
                for k in window { let d = Double(out[k]) - chirp(1.0 + Double(k + shift) / Double(rate)); error += d * d }
                if error < best.error { best = (shift, error) }
            }
            let rms = (best.error / Double(window.count)).squareRoot()
            print("sync \(ext): best shift \(best.shift) samples, rms difference \(rms)")
            XCTAssertLessThanOrEqual(abs(best.shift), tolerance, ext)
            XCTAssertLessThan(rms, 0.05, ext)
        }
    }

    func testVariableFrameRateTimestampsRoundTrip() throws {
        let pts: [Int64] = [0, 3000, 9000, 10500, 18000, 27001, 30000, 45000]
        for ext in ["mp4", "webm"] {
            let path = try Fixtures.directory(self) + "/vfr." + ext
            let writer = try VideoWriter(path: path, frameRate: FrameRate(30), timeBase: TimeBase(numerator: 1, denominator: 90000))
            for (i, t) in pts.enumerated() { try writer.append(Fixtures.pattern(width: 32, height: 24, frame: i), pts: t) }
            try writer.finish()
            let times = try Packets(path).video().map(\.seconds).sorted()
            XCTAssertEqual(times.count, pts.count, ext)
            // WebM stores milliseconds.
            for (t, p) in zip(times, pts) { XCTAssertEqual(t, Double(p) / 90000, accuracy: ext == "webm" ? 0.0006 : 1e-6, ext) }
        }
    }

    func testNTSCTimeBaseKeepsItsRate() throws {
        let path = try Fixtures.directory(self) + "/ntsc.mp4"
        let writer = try VideoWriter(path: path, frameRate: FrameRate(numerator: 30000, denominator: 1001), timeBase: TimeBase(numerator: 1001, denominator: 30000))
        for i in 0 ..< 6 { try writer.append(Fixtures.pattern(width: 32, height: 24, frame: i), pts: i == 5 ? 7 : nil) }
        try writer.finish()
        let times = try Packets(path).video().map(\.seconds).sorted()
        XCTAssertEqual(times.map { ($0 * 30000 / 1001).rounded() }, [0, 1, 2, 3, 4, 7])
        XCTAssertEqual(try Fixtures.decodeAll(path).reader.frameRate, FrameRate(numerator: 30000, denominator: 1001))
    }

    func testRejectsTimestampsThatDoNotIncrease() throws {
        let path = try Fixtures.directory(self) + "/bad.mp4"
        let writer = try VideoWriter(path: path, frameRate: FrameRate(10), timeBase: TimeBase(numerator: 1, denominator: 1000))
        let image = Fixtures.pattern(width: 16, height: 16)
        try writer.append(image, pts: 100)
        XCTAssertThrowsError(try writer.append(image, pts: 100)) {
            XCTAssertEqual($0 as? WriterError, .timestampNotIncreasing(path: path, previous: 100, given: 100))
        }
        XCTAssertThrowsError(try writer.append(image, pts: -5)) {
            XCTAssertEqual($0 as? WriterError, .negativeTimestamp(path: path, given: -5))
        }
        try writer.append(image)  // nil: one frame (100 ms) later
        try writer.finish()
        XCTAssertEqual(try Packets(path).video().map(\.seconds).sorted(), [0.1, 0.2])
    }

    func testRejectsBadSoundtracks() throws {
        let dir = try Fixtures.directory(self)
        XCTAssertThrowsError(try VideoWriter(path: dir + "/a.mp4", audio: AudioSource(path: aac, start: 1, end: 1))) {
            XCTAssertEqual($0 as? WriterError, .invalidAudioSpan(path: aac, start: 1, end: 1))
        }
        XCTAssertThrowsError(try VideoWriter(path: dir + "/a.mp4", audio: AudioSource(path: dir + "/missing.mp4"))) {
            guard case .unreadableAudioSource? = $0 as? WriterError else { return XCTFail("\($0)") }
        }
    }

    func testDiscardLeavesNoFile() throws {
        let dir = try Fixtures.directory(self)
        let writer = try VideoWriter(path: dir + "/a.mp4", frameRate: FrameRate(10), audio: AudioSource(path: aac))
        for i in 0 ..< 3 { try writer.append(Fixtures.pattern(width: 32, height: 24, frame: i)) }
        XCTAssertEqual(Fixtures.files(in: dir).count, 1, "the temporary file exists while writing")
        writer.discard()
        try writer.finish()  // no effect after discard
        XCTAssertEqual(Fixtures.files(in: dir), [])

        let sink = FrameSink(consumers: [try VideoWriter(path: dir + "/b.webm", frameRate: FrameRate(10), audio: AudioSource(path: aac))])
        for i in 0 ..< 3 { try sink.push(Fixtures.pattern(width: 32, height: 24, frame: i), pts: Int64(i)) }
        try sink.finish(discarding: true)
        XCTAssertEqual(Fixtures.files(in: dir), [])
    }
}

/// Every packet of a file as read by libavformat: time, duration and a hash of its payload.
struct Packets {
    struct Packet {
        let seconds: Double
        let duration: Double
        let hash: UInt64
    }

    private var byStream: [Int32: [Packet]] = [:]
    private var types: [Int32: AVMediaType] = [:]
    private var codecs: [Int32: String] = [:]

    init(_ path: String) throws {
        var context: UnsafeMutablePointer<AVFormatContext>?
        guard avformat_open_input(&context, path, nil, nil) >= 0, let context else { throw FixtureError("cannot open \(path)") }
        defer { var c: UnsafeMutablePointer<AVFormatContext>? = context; avformat_close_input(&c) }
        guard avformat_find_stream_info(context, nil) >= 0 else { throw FixtureError("no stream info in \(path)") }
        for i in 0 ..< Int32(context.pointee.nb_streams) {
            let par = context.pointee.streams[Int(i)]!.pointee.codecpar.pointee
            types[i] = par.codec_type
            codecs[i] = String(cString: avcodec_get_name(par.codec_id))
        }
        var packet = av_packet_alloc()
        defer { av_packet_free(&packet) }
        while av_read_frame(context, packet) >= 0 {
            let p = packet!.pointee
            let base = av_q2d(context.pointee.streams[Int(p.stream_index)]!.pointee.time_base)
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a
            for k in 0 ..< Int(p.size) { hash = (hash ^ UInt64(p.data[k])) &* 0x100_0000_01b3 }
            byStream[p.stream_index, default: []].append(
                Packet(seconds: Double(p.pts == cffmpeg_nopts() ? p.dts : p.pts) * base, duration: Double(p.duration) * base, hash: hash))
            av_packet_unref(packet)
        }
    }

    var audioStreams: [Int32] { types.filter { $0.value == AVMEDIA_TYPE_AUDIO }.keys.sorted() }
    func codec(_ stream: Int32) -> String { codecs[stream] ?? "" }
    func audio(_ stream: Int32) -> [Packet] { byStream[stream] ?? [] }
    func video() -> [Packet] { types.filter { $0.value == AVMEDIA_TYPE_VIDEO }.keys.sorted().first.flatMap { byStream[$0] } ?? [] }

    static func decodedSeconds(_ path: String, stream index: Int32) throws -> Double {
        let (samples, rate) = try decoded(path, stream: index)
        return Double(samples.count) / Double(rate)
    }

    static func decodedSamples(_ path: String, stream index: Int32) throws -> [Float] { try decoded(path, stream: index).samples }

    /// What a player hears from one stream (priming and padding removed by the container's edit list and the
    /// decoder's skip): the first channel's samples and the decoder's output rate.
    static func decoded(_ path: String, stream index: Int32) throws -> (samples: [Float], rate: Int32) {
        var context: UnsafeMutablePointer<AVFormatContext>?
        guard avformat_open_input(&context, path, nil, nil) >= 0, let context else { throw FixtureError("cannot open \(path)") }
        defer { var c: UnsafeMutablePointer<AVFormatContext>? = context; avformat_close_input(&c) }
        guard avformat_find_stream_info(context, nil) >= 0 else { throw FixtureError("no stream info in \(path)") }
        let par = context.pointee.streams[Int(index)]!.pointee.codecpar
        var codec = avcodec_alloc_context3(avcodec_find_decoder(par!.pointee.codec_id))
        var packet = av_packet_alloc(), frame = av_frame_alloc()
        defer { avcodec_free_context(&codec); av_packet_free(&packet); av_frame_free(&frame) }
        XCTAssertGreaterThanOrEqual(avcodec_parameters_to_context(codec, par), 0)
        codec!.pointee.pkt_timebase = context.pointee.streams[Int(index)]!.pointee.time_base
        XCTAssertGreaterThanOrEqual(avcodec_open2(codec, nil, nil), 0)
        var samples: [Float] = []
        func drain() {
            while avcodec_receive_frame(codec, frame) >= 0 {
                let f = frame!.pointee, n = Int(f.nb_samples)
                let format = AVSampleFormat(rawValue: f.format)
                // Channel 0 for planar data and for mono (all the outputs measured here); interleaved
                // multi-channel data would mix channels.
                switch format {
                case AV_SAMPLE_FMT_FLTP, AV_SAMPLE_FMT_FLT:
                    let p = UnsafeRawPointer(f.data.0!).assumingMemoryBound(to: Float.self)
                    samples += (0 ..< n).map { p[$0] }
                case AV_SAMPLE_FMT_S16, AV_SAMPLE_FMT_S16P:
                    let p = UnsafeRawPointer(f.data.0!).assumingMemoryBound(to: Int16.self)
                    samples += (0 ..< n).map { Float(p[$0]) / 32768 }
                default:
                    samples += [Float](repeating: .nan, count: n)  // counted, never matched
                }
                av_frame_unref(frame)
            }
        }
        while av_read_frame(context, packet) >= 0 {
            if packet!.pointee.stream_index == index { _ = avcodec_send_packet(codec, packet); drain() }
            av_packet_unref(packet)
        }
        _ = avcodec_send_packet(codec, nil)
        drain()
        return (samples, codec!.pointee.sample_rate)
    }
}
