//===- Tile.cpp - tile sigattn.attention into a grid and a KV loop --------===//
//
// sigattn.attention on tensors becomes a grid of (query tile, head, batch)
// over buffers, with one loop over the key/value tiles the mask can reach.
// Everything here is target independent: the tile ops it emits are lowered
// by the portable vector lowering or by an MMA backend.
//
//===----------------------------------------------------------------------===//

#include "sigattn/Dialect/SigAttn/Transforms/Passes.h"
#include "sigattn/Runtime/KernelABI.h"

#include "Band.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"
#include "sigattn/Dialect/SigAttn/IR/SigAttnOps.h"

namespace mlir::sigattn {
#define GEN_PASS_DEF_SIGATTNTILE
#include "sigattn/Dialect/SigAttn/Transforms/Passes.h.inc"
} // namespace mlir::sigattn

using namespace mlir;
using namespace mlir::sigattn;
namespace abi = ::sigattn::abi;

std::optional<std::string> mlir::sigattn::checkTileSizeOption(StringRef option,
                                                              int64_t value) {
  if (value >= 0 && value <= kMaxTileSize)
    return std::nullopt;
  return (option + "=" + Twine(value) +
          " is out of range (0 for the default, or 1 .. " +
          Twine(kMaxTileSize) + ")")
      .str();
}

FailureOr<MmaKind> mlir::sigattn::parseMmaKind(StringRef mma) {
  if (mma == "sync")
    return MmaKind::Sync;
  if (mma == "wgmma")
    return MmaKind::Wgmma;
  return failure();
}

FailureOr<DqKind> mlir::sigattn::parseDqKind(StringRef dq) {
  if (dq == "separate")
    return DqKind::Separate;
  if (dq == "reduce")
    return DqKind::Reduce;
  return failure();
}

FailureOr<StoreKind> mlir::sigattn::parseStoreKind(StringRef stores) {
  if (stores == "direct")
    return StoreKind::Direct;
  if (stores == "tma")
    return StoreKind::Tma;
  if (stores == "auto")
    return StoreKind::Auto;
  return failure();
}

FailureOr<LoadKind> mlir::sigattn::parseLoadKind(StringRef loads) {
  if (loads == "cp.async")
    return LoadKind::CpAsync;
  if (loads == "tma")
    return LoadKind::Tma;
  return failure();
}

FailureOr<ScheduleKind> mlir::sigattn::parseScheduleKind(StringRef schedule) {
  if (schedule == "cooperative")
    return ScheduleKind::Cooperative;
  if (schedule == "specialized")
    return ScheduleKind::Specialized;
  return failure();
}

std::optional<std::string>
mlir::sigattn::checkKVStagesOption(int64_t stages, ScheduleKind schedule) {
  if (stages == 0)
    return std::nullopt;
  if (stages < abi::kMinKVStages || stages > abi::kMaxKVStages)
    return ("kv-stages=" + Twine(stages) + " is out of range (0 for the " +
            "schedule's default, or " + Twine(abi::kMinKVStages) + " .. " +
            Twine(abi::kMaxKVStages) + ")")
        .str();
  if (stages != abi::kMinKVStages && schedule != ScheduleKind::Specialized)
    return ("kv-stages=" + Twine(stages) +
            " needs schedule=specialized (without a producer every warp "
            "loads one tile ahead into 2 stages)")
        .str();
  return std::nullopt;
}

TileSizes mlir::sigattn::getDefaultTileSizes(MmaKind kind, int64_t headDim,
                                             int64_t valueDim) {
  if (kind == MmaKind::Wgmma) {
    // Measured with the generation's default TMA loads (benchmarks/NOTES.md,
    // 2026-12-03): 64 x 96 (one warpgroup) at D = 64; 128 x 64 at D = 128,
    // where two warpgroups share each K/V tile (+19% full, +14% causal over
    // 64 x 48 at N = 8192); at D = 256 two warpgroups and 64 keys fit
    // shared memory.
    int64_t d = std::max(headDim, valueDim);
    if (d <= 64)
      return {/*blockQ=*/64, /*blockK=*/96};
    if (d <= 128)
      return {/*blockQ=*/128, /*blockK=*/64};
    return {/*blockQ=*/128, /*blockK=*/64};
  }
  // 128 query rows: two m16 tiles per warp for 4 warps share every K/V
  // fragment loaded from shared memory; 32 keys per tile keep S/P and the O
  // accumulator in registers. At D = 256 the O accumulator alone takes 128
  // registers per thread: 16 keys per tile keep the kernel clear of spills
  // (so does Dv = 256 with a smaller D).
  if (std::max(headDim, valueDim) <= 128)
    return {/*blockQ=*/128, /*blockK=*/32};
  return {/*blockQ=*/64, /*blockK=*/16};
}

