import TensorCore

// Winograd F(4×4, 3×3) for a 3×3 kernel, padding 1, stride 1 (Lavin & Gray 2016).
//   Per 4×4 output tile and 6×6 input tile d:  Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A.
//   Summed over input channels, the 36 element-wise products become 36 GEMMs, one per tile position ξ:
//   M[ξ] (tiles × N) = V[ξ] (tiles × K) · U[ξ] (K × N): 36·K·N multiply-adds per tile instead of 144·K·N.
// The same routine runs the backward pass with kernels flipped and transposed (K = Cout, N = Cin).
// Transforms work on eight channels at once (SIMD8) so K and N must be multiples of 8.
// Tiles are cut into chunks; each core takes whole chunks (transform in → 36 GEMMs → transform out) with
// single-threaded BLAS, so the chunk's scratch stays warm in cache and the cores never wait on each other.
// Deep layers have too few tiles for that: there the cores share one chunk, split by channel and by ξ.
enum Winograd {
    typealias V8 = SIMD8<Float>

    /// Transformed kernels U[ξ][k][n] (36·K·N floats). Forward: k = input channel, n = output channel.
    /// `flipped`: the backward kernels, k = output channel, n = input channel, g rotated by 180°.
    static func transformKernels(_ weight: UnsafePointer<Float>, outChannels: Int, inChannels: Int, flipped: Bool) -> UnsafeMutablePointer<Float> {
        let g: [[Double]] = [[0.25, 0, 0], [-1.0 / 6, -1.0 / 6, -1.0 / 6], [-1.0 / 6, 1.0 / 6, -1.0 / 6],
                             [1.0 / 24, 1.0 / 12, 1.0 / 6], [1.0 / 24, -1.0 / 12, 1.0 / 6], [0, 0, 1]]
        let k = flipped ? outChannels : inChannels, n = flipped ? inChannels : outChannels
        let u = UnsafeMutablePointer<Float>.allocate(capacity: 36 * k * n)
        Parallel.ranges(outChannels) { range in
            var kernel = [Double](repeating: 0, count: 9), gg = [Double](repeating: 0, count: 18)
            for o in range {
                for i in 0..<inChannels {
                    let w = weight + (o * inChannels + i) * 9
                    for t in 0..<9 { kernel[t] = Double(flipped ? w[8 - t] : w[t]) }
                    for r in 0..<6 {
                        for c in 0..<3 { gg[r * 3 + c] = g[r][0] * kernel[c] + g[r][1] * kernel[3 + c] + g[r][2] * kernel[6 + c] }
                    }
                    let (row, col) = flipped ? (o, i) : (i, o)
                    for r in 0..<6 {
                        for c in 0..<6 {
                            let v = gg[r * 3] * g[c][0] + gg[r * 3 + 1] * g[c][1] + gg[r * 3 + 2] * g[c][2]
                            u[((r * 6 + c) * k + row) * n + col] = Float(v)
                        }
                    }
                }
            }
        }
        return u
    }

    private struct Plan {
        let tilesHigh: Int, tilesWide: Int, chunkTiles: Int, chunks: Int, workers: Int
        var tiles: Int { tilesHigh * tilesWide }
        /// Few tiles (deep layers): one chunk, and the cores split its transforms by channel and its 36 GEMMs.
        var shared: Bool { chunks == 1 }

        init(height: Int, width: Int) {
            tilesHigh = (height + 3) / 4
            tilesWide = (width + 3) / 4
            workers = Parallel.workers
            let t = tilesHigh * tilesWide
            if t < 128 * workers {
                chunks = 1
            } else {
                // About 192 tiles per GEMM keeps OpenBLAS efficient; a multiple of the workers balances the cores.
                chunks = ((t + 191) / 192 + workers - 1) / workers * workers
            }
            chunkTiles = (t + chunks - 1) / chunks
        }

        func regionSize(k: Int, n: Int) -> Int { aligned(36 * chunkTiles * k) + aligned(36 * chunkTiles * n) }
        func workspaceSize(k: Int, n: Int) -> Int { (shared ? regionSize(k: k, n: n) : workers * regionSize(k: k, n: n)) + workers * 36 * 8 }
    }

    static func workspaceSize(k: Int, n: Int, height: Int, width: Int) -> Int {
        Plan(height: height, width: width).workspaceSize(k: k, n: n)
    }

