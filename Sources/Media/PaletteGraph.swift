import CFFmpeg

/// One palette's worth of GIF frames: the libavfilter graph `split → palettegen → paletteuse` over a bounded run
/// of BGRA frames. palettegen emits its palette only when its input ends, so the graph holds the frames it was
/// given until `drain`; `GifWriter` starts a new graph for every chunk to keep that bounded.
final class PaletteGraph {
    private let path: String
    private var graph: UnsafeMutablePointer<AVFilterGraph>?
    private var source: UnsafeMutablePointer<AVFilterContext>?
    private var sink: UnsafeMutablePointer<AVFilterContext>?
    private(set) var framesIn = 0

    /// `timeBase` is that of the frames' pts (one tick per output frame).
    init(path: String, width: Int, height: Int, timeBase: AVRational, options: GifOptions) throws {
        _ = FFmpeg.quiet
        self.path = path
        guard let graph = avfilter_graph_alloc() else {
            throw MediaError.ffmpeg(path: path, operation: "avfilter_graph_alloc", message: "out of memory")
        }
        // From here deinit frees the graph, also when configuring it fails.
        self.graph = graph
        // One thread: the palette work runs beside the optimisation and must not take its cores.
        graph.pointee.nb_threads = 1
        let args = "video_size=\(width)x\(height):pix_fmt=\(AV_PIX_FMT_BGRA.rawValue)"
            + ":time_base=\(timeBase.num)/\(timeBase.den):pixel_aspect=1/1"
        try FFmpeg.check(avfilter_graph_create_filter(&source, avfilter_get_by_name("buffer"), "in", args, nil, graph),
                         "creating the GIF filter input", path)
        try FFmpeg.check(avfilter_graph_create_filter(&sink, avfilter_get_by_name("buffersink"), "out", nil, nil, graph),
                         "creating the GIF filter output", path)
        var use = "paletteuse=dither=\(options.dither.rawValue):diff_mode=rectangle"
        if options.dither == .bayer { use += ":bayer_scale=\(min(max(options.bayerScale, 0), 5))" }
        let description = "split[a][b];[a]palettegen=max_colors=\(options.maxColors)"
            + ":stats_mode=\(options.statsFromChangesOnly ? "diff" : "full")[p];[b][p]\(use)"

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

    deinit { avfilter_graph_free(&graph) }

    /// Queues one BGRA frame (the graph takes its own reference).
    func add(_ frame: UnsafeMutablePointer<AVFrame>) throws {
        try FFmpeg.check(av_buffersrc_add_frame(source, frame), "filtering", path)
        framesIn += 1
    }

    /// Ends the input, hands every PAL8 frame (palette in data[1]) to `body`, then frees the graph and the
    /// frames it held.
    func drain(_ body: (UnsafeMutablePointer<AVFrame>) throws -> Void) throws {
        defer { avfilter_graph_free(&graph) }
        try FFmpeg.check(av_buffersrc_add_frame(source, nil), "filtering", path)
        var frame = av_frame_alloc()
        defer { av_frame_free(&frame) }
        guard let frame else { throw MediaError.ffmpeg(path: path, operation: "av_frame_alloc", message: "out of memory") }
        while true {
            let code = av_buffersink_get_frame(sink, frame)
            if code == FFmpeg.eof || code == FFmpeg.eagain { return }
            try FFmpeg.check(code, "filtering", path)
            defer { av_frame_unref(frame) }
            try body(frame)
        }
    }
}
