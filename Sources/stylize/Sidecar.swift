import Foundation
import Media
import TensorCore
import Weights

/// `OUT.json` beside an output: the recipe as run, at the top level so that `--recipe OUT.json` reruns it, and
/// under `"run"` how the output was made (command, inputs, model and its sha256, library versions and the
/// OpenBLAS kernel, timings, the loss trace). One sidecar per run, beside its main output (`-o`), naming every
/// output of the run.
struct Sidecar<Recipe: Encodable, Details: Encodable>: Encodable {
    var recipe: Recipe
    var run: Run

    struct Run: Encodable {
        var command: String
        var inputs: [String]
        var outputs: [String]
        var model: Model
        var versions: [String: String]
        var timings: [String: Double]
        var details: Details

        enum CodingKeys: String, CodingKey { case command, inputs, outputs, model, versions, timings }

        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(command, forKey: .command)
            try c.encode(inputs, forKey: .inputs)
            try c.encode(outputs, forKey: .outputs)
            try c.encode(model, forKey: .model)
            try c.encode(versions, forKey: .versions)
            try c.encode(timings, forKey: .timings)
            try details.encode(to: encoder)
        }
    }

    struct Model: Encodable {
        var name: String
        var sha256: String?
    }

    private enum Key: String, CodingKey { case run }

    func encode(to encoder: Encoder) throws {
        try recipe.encode(to: encoder)
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(run, forKey: .run)
    }

    /// Writes the sidecar of `output` atomically (a reader never sees half of it).
    func write(besides output: String) throws -> String {
        let path = sidecarPath(for: output)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do {
            try encoder.encode(self).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw SidecarError.unwritable(path: path, reason: "\(error)")
        }
        return path
    }
}

extension Sidecar.Model {
    /// The model as the store records it (its sha256 beside it), or a weights file's own digest.
    init(resolving name: String) {
        let installed = ModelStore().installed().first { $0.name == name }
        self.init(name: name, sha256: installed?.sha256 ?? (try? FileDigest.sha256(ofFile: installed?.path ?? name)))
    }
}

/// What a sidecar records of the machine: Stylize's, the media libraries' and OpenBLAS's versions and kernel.
enum MachineVersions {
    static var all: [String: String] {
        var v = ["stylize": Stylize.version]
        for (name, version) in LibraryVersions.all { v[name] = version }
        if let blas = try? BLAS.load() {
            v["OpenBLAS"] = blas.config
            v["OpenBLAS kernel"] = blas.coreName
            v["OpenBLAS threads"] = "\(blas.threads)"
        }
        return v
    }
}

enum SidecarError: Error, CustomStringConvertible {
    case unwritable(path: String, reason: String)

    var description: String {
        switch self {
        case .unwritable(let path, let reason):
            return "could not write the sidecar \(path) (\(reason)); the output beside it was written, check the folder's permissions and free space"
        }
    }
}

/// Where the sidecar of `output` goes: `a.png` → `a.json`, `clip.mp4` → `clip.json`.
func sidecarPath(for output: String) -> String {
    URL(fileURLWithPath: output).deletingPathExtension().appendingPathExtension("json").path
}
