#ifndef CHALFVECTOR_H
#define CHALFVECTOR_H

#include <stdint.h>

/// Stores x[0..<n] as IEEE half precision scaled by a power of two (so the largest |x| lands just under 2¹⁵, far
/// from overflow and with the most values normal); returns the scale, which the readers below multiply back.
float chv_encode(const float *x, uint16_t *h, long n);

/// Σ scale·h[i]·q[i], accumulated in double.
double chv_dot(const uint16_t *h, float scale, const float *q, long n);

/// q[i] += alpha·scale·h[i].
void chv_axpy(float alpha, const uint16_t *h, float scale, float *q, long n);

#endif
