//===- RaiseAttention.cpp - unfused sigmoid attention to sigattn.attention ===//
//
// Finds O = sigmoid(Q.K^T * scale + bias) . V as front ends emit it in
// linalg and tensor ops on [B, H, N, D] tensors and replaces it by one
// sigattn.attention on [B, N, H, D] views:
//
//   - the two contractions: linalg.batch_matmul between
//     tensor.collapse_shape / tensor.expand_shape of the 4-D tensors, or one
//     4-D linalg.generic contraction (K^T either by a linalg.transpose of K
//     or by the generic's indexing map), accumulating into a zero fill;
//   - the elementwise chain between them: linalg.generic ops with identity
//     maps, whose scalar bodies are followed from one generic to the
//     next; it must be sigmoid(a * s + b) for constants a and b, as
//     1 / (1 + exp(-x)), exp(x) / (1 + exp(x)) or 0.5 * tanh(0.5 * x) + 0.5,
//     with x an affine function of the score built from multiplies, divides,
//     adds, subtracts and negations by scalar constants;
//   - a scale or bias known only at run time: an f32 scalar from outside the
//     chain (a function argument, say) or a 0-d f32 tensor read with the
//     map () -> (), multiplying the score, added or subtracted, times
//     constants: the op takes it as an operand (`scale(%s : f32)`,
//     `bias(%b : f32)`), with the constants folded in by arith ops;
//   - f32 computation on bf16 / f16 inputs (arith.extf, elementwise or in
//     the bodies) ending in a truncation to the input type, or the whole
//     computation in the input type;
//   - K and V with their heads repeated for grouped queries (a broadcast
//     along a new dimension collapsed into the heads): GQA / MQA.
//
//   - masks as selects of P against 0, or of the sigmoid's argument against
//     -inf, on comparisons of the row and column
//     indices (linalg.index) that bound j - i and i - j: causal and
//     sliding windows, with static sequence lengths (the op aligns the
//     diagonal bottom-right: key j is visible to query i iff
//     -right <= i + Nk - Nq - j <= left);
//   - ALiBi: a per-head slope (an input read with the map (d1) or
//     (d0, d1)) times |i - j + Nk - Nq| from the indices, times a constant
//     c (minus the op's term for c = -1; the op gets the slopes times -c
//     otherwise).
//
// Anything else (softmax's reductions, a bias tensor, another activation,
// f32 inputs, an f32 result) is left untouched. The
// new op is verified before anything is replaced.
//
//===----------------------------------------------------------------------===//

#include "sigattn/Dialect/SigAttn/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Transforms/RegionUtils.h"
#include "sigattn/Dialect/SigAttn/IR/SigAttnOps.h"

#include <cmath>
#include <optional>

namespace mlir::sigattn {
#define GEN_PASS_DEF_SIGATTNRAISEATTENTION
#include "sigattn/Dialect/SigAttn/Transforms/Passes.h.inc"
} // namespace mlir::sigattn

using namespace mlir;
using namespace mlir::sigattn;