    /// y (N×H×W) = 3×3 convolution of x (K×H×W) with transformed kernels `u`, plus `bias` if given.
    static func convolve(
        _ x: UnsafePointer<Float>, k: Int, height: Int, width: Int, kernels u: UnsafePointer<Float>, n: Int,
        bias: UnsafePointer<Float>?, into y: UnsafeMutablePointer<Float>, workspace: Workspace
    ) {
        precondition(k % 8 == 0 && n % 8 == 0, "Winograd needs channel counts that are multiples of 8")
        let plan = Plan(height: height, width: width), workers = plan.workers
        precondition(workspace.capacity >= plan.workspaceSize(k: k, n: n), "Winograd: workspace too small")
        let region = plan.regionSize(k: k, n: n), regions = plan.shared ? 1 : workers
        let tiles = UnsafeMutableRawPointer(workspace.base + regions * region).bindMemory(to: V8.self, capacity: workers * 36)
        func gemms(_ v: UnsafePointer<Float>, _ m: UnsafeMutablePointer<Float>, count: Int, positions: Range<Int>) {
            for xi in positions {
                BLAS.sgemm(
                    m: count, n: n, k: k, a: v + xi * plan.chunkTiles * k, lda: k, b: u + xi * k * n, ldb: n,
                    c: m + xi * plan.chunkTiles * n, ldc: n)
            }
        }
        Parallel.withSingleThreadedBLAS {
            if plan.shared {
                let v = workspace.base, m = v + aligned(36 * plan.chunkTiles * k), all = 0..<plan.tiles
                Parallel.run(workers) { w in
                    let blocks = k / 8 * w / workers ..< k / 8 * (w + 1) / workers
                    transformInput(x, k: k, height: height, width: width, plan: plan, tiles: all, blocks: blocks, into: v, tile: tiles + 36 * w)
                }
                Parallel.run(workers) { w in gemms(v, m, count: plan.tiles, positions: 36 * w / workers ..< 36 * (w + 1) / workers) }
                Parallel.run(workers) { w in
                    let blocks = n / 8 * w / workers ..< n / 8 * (w + 1) / workers
                    transformOutput(m, n: n, height: height, width: width, plan: plan, tiles: all, blocks: blocks, bias: bias, into: y, tile: tiles + 36 * w)
                }
            } else {
                Parallel.run(workers) { w in
                    let v = workspace.base + w * region, m = v + aligned(36 * plan.chunkTiles * k), tile = tiles + 36 * w
                    for chunk in Swift.stride(from: w, to: plan.chunks, by: workers) {
                        let t0 = chunk * plan.chunkTiles, t1 = min(plan.tiles, t0 + plan.chunkTiles)
                        if t0 >= t1 { continue }
                        transformInput(x, k: k, height: height, width: width, plan: plan, tiles: t0..<t1, blocks: 0..<k / 8, into: v, tile: tile)
                        gemms(v, m, count: t1 - t0, positions: 0..<36)
                        transformOutput(m, n: n, height: height, width: width, plan: plan, tiles: t0..<t1, blocks: 0..<n / 8, bias: bias, into: y, tile: tile)
                    }
                }
            }
        }
    }

    /// V[ξ][t][c] = (Bᵀ d B)[ξ] for the 6×6 input tile d of tile t, channel c.
    private static func transformInput(
        _ x: UnsafePointer<Float>, k: Int, height: Int, width: Int, plan: Plan, tiles: Range<Int>, blocks: Range<Int>,
        into v: UnsafeMutablePointer<Float>, tile d: UnsafeMutablePointer<V8>
    ) {
        let hw = height * width, stride = plan.chunkTiles * k
        for block in blocks {
            let cb = block * 8
            let plane = x + cb * hw
            for t in tiles {
                let y0 = t / plan.tilesWide * 4 - 1, x0 = t % plan.tilesWide * 4 - 1
                if y0 >= 0 && x0 >= 0 && y0 + 6 <= height && x0 + 6 <= width {
                    let b = plane + y0 * width + x0
                    for r in 0..<6 {
                        for c in 0..<6 {
                            let p = b + r * width + c
                            d[r * 6 + c] = V8(p[0], p[hw], p[2 * hw], p[3 * hw], p[4 * hw], p[5 * hw], p[6 * hw], p[7 * hw])
                        }
                    }
                } else {
                    for r in 0..<6 {
                        let yy = y0 + r
                        for c in 0..<6 {
                            let xx = x0 + c
                            if yy < 0 || yy >= height || xx < 0 || xx >= width { d[r * 6 + c] = V8(); continue }
                            let p = plane + yy * width + xx
                            d[r * 6 + c] = V8(p[0], p[hw], p[2 * hw], p[3 * hw], p[4 * hw], p[5 * hw], p[6 * hw], p[7 * hw])
                        }
                    }
                }
                for c in 0..<6 { inputTransform(d + c, 6) }
                for r in 0..<6 { inputTransform(d + r * 6, 1) }
                let dst = UnsafeMutableRawPointer(v + (t - tiles.lowerBound) * k + cb)
                for xi in 0..<36 { dst.storeBytes(of: d[xi], toByteOffset: xi * stride * 4, as: V8.self) }
            }
        }
    }

