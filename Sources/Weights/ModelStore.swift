import AtomicFiles
import Foundation
import Models
import TensorCore

/// Converted models on disk: `<directory>/<name>.safetensors` with its sha256 beside it in
/// `<name>.safetensors.sha256` (the `sha256sum` format). The directory is `$STYLIZE_MODELS`, else
/// `$XDG_CACHE_HOME/stylize`, else `~/.cache/stylize`.
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
            let bytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            let recorded = (try? String(contentsOfFile: path + ".sha256", encoding: .utf8))?.split(separator: " ").first.map(String.init)
            let metadata = try? Self.metadata(of: path)
            return Installed(name: name, path: path, bytes: bytes, sha256: recorded,
                             network: metadata?["network"], source: metadata?["source"])
        }
    }

    /// Recomputes an installed model's sha256 and compares it with the recorded one.
    public func verify(_ model: Installed) throws -> Bool {
        guard let recorded = model.sha256 else { return false }
        return try FileDigest.sha256(ofFile: model.path) == recorded
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

    /// Writes validated weights as `<name>.safetensors` (temp file + rename) and records its sha256.
    @discardableResult
    public func install(_ weights: WeightSet, network: String, as name: String, source: String, sourceSHA256: String) throws -> Installed {
        try Self.check(name: name)
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw WeightsError.writeFailed(file: directory, reason: error.localizedDescription)
        }
        let target = path(for: name)
        try Safetensors.write(weights, metadata: ["network": network, "source": source, "source_sha256": sourceSHA256], to: target)
        let digest = try FileDigest.sha256(ofFile: target)
        try WeightsError.writing { try AtomicFile.write(Data("\(digest)  \(name).safetensors\n".utf8), to: target + ".sha256") }
        return installed().first { $0.name == name }!
    }

    static func check(name: String) throws {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        guard !name.isEmpty, name.count <= 64, !name.hasPrefix("."), name.allSatisfy(allowed.contains) else {
            throw WeightsError.invalidName(name)
        }
    }

    static func looksLikePath(_ s: String) -> Bool {
        s.contains("/") || [".pth", ".pt", ".ckpt", ".safetensors", ".bin"].contains { s.hasSuffix($0) }
    }

    static func metadata(of path: String) throws -> [String: String] {
        guard let handle = FileHandle(forReadingAtPath: path) else { return [:] }
        defer { try? handle.close() }
        let head = handle.readData(ofLength: 8)
        guard head.count == 8 else { return [:] }
        let length = head.enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        guard length < 1 << 20 else { return [:] }
        let json = handle.readData(ofLength: length)
        let header = try JSONSerialization.jsonObject(with: json) as? [String: Any]
        return (header?["__metadata__"] as? [String: Any])?.compactMapValues { $0 as? String } ?? [:]
    }
}
