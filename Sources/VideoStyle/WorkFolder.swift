import Foundation
import Media

/// A video job's work folder: each finished frame as `frame_00001.png` (frame index 0), written atomically, and
/// `fingerprint.json`, what made them. The folder is created with the first frame, so a run that fails before
/// leaves nothing behind; it outlives the run so that `--resume` continues where it stopped.
public struct WorkFolder: Sendable {
    public let path: String
    public let fingerprint: Fingerprint
    /// Frames of an earlier run may be reused (their fingerprint must match).
    public let resume: Bool

    public init(path: String, fingerprint: Fingerprint, resume: Bool) {
        self.path = path
        self.fingerprint = fingerprint
        self.resume = resume
    }

    public var fingerprintPath: String { (path as NSString).appendingPathComponent("fingerprint.json") }

    /// `CrashCopy`'s video of the frames done, there only after a run was killed or crashed.
    public var crashCopyPath: String { (path as NSString).appendingPathComponent("partial.mp4") }

    public func framePath(index: Int) -> String {
        (path as NSString).appendingPathComponent(PNGSequenceWriter.fileName(ofFrame: index))
    }

    /// Checks the folder before any work: without `resume` it must hold no frames; with it, frames must come
    /// with a matching fingerprint. Returns whether earlier frames may be reused.
    @discardableResult
    public func check() throws -> Bool {
        let fm = FileManager.default
        let frames = ((try? fm.contentsOfDirectory(atPath: path)) ?? []).filter { $0.hasPrefix("frame_") && $0.hasSuffix(".png") }
        guard !frames.isEmpty else {
            // A run stopped before its first frame: its fingerprint describes nothing; this run writes its own.
            try? fm.removeItem(atPath: fingerprintPath)
            return false
        }
        guard resume else { throw VideoStyleError.workDirectoryInUse(path: path) }
        guard let data = fm.contents(atPath: fingerprintPath), let earlier = try? JSONDecoder().decode(Fingerprint.self, from: data) else {
            throw VideoStyleError.fingerprintMissing(path: fingerprintPath)
        }
        let differences = fingerprint.differences(from: earlier)
        guard differences.isEmpty else { throw VideoStyleError.fingerprintMismatch(path: path, differences: differences) }
        return true
    }

    /// A kept frame, when resuming and it exists.
    public func keptFrame(index: Int) throws -> RGBImage? {
        guard resume, FileManager.default.fileExists(atPath: framePath(index: index)) else { return nil }
        return try frame(index: index)
    }

    /// A stored frame as decoded from its file.
    public func frame(index: Int) throws -> RGBImage { try ImageReader.read(framePath(index: index)) }

    /// Stores a finished frame (creating the folder and its fingerprint with the first).
    public func store(_ image: RGBImage, index: Int) throws {
        let fm = FileManager.default
        if !fm.fileExists(atPath: fingerprintPath) {
            try fm.createDirectory(atPath: path, withIntermediateDirectories: true)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(fingerprint).write(to: URL(fileURLWithPath: fingerprintPath), options: .atomic)
        }
        try ImageWriter.write(image, to: framePath(index: index))
    }
}
