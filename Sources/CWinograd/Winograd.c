// Fused Winograd F(4×4, 3×3) for the 3×3 convolutions of the feature networks, forward and backward-data.
//
// Why C and not Swift SIMD: the micro-kernel must keep TV·NB accumulators in registers and be compiled once per
// instruction set inside one binary. Clang's per-function `target` attribute and vector extensions do exactly
// that from one source (WinogradBody.h, included below once per width); Swift has no per-function target
// features, so an AVX-512 path would need the whole module built for AVX-512 and could not fall back at run time.
#include "CWinograd.h"

#include <stdint.h>
#include <string.h>
#if defined(__x86_64__)
#include <cpuid.h>
#endif

#pragma clang fp contract(fast)

/// Output channels per micro-kernel block, the same for every width so packed kernels serve every width.
#define NB 6
/// Floats per vector and tile vectors per micro-kernel block of each build: TV·NB accumulators plus TV loads
/// and a broadcast fill the 16 (AVX2, SSE2) or 32 (AVX-512) vector registers without spilling.
#define GENERIC_VW 4
#define GENERIC_TV 2
#define AVX2_VW 8
#define AVX2_TV 2
#define AVX512_VW 16
#define AVX512_TV 4
/// Bytes of V and M one block of tiles may take: about the L2 of one core, so the output transform finds M there.
#define BLOCK_BYTES (512 * 1024)
/// Fewest tiles per block: deep layers read 36·K·N kernel values per block, so a block must reuse them enough.
#define MIN_BLOCK 48
/// Input channels per slice of k. A slice's rows of V (every tile in the block) stay in L1 while each channel
/// group's kernel panel passes over them, and the kernels are packed slice by slice, so the panels the products
/// read one after another lie one after another in memory. On a Zen 4 core, VGG19's products at 512² took
/// 0.87-0.95× the time of slices sized by V over group-major panels with AVX-512, 0.73-0.80× with AVX2; slices
/// of 96, 128 or none were within the noise of 64.
#define KSLICE 64

// Lane lists for __builtin_shufflevector: LANES(F, a) is F(a, 0), …, F(a, VW − 1), with LANES set to the width's.
#define LANES4(F, a) F(a, 0), F(a, 1), F(a, 2), F(a, 3)
#define LANES8(F, a) LANES4(F, a), F(a, 4), F(a, 5), F(a, 6), F(a, 7)
#define LANES16(F, a) LANES8(F, a), F(a, 8), F(a, 9), F(a, 10), F(a, 11), F(a, 12), F(a, 13), F(a, 14), F(a, 15)
/// Lane i of two vectors joined, from offset o.
#define CAT(o, i) ((o) + (i))
/// Lane j of phase p of four vectors joined: element 4j + p.
#define SPLIT(p, j) ((p) + 4 * (j))
/// Lane i of the m-th vector of four phase vectors (p·VW + j) interleaved: phase i mod 4, group m·VW/4 + i/4.
#define MERGE(m, i) (((i) % 4) * VW + (m) * VW / 4 + (i) / 4)
static inline int min_int(int a, int b) { return a < b ? a : b; }
static inline int max_int(int a, int b) { return a > b ? a : b; }
static inline int round_up(int a, int b) { return (a + b - 1) / b * b; }
static inline size_t aligned16(size_t n) { return (n + 15) & ~(size_t)15; }

/// How one convolution is cut: blocks of `block` tiles, dealt to the workers in turn; with fewer blocks than
/// workers (deep layers, small maps) every worker takes every block and a share of the output channels instead.
typedef struct {
    int tw, tiles, np, groups, block, blocks, split_channels;
    size_t tp, vs, ms, v_floats, m_floats, p_floats, q_floats, per_worker;
} plan_t;

static plan_t make_plan(int vw, int tv, int k, int n, int h, int w, int workers) {
    plan_t p;
    p.tw = (w + 3) / 4;
    p.tiles = (h + 3) / 4 * p.tw;
    p.np = round_up(n, NB);
    p.groups = p.np / NB;
    int micro = vw * tv, fit = BLOCK_BYTES / (36 * 4 * (k + p.np)) / micro * micro;
    p.block = min_int(max_int(fit, round_up(MIN_BLOCK, micro)), round_up(p.tiles, vw));
    p.blocks = (p.tiles + p.block - 1) / p.block;
    p.split_channels = p.blocks < workers;
    if (!p.split_channels) {  // equal blocks, as many as a multiple of the workers
        int blocks = round_up(p.blocks, workers);
        p.block = round_up((p.tiles + blocks - 1) / blocks, vw);
        p.blocks = (p.tiles + p.block - 1) / p.block;
    }
    // A tile row's last vector may run up to vw − 1 slots past the block.
    p.tp = (size_t)round_up(p.block, vw) + vw;
    int segment = round_up(min_int(p.tw, p.block), vw);
    // Each of the 36 planes of V and M is one cache line longer than its rows: K·tp floats is often a multiple of
    // 4 KB, planes that far apart map to the same L1 sets, and the input transform stores to all 36 per vector.
    p.vs = (size_t)k * p.tp + 16;
    p.ms = (size_t)p.np * p.tp + 16;
    p.v_floats = 36 * p.vs;
    p.m_floats = 36 * p.ms;
    p.p_floats = aligned16(24 * (size_t)(segment + 1));
    p.q_floats = aligned16(16 * (size_t)segment);
    p.per_worker = p.v_floats + p.m_floats + p.p_floats + p.q_floats;
    return p;
}

