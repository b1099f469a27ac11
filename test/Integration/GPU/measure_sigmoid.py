#!/usr/bin/env python3
"""Measures the sigmoid of the generated kernels on the GPU (needs CuPy):

    p = 0.5 * tanh.approx.f32(0.5 * x) + 0.5

with the kernels' instructions (mul.rn.f32, tanh.approx.f32, mul.rn.f32,
add.rn.f32; no FMA), against float64 sigmoid, for x on a dense grid of
[-40, 40] (every multiple of 2**-16, and every float32 in [-40, -1], where p
underflows). Prints the maximum absolute error, the maximum relative error
where sigmoid(x) > 1e-3, the largest x for which p is exactly 0, and p at a
few negative x. Informational (run-suite.sh prints it; the README quotes it).

    python3 test/Integration/GPU/measure_sigmoid.py
"""

import math

import cupy as cp

SOURCE = r"""
extern "C" __global__ void sigmoid_approx(const float *x, float *p,
                                          unsigned long long n) {
  unsigned long long i = blockIdx.x * (unsigned long long)blockDim.x + threadIdx.x;
  if (i >= n)
    return;
  float h, t, u, r;
  // P = 0.5 * tanh(0.5 * S) + 0.5, as the kernels compute it.
  asm("mul.rn.f32 %0, %1, 0f3F000000;" : "=f"(h) : "f"(x[i]));
  asm("tanh.approx.f32 %0, %1;" : "=f"(t) : "f"(h));
  asm("mul.rn.f32 %0, %1, 0f3F000000;" : "=f"(u) : "f"(t));
  asm("add.rn.f32 %0, %1, 0f3F000000;" : "=f"(r) : "f"(u));
  p[i] = r;
}
"""
KERNEL = cp.RawKernel(SOURCE, "sigmoid_approx")


def approx(x):
    """p for every float32 in `x`."""
    p = cp.empty_like(x)
    n = x.size
    KERNEL(((n + 255) // 256,), (256,), (x, p, cp.uint64(n)))
    return p


def grid():
    """Every multiple of 2**-16 in [-40, 40], then every float32 in
    [-40, -1] (bit patterns 0xBF800000 = -1 up to 0xC2200000 = -40)."""
    step = 2.0 ** -16
    yield (cp.arange(-40 * 2 ** 16, 40 * 2 ** 16 + 1, dtype=cp.int64)
           .astype(cp.float64) * step).astype(cp.float32)
    yield cp.arange(0xBF800000, 0xC2200000 + 1, dtype=cp.uint64).astype(
        cp.uint32).view(cp.float32)


def main():
    name = cp.cuda.runtime.getDeviceProperties(0)["name"]
    print("device:", name.decode() if isinstance(name, bytes) else name)
    max_abs = (0.0, 0.0)     # (error, x)
    max_rel = (0.0, 0.0)
    last_zero = None         # largest x with p == 0
    first_nonzero = None     # smallest x with p != 0
    points = 0
    for x in grid():
        p = approx(x).astype(cp.float64)
        x64 = x.astype(cp.float64)
        s = 1.0 / (1.0 + cp.exp(-x64))
        abs_err = cp.abs(p - s)
        i = int(cp.argmax(abs_err))
        if float(abs_err[i]) > max_abs[0]:
            max_abs = (float(abs_err[i]), float(x64[i]))
        rel = cp.where(s > 1e-3, abs_err / s, 0.0)
        i = int(cp.argmax(rel))
        if float(rel[i]) > max_rel[0]:
            max_rel = (float(rel[i]), float(x64[i]))
        zero = p == 0.0
        if bool(zero.any()):
            z = float(x64[zero].max())
            last_zero = z if last_zero is None else max(last_zero, z)
        if bool((~zero).any()):
            nz = float(x64[~zero].min())
            first_nonzero = nz if first_nonzero is None else min(first_nonzero, nz)
        points += x.size
    print("p = 0.5*tanh.approx.f32(0.5*x) + 0.5 against float64 sigmoid, "
          "%d points in [-40, 40]" % points)
    print("max absolute error: %.3g = 2^%.2f (at x = %.9g)"
          % (max_abs[0], math.log2(max_abs[0]), max_abs[1]))
    print("max relative error where sigmoid(x) > 1e-3: %.3g = 2^%.2f "
          "(at x = %.9g)" % (max_rel[0], math.log2(max_rel[0]), max_rel[1]))
    print("largest x with p == 0: %s; smallest x with p != 0: %s"
          % ("none" if last_zero is None else "%.9g" % last_zero,
             "none" if first_nonzero is None else "%.9g" % first_nonzero))
    xs = cp.array([-30.0, -20.0, -17.0, -10.0], dtype=cp.float32)
    for x, p in zip(xs.get(), approx(xs).get()):
        s = 1.0 / (1.0 + math.exp(-float(x)))
        print("x = %5g: p = %.9g, sigmoid = %.9g, relative error %.3g"
              % (x, p, s, abs(float(p) - s) / s))


if __name__ == "__main__":
    main()
