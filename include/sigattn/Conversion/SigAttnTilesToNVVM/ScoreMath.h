//===- ScoreMath.h - what every lowering computes per score ----*- C++ -*-===//
//
// The arithmetic of one score that does not depend on where a lowering keeps
// it: the visibility window, the ALiBi distance and the sigmoid with its
// folded constants. Templates over the integer (I) or float (F) type: the
// tensor-core lowerings (mma.sync, wgmma) instantiate them with builders of
// MLIR values, unittests/Conversion with plain numbers. No MLIR here.
//
// With d = i + Nk - Nq - j for query i and key j:
//   visible  iff  j < Nk  and  d <= left  and  d >= -right  (-1: unbounded)
//   P = sigmoid(scale * s + bias - slope * |d|)
//     = 0.5 * tanh((0.5 * scale) * s + 0.5 * bias - (0.5 * slope) * |d|) + 0.5
// or, for the scores a lowering puts on the FMA pipe instead of the MUFU,
//   P = 1 / (1 + 2^t),  t = -log2(e) * (scale * s + bias - slope * |d|)
// with 2^t and the reciprocal from FMAs and integer operations only.
//
//===----------------------------------------------------------------------===//

#ifndef SIGATTN_CONVERSION_SIGATTNTILESTONVVM_SCOREMATH_H
#define SIGATTN_CONVERSION_SIGATTNTILESTONVVM_SCOREMATH_H

#include <cstdint>
#include <cstring>

namespace sigattn {
namespace score {

/// A side of the visibility window that is unbounded.
constexpr int64_t kUnbounded = -1;

/// min, max and select on plain numbers; the lowering's value builders
/// bring their own, found by argument-dependent lookup.
inline int64_t min(int64_t a, int64_t b) { return a < b ? a : b; }
inline int64_t max(int64_t a, int64_t b) { return a < b ? b : a; }
inline int64_t select(bool c, int64_t a, int64_t b) { return c ? a : b; }
/// NaN-propagating, as arith.minimumf / maximumf.
inline float min(float a, float b) { return a != a ? a : (a < b ? a : b); }
inline float max(float a, float b) { return a != a ? a : (a < b ? b : a); }
/// The bits of an f32 and back (plain numbers: uint32_t, which wraps).
inline uint32_t asBits(float x) {
  uint32_t bits;
  std::memcpy(&bits, &x, sizeof(bits));
  return bits;
}
inline float asFloat(uint32_t bits) {
  float x;
  std::memcpy(&x, &bits, sizeof(x));
  return x;
}

/// Key j = k0 + col0 + col is visible to query i iff j < Nk, i.e.
/// col < colLimit = Nk - k0 - col0, and i + off - left <= j <=
/// i + off + right, i.e. d <= left and d >= -right (a side of -1 is
/// unbounded).
template <typename I>
auto isVisible(I d, I colLimit, int64_t col, int64_t left, int64_t right) {
  auto visible = colLimit > col;
  if (left != kUnbounded)
    visible = visible && (d <= left);
  if (right != kUnbounded)
    visible = visible && (d >= -right);
  return visible;
}
/// The ALiBi distance |i + off - j|.
template <typename I> I alibiDistance(I d) { return max(d, 0 - d); }

/// sigmoid(x) = 0.5 * tanh(0.5 * x) + 0.5: the constants of
/// 0.5 * x = (0.5 * scale) * s + 0.5 * bias - (0.5 * slope) * dist.
struct SigmoidConstants {
  float halfScale, halfBias;
};
constexpr SigmoidConstants foldSigmoid(float scale, float bias) {
  return {0.5f * scale, 0.5f * bias};
}
template <typename F> F halfSlope(F slope) { return slope * 0.5f; }
/// 0.5 * x without ALiBi, from the score s = q . k.
template <typename F> F tanhArgument(F s, F halfScale, F halfBias) {
  return s * halfScale + halfBias;
}
/// 0.5 * x with ALiBi.
template <typename F> F withAlibi(F arg, F halfSlope, F dist) {
  return arg - halfSlope * dist;
}
/// P from t = tanh(0.5 * x).
template <typename F> F sigmoidFromTanh(F t) { return t * 0.5f + 0.5f; }

/// The backward pass's dS = dP * P * (1 - P) (sigma' = P (1 - P)), without
/// the scale, which the kernels apply once to dq and dk: dP * (P - P * P),
/// an FMA and a multiply. A masked P = 0 gives dS = 0.
template <typename F> F scoreGradient(F p, F dp) { return dp * (p - p * p); }

//===----------------------------------------------------------------------===//
// Sigmoid on the FMA pipe
//===----------------------------------------------------------------------===//

/// t = -log2(e) * x from the tanh argument 0.5 * x: the constants of the
/// polynomial path are the tanh path's times this.
constexpr float kExp2PerHalfArgument = -2.0f * 1.44269504088896341f;
/// |t| is clamped to this: 2^t stays a normal f32, and P is 0 or 1 to
/// within 2^-32 beyond it.
constexpr float kExp2Clamp = 32.0f;
/// 1.5 * 2^23: t + this rounds t to an integer, which lands in the low bits
/// of the sum's mantissa.
constexpr float kRoundingShift = 12582912.0f;
/// 2^f = 1 + f * (c1 + f * (c2 + f * c3)) on [-0.5, 0.5], relative error
/// 1.01e-4 (minimax for the relative error).
constexpr float kExp2C1 = 0.69328299f, kExp2C2 = 0.24221138f,
                kExp2C3 = 0.05500876f;
/// bits(1 / d) ~ 0x7EF311C3 - bits(d) for d > 0; with -d (sign bit set)
/// the constant gains 2^31 (mod 2^32).
constexpr int32_t kNegReciprocalMagic = static_cast<int32_t>(0xFEF311C3u);

/// Which scores of a thread take the polynomial path when `perEight` of
/// every 8 do: the accumulator element `index` (n-tile * 4 + element).
constexpr bool onFmaPipe(int64_t index, int64_t perEight) {
  return index % 8 < perEight;
}

/// P = 1 / (1 + 2^t), without MUFU instructions:
///   2^t = 2^n * 2^f, n = round(t), 2^f by the polynomial, 2^n added to the
///   exponent (integer add, mod 2^32);
///   1 / d from the integer first guess (within 12%) and two Newton steps
///   y <- y + y * (1 - d * y), after which the polynomial's 1e-4 dominates.
/// Absolute error at most 2.6e-5 for every x (tanh.approx: about 2.4e-4).
template <typename F> F sigmoidFromExp2Argument(F t) {
  t = min(max(t, -kExp2Clamp), kExp2Clamp);
  F shifted = t + kRoundingShift;
  F n = shifted + -kRoundingShift;
  F f = t - n;
  F p = ((f * kExp2C3 + kExp2C2) * f + kExp2C1) * f + 1.0f;
  F e = asFloat(asBits(p) + (asBits(shifted) << 23));
  F negD = e * -1.0f + -1.0f;
  F y = asFloat(kNegReciprocalMagic - asBits(negD));
  y = y * (negD * y + 1.0f) + y;
  y = y * (negD * y + 1.0f) + y;
  return y;
}

} // namespace score
} // namespace sigattn

#endif // SIGATTN_CONVERSION_SIGATTNTILESTONVVM_SCOREMATH_H
