import Models
import TensorCore

/// The loss of an image: content (features vs the content's at `content_layers`), style (Gram matrices vs
/// the style images' blended Grams at `style_layers`) and total variation, and its gradient, through a
/// `FeatureNetwork`. Targets are computed once, at construction, for one image size.
///
/// The network runs on the tiles of a `TilePlan` (one tile, the whole picture, unless a side is given), and the
/// result is the same at any tiling: every tap position belongs to one tile's interior, where the tile sees all
/// the position depends on. Pass 1 sums each style layer's Gram over the interiors; pass 2 runs the tiles again,
/// in reverse, and back-propagates the gradient of the interiors' positions against the complete Grams. The last
/// tile of pass 1 is still in the network, so one tile costs one forward and one backward, as untiled.
public final class Objective {
    public let network: FeatureNetwork
    public let shape: Shape
    public let tiles: TilePlan
    private let normalization: Normalization
    private let contentWeight, styleWeight, tvWeight: Double
    private let contentLayers: [String]
    private let styleLayers: [String]
    private let styleLayerWeights: [Double]
    private let taps: Set<String>
    /// Each tap's downsampling (1 when untiled: its coordinates are then never offset).
    private let strides: [String: Int]
    /// Whole-picture content features per content layer.
    private var contentTargets: [String: Tensor] = [:]
    /// Blended target Gram per style layer (C×C).
    private var gramTargets: [String: [Float]] = [:]
    /// The current Gram per style layer, then its difference from the target; and its sum in double.
    private var grams: [String: [Float]] = [:]
    private var gramSums: [String: [Double]] = [:]
    /// Columns of a tap's style gradient made at a time (untiled), and their scratch.
    static let gradientColumns = 4096
    private var scratch: [Float] = []
    /// A tile's interior features and their gradient, contiguous (tiled runs only).
    private var interiorFeatures: [String: [Float]] = [:]
    private var interiorGradients: [String: [Float]] = [:]
    private let window: Tensor?
    /// Extra weighted terms on the pixels, added to the total.
    public var pixelTerms: [PixelTerm] = []