namespace {

//===----------------------------------------------------------------------===//
// Tensors
//===----------------------------------------------------------------------===//

/// An elementwise linalg.generic: parallel loops, identity maps, one result.
static bool isElementwise(linalg::GenericOp op) {
  return op.getNumDpsInits() == 1 && op.getNumResults() == 1 &&
         llvm::all_of(op.getIteratorTypesArray(),
                      [](utils::IteratorType t) {
                        return t == utils::IteratorType::parallel;
                      }) &&
         llvm::all_of(op.getIndexingMapsArray(),
                      [](AffineMap m) { return m.isIdentity(); });
}

/// True if `map` reads a per-head scalar of [B, H, N, N] iterations: (d1)
/// (slopes [H]) or (d0, d1) (slopes [B, H]).
static bool isHeadBroadcast(AffineMap map) {
  if (map.getNumDims() != 4 || map.getNumSymbols() != 0)
    return false;
  SmallVector<int64_t> dims;
  for (AffineExpr e : map.getResults()) {
    auto d = dyn_cast<AffineDimExpr>(e);
    dims.push_back(d ? static_cast<int64_t>(d.getPosition()) : int64_t(-1));
  }
  return dims == SmallVector<int64_t>{1} || dims == SmallVector<int64_t>{0, 1};
}

/// A generic of the chain between the matmuls: elementwise, except that
/// inputs may also be per-head scalars (ALiBi slopes).
static bool isChainGeneric(linalg::GenericOp op) {
  if (op.getNumDpsInits() != 1 || op.getNumResults() != 1 ||
      !llvm::all_of(op.getIteratorTypesArray(),
                    [](utils::IteratorType t) {
                      return t == utils::IteratorType::parallel;
                    }) ||
      !op.getMatchingIndexingMap(op.getDpsInitOperand(0)).isIdentity())
    return false;
  // Inputs: tensors of the chain's shape, per-head ones, and 0-d scalars.
  return llvm::all_of(op.getDpsInputOperands(), [&](OpOperand *in) {
    AffineMap map = op.getMatchingIndexingMap(in);
    return map.isIdentity() || isHeadBroadcast(map) || map.getNumResults() == 0;
  });
}

/// The scalar an elementwise generic yields.
static Value yielded(linalg::GenericOp op) {
  return cast<linalg::YieldOp>(op.getBody()->getTerminator()).getOperand(0);
}

/// The tensor a float cast (arith.extf / truncf on tensors, or an
/// elementwise generic whose body is one cast of its input) reads, or
/// nothing.
static Value castSource(Value v) {
  if (auto ext = v.getDefiningOp<arith::ExtFOp>())
    return ext.getIn();
  if (auto trunc = v.getDefiningOp<arith::TruncFOp>())
    return trunc.getIn();
  auto generic = v.getDefiningOp<linalg::GenericOp>();
  if (!generic || !isElementwise(generic) || generic.getNumDpsInputs() != 1)
    return Value();
  Operation *def = yielded(generic).getDefiningOp();
  if (!isa_and_nonnull<arith::ExtFOp, arith::TruncFOp>(def) ||
      def->getOperand(0) != generic.getBody()->getArgument(0))
    return Value();
  return generic.getDpsInputOperand(0)->get();
}

/// `v` without float casts.
static Value stripCasts(Value v) {
  while (Value src = castSource(v))
    v = src;
  return v;
}

/// True if `v` is a tensor filled with zeros (linalg.fill of 0).
static bool isZeroFill(Value v) {
  auto fill = v.getDefiningOp<linalg::FillOp>();
  return fill && matchPattern(fill.getInputs()[0], m_AnyZeroFloat());
}

/// C[b, h, m, n] = sum_k A[b, h, m, k] * B[b, h, k, n] (rhsTransposed: B
/// given as [b, h, n, k]), on 4-D tensors.
struct Contraction {
  Value lhs, rhs;
  bool rhsTransposed = false;
};

/// A multiply-accumulate body: yield(out + a * b), with casts allowed on a
/// and b.
static bool isMulAdd(linalg::GenericOp op) {
  Block *body = op.getBody();
  auto add = yielded(op).getDefiningOp<arith::AddFOp>();
  if (!add)
    return false;
  Value acc = body->getArgument(2);
  Value prod = add.getLhs() == acc ? add.getRhs() : add.getLhs();
  if (add.getLhs() != acc && add.getRhs() != acc)
    return false;
  auto mul = prod.getDefiningOp<arith::MulFOp>();
  if (!mul)
    return false;
  auto arg = [&](Value x) {
    if (auto ext = x.getDefiningOp<arith::ExtFOp>())
      x = ext.getIn();
    return dyn_cast<BlockArgument>(x);
  };
  BlockArgument a = arg(mul.getLhs()), b = arg(mul.getRhs());
  return a && b && a.getOwner() == body && b.getOwner() == body &&
         a.getArgNumber() != b.getArgNumber() && a.getArgNumber() < 2 &&
         b.getArgNumber() < 2;
}

/// The 4-D contraction that produces `v`, or nothing.
static std::optional<Contraction> matchContraction(Value v) {
  // linalg.batch_matmul on [B * H, M, K] x [B * H, K, N], or (one batch,
  // one head) linalg.matmul on [M, K] x [K, N], between collapse_shapes of
  // the 4-D tensors and an expand_shape back: the first reassociation group
  // folds the leading 2 (batch_matmul) or 3 (matmul) dims.
  if (auto expand = v.getDefiningOp<tensor::ExpandShapeOp>()) {
    Operation *mm = expand.getSrc().getDefiningOp();
    SmallVector<AffineMap> defaultMaps;
    if (isa_and_present<linalg::BatchMatmulOp>(mm))
      defaultMaps =
          linalg::BatchMatmulOp::getDefaultIndexingMaps(expand.getContext());
    else if (isa_and_present<linalg::MatmulOp>(mm))
      defaultMaps =
          linalg::MatmulOp::getDefaultIndexingMaps(expand.getContext());
    else
      return std::nullopt;
    size_t folded = isa<linalg::MatmulOp>(mm) ? 3 : 2;
    auto matches = [&](ShapedType fourD,
                       ArrayRef<ReassociationIndices> groups) {
      return fourD.getRank() == 4 && groups.size() == 5 - folded &&
             groups[0].size() == folded &&
             (folded == 2 ||
              (fourD.getDimSize(0) == 1 && fourD.getDimSize(1) == 1));
    };
    auto fourD = [&](Value t) -> Value {
      auto collapse = t.getDefiningOp<tensor::CollapseShapeOp>();
      if (!collapse ||
          !matches(collapse.getSrcType(), collapse.getReassociationIndices()))
        return Value();
      return collapse.getSrc();
    };
    auto op = cast<linalg::LinalgOp>(mm);
    if (!matches(expand.getResultType(), expand.getReassociationIndices()) ||
        !op.hasPureTensorSemantics() ||
        !isZeroFill(op.getDpsInitOperand(0)->get()) ||
        op.getIndexingMapsArray() != defaultMaps)
      return std::nullopt;
    Value lhs = fourD(op.getDpsInputOperand(0)->get()),
          rhs = fourD(op.getDpsInputOperand(1)->get());
    if (!lhs || !rhs)
      return std::nullopt;
    return Contraction{lhs, rhs, false};
  }
  // One linalg.generic over (b, h, m, n, k) in any loop order.
  auto generic = v.getDefiningOp<linalg::GenericOp>();
  if (!generic || generic.getNumDpsInputs() != 2 ||
      generic.getNumDpsInits() != 1 || generic.getNumLoops() != 5 ||
      generic.getNumReductionLoops() != 1 || !isMulAdd(generic) ||
      !isZeroFill(generic.getDpsInitOperand(0)->get()))
    return std::nullopt;
  SmallVector<AffineMap> maps = generic.getIndexingMapsArray();
  auto dims = [](AffineMap m) {
    SmallVector<int64_t> d;
    for (AffineExpr e : m.getResults()) {
      auto dim = dyn_cast<AffineDimExpr>(e);
      d.push_back(dim ? static_cast<int64_t>(dim.getPosition()) : -1);
    }
    return d;
  };
  SmallVector<int64_t> a = dims(maps[0]), b = dims(maps[1]), c = dims(maps[2]);
  if (a.size() != 4 || b.size() != 4 || c.size() != 4 ||
      llvm::is_contained(c, -1))
    return std::nullopt;
  int64_t red = -1;
  for (auto [i, t] : llvm::enumerate(generic.getIteratorTypesArray()))
    if (t == utils::IteratorType::reduction)
      red = i;
  if (a != SmallVector<int64_t>{c[0], c[1], c[2], red})
    return std::nullopt;
  if (b == SmallVector<int64_t>{c[0], c[1], red, c[3]})
    return Contraction{generic.getDpsInputOperand(0)->get(),
                       generic.getDpsInputOperand(1)->get(), false};
  if (b == SmallVector<int64_t>{c[0], c[1], c[3], red})
    return Contraction{generic.getDpsInputOperand(0)->get(),
                       generic.getDpsInputOperand(1)->get(), true};
  return std::nullopt;
}

/// K from K^T = [B, H, D, N]: a linalg.transpose with permutation
/// [0, 1, 3, 2], or nothing.
static Value untranspose(Value kt) {
  auto t = kt.getDefiningOp<linalg::TransposeOp>();
  if (!t || t.getPermutation() != ArrayRef<int64_t>{0, 1, 3, 2})
    return Value();
  return t.getInput();
}

/// K or V with its heads repeated g times for grouped queries (GQA / MQA,
/// torch's repeat_interleave or expand + reshape): a tensor.collapse_shape
/// [[0], [1, 2], [3], [4]] of [B, Hkv, g, N, D] made by broadcasting
/// [B, Hkv, N, D] along dimension 2 (linalg.broadcast, or a generic that
/// yields its input). Returns the [B, Hkv, N, D] tensor (query head h reads
/// head h / g, as sigattn.attention does), or `t` itself.
static Value unrepeatHeads(Value t) {
  Value src = stripCasts(t);
  auto collapse = src.getDefiningOp<tensor::CollapseShapeOp>();
  if (!collapse || collapse.getSrcType().getRank() != 5)
    return t;
  SmallVector<ReassociationIndices> groups = collapse.getReassociationIndices();
  if (groups.size() != 4 || groups[1] != ReassociationIndices{1, 2})
    return t;
  Value expanded = collapse.getSrc();
  if (auto bc = expanded.getDefiningOp<linalg::BroadcastOp>()) {
    if (bc.getDimensions() == ArrayRef<int64_t>{2})
      return stripCasts(bc.getInput());
    return t;
  }
  auto generic = expanded.getDefiningOp<linalg::GenericOp>();
  if (!generic || generic.getNumDpsInputs() != 1 ||
      generic.getNumDpsInits() != 1 || generic.getNumParallelLoops() != 5 ||
      generic.getNumLoops() != 5 ||
      yielded(generic) != generic.getBody()->getArgument(0))
    return t;
  MLIRContext *ctx = generic.getContext();
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  SmallVector<AffineMap> maps = generic.getIndexingMapsArray();
  if (maps[0] != AffineMap::get(5, 0, {d(0), d(1), d(3), d(4)}, ctx) ||
      !maps[1].isIdentity())
    return t;
  return stripCasts(generic.getDpsInputOperand(0)->get());
}

//===----------------------------------------------------------------------===//
// Scalars
//===----------------------------------------------------------------------===//

/// Walks the scalar bodies of an elementwise chain that ends at the tensor
/// `scores`.
struct ChainWalker {
  Value scores;

