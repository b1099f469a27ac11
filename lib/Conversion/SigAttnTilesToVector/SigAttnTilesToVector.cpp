//===- SigAttnTilesToVector.cpp - portable lowering of sigattn tile ops ---===//
//
// Tile ops become whole-tile vector ops: transfers with zero padding, two
// vector.contract in f32, elementwise math. Used on the CPU to run the tiled
// loops against the reference; the GPU backends lower the same tile ops to
// tensor-core code instead.
//
//===----------------------------------------------------------------------===//

#include "sigattn/Conversion/SigAttnTilesToVector/SigAttnTilesToVector.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/DialectConversion.h"
#include "sigattn/Dialect/SigAttn/IR/SigAttnOps.h"

namespace mlir::sigattn {
#define GEN_PASS_DEF_CONVERTSIGATTNTILESTOVECTOR
#include "sigattn/Conversion/Passes.h.inc"
} // namespace mlir::sigattn

using namespace mlir;
using namespace mlir::sigattn;

namespace {

static Value cstIndex(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

/// The [N, D] rows of head `head` of batch `batch` in a [B, N, H, D] memref.
static Value headRows(OpBuilder &b, Location loc, Value mem, Value batch,
                      Value head) {
  auto type = cast<MemRefType>(mem.getType());
  SmallVector<OpFoldResult> offsets = {batch, b.getIndexAttr(0), head,
                                       b.getIndexAttr(0)};
  SmallVector<OpFoldResult> sizes = {
      b.getIndexAttr(1), memref::getMixedSize(b, loc, mem, 1),
      b.getIndexAttr(1), b.getIndexAttr(type.getDimSize(3))};
  SmallVector<OpFoldResult> strides(4, b.getIndexAttr(1));
  auto viewType = memref::SubViewOp::inferRankReducedResultType(
      {type.getDimSize(1), type.getDimSize(3)}, type, offsets, sizes, strides);
  return memref::SubViewOp::create(b, loc, cast<MemRefType>(viewType), mem,
                                   offsets, sizes, strides);
}

/// rows x cols tile of `mem`'s head rows from row `rowStart`, 0 past the end.
static Value readTile(OpBuilder &b, Location loc, VectorType type, Value mem,
                      Value batch, Value head, Value rowStart) {
  Value rows = headRows(b, loc, mem, batch, head);
  Value pad = arith::ConstantOp::create(
      b, loc, b.getFloatAttr(type.getElementType(), 0.0));
  return vector::TransferReadOp::create(
      b, loc, type, rows, ValueRange{rowStart, cstIndex(b, loc, 0)}, pad,
      ArrayRef<bool>{false, true});
}

/// A [rows, cols] vector whose element (r, c) is `start + r` (alongRows) or
/// `start + c`, as index.
static Value indexGrid(OpBuilder &b, Location loc, int64_t rows, int64_t cols,
                       Value start, bool alongRows) {
  Type idx = b.getIndexType();
  int64_t n = alongRows ? rows : cols;
  Value iota = vector::StepOp::create(b, loc, VectorType::get({n}, idx));
  Value base = vector::BroadcastOp::create(b, loc, VectorType::get({n}, idx),
                                           start);
  Value line = arith::AddIOp::create(b, loc, iota, base);
  auto grid = VectorType::get({rows, cols}, idx);
  if (!alongRows)
    return vector::BroadcastOp::create(b, loc, grid, line);
  Value column = vector::ShapeCastOp::create(
      b, loc, VectorType::get({rows, 1}, idx), line);
  return vector::BroadcastOp::create(b, loc, grid, column);
}

/// acc + lhs . rhs over the shared dimension; lhs [m, k], rhs [n, k] when
/// rhsTransposed, else [k, n].
static Value contract(OpBuilder &b, Location loc, Value lhs, Value rhs,
                      Value acc, bool rhsTransposed) {
  MLIRContext *ctx = b.getContext();
  AffineExpr m, n, k;
  bindDims(ctx, m, n, k);
  auto map = [&](ArrayRef<AffineExpr> e) { return AffineMap::get(3, 0, e, ctx); };
  ArrayAttr maps = b.getAffineMapArrayAttr(
      {map({m, k}), rhsTransposed ? map({n, k}) : map({k, n}), map({m, n})});
  ArrayAttr iterators = b.getArrayAttr(
      {vector::IteratorTypeAttr::get(ctx, vector::IteratorType::parallel),
       vector::IteratorTypeAttr::get(ctx, vector::IteratorType::parallel),
       vector::IteratorTypeAttr::get(ctx, vector::IteratorType::reduction)});
  return vector::ContractionOp::create(b, loc, lhs, rhs, acc, maps, iterators);
}

struct LoadTileLowering : public OpRewritePattern<LoadTileOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LoadTileOp op,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, readTile(rewriter, op.getLoc(), op.getType(),
                                    op.getSource(), op.getBatch(),
                                    op.getHead(), op.getRowStart()));
    return success();
  }
};

