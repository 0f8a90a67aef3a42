import ArgumentParser
import Foundation
import Media

/// Everything a command will write, checked before any work and taken back if the run fails, so that pictures,
/// videos, GIFs, frame folders and recipes appear only when a run succeeds. Writers already write under a
/// temporary name (`AtomicFile`); the plan covers what they cannot: an output finished before a later step
/// failed, and a folder the run created. Ctrl-C (`ExitCode(130)`) keeps what was written, as documented.
struct OutputPlan {
    enum Kind {
        case picture, video, gif, recipe
        /// `--plot` and `grid`'s sheet: Cairo writes PNG only.
        case plot
        /// `--frames`: numbered PNGs; must be new or empty so that a run never mixes its frames with others.
        case frameFolder
        /// `stylize video`'s work folder: its own checks (`WorkFolder.check`) decide whether it may hold frames.
        case workFolder

        var extensions: [String]? {
            switch self {
            case .picture: return ImageWriter.supportedExtensions
            case .video: return VideoWriter.supportedExtensions
            case .gif: return ["gif"]
            case .plot: return ["png"]
            case .recipe: return ["json"]
            case .frameFolder, .workFolder: return nil
            }
        }

        var isFolder: Bool { extensions == nil }
    }

    struct Output {
        let flag: String
        let path: String
        let kind: Kind
        /// A rough estimate of the bytes it will take, for the free-space check.
        let bytes: Double
    }

    private(set) var outputs: [Output] = []

    /// Adds `path` (nothing when nil) as the output of `flag`.
    mutating func add(_ path: String?, flag: String, kind: Kind, bytes: Double = 0) {
        guard let path else { return }
        outputs.append(Output(flag: flag, path: path, kind: kind, bytes: bytes))
    }

    /// Throws the first problem: an extension the writer does not take, two outputs on one path, a target that
    /// is a folder (or a file, for a folder output), a folder that is missing or not writable, a frame folder
    /// holding files, or less free space than the outputs are estimated to take.
    func check() throws {
        var seen: [String: String] = [:]
        for output in outputs {
            let path = Self.absolute(output.path)
            if let other = seen[path] { throw OutputError.collision(flag: output.flag, other: other, path: output.path) }
            seen[path] = output.flag
        }
        for output in outputs { try check(output) }
        try checkFreeSpace()
    }

