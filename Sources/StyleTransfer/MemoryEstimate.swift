import Models
import TensorCore

/// How one scale of a run is evaluated, chosen before the run to fit its memory budget: the whole picture at once
/// or in tiles (exact either way, `Objective`), and how many L-BFGS curvature pairs it keeps.
public struct EvaluationPlan: Sendable, Equatable {
    /// The scale's picture.
    public let shape: Shape
    /// The tile size asked of `TilePlan` (interiors are whole alignment steps of about this size); nil: the whole
    /// picture at once.
    public let tileSize: TilePlan.Size?
    /// The largest interior, pixels (the picture's shape when whole).
    public let interior: Shape
    public let tiles: Int
    /// What the network runs on: the picture, or every tile's window (interior and margin).
    public let window: Shape
    /// Pixels run through the network per pass relative to the picture's (1 untiled).
    public let overhead: Double
    /// L-BFGS pairs kept (0 under Adam).
    public let historySize: Int
    /// The pairs are stored in half precision (`LBFGS.Options.compactHistory`): chosen only when the budget
    /// cannot hold every pair the scale can use in full.
    public let compactHistory: Bool
    /// The run's estimated peak at this scale.
    public let bytes: Int

    /// "2048×1416 in 12 tiles of 512×512 (windows 704×712, 2.1× the pixels), 26 L-BFGS pairs in half precision,
    /// about 3.0 GB".
    public var summary: String {
        var s = "\(shape.width)×\(shape.height)"
        if tileSize != nil {
            s += " in \(tiles) tiles of \(interior.width)×\(interior.height) (windows \(window.width)×\(window.height), "
                + String(format: "%.1f× the pixels)", overhead)
        } else {
            s += " whole"
        }
        if historySize > 0 { s += ", \(historySize) L-BFGS pairs" + (compactHistory ? " in half precision" : "") }
        return s + (bytes > 0 ? ", about " + ByteCount(bytes: bytes).gigabytes : "")
    }
}

/// The memory a run will take, worked out before it starts from the model, the recipe and the picture sizes, and
/// the plan (tiles, L-BFGS history) that keeps each scale within a budget; a run that cannot fit even in small
/// tiles is refused at once (with the budget it needs and a size that fits) instead of swapping or being killed.
///
/// It counts, per scale: the network's weights and buffers (`Architecture.memory`) at the largest window it runs
/// (the evaluation's, or a style image's while its Grams are taken), the objective's content targets (whole
/// picture), Gram matrices (target and current) and, when tiled, the window; at a
/// refinement scale the preview's style term (`PreviewStyle`); the optimizer's state (L-BFGS keeps two vectors per
/// curvature pair, full or half precision); the pictures as read, a few image-sized tensors of the engine, and for
/// frame mode the flow fields, masks and warped frames.
/// The libraries' own footprint (FFmpeg, OpenBLAS's buffers, the Swift runtime) is a fixed `baseline`, and the
/// weights count `weightCopies` times.
public struct MemoryEstimate: Sendable {
    /// Measured: `stylize info` (libraries loaded, OpenBLAS run) peaks at 76 MB.
    static let baseline = 64 << 20
    /// The weights as read, the layers' copies and the Winograd kernels made from them (36 values for 9, once for
    /// forward and once for backward), less what is freed on the way: a VGG16 run at `--size 32` peaks at 412 MB,
    /// about the baseline and 6 times its 59 MB of weights.
    static let weightCopies = 6
    /// Tiles smaller than this many alignment steps spend most of their time on their margins.
    static let smallestTile = 2
    /// Fewer L-BFGS pairs than this and the quasi-Newton model says little.
    static let fewestPairs = 5
    /// Tiles whose windows run more than this many times the picture's pixels are a last resort.
    static let affordableOverhead = 2.0
    /// What a still picture keeps to when no budget is given (`defaultBudget`): 2.75 GiB, so a 2048 px print peaks
    /// under 3 GB (2.92 GB measured) in two tiles, in 1.09× the time it takes whole at 4.0 GB.
    public static let workingSet = 11 << 28

