import Layers
import TensorCore

/// The full-resolution first block of a VGG-like network (conv, ReLU, conv, ReLU, 2×2 max-pool), run in bands of
/// rows instead of whole maps: at a print's size its three maps of 64 channels are the largest buffers of an
/// evaluation (2.2 GB at 2048×1416), and a band's need only a few rows of halo.
///
/// Forward, band by band: the first convolution and ReLU on the band's rows and a few more (`Band.rows`), the second
/// convolution (exact on the band's own rows, not on its halo), ReLU and pool; the pooled rows and their argmax go
/// into the whole maps that follow the block, and the first ReLU's rows (a tap) are handed over, then dropped. The
/// backward pass needs of the block only the pool's argmax and whether each pooled value is positive (the second
/// ReLU's mask where a gradient can reach it), plus the first ReLU's values, which are recomputed band by band (the
/// first convolution is 2% of the block's cost).
///
/// Banded only when it holds: max pooling, the block as above, a tap past the block, and no tap inside it other
/// than the first ReLU and the pool.
struct PrefixBands: Equatable {
    struct Band: Equatable {
        /// The rows of the block's input (and of its first three maps) this band is exact on and writes.
        var own: Range<Int>
        /// The rows it computes: `own`, 8 more above and 6 below, within the picture. Each convolution needs one row
        /// on each side, but the Winograd kernel makes 4 rows at once from 6 and its rounding depends on all 6: with
        /// the band on the whole picture's 4-row grid and the tiles its own rows read made from real rows, a band's
        /// values are the whole picture's bit for bit (and a tiled or banded run paints the same picture).
        var rows: Range<Int>
    }

    /// Stage indices: the first ReLU, the second ReLU and the pool.
    var firstReLU: Int, secondReLU: Int, pool: Int
    /// Channels of the block's maps.
    var channels: Int
    var bands: [Band]
    /// The largest band's map (the most rows a band computes), which the band buffers are sized for.
    var largest: Shape
    /// The largest band's rows of the picture.
    var largestInput: Shape { Shape(channels: 3, height: largest.height, width: largest.width) }

    /// Floats a band's map holds at most, by default: 64 MB, so that at 2048 columns a band owns 112 rows and its
    /// halo adds 12% to the second convolution (about 1.5% of VGG16's evaluation).
    static let defaultBandFloats = 16 << 20

    /// The bands of `image` for these taps (stage indices) up to stage `depth`, each at most `budget` floats a map;
    /// nil when the block is not banded (see the type's comment) or a band would own fewer than 8 rows.
    init?(layout: Layout, image: Shape, taps: Set<Int>, depth: Int, pooling: Pooling, budget: Int = defaultBandFloats) {
        let stages = layout.stages.map(\.spec)
        guard pooling == .max, stages.count > 5, depth > 4,
              case let .conv(_, 3, c, 3, 1, 1) = stages[0], case .relu = stages[1],
              case let .conv(_, c2, c3, 3, 1, 1) = stages[2], c2 == c, c3 == c, case .relu = stages[3],
              case let .pool(g) = stages[4], g == PoolGeometry(kernel: 2, stride: 2),
              taps.allSatisfy({ $0 == 1 || $0 >= 4 })
        else { return nil }
        let width = image.width, height = image.height
        // Own rows per band: a multiple of 4, at least 8 so the halo stays a fraction, and at most a quarter of the
        // picture, so that bands always hold less than the whole maps (a larger picture never needs less memory).
        let own = min(max(8, (budget / (c * width) - 14) / 4 * 4), (height + 15) / 16 * 4)
        guard height > own, own >= 8, width >= 2 else { return nil }
        firstReLU = 1
        secondReLU = 3
        pool = 4
        channels = c
        bands = stride(from: 0, to: height, by: own).map { start in
            Band(own: start..<min(height, start + own), rows: max(0, start - 8)..<min(height, start + own + 6))
        }
        largest = Shape(channels: c, height: bands.map(\.rows.count).max()!, width: width)
    }

    /// The pooled rows a band owns: its own rows halved (none for an odd last row, which a floor pool drops).
    func pooledRows(_ band: Band, pooledHeight: Int) -> Range<Int> {
        band.own.lowerBound / 2..<min(pooledHeight, (band.own.upperBound + 1) / 2)
    }
}
