import ArgumentParser
import Foundation
import Models
import StyleTransfer

/// Size, network, starting image, recipe files, output and progress; the help shows `D`'s defaults.
struct RunOptions<D: CommandDefaults>: ParsableArguments {
    @Option(name: .shortAndLong, help: "The file to write: the picture (.png, .jpg), or for `stylize video` the video (.mp4, .webm, .apng, .gif). (required)")
    var output: String

    @Option(help: help("Long side of the output, pixels, \(Recipe.sizeLimit).", default: D.recipe.size))
    var size: Int?

    @Option(help: help("A multi-scale run larger than this paints at this size first, then refines in 2× steps up to --size, "
                       + "so it looks like a run of this size, only sharper; \(Recipe.previewSizeLimit).", default: D.recipe.previewSize))
    var previewSize: Int?

    @Option(help: help("At the refinement scales, the weight (× --style-weight) of the style loss of the picture seen at "
                       + "--preview-size, which keeps the preview's strokes; 0 lets the finer scales repaint, \(Recipe.previewWeightLimit).",
                       default: D.recipe.previewWeight))
    var previewWeight: Double?

    @Option(help: ArgumentHelp("Memory the run may use, e.g. 3G or 512M; a larger run is evaluated in exact tiles and keeps fewer "
                + "L-BFGS pairs, one that cannot fit is refused before it starts. (default: 2.75G for a picture, or the least it "
                + "needs if more; the memory available for a clip; never more than is available when it starts)"))
    var maxMemory: ByteCount?

    @Option(help: "Feature network: an installed model name or a weights file. (default: vgg19 if installed, else vgg16)")
    var model: String?

    @Option(help: help("Pooling in the network.", default: D.recipe.pooling.rawValue))
    var pooling: Pooling?

    @Option(name: .customLong("init"), help: help("Start from: content, style, noise, content+noise, blurred-content, or an image file.",
                                                        default: D.recipe.initialization == .content ? "content; \(RecordingDefaults.start) when --video, --gif or --frames records the run" : "\(D.recipe.initialization)"))
    var initialization: StartImage?

    @Option(help: help("Share of noise mixed into the content for --init content+noise, 0…1.", default: D.recipe.noise))
    var noise: Double?

    @Option(help: help("Seed of the noise.", default: D.recipe.seed))
    var seed: UInt64?

    @Option(help: "Start from the knobs in this JSON recipe (flags given as well override it). (default: none)")
    var recipe: String?

    @Option(help: "Write the complete recipe of this run as JSON to this file. (default: none)")
    var saveRecipe: String?

    @Option(help: "When the output is not a terminal, print the losses every N iterations (0: only per scale and at the end).")
    var progressEvery = 10

    @Option(help: help("Refuse input pictures of more megapixels than this, before decoding, \(InputDefaults.maxMegapixelsLimit).",
                       default: InputDefaults.maxMegapixels))
    var maxMegapixels = InputDefaults.maxMegapixels

    @Flag(help: "Print only errors and the final \"wrote\" lines. (default: off)")
    var quiet = false

    @Flag(help: "Print progress as JSON events, one object per line (see the README); nothing else on stdout. (default: off)")
    var json = false

    /// The printer for `--quiet`, `--json`, or the terminal's live line.
    func makePrinter() -> ProgressPrinter { ProgressPrinter(quiet: quiet, json: json) }

    /// Where the output goes is checked by the command's `OutputPlan`, with every other file it writes.
    func validate() throws {
        do {
            try RecordingDefaults.progressEveryLimit.check(progressEvery, key: "progress_every")
            try InputDefaults.maxMegapixelsLimit.check(maxMegapixels, key: "max_megapixels")
        } catch let error as LimitError {
            throw ValidationError(error.description)  // a usage error (exit 64), as those ArgumentParser finds
        }
    }

    /// The recipe of a run: the command's defaults (with a recorded run's start, `RecordingDefaults.start`),
    /// overlaid by the keys of the `--recipe` file, then every flag given; checked against every knob's limit.
    func makeRecipe(objective: ObjectiveOptions<D>, optimization: OptimizationOptions<D>, recorded: Bool) throws -> Recipe {
        var defaults = D.recipe
        if recorded && defaults.initialization == .content { defaults.initialization = RecordingDefaults.start }
        var r = try loadRecipe(over: defaults)
        try apply(to: &r, objective: objective, optimization: optimization)
        try r.validate()
        return r
    }

    /// `defaults` with the keys the `--recipe` file sets replaced (keys it does not set keep the command's
    /// defaults, not the type's).
    func loadRecipe<T: Codable>(over defaults: T) throws -> T {
        guard let recipe else { return defaults }
        guard let data = FileManager.default.contents(atPath: recipe) else {
            throw CLIError.unreadableRecipe(path: recipe, reason: "no such file, or it cannot be read")
        }
        guard let given = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw CLIError.unreadableRecipe(path: recipe, reason: "not a JSON object; write one as --save-recipe does")
        }
        do {
            var merged = try JSONSerialization.jsonObject(with: JSONEncoder().encode(defaults)) as? [String: Any] ?? [:]
            merged.merge(given) { _, file in file }
            return try JSONDecoder().decode(T.self, from: JSONSerialization.data(withJSONObject: merged))
        } catch {
            throw CLIError.unreadableRecipe(path: recipe, reason: "not a valid recipe: \(error)")
        }
    }

    /// Every flag given, over `r`.
    func apply(to r: inout Recipe, objective: ObjectiveOptions<D>, optimization: OptimizationOptions<D>) throws {
        if let size { r.size = size }
        if let previewSize { r.previewSize = previewSize }
        if let previewWeight { r.previewWeight = previewWeight }
        if let maxMemory { r.maxMemory = maxMemory }
        if let model { r.model = model }
        if let pooling { r.pooling = pooling }
        if let initialization { r.initialization = initialization }
        if let noise { r.noise = noise }
        if let seed { r.seed = seed }
        try objective.apply(to: &r)
        try optimization.apply(to: &r)
    }

    /// Writes `recipe` to `--save-recipe`, if given (atomically); called once the run's other outputs are written.
    func saveRecipeIfAsked<T: Encodable>(_ recipe: T) throws {
        guard let saveRecipe else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            try encoder.encode(recipe).write(to: URL(fileURLWithPath: saveRecipe), options: .atomic)
        } catch {
            throw CLIError.cannotWrite(flag: "--save-recipe", path: saveRecipe, reason: error.localizedDescription)
        }
    }
}

extension Pooling: ExpressibleByArgument {}

extension ByteCount: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}

extension StartImage: ExpressibleByArgument {
    public init?(argument: String) { self.init(parsing: argument) }
}
