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
        let k = flipped ? outChannels : inChannels, n = flipped ? inChannels : outChannels
        let u = UnsafeMutablePointer<Float>.allocate(capacity: 36 * k * n)
        Parallel.ranges(outChannels) { range in
            withUnsafeTemporaryAllocation(of: Double.self, capacity: 9 + 18 + 36) { buffer in
                let g = buffer.baseAddress!, gg = g + 9, out = gg + 18
                for o in range {
                    for i in 0..<inChannels {
                        let w = weight + (o * inChannels + i) * 9
                        for t in 0..<9 { g[t] = Double(flipped ? w[8 - t] : w[t]) }
                        for c in 0..<3 { kernelTransform(g + c, 3, into: gg + c, 3) }  // G g: 6×3
                        for r in 0..<6 { kernelTransform(gg + 3 * r, 1, into: out + 6 * r, 1) }  // (G g) Gᵀ: 6×6
                        let (row, col) = flipped ? (o, i) : (i, o)
                        for xi in 0..<36 { u[(xi * k + row) * n + col] = Float(out[xi]) }
                    }
                }
            }
        }
        return u
    }

    /// G applied to three values `s` apart, giving six values `t` apart (in Double: the kernels are transformed once).
    @inline(__always)
    private static func kernelTransform(_ g: UnsafePointer<Double>, _ s: Int, into r: UnsafeMutablePointer<Double>, _ t: Int) {
        let g0 = g[0], g1 = g[s], g2 = g[2 * s]
        r[0] = g0 / 4
        r[t] = -(g0 + g1 + g2) / 6
        r[2 * t] = -(g0 - g1 + g2) / 6
        r[3 * t] = g0 / 24 + g1 / 12 + g2 / 6
        r[4 * t] = g0 / 24 - g1 / 12 + g2 / 6
        r[5 * t] = g2
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
        func workspaceSize(k: Int, n: Int) -> Int {
            (shared ? regionSize(k: k, n: n) : workers * regionSize(k: k, n: n)) + workers * aligned(8 * Winograd.scratchVectors(self))
        }
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
        let perWorker = aligned(8 * scratchVectors(plan)) / 8
        // The scratch is Float workspace memory seen as SIMD8 vectors only for this call, so the workspace stays
        // bound to Float for the next layer.
        (workspace.base + regions * region).withMemoryRebound(to: V8.self, capacity: workers * perWorker) { scratch in
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
                        transformInput(x, k: k, height: height, width: width, plan: plan, tiles: all, blocks: blocks, into: v, scratch: scratch + perWorker * w)
                    }
                    Parallel.run(workers) { w in gemms(v, m, count: plan.tiles, positions: 36 * w / workers ..< 36 * (w + 1) / workers) }
                    Parallel.run(workers) { w in
                        let blocks = n / 8 * w / workers ..< n / 8 * (w + 1) / workers
                        transformOutput(m, n: n, height: height, width: width, plan: plan, tiles: all, blocks: blocks, bias: bias, into: y, scratch: scratch + perWorker * w)
                    }
                } else {
                    Parallel.run(workers) { w in
                        let v = workspace.base + w * region, m = v + aligned(36 * plan.chunkTiles * k), tile = scratch + perWorker * w
                        for chunk in Swift.stride(from: w, to: plan.chunks, by: workers) {
                            let t0 = chunk * plan.chunkTiles, t1 = min(plan.tiles, t0 + plan.chunkTiles)
                            if t0 >= t1 { continue }
                            transformInput(x, k: k, height: height, width: width, plan: plan, tiles: t0..<t1, blocks: 0..<k / 8, into: v, scratch: tile)
                            gemms(v, m, count: t1 - t0, positions: 0..<36)
                            transformOutput(m, n: n, height: height, width: width, plan: plan, tiles: t0..<t1, blocks: 0..<n / 8, bias: bias, into: y, scratch: tile)
                        }
                    }
                }
            }
        }
    }

    /// Per-worker scratch in SIMD8 vectors: the 6×6 working tile, a 6-row input band and a 4-row output band.
    private static func scratchVectors(_ plan: Plan) -> Int { 36 + 6 * (4 * plan.tilesWide + 2) + 4 * 4 * plan.tilesWide }

    /// The tiles of `tiles` as runs within one tile row: (tile row, tile columns).
    @inline(__always)
    private static func forEachRowRun(_ tiles: Range<Int>, _ plan: Plan, _ body: (Int, Range<Int>) -> Void) {
        var t = tiles.lowerBound
        while t < tiles.upperBound {
            let ty = t / plan.tilesWide, end = min(tiles.upperBound, (ty + 1) * plan.tilesWide)
            body(ty, (t - ty * plan.tilesWide)..<(end - ty * plan.tilesWide))
            t = end
        }
    }

    /// V[ξ][t][c] = (Bᵀ d B)[ξ] for the 6×6 input tile d of tile t, channel c.
    /// Eight planes' rows are first interleaved into a band (one pass over the input, sequential per plane), so the
    /// overlapping tiles then load whole SIMD8 vectors instead of gathering each value from eight planes.
    private static func transformInput(
        _ x: UnsafePointer<Float>, k: Int, height: Int, width: Int, plan: Plan, tiles: Range<Int>, blocks: Range<Int>,
        into v: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<V8>
    ) {
        let hw = height * width, stride = plan.chunkTiles * k
        let d = scratch, band = scratch + 36, bandWidth = 4 * plan.tilesWide + 2  // band column j holds x = j − 1
        forEachRowRun(tiles, plan) { ty, columns in
            let first = 4 * columns.lowerBound, last = 4 * columns.upperBound + 2  // band columns used
            for block in blocks {
                let cb = block * 8, plane = x + cb * hw
                for r in 0..<6 {
                    let yy = 4 * ty - 1 + r, row = band + r * bandWidth
                    if yy < 0 || yy >= height {
                        for j in first..<last { row[j] = V8() }
                        continue
                    }
                    let p = plane + yy * width - 1
                    let lo = max(first, 1), hi = min(last, width + 1)
                    for j in first..<min(lo, last) { row[j] = V8() }
                    for j in lo..<max(lo, hi) {
                        row[j] = V8(p[j], p[j + hw], p[j + 2 * hw], p[j + 3 * hw], p[j + 4 * hw], p[j + 5 * hw], p[j + 6 * hw], p[j + 7 * hw])
                    }
                    for j in max(hi, first)..<last { row[j] = V8() }
                }
                for tx in columns {
                    for c in 0..<6 {  // columns: straight from the band
                        let p = band + 4 * tx + c, w = bandWidth
                        let o = inputTransform(p[0], p[w], p[2 * w], p[3 * w], p[4 * w], p[5 * w])
                        d[c] = o.0; d[6 + c] = o.1; d[12 + c] = o.2; d[18 + c] = o.3; d[24 + c] = o.4; d[30 + c] = o.5
                    }
                    let dst = UnsafeMutableRawPointer(v + (ty * plan.tilesWide + tx - tiles.lowerBound) * k + cb), step = stride * 4
                    for r in 0..<6 {  // rows: straight into V
                        let q = d + 6 * r, at = 6 * r * step
                        let o = inputTransform(q[0], q[1], q[2], q[3], q[4], q[5])
                        dst.storeBytes(of: o.0, toByteOffset: at, as: V8.self)
                        dst.storeBytes(of: o.1, toByteOffset: at + step, as: V8.self)
                        dst.storeBytes(of: o.2, toByteOffset: at + 2 * step, as: V8.self)
                        dst.storeBytes(of: o.3, toByteOffset: at + 3 * step, as: V8.self)
                        dst.storeBytes(of: o.4, toByteOffset: at + 4 * step, as: V8.self)
                        dst.storeBytes(of: o.5, toByteOffset: at + 5 * step, as: V8.self)
                    }
                }
            }
        }
    }

    /// y[c][4ty + i][4tx + j] = (Aᵀ M A)[i][j] (+ bias), M the 36 products of tile t, channel c.
    /// Tiles are written into a 4-row band first, then each plane's rows are stored sequentially.
    private static func transformOutput(
        _ m: UnsafePointer<Float>, n: Int, height: Int, width: Int, plan: Plan, tiles: Range<Int>, blocks: Range<Int>,
        bias: UnsafePointer<Float>?, into y: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<V8>
    ) {
        let hw = height * width, stride = plan.chunkTiles * n
        let d = scratch, band = scratch + 36 + 6 * (4 * plan.tilesWide + 2), bandWidth = 4 * plan.tilesWide
        forEachRowRun(tiles, plan) { ty, columns in
            for block in blocks {
                let cb = block * 8
                let b = bias.map { UnsafeRawPointer($0 + cb).loadUnaligned(as: V8.self) } ?? V8()
                for tx in columns {
                    let src = UnsafeRawPointer(m + (ty * plan.tilesWide + tx - tiles.lowerBound) * n + cb), step = stride * 4
                    for c in 0..<6 {  // columns: straight from M
                        func at(_ r: Int) -> V8 { src.load(fromByteOffset: (6 * r + c) * step, as: V8.self) }
                        let o = outputTransform(at(0), at(1), at(2), at(3), at(4), at(5))
                        d[c] = o.0; d[6 + c] = o.1; d[12 + c] = o.2; d[18 + c] = o.3
                    }
                    for r in 0..<4 {  // rows: straight into the band
                        let q = d + 6 * r, out = band + r * bandWidth + 4 * tx
                        let o = outputTransform(q[0], q[1], q[2], q[3], q[4], q[5])
                        out[0] = o.0 + b; out[1] = o.1 + b; out[2] = o.2 + b; out[3] = o.3 + b
                    }
                }
                let x0 = 4 * columns.lowerBound, x1 = min(width, 4 * columns.upperBound)
                for r in 0..<min(4, height - 4 * ty) {
                    let row = band + r * bandWidth, p = y + cb * hw + (4 * ty + r) * width
                    for j in x0..<x1 {
                        let value = row[j]
                        p[j] = value[0]; p[j + hw] = value[1]; p[j + 2 * hw] = value[2]; p[j + 3 * hw] = value[3]
                        p[j + 4 * hw] = value[4]; p[j + 5 * hw] = value[5]; p[j + 6 * hw] = value[6]; p[j + 7 * hw] = value[7]
                    }
                }
            }
        }
    }

    /// Bᵀ applied to six vectors.
    @inline(__always)
    private static func inputTransform(_ d0: V8, _ d1: V8, _ d2: V8, _ d3: V8, _ d4: V8, _ d5: V8) -> (V8, V8, V8, V8, V8, V8) {
        let four: Float = 4, five: Float = 5, two: Float = 2
        let e = d4 - d2, f = d1 + d2
        let r0 = four * d0 - five * d2 + d4
        let r1 = d3 + d4 - four * f
        let r2 = four * (d1 - d2) + (d4 - d3)
        let r3 = two * (d3 - d1) + e
        let r4 = two * (d1 - d3) + e
        let r5 = four * d1 - five * d3 + d5
        return (r0, r1, r2, r3, r4, r5)
    }

    /// Aᵀ applied to six vectors.
    @inline(__always)
    private static func outputTransform(_ d0: V8, _ d1: V8, _ d2: V8, _ d3: V8, _ d4: V8, _ d5: V8) -> (V8, V8, V8, V8) {
        let a = d1 + d2, b = d1 - d2, c = d3 + d4, e = d3 - d4
        let two: Float = 2, four: Float = 4, eight: Float = 8
        return (d0 + a + c, b + two * e, a + four * c, b + eight * e + d5)
    }
}
