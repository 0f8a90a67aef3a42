import Models
import Optimizers
import TensorCore

/// The style-transfer run loop: for each scale of the schedule, builds the objective's targets, starts from
/// the initialization (or the previous scale's result upsampled) and optimizes the pixels, reporting every
/// iteration to `observers`. It never touches files; the caller decodes inputs and encodes outputs.
public final class Engine {
    public let network: FeatureNetwork
    public let recipe: Recipe
    public let schedule: ScaleSchedule
    /// Notified in order; the CLI adds a progress printer and a frame recorder (video, GIF, PNG frames).
    public var observers: [EngineObserver] = []
    /// Set from any thread (e.g. on Ctrl-C) to end the run after the current iteration.
    public let cancellation = Cancellation()
    /// Extra terms on the pixels (`PixelTerm`), added to the objective at the final scale.
    public var pixelTerms: [PixelTerm] = []

    private let content: Tensor?
    private let styles: [Tensor]
    private let guidance: Guidance
    private let initialization: Initialization

    /// How each scale is evaluated (whole or in tiles, L-BFGS pairs kept) within the memory budget, decided
    /// before the run starts.
    public let plans: [EvaluationPlan]

    /// `content` and `styles` are RGB in [0, 1] at any resolution; the engine resizes them per scale.
    /// `content` may be nil for texture synthesis, `styles` empty for content reconstruction.
    /// `guidance`: masks at any size (the engine resizes them per scale). `memoryBudget`: bytes the run may use
    /// when the recipe's `max_memory` does not say (nil: no limit); a run that cannot fit is refused here
    /// (`MemoryEstimateError`).
    public init(
        network: FeatureNetwork, recipe: Recipe, content: Tensor?, styles: [Tensor], initialization: Initialization,
        guidance: Guidance = Guidance(), memoryBudget: Int? = nil
    ) throws {
        try recipe.validate()
        for t in [content].compactMap({ $0 }) + styles where t.shape.channels != 3 {
            throw EngineError.imageNotRGB(channels: t.shape.channels)
        }
        guard let reference = content?.shape ?? styles.first?.shape else {
            throw EngineError.missingContent(reason: "give a content or a style image to size the output")
        }
        if recipe.colors != .style && content == nil {
            throw EngineError.missingContent(reason: "colors \(recipe.colors.rawValue) takes colours from the content")
        }
        if guidance.contentMask != nil && content == nil {
            throw EngineError.missingContent(reason: "content_mask weighs the content term")
        }
        try guidance.validate(styles: styles.count)
        self.network = network
        self.recipe = recipe
        self.content = content
        self.styles = styles
        self.guidance = guidance
        self.initialization = initialization
        // A tileable picture's sides are multiples of the deepest tap's stride (`ScaleSchedule`).
        let taps = Set(recipe.contentLayers + recipe.styleLayers)
        let field = recipe.tileable ? Architecture(rawValue: network.name)?.receptiveField(taps: taps) : nil
        let stride = field?.strides.values.max() ?? 1
        let schedule = ScaleSchedule(size: recipe.size, count: recipe.scales, minSize: recipe.minSize, previewSize: recipe.previewSize,
                                     aspectOf: reference, multiple: stride)
        self.schedule = schedule
        if let perScale = recipe.scaleIterations, perScale.count != schedule.shapes.count {
            throw EngineError.countMismatch(knob: "scale_iterations", expected: schedule.shapes.count, got: perScale.count)
        }
        let budget = recipe.maxMemory?.bytes ?? memoryBudget
        let estimate = Architecture(rawValue: network.name).flatMap {
            MemoryEstimate(architecture: $0, recipe: recipe, content: content?.shape, styles: styles.map(\.shape))
        }
        plans = try schedule.shapes.enumerated().map { index, shape in
            let iterations = recipe.iterations(atScale: index, of: schedule.shapes.count)
            guard let estimate else {
                let history = recipe.optimizer == .lbfgs ? min(recipe.historySize, max(1, iterations)) : 0
                return EvaluationPlan(shape: shape, tileSize: nil, interior: shape, tiles: 1, window: shape,
                                      overhead: 1, historySize: history, compactHistory: false, bytes: 0)
            }
            return try estimate.plan(output: shape, iterations: iterations, budget: budget)
        }
    }

