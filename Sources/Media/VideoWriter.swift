import AtomicFiles
import CFFmpeg

/// Encoding choices for `VideoWriter`; the defaults suit convergence videos.
public struct VideoOptions: Sendable {
    /// Constant-quality factor: x264 CRF (0–51) for MP4, VP9 CRF (0–63) for WebM. nil = the codec's default here.
    public var crf: Int?
    /// Used when the extension is `.gif`.
    public var gif: GifOptions
    /// MP4/MOV written in place, playable at every moment (a fragment per frame, no encoder delay): a copy that
    /// survives a crash of the process writing it, where a normal MP4 is unreadable until its index is written.
    public var growing: Bool

    public init(crf: Int? = nil, gif: GifOptions = GifOptions(), growing: Bool = false) {
        self.crf = crf
        self.gif = gif
        self.growing = growing
    }
}

/// Writes frames as a video whose container and codec follow the extension: `.mp4`/`.m4v`/`.mov` H.264 (yuv420p,
/// faststart), `.webm` VP9, `.gif` (palette from the frames, see `GifWriter`), `.apng`/`.png` animated PNG.
/// The size is fixed by the first frame; later frames of another size are resized to it.
/// Frames carry timestamps in `timeBase` (a source's own, so variable-rate clips keep their timing) or follow
/// `frameRate`. With an `AudioSource`, MP4/MOV/WebM outputs carry its soundtrack (see `AudioPassthrough`),
/// interleaved as the frames arrive and cut at the end of the last frame; `notes` says what became of each stream.
/// The file appears under its name when `finish()` is called (or the writer is released); `discard()` leaves none.
public final class VideoWriter: FrameConsumer {
    public static let supportedExtensions = ["mp4", "m4v", "mov", "webm", "gif", "apng", "png"]

    public let path: String
    public let frameRate: FrameRate
    public let options: VideoOptions
    /// The unit of frame timestamps: the one given, else one frame at `frameRate`.
    public let timeBase: TimeBase
    public private(set) var frameCount = 0
    /// What became of the soundtrack's streams, one line each (copied, re-encoded and why, dropped), for the CLI.
    public var notes: [String] { audio?.notes ?? [] }
    /// The size frames are fitted to (the first frame's; 0 before it). Encoded MP4/WebM frames are padded to even.
    public private(set) var width = 0
    public private(set) var height = 0

    private let ext: String
    private var stream: EncodedStream?
    private var gif: GifWriter?
    private var frame: UnsafeMutablePointer<AVFrame>?
    private let converter = PixelConverter()
    private var finished = false
    private let audio: AudioPassthrough?
    /// One frame at `frameRate`, in `timeBase` units: the step when no timestamp is given, and the last frame's length.
    private let frameDuration: Int64
    private var lastPTS: Int64?

    /// x264 preset (ultrafast … veryslow) of MP4/MOV outputs.
    static let x264Preset = "medium"
    /// Encoder threads. One, so encoding beside the optimisation does not take its cores.
    static let encoderThreads = 1

    /// `timeBase`: the unit of the timestamps given to `append(_:pts:)` (nil: 1/frameRate). `audio`: where the
    /// soundtrack comes from (GIF and APNG hold none; their notes say it was dropped).
    public init(path: String, frameRate: FrameRate = FrameRate(15), options: VideoOptions = VideoOptions(),
                timeBase: TimeBase? = nil, audio: AudioSource? = nil) throws {
        ext = path.fileExtension
        guard Self.supportedExtensions.contains(ext) else {
            throw MediaError.unsupportedExtension(path: path, supported: Self.supportedExtensions)
        }
        try MediaError.writing { try AtomicFile.checkWritable(path) }
        self.path = path
        self.frameRate = frameRate
        self.options = options
        self.timeBase = timeBase ?? TimeBase(frameInterval: frameRate)
        let rate = AVRational(num: Int32(frameRate.numerator), den: Int32(frameRate.denominator))
        frameDuration = max(1, av_rescale_q(1, av_inv_q(rate), self.timeBase.av))
        let muxer = Self.audioMuxer[ext]
        self.audio = try audio.map { try AudioPassthrough(source: $0, muxer: muxer, outputPath: path) }
        if ext == "gif" { gif = try GifWriter(path: path, frameRate: frameRate, options: options.gif) }
    }

    deinit {
        try? finish()
        av_frame_free(&frame)
    }

    /// The next frame, one `frameRate` step after the previous one.
    public func append(_ image: RGBImage) throws { try append(image, pts: nil) }