    /// y[c][4ty + i][4tx + j] = (Aᵀ M A)[i][j] (+ bias), M the 36 products of tile t, channel c.
    private static func transformOutput(
        _ m: UnsafePointer<Float>, n: Int, height: Int, width: Int, plan: Plan, tiles: Range<Int>, blocks: Range<Int>,
        bias: UnsafePointer<Float>?, into y: UnsafeMutablePointer<Float>, tile d: UnsafeMutablePointer<V8>
    ) {
        let hw = height * width, stride = plan.chunkTiles * n
        for block in blocks {
            let cb = block * 8
            let b = bias.map { UnsafeRawPointer($0 + cb).loadUnaligned(as: V8.self) } ?? V8()
            let plane = y + cb * hw
            for t in tiles {
                let src = UnsafeRawPointer(m + (t - tiles.lowerBound) * n + cb)
                for xi in 0..<36 { d[xi] = src.loadUnaligned(fromByteOffset: xi * stride * 4, as: V8.self) }
                for c in 0..<6 { outputTransform(d + c, 6) }
                for r in 0..<4 { outputTransform(d + r * 6, 1) }
                let y0 = t / plan.tilesWide * 4, x0 = t % plan.tilesWide * 4
                let rows = min(4, height - y0), cols = min(4, width - x0)
                for r in 0..<rows {
                    for c in 0..<cols {
                        let value = d[r * 6 + c] + b
                        let p = plane + (y0 + r) * width + x0 + c
                        p[0] = value[0]; p[hw] = value[1]; p[2 * hw] = value[2]; p[3 * hw] = value[3]
                        p[4 * hw] = value[4]; p[5 * hw] = value[5]; p[6 * hw] = value[6]; p[7 * hw] = value[7]
                    }
                }
            }
        }
    }

    /// Bᵀ applied to six vectors `s` apart, in place.
    @inline(__always)
    private static func inputTransform(_ d: UnsafeMutablePointer<V8>, _ s: Int) {
        let d0 = d[0], d1 = d[s], d2 = d[2 * s], d3 = d[3 * s], d4 = d[4 * s], d5 = d[5 * s]
        let four: Float = 4, five: Float = 5, two: Float = 2
        let e = d4 - d2, f = d1 + d2
        d[0] = four * d0 - five * d2 + d4
        d[s] = d3 + d4 - four * f
        d[2 * s] = four * (d1 - d2) + (d4 - d3)
        d[3 * s] = two * (d3 - d1) + e
        d[4 * s] = two * (d1 - d3) + e
        d[5 * s] = four * d1 - five * d3 + d5
    }

    /// Aᵀ applied to six vectors `s` apart; the four results replace the first four.
    @inline(__always)
    private static func outputTransform(_ d: UnsafeMutablePointer<V8>, _ s: Int) {
        let d1 = d[s], d2 = d[2 * s], d3 = d[3 * s], d4 = d[4 * s]
        let a = d1 + d2, b = d1 - d2, c = d3 + d4, e = d3 - d4
        let two: Float = 2, four: Float = 4, eight: Float = 8
        d[0] = d[0] + a + c
        d[s] = b + two * e
        d[2 * s] = a + four * c
        d[3 * s] = b + eight * e + d[5 * s]
    }
}
