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
    /// Positions of a tap's gradient (or of a tile's interior, for its Gram) made at a time, and their scratch.
    static let gradientColumns = 4096
    private var scratch: [Float] = []
    private let window: Tensor?
    /// Extra weighted terms on the pixels, added to the total.
    public var pixelTerms: [PixelTerm] = []

    /// `content` and `styles` must already have their final sizes (the styles' may differ from `shape`).
    /// `tileSize`: tile interiors of about this size (nil: the whole picture at once); a network that is
    /// not one of the known architectures always runs whole pictures.
    public init(network: FeatureNetwork, recipe: Recipe, shape: Shape, content: Tensor?, styles: [Tensor], tileSize: TilePlan.Size? = nil) throws {
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
        let field = tileSize == nil ? nil : network.receptiveField(taps: taps)
        func plan(_ shape: Shape) -> TilePlan {
            guard let tileSize, let field else { return TilePlan(whole: shape) }
            return TilePlan(shape, size: tileSize, field: field)
        }
        tiles = plan(shape)
        strides = field?.strides ?? [:]
        window = tiles.tiles.count > 1 ? Tensor(tiles.window) : nil

        if !contentLayers.isEmpty {
            guard let content else { throw EngineError.missingContent(reason: "content_weight is not 0") }
            try Self.checkRGB(content)
            let plan = plan(content.shape)
            for tile in plan.tiles {
                let features = try forward(content, tile, taps: Set(contentLayers)) { name, band, offset, rows in
                    self.keepContent(band, name, plan: plan, tile: tile, offset: offset, rows: rows)
                }
                for (name, f) in features {
                    if plan.tiles.count == 1 { contentTargets[name] = f.copy(); continue }
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
            let whole = Dictionary(uniqueKeysWithValues: taps.map { ($0, wholeShape(tiles, $0, last[$0])) })
            for (name, weight) in zip(styleLayers, styleLayerWeights) {
                let e = weight * styleDifference(name, positions: whole[name]!.planeSize)
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

    /// Runs the network on `tile` of `image` (the picture itself when it is the only tile). A banding network hands
    /// the taps it streams to `band` (tap, band, offset, rows: see `TapBands.features`) and leaves them out.
    private func forward(_ image: Tensor, _ tile: TilePlan.Tile, taps: Set<String>,
                         band: @escaping (String, Tensor, Int, Range<Int>) -> Void = { _, _, _, _ in }) throws -> [String: Tensor] {
        var input = image
        if tile.window.height != image.shape.height || tile.window.width != image.shape.width {
            let shape = Shape(channels: 3, height: tile.window.height, width: tile.window.width)
            // The evaluation's window is kept; the targets' plans (content, styles of other sizes) run once.
            input = window?.shape == shape ? window! : Tensor(shape)
            Self.copy(image, tile.window, into: input, at: (0, 0))
        }
        guard let banding = network as? BandingNetwork else { return try network.forward(input, taps: taps) }
        return try banding.forward(input, taps: taps, bands: TapBands(features: band, gradient: { _, _, _, _ in }))
    }

    /// Sums `image`'s Gram per style layer into `grams` (both triangles, scaled) over `plan`'s interiors; returns the
    /// last tile's features at `taps`, which the network still holds.
    @discardableResult
    private func accumulateGrams(of image: Tensor, _ plan: TilePlan, taps: Set<String>) throws -> [String: Tensor] {
        var last: [String: Tensor] = [:], started: Set<String> = []
        func add(_ f: Tensor, _ name: String, tile: TilePlan.Tile, offset: Int, rows: Range<Int>) {
            guard styleLayers.contains(name) else { return }
            let c = f.shape.channels, whole = wholeShape(plan, name, offset == 0 && rows.count == f.shape.height ? f : nil)
            if !started.contains(name) {
                started.insert(name)
                if grams[name]?.count != c * c { grams[name] = [Float](repeating: 0, count: c * c) }
                gramSums[name] = [Double](repeating: 0, count: c * c)
            }
            let s = Float(normalization.gramScale(channels: c, positions: whole.planeSize))
            let r = Self.rows(interior(plan, name, tile: tile, whole: whole), offset: offset, rows: rows, height: f.shape.height)
            withRect(f, r) { features, positions, stride in
                gramSums[name]!.withUnsafeMutableBufferPointer { sum in
                    grams[name]!.withUnsafeMutableBufferPointer { scratch in
                        Gram.accumulate(features, channels: c, positions: positions, featureStride: stride, scale: s,
                                        into: sum.baseAddress!, scratch: scratch.baseAddress!)
                    }
                }
            }
        }
        for tile in plan.tiles {
            last = try forward(image, tile, taps: taps) { name, band, offset, rows in add(band, name, tile: tile, offset: offset, rows: rows) }
            for (name, f) in last { add(f, name, tile: tile, offset: 0, rows: 0..<f.shape.height) }
        }
        for name in styleLayers {
            let c = Int(Double(grams[name]!.count).squareRoot())
            gramSums[name]!.withUnsafeBufferPointer { sum in
                grams[name]!.withUnsafeMutableBufferPointer { Gram.finish(sum.baseAddress!, channels: c, into: $0.baseAddress!) }
            }
        }
        return last
    }

    /// Copies a content layer's interior positions among `rows` of `f` (rows `offset`… of the tile's map) into its
    /// whole-picture target.
    private func keepContent(_ f: Tensor, _ name: String, plan: TilePlan, tile: TilePlan.Tile, offset: Int, rows: Range<Int>) {
        let whole = wholeShape(plan, name, nil), s = plan.tiles.count == 1 ? 1 : strides[name]!
        let target = contentTargets[name] ?? Tensor(whole)
        contentTargets[name] = target
        let r = Self.rows(interior(plan, name, tile: tile, whole: whole), offset: offset, rows: rows, height: f.shape.height)
        Self.copy(f, r, into: target, at: (tile.window.y0 / s + offset + r.y0, tile.window.x0 / s + r.x0))
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

    /// Turns a tap's features `f` (rows `offset`… of the tile's map) into ∂total/∂features in place: content_weight·2k(F − P)
    /// at a content layer plus style_weight·weight·2k·2s·(G − A)·F at a style layer on the tile's interior positions,
    /// 0 on its margin. The network then back-propagates them (the features are spent by then, and a second map
    /// the size of every tap would be the largest buffer of a print). Returns Σ(F − P)² over the interior positions
    /// among `rows` (0 at a style-only layer). The style part reads every feature of the position, so it is made a
    /// few positions at a time in scratch, the content part added there, and the positions written back.
    private func tapGradient(_ f: Tensor, layer: String, tile: TilePlan.Tile, whole: Shape, offset: Int, rows: Range<Int>) -> Double {
        let c = f.shape.channels, h = f.shape.height, w = f.shape.width, m = f.shape.planeSize
        let full = interior(tiles, layer, tile: tile, whole: whole)
        let r = Self.rows(full, offset: offset, rows: offset..<offset + h, height: h)
        let counted = Self.rows(full, offset: offset, rows: rows, height: h)
        let s = tiles.tiles.count == 1 ? 1 : strides[layer]!
        let origin = (y: tile.window.y0 / s + offset, x: tile.window.x0 / s)
        let content = contentLayers.contains(layer) ? contentTargets[layer]! : nil
        let contentScale = Float(2 * normalization.contentFactor(elements: whole.count) * contentWeight)
        let style = zip(styleLayers, styleLayerWeights).first { $0.0 == layer }.map { _, weight in
            (scale: Float(normalization.gramScale(channels: c, positions: whole.planeSize)),
             alpha: Float(2 * normalization.styleFactor(channels: c, positions: whole.planeSize) * styleWeight * weight))
        }
        // The margin first: nothing inside the interior reads it.
        for ch in 0..<c {
            for y in 0..<h {
                let row = f.data + ch * m + y * w
                guard (r.y0..<r.y1).contains(y) else { row.update(repeating: 0, count: w); continue }
                row.update(repeating: 0, count: r.x0)
                (row + r.x1).update(repeating: 0, count: w - r.x1)
            }
        }
        // Runs of positions: whole rows at once where the interior spans the map and the content target alike.
        let linear = r.x0 == 0 && r.x1 == w && origin.x == 0 && (content?.shape.width ?? w) == w
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
                let n = run.count
                out.update(repeating: 0, count: c * n)
                if let style {
                    grams[layer]!.withUnsafeBufferPointer { d in
                        Gram.backward(d.baseAddress!, features: f.data + run.start, channels: c, positions: n, featureStride: m,
                                      scale: style.scale, alpha: style.alpha, accumulateInto: out, gradientStride: n)
                    }
                }
                let y = run.start / w, x = run.start % w
                let sums = countedRange.clamped(to: run.start..<run.start + n)
                for ch in 0..<c {
                    let row = f.data + ch * m + run.start, o = out + ch * n
                    if let content {
                        let p = content.data + (ch * content.shape.height + origin.y + y) * content.shape.width + origin.x + x
                        for i in 0..<n { o[i] += contentScale * (row[i] - p[i]) }
                        for i in (sums.lowerBound - run.start)..<(sums.upperBound - run.start) {
                            let d = row[i] - p[i]
                            sum += Double(d * d)
                        }
                    }
                    row.update(from: o, count: n)
                }
            }
        }
        return sum
    }

    // MARK: Geometry

    /// A tap's whole-picture shape under `plan`: the one tile's own when untiled and whole (any network), else from the
    /// architecture's layout (tiling and bands need a known architecture).
    private func wholeShape(_ plan: TilePlan, _ layer: String, _ f: Tensor?) -> Shape {
        if plan.tiles.count == 1, let f { return f.shape }
        return network.tapShapes([layer], image: plan.shape)![layer]!
    }

    /// The tile's interior at a tap, in the coordinates of the tile's map (all of it when untiled).
    private func interior(_ plan: TilePlan, _ layer: String, tile: TilePlan.Tile, whole: Shape) -> TilePlan.Rect {
        plan.tiles.count == 1 ? TilePlan.Rect(y0: 0, y1: whole.height, x0: 0, x1: whole.width)
            : plan.tapInterior(tile, stride: strides[layer]!, tapShape: whole)
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