    private let architecture: Architecture
    private let recipe: Recipe
    private let content: Shape?
    private let styles: [Shape]
    private let video: Bool
    private let taps: Set<String>
    private let field: ReceptiveField

    /// `content` and `styles`: the pictures as read (content nil for a texture); nil when a layer is not the
    /// model's (the engine reports that itself).
    public init?(architecture: Architecture, recipe: Recipe, content: Shape?, styles: [Shape], video: Bool = false) {
        taps = Set(recipe.contentLayers + recipe.styleLayers)
        guard let field = architecture.receptiveField(taps: taps) else { return nil }
        self.architecture = architecture
        self.recipe = recipe
        self.content = content
        self.styles = styles
        self.video = video
        self.field = field
    }

    /// The output shape at the final scale.
    public var output: Shape {
        ScaleSchedule.shape(longSide: recipe.size, aspectOf: content ?? Shape(channels: 3, height: recipe.size, width: recipe.size))
    }

    /// The estimated peak of a scale at `output` evaluated in tiles of `tileSize` (nil: whole) with `history` pairs
    /// (`compact`: in half precision).
    public func bytes(output: Shape, tileSize: TilePlan.Size?, history: Int, compact: Bool = false) -> Int {
        func tiling(_ s: Shape) -> TilePlan { TilePlan.of(s, size: tileSize, field: field, wrap: false) }
        let evaluation = TilePlan.of(output, size: tileSize, field: field, wrap: recipe.tileable)
        let styleShapes = styles.map { recipe.stretchStyle ? output : ScaleSchedule.styleShape($0, output: output, scale: recipe.styleScale) }
        // A refinement scale also scores the picture at the preview's size (`PreviewStyle`), whole.
        let preview = refines(output) ? ScaleSchedule.shape(longSide: recipe.previewSize, aspectOf: output) : nil
        let largest = ([evaluation.window] + styleShapes.map { tiling($0).window } + [preview].compactMap { $0 })
            .max { $0.count < $1.count }!
        let network = architecture.memory(width: largest.width, height: largest.height, taps: taps, pooling: recipe.pooling, banded: true)!
        let atWindow = architecture.tapShapes(taps, image: evaluation.window)!
        let atOutput = architecture.tapShapes(taps, image: output)!
        var floats = 0
        for layer in recipe.contentLayers { floats += atOutput[layer]?.count ?? 0 }  // content targets
        // Each tap's gradient overwrites its features, a few positions at a time through a scratch (which also
        // gathers a tile's interior for its Gram).
        floats += (atWindow.values.map(\.channels).max() ?? 0) * Objective.gradientColumns
        floats += 2 * recipe.styleLayers.reduce(0) { $0 + (atOutput[$1].map { $0.channels * $0.channels } ?? 0) }  // Grams
        if !evaluation.isWhole { floats += evaluation.window.count }  // the window's pixels
        let n = output.count
        switch recipe.optimizer {
        case .lbfgs: floats += ((compact ? 1 : 2) * history + (recipe.lineSearch ? 8 : 6)) * n
        case .adam: floats += 4 * n
        }
        floats += (content?.count ?? 0) + styles.reduce(0) { $0 + $1.count }  // pictures as read
        floats += 6 * n  // engine: result, evaluator's copies, resized content and start, display copy
        if let preview {
            // The preview's tap gradients and Grams, the picture and its gradient at that size, and the gradient
            // carried back to the full size with the resampler's intermediate.
            let taps = architecture.tapShapes(Set(recipe.styleLayers), image: preview)!
            floats += taps.values.reduce(0) { $0 + $1.count + 4 * $1.channels * $1.channels } + 2 * preview.count + 2 * n
        }
        if video { floats += 12 * n }  // flow both ways (2 planes each, pyramid), masks, warped and previous frames
        return Self.baseline + Self.weightCopies * network.weights + network.buffers + 4 * floats
    }

