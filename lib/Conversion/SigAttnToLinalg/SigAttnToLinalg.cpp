//===- SigAttnToLinalg.cpp - reference expansion of sigattn.attention -----===//
//
// The executable specification of `sigattn.attention`: scores are
// materialized in f32 and every step of the definition is one linalg op.
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

struct AttentionOpToLinalg : public OpRewritePattern<AttentionOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(AttentionOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    Value q = op.getQuery(), k = op.getKey(), v = op.getValue();
    Value slopes = op.getAlibiSlopes();
    using utils::IteratorType;
    const IteratorType par = IteratorType::parallel;
    const IteratorType red = IteratorType::reduction;

    OpFoldResult batch = tensor::getMixedSize(rewriter, loc, q, 0);
    OpFoldResult nq = tensor::getMixedSize(rewriter, loc, q, 1);
    OpFoldResult nk = tensor::getMixedSize(rewriter, loc, k, 1);
    OpFoldResult hq = rewriter.getIndexAttr(op.getNumQueryHeads());
    OpFoldResult dv = rewriter.getIndexAttr(op.getValueHeadDim());
    int64_t group = op.getGroupSize();

    // Step 1. S[b, h, i, j] = sum_d q[b, i, h, d] * k[b, j, h / g, d].
    AffineExpr b, h, i, j, d;
    bindDims(ctx, b, h, i, j, d);
    Value scoresInit = createZeroTensor(rewriter, loc, {batch, hq, nq, nk});
    SmallVector<AffineMap> scoreMaps = {
        AffineMap::get(5, 0, {b, i, h, d}, ctx),
        AffineMap::get(5, 0, {b, j, h.floorDiv(group), d}, ctx),
        AffineMap::get(5, 0, {b, h, i, j}, ctx)};
    Value scores =
        linalg::GenericOp::create(rewriter, loc, scoresInit.getType(),
                                  ValueRange{q, k}, ValueRange{scoresInit},
                                  scoreMaps, {par, par, par, par, red},
                                  buildMulAccBody)
            .getResult(0);

    // Step 2. P = visible(i, j) ? sigmoid(X) : 0 with
    //         X = scale * S + bias - slope * |i + Nk - Nq - j|.
    Value nqValue = getValueOrCreateConstantIndexOp(rewriter, loc, nq);
    Value nkValue = getValueOrCreateConstantIndexOp(rewriter, loc, nk);
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
    Value probInit =
        tensor::EmptyOp::create(rewriter, loc, {batch, hq, nq, nk},
                                rewriter.getF32Type());
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
        visible = visible ? arith::AndIOp::create(nb, l, visible, cond)
                                .getResult()
                          : cond;
      };
      if (left != AttentionOp::kUnbounded) {
        Value lo = arith::SubIOp::create(
            nb, l, diag, arith::ConstantIndexOp::create(nb, l, left));
        andVisible(arith::CmpIOp::create(nb, l, arith::CmpIPredicate::sge,
                                         col, lo));
      }
      if (right != AttentionOp::kUnbounded) {
        Value hi = arith::AddIOp::create(
            nb, l, diag, arith::ConstantIndexOp::create(nb, l, right));
        andVisible(arith::CmpIOp::create(nb, l, arith::CmpIPredicate::sle,
                                         col, hi));
      }
      if (visible)
        prob = arith::SelectOp::create(nb, l, visible, prob, f32Const(0.0f));
      linalg::YieldOp::create(nb, l, prob);
    };
    Value probs = linalg::GenericOp::create(
                      rewriter, loc, probInit.getType(), probInputs,
                      ValueRange{probInit}, probMaps, {par, par, par, par},
                      buildProbBody)
                      .getResult(0);

    // Step 3. O[b, i, h, e] = sum_j P[b, h, i, j] * v[b, j, h / g, e].
    AffineExpr ob, oi, oh, oe, oj;
    bindDims(ctx, ob, oi, oh, oe, oj);
    Value outInit = createZeroTensor(rewriter, loc, {batch, nq, hq, dv});
    SmallVector<AffineMap> outMaps = {
        AffineMap::get(5, 0, {ob, oh, oi, oj}, ctx),
        AffineMap::get(5, 0, {ob, oj, oh.floorDiv(group), oe}, ctx),
        AffineMap::get(5, 0, {ob, oi, oh, oe}, ctx)};
    Value out = linalg::GenericOp::create(rewriter, loc, outInit.getType(),
                                          ValueRange{probs, v},
                                          ValueRange{outInit}, outMaps,
                                          {par, par, par, par, red},
                                          buildMulAccBody)
                    .getResult(0);

    // Step 4. result = truncf(O) in the input element type.
    Type elementType = op.getResultType().getElementType();
    Value resultInit = tensor::EmptyOp::create(
        rewriter, loc, {batch, nq, hq, dv}, elementType);
    AffineMap identity = rewriter.getMultiDimIdentityMap(4);
    Value result =
        linalg::GenericOp::create(
            rewriter, loc, resultInit.getType(), ValueRange{out},
            ValueRange{resultInit}, SmallVector<AffineMap>{identity, identity},
            {par, par, par, par},
            [&](OpBuilder &nb, Location l, ValueRange args) {
              Value t = arith::TruncFOp::create(nb, l, elementType, args[0]);
              linalg::YieldOp::create(nb, l, t);
            })
            .getResult(0);
    if (result.getType() != op.getResultType())
      result = tensor::CastOp::create(rewriter, loc, op.getResultType(), result);
    rewriter.replaceOp(op, result);
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
    target.addIllegalOp<AttentionOp>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void mlir::sigattn::populateSigAttnToLinalgPatterns(
    RewritePatternSet &patterns) {
  patterns.add<AttentionOpToLinalg>(patterns.getContext());
}
