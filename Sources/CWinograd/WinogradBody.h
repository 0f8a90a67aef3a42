// One instruction set's fused Winograd F(4×4, 3×3). Winograd.c includes this file once per instruction set with
//   VW     floats per vector register        TV     tile vectors per micro-kernel block (TV·NB accumulators)
//   FN(x)  the name of x for this instruction set
// so every width runs the same logic. Vectors run across tiles (one lane per 4×4 output tile), never across
// channels: any channel count works, and the packed kernels do not depend on the width.
//
// Per block of tiles, all in the worker's own workspace while it is still in cache:
//   V[ξ][k][slot] = (Bᵀ d B)[ξ]   input transform, written straight in the layout the micro-kernel reads
//   M[ξ][n][slot] = Σ_k V[ξ][k][slot] · U[ξ][k][n]   36 products, register-blocked TV vectors × NB channels
//   y = Aᵀ M A (+ bias)           output transform
// ξ = 6i + j indexes the 6×6 transformed tile (i along y, j along x).

typedef float FN(vf) __attribute__((ext_vector_type(VW)));
typedef float FN(uvf) __attribute__((ext_vector_type(VW), aligned(4)));
typedef float FN(wvf) __attribute__((ext_vector_type(2 * VW)));

#define vf FN(vf)
#define uvf FN(uvf)
#define wvf FN(wvf)
#define LOADU(p) (*(const uvf *)(p))
#define STOREU(p, v) (*(uvf *)(p) = (v))

/// P[ph·count + j] = row[q0 + 4j + ph] for ph < 4, j < count (0 outside the row, or everywhere for a NULL row).
static void FN(split_phases)(const float *restrict row, int W, int q0, int count, float *restrict P) {
    if (!row) {
        memset(P, 0, 4 * (size_t)count * sizeof(float));
        return;
    }
    int lo = min_int(count, q0 < 0 ? 1 : 0), hi = max_int(lo, min_int(count, W - 4 - q0 >= 0 ? (W - 4 - q0) / 4 + 1 : 0));
    int j = lo;
    for (; j + VW <= hi; j += VW) {  // VW groups of four at a time, de-interleaved in registers
        const float *s = row + q0 + 4 * j;
        wvf a = __builtin_shufflevector(LOADU(s), LOADU(s + VW), LANES(CAT, 0), LANES(CAT, VW));
        wvf b = __builtin_shufflevector(LOADU(s + 2 * VW), LOADU(s + 3 * VW), LANES(CAT, 0), LANES(CAT, VW));
        STOREU(P + j, __builtin_shufflevector(a, b, LANES(SPLIT, 0)));
        STOREU(P + count + j, __builtin_shufflevector(a, b, LANES(SPLIT, 1)));
        STOREU(P + 2 * count + j, __builtin_shufflevector(a, b, LANES(SPLIT, 2)));
        STOREU(P + 3 * count + j, __builtin_shufflevector(a, b, LANES(SPLIT, 3)));
    }
    for (; j < hi; j++) {  // the remaining whole groups of four
        const float *s = row + q0 + 4 * j;
        P[j] = s[0], P[count + j] = s[1], P[2 * count + j] = s[2], P[3 * count + j] = s[3];
    }
    for (int end = 0; end < 2; end++)  // the row's two ends: j < lo and j ≥ hi
        for (int j = end ? hi : 0; j < (end ? count : lo); j++)
            for (int ph = 0; ph < 4; ph++) {
                int q = q0 + 4 * j + ph;
                P[ph * count + j] = q >= 0 && q < W ? row[q] : 0.0f;
            }
}

/// dst[x0 + 4j + ph] = Q[ph·qc + j] for j < count, stopping at the row's end W.
static void FN(merge_phases)(const float *restrict Q, int qc, int count, int W, int x0, float *restrict dst) {
    int whole = min_int(count, (W - x0) / 4), j = 0;
    for (; j + VW <= whole; j += VW) {  // VW groups of four at a time, interleaved in registers
        wvf a = __builtin_shufflevector(LOADU(Q + j), LOADU(Q + qc + j), LANES(CAT, 0), LANES(CAT, VW));
        wvf b = __builtin_shufflevector(LOADU(Q + 2 * qc + j), LOADU(Q + 3 * qc + j), LANES(CAT, 0), LANES(CAT, VW));
        float *d = dst + x0 + 4 * j;
        STOREU(d, __builtin_shufflevector(a, b, LANES(MERGE, 0)));
        STOREU(d + VW, __builtin_shufflevector(a, b, LANES(MERGE, 1)));
        STOREU(d + 2 * VW, __builtin_shufflevector(a, b, LANES(MERGE, 2)));
        STOREU(d + 3 * VW, __builtin_shufflevector(a, b, LANES(MERGE, 3)));
    }
    for (; j < whole; j++) {
        float *d = dst + x0 + 4 * j;
        d[0] = Q[j], d[1] = Q[qc + j], d[2] = Q[2 * qc + j], d[3] = Q[3 * qc + j];
    }
    for (int x = x0 + 4 * whole; x < min_int(W, x0 + 4 * count); x++) dst[x] = Q[((x - x0) & 3) * qc + ((x - x0) >> 2)];
}