TileSizes mlir::sigattn::getDefaultGradTileSizes(MmaKind kind, int64_t headDim,
                                                 int64_t valueDim) {
  // Provisional: the backward tile steps have the portable lowering only so
  // far; these become measured defaults with their tensor-core lowerings.
  (void)kind;
  (void)headDim;
  (void)valueDim;
  return {/*blockQ=*/64, /*blockK=*/64};
}

int64_t mlir::sigattn::getDefaultNumWarps(MmaKind kind, int64_t blockQ) {
  if (kind == MmaKind::Wgmma)
    return std::clamp<int64_t>(blockQ / 16, 4, kMaxWarps);
  return 4;
}

namespace {

/// An index constant.
static Value cst(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

/// The memref type a [B, N, H, D] tensor operand is read through.
static MemRefType bufferTypeOf(Value tensor) {
  auto type = cast<RankedTensorType>(tensor.getType());
  return MemRefType::get(type.getShape(), type.getElementType());
}

/// What every tiling of an attention op reads: q, k, v and the slopes
/// through buffers, the sizes, the scalars and the window.
struct TiledOperands {
  Value query, key, value, slopes;
  Value batch, seqQ, seqK;
  // Scale and bias: compiled-in attributes, or the op's f32 operands.
  Value scaleValue, biasValue;
  FloatAttr scale, bias;
  DenseI64ArrayAttr window;
  int64_t left, right, group;
  bool batchedAlibi;

  TiledOperands(RewriterBase &rewriter, Location loc, AttentionInterface op)
      : query(toBuffer(rewriter, loc, op.getQuery())),
        key(toBuffer(rewriter, loc, op.getKey())),
        value(toBuffer(rewriter, loc, op.getValue())),
        slopes(op.getAlibiSlopes()
                   ? toBuffer(rewriter, loc, op.getAlibiSlopes())
                   : Value()),
        scaleValue(op.getScaleValue()), biasValue(op.getBiasValue()),
        left(op.getEffectiveLeft()), right(op.getEffectiveRight()),
        group(op.getGroupSize()), batchedAlibi(op.hasBatchedAlibi()) {
    scale = scaleValue ? FloatAttr()
                       : rewriter.getF32FloatAttr(op.getEffectiveScale());
    bias = biasValue ? FloatAttr()
                     : rewriter.getF32FloatAttr(op.getEffectiveBias());
    window = rewriter.getDenseI64ArrayAttr({left, right});
  }

  /// Reads `tensor` through a read-only buffer.
  static Value toBuffer(OpBuilder &b, Location loc, Value tensor) {
    return bufferization::ToBufferOp::create(b, loc, bufferTypeOf(tensor),
                                             tensor, /*read_only=*/true);
  }

  /// The ALiBi slope of query head `head` in batch `batch`, if any.
  Value loadSlope(OpBuilder &b, Location loc, Value batchIdx,
                  Value head) const {
    if (!slopes)
      return Value();
    SmallVector<Value> idx = batchedAlibi ? SmallVector<Value>{batchIdx, head}
                                          : SmallVector<Value>{head};
    return memref::LoadOp::create(b, loc, slopes, idx);
  }
};

/// A buffer of `type` whose dynamic sizes are those of tensor `like`.
static Value allocLike(OpBuilder &b, Location loc, RankedTensorType type,
                       Value like) {
  auto memType = MemRefType::get(type.getShape(), type.getElementType());
  SmallVector<Value> dynamicSizes;
  for (int64_t i = 0; i < type.getRank(); ++i) {
    if (type.isDynamicDim(i))
      dynamicSizes.push_back(tensor::DimOp::create(b, loc, like, i));
  }
  return memref::AllocOp::create(b, loc, memType, dynamicSizes);
}

/// A grid over (x, y, z) mapped to GPU blocks, whose body `build` fills.
static void
createGrid(RewriterBase &rewriter, Location loc, ArrayRef<OpFoldResult> sizes,
           function_ref<void(OpBuilder &, Location, ValueRange)> build) {
  MLIRContext *ctx = rewriter.getContext();
  ArrayAttr mapping = rewriter.getArrayAttr(
      {gpu::GPUBlockMappingAttr::get(ctx, gpu::MappingId::DimX),
       gpu::GPUBlockMappingAttr::get(ctx, gpu::MappingId::DimY),
       gpu::GPUBlockMappingAttr::get(ctx, gpu::MappingId::DimZ)});
  auto grid =
      scf::ForallOp::create(rewriter, loc, sizes, ValueRange{}, mapping);
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(grid.getBody()->getTerminator());
  build(rewriter, loc, grid.getInductionVars());
}

/// A zero f32 tile.
static Value zeroTile(OpBuilder &b, Location loc, VectorType type) {
  return arith::ConstantOp::create(b, loc, type,
                                   DenseElementsAttr::get(type, 0.0f));
}

/// The tile sizes of `op`: the pass's, or the defaults of `kind`.
static std::pair<int64_t, int64_t> resolveTileSizes(TileSizes sizes,
                                                    TileSizes defaults) {
  return {sizes.blockQ > 0 ? sizes.blockQ : defaults.blockQ,
          sizes.blockK > 0 ? sizes.blockK : defaults.blockK};
}

/// A tiling pattern of `OpT` with the pass's tile sizes and MMA kind.
template <typename OpT> struct TilePattern : public OpRewritePattern<OpT> {
  TilePattern(MLIRContext *ctx, TileSizes sizes, MmaKind kind, DqKind dq)
      : OpRewritePattern<OpT>(ctx), sizes(sizes), kind(kind), dq(dq) {}

protected:
  TileSizes sizes;
  MmaKind kind;
  DqKind dq;
};

struct TileAttention : public TilePattern<AttentionOp> {
  using TilePattern::TilePattern;

  LogicalResult matchAndRewrite(AttentionOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto [blockQ, blockK] =
        resolveTileSizes(sizes, getDefaultTileSizes(kind, op.getHeadDim(),
                                                    op.getValueHeadDim()));
    Type elementType = op.getQueryType().getElementType();

    // Step 1. Read the operands through buffers and allocate the output.
    TiledOperands t(rewriter, loc, op);
    RankedTensorType resultType = op.getResultType();
    Value out = allocLike(rewriter, loc, resultType, op.getQuery());

    Value batch = memref::DimOp::create(rewriter, loc, t.query, 0);
    Value seqQ = memref::DimOp::create(rewriter, loc, t.query, 1);
    Value seqK = memref::DimOp::create(rewriter, loc, t.key, 1);
    Value numQTiles = arith::CeilDivSIOp::create(rewriter, loc, seqQ,
                                                 cst(rewriter, loc, blockQ));

    // Step 2. The grid: (query tile, head, batch) -> blocks (x, y, z).
    SmallVector<OpFoldResult> gridSizes = {
        numQTiles, rewriter.getIndexAttr(op.getNumQueryHeads()), batch};
    auto qTileType = VectorType::get({blockQ, op.getHeadDim()}, elementType);
    auto accType =
        VectorType::get({blockQ, op.getValueHeadDim()}, rewriter.getF32Type());

    auto buildTile = [&](OpBuilder &b, Location l, ValueRange ivs) {
      Value qTile = ivs[0], head = ivs[1], batchIdx = ivs[2];
      Value one = cst(b, l, 1);
      Value q0 = arith::MulIOp::create(b, l, qTile, cst(b, l, blockQ));
      Value kvHead = arith::DivUIOp::create(b, l, head, cst(b, l, t.group));
      Value q =
          LoadTileOp::create(b, l, qTileType, t.query, batchIdx, q0, head);
      Value slope = t.loadSlope(b, l, batchIdx, head);

      // Step 3. The key/value tiles the mask can reach.
      auto [lo, hi] = visibleColumnTiles(
          b, l, {q0, blockQ, seqQ, seqK, blockK, t.left, t.right});

      // Step 4. acc = sum over tiles of P . V, every tile masked for now.
      auto loop = scf::ForOp::create(
          b, l, lo, hi, one, ValueRange{zeroTile(b, l, accType)},
          [&](OpBuilder &nb, Location nl, Value kt, ValueRange iterArgs) {
            Value next = TileStepOp::create(
                nb, nl, accType, q, t.key, t.value, iterArgs[0], batchIdx,
                kvHead, q0, kt, seqQ, slope, t.scaleValue, t.biasValue,
                nb.getI64IntegerAttr(blockK), t.window, t.scale, t.bias,
                /*masked=*/nb.getUnitAttr());
            scf::YieldOp::create(nb, nl, next);
          });
      StoreTileOp::create(b, l, loop.getResult(0), out, batchIdx, q0, head);
    };
    createGrid(rewriter, loc, gridSizes, buildTile);

    Value result = bufferization::ToTensorOp::create(
        rewriter, loc, resultType, out, /*restrict=*/true, /*writable=*/true);
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// sigattn.attention_grad becomes two grids, with no atomics and no f32
/// scratch buffer (every gradient is written once, by one block):
///  - dK, dV: a grid over (key tile, key/value head, batch); each block
///    loops over the g query heads of its key/value head and, for each, over
///    the query tiles that see its keys (grad_kv_step: rows are keys);
///  - dQ: a grid over (query tile, query head, batch) looping over the
///    key/value tiles the mask lets it see (grad_q_step), like the forward
///    pass.
/// dQ recomputes S and dP: two more tile products than accumulating dQ
/// across the key tiles of the first grid, in exchange for determinism and
/// no scratch. With DqKind::Reduce the dK/dV steps add their dQ partials to
/// a zero-filled f32 buffer instead, and a grid over query tiles converts
/// it. Every grid's loops are made of masked steps; peeling unmasks the
/// interior.
struct TileAttentionGrad : public TilePattern<AttentionGradOp> {
  using TilePattern::TilePattern;

  LogicalResult matchAndRewrite(AttentionGradOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto [blockQ, blockK] =
        resolveTileSizes(sizes, getDefaultGradTileSizes(kind, op.getHeadDim(),
                                                        op.getValueHeadDim()));
    Type elementType = op.getQueryType().getElementType();
    Type f32 = rewriter.getF32Type();
    int64_t d = op.getHeadDim(), dv = op.getValueHeadDim();

    // Step 1. Buffers of the operands and of the three gradients.
    TiledOperands t(rewriter, loc, op);
    Value gradOutput =
        TiledOperands::toBuffer(rewriter, loc, op.getGradOutput());
    RankedTensorType dqType = op.getQueryGrad().getType();
    RankedTensorType dkType = op.getKeyGrad().getType();
    RankedTensorType dvType = op.getValueGrad().getType();
    Value dqOut = allocLike(rewriter, loc, dqType, op.getQuery());
    Value dkOut = allocLike(rewriter, loc, dkType, op.getKey());
    Value dvOut = allocLike(rewriter, loc, dvType, op.getValue());
    // dq=reduce: the f32 buffer the dK/dV steps add dQ partials into.
    Value dqAccum;
    if (dq == DqKind::Reduce) {
      auto accumType = RankedTensorType::get(dqType.getShape(), f32);
      dqAccum = allocLike(rewriter, loc, accumType, op.getQuery());
      Value zero = arith::ConstantOp::create(rewriter, loc,
                                             rewriter.getF32FloatAttr(0.0f));
      linalg::FillOp::create(rewriter, loc, zero, dqAccum);
    }

    Value batch = memref::DimOp::create(rewriter, loc, t.query, 0);
    Value seqQ = memref::DimOp::create(rewriter, loc, t.query, 1);
    Value seqK = memref::DimOp::create(rewriter, loc, t.key, 1);
    auto numTiles = [&](Value n, int64_t block) -> OpFoldResult {
      return arith::CeilDivSIOp::create(rewriter, loc, n,
                                        cst(rewriter, loc, block))
          .getResult();
    };

    // Step 2. dK, dV: (key tile, key/value head, batch) -> blocks (x, y, z).
    auto kTileType = VectorType::get({blockK, d}, elementType);
    auto vTileType = VectorType::get({blockK, dv}, elementType);
    auto dkAccType = VectorType::get({blockK, d}, f32);
    auto dvAccType = VectorType::get({blockK, dv}, f32);
    auto buildKeyTile = [&](OpBuilder &b, Location l, ValueRange ivs) {
      Value kTileIdx = ivs[0], kvHead = ivs[1], batchIdx = ivs[2];
      Value one = cst(b, l, 1);
      Value k0 = arith::MulIOp::create(b, l, kTileIdx, cst(b, l, blockK));
      Value kTile =
          LoadTileOp::create(b, l, kTileType, t.key, batchIdx, k0, kvHead);
      Value vTile =
          LoadTileOp::create(b, l, vTileType, t.value, batchIdx, k0, kvHead);
      // The query tiles that see these keys: the band in the keys'
      // orientation, the window's sides swapped.
      auto [lo, hi] = visibleColumnTiles(
          b, l, {k0, blockK, seqK, seqQ, blockQ, t.right, t.left});
      Value firstHead = arith::MulIOp::create(b, l, kvHead, cst(b, l, t.group));
      auto heads = scf::ForOp::create(
          b, l, cst(b, l, 0), cst(b, l, t.group), one,
          ValueRange{zeroTile(b, l, dkAccType), zeroTile(b, l, dvAccType)},
          [&](OpBuilder &hb, Location hl, Value gi, ValueRange accs) {
            Value head = arith::AddIOp::create(hb, hl, firstHead, gi);
            Value slope = t.loadSlope(hb, hl, batchIdx, head);
            auto queries = scf::ForOp::create(
                hb, hl, lo, hi, one, accs,
                [&](OpBuilder &nb, Location nl, Value qt, ValueRange iter) {
                  auto step = GradKVStepOp::create(
                      nb, nl, dkAccType, dvAccType, kTile, vTile, t.query,
                      gradOutput, iter[0], iter[1], batchIdx, head, k0, qt,
                      seqK, dqAccum, slope, t.scaleValue, t.biasValue,
                      nb.getI64IntegerAttr(blockQ), t.window, t.scale, t.bias,
                      /*masked=*/nb.getUnitAttr());
                  scf::YieldOp::create(nb, nl, step.getResults());
                });
            scf::YieldOp::create(hb, hl, queries.getResults());
          });
      StoreTileOp::create(b, l, heads.getResult(0), dkOut, batchIdx, k0,
                          kvHead);
      StoreTileOp::create(b, l, heads.getResult(1), dvOut, batchIdx, k0,
                          kvHead);
    };
    createGrid(rewriter, loc,
               {numTiles(seqK, blockK),
                rewriter.getIndexAttr(op.getNumKVHeads()), batch},
               buildKeyTile);

    // Step 3. dQ: (query tile, query head, batch) -> blocks (x, y, z). With
    // dq=reduce the grid converts the f32 sums of the dK/dV steps.
    auto qTileType = VectorType::get({blockQ, d}, elementType);
    auto doTileType = VectorType::get({blockQ, dv}, elementType);
    auto dqAccType = VectorType::get({blockQ, d}, f32);
    auto convertQueryTile = [&](OpBuilder &b, Location l, ValueRange ivs) {
      Value qTileIdx = ivs[0], head = ivs[1], batchIdx = ivs[2];
      Value q0 = arith::MulIOp::create(b, l, qTileIdx, cst(b, l, blockQ));
      Value sums =
          LoadTileOp::create(b, l, dqAccType, dqAccum, batchIdx, q0, head);
      StoreTileOp::create(b, l, sums, dqOut, batchIdx, q0, head);
    };
    auto buildQueryTile = [&](OpBuilder &b, Location l, ValueRange ivs) {
      Value qTileIdx = ivs[0], head = ivs[1], batchIdx = ivs[2];
      Value q0 = arith::MulIOp::create(b, l, qTileIdx, cst(b, l, blockQ));
      Value kvHead = arith::DivUIOp::create(b, l, head, cst(b, l, t.group));
      Value qTile =
          LoadTileOp::create(b, l, qTileType, t.query, batchIdx, q0, head);
      Value doTile =
          LoadTileOp::create(b, l, doTileType, gradOutput, batchIdx, q0, head);
      Value slope = t.loadSlope(b, l, batchIdx, head);
      auto [lo, hi] = visibleColumnTiles(
          b, l, {q0, blockQ, seqQ, seqK, blockK, t.left, t.right});
      auto loop = scf::ForOp::create(
          b, l, lo, hi, cst(b, l, 1), ValueRange{zeroTile(b, l, dqAccType)},
          [&](OpBuilder &nb, Location nl, Value kt, ValueRange iter) {
            Value next = GradQStepOp::create(
                nb, nl, dqAccType, qTile, doTile, t.key, t.value, iter[0],
                batchIdx, kvHead, q0, kt, seqQ, slope, t.scaleValue,
                t.biasValue, nb.getI64IntegerAttr(blockK), t.window, t.scale,
                t.bias, /*masked=*/nb.getUnitAttr());
            scf::YieldOp::create(nb, nl, next);
          });
      StoreTileOp::create(b, l, loop.getResult(0), dqOut, batchIdx, q0, head);
    };
    SmallVector<OpFoldResult> queryGrid = {
        numTiles(seqQ, blockQ), rewriter.getIndexAttr(op.getNumQueryHeads()),
        batch};
    // (The f32 buffer is freed like the others: by buffer deallocation on
    // the host, by the outlined launch's buffers on the GPU.)
    if (dqAccum) {
      createGrid(rewriter, loc, queryGrid, convertQueryTile);
    } else {
      createGrid(rewriter, loc, queryGrid, buildQueryTile);
    }

    auto toTensor = [&](RankedTensorType type, Value buffer) -> Value {
      return bufferization::ToTensorOp::create(rewriter, loc, type, buffer,
                                               /*restrict=*/true,
                                               /*writable=*/true);
    };
    rewriter.replaceOp(op, {toTensor(dqType, dqOut), toTensor(dkType, dkOut),
                            toTensor(dvType, dvOut)});
    return success();
  }
};

struct SigAttnTilePass
    : public mlir::sigattn::impl::SigAttnTileBase<SigAttnTilePass> {
  using SigAttnTileBase::SigAttnTileBase;

  void runOnOperation() override {
    int64_t q = blockQ, k = blockK;
    for (auto [name, value] :
         {std::pair<StringRef, int64_t>{"block-q", q}, {"block-k", k}}) {
      if (std::optional<std::string> error = checkTileSizeOption(name, value)) {
        mlir::emitError(getOperation()->getLoc()) << "sigattn-tile: " << *error;
        return signalPassFailure();
      }
    }
    FailureOr<MmaKind> kind = parseMmaKind(mma);
    if (failed(kind)) {
      mlir::emitError(getOperation()->getLoc())
          << "sigattn-tile: unknown mma='" << mma
          << "' (expected sync or wgmma)";
      return signalPassFailure();
    }
    FailureOr<DqKind> dqKind = parseDqKind(dq);
    if (failed(dqKind)) {
      mlir::emitError(getOperation()->getLoc())
          << "sigattn-tile: dq='" << dq
          << "' is not supported (expected separate or reduce)";
      return signalPassFailure();
    }
    RewritePatternSet patterns(&getContext());
    populateSigAttnTilePatterns(patterns, {q, k}, *kind, *dqKind);
    // The pattern creates no op it matches: one walk is enough.
    walkAndApplyPatterns(getOperation(), std::move(patterns));
  }
};

} // namespace

void mlir::sigattn::populateSigAttnTilePatterns(RewritePatternSet &patterns,
                                                TileSizes sizes, MmaKind kind,
                                                DqKind dq) {
  patterns.add<TileAttention, TileAttentionGrad>(patterns.getContext(), sizes,
                                                 kind, dq);
}
