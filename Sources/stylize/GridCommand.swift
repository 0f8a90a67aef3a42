import ArgumentParser
import Foundation
import ImageTensor
import Media
import Models
import Plots
import StyleTransfer

struct GridCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grid",
        abstract: "Run `image` once per combination of knob values and lay the results out as a labelled contact sheet.",
        discussion: """
            One --vary gives one row per value; two give rows × columns. Every other option is the image command's \
            and applies to every cell. Example: stylize grid photo.jpg painting.jpg -o sheet.png \
            --vary style_weight=1e3,1e5,1e7 --vary init=content,noise
            """)

    @Argument(help: "The content image.")
    var content: String

    @Argument(help: "One or more style images (blend them with --style-blend).")
    var styles: [String]

    @Option(help: ArgumentHelp(
        "A recipe key and the values to try (given once or twice): e.g. style_weight=1e3,1e5 or style_layers=relu1_1,relu1_1+relu2_1 (+ joins a list).",
        valueName: "key=v1,v2,…"))
    var vary: [String] = []

    @OptionGroup var options: RunOptions<ImageDefaults>
    @OptionGroup var objective: ObjectiveOptions<ImageDefaults>
    @OptionGroup var optimization: OptimizationOptions<ImageDefaults>

    func validate() throws {
        if styles.isEmpty { throw ValidationError("give at least one style image after the content image") }
        guard (1...2).contains(vary.count) else { throw ValidationError("give --vary once (rows) or twice (rows × columns)") }
        do { try PNGOutput.check(options.output) } catch { throw ValidationError("-o: \(error)") }
    }

    func run() throws {
        let knobs = try vary.map(Knob.init(parsing:))
        let base = try options.makeRecipe(objective: objective, optimization: optimization, recorded: false)
        try options.saveRecipeIfAsked(base)
        // Every cell's recipe, and a check of the names the network and the files must know, before any work.
        let rows = knobs[0].values, columns: [String?] = knobs.count > 1 ? knobs[1].values : [nil]
        let recipes: [[Recipe]] = try rows.map { r in
            try columns.map { c in
                var recipe = try knobs[0].apply(r, to: base)
                if let c { recipe = try knobs[1].apply(c, to: recipe) }
                try Self.check(recipe, cell: ([r] + [c].compactMap { $0 }).joined(separator: ", "))
                return recipe
            }
        }
        var cells = [[Picture?]](repeating: [Picture?](repeating: nil, count: columns.count), count: rows.count)
        let printer = options.makePrinter()
        var interrupted = false
        cellLoop: for (r, row) in recipes.enumerated() {
            for (c, recipe) in row.enumerated() {
                let label = [knobs[0].label(rows[r])] + (columns[c].map { [knobs[1].label($0)] } ?? [])
                printer.say("cell \(r * columns.count + c + 1)/\(rows.count * columns.count): \(label.joined(separator: ", "))")
                let session = try TransferSession(recipe: recipe, content: content, styles: styles, maxMegapixels: options.maxMegapixels)
                session.engine.observers.append(EngineProgress(printer: printer, every: options.progressEvery, engine: session.engine))
                let interrupt = cancelOnInterrupt(session.engine.cancellation, message: "stopping after this iteration; the sheet keeps the cells done so far")
                let result = try withExtendedLifetime(interrupt) { try session.engine.run() }
                printer.say("final  " + ProgressPrinter.losses(result.losses) + String(format: "  %.1f s", result.elapsed))
                let image = RGBImage(result.image)
                cells[r][c] = try Picture(width: image.width, height: image.height, rgb: image.interleaved8)
                if session.engine.cancellation.isCancelled {
                    interrupted = true
                    break cellLoop
                }
            }
        }
        let names = ([content] + styles).map { URL(fileURLWithPath: $0).lastPathComponent }
        let sheet = ContactSheet(
            title: "\(names[0]) in the style of \(names.dropFirst().joined(separator: " + ")): \(knobs.map(\.key).joined(separator: " × "))",
            rowLabels: rows.map(knobs[0].label), columnLabels: knobs.count > 1 ? knobs[1].values.map(knobs[1].label) : [],
            cells: cells)
        try sheet.write(to: options.output)
        // Where each cell landed, so a script can cut the sheet up again (kept under --quiet, as "wrote" is).
        for (r, row) in try sheet.layout().cells.enumerated() {
            for (c, rect) in row.enumerated() {
                guard let rect else { continue }
                let label = [knobs[0].label(rows[r])] + (columns[c].map { [knobs[1].label($0)] } ?? [])
                printer.wrote("  \(label.joined(separator: ", ")): \(rect.width)×\(rect.height) at (\(rect.x), \(rect.y))")
            }
        }
        printer.wrote("wrote \(options.output)")
        if interrupted { throw ExitCode(130) }
    }

    /// A cell's limits, and a start image that must exist, checked before any cell runs (names the network must
    /// know are found when its cell loads it).
    private static func check(_ recipe: Recipe, cell: String) throws {
        do { try recipe.validate() } catch { throw ValidationError("cell \(cell): \(error)") }
        if case .image(let path) = recipe.initialization, !FileManager.default.fileExists(atPath: path) {
            throw ValidationError("cell \(cell): init \(path): choose content, style, noise, content+noise or an existing image file")
        }
    }
}
