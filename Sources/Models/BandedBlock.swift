import Layers
import TensorCore

/// The buffers of a banded first block (`PrefixBands`): the normalised picture (the backward pass recomputes the
/// first convolution from it), a band of it, three band maps, and a band's ReLU mask and argmax.
final class BandBuffers {
    let image: Tensor
    let input: UnsafeMutablePointer<Float>
    let maps: (Tensor, Tensor, Tensor)
    var mask: [UInt8]
    var argmax: [UInt8]
    private let inputTensor: Tensor

    init(_ bands: PrefixBands, image shape: Shape) {
        image = Tensor(shape)
        inputTensor = Tensor(bands.largestInput)
        input = inputTensor.data
        maps = (Tensor(bands.largest), Tensor(bands.largest), Tensor(bands.largest))
        mask = [UInt8](repeating: 0, count: ReLU.maskBytes(bands.largest.count))
        argmax = [UInt8](repeating: 0, count: bands.largest.count / 4)
    }

    var floats: Int { image.count + inputTensor.count + 3 * maps.0.count }
    var recordBytes: Int { mask.count + argmax.count }
}

extension SequentialNetwork {
    /// The first block, band by band, from the normalised picture `x` to the pooled map `y` (whole); `tap` receives
    /// each band of the first ReLU.
    func forwardBands(_ x: UnsafePointer<Float>, _ image: Shape, into y: UnsafeMutablePointer<Float>,
                      tap: ((Tensor, Int, Range<Int>) -> Void)?) {
        let (bands, buffers, first, second, geometry) = block()
        let (a, b, c) = buffers.maps, pooled = shapes[bands.pool], w = image.width
        buffers.image.data.update(from: x, count: image.count)
        for band in bands.bands {
            let input = Shape(channels: 3, height: band.rows.count, width: w)
            let map = Shape(channels: bands.channels, height: band.rows.count, width: w)
            Self.copyRows(x, of: image, band.rows, into: buffers.input, at: 0, of: input)
            first.forward(buffers.input, input, into: a.data, workspace: workspace)
            buffers.mask.withUnsafeMutableBufferPointer { ReLU.forward(a.data, count: map.count, mask: $0.baseAddress!) }
            tap?(Tensor(viewing: a.data, map), band.rows.lowerBound, band.own)
            second.forward(a.data, map, into: b.data, workspace: workspace)
            buffers.mask.withUnsafeMutableBufferPointer { ReLU.forward(b.data, count: map.count, mask: $0.baseAddress!) }
            buffers.argmax.withUnsafeMutableBufferPointer { MaxPool.forward(b.data, map, into: c.data, argmax: $0.baseAddress!, geometry: geometry) }
            // The band's pooled rows past its halo go into the whole map, their argmax into the pool's record.
            let local = geometry.outputShape(map), rows = bands.pooledRows(band, pooledHeight: pooled.height)
            let from = rows.lowerBound - band.rows.lowerBound / 2
            Self.copyRows(c.data, of: local, from..<from + rows.count, into: y, at: rows.lowerBound, of: pooled)
            buffers.argmax.withUnsafeBufferPointer { band in
                records[bands.pool].withUnsafeMutableBufferPointer {
                    Self.copyRows(band.baseAddress!, of: local, from..<from + rows.count, into: $0.baseAddress!, at: rows.lowerBound, of: pooled)
                }
            }
        }
        // What the backward pass needs of the second ReLU: its mask where the pool took a value, that value's sign.
        records[bands.secondReLU].withUnsafeMutableBufferPointer { ReLU.forward(y, count: pooled.count, mask: $0.baseAddress!) }
    }

    /// The first block's backward pass, band by band, from the pooled map's gradient `g` (whole; masked here) to the
    /// normalised picture's, `dx`; `tap` turns each band of the first ReLU into its gradient.
    func backwardBands(_ g: UnsafeMutablePointer<Float>, _ image: Shape, into dx: UnsafeMutablePointer<Float>,
                       tap: ((Tensor, Int, Range<Int>) -> Void)?) {
        let (bands, buffers, first, second, geometry) = block()
        let (a, b, c) = buffers.maps, pooled = shapes[bands.pool], w = image.width
        records[bands.secondReLU].withUnsafeBufferPointer { ReLU.backward(g, mask: $0.baseAddress!, count: pooled.count) }
        for band in bands.bands {
            let input = Shape(channels: 3, height: band.rows.count, width: w)
            let map = Shape(channels: bands.channels, height: band.rows.count, width: w)
            // The pooled rows under the band's rows, halo included: its maps' gradient is then exact on all its rows.
            let local = geometry.outputShape(map), from = band.rows.lowerBound / 2
            Self.copyRows(g, of: pooled, from..<from + local.height, into: c.data, at: 0, of: local)
            buffers.argmax.withUnsafeMutableBufferPointer { band in
                records[bands.pool].withUnsafeBufferPointer {
                    Self.copyRows($0.baseAddress!, of: pooled, from..<from + local.height, into: band.baseAddress!, at: 0, of: local)
                }
            }
            buffers.argmax.withUnsafeBufferPointer { MaxPool.backward(c.data, argmax: $0.baseAddress!, map, into: b.data, geometry: geometry) }
            second.backward(b.data, map, into: c.data, workspace: workspace)
            // The first ReLU again (exact but on the outer rows, which reach none of the band's own).
            Self.copyRows(buffers.image.data, of: image, band.rows, into: buffers.input, at: 0, of: input)
            first.forward(buffers.input, input, into: a.data, workspace: workspace)
            buffers.mask.withUnsafeMutableBufferPointer { ReLU.forward(a.data, count: map.count, mask: $0.baseAddress!) }
            if let tap {
                tap(Tensor(viewing: a.data, map), band.rows.lowerBound, band.own)
                for i in 0..<map.count { c.data[i] += a.data[i] }
            }
            buffers.mask.withUnsafeBufferPointer { ReLU.backward(c.data, mask: $0.baseAddress!, count: map.count) }
            first.backward(c.data, input, into: buffers.input, workspace: workspace)
            let own = band.own.lowerBound - band.rows.lowerBound
            Self.copyRows(buffers.input, of: input, own..<own + band.own.count, into: dx, at: band.own.lowerBound, of: image)
        }
    }

    /// The planned bands, their buffers, the block's two convolutions and its pool.
    private func block() -> (PrefixBands, BandBuffers, Convolution, Convolution, PoolGeometry) {
        guard let bands, let buffers = bandBuffers, case .conv(let first) = stages[0],
              case .conv(let second) = stages[bands.secondReLU - 1], case .pool(let geometry) = stages[bands.pool]
        else { preconditionFailure("\(name): no bands planned") }
        return (bands, buffers, first, second, geometry)
    }

    /// Copies rows `rows` of every channel of `source` (shape `from`) to `target` (shape `to`) from row `row` on: a
    /// map's values, or a max-pool's argmax bytes.
    static func copyRows<T>(_ source: UnsafePointer<T>, of from: Shape, _ rows: Range<Int>,
                            into target: UnsafeMutablePointer<T>, at row: Int, of to: Shape) {
        for ch in 0..<from.channels {
            (target + (ch * to.height + row) * to.width)
                .update(from: source + (ch * from.height + rows.lowerBound) * from.width, count: rows.count * from.width)
        }
    }
}
