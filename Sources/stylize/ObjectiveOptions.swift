import ArgumentParser
import StyleTransfer

/// What the output must match: layers, weights, normalization, colours.
struct ObjectiveOptions: ParsableArguments {
    @Option(help: "Layers whose features the output keeps from the content, comma-separated (e.g. relu4_2, conv2_1).")
    var contentLayers: String?

    @Option(help: "Layers whose Gram matrices the output takes from the style, comma-separated.")
    var styleLayers: String?

    @Option(help: "One weight per style layer, comma-separated (e.g. 1e3/n² per layer: 0.244,0.977,0.061,0.015,0.015).")
    var styleLayerWeights: String?

    @Option(help: "One weight per style image, comma-separated; normalised to sum 1 (default: equal).")
    var styleBlend: String?

    @Option(help: "Weight of the content term.")
    var contentWeight: Double?

    @Option(help: "Weight of the style term.")
    var styleWeight: Double?

    @Option(help: "Weight of the total-variation (smoothness) term.")
    var tvWeight: Double?

    @Option(help: "Loss scaling: mean (MSE, Gram/(C·H·W)) or paper (½Σ, Σ/(4N²M²)).")
    var normalization: Normalization?

    @Flag(inversion: .prefixedNo, help: "Transfer luminance only and keep the content's colours.")
    var preserveColors: Bool?

    @Option(help: "Style image size relative to the output's long side (default: resized to the output size).")
    var styleScale: Double?

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
