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

/// The f32 widening of a vector.
static Value widen(OpBuilder &b, Location loc, Value v) {
  auto type = cast<VectorType>(v.getType());
  return arith::ExtFOp::create(b, loc, type.clone(b.getF32Type()), v);
}

/// What a tile step of a band computes first, in its orientation (rows:
/// the block's tile; columns: the tile of this step):
///   S[r, c] = scale * rows[r] . cols[c] + bias - slope * |r + off - c|
///   P[r, c] = sigmoid(S[r, c]), 0 on boundary tiles unless c < Ncols and
///             r + off - left <= c <= r + off + right,
/// with row and column indices counted from rowStart and colStart and
/// off = Ncols - Nrows.
static Value sigmoidScores(OpBuilder &b, Location loc, TileStepInterface step,
                           Value rowTile, Value colTile, Value colStart,
                           Value slope, Value scale, Value bias) {
  int64_t rows = cast<VectorType>(rowTile.getType()).getDimSize(0);
  int64_t cols = cast<VectorType>(colTile.getType()).getDimSize(0);
  Type f32 = b.getF32Type();
  Type idx = b.getIndexType();
  auto scoreType = VectorType::get({rows, cols}, f32);
  auto indexType = VectorType::get({rows, cols}, idx);
  auto splat = [&](float v) -> Value {
    return arith::ConstantOp::create(b, loc, scoreType,
                                     DenseElementsAttr::get(scoreType, v));
  };
  auto broadcast = [&](Value scalar) -> Value {
    return vector::BroadcastOp::create(
        b, loc, isa<IndexType>(scalar.getType()) ? indexType : scoreType,
        scalar);
  };

  // Step 1. S = scale * rows . cols^T + bias, in f32.
  Value s = contract(b, loc, widen(b, loc, rowTile), widen(b, loc, colTile),
                     splat(0.0f), /*rhsTransposed=*/true);
  s = arith::MulFOp::create(b, loc, s, broadcast(scale));
  s = arith::AddFOp::create(b, loc, s, broadcast(bias));

  // diag[r, c] = row + off, the column aligned with the row.
  Value colCount = memref::DimOp::create(b, loc, step.getColumnSource(), 1);
  Value off = arith::SubIOp::create(b, loc, colCount, step.getRowCount());
  Value diagStart = arith::AddIOp::create(b, loc, step.getRowStart(), off);
  Value diag = indexGrid(b, loc, rows, cols, diagStart, /*alongRows=*/true);
  Value col = indexGrid(b, loc, rows, cols, colStart, /*alongRows=*/false);

  // Step 2. S -= slope * |diag - col|.
  if (slope) {
    // |diag - col| = max(diag - col, col - diag)
    Value dist =
        arith::MaxSIOp::create(b, loc, arith::SubIOp::create(b, loc, diag, col),
                               arith::SubIOp::create(b, loc, col, diag));
    dist = arith::IndexCastOp::create(
        b, loc, VectorType::get({rows, cols}, b.getI64Type()), dist);
    Value distF = arith::SIToFPOp::create(b, loc, scoreType, dist);
    Value penalty = arith::MulFOp::create(b, loc, broadcast(slope), distF);
    s = arith::SubFOp::create(b, loc, s, penalty);
  }

  // Step 3. P = 1 / (1 + exp(-S)).
  Value p = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, s));
  p = arith::AddFOp::create(b, loc, splat(1.0f), p);
  p = arith::DivFOp::create(b, loc, splat(1.0f), p);

  // Step 4. Boundary tiles only: P = 0 unless col < Ncols and
  // diag - left <= col <= diag + right.
  if (!step.isMasked())
    return p;
  Value visible = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, col,
                                        broadcast(colCount));
  auto andVisible = [&](arith::CmpIPredicate pred, Value bound) {
    visible = arith::AndIOp::create(
        b, loc, visible, arith::CmpIOp::create(b, loc, pred, col, bound));
  };
  if (step.getRowLeft() != kUnboundedSide)
    andVisible(
        arith::CmpIPredicate::sge,
        arith::SubIOp::create(b, loc, diag,
                              broadcast(cstIndex(b, loc, step.getRowLeft()))));
  if (step.getRowRight() != kUnboundedSide)
    andVisible(
        arith::CmpIPredicate::sle,
        arith::AddIOp::create(b, loc, diag,
                              broadcast(cstIndex(b, loc, step.getRowRight()))));
  return arith::SelectOp::create(b, loc, visible, p, splat(0.0f));
}

/// dS = dP * P * (1 - P) * scale with dP = gradRows . values^T: the score
/// gradient of P from the rows of dO (or V) against the columns of V (or
/// dO), in f32.
static Value scoreGradient(OpBuilder &b, Location loc, Value gradRows,
                           Value values, Value p, Value scale) {
  auto type = cast<VectorType>(p.getType());
  auto splat = [&](float v) -> Value {
    return arith::ConstantOp::create(b, loc, type,
                                     DenseElementsAttr::get(type, v));
  };
  Value dp = contract(b, loc, widen(b, loc, gradRows), widen(b, loc, values),
                      splat(0.0f), /*rhsTransposed=*/true);
  Value ds = arith::MulFOp::create(b, loc, dp, p);
  ds = arith::MulFOp::create(b, loc, ds,
                             arith::SubFOp::create(b, loc, splat(1.0f), p));
  return arith::MulFOp::create(
      b, loc, ds, vector::BroadcastOp::create(b, loc, type, scale));
}

