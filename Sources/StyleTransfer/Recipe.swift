import Models

/// Every knob of a run, named as the CLI flags (`--content-layers` ⇄ `content_layers`). Codable to JSON with
/// snake_case keys; keys missing from a JSON file take the defaults below. Each numeric knob's `Limit` stands
/// beside it; `validate()` checks them all, before anything is loaded.
public struct Recipe: Codable, Equatable, Sendable {
    public enum OptimizerKind: String, Codable, Sendable, CaseIterable { case lbfgs, adam }

    /// When pixels are clamped to [0, 1]: after every update, or only after each scale (and at the end).
    public enum Clamp: String, Codable, Sendable, CaseIterable {
        case step, end
    }

    // Size and schedule. The defaults (3 scales, 30/30/60 iterations, detail restored) reached a lower loss than
    // 100 single-scale iterations, at about 0.8 of the cost, and look more painted (measured when they were chosen,
    // commit 3f1b322).
    /// Long side of the output, pixels.
    public var size = 512
    /// From a thumbnail to what fits the machine's memory with VGG at one scale.
    public static let sizeLimit = Limit(16...8192)
    /// Number of scales, coarse to fine in √2 steps ending at `size` (1 = single scale), or, when `size` is larger
    /// than `preview_size`, ending at `preview_size`, followed by refinement scales in 2× steps up to `size`.
    public var scales = 3
    /// √2 steps: 16 scales span a factor of 256, more than 16…8192 pixels needs.
    public static let scalesLimit = Limit(1...16)
    /// No scale is smaller than this long side.
    public var minSize = 128
    public static let minSizeLimit = Limit(1...8192)
    /// A multi-scale run larger than this paints at this size first, as a run of this size would, and then only
    /// refines: the network sees a fixed number of pixels, so a picture painted at 2048 px from the start gets
    /// strokes a quarter of the size (a fine stipple where a 512 px run paints swirls).
    public var previewSize = 512
    public static let previewSizeLimit = Limit(16...8192)
    /// At the refinement scales, the weight (× `style_weight`) of the style loss of the picture downscaled to the
    /// preview's size (`PreviewStyle`): what keeps the preview's strokes while the finer scale adds detail; 0 off.
    public var previewWeight = 1.0
    public static let previewWeightLimit = Limit(0.0...1e6)
    /// Iterations at the finest scale up to the preview; coarser scales run half as many (their iterations cost ½,
    /// ¼, … as much), refinement scales a quarter (they add detail to what is painted, and cost 4×, 16×, … more).
    public var iterations = 60
    /// Also bounds each of `scale_iterations` (and the frames of a recorded run).
    public static let iterationsLimit = Limit(0...100_000)
    /// Per-scale iterations, coarse to fine, overriding `iterations` when given (one entry per scale).
    public var scaleIterations: [Int]? = nil
    /// Each finer scale starts from the coarser result upsampled plus the content's detail the coarser scale
    /// could not hold (content − content downsampled and upsampled), rather than from the blurred result alone.
    public var restoreDetail = true
    /// Style image long side relative to the output's; the style keeps its own aspect ratio, so a portrait
    /// painting's strokes are not squashed onto a landscape photo.
    public var styleScale = 1.0
    /// A style 20× smaller than the output has no texture left to transfer; 4× larger is past any style image.
    public static let styleScaleLimit = Limit(0.05...4.0)
    /// Resize the style to exactly each scale's output shape, ignoring `style_scale` and the style's aspect
    /// (what Stylize did by default before; kept for reproducing older runs).
    public var stretchStyle = false

    // Optimizer
    public var optimizer = OptimizerKind.lbfgs
    /// nil: 1 for L-BFGS, 0.02 for Adam.
    public var learningRate: Double? = nil
    /// Steps move pixels in [0, 1]: below 1e-6 nothing moves, above 1000 every step overshoots.
    public static let learningRateLimit = Limit(1e-6...1000.0)
    public var historySize = 100
    public static let historySizeLimit = Limit(1...1000)
    /// The memory a run may use (nil: `MemoryEstimate.defaultBudget` for a picture, what the machine has available
    /// when it starts for a clip). A run that would need more is evaluated in tiles (exactly: the same loss and
    /// gradient) and keeps fewer L-BFGS pairs; one that cannot fit even so is refused before it starts.
    public var maxMemory: ByteCount? = nil
    public var lineSearch = false
    public var beta1 = 0.9
    public var beta2 = 0.999
    /// Adam's decays are shares below 1.
    public static let betaLimit = Limit(0.0...0.9999)
    /// `step` projects every iterate onto [0, 1] (L-BFGS then builds its curvature pairs from the projected
    /// steps); `end` optimizes unconstrained, as the PyTorch reference does, and clamps afterwards. Measured when
    /// this was chosen (commit 68cc944), `step` ended at a 15% lower clamped loss (7.52 vs 8.76), so it is the default.
    public var clamp = Clamp.step

