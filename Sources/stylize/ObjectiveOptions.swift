import ArgumentParser
import StyleTransfer

/// What the output must match: layers, weights, normalization, colours; the help shows `D`'s defaults.
struct ObjectiveOptions<D: CommandDefaults>: ParsableArguments {
    @Option(help: help("Layers whose features the output keeps from the content, comma-separated (e.g. relu4_2, conv2_1); models without these layers use their own.",
                       default: D.recipe.contentLayers.joined(separator: ",")))
    var contentLayers: String?

    @Option(help: help("Layers whose Gram matrices the output takes from the style, comma-separated; models without these layers use their own.",
                       default: D.recipe.styleLayers.joined(separator: ",")))
    var styleLayers: String?

    @Option(help: help("One weight per style layer, comma-separated, each \(Recipe.weightLimit) (e.g. 1e3/C² for VGG relu1_1…relu5_1: 0.244,0.061,0.015,0.0038,0.0038).",
                       default: "1 for every layer"))
    var styleLayerWeights: String?

    @Option(help: help("One weight per style image, comma-separated; normalised to sum 1.", default: "equal"))
    var styleBlend: String?

    @Option(help: help("Weight of the content term, \(Recipe.weightLimit).", default: D.recipe.contentWeight))
    var contentWeight: Double?

    @Option(help: help("Weight of the style term, \(Recipe.weightLimit).", default: D.recipe.styleWeight))
    var styleWeight: Double?

    @Option(help: help("Weight of the total-variation (smoothness) term, \(Recipe.weightLimit).", default: D.recipe.tvWeight))
    var tvWeight: Double?

    @Option(help: help("Loss scaling: mean (MSE, Gram/(C·H·W)) or paper (½Σ, Σ/(4N²M²)).", default: D.recipe.normalization.rawValue))
    var normalization: Normalization?

    @Option(help: help("Where the colours come from: style (the painting's), content (luminance-only transfer: the photo's "
                       + "colours), luminance (transfer in colour, keep only the result's luminance under the photo's colours), "
                       + "histogram (the style's colours moved to the photo's mean and covariance first).",
                       default: D.recipe.colors.rawValue))
    var colors: ColorMode?

    @Flag(inversion: .prefixedNo, help: help("Transfer luminance only and keep the content's colours (--colors content).",
                                             default: D.recipe.preserveColors))
    var preserveColors: Bool?

    @Option(help: help("What each style layer must match: gram (Gram matrices) or w2 (Wasserstein-2 distance between "
                       + "Gaussians fitted to the features: mean and covariance).", default: D.recipe.styleLoss.rawValue))
    var styleLoss: StyleLoss?

    @Option(name: .customLong("style-mask"), parsing: .singleValue,
            help: ArgumentHelp("Where style N applies: N=MASK.png, N counting the style images from 1; a greyscale picture of any "
                               + "size (white: this style; soft edges blend). Repeat for each style; what no mask covers takes the "
                               + "blend of all styles. For video, a mask clip (.mp4, .webm, …) masks each frame with its own. (default: none)"))
    var styleMasks: [String] = []

    @Option(help: ArgumentHelp("Weights the content term per pixel: a greyscale picture of any size (or, for video, a mask "
                               + "clip), white keeps the photo, black leaves it free to paint. (default: none)"))
    var contentMask: String?

    @Flag(inversion: .prefixedNo, help: help("Make the output wrap around, so copies of it tile without a seam (texture and image).",
                                             default: D.recipe.tileable))
    var tileable: Bool?

    @Option(help: help("Style image long side relative to the output's long side, \(Recipe.styleScaleLimit); the style keeps its aspect ratio.",
                       default: D.recipe.styleScale))
    var styleScale: Double?

    @Flag(help: "Resize the style to exactly the output's shape (squashing it to the output's aspect, ignoring --style-scale), as older versions did. (default: off)")
    var stretchStyle = false

    func apply(to r: inout Recipe) throws {
        if let contentLayers { r.contentLayers = try Parse.names(contentLayers, flag: "--content-layers") }
        if let styleLayers { r.styleLayers = try Parse.names(styleLayers, flag: "--style-layers") }
        if let styleLayerWeights { r.styleLayerWeights = try Parse.numbers(styleLayerWeights, flag: "--style-layer-weights") }
        if let styleBlend { r.styleBlend = try Parse.numbers(styleBlend, flag: "--style-blend") }
        if let contentWeight { r.contentWeight = contentWeight }
        if let styleWeight { r.styleWeight = styleWeight }
        if let tvWeight { r.tvWeight = tvWeight }
        if let normalization { r.normalization = normalization }
        if let preserveColors { r.preserveColors = preserveColors }
        if let colors { r.colors = colors }
        if let styleLoss { r.styleLoss = styleLoss }
        if !styleMasks.isEmpty { r.styleMasks = try Parse.styleMasks(styleMasks) }
        if let contentMask { r.contentMask = contentMask }
        if let tileable { r.tileable = tileable }
        if let styleScale { r.styleScale = styleScale }
        if stretchStyle { r.stretchStyle = true }
    }
}

extension Normalization: ExpressibleByArgument {}
extension ColorMode: ExpressibleByArgument {}
extension StyleLoss: ExpressibleByArgument {}
extension Recipe.OptimizerKind: ExpressibleByArgument {}
extension Recipe.Clamp: ExpressibleByArgument {}

/// Comma-separated flag values.
enum Parse {
    static func names(_ text: String, flag: String) throws -> [String] {
        let names = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !names.isEmpty else { throw ValidationError("\(flag) needs at least one name, e.g. relu4_2") }
        return names
    }

    static func numbers(_ text: String, flag: String) throws -> [Double] {
        try names(text, flag: flag).map {
            guard let v = Double($0) else { throw ValidationError("\(flag): '\($0)' is not a number") }
            return v
        }
    }

    /// `--style-mask N=PATH`, each style at most once.
    static func styleMasks(_ arguments: [String]) throws -> [Int: String] {
        var masks: [Int: String] = [:]
        for argument in arguments {
            let parts = argument.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let n = Int(parts[0]), n >= 1, !parts[1].isEmpty else {
                throw ValidationError("--style-mask \(argument): write N=MASK.png, N the style's number counting from 1")
            }
            guard masks[n] == nil else { throw ValidationError("--style-mask: style \(n) has two masks") }
            masks[n] = parts[1]
        }
        return masks
    }

    static func integers(_ text: String, flag: String) throws -> [Int] {
        try names(text, flag: flag).map {
            guard let v = Int($0) else { throw ValidationError("\(flag): '\($0)' is not a whole number") }
            return v
        }
    }
}
