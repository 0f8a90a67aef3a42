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
/// A `BandingNetwork` streams its full-resolution taps in bands of rows (`TapBands`): their Grams and content
/// targets are summed band by band, and their gradients made band by band in the backward pass.
///
/// Masks (`Guidance`) split the style term into regions, each matched to its own style (`StyleStatistic`), and
/// weigh the content term per position. A `tileable` picture is run as a plan whose windows wrap around it.
public final class Objective {
    public let network: FeatureNetwork
    public let shape: Shape
    public let tiles: TilePlan
    private let normalization: Normalization
    private let contentWeight, styleWeight, tvWeight: Double
    private let styleLoss: StyleLoss
    private let contentLayers: [String]
    private let styleLayers: [String]
    private let styleLayerWeights: [Double]
    private let taps: Set<String>
    /// Each tap's downsampling (1 when untiled: its coordinates are then never offset).
    private let strides: [String: Int]
    /// Whole-picture content features per content layer.
    private var contentTargets: [String: Tensor] = [:]
    /// The content mask over each content layer's whole map (none: every position weighs 1).
    private var contentMasks: [String: [Float]] = [:]
    /// Per style layer, one statistic per region of the output (one, unmasked, without style masks).
    private var statistics: [String: [StyleStatistic]] = [:]
    /// Positions of a tap's gradient (or of a tile's interior, for its Gram) made at a time, and their scratch:
    /// C columns, and for a masked region the masked columns, their product and their mask values.
    static let gradientColumns = 4096
    private var scratch: [Float] = []
    private var maskScratch: [Float] = []
    private let window: Tensor?
    /// Extra weighted terms on the pixels, added to the total.
    public var pixelTerms: [PixelTerm] = []

