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
            One --vary lays its values out in a row; two give rows (the first) × columns (the second). Every other option is the image command's \
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
    @OptionGroup(title: "Video and GIF of every cell's run, side by side") var frames: FrameOptions

    func validate() throws {
        if styles.isEmpty { throw ValidationError("give at least one style image after the content image") }
        guard (1...2).contains(vary.count) else { throw ValidationError("give --vary once (a row) or twice (rows × columns)") }
        if frames.layout != .result { throw ValidationError("--layout side-by-side: a sheet's cells show results only; leave --layout out") }
    }

    func run() throws {
        let started = DispatchTime.now()
        let knobs = try vary.map(Knob.init(parsing:))
        let base = try options.makeRecipe(objective: objective, optimization: optimization, recorded: frames.wantsFrames)
        // Every cell's recipe, and a check of the names the network and the files must know, before any work.
        // One knob is a row of columns (a strip reads left to right); two are rows × columns.
        let rowKnob = knobs.count > 1 ? knobs[0] : nil, columnKnob = knobs[knobs.count - 1]
        let rows: [String?] = rowKnob?.values ?? [nil], columns = columnKnob.values
        let labels = rows.map { r in
            columns.map { c in [r.flatMap { rowKnob?.label($0) }, columnKnob.label(c)].compactMap { $0 }.joined(separator: ", ") }
        }
        let recipes: [[Recipe]] = try rows.indices.map { r in
            try columns.indices.map { c in
                var recipe = base
                if let value = rows[r], let rowKnob { recipe = try rowKnob.apply(value, to: recipe) }
                recipe = try columnKnob.apply(columns[c], to: recipe)
                try Self.check(recipe, cell: labels[r][c])
                return recipe
            }
        }
        var plan = OutputPlan()
        let cellCount = rows.count * columns.count
        let largest = recipes.joined().max { $0.size < $1.size } ?? base
        plan.add(options.output, flag: "-o", kind: .plot, bytes: Double(cellCount * largest.size * largest.size * 3))
        frames.addOutputs(to: &plan, recipe: largest, pictures: cellCount)
        plan.add(sidecarPath(for: options.output), flag: "-o (its sidecar)", kind: .recipe)
        plan.add(options.saveRecipe, flag: "--save-recipe", kind: .recipe)
        try plan.check()

        let printer = options.makePrinter()
        let interrupted = try plan.run { () throws -> Bool in
            let recording = frames.wantsFrames ? try GridRecording(options: frames, rows: rows.count, columns: columns.count) : nil
            var cells = [[Picture?]](repeating: [Picture?](repeating: nil, count: columns.count), count: rows.count)
            var records = [[GridDetails.Cell?]](repeating: [GridDetails.Cell?](repeating: nil, count: columns.count), count: rows.count)
            var modelName: String?
            var interrupted = false
            cellLoop: for (r, row) in recipes.enumerated() {
                for (c, recipe) in row.enumerated() {
                    printer.say("cell \(r * columns.count + c + 1)/\(cellCount): \(labels[r][c])")
                    let session = try TransferSession(recipe: recipe, content: content, styles: styles, maxMegapixels: options.maxMegapixels)
                    modelName = modelName ?? session.modelName
                    session.engine.observers.append(EngineProgress(printer: printer, every: options.progressEvery, engine: session.engine))
                    let recorder = try recording?.recorder(row: r, column: c, engine: session.engine)
                    if let recorder { session.engine.observers.append(recorder) }
                    let interrupt = cancelOnInterrupt(session.engine.cancellation, message: "stopping after this iteration; the sheet keeps the cells done so far")
                    let result: EngineResult
                    do {
                        result = try withExtendedLifetime(interrupt) { try session.runEngine() }
                    } catch {
                        recorder?.discard()
                        throw error
                    }
                    try recorder?.finish()
                    recording?.finished(row: r, column: c)
                    printer.say("final  " + ProgressPrinter.losses(result.losses) + String(format: "  %.1f s", result.elapsed))
                    cells[r][c] = try Picture(RGBImage(result.image))
                    let cancelled = session.engine.cancellation.isCancelled
                    records[r][c] = .init(label: labels[r][c], recipe: session.recipe, iterations: result.iterations,
                                          stopReason: cancelled ? "cancelled" : result.stopReason.rawValue,
                                          finalLosses: result.losses, seconds: result.elapsed)
                    if cancelled {
                        interrupted = true
                        break cellLoop
                    }
                }
            }
            let names = ([content] + styles).map { URL(fileURLWithPath: $0).lastPathComponent }
            // With no content term anywhere (a texture sweep) the content picture plays no part.
            let subject = recipes.joined().allSatisfy { $0.contentWeight == 0 }
                ? "Textures from \(names.dropFirst().joined(separator: " + "))"
                : "\(names[0]) in the style of \(names.dropFirst().joined(separator: " + "))"
            func sheet(_ pictures: [[Picture?]]) -> ContactSheet {
                ContactSheet(
                    title: "\(subject): \(knobs.map(\.key).joined(separator: " × "))",
                    rowLabels: rowKnob.map { $0.values.map($0.label) } ?? [], columnLabels: columns.map(columnKnob.label),
                    cells: pictures)
            }
            try sheet(cells).write(to: options.output)
            let videoFrames = try recording?.write(sheet: sheet)
            // Where each cell landed, so a script can cut the sheet up again (kept under --quiet, as "wrote" is).
            let layout = try sheet(cells).layout()
            for (r, row) in layout.cells.enumerated() {
                for (c, rect) in row.enumerated() {
                    guard let rect else { continue }
                    records[r][c]?.rect = rect
                    printer.wrote("  \(labels[r][c]): \(rect.width)×\(rect.height) at (\(rect.x), \(rect.y))")
                }
            }
            var sidecarRecipe = base
            if sidecarRecipe.model == nil { sidecarRecipe.model = modelName }
            let outputs = [options.output, frames.video, frames.gif, frames.frames].compactMap { $0 }
            let done = records.joined().compactMap { $0 }
            let sidecar = Sidecar(recipe: sidecarRecipe, run: .init(
                command: "grid", inputs: [content] + styles, outputs: outputs,
                model: .init(resolving: sidecarRecipe.model ?? ""), versions: MachineVersions.all,
                timings: ["seconds": started.secondsSince], details: GridDetails(vary: vary, cells: done, videoFrames: videoFrames)))
            let sidecarPath = try sidecar.write(besides: options.output)
            try options.saveRecipeIfAsked(base)
            printer.emit(.finished(.init(outputs: outputs, sidecar: sidecarPath, elapsed: started.secondsSince, frames: videoFrames, cancelled: interrupted)),
                         text: String(format: "%d of %d cells in %.1f s", done.count, cellCount, started.secondsSince))
            for path in outputs + [sidecarPath] { printer.wrote("wrote \(path)") }
            return interrupted
        }
        if interrupted { throw ExitCode(ExitStatus.interrupted.rawValue) }
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