    /// `output` is a refinement scale of a run that keeps the preview's style there.
    private func refines(_ output: Shape) -> Bool {
        recipe.scales > 1 && max(output.height, output.width) > recipe.previewSize && recipe.previewWeight > 0
            && recipe.styleWeight != 0 && !styles.isEmpty
    }

    /// The plan for a scale at `output` running `iterations` iterations, within `budget` bytes (nil: no limit).
    /// In order of preference: the whole picture, else the largest affordable tiles, that hold every pair the scale
    /// can use, at full precision if they can, else in half; then as many pairs as fit (down to `fewestPairs`), in
    /// half; the same with any tiles. Half precision before smaller tiles (each smaller size costs time) and both
    /// before fewer pairs, which change the optimisation far more (1024 px, 20 iterations: 5 full pairs paint 39 dB
    /// from the unlimited run).
    public func plan(output: Shape, iterations: Int, budget: Int?) throws(MemoryEstimateError) -> EvaluationPlan {
        let (want, least) = pairs(iterations: iterations)
        func make(_ size: TilePlan.Size?, _ history: Int, compact: Bool = false) -> EvaluationPlan {
            let tiles = TilePlan.of(output, size: size, field: field, wrap: recipe.tileable)
            return EvaluationPlan(
                shape: output, tileSize: tiles.tiles.count > 1 ? size : nil,
                interior: Shape(channels: 3, height: tiles.tiles.map(\.interior.height).max()!,
                                width: tiles.tiles.map(\.interior.width).max()!),
                tiles: tiles.tiles.count, window: tiles.window, overhead: tiles.overhead, historySize: history,
                compactHistory: compact && history > 0,
                bytes: bytes(output: output, tileSize: size, history: history, compact: compact))
        }
        guard let budget else { return make(nil, want) }
        let sizes = [nil] + tileSizes(output)
        // The plans without pairs, largest tiles first; each pair costs the same, so the rest is what pairs may use.
        let rests = sizes.map { make($0, 0) }
        for candidates in [rests.filter { $0.overhead <= Self.affordableOverhead }, rests] {
            let fitting = candidates.filter { $0.bytes <= budget }
            guard want > 0 else { if let plan = fitting.first { return plan }; continue }
            func room(_ rest: EvaluationPlan, pairBytes: Int) -> Int { (budget - rest.bytes) / (pairBytes * output.count) }
            if let rest = fitting.first(where: { room($0, pairBytes: 4) >= want }) {
                return make(rest.tileSize, want, compact: room(rest, pairBytes: 8) < want)
            }
            if let rest = fitting.first(where: { room($0, pairBytes: 4) >= least }) {
                return make(rest.tileSize, room(rest, pairBytes: 4), compact: true)
            }
        }
        throw .tooLarge(estimate: leastBytes(output: output, iterations: iterations), available: budget, size: recipe.size,
                        fitting: largestSize(within: budget))
    }

    /// The least a scale at `output` running `iterations` iterations can take: the fewest pairs, in half precision,
    /// beside the leanest evaluation (the smallest tiles, or a little larger ones whose windows fit the picture
    /// better); `affordable`: the whole picture or tiles that run at most `affordableOverhead` times its pixels.
    public func leastBytes(output: Shape, iterations: Int, affordable: Bool = false) -> Int {
        let least = pairs(iterations: iterations).least
        let sizes = ([nil] + tileSizes(output)).filter { size in
            guard affordable, let size else { return true }
            return TilePlan.of(output, size: size, field: field, wrap: recipe.tileable).overhead <= Self.affordableOverhead
        }
        return sizes.map { bytes(output: output, tileSize: $0, history: least, compact: true) }.min()!
    }

    /// The L-BFGS pairs a scale of `iterations` iterations can use, and the fewest it may keep (0 under Adam).
    private func pairs(iterations: Int) -> (want: Int, least: Int) {
        let want = recipe.optimizer == .lbfgs ? min(recipe.historySize, max(1, iterations)) : 0
        return (want, min(want, Self.fewestPairs))
    }

