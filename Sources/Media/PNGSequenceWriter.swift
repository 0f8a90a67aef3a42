import Foundation

/// Writes each frame as a numbered PNG (`frame_00001.png` for the first, …) in a directory, created if missing.
public final class PNGSequenceWriter: FrameConsumer {
    public let directory: String
    public let bitDepth: Int
    public private(set) var frameCount = 0
    private var finished = false

    public init(directory: String, bitDepth: Int = 8) throws {
        guard bitDepth == 8 || bitDepth == 16 else {
            throw MediaError.invalidOption(path: directory, reason: "PNG bit depth \(bitDepth) is not 8 or 16")
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw MediaError.writeFailed(path: directory, reason: "cannot create the directory")
        }
        self.directory = directory
        self.bitDepth = bitDepth
    }

    public func path(ofFrame index: Int) -> String {
        URL(fileURLWithPath: directory).appendingPathComponent(Self.fileName(ofFrame: index)).path
    }

    /// The one naming of frame files (also a video job's work folder): counted from 1, as people count frames
    /// (`ffmpeg -i frame_%05d.png` finds the first number by itself).
    public static func fileName(ofFrame index: Int) -> String { String(format: "frame_%05d.png", index + 1) }

    public func append(_ image: RGBImage) throws {
        guard !finished else { throw MediaError.alreadyFinished(path: directory) }
        try ImageWriter.write(image, to: path(ofFrame: frameCount), bitDepth: bitDepth)
        frameCount += 1
    }

    public func finish() throws { finished = true }
}
