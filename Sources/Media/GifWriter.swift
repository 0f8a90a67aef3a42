import AtomicFiles
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
    /// Frames that share one palette. The writer holds this many frames at a time, so it bounds memory
    /// (width × height × 4 bytes each); frames after the first run carry their own palette and are stored whole.
    public var framesPerPalette: Int

    /// Defaults measured on Samples/tree.mp4: Bayer 5 gave both a higher PSNR and a smaller file than
    /// sierra2_4a, whose error diffusion noise compresses badly.
    public init(maxWidth: Int? = 480, fps: Double? = nil, dither: Dither = .bayer, bayerScale: Int = 5,
                maxColors: Int = 256, statsFromChangesOnly: Bool = false, framesPerPalette: Int = 32) {
        self.maxColors = maxColors
        self.maxWidth = maxWidth
        self.fps = fps
        self.dither = dither
        self.bayerScale = bayerScale
        self.statsFromChangesOnly = statsFromChangesOnly
        self.framesPerPalette = framesPerPalette
    }
}

/// A looping GIF written as the frames come: every `framesPerPalette` frames get a palette of their own
/// (`PaletteGraph`: palettegen → dithered paletteuse) and are encoded (`GifStream`) before the next run starts,
/// so memory stays bounded whatever the length.
/// Frames arrive at `frameRate`; with `options.fps` below it, the writer keeps the first input frame that falls
/// in each output frame's interval (done here rather than by FFmpeg's fps filter, which would restart with
/// every palette run).
public final class GifWriter: FrameConsumer {
    public let path: String
    public let frameRate: FrameRate
    public let options: GifOptions
    /// Frames given to `append`, kept or not.
    public private(set) var frameCount = 0
    /// Frames kept for the GIF.
    public private(set) var framesKept = 0

    private let outputRate: AVRational
    private var chunk: PaletteGraph?
    private var stream: GifStream?
    private var width = 0, height = 0
    private var finished = false

    public init(path: String, frameRate: FrameRate = FrameRate(15), options: GifOptions = GifOptions()) throws {
        guard path.fileExtension == "gif" else { throw MediaError.unsupportedExtension(path: path, supported: ["gif"]) }
        if let w = options.maxWidth, w <= 0 { throw MediaError.invalidOption(path: path, reason: "GIF width \(w) must be positive") }
        try MediaError.writing { try AtomicFile.checkWritable(path) }
        if !(4 ... 256).contains(options.maxColors) {
            throw MediaError.invalidOption(path: path, reason: "GIF colours \(options.maxColors) must be within 4…256")
        }
        if let f = options.fps, !(f > 0) { throw MediaError.invalidOption(path: path, reason: "GIF fps \(f) must be positive") }
        if options.framesPerPalette < 1 {
            throw MediaError.invalidOption(path: path, reason: "frames per GIF palette \(options.framesPerPalette) must be at least 1")
        }
        self.path = path
        self.frameRate = frameRate
        self.options = options
        let input = AVRational(num: Int32(frameRate.numerator), den: Int32(frameRate.denominator))
        if let fps = options.fps, fps < frameRate.value { outputRate = av_d2q(fps, 1_000_000) } else { outputRate = input }
    }

    deinit { try? finish() }

    public func append(_ image: RGBImage) throws {
        guard !finished else { throw MediaError.alreadyFinished(path: path) }
        let index = frameCount
        frameCount += 1
        // Output slot of this input frame; a slot already filled drops the frame.
        let slot = Int((Double(index) * av_q2d(outputRate) / frameRate.value + 1e-9).rounded(.down))
        guard slot >= framesKept else { return }
        if width == 0 {
            guard image.width > 0, image.height > 0 else { throw MediaError.invalidSize(path: path, width: image.width, height: image.height) }
            (width, height) = Self.outputSize(width: image.width, height: image.height, maxWidth: options.maxWidth)
        }
        // Scaled in float and rounded here: swscale would dither when reducing float to 8 bits, and that noise
        // both costs GIF bytes and lowers fidelity before the palette's own dithering.
        let picture = image.width == width && image.height == height ? image : try ImageResize.resize(image, width: width, height: height)
        var frame: UnsafeMutablePointer<AVFrame>? = try FFmpeg.allocFrame(width: width, height: height, format: AV_PIX_FMT_BGRA, path: path)
        defer { av_frame_free(&frame) }
        let (data, lines) = FFmpeg.planes(frame!)
        let n = width * height
        picture.planes.withUnsafeBufferPointer { p in
            for y in 0 ..< height {
                let row = data[0]! + y * Int(lines[0])
                for x in 0 ..< width {
                    let i = y * width + x
                    row[4 * x] = Quantize.to8Bit(p[2 * n + i])
                    row[4 * x + 1] = Quantize.to8Bit(p[n + i])
                    row[4 * x + 2] = Quantize.to8Bit(p[i])
                    row[4 * x + 3] = 255
                }
            }
        }
        frame!.pointee.pts = Int64(framesKept)
        if chunk == nil {
            chunk = try PaletteGraph(path: path, width: width, height: height, timeBase: av_inv_q(outputRate), options: options)
        }
        try chunk!.add(frame!)
        framesKept += 1
        if chunk!.framesIn >= options.framesPerPalette { try encodeChunk() }
    }

    /// Encodes the last run of frames and writes the file. Idempotent; called by deinit.
    public func finish() throws {
        guard !finished else { return }
        finished = true
        var failure: Error?
        do { try encodeChunk() } catch { failure = error }
        guard let stream else { throw failure ?? MediaError.noFrames(path: path) }
        do { try stream.close() } catch { if failure == nil { failure = error } }
        if let failure { throw failure }
    }

    /// Stops after a failure: the frames written so far stay in the temporary file, which is removed.
    public func discard() {
        guard !finished else { return }
        finished = true
        chunk = nil
        stream?.discard()
    }

    /// Runs the current chunk's palette pass and sends its frames to the encoder; the chunk is released either way.
    private func encodeChunk() throws {
        guard let graph = chunk else { return }
        chunk = nil
        var first = true
        try graph.drain { frame in
            if stream == nil { stream = try GifStream(path: path, width: width, height: height, frameRate: outputRate) }
            if first { try stream!.beginRun(with: frame); first = false }
            try stream!.send(frame)
        }
    }

    /// Output size: at most `maxWidth` wide, aspect kept, even numbers not required by GIF.
    static func outputSize(width: Int, height: Int, maxWidth: Int?) -> (Int, Int) {
        guard let maxWidth, width > maxWidth else { return (width, height) }
        return (maxWidth, max(1, Int((Double(height) * Double(maxWidth) / Double(width)).rounded())))
    }
}
