import TensorCore

// General 2-D convolution (square kernel K, stride s, zero padding p) by im2col + GEMM.
//   forward:  x Cin×H×W, weight Cout×Cin×K×K (OIHW), bias Cout → y Cout×Ho×Wo,
//             Ho = (H + 2p − K)/s + 1, y = W·col(x) + b
//   backward: dy Cout×Ho×Wo → dx Cin×H×W = col⁻¹(Wᵀ·dy)   (weights frozen: no weight gradient)
// Columns are built a band of output rows at a time so the scratch stays at 4 MB per worker (or one output row's columns, if larger) at any image size;
// a 1×1 stride-1 kernel needs no columns at all.
public final class Conv2d: Convolution {
    public let inChannels: Int
    public let outChannels: Int
    public let kernel: Int
    public let stride: Int
    public let padding: Int
    private let weight: UnsafeMutablePointer<Float>  // Cout × (Cin·K·K), row-major
    private let bias: UnsafeMutablePointer<Float>
    private var pointwise: Bool { kernel == 1 && stride == 1 && padding == 0 }
    /// Target size of one band of columns, in floats.
    private static let bandFloats = 1 << 20

    public init(weight: [Float], bias: [Float], inChannels: Int, outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0) {
        precondition(weight.count == outChannels * inChannels * kernel * kernel && bias.count == outChannels)
        precondition(kernel >= 1 && stride >= 1 && padding >= 0)
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
        self.weight = .allocate(capacity: weight.count)
        self.weight.initialize(from: weight, count: weight.count)
        self.bias = .allocate(capacity: bias.count)
        self.bias.initialize(from: bias, count: bias.count)
    }

    deinit { weight.deallocate(); bias.deallocate() }

    public func outputShape(_ input: Shape) -> Shape {
        Shape(
            channels: outChannels, height: (input.height + 2 * padding - kernel) / stride + 1,
            width: (input.width + 2 * padding - kernel) / stride + 1)
    }

    private func bandRows(_ out: Shape) -> Int { Conv2d.bandRows(columns: inChannels * kernel * kernel, out) }

    private static func bandRows(columns: Int, _ out: Shape) -> Int { max(1, min(out.height, bandFloats / max(1, columns * out.width))) }

    public func workspaceSize(_ input: Shape) -> Int {
        Conv2d.workspaceSize(inChannels: inChannels, kernel: kernel, stride: stride, padding: padding, input: input)
    }

    /// The workspace from the geometry alone, for sizing a network before it is built (`convolutionWorkspaceSize`).
    public static func workspaceSize(inChannels: Int, kernel: Int, stride: Int, padding: Int, input: Shape) -> Int {
        if kernel == 1 && stride == 1 && padding == 0 { return 0 }
        let out = Shape(channels: 1, height: (input.height + 2 * padding - kernel) / stride + 1, width: (input.width + 2 * padding - kernel) / stride + 1)
        return Parallel.workers * aligned(inChannels * kernel * kernel * bandRows(columns: inChannels * kernel * kernel, out) * out.width)
    }

    // Both passes run single-threaded sgemm on every core at once: forward deals bands of output rows round-robin
    // to the cores (each builds its own columns; only the 1×1 case splits the output columns), backward splits the
    // input channels (each core owns the dx planes it scatters into).

    public func forward(_ x: UnsafePointer<Float>, _ input: Shape, into y: UnsafeMutablePointer<Float>, workspace: Workspace) {
        precondition(input.channels == inChannels, "Conv2d: \(input) input for \(inChannels) channels")
        let out = outputShape(input), rows = inChannels * kernel * kernel, workers = Parallel.workers
        Parallel.withSingleThreadedBLAS {
            if pointwise {
                Parallel.ranges(out.planeSize) { r in
                    BLAS.sgemm(m: outChannels, n: r.count, k: inChannels, a: weight, lda: inChannels, b: x + r.lowerBound, ldb: out.planeSize, c: y + r.lowerBound, ldc: out.planeSize)
                }
                return
            }
            precondition(workspace.capacity >= workspaceSize(input), "Conv2d: workspace too small")
            let band = bandRows(out), bands = (out.height + band - 1) / band
            let perWorker = aligned(rows * band * out.width)
            Parallel.run(min(workers, bands)) { w in
                let col = workspace.base + w * perWorker
                for b in Swift.stride(from: w, to: bands, by: workers) {
                    let r0 = b * band, r1 = min(out.height, r0 + band), n = (r1 - r0) * out.width
                    im2col(x, input, out, rows: r0..<r1, channels: 0..<inChannels, into: col)
                    BLAS.sgemm(m: outChannels, n: n, k: rows, a: weight, lda: rows, b: col, ldb: n, c: y + r0 * out.width, ldc: out.planeSize)
                }
            }
        }
        addBias(bias, to: y, channels: outChannels, planeSize: out.planeSize)
    }

