import ArgumentParser
import Foundation
import Media
import StyleTransfer

struct Gif: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make a looping GIF preview of a video: a palette for every 32 frames, dithered, written as it goes.")

    @Argument(help: "The video to preview (anything FFmpeg decodes).")
    var input: String

    @Option(name: .shortAndLong, help: "The GIF to write.")
    var output: String

    @Option(name: .customLong("gif-width"), help: "Maximum width in pixels, \(RecordingDefaults.gifWidthLimit); wider videos are scaled down.")
    var gifWidth = RecordingDefaults.gifWidth

    @Option(name: .customLong("gif-fps"), help: help("Maximum frame rate, \(RecordingDefaults.gifFpsLimit).", default: "the video's"))
    var gifFps: Double?

    @Option(help: "Dithering: \(GifOptions.Dither.allCases.map(\.rawValue).joined(separator: ", ")).")
    var dither = "bayer"

    @Option(name: .customLong("gif-colors"), help: "Palette size, \(RecordingDefaults.gifColorsLimit); fewer colours make much smaller files.")
    var gifColors = 256

    func run() throws {
        try RecordingDefaults.gifWidthLimit.check(gifWidth, key: "gif_width")
        if let gifFps { try RecordingDefaults.gifFpsLimit.check(gifFps, key: "gif_fps") }
        try RecordingDefaults.gifColorsLimit.check(gifColors, key: "gif_colors")
        guard let dithering = GifOptions.Dither(rawValue: dither) else {
            throw ValidationError("--dither must be one of \(GifOptions.Dither.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let start = Date()
        let reader = try VideoReader(path: input)
        let writer = try GifWriter(path: output, frameRate: reader.frameRate,
                                   options: GifOptions(maxWidth: gifWidth, fps: gifFps, dither: dithering, maxColors: gifColors))
        while let frame = try reader.nextFrame() { try writer.append(frame.image) }
        try writer.finish()
        let size = (try? FileManager.default.attributesOfItem(atPath: output)[.size] as? Int) ?? 0
        print("\(output): \(writer.frameCount) frames in, \(size / 1024) KiB, \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
    }
}
