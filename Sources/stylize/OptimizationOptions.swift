import ArgumentParser
import StyleTransfer

/// How the pixels are optimised and when to stop.
struct OptimizationOptions: ParsableArguments {
    @Option(help: "Iterations at the finest scale; coarser scales run half as many.")
    var iterations: Int?

    @Option(help: "lbfgs or adam.")
    var optimizer: Recipe.OptimizerKind?

    @Option(help: "Step size (default: 1 for lbfgs, 0.02 for adam).")
    var learningRate: Double?

    @Option(help: "L-BFGS: curvature pairs kept.")
    var historySize: Int?

    @Flag(inversion: .prefixedNo, help: "L-BFGS: strong-Wolfe line search (more evaluations per iteration, steadier).")
    var lineSearch: Bool?

    @Option(help: "Adam: first-moment decay.")
    var beta1: Double?

    @Option(help: "Adam: second-moment decay.")
    var beta2: Double?

    @Option(help: "Clamp pixels to [0,1] after every step (step) or only after each scale and at the end (end, unconstrained like the PyTorch reference).")
    var clamp: Recipe.Clamp?

    @Option(help: "Scales, coarse to fine in √2 steps ending at --size (1 = single scale).")
    var scales: Int?

    @Option(help: "Smallest long side a scale may have.")
    var minSize: Int?

    @Flag(inversion: .prefixedNo, help: "Start each finer scale from the coarser result plus the content detail it lacked.")
    var restoreDetail: Bool?

    @Option(help: "Iterations per scale, coarse to fine, comma-separated (overrides --iterations).")
    var scaleIterations: String?

    @Flag(inversion: .prefixedNo, help: "Stop a scale as soon as the loss rises, keeping the image before.")
    var stopOnRise: Bool?

    @Option(help: "Stop a scale when the loss falls by less than this fraction over --tolerance-window iterations.")
    var tolerance: Double?

    @Option(help: "Iterations the --tolerance is measured over.")
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
