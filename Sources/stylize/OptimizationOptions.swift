import ArgumentParser
import StyleTransfer

/// How the pixels are optimised and when to stop; the help shows `D`'s defaults.
struct OptimizationOptions<D: CommandDefaults>: ParsableArguments {
    @Option(help: help("Iterations at the finest scale up to --preview-size, \(Recipe.iterationsLimit); coarser scales run half as many, "
                       + "refinement scales a quarter.", default: D.recipe.iterations))
    var iterations: Int?

    @Option(help: help("The optimizer.", default: D.recipe.optimizer.rawValue))
    var optimizer: Recipe.OptimizerKind?

    @Option(help: help("Step size, \(Recipe.learningRateLimit).", default: "1 for lbfgs, 0.02 for adam"))
    var learningRate: Double?

    @Option(help: help("L-BFGS: curvature pairs kept, \(Recipe.historySizeLimit) (fewer when --max-memory needs it).", default: D.recipe.historySize))
    var historySize: Int?

    @Flag(inversion: .prefixedNo, help: help("L-BFGS: strong-Wolfe line search (more evaluations per iteration, steadier).", default: D.recipe.lineSearch))
    var lineSearch: Bool?

    @Option(help: help("Adam: first-moment decay, \(Recipe.betaLimit).", default: D.recipe.beta1))
    var beta1: Double?

    @Option(help: help("Adam: second-moment decay, \(Recipe.betaLimit).", default: D.recipe.beta2))
    var beta2: Double?

    @Option(help: help("Clamp pixels to [0,1] after every step (step) or only after each scale and at the end (end, unconstrained like the PyTorch reference).",
                       default: D.recipe.clamp.rawValue))
    var clamp: Recipe.Clamp?

    @Option(help: help("Scales, coarse to fine in √2 steps ending at --size (or at --preview-size, then 2× steps), "
                       + "\(Recipe.scalesLimit) (1 = single scale).", default: D.recipe.scales))
    var scales: Int?

    @Option(help: help("Smallest long side a scale may have, pixels, \(Recipe.minSizeLimit).", default: D.recipe.minSize))
    var minSize: Int?

    @Flag(inversion: .prefixedNo, help: help("Start each finer scale from the coarser result plus the content detail it lacked.", default: D.recipe.restoreDetail))
    var restoreDetail: Bool?

    @Option(help: help("Iterations per scale, coarse to fine, comma-separated, each \(Recipe.iterationsLimit) (overrides --iterations).",
                       default: "from --iterations"))
    var scaleIterations: String?

    @Flag(inversion: .prefixedNo, help: help("Stop a scale as soon as the loss rises, keeping the image before.", default: D.recipe.stopOnRise))
    var stopOnRise: Bool?

    @Option(help: help("Stop a scale when the loss falls by less than this share over --tolerance-window iterations, \(Recipe.toleranceLimit) (0: off).",
                       default: D.recipe.tolerance))
    var tolerance: Double?

    @Option(help: help("Iterations the --tolerance is measured over, \(Recipe.toleranceWindowLimit).", default: D.recipe.toleranceWindow))
    var toleranceWindow: Int?

    func apply(to r: inout Recipe) throws {
        if let iterations { r.iterations = iterations }
        if let optimizer { r.optimizer = optimizer }
        if let learningRate { r.learningRate = learningRate }
        if let historySize { r.historySize = historySize }
        if let lineSearch { r.lineSearch = lineSearch }
        if let beta1 { r.beta1 = beta1 }
        if let beta2 { r.beta2 = beta2 }
        if let clamp { r.clamp = clamp }
        if let scales { r.scales = scales }
        if let minSize { r.minSize = minSize }
        if let restoreDetail { r.restoreDetail = restoreDetail }
        if let scaleIterations { r.scaleIterations = try Parse.integers(scaleIterations, flag: "--scale-iterations") }
        if let stopOnRise { r.stopOnRise = stopOnRise }
        if let tolerance { r.tolerance = tolerance }
        if let toleranceWindow { r.toleranceWindow = toleranceWindow }
    }
}