/// Bᵀ applied to six vectors.
static inline __attribute__((always_inline)) void FN(input6)(const vf d[6], vf r[6]) {
    vf e = d[4] - d[2], f = d[1] + d[2];
    r[0] = 4.0f * d[0] - 5.0f * d[2] + d[4];
    r[1] = d[3] + d[4] - 4.0f * f;
    r[2] = 4.0f * (d[1] - d[2]) + (d[4] - d[3]);
    r[3] = 2.0f * (d[3] - d[1]) + e;
    r[4] = 2.0f * (d[1] - d[3]) + e;
    r[5] = 4.0f * d[1] - 5.0f * d[3] + d[5];
}

/// Aᵀ applied to six vectors.
static inline __attribute__((always_inline)) void FN(output6)(const vf d[6], vf r[4]) {
    vf a = d[1] + d[2], b = d[1] - d[2], c = d[3] + d[4], e = d[3] - d[4];
    r[0] = d[0] + a + c;
    r[1] = b + 2.0f * e;
    r[2] = a + 4.0f * c;
    r[3] = b + 8.0f * e + d[5];
}

/// V for tiles t0..<t1 (slot = t − t0), every input channel. Each input row is first split by x mod 4 into
/// four phase rows (P), so the six values a tile needs from a row sit at the same index of contiguous arrays.
static void FN(transform_in)(const float *x, int K, int H, int W, const plan_t *p, int t0, int t1, float *V, float *P) {
    const size_t hw = (size_t)H * W, tp = p->tp;
    for (int t = t0; t < t1;) {
        int ty = t / p->tw, txa = t - ty * p->tw, nseg = min_int(p->tw - txa, t1 - t), slot = t - t0;
        int nvec = (nseg + VW - 1) / VW, pc = nvec * VW + 1;
        for (int k = 0; k < K; k++) {
            const float *plane = x + k * hw;
            for (int r = 0; r < 6; r++) {
                int yy = 4 * ty - 1 + r;
                FN(split_phases)(yy >= 0 && yy < H ? plane + (size_t)yy * W : NULL, W, 4 * txa - 1, pc, P + 4 * r * pc);
            }
            float *vk = V + (size_t)k * tp + slot;
            for (int j0 = 0; j0 < nvec * VW; j0 += VW) {
                vf rows[6][6];
                for (int r = 0; r < 6; r++) {
                    const float *q = P + 4 * r * pc + j0;
                    vf d[6] = {LOADU(q), LOADU(q + pc), LOADU(q + 2 * pc), LOADU(q + 3 * pc), LOADU(q + 1), LOADU(q + pc + 1)};
                    FN(input6)(d, rows[r]);
                }
                for (int c = 0; c < 6; c++) {
                    vf d[6] = {rows[0][c], rows[1][c], rows[2][c], rows[3][c], rows[4][c], rows[5][c]}, o[6];
                    FN(input6)(d, o);
                    for (int i = 0; i < 6; i++) STOREU(vk + (6 * i + c) * p->vs + j0, o[i]);
                }
            }
        }
        t += nseg;
    }
}

/// m[n][slot] (rows `tp` apart) = Σ_k v[k][slot] · u[k][n] for `tvc` tile vectors and `gc` groups of NB channels
/// (group panels `ug` floats apart in u, NB·tp apart in m), added to m when `accumulate` (a later slice of k).
/// tvc·gc ≤ TV keeps the accumulators in registers; a block with fewer tile vectors than TV takes more groups at
/// once, so its FMAs still have enough independent accumulators to hide their latency.
static inline __attribute__((always_inline)) void FN(micro)(const float *v, size_t tp, const float *u, size_t ug, int K, float *m, int accumulate, const int tvc, const int gc) {
    vf acc[TV][TV * NB];  // room for any tvc × gc; the constants leave only those used, in registers
    for (int t = 0; t < tvc; t++)
        for (int j = 0; j < gc * NB; j++) acc[t][j] = accumulate ? *(const vf *)(m + j * tp + t * VW) : 0.0f;
    for (int k = 0; k < K; k++) {
        vf a[TV];
        for (int t = 0; t < tvc; t++) a[t] = *(const vf *)(v + k * tp + t * VW);
        for (int g = 0; g < gc; g++)
            for (int j = 0; j < NB; j++) {
                vf b = u[g * ug + k * NB + j];
                for (int t = 0; t < tvc; t++) acc[t][g * NB + j] += a[t] * b;
            }
    }
    for (int j = 0; j < gc * NB; j++)
        for (int t = 0; t < tvc; t++) *(vf *)(m + j * tp + t * VW) = acc[t][j];
}