    /// The budget of a still picture when none is given: the `workingSet`, or the least its final scale needs in
    /// affordable tiles if that is more, within `available` (nil: unknown). A print then runs in tiles and compact
    /// pairs, a little slower, rather than take most of the machine; `--max-memory` gives it more.
    public func defaultBudget(available: Int?) -> Int {
        let wanted = max(Self.workingSet, leastBytes(output: output, iterations: finalIterations, affordable: true))
        return available.map { min($0, wanted) } ?? wanted
    }

    /// The plan of the final scale (`recipe.size`, its iterations).
    public func finalPlan(budget: Int?) throws(MemoryEstimateError) -> EvaluationPlan {
        try plan(output: output, iterations: finalIterations, budget: budget)
    }

    private var finalIterations: Int {
        let scales = max(1, recipe.scales) + recipe.refinementScales
        return recipe.scaleIterations.flatMap { $0.last } ?? recipe.iterations(atScale: scales - 1, of: scales)
    }

    /// Tile sizes, whole alignment steps, that cut the picture into r rows and c columns (a 2048×2048 picture: 2
    /// tiles of 1024×2048, then 3 of 704×2048, 4 of 1024×1024, …), down to `smallestTile` steps each way: fewest
    /// tiles first, and for as many tiles the fewest pixels run.
    private func tileSizes(_ output: Shape) -> [TilePlan.Size] {
        let a = field.alignment, smallest = Self.smallestTile * a
        /// The sides that cut `length` into 1, 2, … parts, down to `smallest`.
        func sides(_ length: Int) -> [Int] {
            var result: [Int] = []
            for k in 1... {
                let side = ((length + k - 1) / k + a - 1) / a * a
                if k > 1 && side < smallest { break }
                if result.last != side { result.append(side) }
                if side <= smallest { break }
            }
            return result
        }
        var plans: [(size: TilePlan.Size, tiles: Int, overhead: Double)] = []
        for height in sides(output.height) {
            for width in sides(output.width) {
                let size = TilePlan.Size(height: height, width: width), plan = TilePlan(output, size: size, field: field)
                if plan.tiles.count > 1 { plans.append((size, plan.tiles.count, plan.overhead)) }
            }
        }
        return plans.sorted { ($0.tiles, $0.overhead) < ($1.tiles, $1.overhead) }.map(\.size)
    }

    /// The largest `--size` (at least 16) that fits `budget` in some plan, or nil if not even 16 does.
    public func largestSize(within budget: Int) -> Int? {
        func fits(_ size: Int) -> Bool {
            var r = recipe
            r.size = size
            guard let estimate = MemoryEstimate(architecture: architecture, recipe: r, content: content, styles: styles, video: video)
            else { return false }
            return estimate.leastBytes(output: estimate.output, iterations: estimate.finalIterations) <= budget
        }
        guard fits(16) else { return nil }
        var low = 16, high = max(16, recipe.size)
        while low < high {
            let mid = (low + high + 1) / 2
            if fits(mid) { low = mid } else { high = mid - 1 }
        }
        return low
    }
}

public enum MemoryEstimateError: Error, CustomStringConvertible, Equatable {
    case tooLarge(estimate: Int, available: Int, size: Int, fitting: Int?)

    public var description: String {
        switch self {
        case let .tooLarge(estimate, available, size, fitting):
            let need = "a run at --size \(size) needs at least \(gigabytes(estimate)) of memory, even in small tiles, and its budget is "
                + "\(gigabytes(available)) (--max-memory, else the memory available)"
            guard let fitting else { return need + "; even --size 16 does not fit: free memory first" }
            let raise = String(format: "%.1fG", (Double(estimate) / Double(1 << 30) * 10).rounded(.up) / 10)
            return need + "; raise --max-memory to \(raise) or more, or use --size \(fitting) or less"
        }
    }

    private func gigabytes(_ bytes: Int) -> String {
        let tenths = (bytes * 10 + (1 << 29)) >> 30
        return "\(tenths / 10).\(tenths % 10) GB"
    }
}
