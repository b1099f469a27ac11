//===- SigAttnToLinalg.cpp - reference expansion of the attention ops -----===//
//
// The executable specification of `sigattn.attention` and
// `sigattn.attention_grad`: scores are materialized in f32 and every step of
// the definition is one linalg op.
//
//===----------------------------------------------------------------------===//

#include "sigattn/Conversion/SigAttnToLinalg/SigAttnToLinalg.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/AffineExpr.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/DialectConversion.h"
#include "sigattn/Dialect/SigAttn/IR/SigAttnOps.h"

namespace mlir::sigattn {
#define GEN_PASS_DEF_CONVERTSIGATTNTOLINALG
#include "sigattn/Conversion/Passes.h.inc"
} // namespace mlir::sigattn

using namespace mlir;
using namespace mlir::sigattn;

namespace {

/// A zero-filled f32 tensor of the given sizes.
static Value createZeroTensor(OpBuilder &b, Location loc,
                              ArrayRef<OpFoldResult> sizes) {
  Type f32 = b.getF32Type();
  Value empty = tensor::EmptyOp::create(b, loc, sizes, f32);
  Value zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0f));
  return linalg::FillOp::create(b, loc, zero, empty).getResult(0);
}

/// acc += extf(lhs) * extf(rhs), the body of both contractions.
static void buildMulAccBody(OpBuilder &b, Location loc, ValueRange args) {
  Type f32 = b.getF32Type();
  Value lhs = args[0].getType() == f32
                  ? args[0]
                  : arith::ExtFOp::create(b, loc, f32, args[0]).getResult();
  Value rhs = args[1].getType() == f32
                  ? args[1]
                  : arith::ExtFOp::create(b, loc, f32, args[1]).getResult();
  Value prod = arith::MulFOp::create(b, loc, lhs, rhs);
  Value sum = arith::AddFOp::create(b, loc, args[2], prod);
  linalg::YieldOp::create(b, loc, sum);
}

using utils::IteratorType;
static constexpr IteratorType par = IteratorType::parallel;
static constexpr IteratorType red = IteratorType::reduction;

/// out = sum over the reduction dims of extf(lhs) * extf(rhs), one
/// linalg.generic with the given indexing maps (lhs, rhs, out).
static Value contract(OpBuilder &b, Location loc, Value lhs, Value rhs,
                      Value init, ArrayRef<AffineMap> maps,
                      ArrayRef<IteratorType> iterators) {
  return linalg::GenericOp::create(b, loc, init.getType(), ValueRange{lhs, rhs},
                                   ValueRange{init}, maps, iterators,
                                   buildMulAccBody)
      .getResult(0);
}

/// The sizes of an attention op's definition at the rewriter's insertion
/// point.
struct Sizes {
  OpFoldResult batch, nq, nk, hq, hkv, d, dv;
  int64_t group;

  Sizes(OpBuilder &b, Location loc, AttentionInterface op)
      : batch(tensor::getMixedSize(b, loc, op.getQuery(), 0)),
        nq(tensor::getMixedSize(b, loc, op.getQuery(), 1)),
        nk(tensor::getMixedSize(b, loc, op.getKey(), 1)),
        hq(b.getIndexAttr(op.getNumQueryHeads())),
        hkv(b.getIndexAttr(op.getNumKVHeads())),
        d(b.getIndexAttr(op.getHeadDim())),
        dv(b.getIndexAttr(op.getValueHeadDim())), group(op.getGroupSize()) {}
};

/// out[b, h, i, j] = sum_x rows[b, i, h, x] * keys[b, j, h / g, x] in f32:
/// S from q and k (step 1 of the definition), dP from dO and v.
static Value timesKeysTransposed(OpBuilder &rewriter, Location loc,
                                 MLIRContext *ctx, Value rows, Value keys,
                                 const Sizes &sz) {
  AffineExpr b, h, i, j, x;
  bindDims(ctx, b, h, i, j, x);
  Value init = createZeroTensor(rewriter, loc, {sz.batch, sz.hq, sz.nq, sz.nk});
  SmallVector<AffineMap> maps = {
      AffineMap::get(5, 0, {b, i, h, x}, ctx),
      AffineMap::get(5, 0, {b, j, h.floorDiv(sz.group), x}, ctx),
      AffineMap::get(5, 0, {b, h, i, j}, ctx)};
  return contract(rewriter, loc, rows, keys, init, maps,
                  {par, par, par, par, red});
}