    /// `content` and `styles` must already have their final sizes (the styles' may differ from `shape`).
    /// `tileSide`: tile interiors of about this many pixels (nil: the whole picture at once); a network that is
    /// not one of the known architectures always runs whole pictures.
    public init(network: FeatureNetwork, recipe: Recipe, shape: Shape, content: Tensor?, styles: [Tensor], tileSide: Int? = nil) throws {
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
        let field = tileSide == nil ? nil : network.receptiveField(taps: taps)
        func plan(_ shape: Shape) -> TilePlan {
            guard let tileSide, let field else { return TilePlan(whole: shape) }
            return TilePlan(shape, side: tileSide, field: field)
        }
        tiles = plan(shape)
        strides = field?.strides ?? [:]
        window = tiles.tiles.count > 1 ? Tensor(tiles.window) : nil

        if !contentLayers.isEmpty {
            guard let content else { throw EngineError.missingContent(reason: "content_weight is not 0") }
            try Self.checkRGB(content)
            let plan = plan(content.shape)
            for tile in plan.tiles {
                let features = try forward(content, tile, taps: Set(contentLayers))
                for name in contentLayers {
                    let f = features[name]!
                    if plan.tiles.count == 1 { contentTargets[name] = f.copy(); continue }
                    let whole = wholeShape(plan, name, f)
                    let target = contentTargets[name] ?? Tensor(whole)
                    contentTargets[name] = target
                    let r = plan.tapInterior(tile, stride: strides[name]!, tapShape: whole), s = strides[name]!
                    Self.copy(f, r, into: target, at: (tile.window.y0 / s + r.y0, tile.window.x0 / s + r.x0))
                }
            }
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
                try accumulateGrams(of: style, plan(style.shape), taps: Set(styleLayers))
                for name in styleLayers {
                    let gram = grams[name]!, count = gram.count
                    // Under `paper` the Gram grows with the number of positions: rescale a style image of another
                    // size to the output's (a layer's positions scale with the image area).
                    let area = normalization == .paper ? Float(shape.planeSize) / Float(style.shape.planeSize) : 1
                    let w = Float(share / blendSum) * area
                    var target = gramTargets[name] ?? [Float](repeating: 0, count: count)
                    for i in 0..<count { target[i] += w * gram[i] }
                    gramTargets[name] = target
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
            // Without style layers pass 1 has nothing to sum: only its last tile is run, for pass 2 to start from.
            let last = styleLayers.isEmpty
                ? try forward(image, tiles.tiles.last!, taps: taps) : try accumulateGrams(of: image, tiles, taps: taps)
            let whole = Dictionary(uniqueKeysWithValues: taps.map { ($0, wholeShape(tiles, $0, last[$0]!)) })
            for (name, weight) in zip(styleLayers, styleLayerWeights) {
                let e = weight * styleDifference(name, positions: whole[name]!.planeSize)
                losses.styleLayers.append(e)
                losses.style += e
            }
            var contentSums = [Double](repeating: 0, count: contentLayers.count)
            for (i, tile) in tiles.tiles.enumerated().reversed() {
                let features = i == tiles.tiles.count - 1 ? last : try forward(image, tile, taps: taps)
                for name in taps {
                    let sum = tapGradient(features[name]!, layer: name, tile: tile, whole: whole[name]!)
                    if let j = contentLayers.firstIndex(of: name) { contentSums[j] += sum }
                }
                Self.add(network.backward(features), into: gradient, at: tile.window)
            }
            for (j, name) in contentLayers.enumerated() {
                let e = normalization.contentFactor(elements: whole[name]!.count) * contentSums[j]
                losses.contentLayers.append(e)
                losses.content += e
            }
        }
        if tvWeight != 0 {
            let k = normalization.tvFactor(elements: shape.count)
            losses.tv = TotalVariation.evaluate(image, factor: k, weight: tvWeight, accumulateInto: gradient)
        }
        losses.total = contentWeight * losses.content + styleWeight * losses.style + tvWeight * losses.tv
        for term in pixelTerms {
            let e = try term.evaluate(image, gradient: gradient)
            losses.pixelTerms[term.name] = e
            losses.total += e
        }
        return losses
    }

    // MARK: Passes over the tiles

    /// Runs the network on `tile` of `image` (the picture itself when it is the only tile).
    private func forward(_ image: Tensor, _ tile: TilePlan.Tile, taps: Set<String>) throws -> [String: Tensor] {
        guard tile.window.height != image.shape.height || tile.window.width != image.shape.width else {
            return try network.forward(image, taps: taps)
        }
        let shape = Shape(channels: 3, height: tile.window.height, width: tile.window.width)
        // The evaluation's window is kept; the targets' plans (content, styles of other sizes) run once.
        let input = window?.shape == shape ? window! : Tensor(shape)
        Self.copy(image, tile.window, into: input, at: (0, 0))
        return try network.forward(input, taps: taps)
    }

    /// Sums `image`'s Gram per style layer into `grams` (both triangles, scaled) over `plan`'s interiors; returns the
    /// last tile's features at `taps`, which the network still holds.
    @discardableResult
    private func accumulateGrams(of image: Tensor, _ plan: TilePlan, taps: Set<String>) throws -> [String: Tensor] {
        var last: [String: Tensor] = [:]
        for (i, tile) in plan.tiles.enumerated() {
            last = try forward(image, tile, taps: taps)
            for name in styleLayers {
                let f = last[name]!, c = f.shape.channels
                let whole = wholeShape(plan, name, f)
                let s = Float(normalization.gramScale(channels: c, positions: whole.planeSize))
                if grams[name]?.count != c * c {
                    grams[name] = [Float](repeating: 0, count: c * c)
                    gramSums[name] = [Double](repeating: 0, count: c * c)
                }
                if i == 0 { gramSums[name]!.withUnsafeMutableBufferPointer { $0.update(repeating: 0) } }
                withInterior(f, name, tile: tile, plan: plan, whole: whole) { features, positions in
                    gramSums[name]!.withUnsafeMutableBufferPointer { sum in
                        grams[name]!.withUnsafeMutableBufferPointer { scratch in
                            Gram.accumulate(features, channels: c, positions: positions, scale: s, into: sum.baseAddress!,
                                            scratch: scratch.baseAddress!)
                        }
                    }
                }
            }
        }
        for name in styleLayers {
            let c = last[name]!.shape.channels
            gramSums[name]!.withUnsafeBufferPointer { sum in
                grams[name]!.withUnsafeMutableBufferPointer { Gram.finish(sum.baseAddress!, channels: c, into: $0.baseAddress!) }
            }
        }
        return last
    }

    // MARK: Terms

    /// E = k·Σ(G − A)² over the complete Gram (G from its double sum); leaves G − A in `grams`.
    private func styleDifference(_ layer: String, positions m: Int) -> Double {
        let target = gramTargets[layer]!, sums = gramSums[layer]!
        let c = Int(Double(target.count).squareRoot())
        var sum = 0.0
        grams[layer]!.withUnsafeMutableBufferPointer { g in
            for i in 0..<c {
                for j in 0..<c {
                    let d = sums[min(i, j) * c + max(i, j)] - Double(target[i * c + j])
                    sum += d * d
                    g[i * c + j] = Float(d)
                }
            }
        }
        return normalization.styleFactor(channels: c, positions: m) * sum
    }

    /// What a tap's gradient is made of: content_weight·2k(F − P) at a content layer (`content` P, `contentScale`
    /// 2k·content_weight) plus style_weight·weight·2k·2s·(G − A)·F at a style layer (`Gram.backward`'s scale and alpha).
    private struct TapTerms {
        var content: Tensor?
        var contentScale: Float
        var style: (scale: Float, alpha: Float)?
    }

    private func terms(_ layer: String, channels c: Int, whole: Shape) -> TapTerms {
        let m = whole.planeSize
        return TapTerms(
            content: contentLayers.contains(layer) ? contentTargets[layer]! : nil,
            contentScale: Float(2 * normalization.contentFactor(elements: whole.count) * contentWeight),
            style: zip(styleLayers, styleLayerWeights).first { $0.0 == layer }.map { _, weight in
                (Float(normalization.gramScale(channels: c, positions: m)),
                 Float(2 * normalization.styleFactor(channels: c, positions: m) * styleWeight * weight))
            })
    }

    /// Turns a tap's features into ∂total/∂features in place, on the tile's interior positions and 0 on its margin;
    /// the network then back-propagates them (the features are spent by then, and a second map the size of every
    /// tap would be the largest buffer of a print). Returns Σ(F − P)² over the interior (0 at a style-only layer).
    private func tapGradient(_ f: Tensor, layer: String, tile: TilePlan.Tile, whole: Shape) -> Double {
        let t = terms(layer, channels: f.shape.channels, whole: whole)
        return tiles.tiles.count == 1 ? wholeGradient(f, layer: layer, t) : tileGradient(f, layer: layer, t, tile: tile, whole: whole)
    }

    /// `tapGradient` of the whole picture's map: the style part reads every feature, so it is made a few columns at a
    /// time in scratch, the content part added there, and the columns written back.
    private func wholeGradient(_ f: Tensor, layer: String, _ t: TapTerms) -> Double {
        let c = f.shape.channels, m = f.shape.planeSize, chunk = Self.gradientColumns
        if scratch.count < c * chunk { scratch = [Float](repeating: 0, count: c * chunk) }
        var sum = 0.0
        scratch.withUnsafeMutableBufferPointer { buffer in
            let out = buffer.baseAddress!
            for start in stride(from: 0, to: m, by: chunk) {
                let w = min(chunk, m - start)
                out.update(repeating: 0, count: c * w)
                if let style = t.style {
                    grams[layer]!.withUnsafeBufferPointer { d in
                        Gram.backward(d.baseAddress!, features: f.data + start, channels: c, positions: w, featureStride: m,
                                      scale: style.scale, alpha: style.alpha, accumulateInto: out, gradientStride: w)
                    }
                }
                for ch in 0..<c {
                    let row = f.data + ch * m + start, o = out + ch * w
                    if let content = t.content {
                        let p = content.data + ch * m + start
                        for x in 0..<w {
                            let d = row[x] - p[x]
                            sum += Double(d * d)
                            o[x] += t.contentScale * d
                        }
                    }
                    row.update(from: o, count: w)
                }
            }
        }
        return sum
    }

    /// `tapGradient` of a tile's window: the style part from a copy of the interior, the content part in place.
    private func tileGradient(_ f: Tensor, layer: String, _ t: TapTerms, tile: TilePlan.Tile, whole: Shape) -> Double {
        let c = f.shape.channels, r = tiles.tapInterior(tile, stride: strides[layer]!, tapShape: whole)
        if let style = t.style {
            withInterior(f, layer, tile: tile, plan: tiles, whole: whole) { features, positions in
                grams[layer]!.withUnsafeBufferPointer { d in
                    interiorGradients[layer]!.withUnsafeMutableBufferPointer { out in
                        out.baseAddress!.update(repeating: 0, count: c * positions)
                        Gram.backward(d.baseAddress!, features: features, channels: c, positions: positions, featureStride: positions,
                                      scale: style.scale, alpha: style.alpha, accumulateInto: out.baseAddress!, gradientStride: positions)
                    }
                }
            }
        }
        let s = strides[layer]!, dy = tile.window.y0 / s, dx = tile.window.x0 / s
        var sum = 0.0
        for ch in 0..<c {
            for y in 0..<f.shape.height {
                let row = f.data + (ch * f.shape.height + y) * f.shape.width
                guard let content = t.content, (r.y0..<r.y1).contains(y) else {
                    row.update(repeating: 0, count: f.shape.width)
                    continue
                }
                let p = content.data + (ch * content.shape.height + y + dy) * content.shape.width + dx
                row.update(repeating: 0, count: r.x0)
                for x in r.x0..<r.x1 {
                    let d = row[x] - p[x]
                    sum += Double(d * d)
                    row[x] = t.contentScale * d
                }
                (row + r.x1).update(repeating: 0, count: f.shape.width - r.x1)
            }
        }
        if t.style != nil { interiorGradients[layer]!.withUnsafeBufferPointer { Self.scatter($0.baseAddress!, r, into: f) } }
        return sum
    }

    // MARK: Geometry

    /// A tap's whole-picture shape under `plan`: the one tile's own when untiled (any network), else from the
    /// architecture's layout (tiling needs a known architecture).
    private func wholeShape(_ plan: TilePlan, _ layer: String, _ f: Tensor) -> Shape {
        plan.tiles.count == 1 ? f.shape : network.tapShapes([layer], image: plan.shape)![layer]!
    }

    /// Calls `body` with the tile's interior features of `layer` as a contiguous C×positions block: the map itself
    /// when the tile is the whole picture, else a copy.
    private func withInterior(
        _ f: Tensor, _ layer: String, tile: TilePlan.Tile, plan: TilePlan, whole: Shape, _ body: (UnsafePointer<Float>, Int) -> Void
    ) {
        if plan.tiles.count == 1 { return body(f.data, f.shape.planeSize) }
        let r = plan.tapInterior(tile, stride: strides[layer]!, tapShape: whole)
        let count = f.shape.channels * r.height * r.width
        if (interiorFeatures[layer]?.count ?? 0) < count {
            interiorFeatures[layer] = [Float](repeating: 0, count: count)
            interiorGradients[layer] = [Float](repeating: 0, count: count)
        }
        interiorFeatures[layer]!.withUnsafeMutableBufferPointer { buffer in
            var o = buffer.baseAddress!
            for c in 0..<f.shape.channels {
                for y in r.y0..<r.y1 {
                    o.update(from: f.data + (c * f.shape.height + y) * f.shape.width + r.x0, count: r.width)
                    o += r.width
                }
            }
            body(buffer.baseAddress!, r.height * r.width)
        }
    }

    /// Adds a contiguous C×(r.height·r.width) block into rectangle `r` of `map` (a layer may be a content layer too).
    private static func scatter(_ block: UnsafePointer<Float>, _ r: TilePlan.Rect, into map: Tensor) {
        var o = block
        for c in 0..<map.shape.channels {
            for y in r.y0..<r.y1 {
                let row = map.data + (c * map.shape.height + y) * map.shape.width + r.x0
                for x in 0..<r.width { row[x] += o[x] }
                o += r.width
            }
        }
    }

    /// Copies rectangle `r` of `source` into `target` with its corner at `origin` (every channel).
    private static func copy(_ source: Tensor, _ r: TilePlan.Rect, into target: Tensor, at origin: (y: Int, x: Int)) {
        for c in 0..<source.shape.channels {
            for y in r.y0..<r.y1 {
                let from = source.data + (c * source.shape.height + y) * source.shape.width + r.x0
                let to = target.data + (c * target.shape.height + y - r.y0 + origin.y) * target.shape.width + origin.x
                to.update(from: from, count: r.width)
            }
        }
    }

    /// Adds a window's gradient into the picture's.
    private static func add(_ tile: Tensor, into gradient: Tensor, at r: TilePlan.Rect) {
        if tile.shape == gradient.shape { gradient.copy(from: tile); return }
        for c in 0..<gradient.shape.channels {
            for y in 0..<r.height {
                let from = tile.data + (c * tile.shape.height + y) * tile.shape.width
                let to = gradient.data + (c * gradient.shape.height + y + r.y0) * gradient.shape.width + r.x0
                for x in 0..<r.width { to[x] += from[x] }
            }
        }
    }
}