  /// `x` with block arguments of elementwise generics replaced by what the
  /// generic producing that input yields, and scalar casts skipped;
  /// `isScores` is set when it is an element of `scores` itself.
  Value through(Value x, bool &isScores) {
    isScores = false;
    while (true) {
      if (auto ext = x.getDefiningOp<arith::ExtFOp>()) {
        x = ext.getIn();
        continue;
      }
      if (auto trunc = x.getDefiningOp<arith::TruncFOp>()) {
        x = trunc.getIn();
        continue;
      }
      auto arg = dyn_cast<BlockArgument>(x);
      if (!arg)
        return x;
      auto generic = dyn_cast<linalg::GenericOp>(arg.getOwner()->getParentOp());
      if (!generic || !isChainGeneric(generic) ||
          arg.getArgNumber() >= generic.getNumDpsInputs())
        return x;
      OpOperand *in = generic.getDpsInputOperand(arg.getArgNumber());
      if (!generic.getMatchingIndexingMap(in).isIdentity())
        return x; // a per-head scalar: a leaf
      Value tensor = in->get();
      if (stripCasts(tensor) == scores) {
        isScores = true;
        return x;
      }
      auto producer = stripCasts(tensor).getDefiningOp<linalg::GenericOp>();
      if (!producer || !isChainGeneric(producer))
        return x;
      x = yielded(producer);
    }
  }

  std::optional<double> constant(Value x) {
    bool isScores;
    x = through(x, isScores);
    FloatAttr attr;
    if (!isScores && matchPattern(x, m_Constant(&attr)))
      return attr.getValueAsDouble();
    return std::nullopt;
  }

  /// x = a * s + b for an element s of the scores; where a mask hides the
  /// score, x is maskSign * inf instead (0: no mask), the visible part
  /// bounded by maskLeft / maskRight as in Bounds.
  struct Affine {
    double a, b;
    int maskSign = 0;
    int64_t maskLeft = -1, maskRight = -1;
    /// ALiBi: plus alibi * slope[h] * |i - j + distOffset|.
    double alibi = 0.0;
    Value slopes;
    int64_t distOffset = 0;
    /// Run-time scalars (runtimeLeaf): the score's factor is a * aRuntime
    /// when aRuntime is set, and bRuntimeCoef * bRuntime is added; each
    /// leaf t stands for 1 / t where its `inverse` flag is set (a score
    /// divided by t).
    Value aRuntime, bRuntime;
    bool aInverse = false, bInverse = false;
    double bRuntimeCoef = 0.0;
    /// A number: no score, mask, ALiBi or run-time part.
    bool isNumber() const {
      return a == 0.0 && !maskSign && alibi == 0.0 && !bRuntime;
    }
    /// c * t for a run-time scalar t and a number c (bRuntimeCoef).
    bool isRuntimeTerm() const {
      return a == 0.0 && b == 0.0 && !maskSign && alibi == 0.0 && bRuntime;
    }
  };