/// out[b, i, h, x] = sum_j scores[b, h, i, j] * keys[b, j, h / g, x] in
/// f32, `cols` columns: O from P and v, dQ from dS and k.
static Value timesKeys(OpBuilder &rewriter, Location loc, MLIRContext *ctx,
                       Value scores, Value keys, OpFoldResult cols,
                       const Sizes &sz) {
  AffineExpr b, i, h, x, j;
  bindDims(ctx, b, i, h, x, j);
  Value init = createZeroTensor(rewriter, loc, {sz.batch, sz.nq, sz.hq, cols});
  SmallVector<AffineMap> maps = {
      AffineMap::get(5, 0, {b, h, i, j}, ctx),
      AffineMap::get(5, 0, {b, j, h.floorDiv(sz.group), x}, ctx),
      AffineMap::get(5, 0, {b, i, h, x}, ctx)};
  return contract(rewriter, loc, scores, keys, init, maps,
                  {par, par, par, par, red});
}

/// Step 2: P[b, h, i, j] = visible(i, j) ? sigmoid(X) : 0 with
/// X = scale * S + bias - slope * |i + Nk - Nq - j|.
static Value buildProbs(OpBuilder &rewriter, Location loc,
                        AttentionInterface op, const Sizes &sz, Value scores) {
  MLIRContext *ctx = op.getContext();
  Value slopes = op.getAlibiSlopes();
  Value nqValue = getValueOrCreateConstantIndexOp(rewriter, loc, sz.nq);
  Value nkValue = getValueOrCreateConstantIndexOp(rewriter, loc, sz.nk);
  Value diagOffset = arith::SubIOp::create(rewriter, loc, nkValue, nqValue);
  // Attributes become constants in the body; run-time operands are used
  // from above.
  float scale = op.getEffectiveScale();
  float bias = op.getEffectiveBias();
  Value scaleOperand = op.getScaleValue(), biasOperand = op.getBiasValue();
  int64_t left = op.getEffectiveLeft();
  int64_t right = op.getEffectiveRight();

  AffineExpr pb, ph, pi, pj;
  bindDims(ctx, pb, ph, pi, pj);
  SmallVector<Value> probInputs = {scores};
  SmallVector<AffineMap> probMaps = {
      AffineMap::get(4, 0, {pb, ph, pi, pj}, ctx)};
  if (slopes) {
    probInputs.push_back(slopes);
    probMaps.push_back(op.hasBatchedAlibi()
                           ? AffineMap::get(4, 0, {pb, ph}, ctx)
                           : AffineMap::get(4, 0, {ph}, ctx));
  }
  Value probInit = tensor::EmptyOp::create(
      rewriter, loc, {sz.batch, sz.hq, sz.nq, sz.nk}, rewriter.getF32Type());
  probMaps.push_back(AffineMap::get(4, 0, {pb, ph, pi, pj}, ctx));

  auto buildProbBody = [&](OpBuilder &nb, Location l, ValueRange args) {
    Type f32 = nb.getF32Type();
    auto f32Const = [&](float x) -> Value {
      return arith::ConstantOp::create(nb, l, nb.getF32FloatAttr(x));
    };
    Value row = linalg::IndexOp::create(nb, l, 2);
    Value col = linalg::IndexOp::create(nb, l, 3);
    // diag = i + Nk - Nq: the key aligned with query i.
    Value diag = arith::AddIOp::create(nb, l, row, diagOffset);

    // X = scale * S + bias
    Value x = arith::MulFOp::create(
        nb, l, args[0], scaleOperand ? scaleOperand : f32Const(scale));
    x = arith::AddFOp::create(nb, l, x,
                              biasOperand ? biasOperand : f32Const(bias));
    if (slopes) {
      // X -= slope * |diag - j|
      Value dist = arith::SubIOp::create(nb, l, diag, col);
      dist = arith::IndexCastOp::create(nb, l, nb.getI64Type(), dist);
      dist = math::AbsIOp::create(nb, l, dist);
      Value distF = arith::SIToFPOp::create(nb, l, f32, dist);
      Value penalty = arith::MulFOp::create(nb, l, args[1], distF);
      x = arith::SubFOp::create(nb, l, x, penalty);
    }

    // P = 1 / (1 + exp(-X))
    Value negX = arith::NegFOp::create(nb, l, x);
    Value expNegX = math::ExpOp::create(nb, l, negX);
    Value denom = arith::AddFOp::create(nb, l, f32Const(1.0f), expNegX);
    Value prob = arith::DivFOp::create(nb, l, f32Const(1.0f), denom);

    // Visible iff diag - left <= j <= diag + right (a side of -1 is open).
    Value visible;
    auto andVisible = [&](Value cond) {
      visible = visible
                    ? arith::AndIOp::create(nb, l, visible, cond).getResult()
                    : cond;
    };
    if (left != kUnboundedSide) {
      Value lo = arith::SubIOp::create(
          nb, l, diag, arith::ConstantIndexOp::create(nb, l, left));
      andVisible(
          arith::CmpIOp::create(nb, l, arith::CmpIPredicate::sge, col, lo));
    }
    if (right != kUnboundedSide) {
      Value hi = arith::AddIOp::create(
          nb, l, diag, arith::ConstantIndexOp::create(nb, l, right));
      andVisible(
          arith::CmpIOp::create(nb, l, arith::CmpIPredicate::sle, col, hi));
    }
    if (visible)
      prob = arith::SelectOp::create(nb, l, visible, prob, f32Const(0.0f));
    linalg::YieldOp::create(nb, l, prob);
  };
  return linalg::GenericOp::create(rewriter, loc, probInit.getType(),
                                   probInputs, ValueRange{probInit}, probMaps,
                                   {par, par, par, par}, buildProbBody)
      .getResult(0);
}