/// The products of channel groups g0..<g1 with the `tvc` tile vectors at v, `gc` groups at a time.
static inline __attribute__((always_inline)) void FN(micro_groups)(const float *v, size_t tp, const float *u, size_t ug, int kc, float *m, int accumulate, int g0, int g1, const int tvc, const int gc) {
    int g = g0;
    for (; g + gc <= g1; g += gc) FN(micro)(v, tp, u + g * ug, ug, kc, m + (size_t)g * NB * tp, accumulate, tvc, gc);
    for (; g < g1; g++) FN(micro)(v, tp, u + g * ug, ug, kc, m + (size_t)g * NB * tp, accumulate, tvc, 1);
}

/// M for channel groups g0..<g1 and `nvec` tile vectors, a slice of k at a time (see KSLICE).
static void FN(products)(const float *V, const float *U, float *M, const plan_t *p, int K, int g0, int g1, int nvec) {
    const size_t tp = p->tp;
    for (int xi = 0; xi < 36; xi++) {
        for (int k0 = 0; k0 < K; k0 += KSLICE) {
            int kc = min_int(KSLICE, K - k0);
            size_t ug = (size_t)kc * NB;
            const float *v = V + xi * p->vs + (size_t)k0 * tp, *u = U + ((size_t)xi * K + k0) * p->groups * NB;
            float *m = M + xi * p->ms;
            int v0 = 0;
            for (; v0 + TV <= nvec; v0 += TV) FN(micro_groups)(v + v0 * VW, tp, u, ug, kc, m + v0 * VW, k0 > 0, g0, g1, TV, 1);
            switch (nvec - v0) {  // the last tile vectors, with as many groups at a time as the registers take
#if TV == 4  // the AVX-512 build; the others hold two tile vectors
            case 3: FN(micro_groups)(v + v0 * VW, tp, u, ug, kc, m + v0 * VW, k0 > 0, g0, g1, 3, 1); break;
            case 2: FN(micro_groups)(v + v0 * VW, tp, u, ug, kc, m + v0 * VW, k0 > 0, g0, g1, 2, 2); break;
#endif
            case 1: FN(micro_groups)(v + v0 * VW, tp, u, ug, kc, m + v0 * VW, k0 > 0, g0, g1, 1, TV); break;
            default: break;
            }
        }
    }
}

/// y for tiles t0..<t1 and channels n0..<n1. Each tile row's results go to sixteen phase rows (Q, by output row
/// and x mod 4), then to y row by row.
static void FN(transform_out)(const float *M, int n0, int n1, int H, int W, const plan_t *p, int t0, int t1, const float *bias, float *y, float *Q) {
    const size_t hw = (size_t)H * W, tp = p->tp;
    for (int t = t0; t < t1;) {
        int ty = t / p->tw, txa = t - ty * p->tw, nseg = min_int(p->tw - txa, t1 - t), slot = t - t0;
        int nvec = (nseg + VW - 1) / VW, qc = nvec * VW;
        for (int n = n0; n < n1; n++) {
            vf b = bias ? bias[n] : 0.0f;
            const float *mn = M + (size_t)n * tp + slot;
            for (int j0 = 0; j0 < qc; j0 += VW) {
                vf s[4][6];
                for (int c = 0; c < 6; c++) {
                    vf m[6], o[4];
                    for (int r = 0; r < 6; r++) m[r] = LOADU(mn + (6 * r + c) * p->ms + j0);
                    FN(output6)(m, o);
                    for (int i = 0; i < 4; i++) s[i][c] = o[i];
                }
                for (int i = 0; i < 4; i++) {
                    vf o[4];
                    FN(output6)(s[i], o);
                    for (int j = 0; j < 4; j++) STOREU(Q + (4 * i + j) * qc + j0, o[j] + b);
                }
            }
            for (int i = 0; i < 4 && 4 * ty + i < H; i++)
                FN(merge_phases)(Q + 4 * i * qc, qc, nseg, W, 4 * txa, y + n * hw + (size_t)(4 * ty + i) * W);
        }
        t += nseg;
    }
}

static void FN(convolve)(const float *x, int K, int H, int W, const float *U, int N, const float *bias, float *y, float *ws, int worker, int workers) {
    plan_t p = make_plan(VW, TV, K, N, H, W, workers);
    float *V = ws + (size_t)worker * p.per_worker, *M = V + p.v_floats, *P = M + p.m_floats, *Q = P + p.p_floats;
    int g0 = 0, g1 = p.groups, b0 = worker, step = workers;
    if (p.split_channels) {
        g0 = p.groups * worker / workers, g1 = p.groups * (worker + 1) / workers, b0 = 0, step = 1;
        if (g0 == g1) return;
    }
    for (int b = b0; b < p.blocks; b += step) {
        int t0 = b * p.block, t1 = min_int(p.tiles, t0 + p.block);
        FN(transform_in)(x, K, H, W, &p, t0, t1, V, P);
        FN(products)(V, U, M, &p, K, g0, g1, (t1 - t0 + VW - 1) / VW);
        FN(transform_out)(M, g0 * NB, min_int(N, g1 * NB), H, W, &p, t0, t1, bias, y, Q);
    }
}

#undef vf
#undef uvf
#undef wvf
#undef LOADU
#undef STOREU