    public func run() throws -> EngineResult {
        let start = Clock.now()
        var image: Tensor?
        var iteration = 0, evaluations = 0
        var reason = StopReason.iterations
        var last: (objective: Objective, content: Tensor?)?
        // Refinement scales also keep the picture's style as the preview scale saw it (`PreviewStyle`): one term,
        // its Grams taken once from the preview scale's styles, serves every refinement scale.
        let previewIndex = schedule.shapes.count - 1 - recipe.refinementScales
        var previewTerm: PreviewStyle?

        scales: for (index, shape) in schedule.shapes.enumerated() {
            let content = self.content.map { Self.clamped(TensorResize.resize($0, height: shape.height, width: shape.width)) }
            var styles = self.styles.map { style -> Tensor in
                let s = recipe.stretchStyle ? shape : ScaleSchedule.styleShape(style.shape, output: shape, scale: recipe.styleScale)
                return Self.clamped(TensorResize.resize(style, height: s.height, width: s.width))
            }
            var target = content
            if let c = content {
                switch recipe.colors {
                case .content:
                    target = ColorPreservation.greyContent(c)
                    styles = styles.map { ColorPreservation.greyStyle($0, matching: c) }
                case .histogram: styles = styles.map { ColorMatch.matching($0, to: c) }
                case .style, .luminance: break
                }
            }
            let plan = plans[index], masks = guidance.resized(to: shape)
            let objective = try Objective(network: network, recipe: recipe, shape: shape, content: target, styles: styles,
                                          tileSize: plan.tileSize, guidance: masks)
            if index == previewIndex, recipe.refinementScales > 0, recipe.previewWeight > 0, recipe.styleWeight != 0, !styles.isEmpty {
                previewTerm = try PreviewStyle(network: network, recipe: recipe, preview: shape, styles: styles, guidance: masks,
                                               weight: recipe.previewWeight)
            }
            if index > previewIndex, let previewTerm { objective.pixelTerms.append(previewTerm) }
            if index == schedule.shapes.count - 1 { objective.pixelTerms += pixelTerms }
            last = (objective, content)

            let x: Tensor
            if let previous = image {
                x = recipe.tileable
                    ? TensorResize.resize(previous, height: shape.height, width: shape.width, filter: .trigonometric, wrap: true)
                    : TensorResize.resize(previous, height: shape.height, width: shape.width)
                if recipe.restoreDetail, let fine = target {
                    let p = previous.shape
                    let blurred = TensorResize.resize(TensorResize.resize(fine, height: p.height, width: p.width), height: shape.height, width: shape.width)
                    for i in 0..<x.count { x.data[i] += fine.data[i] - blurred.data[i] }
                }
                Self.clamp(x)
            } else {
                x = Self.clamped(try initialization.makeImage(shape: shape, content: target, style: styles.first, seed: recipe.seed))
            }
            image = x
            func render() -> Tensor { display(x, content: content) }

            let budget = recipe.iterations(atScale: index, of: schedule.shapes.count)
            if notify(.scaleStarted(index: index, count: schedule.shapes.count, shape: shape, iterations: budget), render) == .stop {
                reason = .cancelled
                break scales
            }
            let optimizer = makeOptimizer(count: shape.count, historySize: plan.historySize, compact: plan.compactHistory)
            var rules = StopRules(stopOnRise: recipe.stopOnRise, tolerance: recipe.tolerance, window: recipe.toleranceWindow)
            let evaluator = Evaluator(objective: objective, shape: shape)
            // Ping-pong copies of the last two evaluated points, for `stop_on_rise`.
            var before = recipe.stopOnRise ? (Tensor(shape), Tensor(shape)) : nil
            reason = .iterations

            for k in 0..<budget {
                if cancellation.isCancelled { reason = .cancelled; break scales }
                if let (older, newer) = before {
                    older.copy(from: x)
                    before = (newer, older)
                }
                evaluator.beginStep()
                let report = optimizer.step(x.buffer, evaluator.function)
                if let failure = evaluator.failure { throw failure }
                iteration += 1
                evaluations += report.evaluations
                guard report.loss.isFinite else { throw EngineError.nonFiniteLoss(iteration: iteration) }
                let event = IterationReport(
                    iteration: iteration, scaleIteration: k + 1, scale: index, scaleCount: schedule.shapes.count,
                    shape: shape, losses: evaluator.losses(at: report.loss), evaluations: evaluations,
                    elapsed: Clock.now() - start)
                if notify(.iteration(event), render) == .stop { reason = .cancelled; break scales }
                if report.converged { reason = .converged; break }
                if let stop = rules.record(report.loss) {
                    if stop == .lossRose, let (previous, _) = before { x.copy(from: previous) }
                    reason = stop
                    break
                }
            }
            Self.clamp(x)
        }

        let final = image!, (objective, content) = last!
        Self.clamp(final)
        let gradient = Tensor(final.shape)
        let losses = try objective.evaluate(final, gradient: gradient)
        let result = EngineResult(
            image: display(final, content: content), losses: losses, iterations: iteration,
            evaluations: evaluations + 1, elapsed: Clock.now() - start, stopReason: reason)
        _ = notify(.finished(result), { result.image.copy() })
        return result
    }