    // Objective
    public var model: String? = nil
    public var pooling = Pooling.max
    /// Layers are named as VGG names them; another network maps VGG's defaults to its own (`Architecture`).
    public var contentLayers = Architecture.vgg16.defaultContentLayers
    public var styleLayers = Architecture.vgg16.defaultStyleLayers
    /// One weight per style layer; nil weighs every layer 1.
    public var styleLayerWeights: [Double]? = nil
    /// One weight per style image (normalised to sum 1); nil blends them equally.
    public var styleBlend: [Double]? = nil
    public var contentWeight = 1.0
    public var styleWeight = 1e5
    public var tvWeight = 0.0
    /// Every term weight, per-layer weight and blend weight: 0 (off) up to where Float losses still hold.
    public static let weightLimit = Limit(0.0...1e15)
    public var normalization = Normalization.mean
    /// What the output's colours come from (`ColorMode`).
    public var colors = ColorMode.style
    /// The statistic of each style layer the output must match (`StyleLoss`).
    public var styleLoss = StyleLoss.gram
    /// The output wraps around: the network sees it with its opposite edges adjoining, and the smoothness term
    /// wraps too, so copies of it tile without a seam.
    public var tileable = false
    /// Where each style applies, by style number counted from 1: greyscale pictures of any size (white: this
    /// style), read by the caller. Positions no mask covers take the blend of all styles.
    public var styleMasks: [Int: String]? = nil
    /// Weights the content term per pixel (white: keep the content, black: free to paint); read by the caller.
    public var contentMask: String? = nil

    /// Luminance-only transfer (`colors` `content`), the key older recipes use.
    public var preserveColors: Bool {
        get { colors == .content }
        set { colors = newValue ? .content : (colors == .content ? .style : colors) }
    }

    // Start
    /// `content`, `style`, `noise`, `content+noise`, `blurred-content`, or an image file (which the caller loads).
    public var initialization = StartImage.content
    /// Share of noise mixed into the content for `content+noise`.
    public var noise = 0.1
    public static let noiseLimit = Limit(0.0...1.0)
    public var seed: UInt64 = 0

    // Stop rules (besides `iterations` and cancellation)
    /// Stop a scale as soon as the loss rises, keeping the image before the rise.
    public var stopOnRise = false
    /// Stop a scale when the loss fell by less than this fraction over the last `tolerance_window`
    /// iterations; 0 disables.
    public var tolerance = 0.0
    /// A share of the loss; a whole one would stop every scale at once.
    public static let toleranceLimit = Limit(0.0...0.99)
    public var toleranceWindow = 20
    public static let toleranceWindowLimit = Limit(1...10_000)

    public init() {}

    /// Throws `LimitError` for the first knob outside its limit (named as its flag, with the range).
    public func validate() throws {
        try Self.sizeLimit.check(size, key: "size")
        try Self.scalesLimit.check(scales, key: "scales")
        try Self.minSizeLimit.check(minSize, key: "min_size")
        try Self.previewSizeLimit.check(previewSize, key: "preview_size")
        try Self.previewWeightLimit.check(previewWeight, key: "preview_weight")
        try Self.iterationsLimit.check(iterations, key: "iterations")
        try Self.iterationsLimit.check(scaleIterations ?? [], key: "scale_iterations")
        try Self.styleScaleLimit.check(styleScale, key: "style_scale")
        if let learningRate { try Self.learningRateLimit.check(learningRate, key: "learning_rate") }
        try Self.historySizeLimit.check(historySize, key: "history_size")
        try Self.betaLimit.check(beta1, key: "beta1")
        try Self.betaLimit.check(beta2, key: "beta2")
        try Self.weightLimit.check(styleLayerWeights ?? [], key: "style_layer_weights")
        try Self.weightLimit.check(styleBlend ?? [], key: "style_blend")
        try Self.weightLimit.check(contentWeight, key: "content_weight")
        try Self.weightLimit.check(styleWeight, key: "style_weight")
        try Self.weightLimit.check(tvWeight, key: "tv_weight")
        try Self.noiseLimit.check(noise, key: "noise")
        try Self.toleranceLimit.check(tolerance, key: "tolerance")
        try Self.toleranceWindowLimit.check(toleranceWindow, key: "tolerance_window")
    }

