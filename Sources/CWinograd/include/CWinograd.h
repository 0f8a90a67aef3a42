#ifndef CWINOGRAD_H
#define CWINOGRAD_H

#include <stddef.h>

// Fused Winograd F(4×4, 3×3) convolution, padding 1, stride 1, on planar C×H×W maps (Lavin & Gray 2016).
// One source (WinogradBody.h) compiled once per instruction set; Layers/Winograd.swift picks one at run time.

/// Instruction sets, in the order Swift's `WinogradISA` mirrors.
enum { CWINO_GENERIC = 0, CWINO_AVX2 = 1, CWINO_AVX512 = 2 };

/// 1 when this CPU (and its operating system) can run `isa`.
int cwino_supported(int isa);

/// Floats of the transformed kernels for `k` input and `n` output channels of the product.
size_t cwino_kernel_floats(int k, int n);

/// Transforms output channels o0..<o1 of `weight` (cout×cin×3×3) into `u` (cwino_kernel_floats, zeroed by the
/// caller). Forward: k = cin, n = cout. `flipped`: the backward kernels, k = cout, n = cin, each 3×3 rotated 180°.
void cwino_pack_kernels(const float *weight, int cout, int cin, int flipped, float *u, int o0, int o1);

/// Workspace floats for `workers` workers convolving k channels into n at h×w.
size_t cwino_workspace_floats(int isa, int k, int n, int h, int w, int workers);

/// y (n×h×w) = 3×3 convolution of x (k×h×w) with packed kernels `u`, plus `bias` (NULL: none). Each of
/// `workers` concurrent calls (worker = 0..<workers) writes its own share of y; `workspace` is 64-byte aligned.
void cwino_convolve(int isa, const float *x, int k, int h, int w, const float *u, int n, const float *bias, float *y,
                    float *workspace, int worker, int workers);

#endif
