// Half-precision storage for long float vectors: the L-BFGS curvature pairs a memory budget keeps compact.
//
// Why C: the F16C conversions (8 halves ⇄ 8 floats in one instruction) need a per-function target attribute to
// be chosen at run time; Swift's Float16 conversions compile to a library call per value without it. Both paths
// round to nearest even, so a vector encodes to the same bits on every machine.
#include "CHalfVector.h"

#include <math.h>
#include <string.h>
#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#endif

static float max_abs(const float *x, long n) {
    float m = 0;
    for (long i = 0; i < n; i++) m = fmaxf(m, fabsf(x[i]));
    return m;
}

static void encode_generic(const float *x, uint16_t *h, long n, float inverse) {
    for (long i = 0; i < n; i++) {
        _Float16 v = (_Float16)(x[i] * inverse);
        memcpy(h + i, &v, 2);
    }
}

static float decode_one(uint16_t bits) {
    _Float16 v;
    memcpy(&v, &bits, 2);
    return (float)v;
}

static double dot_generic(const uint16_t *h, const float *q, long n) {
    double s = 0;
    for (long i = 0; i < n; i++) s += (double)decode_one(h[i]) * (double)q[i];
    return s;
}

static void axpy_generic(float a, const uint16_t *h, float *q, long n) {
    for (long i = 0; i < n; i++) q[i] += a * decode_one(h[i]);
}

#if defined(__x86_64__)
/// F16C, FMA and AVX, with the operating system saving the YMM registers.
static int f16c_supported(void) {
    static int known = -1;
    if (known >= 0) return known;
    unsigned a, b, c, d;
    known = 0;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return known;
    if (!((c >> 12) & 1) || !((c >> 27) & 1) || !((c >> 28) & 1) || !((c >> 29) & 1)) return known;
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    known = (lo & 0x6) == 0x6;
    return known;
}

__attribute__((target("avx,f16c")))
static void encode_f16c(const float *x, uint16_t *h, long n, float inverse) {
    long i = 0;
    __m256 k = _mm256_set1_ps(inverse);
    for (; i + 8 <= n; i += 8) {
        __m128i v = _mm256_cvtps_ph(_mm256_mul_ps(_mm256_loadu_ps(x + i), k), _MM_FROUND_TO_NEAREST_INT);
        _mm_storeu_si128((__m128i *)(h + i), v);
    }
    encode_generic(x + i, h + i, n - i, inverse);
}

__attribute__((target("avx,fma,f16c")))
static double dot_f16c(const uint16_t *h, const float *q, long n) {
    __m256d s0 = _mm256_setzero_pd(), s1 = _mm256_setzero_pd();
    long i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 v = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(h + i)));
        __m256 w = _mm256_loadu_ps(q + i);
        s0 = _mm256_fmadd_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(v)), _mm256_cvtps_pd(_mm256_castps256_ps128(w)), s0);
        s1 = _mm256_fmadd_pd(_mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)), _mm256_cvtps_pd(_mm256_extractf128_ps(w, 1)), s1);
    }
    double lanes[4];
    _mm256_storeu_pd(lanes, _mm256_add_pd(s0, s1));
    return (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]) + dot_generic(h + i, q + i, n - i);
}

__attribute__((target("avx,fma,f16c")))
static void axpy_f16c(float a, const uint16_t *h, float *q, long n) {
    __m256 k = _mm256_set1_ps(a);
    long i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 v = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(h + i)));
        _mm256_storeu_ps(q + i, _mm256_fmadd_ps(k, v, _mm256_loadu_ps(q + i)));
    }
    axpy_generic(a, h + i, q + i, n - i);
}
#endif

float chv_encode(const float *x, uint16_t *h, long n) {
    float m = max_abs(x, n);
    int e = 0;
    if (m > 0 && isfinite(m)) frexpf(m, &e);  // m < 2^e
    float inverse = ldexpf(1, 15 - e), scale = ldexpf(1, e - 15);
#if defined(__x86_64__)
    if (f16c_supported()) { encode_f16c(x, h, n, inverse); return scale; }
#endif
    encode_generic(x, h, n, inverse);
    return scale;
}

double chv_dot(const uint16_t *h, float scale, const float *q, long n) {
#if defined(__x86_64__)
    if (f16c_supported()) return scale * dot_f16c(h, q, n);
#endif
    return scale * dot_generic(h, q, n);
}

void chv_axpy(float alpha, const uint16_t *h, float scale, float *q, long n) {
#if defined(__x86_64__)
    if (f16c_supported()) { axpy_f16c(alpha * scale, h, q, n); return; }
#endif
    axpy_generic(alpha * scale, h, q, n);
}