    /// A frame shown at `pts` (in `timeBase` units, from the output's start; increasing), or one frame after the
    /// previous one when nil. Audio up to this frame's time is written with it.
    public func append(_ image: RGBImage, pts: Int64?) throws {
        guard !finished else { throw MediaError.alreadyFinished(path: path) }
        let time = pts ?? lastPTS.map { $0 + frameDuration } ?? 0
        if let pts, pts < 0 { throw WriterError.negativeTimestamp(path: path, given: pts) }
        if let lastPTS, time <= lastPTS { throw WriterError.timestampNotIncreasing(path: path, previous: lastPTS, given: time) }
        if let gif {
            try gif.append(image)
            if frameCount == 0 { (width, height) = (image.width, image.height) }
            frameCount += 1
            lastPTS = time
            return
        }
        if stream == nil { try open(width: image.width, height: image.height) }
        guard let stream, let frame else { return }
        var picture = image.width == width && image.height == height ? image : try ImageResize.resize(image, width: width, height: height)
        if Int(frame.pointee.width) != width || Int(frame.pointee.height) != height {
            picture = picture.paddedByEdge(width: Int(frame.pointee.width), height: Int(frame.pointee.height))
        }
        try converter.fill(frame, from: picture, path: path)
        frame.pointee.pts = time
        try stream.send(frame)
        frameCount += 1
        lastPTS = time
        try audio?.write(until: Double(time) * timeBase.value) { try stream.write($0) }
    }

    /// Flushes, writes the rest of the audio (up to the end of the last frame) and the trailer, and moves the file
    /// into place: also what an interrupted run calls to keep the frames done so far. Safe to call more than once;
    /// called by deinit.
    public func finish() throws {
        guard !finished else { return }
        finished = true
        if let gif { try gif.finish(); return }
        guard let stream else { throw MediaError.noFrames(path: path) }
        let end = Double((lastPTS ?? 0) + frameDuration) * timeBase.value
        try stream.close { try audio?.finish(videoEnd: end) { try stream.write($0) } }
    }

    /// Stops without leaving a file under `path` (for a failed run). No effect after `finish()`.
    public func discard() {
        guard !finished else { return }
        finished = true
        gif?.discard()
        stream?.discard()
    }

    /// The muxer that receives audio, per extension; GIF and APNG have none.
    private static let audioMuxer = ["mp4": "mp4", "m4v": "mp4", "mov": "mov", "webm": "webm"]

    private func open(width: Int, height: Int) throws {
        guard width > 0, height > 0 else { throw MediaError.invalidSize(path: path, width: width, height: height) }
        self.width = width
        self.height = height
        let rate = AVRational(num: Int32(frameRate.numerator), den: Int32(frameRate.denominator))
        let timeBase = self.timeBase.av
        // 4:2:0 chroma needs even dimensions; odd ones are padded by repeating the last row/column.
        let even = (width + 1) & ~1, evenH = (height + 1) & ~1
        var s: EncodedStream.Settings
        switch ext {
        case "mp4", "m4v", "mov":
            s = .init(muxer: ext == "mov" ? "mov" : "mp4", encoder: "libx264", pixelFormat: AV_PIX_FMT_YUV420P,
                      width: even, height: evenH, timeBase: timeBase, frameRate: rate)
            s.encoderOptions = ["crf": "\(options.crf ?? 18)", "preset": Self.x264Preset]
            s.muxerOptions = ["movflags": "+faststart"]
            if options.growing {
                s.encoderOptions["tune"] = "zerolatency"
                s.muxerOptions = ["movflags": "+empty_moov+default_base_moof+frag_every_frame", "flush_packets": "1"]
                s.growing = true
            }
            s.tagBT709 = true
        case "webm":
            s = .init(muxer: "webm", encoder: "libvpx-vp9", pixelFormat: AV_PIX_FMT_YUV420P,
                      width: even, height: evenH, timeBase: timeBase, frameRate: rate)
            s.encoderOptions = ["crf": "\(options.crf ?? 30)", "b": "0", "deadline": "good", "cpu-used": "4", "row-mt": "1"]
            s.tagBT709 = true
        default: // apng, png
            s = .init(muxer: "apng", encoder: "apng", pixelFormat: AV_PIX_FMT_RGB24,
                      width: width, height: height, timeBase: timeBase, frameRate: rate)
            // Paeth prediction halves the file (measured 9.5 → 5.1 MB on 48 frames of 512²) for twice the time.
            s.encoderOptions = ["pred": "paeth"]
            s.muxerOptions = ["plays": "0"]
        }
        s.threads = Self.encoderThreads
        s.frameDuration = frameDuration
        let stream = try EncodedStream(path: path, settings: s) { format in try audio?.addStreams(to: format, outputPath: path) }
        frame = try FFmpeg.allocFrame(width: s.width, height: s.height, format: s.pixelFormat, path: path)
        self.stream = stream
    }
}

extension RGBImage {
    /// The image in a larger canvas, the extra columns and rows repeating the last ones (invisible after cropping,
    /// and no hard edge for the codec to spend bits on).
    func paddedByEdge(width w: Int, height h: Int) -> RGBImage {
        var out = [Float](repeating: 0, count: 3 * w * h)
        for c in 0 ..< 3 {
            for y in 0 ..< h {
                let sy = min(y, height - 1)
                for x in 0 ..< w { out[(c * h + y) * w + x] = planes[(c * height + sy) * width + min(x, width - 1)] }
            }
        }
        return RGBImage(width: w, height: h, planes: out)
    }
}