struct StoreTileLowering : public OpRewritePattern<StoreTileOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(StoreTileOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    VectorType accType = op.getTile().getType();
    Type elementType = op.getDest().getType().getElementType();
    Value narrow = arith::TruncFOp::create(
        rewriter, loc, accType.clone(elementType), op.getTile());
    Value rows =
        headRows(rewriter, loc, op.getDest(), op.getBatch(), op.getHead());
    rewriter.replaceOpWithNewOp<vector::TransferWriteOp>(
        op, narrow, rows,
        ValueRange{op.getRowStart(), cstIndex(rewriter, loc, 0)},
        ArrayRef<bool>{false, true});
    return success();
  }
};

struct TileStepLowering : public OpRewritePattern<TileStepOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TileStepOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Type f32 = rewriter.getF32Type();
    int64_t bq = op.getBlockQ(), bk = op.getBlockK();
    int64_t d = op.getQTile().getType().getDimSize(1);
    int64_t dv = op.getAcc().getType().getDimSize(1);
    Type elementType = op.getKey().getType().getElementType();
    auto scoreType = VectorType::get({bq, bk}, f32);
    auto splat = [&](float v) -> Value {
      return arith::ConstantOp::create(
          rewriter, loc, scoreType, DenseElementsAttr::get(scoreType, v));
    };

    // Step 1. K and V tiles, zero past the end of the keys.
    Value k0 = arith::MulIOp::create(rewriter, loc, op.getKTile(),
                                     cstIndex(rewriter, loc, bk));
    Value kTile = readTile(rewriter, loc, VectorType::get({bk, d}, elementType),
                           op.getKey(), op.getBatch(), op.getKvHead(), k0);
    Value vTile =
        readTile(rewriter, loc, VectorType::get({bk, dv}, elementType),
                 op.getValue(), op.getBatch(), op.getKvHead(), k0);

    // Step 2. S = scale * Q.K^T + bias, in f32.
    auto widen = [&](Value v) -> Value {
      auto type = cast<VectorType>(v.getType());
      return arith::ExtFOp::create(rewriter, loc, type.clone(f32), v);
    };
    Value s = contract(rewriter, loc, widen(op.getQTile()), widen(kTile),
                       splat(0.0f), /*rhsTransposed=*/true);
    auto broadcast = [&](Value scalar) -> Value {
      return vector::BroadcastOp::create(rewriter, loc, scoreType, scalar);
    };
    s = arith::MulFOp::create(rewriter, loc, s,
                              broadcast(op.getScaleAsValue(rewriter)));
    s = arith::AddFOp::create(rewriter, loc, s,
                              broadcast(op.getBiasAsValue(rewriter)));

    // diag[r, c] = i + Nk - Nq, the key aligned with query i = q_start + r.
    Value seqK = memref::DimOp::create(rewriter, loc, op.getKey(), 1);
    Value off = arith::SubIOp::create(rewriter, loc, seqK, op.getSeqQ());
    Value diagStart = arith::AddIOp::create(rewriter, loc, op.getQStart(), off);
    Value diag = indexGrid(rewriter, loc, bq, bk, diagStart, /*alongRows=*/true);
    Value col = indexGrid(rewriter, loc, bq, bk, k0, /*alongRows=*/false);
    auto indexScalar = [&](int64_t v) -> Value {
      return vector::BroadcastOp::create(
          rewriter, loc, VectorType::get({bq, bk}, rewriter.getIndexType()),
          cstIndex(rewriter, loc, v));
    };

    // Step 3. S -= slope * |diag - j|.
    if (Value slope = op.getAlibiSlope()) {
      // |diag - j| = max(diag - j, j - diag)
      Value dist = arith::MaxSIOp::create(
          rewriter, loc, arith::SubIOp::create(rewriter, loc, diag, col),
          arith::SubIOp::create(rewriter, loc, col, diag));
      dist = arith::IndexCastOp::create(
          rewriter, loc, VectorType::get({bq, bk}, rewriter.getI64Type()),
          dist);
      Value distF = arith::SIToFPOp::create(rewriter, loc, scoreType, dist);
      Value slopes = vector::BroadcastOp::create(rewriter, loc, scoreType, slope);
      Value penalty = arith::MulFOp::create(rewriter, loc, slopes, distF);
      s = arith::SubFOp::create(rewriter, loc, s, penalty);
    }

    // Step 4. P = 1 / (1 + exp(-S)).
    Value p = math::ExpOp::create(rewriter, loc,
                                  arith::NegFOp::create(rewriter, loc, s));
    p = arith::AddFOp::create(rewriter, loc, splat(1.0f), p);
    p = arith::DivFOp::create(rewriter, loc, splat(1.0f), p);

    // Step 5. Boundary tiles only: P = 0 unless j < Nk and
    // diag - left <= j <= diag + right.
    if (op.getMasked()) {
      Value seqKGrid = vector::BroadcastOp::create(
          rewriter, loc, VectorType::get({bq, bk}, rewriter.getIndexType()),
          seqK);
      Value visible = arith::CmpIOp::create(
          rewriter, loc, arith::CmpIPredicate::slt, col, seqKGrid);
      if (op.getLeft() != AttentionOp::kUnbounded) {
        Value lo = arith::SubIOp::create(rewriter, loc, diag,
                                         indexScalar(op.getLeft()));
        visible = arith::AndIOp::create(
            rewriter, loc, visible,
            arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::sge,
                                  col, lo));
      }
      if (op.getRight() != AttentionOp::kUnbounded) {
        Value hi = arith::AddIOp::create(rewriter, loc, diag,
                                         indexScalar(op.getRight()));
        visible = arith::AndIOp::create(
            rewriter, loc, visible,
            arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::sle,
                                  col, hi));
      }
      p = arith::SelectOp::create(rewriter, loc, visible, p, splat(0.0f));
    }

    // Step 6. acc += P . V.
    Value acc = contract(rewriter, loc, p, widen(vTile), op.getAcc(),
                         /*rhsTransposed=*/false);
    rewriter.replaceOp(op, acc);
    return success();
  }
};

struct ConvertSigAttnTilesToVectorPass
    : public sigattn::impl::ConvertSigAttnTilesToVectorBase<
          ConvertSigAttnTilesToVectorPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    populateSigAttnTilesToVectorPatterns(patterns);
    ConversionTarget target(*ctx);
    target.addIllegalOp<LoadTileOp, TileStepOp, StoreTileOp>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void mlir::sigattn::populateSigAttnTilesToVectorPatterns(
    RewritePatternSet &patterns) {
  patterns.add<LoadTileLowering, StoreTileLowering, TileStepLowering>(
      patterns.getContext());
}