/// The two column tiles of a step (K and V, or Q and dO): `block` rows from
/// row tile * block of head `head`, zero past the end. Returns the first
/// row and the two tiles.
static std::tuple<Value, Value, Value>
readColumnTiles(OpBuilder &b, Location loc, Value tile, int64_t block,
                Value batch, Value head, Value first, Value second) {
  Value start = arith::MulIOp::create(b, loc, tile, cstIndex(b, loc, block));
  auto tileOf = [&](Value mem) {
    auto type = cast<MemRefType>(mem.getType());
    return readTile(
        b, loc,
        VectorType::get({block, type.getDimSize(3)}, type.getElementType()),
        mem, batch, head, start);
  };
  return {start, tileOf(first), tileOf(second)};
}

struct TileStepLowering : public OpRewritePattern<TileStepOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TileStepOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    // K and V tiles, zero past the end of the keys; P as the band says.
    auto [k0, kTile, vTile] = readColumnTiles(
        rewriter, loc, op.getKTile(), op.getBlockK(), op.getBatch(),
        op.getKvHead(), op.getKey(), op.getValue());
    Value p = sigmoidScores(rewriter, loc, op, op.getQTile(), kTile, k0,
                            op.getAlibiSlope(), op.getScaleAsValue(rewriter),
                            op.getBiasAsValue(rewriter));

    // acc += P . V.
    rewriter.replaceOp(op, contract(rewriter, loc, p,
                                    widen(rewriter, loc, vTile), op.getAcc(),
                                    /*rhsTransposed=*/false));
    return success();
  }
};

struct GradQStepLowering : public OpRewritePattern<GradQStepOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GradQStepOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value scale = op.getScaleAsValue(rewriter);
    auto [k0, kTile, vTile] = readColumnTiles(
        rewriter, loc, op.getKTile(), op.getBlockK(), op.getBatch(),
        op.getKvHead(), op.getKey(), op.getValue());
    Value p =
        sigmoidScores(rewriter, loc, op, op.getQTile(), kTile, k0,
                      op.getAlibiSlope(), scale, op.getBiasAsValue(rewriter));

    // dS from dP = dO . V^T; acc += dS . K.
    Value ds = scoreGradient(rewriter, loc, op.getDoTile(), vTile, p, scale);
    rewriter.replaceOp(op, contract(rewriter, loc, ds,
                                    widen(rewriter, loc, kTile), op.getAcc(),
                                    /*rhsTransposed=*/false));
    return success();
  }
};

struct GradKVStepLowering : public OpRewritePattern<GradKVStepOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GradKVStepOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value scale = op.getScaleAsValue(rewriter);
    // Q and dO tiles of query head `head`, zero past the end of the
    // queries; P in the keys' orientation (rows: keys, columns: queries).
    auto [q0, qTile, doTile] = readColumnTiles(
        rewriter, loc, op.getQTile(), op.getBlockQ(), op.getBatch(),
        op.getHead(), op.getQuery(), op.getGradOutput());
    Value p =
        sigmoidScores(rewriter, loc, op, op.getKTile(), qTile, q0,
                      op.getAlibiSlope(), scale, op.getBiasAsValue(rewriter));

    // dv += P . dO; dS from dP = V . dO^T; dk += dS . Q.
    Value dv = contract(rewriter, loc, p, widen(rewriter, loc, doTile),
                        op.getDvAcc(), /*rhsTransposed=*/false);
    Value ds = scoreGradient(rewriter, loc, op.getVTile(), doTile, p, scale);
    Value dk = contract(rewriter, loc, ds, widen(rewriter, loc, qTile),
                        op.getDkAcc(), /*rhsTransposed=*/false);

    // dq(%accum): accum[q0 + c, :] += (dS^T)^T . K for the queries in bounds
    // (the transfers drop rows past Nq; rows past Nk have K = 0).
    if (Value accum = op.getDqAccum()) {
      Value rows = headRows(rewriter, loc, accum, op.getBatch(), op.getHead());
      auto sumsType =
          cast<VectorType>(qTile.getType()).clone(rewriter.getF32Type());
      Value zero = arith::ConstantOp::create(rewriter, loc,
                                             rewriter.getF32FloatAttr(0.0f));
      Value start = cstIndex(rewriter, loc, 0);
      Value sums = vector::TransferReadOp::create(rewriter, loc, sumsType, rows,
                                                  ValueRange{q0, start}, zero,
                                                  ArrayRef<bool>{false, true});
      Value dsT = vector::TransposeOp::create(rewriter, loc, ds,
                                              ArrayRef<int64_t>{1, 0});
      sums = contract(rewriter, loc, dsT, widen(rewriter, loc, op.getKTile()),
                      sums, /*rhsTransposed=*/false);
      vector::TransferWriteOp::create(rewriter, loc, sums, rows,
                                      ValueRange{q0, start},
                                      ArrayRef<bool>{false, true});
    }
    rewriter.replaceOp(op, {dk, dv});
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
    target.addIllegalOp<LoadTileOp, TileStepOp, GradQStepOp, GradKVStepOp,
                        StoreTileOp>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void mlir::sigattn::populateSigAttnTilesToVectorPatterns(
    RewritePatternSet &patterns) {
  patterns.add<LoadTileLowering, StoreTileLowering, TileStepLowering,
               GradQStepLowering, GradKVStepLowering>(patterns.getContext());
}
