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

    @Flag(inversion: .prefixedNo, help: help("Transfer luminance only and keep the content's colours.", default: D.recipe.preserveColors))
    var preserveColors: Bool?

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
        if let styleScale { r.styleScale = styleScale }
        if stretchStyle { r.stretchStyle = true }
    }
}

extension Normalization: ExpressibleByArgument {}
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

    static func integers(_ text: String, flag: String) throws -> [Int] {
        try names(text, flag: flag).map {
            guard let v = Int($0) else { throw ValidationError("\(flag): '\($0)' is not a whole number") }
            return v
        }
    }
}
