import Foundation

/// Everything that can go wrong reading or writing pictures and videos, naming the file and what to do next.
public enum MediaError: Error, CustomStringConvertible, Equatable {
    case fileNotFound(path: String)
    case notAnImage(path: String, reason: String)
    case notAVideo(path: String, reason: String)
    case unsupportedExtension(path: String, supported: [String])
    case encoderUnavailable(path: String, encoder: String)
    case invalidSize(path: String, width: Int, height: Int)
    case noFrames(path: String)
    case alreadyFinished(path: String)
    case ffmpeg(path: String, operation: String, message: String)
    case writeFailed(path: String, reason: String)
    case invalidOption(path: String, reason: String)
    case invalidSelection(path: String, reason: String)
    case startBeyondEnd(path: String, start: Double, length: Double?)
    /// A picture over the reader's pixel limit; its size when the header tells it.
    case tooManyPixels(path: String, width: Int?, height: Int?, limit: Int)

    public var description: String {
        switch self {
        case .fileNotFound(let path):
            return "\(path): no such file; check the path"
        case .notAnImage(let path, let reason):
            return "\(path): not a readable image (\(reason)); use a JPEG, PNG, WebP, BMP or TIFF file"
        case .notAVideo(let path, let reason):
            return "\(path): not a readable video (\(reason)); use a file `ffprobe` can open"
        case .unsupportedExtension(let path, let supported):
            return "\(path): unsupported file extension; use one of \(supported.map { "." + $0 }.joined(separator: ", "))"
        case .encoderUnavailable(let path, let encoder):
            return "\(path): this FFmpeg build has no \(encoder) encoder; choose another output format"
        case .invalidSize(let path, let width, let height):
            return "\(path): invalid picture size \(width)×\(height); width and height must be positive"
        case .noFrames(let path):
            return "\(path): no frames were written, so no file was made"
        case .alreadyFinished(let path):
            return "\(path): frame given after the writer was finished"
        case .ffmpeg(let path, let operation, let message):
            return "\(path): FFmpeg \(operation) failed: \(message)"
        case .invalidOption(let path, let reason):
            return "\(path): \(reason)"
        case .invalidSelection(let path, let reason):
            return "\(path): \(reason)"
        case .startBeyondEnd(let path, let start, let length):
            let clip = length.map { "the clip is \(Self.seconds($0)) long" } ?? "the clip has no frame from there on"
            return "\(path): start \(Self.seconds(start)) is past the end (\(clip)); choose an earlier start"
        case .tooManyPixels(let path, let width?, let height?, let limit):
            return "\(path) is \(width)×\(height) (\(Self.megapixels(Double(width) * Double(height)))), over the limit of \(Self.megapixels(Double(limit))); "
                + "scale it down first or raise the limit"
        case .tooManyPixels(let path, _, _, let limit):
            return "\(path) has more pixels than the limit of \(Self.megapixels(Double(limit))); scale it down first or raise the limit"
        case .writeFailed(let path, let reason):
            return "\(path): could not write (\(reason)); check that the directory exists and is writable"
        }
    }

    /// In floating point: a header's two 32-bit sides can multiply past `Int.max`.
    private static func megapixels(_ pixels: Double) -> String { String(format: "%.1f megapixels", pixels / 1e6) }

    private static func seconds(_ value: Double) -> String { String(format: "%.3f s", value) }
}
