import TensorCore

/// What one region of a picture holds at one style layer, summed over the tiles and bands that cover it, and
/// what it must match: the Gram matrix (`gram`), or the mean and second moment a Gaussian is fitted to (`w2`).
///
/// A region weighs each position by its mask m (resized to the layer's map): it sums s·(m·f)(m·f)ᵀ and, for
/// `w2`, s·m·(m·f), with s taken per region so that an all-white mask gives the plain statistic. Its loss counts
/// in proportion to its share of the map (Σm² over the positions), so regions of any size pull alike per pixel.
final class StyleStatistic {
    /// The region's mask over the layer's whole map, row-major (nil: every position, weight 1).
    let mask: [Float]?
    private(set) var channels = 0
    /// Σm² over the map (its positions when unmasked): the positions the statistic averages over.
    private(set) var mass = 0.0
    /// C×C, symmetric: the target Gram (`gram`) or second moment (`w2`), blended from the region's styles; the
    /// target mean (`w2`); and what `Wasserstein` keeps of them.
    var target: [Double] = []
    var targetMean: [Double] = []
    var w2Target: Wasserstein.Target?
    /// The upper triangle of the sum, in double (see `Gram`), and the mean's sum (`w2`).
    private(set) var sum: [Double] = []
    private(set) var meanSum: [Double] = []
    /// SYRK's scratch, then ∂E/∂statistic (G − A for the Gram).
    var matrix: [Float] = []
    /// ∂E/∂mean (`w2`).
    var meanGradient: [Float] = []

    private lazy var maskMass = mask.map { $0.reduce(0.0) { $0 + Double($1 * $1) } }

    init(mask: [Float]?) { self.mask = mask }

    /// A mask that is black at this layer: the region has no positions, no statistic and no loss.
    var isEmpty: Bool { mass <= 0 }

    /// Σm² over the map's positions (1 unmasked): the region's share of the map, known before any sum.
    var share: Double { mask.map { maskMass! / Double(max($0.count, 1)) } ?? 1 }

    /// Keeps what `Wasserstein` needs of the target, once it is complete.
    func prepareW2() {
        w2Target = Wasserstein.Target(mean: targetMean, secondMoment: target, channels: targetMean.count)
    }

    /// Starts a sum over a map of `positions` positions of C channels (the first tile or band of a pass).
    func begin(channels c: Int, positions: Int) {
        if channels != c {
            channels = c
            (sum, meanSum) = ([Double](repeating: 0, count: c * c), [Double](repeating: 0, count: c))
            (matrix, meanGradient) = ([Float](repeating: 0, count: c * c), [Float](repeating: 0, count: c))
        } else {
            sum.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
            meanSum.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        }
        mass = maskMass ?? Double(positions)
    }

    /// Adds `weight` × another statistic's sums (a style's, unmasked) to the target.
    func addToTarget(_ other: StyleStatistic, weight: Double) {
        let c = other.channels
        if target.count != c * c {
            (target, targetMean) = ([Double](repeating: 0, count: c * c), [Double](repeating: 0, count: c))
        }
        for i in 0..<c { for j in i..<c { target[i * c + j] += weight * other.sum[i * c + j] } }
        for i in 0..<c { for j in 0..<i { target[i * c + j] = target[j * c + i] } }
        for i in 0..<c { targetMean[i] += weight * other.meanSum[i] }
    }

    /// Adds `scale`·XXᵀ for the C×`positions` columns X at `columns` (rows `stride` apart; already multiplied by
    /// the mask when there is one), and with `mean`, `scale`·Σ m·x, `weights` holding the columns' mask values.
    func accumulate(_ columns: UnsafePointer<Float>, positions n: Int, stride: Int, scale: Float, mean: Bool,
                    weights: UnsafePointer<Float>?) {
        sum.withUnsafeMutableBufferPointer { sum in
            matrix.withUnsafeMutableBufferPointer { scratch in
                Gram.accumulate(columns, channels: channels, positions: n, featureStride: stride, scale: scale,
                                into: sum.baseAddress!, scratch: scratch.baseAddress!)
            }
        }
        guard mean else { return }
        for ch in 0..<channels {
            let row = columns + ch * stride
            var total = 0.0
            if let weights {
                for i in 0..<n { total += Double(weights[i] * row[i]) }
            } else {
                for i in 0..<n { total += Double(row[i]) }
            }
            meanSum[ch] += Double(scale) * total
        }
    }
}