    public func backward(_ dy: UnsafePointer<Float>, _ input: Shape, into dx: UnsafeMutablePointer<Float>, workspace: Workspace) {
        precondition(input.channels == inChannels, "Conv2d: \(input) input for \(inChannels) channels")
        let out = outputShape(input), rows = inChannels * kernel * kernel, kk = kernel * kernel
        Parallel.withSingleThreadedBLAS {
            if pointwise {
                Parallel.ranges(out.planeSize) { r in
                    BLAS.sgemm(
                        transA: true, m: inChannels, n: r.count, k: outChannels, a: weight, lda: inChannels, b: dy + r.lowerBound,
                        ldb: out.planeSize, c: dx + r.lowerBound, ldc: out.planeSize)
                }
                return
            }
            precondition(workspace.capacity >= workspaceSize(input), "Conv2d: workspace too small")
            let col = workspace.base, band = bandRows(out)
            for r0 in Swift.stride(from: 0, to: out.height, by: band) {
                let r1 = min(out.height, r0 + band), n = (r1 - r0) * out.width
                Parallel.ranges(inChannels) { channels in
                    if r0 == 0 { (dx + channels.lowerBound * input.planeSize).update(repeating: 0, count: channels.count * input.planeSize) }
                    BLAS.sgemm(
                        transA: true, m: channels.count * kk, n: n, k: outChannels, a: weight + channels.lowerBound * kk, lda: rows,
                        b: dy + r0 * out.width, ldb: out.planeSize, c: col + channels.lowerBound * kk * n, ldc: n)
                    col2imAdd(col, input, out, rows: r0..<r1, channels: channels, into: dx)
                }
            }
        }
    }

    /// col[(c·K + ky)·K + kx][(oy − r0)·Wo + ox] = x[c][oy·s − p + ky][ox·s − p + kx] (0 outside).
    private func im2col(_ x: UnsafePointer<Float>, _ input: Shape, _ out: Shape, rows: Range<Int>, channels: Range<Int>, into col: UnsafeMutablePointer<Float>) {
        let k = kernel, s = stride, p = padding, n = rows.count * out.width
        for c in channels {
            let plane = x + c * input.planeSize
            for ky in 0..<k {
                for kx in 0..<k {
                    var dst = col + ((c * k + ky) * k + kx) * n
                    let (lo, hi) = validOutputs(offset: kx - p, inputSize: input.width, outputSize: out.width)
                    for oy in rows {
                        let iy = oy * s - p + ky
                        if iy < 0 || iy >= input.height {
                            dst.update(repeating: 0, count: out.width)
                        } else {
                            let src = plane + iy * input.width + kx - p
                            for ox in 0..<lo { dst[ox] = 0 }
                            if s == 1 {
                                if hi > lo { (dst + lo).update(from: src + lo, count: hi - lo) }
                            } else {
                                for ox in lo..<hi { dst[ox] = src[ox * s] }
                            }
                            for ox in max(lo, hi)..<out.width { dst[ox] = 0 }
                        }
                        dst += out.width
                    }
                }
            }
        }
    }

    /// dx[c][oy·s − p + ky][ox·s − p + kx] += col[…] — the transpose of `im2col`, for `channels`.
    private func col2imAdd(_ col: UnsafePointer<Float>, _ input: Shape, _ out: Shape, rows: Range<Int>, channels: Range<Int>, into dx: UnsafeMutablePointer<Float>) {
        let k = kernel, s = stride, p = padding, n = rows.count * out.width
        for c in channels {
            let plane = dx + c * input.planeSize
            for ky in 0..<k {
                for kx in 0..<k {
                    var src = col + ((c * k + ky) * k + kx) * n
                    let (lo, hi) = validOutputs(offset: kx - p, inputSize: input.width, outputSize: out.width)
                    for oy in rows {
                        let iy = oy * s - p + ky
                        if iy >= 0 && iy < input.height {
                            let dst = plane + iy * input.width + kx - p
                            for ox in lo..<max(lo, hi) { dst[ox * s] += src[ox] }
                        }
                        src += out.width
                    }
                }
            }
        }
    }

    /// The output columns `lo..<hi` whose input column `ox·s + offset` lies inside `0..<inputSize`.
    private func validOutputs(offset: Int, inputSize: Int, outputSize: Int) -> (Int, Int) {
        let s = stride
        let lo = offset >= 0 ? 0 : (-offset + s - 1) / s
        let hi = min(outputSize, inputSize - offset <= 0 ? 0 : (inputSize - offset - 1) / s + 1)
        return (min(lo, outputSize), hi)
    }
}
