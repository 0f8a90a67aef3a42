import Models
import TensorCore

/// The loss of an image: content (features vs the content's at `content_layers`), style (Gram matrices vs
/// the style images' blended Grams at `style_layers`) and total variation, and its gradient, through a
/// `FeatureNetwork`. Targets are computed once, at construction, for one image size.
public final class Objective {
    public let network: FeatureNetwork
    public let shape: Shape
    private let normalization: Normalization
    private let contentWeight, styleWeight, tvWeight: Double
    private let contentLayers: [String]
    private let styleLayers: [String]
    private let styleLayerWeights: [Double]
    private let taps: Set<String>
    private var contentTargets: [String: Tensor] = [:]
    /// Blended target Gram per style layer (C×C).
    private var gramTargets: [String: [Float]] = [:]
    private var gramScratch: [String: [Float]] = [:]
    private var tapGradients: [String: Tensor] = [:]
    /// Extra weighted terms on the pixels, added to the total.
    public var pixelTerms: [PixelTerm] = []

    /// `content` and `styles` must already have their final sizes (the styles' may differ from `shape`).
    public init(network: FeatureNetwork, recipe: Recipe, shape: Shape, content: Tensor?, styles: [Tensor]) throws {
        self.network = network
        self.shape = shape
        normalization = recipe.normalization
        contentWeight = recipe.contentWeight
        styleWeight = recipe.styleWeight
        tvWeight = recipe.tvWeight
        contentLayers = recipe.contentWeight != 0 ? recipe.contentLayers : []
        styleLayers = recipe.styleWeight != 0 ? recipe.styleLayers : []
        let layerWeights = recipe.styleLayerWeights ?? Array(repeating: 1, count: recipe.styleLayers.count)
        guard layerWeights.count == recipe.styleLayers.count else {
            throw EngineError.countMismatch(knob: "style_layer_weights", expected: recipe.styleLayers.count, got: layerWeights.count)
        }
        styleLayerWeights = recipe.styleWeight != 0 ? layerWeights : []
        for name in contentLayers + styleLayers where !network.layerNames.contains(name) {
            throw EngineError.unknownLayer(name, model: network.name, available: network.layerNames)
        }
        taps = Set(contentLayers + styleLayers)

        if !contentLayers.isEmpty {
            guard let content else { throw EngineError.missingContent(reason: "content_weight is not 0") }
            try Self.checkRGB(content)
            let features = try network.forward(content, taps: Set(contentLayers))
            for name in contentLayers { contentTargets[name] = features[name]!.copy() }
        }
        if !styleLayers.isEmpty {
            guard !styles.isEmpty else { throw EngineError.missingStyle(reason: "style_weight is not 0") }
            let blend = recipe.styleBlend ?? Array(repeating: 1, count: styles.count)
            guard blend.count == styles.count else {
                throw EngineError.countMismatch(knob: "style_blend", expected: styles.count, got: blend.count)
            }
            let blendSum = blend.reduce(0, +)
            guard blend.allSatisfy({ $0 >= 0 }), blendSum > 0 else {
                throw EngineError.invalidValue(knob: "style_blend", value: "\(blend)", expected: "weights ≥ 0, not all 0")
            }
            for (style, share) in zip(styles, blend) {
                try Self.checkRGB(style)
                let features = try network.forward(style, taps: Set(styleLayers))
                for name in styleLayers {
                    let f = features[name]!
                    let c = f.shape.channels
                    var gram = [Float](repeating: 0, count: c * c)
                    // Under `paper` the Gram grows with the number of positions: rescale a style image of another
                    // size to the output's (a layer's positions scale with the image area).
                    let positions = f.shape.planeSize
                    var scale = Float(normalization.gramScale(channels: c, positions: positions))
                    if normalization == .paper { scale *= Float(shape.planeSize) / Float(style.shape.planeSize) }
                    gram.withUnsafeMutableBufferPointer { Gram.forward(f, scale: scale, into: $0.baseAddress!) }
                    var target = gramTargets[name] ?? [Float](repeating: 0, count: c * c)
                    let w = Float(share / blendSum)
                    for i in 0..<(c * c) { target[i] += w * gram[i] }
                    gramTargets[name] = target
                    gramScratch[name] = [Float](repeating: 0, count: c * c)
                }
            }
        }
    }

    private static func checkRGB(_ t: Tensor) throws {
        guard t.shape.channels == 3 else { throw EngineError.imageNotRGB(channels: t.shape.channels) }
    }

    /// The losses at `image` (of `shape`); writes ∂total/∂image into `gradient`.
    public func evaluate(_ image: Tensor, gradient: Tensor) throws -> Losses {
        precondition(image.shape == shape && gradient.shape == shape, "objective built for \(shape)")
        var losses = Losses()
        gradient.fill(0)
        if !taps.isEmpty {
            let features = try network.forward(image, taps: taps)
            for name in taps {
                let f = features[name]!
                if tapGradients[name]?.shape != f.shape { tapGradients[name] = Tensor(f.shape) }
                tapGradients[name]!.fill(0)
            }
            for name in contentLayers {
                let e = content(features[name]!, target: contentTargets[name]!, gradient: tapGradients[name]!)
                losses.contentLayers.append(e)
                losses.content += e
            }
            for (name, weight) in zip(styleLayers, styleLayerWeights) {
                let e = weight * style(features[name]!, layer: name, weight: weight, gradient: tapGradients[name]!)
                losses.styleLayers.append(e)
                losses.style += e
            }
            let dImage = network.backward(tapGradients)
            gradient.copy(from: dImage)
        }
        if tvWeight != 0 {
            let k = normalization.tvFactor(elements: shape.count)
            losses.tv = TotalVariation.evaluate(image, factor: k, weight: tvWeight, accumulateInto: gradient)
        }
        losses.total = contentWeight * losses.content + styleWeight * losses.style + tvWeight * losses.tv
        for term in pixelTerms {
            let e = term.evaluate(image, gradient: gradient)
            losses.pixelTerms[term.name] = e
            losses.total += e
        }
        return losses
    }

    /// k·Σ(F − P)²; adds content_weight·2k(F − P) to `gradient`.
    private func content(_ f: Tensor, target p: Tensor, gradient: Tensor) -> Double {
        let k = normalization.contentFactor(elements: f.count)
        let g = Float(2 * k * contentWeight)
        var sum = 0.0
        for i in 0..<f.count {
            let d = f.data[i] - p.data[i]
            sum += Double(d * d)
            gradient.data[i] += g * d
        }
        return k * sum
    }

    /// E = k·Σ(G − A)² for G = s·F·Fᵀ; adds style_weight·weight·∂E/∂F to `gradient`.
    private func style(_ f: Tensor, layer: String, weight: Double, gradient: Tensor) -> Double {
        let c = f.shape.channels, m = f.shape.planeSize
        let s = normalization.gramScale(channels: c, positions: m)
        let k = normalization.styleFactor(channels: c, positions: m)
        var sum = 0.0
        gramTargets[layer]!.withUnsafeBufferPointer { a in
            gramScratch[layer]!.withUnsafeMutableBufferPointer { g in
                Gram.forward(f, scale: Float(s), into: g.baseAddress!)
                for i in 0..<(c * c) {
                    let d = g[i] - a[i]
                    sum += Double(d * d)
                    g[i] = d
                }
                // ∂E/∂G = 2k(G − A).
                Gram.backward(
                    g.baseAddress!, features: f, scale: Float(s), alpha: Float(2 * k * styleWeight * weight),
                    accumulateInto: gradient)
            }
        }
        return k * sum
    }
}
