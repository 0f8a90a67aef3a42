import Foundation

/// Everything that can go wrong reading or writing pictures and videos, naming the file and what to do next.
public enum MediaError: Error, CustomStringConvertible, Equatable {
    case fileNotFound(path: String)
    case notAnImage(path: String, reason: String)
    case notAVideo(path: String, reason: String)
    case unsupportedExtension(path: String, supported: [String])
    case encoderUnavailable(path: String, encoder: String)
    case invalidSize(path: String, width: Int, height: Int)
    case tooManyPixels(path: String, width: Int, height: Int, limit: Int)
    case noFrames(path: String)
    case alreadyFinished(path: String)
    case ffmpeg(path: String, operation: String, message: String)
    case writeFailed(path: String, reason: String)
    case invalidOption(path: String, reason: String)
    case invalidSelection(path: String, reason: String)
    case startBeyondEnd(path: String, start: Double, length: Double?)

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
        case .tooManyPixels(let path, let width, let height, let limit):
            return "\(path): \(width)×\(height) pixels is over the limit of \(limit) pixels; "
                + "scale it down first (for example `ffmpeg -i IN -vf scale=4096:-2 OUT`)"
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
        case .writeFailed(let path, let reason):
            return "\(path): could not write (\(reason)); check that the directory exists and is writable"
        }
    }

    private static func seconds(_ value: Double) -> String { String(format: "%.3f s", value) }
}