  /// A scalar known only at run time that `x` is: an f32 value from outside
  /// every elementwise generic, or the element of a 0-d f32 tensor an
  /// elementwise generic reads with the map () -> () (returned as that
  /// tensor); nothing otherwise.
  Value runtimeLeaf(Value x) {
    bool isScores;
    x = through(x, isScores);
    if (isScores || matchPattern(x, m_Constant()))
      return Value();
    if (auto arg = dyn_cast<BlockArgument>(x)) {
      if (auto generic =
              dyn_cast<linalg::GenericOp>(arg.getOwner()->getParentOp())) {
        if (arg.getArgNumber() >= generic.getNumDpsInputs())
          return Value();
        OpOperand *in = generic.getDpsInputOperand(arg.getArgNumber());
        auto type = dyn_cast<RankedTensorType>(in->get().getType());
        if (generic.getMatchingIndexingMap(in).getNumResults() != 0 || !type ||
            type.getRank() != 0 || !type.getElementType().isF32())
          return Value();
        return in->get();
      }
    }
    if (!x.getType().isF32() ||
        x.getParentRegion()->getParentOfType<linalg::GenericOp>())
      return Value();
    return x;
  }

  /// The per-head slopes tensor (f32, [H] or [B, H]) whose element `x` is,
  /// or nothing.
  Value slopeLeaf(Value x) {
    bool isScores;
    x = through(x, isScores);
    auto arg = dyn_cast<BlockArgument>(x);
    if (isScores || !arg)
      return Value();
    auto generic = dyn_cast<linalg::GenericOp>(arg.getOwner()->getParentOp());
    if (!generic || arg.getArgNumber() >= generic.getNumDpsInputs())
      return Value();
    OpOperand *in = generic.getDpsInputOperand(arg.getArgNumber());
    auto type = dyn_cast<RankedTensorType>(in->get().getType());
    if (!isHeadBroadcast(generic.getMatchingIndexingMap(in)) || !type ||
        !type.getElementType().isF32())
      return Value();
    return in->get();
  }

  /// c when `x` is |i - j + c| as f32 (the absolute value taken on the
  /// integers or on the float), or nothing.
  std::optional<int64_t> distance(Value x) {
    bool isScores;
    x = through(x, isScores);
    if (isScores)
      return std::nullopt;
    bool absTaken = false;
    if (auto abs = x.getDefiningOp<math::AbsFOp>()) {
      absTaken = true;
      x = abs.getOperand();
    }
    if (auto cvt = x.getDefiningOp<arith::SIToFPOp>())
      x = cvt.getIn();
    else if (auto ucvt = x.getDefiningOp<arith::UIToFPOp>(); ucvt && !absTaken)
      x = ucvt.getIn();
    else
      return std::nullopt;
    while (auto cast = x.getDefiningOp<arith::IndexCastOp>())
      x = cast.getIn();
    if (auto abs = x.getDefiningOp<math::AbsIOp>()) {
      if (absTaken)
        return std::nullopt;
      absTaken = true;
      x = abs.getOperand();
    }
    std::optional<Linear> d = linear(x);
    if (!absTaken || !d)
      return std::nullopt;
    if (d->ci == 1 && d->cj == -1)
      return d->c;
    if (d->ci == -1 && d->cj == 1)
      return -d->c;
    return std::nullopt;
  }
  std::optional<Affine> affine(Value x) {
    bool isScores;
    x = through(x, isScores);
    if (isScores)
      return Affine{1.0, 0.0};
    if (std::optional<double> c = constant(x)) {
      if (std::isinf(*c) || std::isnan(*c))
        return std::nullopt;
      return Affine{0.0, *c};
    }
    if (Value leaf = runtimeLeaf(x)) {
      Affine v{0.0, 0.0};
      v.bRuntime = leaf;
      v.bRuntimeCoef = 1.0;
      return v;
    }
    Operation *op = x.getDefiningOp();
    if (!op)
      return std::nullopt;
    if (auto neg = dyn_cast<arith::NegFOp>(op)) {
      std::optional<Affine> v = affine(neg.getOperand());
      if (!v)
        return std::nullopt;
      return scaled(*v, -1.0);
    }
    // select(c, x, -inf) and the like: a mask before the sigmoid.
    if (auto select = dyn_cast<arith::SelectOp>(op)) {
      std::optional<double> kt = constant(select.getTrueValue()),
                            kf = constant(select.getFalseValue());
      bool infThen = kt && std::isinf(*kt), infElse = kf && std::isinf(*kf);
      if (infThen == infElse)
        return std::nullopt;
      std::optional<Affine> v =
          affine(infThen ? select.getFalseValue() : select.getTrueValue());
      Bounds bounds;
      if (!v || v->maskSign != 0 ||
          !constrain(select.getCondition(), /*negate=*/infThen, bounds))
        return std::nullopt;
      v->maskSign = (infThen ? *kt : *kf) > 0 ? 1 : -1;
      v->maskLeft = bounds.left;
      v->maskRight = bounds.right;
      return v;
    }
    if (!isa<arith::AddFOp, arith::SubFOp, arith::MulFOp, arith::DivFOp>(op))
      return std::nullopt;
    // slope[h] * |i - j + c|, in either order: the ALiBi term.
    if (isa<arith::MulFOp>(op)) {
      for (auto [x0, x1] : {std::pair(op->getOperand(0), op->getOperand(1)),
                            std::pair(op->getOperand(1), op->getOperand(0))}) {
        Value slopes = slopeLeaf(x0);
        std::optional<int64_t> off = slopes ? distance(x1) : std::nullopt;
        if (off) {
          Affine v{0.0, 0.0};
          v.alibi = 1.0;
          v.slopes = slopes;
          v.distOffset = *off;
          return v;
        }
      }
    }
    std::optional<Affine> l = affine(op->getOperand(0)),
                          r = affine(op->getOperand(1));
    if (!l || !r)
      return std::nullopt;
    if (isa<arith::AddFOp, arith::SubFOp>(op)) {
      // The mask of a sum is its masked side's (inf + finite = inf).
      if (l->maskSign != 0 && r->maskSign != 0)
        return std::nullopt;
      if (l->alibi != 0.0 && r->alibi != 0.0 &&
          (l->slopes != r->slopes || l->distOffset != r->distOffset))
        return std::nullopt;
      Affine rr = scaled(*r, isa<arith::AddFOp>(op) ? 1.0 : -1.0);
      // Run-time parts add up only when they are the same scalar.
      if ((l->a != 0.0 && rr.a != 0.0 &&
           (l->aRuntime != rr.aRuntime || l->aInverse != rr.aInverse)) ||
          (l->bRuntime && rr.bRuntime &&
           (l->bRuntime != rr.bRuntime || l->bInverse != rr.bInverse)))
        return std::nullopt;
      Affine v = l->maskSign != 0 ? *l : rr;
      v.a = l->a + rr.a;
      v.b = l->b + rr.b;
      v.alibi = l->alibi + rr.alibi;
      v.slopes = l->alibi != 0.0 ? l->slopes : rr.slopes;
      v.distOffset = l->alibi != 0.0 ? l->distOffset : rr.distOffset;
      v.aRuntime = l->a != 0.0 ? l->aRuntime : rr.aRuntime;
      v.aInverse = l->a != 0.0 ? l->aInverse : rr.aInverse;
      v.bRuntime = l->bRuntime ? l->bRuntime : rr.bRuntime;
      v.bInverse = l->bRuntime ? l->bInverse : rr.bInverse;
      v.bRuntimeCoef = l->bRuntimeCoef + rr.bRuntimeCoef;
      return v;
    }
    if (isa<arith::MulFOp>(op)) {
      // One side a number (not zero when the other is masked) ...
      const Affine *c = l->isNumber() ? &*l : r->isNumber() ? &*r : nullptr;
      if (c) {
        const Affine &other = c == &*l ? *r : *l;
        if (other.maskSign != 0 && c->b == 0.0)
          return std::nullopt;
        return scaled(other, c->b);
      }
      // ... or a run-time scalar c * t times what has no run-time part, no
      // mask and no ALiBi: (a s + b) c t = (a c) t s + (b c) t.
      const Affine *t = l->isRuntimeTerm()   ? &*l
                        : r->isRuntimeTerm() ? &*r
                                             : nullptr;
      if (!t)
        return std::nullopt;
      return timesRuntime(t == &*l ? *r : *l, t->bRuntimeCoef, t->bRuntime,
                          t->bInverse);
    }
    // x / c for a number c ...
    if (r->isNumber()) {
      if (r->b == 0.0)
        return std::nullopt;
      return scaled(*l, 1.0 / r->b);
    }
    // ... or x / (c * t) for a run-time scalar t: x times (1 / c) (1 / t).
    if (!r->isRuntimeTerm() || r->bRuntimeCoef == 0.0)
      return std::nullopt;
    return timesRuntime(*l, 1.0 / r->bRuntimeCoef, r->bRuntime, !r->bInverse);
  }