// The portable build: 4-wide vectors of the baseline target (SSE2, NEON), for CPUs without AVX2.
#define VW GENERIC_VW
#define LANES LANES4
#define TV GENERIC_TV
#define FN(name) name##_generic
#include "WinogradBody.h"
#undef VW
#undef LANES
#undef TV
#undef FN

#if defined(__x86_64__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#define VW AVX2_VW
#define LANES LANES8
#define TV AVX2_TV
#define FN(name) name##_avx2
#include "WinogradBody.h"
#undef VW
#undef LANES
#undef TV
#undef FN
#pragma clang attribute pop

#pragma clang attribute push(__attribute__((target("avx512f,avx512vl,avx512dq,avx512bw,avx2,fma"))), apply_to = function)
#define VW AVX512_VW
#define LANES LANES16
#define TV AVX512_TV
#define FN(name) name##_avx512
#include "WinogradBody.h"
#undef VW
#undef LANES
#undef TV
#undef FN
#pragma clang attribute pop

/// The CPU reports the instructions and the operating system saves the registers they use (XCR0).
static int x86_supports(int isa) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    int fma = (c >> 12) & 1, osxsave = (c >> 27) & 1, avx = (c >> 28) & 1;
    if (!(fma && osxsave && avx)) return 0;
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    int avx2 = (b >> 5) & 1, avx512 = ((b >> 16) & 1) && ((b >> 17) & 1) && ((b >> 30) & 1) && ((b >> 31) & 1);
    if (isa == CWINO_AVX2) return avx2 && (lo & 0x6) == 0x6;
    return avx2 && avx512 && (lo & 0xE6) == 0xE6;
}
#endif

int cwino_supported(int isa) {
    switch (isa) {
    case CWINO_GENERIC: return 1;
#if defined(__x86_64__)
    case CWINO_AVX2:
    case CWINO_AVX512: return x86_supports(isa);
#endif
    default: return 0;
    }
}

size_t cwino_workspace_floats(int isa, int k, int n, int h, int w, int workers) {
    plan_t p = isa == CWINO_AVX512 ? make_plan(AVX512_VW, AVX512_TV, k, n, h, w, workers)
             : isa == CWINO_AVX2   ? make_plan(AVX2_VW, AVX2_TV, k, n, h, w, workers)
                                   : make_plan(GENERIC_VW, GENERIC_TV, k, n, h, w, workers);
    return (size_t)workers * p.per_worker;
}

void cwino_convolve(int isa, const float *x, int k, int h, int w, const float *u, int n, const float *bias, float *y,
                    float *workspace, int worker, int workers) {
    switch (isa) {
#if defined(__x86_64__)
    case CWINO_AVX512: convolve_avx512(x, k, h, w, u, n, bias, y, workspace, worker, workers); return;
    case CWINO_AVX2: convolve_avx2(x, k, h, w, u, n, bias, y, workspace, worker, workers); return;
#endif
    default: convolve_generic(x, k, h, w, u, n, bias, y, workspace, worker, workers); return;
    }
}

size_t cwino_kernel_floats(int k, int n) { return 36 * (size_t)k * round_up(n, NB); }

/// G applied to three values `s` apart, giving six values `t` apart (in double: kernels are transformed once).
static void kernel6(const double *g, int s, double *r, int t) {
    double g0 = g[0], g1 = g[s], g2 = g[2 * s];
    r[0] = g0 / 4;
    r[t] = -(g0 + g1 + g2) / 6;
    r[2 * t] = -(g0 - g1 + g2) / 6;
    r[3 * t] = g0 / 24 + g1 / 12 + g2 / 6;
    r[4 * t] = g0 / 24 - g1 / 12 + g2 / 6;
    r[5 * t] = g2;
}

// U[ξ][slice][group][k][NB], slices of KSLICE input channels (the last may be shorter): the panel of NB output
// channels the micro-kernel broadcasts from, one k after another; a slice's panels one after another.
void cwino_pack_kernels(const float *weight, int cout, int cin, int flipped, float *u, int o0, int o1) {
    int K = flipped ? cout : cin, groups = round_up(flipped ? cin : cout, NB) / NB;
    for (int o = o0; o < o1; o++) {
        for (int i = 0; i < cin; i++) {
            const float *w = weight + ((size_t)o * cin + i) * 9;
            double g[9], gg[18], out[36];
            for (int t = 0; t < 9; t++) g[t] = flipped ? w[8 - t] : w[t];
            for (int c = 0; c < 3; c++) kernel6(g + c, 3, gg + c, 3);       // G g: 6×3
            for (int r = 0; r < 6; r++) kernel6(gg + 3 * r, 1, out + 6 * r, 1);  // (G g) Gᵀ: 6×6
            int k = flipped ? o : i, n = flipped ? i : o;
            int k0 = k / KSLICE * KSLICE, kc = min_int(KSLICE, K - k0);
            size_t at = ((size_t)(n / NB) * kc + k - k0) * NB + n % NB;
            for (int xi = 0; xi < 36; xi++) u[((size_t)xi * K + k0) * groups * NB + at] = (float)out[xi];
        }
    }
}