    private func makeOptimizer(count: Int, historySize: Int, compact: Bool) -> Optimizer {
        let bounds: ClosedRange<Float>? = recipe.clamp == .step ? 0...1 : nil
        switch recipe.optimizer {
        case .lbfgs:
            return LBFGS(count: count, options: .init(
                historySize: max(1, historySize), learningRate: recipe.effectiveLearningRate,
                lineSearch: recipe.lineSearch, bounds: bounds, compactHistory: compact))
        case .adam:
            return Adam(count: count, options: .init(
                learningRate: recipe.effectiveLearningRate, beta1: recipe.beta1, beta2: recipe.beta2, bounds: bounds))
        }
    }

    private func notify(_ event: EngineEvent, _ image: () -> Tensor) -> ObserverDecision {
        var decision = ObserverDecision.proceed
        for observer in observers where observer.engine(event, image: image) == .stop { decision = .stop }
        return decision
    }

    /// What observers and the result see: clamped, with the content's chroma when `colors` recombines.
    private func display(_ x: Tensor, content: Tensor?) -> Tensor {
        if recipe.colors.recombines, let content { return ColorPreservation.recombine(x, content: content) }
        return Self.clamped(x.copy())
    }

    static func clamp(_ t: Tensor) {
        for i in 0..<t.count { t.data[i] = min(max(t.data[i], 0), 1) }
    }

    static func clamped(_ t: Tensor) -> Tensor {
        clamp(t)
        return t
    }
}

/// Adapts an `Objective` to the optimizers' `LossAndGradient`, remembering the per-term losses of the points
/// a step evaluates (the optimizer only returns totals) and any error the network threw.
private final class Evaluator {
    let objective: Objective
    let input, gradient: Tensor
    private(set) var failure: Error?
    private var evaluated: [Losses] = []

    init(objective: Objective, shape: Shape) {
        self.objective = objective
        input = Tensor(shape)
        gradient = Tensor(shape)
    }

    /// Keeps only the last evaluation of the previous step: a line search may hand it on as the next start.
    func beginStep() { evaluated = evaluated.suffix(1) }

    /// The breakdown of the evaluation whose total is `loss`.
    func losses(at loss: Double) -> Losses {
        evaluated.first { $0.total == loss } ?? { var l = Losses(); l.total = loss; return l }()
    }

    var function: LossAndGradient {
        { [unowned self] x, g in
            input.data.update(from: x.baseAddress!, count: x.count)
            do {
                let losses = try objective.evaluate(input, gradient: gradient)
                evaluated.append(losses)
                g.baseAddress!.update(from: gradient.data, count: g.count)
                return losses.total
            } catch {
                failure = error
                return .nan
            }
        }
    }
}