  /// `other` times c * t (t, or 1 / t when `inverse`) for a run-time scalar
  /// t, when `other` has no run-time part, no mask and no ALiBi:
  /// (a s + b) c t = (a c) t s + (b c) t.
  static std::optional<Affine> timesRuntime(const Affine &other, double c,
                                            Value t, bool inverse) {
    if (other.maskSign != 0 || other.alibi != 0.0 || other.aRuntime ||
        other.bRuntime)
      return std::nullopt;
    Affine v{other.a * c, 0.0};
    if (v.a != 0.0) {
      v.aRuntime = t;
      v.aInverse = inverse;
    }
    if (other.b != 0.0) {
      v.bRuntime = t;
      v.bInverse = inverse;
      v.bRuntimeCoef = other.b * c;
    }
    return v;
  }

  /// The exponent's affine function when `x` is exp(E).
  std::optional<Affine> expOf(Value x) {
    bool isScores;
    x = through(x, isScores);
    auto exp = isScores ? math::ExpOp() : x.getDefiningOp<math::ExpOp>();
    if (!exp)
      return std::nullopt;
    return affine(exp.getOperand());
  }

  /// `v` times `factor`: a, b and the ALiBi coefficient scale; a masked
  /// value keeps its infinity, with the factor's sign.
  static Affine scaled(const Affine &v, double factor) {
    Affine w = v;
    w.a *= factor;
    w.b *= factor;
    w.alibi *= factor;
    w.bRuntimeCoef *= factor;
    w.maskSign = factor < 0 ? -v.maskSign : v.maskSign;
    return w;
  }
  static bool same(Affine x, Affine y) {
    return x.a == y.a && x.b == y.b && x.maskSign == y.maskSign &&
           x.maskLeft == y.maskLeft && x.maskRight == y.maskRight &&
           x.alibi == y.alibi && x.slopes == y.slopes &&
           x.distOffset == y.distOffset && x.aRuntime == y.aRuntime &&
           x.bRuntime == y.bRuntime && x.aInverse == y.aInverse &&
           x.bInverse == y.bInverse && x.bRuntimeCoef == y.bRuntimeCoef;
  }
  bool isConstant(Value x, double c) {
    std::optional<double> v = constant(x);
    return v && *v == c;
  }

  //===--------------------------------------------------------------------===//
  // Masks: visibility from comparisons of the row i (linalg.index 2) and
  // the column j (linalg.index 3) of the [B, H, Nq, Nk] scores.
  //===--------------------------------------------------------------------===//

  /// ci * i + cj * j + c.
  struct Linear {
    int64_t ci = 0, cj = 0, c = 0;
  };
  std::optional<Linear> linear(Value x) {
    if (auto cast = x.getDefiningOp<arith::IndexCastOp>())
      return linear(cast.getIn());
    if (auto cast = x.getDefiningOp<arith::IndexCastUIOp>())
      return linear(cast.getIn());
    if (auto index = x.getDefiningOp<linalg::IndexOp>()) {
      if (index.getDim() == 2)
        return Linear{1, 0, 0};
      if (index.getDim() == 3)
        return Linear{0, 1, 0};
      return std::nullopt;
    }
    // Index constants beyond 2^31 are no sequence offset: refused, which
    // also keeps the sums below from overflowing.
    IntegerAttr attr;
    if (matchPattern(x, m_Constant(&attr))) {
      if (attr.getValue().getSignificantBits() > 32)
        return std::nullopt;
      return Linear{0, 0, attr.getValue().getSExtValue()};
    }
    auto add = x.getDefiningOp<arith::AddIOp>();
    auto sub = x.getDefiningOp<arith::SubIOp>();
    if (!add && !sub)
      return std::nullopt;
    Operation *op = add ? add.getOperation() : sub.getOperation();
    std::optional<Linear> l = linear(op->getOperand(0)),
                          r = linear(op->getOperand(1));
    if (!l || !r)
      return std::nullopt;
    int64_t sign = add ? 1 : -1;
    Linear sum{l->ci + sign * r->ci, l->cj + sign * r->cj, l->c + sign * r->c};
    constexpr int64_t kLimit = int64_t(1) << 40;
    if (std::abs(sum.ci) > kLimit || std::abs(sum.cj) > kLimit ||
        std::abs(sum.c) > kLimit)
      return std::nullopt;
    return sum;
  }

