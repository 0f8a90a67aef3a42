import Foundation

/// Small inputs made on demand in one folder for the whole test run: pictures by FFmpeg's `ffmpeg` tool (grey,
/// alpha, 16-bit, odd sizes, a clip with no frames) and damaged copies of the samples.
enum Fixtures {
    /// Created when first used; a test class's `tearDown` removes it (`removeAll`).
    static var folder: String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("stylize-fixtures-\(getpid())").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func removeAll() { try? FileManager.default.removeItem(atPath: folder) }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// `name` in the fixture folder, made by `ffmpeg` from a lavfi `source` with `options` unless already there.
    static func ffmpeg(_ name: String, source: String, options: [String]) throws -> String {
        let path = folder + "/" + name
        guard !FileManager.default.fileExists(atPath: path) else { return path }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", source] + options + [path]
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0, FileManager.default.fileExists(atPath: path) else {
            throw Failure(description: "ffmpeg could not make \(name) from \(source) \(options)")
        }
        return path
    }

    /// A single picture of `width`×`height` in `pixelFormat` (FFmpeg's name: gray, ya8, rgba, rgb48be, …).
    static func picture(_ name: String, width: Int = 64, height: Int = 48, pixelFormat: String) throws -> String {
        try ffmpeg(name, source: "testsrc=size=\(width)x\(height):rate=1", options: ["-frames:v", "1", "-pix_fmt", pixelFormat])
    }

    /// The first `bytes` bytes of `source` (all of them for nil: a copy), under `name`.
    static func prefix(of source: String, bytes: Int?, as name: String) throws -> String {
        let path = folder + "/" + name
        let data = try Data(contentsOf: URL(fileURLWithPath: source))
        try data.prefix(bytes ?? data.count).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// A file holding `text`, under `name`.
    static func text(_ text: String, as name: String) throws -> String {
        let path = folder + "/" + name
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }
}