/// The f32 tensor `t` truncated to `resultType`'s element type, cast to
/// `resultType` (whose dynamic sizes `t` may know).
static Value truncTo(OpBuilder &rewriter, Location loc, Value t,
                     RankedTensorType resultType) {
  Type elementType = resultType.getElementType();
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(rewriter, loc, t);
  Value init = tensor::EmptyOp::create(rewriter, loc, sizes, elementType);
  AffineMap identity = rewriter.getMultiDimIdentityMap(4);
  Value result =
      linalg::GenericOp::create(
          rewriter, loc, init.getType(), ValueRange{t}, ValueRange{init},
          SmallVector<AffineMap>{identity, identity}, {par, par, par, par},
          [&](OpBuilder &nb, Location l, ValueRange args) {
            Value x = arith::TruncFOp::create(nb, l, elementType, args[0]);
            linalg::YieldOp::create(nb, l, x);
          })
          .getResult(0);
  if (result.getType() != resultType)
    result = tensor::CastOp::create(rewriter, loc, resultType, result);
  return result;
}

struct AttentionOpToLinalg : public OpRewritePattern<AttentionOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(AttentionOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    Sizes sz(rewriter, loc, op);

    // Step 1. S = q . k^T; step 2. P.
    Value scores =
        timesKeysTransposed(rewriter, loc, ctx, op.getQuery(), op.getKey(), sz);
    Value probs = buildProbs(rewriter, loc, op, sz, scores);

    // Step 3. O[b, i, h, e] = sum_j P[b, h, i, j] * v[b, j, h / g, e].
    Value out = timesKeys(rewriter, loc, ctx, probs, op.getValue(), sz.dv, sz);

    // Step 4. result = truncf(O) in the input element type.
    rewriter.replaceOp(op, truncTo(rewriter, loc, out, op.getResultType()));
    return success();
  }
};

/// `t` with its head dimension `dim` (Hq) split into [Hkv, g].
static Value splitHeads(OpBuilder &b, Location loc, Value t, int64_t dim,
                        const Sizes &sz) {
  auto type = cast<RankedTensorType>(t.getType());
  SmallVector<OpFoldResult> sizes;
  SmallVector<int64_t> shape;
  SmallVector<ReassociationIndices> reassociation;
  for (int64_t i = 0; i < type.getRank(); ++i) {
    int64_t first = sizes.size();
    if (i == dim) {
      sizes.append({sz.hkv, b.getIndexAttr(sz.group)});
      shape.append({type.getDimSize(i) / sz.group, sz.group});
      reassociation.push_back({first, first + 1});
      continue;
    }
    // The size may fold to a constant where the type is dynamic: the type
    // of the result follows the source's.
    sizes.push_back(tensor::getMixedSize(b, loc, t, i));
    shape.push_back(type.getDimSize(i));
    reassociation.push_back({first});
  }
  auto expanded = RankedTensorType::get(shape, type.getElementType());
  return tensor::ExpandShapeOp::create(b, loc, expanded, t, reassociation,
                                       sizes);
}

