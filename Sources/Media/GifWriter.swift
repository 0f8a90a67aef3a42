import CFFmpeg
import Foundation

/// How a GIF preview is made.
public struct GifOptions: Sendable {
    public enum Dither: String, CaseIterable, Sendable {
        case sierra2_4a, floyd_steinberg, bayer, none
    }
    /// Frames wider than this are scaled down (Lanczos), keeping the aspect ratio. nil keeps the size.
    public var maxWidth: Int?
    /// Output frame rate cap; frames are dropped/timed by FFmpeg's fps filter. nil keeps the input rate.
    public var fps: Double?
    public var dither: Dither
    /// Bayer matrix scale 0–5 (higher = weaker pattern); only for `.bayer`.
    public var bayerScale: Int
    /// Palette size, 4…256 (palettegen's range; one entry is kept for transparency). Fewer colours make much
    /// smaller files.
    public var maxColors: Int
    /// Palette statistics from whole frames (`full`) or only from what changes between frames (`diff`).
    public var statsFromChangesOnly: Bool

    /// Defaults measured on Samples/tree.mp4: Bayer 5 gave both a higher PSNR and a smaller file than
    /// sierra2_4a, whose error diffusion noise compresses badly.
    public init(maxWidth: Int? = 480, fps: Double? = nil, dither: Dither = .bayer, bayerScale: Int = 5,
                maxColors: Int = 256, statsFromChangesOnly: Bool = false) {
        self.maxColors = maxColors
        self.maxWidth = maxWidth
        self.fps = fps
        self.dither = dither
        self.bayerScale = bayerScale
        self.statsFromChangesOnly = statsFromChangesOnly
    }
}

/// A looping GIF with one palette chosen from all its frames: a libavfilter graph
/// `[fps →] split → palettegen → paletteuse` (frames arrive already scaled; the palette needs every frame, so the
/// graph holds the frames until `finish()`), then FFmpeg's GIF encoder, which only stores the rectangle that changed.
public final class GifWriter: FrameConsumer {
    public let path: String
    public let frameRate: FrameRate
    public let options: GifOptions
    public private(set) var frameCount = 0

    private var graph: UnsafeMutablePointer<AVFilterGraph>?
    private var source: UnsafeMutablePointer<AVFilterContext>?
    private var sink: UnsafeMutablePointer<AVFilterContext>?
    private var width = 0, height = 0
    private var finished = false

    public init(path: String, frameRate: FrameRate = FrameRate(15), options: GifOptions = GifOptions()) throws {
        guard path.fileExtension == "gif" else { throw MediaError.unsupportedExtension(path: path, supported: ["gif"]) }
        if let w = options.maxWidth, w <= 0 { throw MediaError.invalidOption(path: path, reason: "GIF width \(w) must be positive") }
        try AtomicFile.checkWritable(path)
        if !(4 ... 256).contains(options.maxColors) {
            throw MediaError.invalidOption(path: path, reason: "GIF colours \(options.maxColors) must be within 4…256")
        }
        if let f = options.fps, !(f > 0) { throw MediaError.invalidOption(path: path, reason: "GIF fps \(f) must be positive") }
        self.path = path
        self.frameRate = frameRate
        self.options = options
    }

    deinit {
        try? finish()
        avfilter_graph_free(&graph)
    }

    public func append(_ image: RGBImage) throws {
        guard !finished else { throw MediaError.alreadyFinished(path: path) }
        if graph == nil { try buildGraph(width: image.width, height: image.height) }
        // Scaled in float and rounded here: swscale would dither when reducing float to 8 bits, and that noise
        // both costs GIF bytes and lowers fidelity before the palette's own dithering.
        let picture = image.width == width && image.height == height ? image : try Resampler.resize(image, width: width, height: height)
        var frame: UnsafeMutablePointer<AVFrame>? = try FFmpeg.allocFrame(width: width, height: height, format: AV_PIX_FMT_BGRA, path: path)
        defer { av_frame_free(&frame) }
        let (data, lines) = FFmpeg.planes(frame!)
        let n = width * height
        picture.planes.withUnsafeBufferPointer { p in
            for y in 0 ..< height {
                let row = data[0]! + y * Int(lines[0])
                for x in 0 ..< width {
                    let i = y * width + x
                    row[4 * x] = UInt8((min(max(p[2 * n + i], 0), 1) * 255).rounded())
                    row[4 * x + 1] = UInt8((min(max(p[n + i], 0), 1) * 255).rounded())
                    row[4 * x + 2] = UInt8((min(max(p[i], 0), 1) * 255).rounded())
                    row[4 * x + 3] = 255
                }
            }
        }
        frame!.pointee.pts = Int64(frameCount)
        try FFmpeg.check(av_buffersrc_add_frame(source, frame), "filtering", path)
        frameCount += 1
    }

