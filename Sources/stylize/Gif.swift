import ArgumentParser
import Foundation
import Media
import StyleTransfer

extension GifOptions.Dither: ExpressibleByArgument {}

struct Gif: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make a looping GIF preview of a video: a palette for every 32 frames, dithered, written as it goes.",
        discussion: "The GIF is checked before the video is decoded (extension, folder, free space) and appears only when it is complete.")

    @Argument(help: "The video to preview (anything FFmpeg decodes).")
    var input: String

    @Option(name: .shortAndLong, help: "The GIF to write.")
    var output: String

    @Option(name: .customLong("gif-width"), help: "Maximum width in pixels, \(RecordingDefaults.gifWidthLimit); wider videos are scaled down.")
    var gifWidth = RecordingDefaults.gifWidth

    @Option(name: .customLong("gif-fps"), help: help("Maximum frame rate, \(RecordingDefaults.gifFpsLimit).", default: "the video's"))
    var gifFps: Double?

    @Option(help: "How the palette's colours are dithered.")
    var dither = GifOptions.Dither.bayer

    @Option(name: .customLong("gif-colors"), help: "Palette size, \(RecordingDefaults.gifColorsLimit); fewer colours make much smaller files.")
    var gifColors = 256

    @Flag(help: "Print only errors and the final \"wrote\" line. (default: off)")
    var quiet = false

    @Flag(help: "Print JSON events, one object per line (see the README); nothing else on stdout. (default: off)")
    var json = false

    func validate() throws {
        do {
            try RecordingDefaults.gifWidthLimit.check(gifWidth, key: "gif_width")
            if let gifFps { try RecordingDefaults.gifFpsLimit.check(gifFps, key: "gif_fps") }
            try RecordingDefaults.gifColorsLimit.check(gifColors, key: "gif_colors")
        } catch let error as LimitError {
            throw ValidationError(error.description)  // a usage error (exit 64), as those ArgumentParser finds
        }
    }

    func run() throws {
        let start = DispatchTime.now()
        let printer = ProgressPrinter(quiet: quiet, json: json)
        let reader = try VideoReader(path: input)
        try outputPlan(reader).run {
            let writer = try GifWriter(path: output, frameRate: reader.frameRate,
                                       options: GifOptions(maxWidth: gifWidth, fps: gifFps, dither: dither, maxColors: gifColors))
            do {
                while let frame = try reader.nextFrame() { try writer.append(frame.image) }
                try writer.finish()
            } catch {
                writer.discard()
                throw error
            }
            let size = (try? FileManager.default.attributesOfItem(atPath: output)[.size] as? Int) ?? 0
            printer.emit(.finished(.init(outputs: [output], sidecar: nil, elapsed: start.secondsSince, frames: writer.frameCount, cancelled: false)),
                         text: "\(writer.frameCount) frames in, \(size / 1024) KiB, \(String(format: "%.1f", start.secondsSince)) s")
        }
        printer.wrote("wrote \(output)")
    }

    /// The GIF, checked once the video's header is read: the estimate is a byte per pixel at most --gif-width,
    /// a quarter of that after LZW, for the frames the header announces (one when it does not say).
    private func outputPlan(_ reader: VideoReader) throws -> OutputPlan {
        let scale = min(1, Double(gifWidth) / Double(max(reader.width, 1)))
        let pixels = Double(reader.width * reader.height) * scale * scale
        var plan = OutputPlan()
        plan.add(output, flag: "-o", kind: .gif, bytes: Double(reader.expectedFrames ?? 1) * pixels / 4)
        try plan.check()
        return plan
    }
}