    private func check(_ output: Output) throws {
        let fm = FileManager.default, path = output.path
        if let extensions = output.kind.extensions, !extensions.contains(URL(fileURLWithPath: path).pathExtension.lowercased()) {
            throw OutputError.unsupportedExtension(flag: output.flag, path: path, supported: extensions)
        }
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: path, isDirectory: &isDirectory) {
            if isDirectory.boolValue != output.kind.isFolder {
                throw OutputError.wrongKind(flag: output.flag, path: path, isFolder: isDirectory.boolValue)
            }
            if output.kind == .frameFolder, !((try? fm.contentsOfDirectory(atPath: path)) ?? []).isEmpty {
                throw OutputError.folderNotEmpty(flag: output.flag, path: path)
            }
        }
        let folder = Self.folder(of: path)
        guard fm.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw OutputError.noFolder(flag: output.flag, path: path, folder: folder)
        }
        // Creating a file is the only test that holds for root and on read-only mounts, where access(2) says yes.
        let probe = (folder as NSString).appendingPathComponent(".stylize-probe-\(getpid())")
        let fd = open(probe, O_CREAT | O_EXCL | O_WRONLY, 0o600)
        guard fd >= 0 else {
            throw OutputError.notWritable(flag: output.flag, path: path, folder: folder, reason: String(cString: strerror(errno)))
        }
        close(fd)
        unlink(probe)
    }

    /// The outputs' estimates summed per file system, against the space an unprivileged user may still take.
    private func checkFreeSpace() throws {
        var needed: [UInt: (bytes: Double, folder: String, available: Double)] = [:]
        for output in outputs where output.bytes > 0 {
            let folder = Self.folder(of: output.path)
            var stats = statvfs()
            guard statvfs(folder, &stats) == 0 else { continue }
            let available = Double(stats.f_bavail) * Double(stats.f_frsize)
            needed[stats.f_fsid, default: (0, folder, available)].bytes += output.bytes
        }
        for (_, entry) in needed where entry.bytes > entry.available {
            throw OutputError.noSpace(folder: entry.folder, needed: entry.bytes, available: entry.available)
        }
    }

    /// Runs `body`; when it fails (not Ctrl-C), removes every output that was not there before it started — and
    /// what a frame folder that was empty then has gained — and rethrows.
    func run<T>(_ body: () throws -> T) throws -> T {
        let fm = FileManager.default
        let existed = Set(outputs.filter { fm.fileExists(atPath: $0.path) }.map(\.path))
        do {
            return try body()
        } catch let code as ExitCode where code.rawValue == ExitStatus.interrupted.rawValue {
            throw code
        } catch {
            for output in outputs {
                if !existed.contains(output.path) {
                    try? fm.removeItem(atPath: output.path)
                } else if output.kind == .frameFolder {
                    for name in (try? fm.contentsOfDirectory(atPath: output.path)) ?? [] {
                        try? fm.removeItem(atPath: (output.path as NSString).appendingPathComponent(name))
                    }
                }
            }
            throw error
        }
    }

    /// Rough sizes for the free-space check, of `frames` frames of `pixels` pixels: H.264/VP9 a fiftieth of the
    /// raw RGB frame, a GIF frame a byte a pixel at most `gifWidth` wide (a quarter of that after LZW), a PNG
    /// frame half the raw frame.
    static func videoBytes(frames: Double, pixels: Double) -> Double { frames * pixels * 3 / 50 }
    static func gifBytes(frames: Double, pixels: Double, gifWidth: Int) -> Double {
        frames * min(pixels, Double(gifWidth * gifWidth)) / 4
    }
    static func pngBytes(frames: Double, pixels: Double) -> Double { frames * pixels * 1.5 }

    private static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }

    private static func folder(of path: String) -> String {
        URL(fileURLWithPath: path).deletingLastPathComponent().path
    }
}

enum OutputError: Error, CustomStringConvertible, StatusError {
    case unsupportedExtension(flag: String, path: String, supported: [String])
    case collision(flag: String, other: String, path: String)
    case wrongKind(flag: String, path: String, isFolder: Bool)
    case folderNotEmpty(flag: String, path: String)
    case noFolder(flag: String, path: String, folder: String)
    case notWritable(flag: String, path: String, folder: String, reason: String)
    case noSpace(folder: String, needed: Double, available: Double)

    /// A wrong extension or two outputs on one path are mistakes of the command line; the rest are the disk's.
    var status: ExitStatus {
        switch self {
        case .unsupportedExtension, .collision: return .usage
        default: return .failure
        }
    }

    var description: String {
        switch self {
        case .unsupportedExtension(let flag, let path, let supported):
            return "\(flag) \(path): write a " + supported.map { "." + $0 }.joined(separator: ", ") + " file"
        case .collision(let flag, let other, let path):
            return "\(flag) \(path) is also the \(other) output: give each output its own path"
        case .wrongKind(let flag, let path, let isFolder):
            return isFolder ? "\(flag) \(path) is a folder: give a file name inside it"
                            : "\(flag) \(path) is a file: give a folder that does not exist yet"
        case .folderNotEmpty(let flag, let path):
            return "\(flag) \(path) already holds files: give a new or empty folder"
        case .noFolder(let flag, let path, let folder):
            return "\(flag) \(path): there is no folder \(folder); create it or write elsewhere"
        case .notWritable(let flag, let path, let folder, let reason):
            return "\(flag) \(path): cannot create files in \(folder) (\(reason)); write elsewhere"
        case .noSpace(let folder, let needed, let available):
            return String(format: "the outputs in %@ need about %.3g GB but %.3g GB are free; free space, write elsewhere or lower --size",
                          folder, needed / 1e9, available / 1e9)
        }
    }
}
