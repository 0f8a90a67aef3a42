import ArgumentParser
import Foundation
import Media

struct Gif: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make a looping GIF preview of a video: a palette for every 32 frames, dithered, written as it goes.")

    @Argument(help: "The video to preview (anything FFmpeg decodes).")
    var input: String

    @Option(name: .shortAndLong, help: "The GIF to write.")
    var output: String

    @Option(name: .customLong("gif-width"), help: "Maximum width in pixels; wider videos are scaled down.")
    var gifWidth = 480

    @Option(name: .customLong("gif-fps"), help: "Maximum frame rate (default: the video's).")
    var gifFps: Double?

    @Option(help: "Dithering: \(GifOptions.Dither.allCases.map(\.rawValue).joined(separator: ", ")).")
    var dither = "bayer"

    @Option(name: .customLong("gif-colors"), help: "Palette size, 4…256; fewer colours make much smaller files.")
    var gifColors = 256

    func run() throws {
        guard gifWidth > 0 else { throw ValidationError("--gif-width must be positive") }
        if let gifFps, !(gifFps > 0) { throw ValidationError("--gif-fps must be positive") }
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