/// The reference expansion of the backward pass. With P as in the forward
/// op (0 where masked), per batch and query head h (key/value head h / g):
///   dV = P^T . dO, dP = dO . V^T, dS = scale * dP * P * (1 - P),
///   dQ = dS . K, dK = dS^T . Q,
/// dV and dK summed over the g query heads of a key/value head.
struct AttentionGradOpToLinalg : public OpRewritePattern<AttentionGradOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(AttentionGradOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    Sizes sz(rewriter, loc, op);
    Value q = op.getQuery(), k = op.getKey(), v = op.getValue();
    Value dO = op.getGradOutput();

    // Steps 1 and 2 of the forward definition: S, then P.
    Value scores = timesKeysTransposed(rewriter, loc, ctx, q, k, sz);
    Value probs = buildProbs(rewriter, loc, op, sz, scores);

    // The products summed over a key/value head's g query heads and the
    // queries: out[b, j, kh, x] = sum_{gi, i} lhs[b, kh, gi, i, j] *
    // rhs[b, i, kh, gi, x], with lhs [B, Hq, Nq, Nk] and rhs [B, Nq, Hq, X]
    // split into [Hkv, g] heads.
    AffineExpr b, j, kh, x, gi, i;
    bindDims(ctx, b, j, kh, x, gi, i);
    SmallVector<AffineMap> groupMaps = {
        AffineMap::get(6, 0, {b, kh, gi, i, j}, ctx),
        AffineMap::get(6, 0, {b, i, kh, gi, x}, ctx),
        AffineMap::get(6, 0, {b, j, kh, x}, ctx)};
    auto sumOverQueries = [&](Value lhs, Value rhs, OpFoldResult cols) {
      Value init =
          createZeroTensor(rewriter, loc, {sz.batch, sz.nk, sz.hkv, cols});
      return contract(rewriter, loc, splitHeads(rewriter, loc, lhs, 1, sz),
                      splitHeads(rewriter, loc, rhs, 2, sz), init, groupMaps,
                      {par, par, par, par, red, red});
    };

    // Step 3. dV[b, j, kh, e] = sum_{gi, i} P[b, kh * g + gi, i, j] *
    //         dO[b, i, kh * g + gi, e].
    Value dv = sumOverQueries(probs, dO, sz.dv);

    // Step 4. dP[b, h, i, j] = sum_e dO[b, i, h, e] * v[b, j, h / g, e].
    Value dp = timesKeysTransposed(rewriter, loc, ctx, dO, v, sz);

    // Step 5. dS = scale * dP * P * (1 - P): 0 where P is masked to 0.
    Value scaleOperand = op.getScaleValue();
    float scale = op.getEffectiveScale();
    AffineMap identity = rewriter.getMultiDimIdentityMap(4);
    Value dsInit = tensor::EmptyOp::create(
        rewriter, loc, {sz.batch, sz.hq, sz.nq, sz.nk}, rewriter.getF32Type());
    Value ds =
        linalg::GenericOp::create(
            rewriter, loc, dsInit.getType(), ValueRange{dp, probs},
            ValueRange{dsInit},
            SmallVector<AffineMap>{identity, identity, identity},
            {par, par, par, par},
            [&](OpBuilder &nb, Location l, ValueRange args) {
              Value one =
                  arith::ConstantOp::create(nb, l, nb.getF32FloatAttr(1.0f));
              Value s = scaleOperand ? scaleOperand
                                     : arith::ConstantOp::create(
                                           nb, l, nb.getF32FloatAttr(scale))
                                           .getResult();
              Value p = args[1];
              Value oneMinusP = arith::SubFOp::create(nb, l, one, p);
              Value grad = arith::MulFOp::create(nb, l, args[0], p);
              grad = arith::MulFOp::create(nb, l, grad, oneMinusP);
              grad = arith::MulFOp::create(nb, l, grad, s);
              linalg::YieldOp::create(nb, l, grad);
            })
            .getResult(0);

    // Step 6. dQ[b, i, h, d] = sum_j dS[b, h, i, j] * k[b, j, h / g, d].
    Value dq = timesKeys(rewriter, loc, ctx, ds, k, sz.d, sz);

    // Step 7. dK[b, j, kh, d] = sum_{gi, i} dS[b, kh * g + gi, i, j] *
    //         q[b, i, kh * g + gi, d].
    Value dk = sumOverQueries(ds, q, sz.d);

    // Step 8. The gradients in the input element type.
    rewriter.replaceOp(
        op, {truncTo(rewriter, loc, dq, op.getQueryGrad().getType()),
             truncTo(rewriter, loc, dk, op.getKeyGrad().getType()),
             truncTo(rewriter, loc, dv, op.getValueGrad().getType())});
    return success();
  }
};

struct ConvertSigAttnToLinalgPass
    : public sigattn::impl::ConvertSigAttnToLinalgBase<
          ConvertSigAttnToLinalgPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    populateSigAttnToLinalgPatterns(patterns);
    ConversionTarget target(*ctx);
    target.addIllegalOp<AttentionOp, AttentionGradOp>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void mlir::sigattn::populateSigAttnToLinalgPatterns(
    RewritePatternSet &patterns) {
  patterns.add<AttentionOpToLinalg, AttentionGradOpToLinalg>(
      patterns.getContext());
}
