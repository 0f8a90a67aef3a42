import AtomicFiles
import Foundation
import Models
import TensorCore

/// Converted models on disk. A model is `<directory>/<name>.safetensors`, a symbolic link to
/// `.blobs/<sha256>.safetensors`: the file is named by its own checksum, so a reader never sees weights with
/// another file's checksum, and one rename of the link installs both. Stores written before this layout hold a
/// plain file with its sha256 beside it in `<name>.safetensors.sha256`; they are still read. The directory is
/// `$STYLIZE_MODELS`, else `$XDG_CACHE_HOME/stylize`, else `~/.cache/stylize`.
public struct ModelStore: Sendable {
    public struct Installed: Sendable {
        public let name: String
        public let path: String
        public let bytes: Int
        /// Recorded when the model was installed.
        public let sha256: String?
        public let network: String?
        public let source: String?
    }

    public let directory: String

    public init(directory: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.directory = directory ?? Self.defaultDirectory(environment: environment)
    }

    public static func defaultDirectory(environment: [String: String]) -> String {
        if let dir = environment["STYLIZE_MODELS"], !dir.isEmpty { return dir }
        if let cache = environment["XDG_CACHE_HOME"], !cache.isEmpty { return cache + "/stylize" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.cache/stylize"
    }

    public func path(for name: String) -> String { directory + "/" + name + ".safetensors" }

    public func isInstalled(_ name: String) -> Bool { FileManager.default.fileExists(atPath: path(for: name)) }

    /// A model from the store by name, or any supported weights file by path (anything with a '/' or an extension).
    public func load(_ nameOrPath: String) throws -> (name: String, architecture: Architecture, weights: WeightSet) {
        if Self.looksLikePath(nameOrPath) {
            let (architecture, weights) = try WeightFile.read(nameOrPath)
            return (nameOrPath, architecture, weights)
        }
        try Self.check(name: nameOrPath)
        guard isInstalled(nameOrPath) else {
            if ModelSource.named(nameOrPath) != nil {
                throw WeightsError.notInstalled(name: nameOrPath, hint: "run `stylize models fetch \(nameOrPath)`")
            }
            throw WeightsError.notInstalled(name: nameOrPath, hint: "install a file with `stylize models import PATH --as "
                + "\(nameOrPath)`, or use one of \(ModelSource.catalog.map(\.name).joined(separator: ", "))")
        }
        let (architecture, weights) = try WeightFile.read(path(for: nameOrPath))
        return (nameOrPath, architecture, weights)
    }

    /// vgg19 if installed, else vgg16.
    public func defaultModelName() throws -> String {
        for name in ["vgg19", "vgg16"] where isInstalled(name) { return name }
        throw WeightsError.noModelInstalled(directory: directory)
    }

    public func installed() -> [Installed] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return files.filter { $0.hasSuffix(".safetensors") && !$0.hasPrefix(".") }.sorted().map { file in
            let name = String(file.dropLast(".safetensors".count)), path = directory + "/" + file
            var status = stat()
            let bytes = stat(path, &status) == 0 ? Int(status.st_size) : 0
            let metadata = try? Safetensors.metadata(of: path)
            return Installed(name: name, path: path, bytes: bytes, sha256: recordedSHA256(of: path),
                             network: metadata?["network"], source: metadata?["source"])
        }
    }

    /// The blob a model's link names (relative to the store), or nil for a plain file or a link made by hand.
    private func blob(of path: String) -> String? {
        guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: path),
              target.hasPrefix(Self.blobs + "/"), target.hasSuffix(".safetensors") else { return nil }
        let digest = target.dropFirst(Self.blobs.count + 1).dropLast(".safetensors".count)
        return digest.count == 64 && digest.allSatisfy(\.isHexDigit) ? target : nil
    }

    /// The checksum in the blob's name, else the one in a `.sha256` file beside an older store's plain file.
    private func recordedSHA256(of path: String) -> String? {
        if let blob = blob(of: path) { return String(blob.dropFirst(Self.blobs.count + 1).dropLast(".safetensors".count)) }
        return (try? String(contentsOfFile: path + ".sha256", encoding: .utf8))?.split(separator: " ").first.map(String.init)
    }

    /// Recomputes an installed model's sha256 and compares it with the recorded one.
    public func verify(_ model: Installed) throws -> Bool {
        guard let recorded = model.sha256 else { return false }
        return try FileDigest.sha256(ofFile: blob(of: model.path).map { directory + "/" + $0 } ?? model.path) == recorded
    }

    /// Checks a weights file and installs it under `name`.
    @discardableResult
    public func importFile(_ path: String, as name: String) throws -> Installed {
        try Self.check(name: name)
        let (architecture, weights) = try WeightFile.read(path)
        if Architecture(rawValue: name) != nil, name != architecture.rawValue {
            throw WeightsError.unsupportedFormat(file: path, reason: "it holds \(architecture.rawValue) weights, not \(name); pick another name")
        }
        return try install(weights, network: architecture.rawValue, as: name, source: URL(fileURLWithPath: path).lastPathComponent,
                           sourceSHA256: try FileDigest.sha256(ofFile: path))
    }

    /// Writes validated weights as `.blobs/<sha256>.safetensors` (temporary file + rename), then renames a link
    /// `<name>.safetensors` to it over the previous one: until that rename readers see the previous model, after
    /// it the new one, its checksum always the blob's name. The previous blob goes when no model links to it.
    @discardableResult
    public func install(_ weights: WeightSet, network: String, as name: String, source: String, sourceSHA256: String) throws -> Installed {
        try Self.check(name: name)
        do { try FileManager.default.createDirectory(atPath: directory + "/" + Self.blobs, withIntermediateDirectories: true) } catch {
            throw WeightsError.writeFailed(file: directory, reason: error.localizedDescription)
        }
        let bytes = try Safetensors.encode(weights, metadata: ["network": network, "source": source, "source_sha256": sourceSHA256])
        let digest = FileDigest.sha256(of: bytes), blob = Self.blobs + "/" + digest + ".safetensors"
        try WeightsError.writing { try AtomicFile.write(bytes, to: directory + "/" + blob) }
        let target = path(for: name), previous = self.blob(of: target)
        let link = AtomicFile(target: target)
        guard symlink(blob, link.temporary) == 0 else {
            throw WeightsError.writeFailed(file: target, reason: String(cString: strerror(errno)))
        }
        try WeightsError.writing { try link.commit() }
        unlink(target + ".sha256")  // an older store's checksum file, now superseded by the blob's name
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        if let previous, previous != blob, !files.contains(where: { $0.hasSuffix(".safetensors") && self.blob(of: directory + "/" + $0) == previous }) {
            unlink(directory + "/" + previous)
        }
        return Installed(name: name, path: target, bytes: bytes.count, sha256: digest, network: network, source: source)
    }

    /// The folder of checksum-named weights files the models link to.
    static let blobs = ".blobs"

    static func check(name: String) throws {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        guard !name.isEmpty, name.count <= 64, !name.hasPrefix("."), name.allSatisfy(allowed.contains) else {
            throw WeightsError.invalidName(name)
        }
    }

    static func looksLikePath(_ s: String) -> Bool {
        s.contains("/") || [".pth", ".pt", ".ckpt", ".safetensors", ".bin"].contains { s.hasSuffix($0) }
    }
}