  /// The front end's visibility as bounds on j - i (right) and i - j
  /// (left); -1 where unbounded.
  struct Bounds {
    int64_t left = -1, right = -1;
  };
  /// Adds the constraint `cond` (negated if `negate`) to `bounds`: a signed
  /// comparison of i + c and j + c' in either order, or (not negated) a
  /// conjunction of such.
  bool constrain(Value cond, bool negate, Bounds &bounds) {
    bool isScores;
    cond = through(cond, isScores);
    if (isScores)
      return false;
    // not c: c xor true.
    if (auto x = cond.getDefiningOp<arith::XOrIOp>()) {
      for (auto [c, other] : {std::pair(x.getLhs(), x.getRhs()),
                              std::pair(x.getRhs(), x.getLhs())})
        if (matchPattern(other, m_One()))
          return constrain(c, !negate, bounds);
      return false;
    }
    if (auto both = cond.getDefiningOp<arith::AndIOp>())
      return !negate && constrain(both.getLhs(), false, bounds) &&
             constrain(both.getRhs(), false, bounds);
    auto cmp = cond.getDefiningOp<arith::CmpIOp>();
    if (!cmp)
      return false;
    std::optional<Linear> l = linear(cmp.getLhs()), r = linear(cmp.getRhs());
    if (!l || !r)
      return false;
    using P = arith::CmpIPredicate;
    P pred = negate ? arith::invertPredicate(cmp.getPredicate())
                    : cmp.getPredicate();
    // Unsigned comparisons of non-negative sides are the signed ones.
    auto nonNegative = [](const Linear &x) {
      return x.ci >= 0 && x.cj >= 0 && x.c >= 0;
    };
    bool unsignedOk = nonNegative(*l) && nonNegative(*r);
    // lhs - rhs, normalized to `diff <= 0`.
    Linear diff{l->ci - r->ci, l->cj - r->cj, l->c - r->c};
    switch (pred) {
    case P::ule:
    case P::ult:
    case P::uge:
    case P::ugt:
      if (!unsignedOk)
        return false;
      break;
    default:
      break;
    }
    switch (pred) {
    case P::sle:
    case P::ule:
      break;
    case P::slt:
    case P::ult:
      diff.c += 1;
      break;
    case P::sge:
    case P::uge:
      diff = Linear{-diff.ci, -diff.cj, -diff.c};
      break;
    case P::sgt:
    case P::ugt:
      diff = Linear{-diff.ci, -diff.cj, -diff.c + 1};
      break;
    default:
      return false;
    }
    // j - i <= -c: a right bound; i - j <= -c: a left bound.
    int64_t bound = -diff.c;
    int64_t *side = diff.ci == -1 && diff.cj == 1   ? &bounds.right
                    : diff.ci == 1 && diff.cj == -1 ? &bounds.left
                                                    : nullptr;
    if (!side)
      return false;
    *side = *side == -1 ? bound : std::min(*side, bound);
    return true;
  }

  /// Strips selects that zero P where a mask says (select(c, P, 0) or
  /// select(c, 0, P)) and collects their bounds; fails on any other select.
  Value unmask(Value x, Bounds &bounds, bool &ok) {
    while (true) {
      bool isScores;
      x = through(x, isScores);
      auto select =
          isScores ? arith::SelectOp() : x.getDefiningOp<arith::SelectOp>();
      if (!select)
        return x;
      bool zeroElse = isConstant(select.getFalseValue(), 0.0);
      bool zeroThen = isConstant(select.getTrueValue(), 0.0);
      if (zeroElse == zeroThen ||
          !constrain(select.getCondition(), /*negate=*/zeroThen, bounds)) {
        ok = false;
        return x;
      }
      x = zeroElse ? select.getTrueValue() : select.getFalseValue();
    }
  }