    /// Runs the palette pass and encodes the GIF. Idempotent; called by deinit.
    public func finish() throws {
        guard !finished else { return }
        finished = true
        guard graph != nil else { throw MediaError.noFrames(path: path) }
        try FFmpeg.check(av_buffersrc_add_frame(source, nil), "filtering", path)
        let sinkTimeBase = av_buffersink_get_time_base(sink)
        var stream: EncodedStream?
        var frame = av_frame_alloc()
        defer { av_frame_free(&frame) }
        var failure: Error?
        do {
            while true {
                let code = av_buffersink_get_frame(sink, frame)
                if code == FFmpeg.eof || code == FFmpeg.eagain { break }
                try FFmpeg.check(code, "filtering", path)
                if stream == nil {
                    let fps = av_buffersink_get_frame_rate(sink)
                    stream = try EncodedStream(path: path, settings: .init(
                        muxer: "gif", encoder: "gif", pixelFormat: AV_PIX_FMT_PAL8,
                        width: Int(frame!.pointee.width), height: Int(frame!.pointee.height),
                        timeBase: sinkTimeBase, frameRate: fps.num > 0 ? fps : AVRational(num: Int32(frameRate.numerator), den: Int32(frameRate.denominator)),
                        frameDuration: fps.num > 0 ? av_rescale_q(1, av_inv_q(fps), sinkTimeBase) : 1,
                        muxerOptions: ["loop": "0"]))
                }
                try stream!.send(frame!)
                av_frame_unref(frame)
            }
        } catch { failure = error }
        avfilter_graph_free(&graph)
        guard let stream else { throw failure ?? MediaError.noFrames(path: path) }
        do { try stream.close() } catch { if failure == nil { failure = error } }
        if let failure { throw failure }
    }

    /// Output size: at most `maxWidth` wide, aspect kept, even numbers not required by GIF.
    static func outputSize(width: Int, height: Int, maxWidth: Int?) -> (Int, Int) {
        guard let maxWidth, width > maxWidth else { return (width, height) }
        return (maxWidth, max(1, Int((Double(height) * Double(maxWidth) / Double(width)).rounded())))
    }

    /// Builds into locals and keeps the graph only when it is complete, so `finish()` and deinit never see a
    /// half-built one.
    private func buildGraph(width: Int, height: Int) throws {
        guard width > 0, height > 0 else { throw MediaError.invalidSize(path: path, width: width, height: height) }
        _ = FFmpeg.quiet
        let (outWidth, outHeight) = Self.outputSize(width: width, height: height, maxWidth: options.maxWidth)
        var newGraph = avfilter_graph_alloc()
        guard let graph = newGraph else {
            throw MediaError.ffmpeg(path: path, operation: "avfilter_graph_alloc", message: "out of memory")
        }
        var source: UnsafeMutablePointer<AVFilterContext>?, sink: UnsafeMutablePointer<AVFilterContext>?
        do {
            try configure(graph, source: &source, sink: &sink, width: outWidth, height: outHeight)
        } catch {
            avfilter_graph_free(&newGraph)
            throw error
        }
        (self.graph, self.source, self.sink) = (graph, source, sink)
        (self.width, self.height) = (outWidth, outHeight)
    }

    private func configure(_ graph: UnsafeMutablePointer<AVFilterGraph>, source: inout UnsafeMutablePointer<AVFilterContext>?,
                           sink: inout UnsafeMutablePointer<AVFilterContext>?, width: Int, height: Int) throws {
        // One thread: the palette work runs beside the optimisation and must not take its cores.
        graph.pointee.nb_threads = 1
        let args = "video_size=\(width)x\(height):pix_fmt=\(AV_PIX_FMT_BGRA.rawValue)"
            + ":time_base=\(frameRate.denominator)/\(frameRate.numerator):pixel_aspect=1/1"
        try FFmpeg.check(avfilter_graph_create_filter(&source, avfilter_get_by_name("buffer"), "in", args, nil, graph),
                         "creating the GIF filter input", path)
        try FFmpeg.check(avfilter_graph_create_filter(&sink, avfilter_get_by_name("buffersink"), "out", nil, nil, graph),
                         "creating the GIF filter output", path)
        var chain: [String] = []
        if let fps = options.fps, fps < frameRate.value { chain.append("fps=\(fps)") }
        chain.append("split[a][b]")
        var use = "paletteuse=dither=\(options.dither.rawValue):diff_mode=rectangle"
        if options.dither == .bayer { use += ":bayer_scale=\(min(max(options.bayerScale, 0), 5))" }
        let description = chain.joined(separator: ",")
            + ";[a]palettegen=max_colors=\(options.maxColors):stats_mode=\(options.statsFromChangesOnly ? "diff" : "full")[p];[b][p]\(use)"

        // The graph's open input connects to our buffer source, its open output to our sink; parse_ptr leaves
        // in the lists whatever it did not link, freed here either way.
        var outputs = avfilter_inout_alloc(), inputs = avfilter_inout_alloc()
        defer { avfilter_inout_free(&outputs); avfilter_inout_free(&inputs) }
        guard let o = outputs, let i = inputs else {
            throw MediaError.ffmpeg(path: path, operation: "avfilter_inout_alloc", message: "out of memory")
        }
        o.pointee.name = av_strdup("in")
        o.pointee.filter_ctx = source
        i.pointee.name = av_strdup("out")
        i.pointee.filter_ctx = sink
        try FFmpeg.check(avfilter_graph_parse_ptr(graph, description, &inputs, &outputs, nil), "building the GIF filter graph", path)
        try FFmpeg.check(avfilter_graph_config(graph, nil), "configuring the GIF filter graph", path)
    }
}