    /// `content` and `styles` must already have their final sizes (the styles' may differ from `shape`), the
    /// guidance's masks `shape`'s. `tileSize`: tile interiors of about this size (nil: the whole picture at once);
    /// a network that is not one of the known architectures always runs whole pictures, and cannot wrap.
    public init(network: FeatureNetwork, recipe: Recipe, shape: Shape, content: Tensor?, styles: [Tensor],
                tileSize: TilePlan.Size? = nil, guidance: Guidance = Guidance()) throws {
        self.network = network
        self.shape = shape
        normalization = recipe.normalization
        styleLoss = recipe.styleLoss
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
        let wrap = recipe.tileable
        let field = tileSize == nil && !wrap ? nil : network.receptiveField(taps: taps)
        if wrap && field == nil && !taps.isEmpty {
            throw EngineError.invalidValue(knob: "tileable", value: "true",
                                           expected: "a known architecture (\(network.name) is not one)")
        }
        /// The output's plan (and the content's, so its targets are seen as the output is); styles never wrap.
        func plan(_ shape: Shape, wrap: Bool = wrap) -> TilePlan {
            field.map { TilePlan.of(shape, size: tileSize, field: $0, wrap: wrap) } ?? TilePlan(whole: shape)
        }
        tiles = plan(shape)
        strides = field?.strides ?? [:]
        window = tiles.isWhole ? nil : Tensor(tiles.window)
        try guidance.validate(styles: styles.count)
        let tapShapes = network.tapShapes(taps, image: shape) ?? [:]
        /// A mask over a tap's whole map (a network without a layout cannot place one).
        func mask(_ plane: Tensor?, at layer: String) throws -> [Float]? {
            guard let plane else { return nil }
            guard let tap = tapShapes[layer] else {
                throw EngineError.invalidValue(knob: "masks", value: "given",
                                               expected: "a known architecture (\(network.name) is not one)")
            }
            return TensorResize.resize(plane, height: tap.height, width: tap.width, filter: .bilinear).values.map { min(max($0, 0), 1) }
        }
        for name in contentLayers { contentMasks[name] = try mask(guidance.contentMask, at: name) }

        if !contentLayers.isEmpty {
            guard let content else { throw EngineError.missingContent(reason: "content_weight is not 0") }
            try Self.checkRGB(content)
            let plan = plan(content.shape)
            for tile in plan.tiles {
                let features = try forward(content, tile, taps: Set(contentLayers)) { name, band, offset, rows in
                    self.keepContent(band, name, plan: plan, tile: tile, offset: offset, rows: rows)
                }
                for (name, f) in features {
                    if plan.isWhole { contentTargets[name] = f.copy(); continue }
                    keepContent(f, name, plan: plan, tile: tile, offset: 0, rows: 0..<f.shape.height)
                }
            }
        }
        if !styleLayers.isEmpty {
            guard !styles.isEmpty else { throw EngineError.missingStyle(reason: "style_weight is not 0") }
            let blend = recipe.styleBlend ?? Array(repeating: 1, count: styles.count)
            guard blend.count == styles.count else {
                throw EngineError.countMismatch(knob: "style_blend", expected: styles.count, got: blend.count)
            }
            guard blend.allSatisfy({ $0 >= 0 }), blend.reduce(0, +) > 0 else {
                throw EngineError.invalidValue(knob: "style_blend", value: "\(blend)", expected: "weights ≥ 0, not all 0")
            }
            let regions = guidance.regions(styles: styles.count)
            for name in styleLayers {
                statistics[name] = try regions.map { StyleStatistic(mask: try mask($0.mask, at: name)) }
            }
            for (index, style) in styles.enumerated() {
                try Self.checkRGB(style)
                let own = Dictionary(uniqueKeysWithValues: styleLayers.map { ($0, [StyleStatistic(mask: nil)]) })
                try accumulate(of: style, plan(style.shape, wrap: false), taps: Set(styleLayers), into: own)
                for name in styleLayers {
                    for (region, statistic) in zip(regions, statistics[name]!) {
                        guard let k = region.styles.firstIndex(of: index) else { continue }
                        // A masked style's region is that style's whatever its blend weight; the rest blends them all.
                        let shares = region.styles.count == 1 ? [1.0] : region.styles.map { blend[$0] }
                        let total = shares.reduce(0, +)
                        // Under `paper` the Gram grows with the number of positions: rescale a style image of another
                        // size (a region of another area) to the region's (a layer's positions scale with the area).
                        let area = normalization == .paper && styleLoss == .gram
                            ? Double(shape.planeSize) / Double(style.shape.planeSize) * statistic.share : 1
                        statistic.addToTarget(own[name]![0], weight: shares[k] / total * area)
                    }
                }
            }
            if styleLoss == .w2 {
                for statistic in statistics.values.joined() { statistic.prepareW2() }
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
                ? try forward(image, tiles.tiles.last!, taps: taps) : try accumulate(of: image, tiles, taps: taps, into: statistics)
            let whole = Dictionary(uniqueKeysWithValues: taps.map { ($0, wholeShape(tiles, $0, last[$0])) })
            for (name, weight) in zip(styleLayers, styleLayerWeights) {
                let e = weight * statistics[name]!.reduce(0) { $0 + styleDifference($1) }
                losses.styleLayers.append(e)
                losses.style += e
            }
            var contentSums: [String: Double] = [:]
            for (i, tile) in tiles.tiles.enumerated().reversed() {
                let features = i == tiles.tiles.count - 1 ? last : try forward(image, tile, taps: taps)
                for (name, f) in features {
                    contentSums[name, default: 0] += tapGradient(f, layer: name, tile: tile, whole: whole[name]!, offset: 0,
                                                                 rows: 0..<f.shape.height)
                }
                let pixels: Tensor
                if let banding = network as? BandingNetwork {
                    pixels = banding.backward(features, bands: TapBands(features: { _, _, _, _ in }) { name, band, offset, rows in
                        contentSums[name, default: 0] += self.tapGradient(band, layer: name, tile: tile, whole: whole[name]!,
                                                                          offset: offset, rows: rows)
                    })
                } else {
                    pixels = network.backward(features)
                }
                Self.add(pixels, into: gradient, at: tile.window)
            }
            for name in contentLayers {
                let e = normalization.contentFactor(elements: whole[name]!.count) * contentSums[name, default: 0]
                losses.contentLayers.append(e)
                losses.content += e
            }
        }
        if tvWeight != 0 {
            let k = normalization.tvFactor(elements: shape.count)
            losses.tv = TotalVariation.evaluate(image, factor: k, weight: tvWeight, wrap: tiles.wraps, accumulateInto: gradient)
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

    /// Runs the network on `tile` of `image` (the picture itself when it is the only tile). A banding network hands
    /// the taps it streams to `band` (tap, band, offset, rows: see `TapBands.features`) and leaves them out.
    private func forward(_ image: Tensor, _ tile: TilePlan.Tile, taps: Set<String>,
                         band: @escaping (String, Tensor, Int, Range<Int>) -> Void = { _, _, _, _ in }) throws -> [String: Tensor] {
        var input = image
        if tile.window != TilePlan.Rect(y0: 0, y1: image.shape.height, x0: 0, x1: image.shape.width) {
            let shape = Shape(channels: 3, height: tile.window.height, width: tile.window.width)
            // The evaluation's window is kept; the targets' plans (content, styles of other sizes) run once.
            input = window?.shape == shape ? window! : Tensor(shape)
            Self.copy(image, tile.window, into: input)
        }
        guard let banding = network as? BandingNetwork else { return try network.forward(input, taps: taps) }
        return try banding.forward(input, taps: taps, bands: TapBands(features: band, gradient: { _, _, _, _ in }))
    }

    /// Sums `image`'s statistics per style layer and region into `statistics` over `plan`'s interiors (a region's
    /// positions weighted by its mask); returns the last tile's features at `taps`, which the network still holds.
    @discardableResult
    private func accumulate(of image: Tensor, _ plan: TilePlan, taps: Set<String>,
                            into statistics: [String: [StyleStatistic]]) throws -> [String: Tensor] {
        var last: [String: Tensor] = [:], started: Set<String> = []
        let mean = styleLoss == .w2
        func add(_ f: Tensor, _ name: String, tile: TilePlan.Tile, offset: Int, rows: Range<Int>) {
            guard let regions = statistics[name] else { return }
            let c = f.shape.channels, whole = wholeShape(plan, name, offset == 0 && rows.count == f.shape.height ? f : nil)
            if !started.contains(name) {
                started.insert(name)
                for statistic in regions { statistic.begin(channels: c, positions: whole.planeSize) }
            }
            let r = Self.rows(interior(plan, name, tile: tile, whole: whole), offset: offset, rows: rows, height: f.shape.height)
            let origin = self.origin(plan, name, tile: tile, offset: offset)
            for statistic in regions where !statistic.isEmpty {
                let s = scale(of: statistic)
                if let mask = statistic.mask {
                    withMaskedRect(f, r, mask: mask, origin: origin, wholeWidth: whole.width) { columns, weights, n in
                        statistic.accumulate(columns, positions: n, stride: n, scale: s, mean: mean, weights: weights)
                    }
                } else {
                    withRect(f, r) { columns, n, stride in
                        statistic.accumulate(columns, positions: n, stride: stride, scale: s, mean: mean, weights: nil)
                    }
                }
            }
        }
        for tile in plan.tiles {
            last = try forward(image, tile, taps: taps) { name, band, offset, rows in add(band, name, tile: tile, offset: offset, rows: rows) }
            for (name, f) in last { add(f, name, tile: tile, offset: 0, rows: 0..<f.shape.height) }
        }
        return last
    }

    /// Copies a content layer's interior positions among `rows` of `f` (rows `offset`… of the tile's map) into its
    /// whole-picture target.
    private func keepContent(_ f: Tensor, _ name: String, plan: TilePlan, tile: TilePlan.Tile, offset: Int, rows: Range<Int>) {
        let whole = wholeShape(plan, name, nil)
        let target = contentTargets[name] ?? Tensor(whole)
        contentTargets[name] = target
        let r = Self.rows(interior(plan, name, tile: tile, whole: whole), offset: offset, rows: rows, height: f.shape.height)
        let origin = self.origin(plan, name, tile: tile, offset: offset)
        for c in 0..<f.shape.channels {
            for y in r.y0..<r.y1 {
                let from = f.data + (c * f.shape.height + y) * f.shape.width + r.x0
                (target.data + (c * whole.height + origin.y + y) * whole.width + origin.x + r.x0).update(from: from, count: r.width)
            }
        }
    }

    // MARK: Terms

    /// A region's loss at one layer (before the layer's weight), its share of the map times
    /// - `gram`: k·Σ(G − A)² over the complete Gram (from its double sum); leaves G − A in `matrix`;
    /// - `w2`: w·W2²(N(μ, Σ), N(μt, Σt))/C with w = `w2Scale`; leaves ∂/∂S in `matrix` and ∂/∂μ in `meanGradient`, both
    ///   times w/C.
    private func styleDifference(_ statistic: StyleStatistic) -> Double {
        guard !statistic.isEmpty else { return 0 }
        let c = statistic.channels, sums = statistic.sum, target = statistic.target
        switch styleLoss {
        case .gram:
            var sum = 0.0
            statistic.matrix.withUnsafeMutableBufferPointer { g in
                for i in 0..<c {
                    for j in 0..<c {
                        let d = sums[min(i, j) * c + max(i, j)] - target[i * c + j]
                        sum += d * d
                        g[i * c + j] = Float(d)
                    }
                }
            }
            return statistic.share * normalization.styleFactor(channels: c, mass: statistic.mass) * sum
        case .w2:
            var second = [Double](repeating: 0, count: c * c)
            for i in 0..<c {
                for j in i..<c { (second[i * c + j], second[j * c + i]) = (sums[i * c + j], sums[i * c + j]) }
            }
            let d = Wasserstein.distance(mean: statistic.meanSum, secondMoment: second, target: statistic.w2Target!)
            let k = Self.w2Scale / Double(c)
            for i in 0..<c * c { statistic.matrix[i] = Float(k * d.secondMomentGradient[i]) }
            for i in 0..<c { statistic.meanGradient[i] = Float(k * d.meanGradient[i]) }
            return statistic.share * k * d.value
        }
    }

    /// The s a region's sums are scaled by: the Gram's (`Normalization`), or 1/Σm² for W2's moments.
    private func scale(of statistic: StyleStatistic) -> Float {
        Float(styleLoss == .w2 ? 1 / statistic.mass : normalization.gramScale(channels: statistic.channels, mass: statistic.mass))
    }

    /// W2² per channel is about 10⁵ times a layer's Gram loss under `mean`: scaled down so that one `style_weight`
    /// balances content and style about alike for both losses (coffee × The Starry Night at 256 px, the default
    /// recipe: a content loss of 4.7 at the end with W2 at this scale, 2.9 with the Gram, 15 at ten times this scale).
    static let w2Scale = 1e-5

    /// Turns a tap's features `f` (rows `offset`… of the tile's map) into ∂total/∂features in place: content_weight·2k·c(F − P)
    /// at a content layer (c the content mask, 1 without) plus, at a style layer, each region's style_weight·weight·share·∂E/∂F
    /// on the tile's interior positions, 0 on its margin. The network then back-propagates them (the features are spent
    /// by then, and a second map the size of every tap would be the largest buffer of a print). Returns Σc(F − P)² over
    /// the interior positions among `rows` (0 at a style-only layer). The style part reads every feature of the
    /// position, so it is made a few positions at a time in scratch, the content part added there, and the positions
    /// written back.
    private func tapGradient(_ f: Tensor, layer: String, tile: TilePlan.Tile, whole: Shape, offset: Int, rows: Range<Int>) -> Double {
        let c = f.shape.channels, h = f.shape.height, w = f.shape.width, m = f.shape.planeSize
        let full = interior(tiles, layer, tile: tile, whole: whole)
        let r = Self.rows(full, offset: offset, rows: offset..<offset + h, height: h)
        let counted = Self.rows(full, offset: offset, rows: rows, height: h)
        let origin = self.origin(tiles, layer, tile: tile, offset: offset)
        let content = contentLayers.contains(layer) ? contentTargets[layer]! : nil
        let contentMask = contentMasks[layer]
        let contentScale = Float(2 * normalization.contentFactor(elements: whole.count) * contentWeight)
        let weight = zip(styleLayers, styleLayerWeights).first { $0.0 == layer }?.1
        // The margin first: nothing inside the interior reads it.
        for ch in 0..<c {
            for y in 0..<h {
                let row = f.data + ch * m + y * w
                guard (r.y0..<r.y1).contains(y) else { row.update(repeating: 0, count: w); continue }
                row.update(repeating: 0, count: r.x0)
                (row + r.x1).update(repeating: 0, count: w - r.x1)
            }
        }
        // Runs of positions: whole rows at once where the interior spans the map and the whole map alike.
        let linear = r.x0 == 0 && r.x1 == w && origin.x == 0 && whole.width == w
        var runs: [(start: Int, count: Int)] = []
        let chunk = Self.gradientColumns
        if linear {
            for start in stride(from: r.y0 * w, to: r.y1 * w, by: chunk) { runs.append((start, min(chunk, r.y1 * w - start))) }
        } else {
            for y in r.y0..<r.y1 {
                for x in stride(from: r.x0, to: r.x1, by: chunk) { runs.append((y * w + x, min(chunk, r.x1 - x))) }
            }
        }
        if scratch.count < c * chunk { scratch = [Float](repeating: 0, count: c * chunk) }
        let countedRange = counted.y0 * w..<max(counted.y0, counted.y1) * w
        var sum = 0.0
        scratch.withUnsafeMutableBufferPointer { buffer in
            let out = buffer.baseAddress!
            for run in runs {
                let n = run.count, y = run.start / w, x = run.start % w
                // Where the run's positions sit in the whole map (runs are contiguous there too).
                let at = (origin.y + y) * whole.width + origin.x + x
                out.update(repeating: 0, count: c * n)
                if let weight {
                    for statistic in statistics[layer]! where !statistic.isEmpty {
                        styleGradient(statistic, f.data + run.start, stride: m, positions: n, at: at, weight: weight, into: out)
                    }
                }
                let sums = countedRange.clamped(to: run.start..<run.start + n)
                for ch in 0..<c {
                    let row = f.data + ch * m + run.start, o = out + ch * n
                    if let content {
                        let p = content.data + ch * whole.planeSize + at
                        if let contentMask {
                            contentMask.withUnsafeBufferPointer { mask in
                                for i in 0..<n { o[i] += contentScale * mask[at + i] * (row[i] - p[i]) }
                                for i in (sums.lowerBound - run.start)..<(sums.upperBound - run.start) {
                                    let d = row[i] - p[i]
                                    sum += Double(mask[at + i] * d * d)
                                }
                            }
                        } else {
                            for i in 0..<n { o[i] += contentScale * (row[i] - p[i]) }
                            for i in (sums.lowerBound - run.start)..<(sums.upperBound - run.start) {
                                let d = row[i] - p[i]
                                sum += Double(d * d)
                            }
                        }
                    }
                    row.update(from: o, count: n)
                }
            }
        }
        return sum
    }

    /// Adds a region's style gradient at `n` positions (features at `f`, rows `stride` apart; `at` their index in the
    /// whole map) into `out` (C×n): for the Gram 2αs·m·D(m·f), for W2 also αs·m²·∂E/∂μ, with α = style_weight ·
    /// weight · share (the region's loss is share·E), s the statistic's scale and D = ∂E/∂statistic (symmetric).
    private func styleGradient(_ statistic: StyleStatistic, _ f: UnsafePointer<Float>, stride: Int, positions n: Int, at: Int,
                               weight: Double, into out: UnsafeMutablePointer<Float>) {
        let c = statistic.channels, w2 = styleLoss == .w2
        let scale = self.scale(of: statistic)
        let k = w2 ? 1 : 2 * normalization.styleFactor(channels: c, mass: statistic.mass)
        let alpha = Float(k * styleWeight * weight * statistic.share)
        guard let mask = statistic.mask else {
            statistic.matrix.withUnsafeBufferPointer { d in
                Gram.backward(d.baseAddress!, features: f, channels: c, positions: n, featureStride: stride,
                              scale: scale, alpha: alpha, accumulateInto: out, gradientStride: n)
            }
            if w2 {
                for ch in 0..<c {
                    let g = alpha * scale * statistic.meanGradient[ch], o = out + ch * n
                    for i in 0..<n { o[i] += g }
                }
            }
            return
        }
        if maskScratch.count < 2 * c * n { maskScratch = [Float](repeating: 0, count: 2 * c * Self.gradientColumns) }
        maskScratch.withUnsafeMutableBufferPointer { buffer in
            mask.withUnsafeBufferPointer { mask in
                let masked = buffer.baseAddress!, product = masked + c * n, m = mask.baseAddress! + at
                for ch in 0..<c {
                    let from = f + ch * stride, to = masked + ch * n
                    for i in 0..<n { to[i] = m[i] * from[i] }
                }
                product.update(repeating: 0, count: c * n)
                statistic.matrix.withUnsafeBufferPointer { d in
                    Gram.backward(d.baseAddress!, features: masked, channels: c, positions: n, featureStride: n,
                                  scale: scale, alpha: alpha, accumulateInto: product, gradientStride: n)
                }
                for ch in 0..<c {
                    let g = w2 ? alpha * scale * statistic.meanGradient[ch] : 0, p = product + ch * n, o = out + ch * n
                    for i in 0..<n { o[i] += m[i] * (p[i] + m[i] * g) }
                }
            }
        }
    }

    // MARK: Geometry

    /// A tap's whole-picture shape under `plan`: the one tile's own when untiled and whole (any network), else from the
    /// architecture's layout (tiling, wrapping and bands need a known architecture).
    private func wholeShape(_ plan: TilePlan, _ layer: String, _ f: Tensor?) -> Shape {
        if plan.isWhole, let f { return f.shape }
        return network.tapShapes([layer], image: plan.shape)![layer]!
    }

    /// The tile's interior at a tap, in the coordinates of the tile's map (all of it when whole).
    private func interior(_ plan: TilePlan, _ layer: String, tile: TilePlan.Tile, whole: Shape) -> TilePlan.Rect {
        plan.isWhole ? TilePlan.Rect(y0: 0, y1: whole.height, x0: 0, x1: whole.width)
            : plan.tapInterior(tile, stride: strides[layer]!, tapShape: whole)
    }

    /// Where row 0, column 0 of a band starting at row `offset` of the tile's map at a tap lies in the whole map.
    private func origin(_ plan: TilePlan, _ layer: String, tile: TilePlan.Tile, offset: Int) -> (y: Int, x: Int) {
        let s = plan.isWhole ? 1 : strides[layer]!
        return (tile.window.y0 / s + offset, tile.window.x0 / s)
    }

    /// `r` (a map's coordinates) within `rows` of a band whose row 0 is the map's row `offset`, in the band's coordinates.
    private static func rows(_ r: TilePlan.Rect, offset: Int, rows: Range<Int>, height: Int) -> TilePlan.Rect {
        let y0 = max(r.y0, rows.lowerBound, offset) - offset, y1 = min(r.y1, rows.upperBound, offset + height) - offset
        return TilePlan.Rect(y0: y0, y1: max(y0, y1), x0: r.x0, x1: r.x1)
    }

    /// Calls `body` with the positions of rectangle `r` of `f` as C×positions columns and the distance between their
    /// rows: the map itself where `r` spans whole rows, else a few positions at a time copied into the scratch.
    private func withRect(_ f: Tensor, _ r: TilePlan.Rect, _ body: (UnsafePointer<Float>, Int, Int) -> Void) {
        let c = f.shape.channels, w = f.shape.width, m = f.shape.planeSize, chunk = Self.gradientColumns
        if r.x0 == 0 && r.x1 == w { return body(f.data + r.y0 * w, r.height * w, m) }
        if scratch.count < c * chunk { scratch = [Float](repeating: 0, count: c * chunk) }
        scratch.withUnsafeMutableBufferPointer { buffer in
            let out = buffer.baseAddress!, rows = max(1, chunk / max(1, r.width))
            for y0 in stride(from: r.y0, to: r.y1, by: rows) {
                for x0 in stride(from: r.x0, to: r.x1, by: chunk) {
                    let height = min(rows, r.y1 - y0), width = min(chunk, r.x1 - x0), n = height * width
                    for ch in 0..<c {
                        for y in 0..<height {
                            (out + ch * n + y * width).update(from: f.data + ch * m + (y0 + y) * w + x0, count: width)
                        }
                    }
                    body(out, n, n)
                }
            }
        }
    }

    /// Calls `body` with the positions of rectangle `r` of `f`, a few at a time, as C×n columns multiplied by their
    /// mask values, and those values; `mask` covers the whole map (`wholeWidth` wide), where `r`'s corner is at
    /// `origin` + (r.y0, r.x0).
    private func withMaskedRect(_ f: Tensor, _ r: TilePlan.Rect, mask: [Float], origin: (y: Int, x: Int), wholeWidth: Int,
                                _ body: (UnsafePointer<Float>, UnsafePointer<Float>, Int) -> Void) {
        let c = f.shape.channels, w = f.shape.width, m = f.shape.planeSize, chunk = Self.gradientColumns
        if maskScratch.count < (c + 1) * chunk { maskScratch = [Float](repeating: 0, count: 2 * c * chunk) }
        maskScratch.withUnsafeMutableBufferPointer { buffer in
            mask.withUnsafeBufferPointer { mask in
                let weights = buffer.baseAddress!, out = weights + chunk, rows = max(1, chunk / max(1, r.width))
                for y0 in stride(from: r.y0, to: r.y1, by: rows) {
                    for x0 in stride(from: r.x0, to: r.x1, by: chunk) {
                        let height = min(rows, r.y1 - y0), width = min(chunk, r.x1 - x0), n = height * width
                        for y in 0..<height {
                            let from = mask.baseAddress! + (origin.y + y0 + y) * wholeWidth + origin.x + x0
                            (weights + y * width).update(from: from, count: width)
                        }
                        for ch in 0..<c {
                            for y in 0..<height {
                                let from = f.data + ch * m + (y0 + y) * w + x0, to = out + ch * n + y * width, v = weights + y * width
                                for i in 0..<width { to[i] = v[i] * from[i] }
                            }
                        }
                        body(out, weights, n)
                    }
                }
            }
        }
    }

    /// Copies `window` of `source` (which may reach past its edges when the picture wraps: there the picture
    /// repeats) into `target`.
    private static func copy(_ source: Tensor, _ window: TilePlan.Rect, into target: Tensor) {
        let h = source.shape.height, w = source.shape.width
        for c in 0..<source.shape.channels {
            for y in window.y0..<window.y1 {
                let from = source.data + (c * h + (y % h + h) % h) * w
                let to = target.data + (c * target.shape.height + y - window.y0) * target.shape.width
                if window.x0 >= 0 && window.x1 <= w { to.update(from: from + window.x0, count: window.width); continue }
                for x in window.x0..<window.x1 { to[x - window.x0] = from[(x % w + w) % w] }
            }
        }
    }

    /// Adds a window's gradient into the picture's (wrapping around it like `copy`).
    private static func add(_ tile: Tensor, into gradient: Tensor, at r: TilePlan.Rect) {
        if tile.shape == gradient.shape { gradient.copy(from: tile); return }
        let h = gradient.shape.height, w = gradient.shape.width
        for c in 0..<gradient.shape.channels {
            for y in 0..<r.height {
                let from = tile.data + (c * tile.shape.height + y) * tile.shape.width
                let to = gradient.data + (c * h + ((y + r.y0) % h + h) % h) * w
                if r.x0 >= 0 && r.x1 <= w {
                    for x in 0..<r.width { to[x + r.x0] += from[x] }
                } else {
                    for x in 0..<r.width { to[((x + r.x0) % w + w) % w] += from[x] }
                }
            }
        }
    }
}