  /// x = sigmoid(a * s + b): returns (a, b).
  std::optional<Affine> sigmoid(Value x) {
    bool isScores;
    x = through(x, isScores);
    if (isScores)
      return std::nullopt;
    Operation *op = x.getDefiningOp();
    if (!op || op->getNumOperands() != 2)
      return std::nullopt;
    Value lhs = op->getOperand(0), rhs = op->getOperand(1);
    // 1 + exp(E) in either order: returns E.
    auto onePlusExp = [&](Value y) -> std::optional<Affine> {
      bool inScores;
      y = through(y, inScores);
      auto add = inScores ? arith::AddFOp() : y.getDefiningOp<arith::AddFOp>();
      if (!add)
        return std::nullopt;
      if (isConstant(add.getLhs(), 1.0))
        return expOf(add.getRhs());
      if (isConstant(add.getRhs(), 1.0))
        return expOf(add.getLhs());
      return std::nullopt;
    };
    if (isa<arith::DivFOp>(op)) {
      std::optional<Affine> e = onePlusExp(rhs);
      if (!e)
        return std::nullopt;
      // 1 / (1 + exp(E)) = sigmoid(-E).
      if (isConstant(lhs, 1.0))
        return scaled(*e, -1.0);
      // exp(E) / (1 + exp(E)) = sigmoid(E).
      std::optional<Affine> top = expOf(lhs);
      if (top && same(*top, *e))
        return e;
      return std::nullopt;
    }
    // 0.5 * tanh(T) + 0.5 = sigmoid(2 T), the product in either order.
    if (isa<arith::AddFOp>(op)) {
      Value prod = isConstant(rhs, 0.5) ? lhs : rhs;
      if (!isConstant(prod == lhs ? rhs : lhs, 0.5))
        return std::nullopt;
      bool inScores;
      prod = through(prod, inScores);
      auto mul =
          inScores ? arith::MulFOp() : prod.getDefiningOp<arith::MulFOp>();
      if (!mul)
        return std::nullopt;
      Value t = isConstant(mul.getRhs(), 0.5) ? mul.getLhs() : mul.getRhs();
      if (!isConstant(t == mul.getLhs() ? mul.getRhs() : mul.getLhs(), 0.5))
        return std::nullopt;
      t = through(t, inScores);
      auto tanh = inScores ? math::TanhOp() : t.getDefiningOp<math::TanhOp>();
      if (!tanh)
        return std::nullopt;
      std::optional<Affine> arg = affine(tanh.getOperand());
      if (!arg)
        return std::nullopt;
      return scaled(*arg, 2.0);
    }
    return std::nullopt;
  }
};

//===----------------------------------------------------------------------===//
// The rewrite
//===----------------------------------------------------------------------===//

/// [B, H, N, D] <-> [B, N, H, D].
static Value swapHeadsAndRows(OpBuilder &b, Location loc, Value t) {
  auto type = cast<RankedTensorType>(t.getType());
  SmallVector<int64_t> perm = {0, 2, 1, 3};
  SmallVector<OpFoldResult> sizes;
  for (int64_t d : perm)
    sizes.push_back(tensor::getMixedSize(b, loc, t, d));
  Value init = tensor::EmptyOp::create(b, loc, sizes, type.getElementType());
  return linalg::TransposeOp::create(b, loc, t, init, perm).getResult()[0];
}

/// Raises the sigmoid attention whose output is `out` (the value front-end
/// code uses), if it is one.
static bool raise(OpBuilder &b, Value out) {
  auto outType = dyn_cast<RankedTensorType>(out.getType());
  if (!outType || outType.getRank() != 4)
    return false;
  Type element = outType.getElementType();
  if (!element.isBF16() && !element.isF16())
    return false;
  // O = P . V, possibly computed in f32 and truncated.
  Value pv = out;
  if (Value src = castSource(out))
    pv = stripCasts(src);
  std::optional<Contraction> o = matchContraction(pv);
  if (!o || o->rhsTransposed)
    return false;
  // S = Q . K^T and the elementwise chain from S to P.
  Value p = stripCasts(o->lhs);
  auto last = p.getDefiningOp<linalg::GenericOp>();
  if (!last || !isChainGeneric(last))
    return false;
  // A generic of the chain reads S: find it among the elementwise
  // generics P depends on (a mask may come from another branch).
  Value scores;
  SmallVector<linalg::GenericOp> work = {last};
  llvm::SmallPtrSet<Operation *, 8> seen;
  while (!work.empty() && !scores) {
    linalg::GenericOp g = work.pop_back_val();
    if (!seen.insert(g).second)
      continue;
    for (OpOperand *in : g.getDpsInputOperands()) {
      Value t = stripCasts(in->get());
      if (matchContraction(t)) {
        scores = t;
        break;
      }
      if (auto prod = t.getDefiningOp<linalg::GenericOp>())
        if (isChainGeneric(prod) && g.getMatchingIndexingMap(in).isIdentity())
          work.push_back(prod);
    }
  }
  if (!scores)
    return false;
  std::optional<Contraction> s = matchContraction(scores);
  Value q = stripCasts(s->lhs);
  Value k = s->rhsTransposed ? s->rhs : untranspose(stripCasts(s->rhs));
  if (!k)
    return false;
  k = stripCasts(unrepeatHeads(stripCasts(k)));
  Value v = stripCasts(unrepeatHeads(stripCasts(o->rhs)));
  ChainWalker walker{scores};
  ChainWalker::Bounds bounds;
  bool maskOk = true;
  Value probs = walker.unmask(yielded(last), bounds, maskOk);
  if (!maskOk)
    return false;
  std::optional<ChainWalker::Affine> arg = walker.sigmoid(probs);
  // A mask before the sigmoid must make its argument -inf (P = 0); the
  // visible part is what both masks allow.
  if (!arg || arg->maskSign > 0)
    return false;
  if (arg->maskSign < 0) {
    auto meet = [](int64_t x, int64_t y) {
      return x == -1 ? y : y == -1 ? x : std::min(x, y);
    };
    bounds.left = meet(bounds.left, arg->maskLeft);
    bounds.right = meet(bounds.right, arg->maskRight);
  }
  // The op's d = i + Nk - Nq - j: a front-end bound j - i <= r is
  // d >= (Nk - Nq) - r, and i - j <= l is d <= l + (Nk - Nq). Masks need
  // static sequence lengths to be proven equal to the op's.
  std::optional<std::pair<int64_t, int64_t>> window;
  bool causal = false;
  auto sType = cast<RankedTensorType>(scores.getType());
  bool staticLengths = !sType.isDynamicDim(2) && !sType.isDynamicDim(3);
  int64_t off =
      staticLengths ? sType.getDimSize(3) - sType.getDimSize(2) : int64_t(0);
  // ALiBi: the op subtracts slope[h] * |i + Nk - Nq - j|; the front end's
  // term must be c * slope[h] times that distance (static lengths, the same
  // alignment). For c != -1 the op gets the slopes times -c.
  Value slopes;
  double slopeFactor = 1.0;
  if (arg->alibi != 0.0) {
    if (!std::isfinite(arg->alibi) || !staticLengths || arg->distOffset != off)
      return false;
    slopes = arg->slopes;
    slopeFactor = -arg->alibi;
  }
  if (bounds.left != -1 || bounds.right != -1) {
    if (!staticLengths)
      return false;
    int64_t left = bounds.left == -1 ? -1 : bounds.left + off;
    int64_t right = bounds.right == -1 ? -1 : bounds.right - off;
    if ((bounds.left != -1 && left < 0) || (bounds.right != -1 && right < 0))
      return false;
    causal = left == -1 && right == 0;
    if (!causal)
      window = std::make_pair(left, right);
  }
  for (Value t : {q, k, v})
    if (cast<RankedTensorType>(t.getType()).getElementType() != element)
      return false;

  // Run-time scalars must be available where the op goes.
  Location loc = out.getLoc();
  b.setInsertionPointAfterValue(out);
  if (arg->aRuntime || arg->bRuntime) {
    DominanceInfo dominance(out.getDefiningOp()->getParentOp());
    for (Value leaf : {arg->aRuntime, arg->bRuntime})
      if (leaf && !dominance.properlyDominates(leaf, out.getDefiningOp()))
        return false;
  }

  // The op on [B, N, H, D] views; checked before anything is replaced.
  // Run-time scale and bias: the scalar (read out of its 0-d tensor) times
  // the constants the chain applied to it, plus the constant bias.
  SmallVector<Operation *> scalarOps;
  auto scalar = [&](Value leaf, bool inverse) -> Value {
    Value x = leaf;
    if (isa<RankedTensorType>(leaf.getType())) {
      x = tensor::ExtractOp::create(b, loc, leaf, ValueRange());
      scalarOps.push_back(x.getDefiningOp());
    }
    if (!inverse)
      return x;
    Value one = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(1.0f));
    Value y = arith::DivFOp::create(b, loc, one, x);
    scalarOps.append({one.getDefiningOp(), y.getDefiningOp()});
    return y;
  };
  auto constantTimes = [&](double c, Value x) -> Value {
    if (c == 1.0)
      return x;
    Value k = arith::ConstantOp::create(
        b, loc, b.getF32FloatAttr(static_cast<float>(c)));
    Value y = arith::MulFOp::create(b, loc, k, x);
    scalarOps.append({k.getDefiningOp(), y.getDefiningOp()});
    return y;
  };
  Value scaleValue, biasValue;
  if (arg->aRuntime)
    scaleValue = constantTimes(arg->a, scalar(arg->aRuntime, arg->aInverse));
  if (arg->bRuntime) {
    biasValue =
        constantTimes(arg->bRuntimeCoef, scalar(arg->bRuntime, arg->bInverse));
    if (arg->b != 0.0) {
      Value k = arith::ConstantOp::create(
          b, loc, b.getF32FloatAttr(static_cast<float>(arg->b)));
      biasValue = arith::AddFOp::create(b, loc, biasValue, k);
      scalarOps.append({k.getDefiningOp(), biasValue.getDefiningOp()});
    }
  }
  if (slopes && slopeFactor != 1.0) {
    // slopes * factor, elementwise, for the op's alibi operand.
    auto type = cast<RankedTensorType>(slopes.getType());
    Value init = tensor::EmptyOp::create(
        b, loc, tensor::getMixedSizes(b, loc, slopes), type.getElementType());
    AffineMap id = b.getMultiDimIdentityMap(type.getRank());
    auto scaledSlopes = linalg::GenericOp::create(
        b, loc, type, ValueRange{slopes}, ValueRange{init},
        ArrayRef<AffineMap>{id, id},
        SmallVector<utils::IteratorType>(type.getRank(),
                                         utils::IteratorType::parallel),
        [&](OpBuilder &nb, Location l, ValueRange args) {
          Value k = arith::ConstantOp::create(
              nb, l, nb.getF32FloatAttr(static_cast<float>(slopeFactor)));
          Value y = arith::MulFOp::create(nb, l, args[0], k);
          linalg::YieldOp::create(nb, l, y);
        });
    scalarOps.append({init.getDefiningOp(), scaledSlopes});
    slopes = scaledSlopes.getResult(0);
  }
  Value qv = swapHeadsAndRows(b, loc, q), kv = swapHeadsAndRows(b, loc, k),
        vv = swapHeadsAndRows(b, loc, v);
  auto op = AttentionOp::create(
      b, loc, qv, kv, vv, slopes,
      scaleValue ? std::nullopt
                 : std::optional<float>(static_cast<float>(arg->a)),
      biasValue ? 0.0f : static_cast<float>(arg->b), causal, window, scaleValue,
      biasValue);
  bool valid;
  {
    // What the op's verifier says is the reason not to raise, not an error.
    ScopedDiagnosticHandler quiet(b.getContext(),
                                  [](Diagnostic &) { return success(); });
    valid = succeeded(verify(op, /*verifyRecursively=*/false));
  }
  if (!valid) {
    for (Value t : {Value(op.getResult()), vv, kv, qv}) {
      Operation *def = t.getDefiningOp();
      Value init = def->getNumOperands() > 1 ? def->getOperand(1) : Value();
      def->erase();
      if (init && init.use_empty())
        init.getDefiningOp()->erase();
    }
    for (Operation *def : llvm::reverse(scalarOps))
      def->erase();
    return false;
  }
  Value result = swapHeadsAndRows(b, loc, op.getResult());
  out.replaceUsesWithIf(result, [&](OpOperand &use) {
    return use.getOwner() != result.getDefiningOp();
  });
  return true;
}

struct SigAttnRaiseAttentionPass
    : public mlir::sigattn::impl::SigAttnRaiseAttentionBase<
          SigAttnRaiseAttentionPass> {
  void runOnOperation() override {
    // Candidates: 4-D bf16 / f16 tensors that are a contraction's result or
    // a cast of one, outermost first so that a truncation is raised with
    // its contraction.
    SmallVector<Value> candidates;
    getOperation()->walk([&](Operation *op) {
      if (op->getNumResults() != 1 ||
          !isa<linalg::GenericOp, tensor::ExpandShapeOp, arith::TruncFOp>(op))
        return;
      candidates.push_back(op->getResult(0));
    });
    OpBuilder b(&getContext());
    bool changed = false;
    for (Value out : llvm::reverse(candidates)) {
      if (!out.use_empty())
        changed |= raise(b, out);
    }
    // The unfused computation is dead now.
    if (changed) {
      IRRewriter rewriter(&getContext());
      for (Region &region : getOperation()->getRegions())
        (void)runRegionDCE(rewriter, region);
    }
  }
};

} // namespace
