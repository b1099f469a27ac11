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
//
//===----------------------------------------------------------------------===//

#ifndef SIGATTN_CONVERSION_SIGATTNTILESTONVVM_SCOREMATH_H
#define SIGATTN_CONVERSION_SIGATTNTILESTONVVM_SCOREMATH_H

#include <cstdint>

namespace sigattn {
namespace score {

/// A side of the visibility window that is unbounded.
constexpr int64_t kUnbounded = -1;

/// min, max and select on plain numbers; the lowering's value builders
/// bring their own, found by argument-dependent lookup.
inline int64_t min(int64_t a, int64_t b) { return a < b ? a : b; }
inline int64_t max(int64_t a, int64_t b) { return a < b ? b : a; }
inline int64_t select(bool c, int64_t a, int64_t b) { return c ? a : b; }

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

} // namespace score
} // namespace sigattn

#endif // SIGATTN_CONVERSION_SIGATTNTILESTONVVM_SCOREMATH_H