    public var effectiveLearningRate: Double { learningRate ?? (optimizer == .lbfgs ? 1 : 0.02) }

    /// Refinement scales past `preview_size`: 2× steps up to `size` (none for a single-scale run).
    public var refinementScales: Int {
        guard scales > 1 else { return 0 }
        var side = previewSize, count = 0
        while side < size {
            side *= 2
            count += 1
        }
        return count
    }

    /// Iterations of scale `index` of `count` (the last `refinementScales` of which refine).
    public func iterations(atScale index: Int, of count: Int) -> Int {
        if let scaleIterations { return scaleIterations[index] }
        let preview = count - min(refinementScales, count - 1)
        if index >= preview { return max(1, iterations / 4) }
        return index == preview - 1 ? iterations : max(1, iterations / 2)
    }

    enum CodingKeys: String, CodingKey {
        case size, scales, iterations, optimizer, beta1, beta2, clamp, model, pooling, normalization, noise, seed
        case tolerance
        case minSize = "min_size"
        case previewSize = "preview_size"
        case previewWeight = "preview_weight"
        case maxMemory = "max_memory"
        case restoreDetail = "restore_detail"
        case scaleIterations = "scale_iterations"
        case styleScale = "style_scale"
        case stretchStyle = "stretch_style"
        case learningRate = "learning_rate"
        case historySize = "history_size"
        case lineSearch = "line_search"
        case contentLayers = "content_layers"
        case styleLayers = "style_layers"
        case styleLayerWeights = "style_layer_weights"
        case styleBlend = "style_blend"
        case contentWeight = "content_weight"
        case styleWeight = "style_weight"
        case tvWeight = "tv_weight"
        case colors, tileable
        case styleLoss = "style_loss"
        case styleMasks = "style_masks"
        case contentMask = "content_mask"
        case initialization = "init"
        case stopOnRise = "stop_on_rise"
        case toleranceWindow = "tolerance_window"
    }

    /// Keys older recipes wrote, read and never written.
    private enum LegacyKeys: String, CodingKey {
        case preserveColors = "preserve_colors"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func read<T: Decodable>(_ key: CodingKeys, _ value: inout T) throws {
            if let v = try c.decodeIfPresent(T.self, forKey: key) { value = v }
        }
        try read(.size, &size)
        try read(.scales, &scales)
        try read(.minSize, &minSize)
        try read(.previewSize, &previewSize)
        try read(.previewWeight, &previewWeight)
        try read(.iterations, &iterations)
        try read(.restoreDetail, &restoreDetail)
        scaleIterations = try c.decodeIfPresent([Int].self, forKey: .scaleIterations)
        try read(.styleScale, &styleScale)
        try read(.stretchStyle, &stretchStyle)
        try read(.optimizer, &optimizer)
        learningRate = try c.decodeIfPresent(Double.self, forKey: .learningRate)
        try read(.historySize, &historySize)
        maxMemory = try c.decodeIfPresent(ByteCount.self, forKey: .maxMemory)
        try read(.lineSearch, &lineSearch)
        try read(.beta1, &beta1)
        try read(.beta2, &beta2)
        try read(.clamp, &clamp)
        model = try c.decodeIfPresent(String.self, forKey: .model)
        try read(.pooling, &pooling)
        try read(.contentLayers, &contentLayers)
        try read(.styleLayers, &styleLayers)
        styleLayerWeights = try c.decodeIfPresent([Double].self, forKey: .styleLayerWeights)
        styleBlend = try c.decodeIfPresent([Double].self, forKey: .styleBlend)
        try read(.contentWeight, &contentWeight)
        try read(.styleWeight, &styleWeight)
        try read(.tvWeight, &tvWeight)
        try read(.normalization, &normalization)
        try read(.colors, &colors)
        // An older recipe's `preserve_colors: true` is `colors: content`.
        if try decoder.container(keyedBy: LegacyKeys.self).decodeIfPresent(Bool.self, forKey: .preserveColors) == true {
            colors = .content
        }
        try read(.styleLoss, &styleLoss)
        try read(.tileable, &tileable)
        styleMasks = try c.decodeIfPresent([Int: String].self, forKey: .styleMasks)
        contentMask = try c.decodeIfPresent(String.self, forKey: .contentMask)
        try read(.initialization, &initialization)
        try read(.noise, &noise)
        try read(.seed, &seed)
        try read(.stopOnRise, &stopOnRise)
        try read(.tolerance, &tolerance)
        try read(.toleranceWindow, &toleranceWindow)
    }
}
