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

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
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

struct TileAttention : public OpRewritePattern<AttentionOp> {
  TileAttention(MLIRContext *ctx, TileSizes sizes, MmaKind kind)
      : OpRewritePattern(ctx), sizes(sizes), kind(kind) {}

  LogicalResult matchAndRewrite(AttentionOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    TileSizes defaults =
        getDefaultTileSizes(kind, op.getHeadDim(), op.getValueHeadDim());
    int64_t blockQ = sizes.blockQ > 0 ? sizes.blockQ : defaults.blockQ;
    int64_t blockK = sizes.blockK > 0 ? sizes.blockK : defaults.blockK;
    Type elementType = op.getQueryType().getElementType();

    // Step 1. Read the operands through buffers and allocate the output.
    auto toBuffer = [&](Value tensor) -> Value {
      return bufferization::ToBufferOp::create(
          rewriter, loc, bufferTypeOf(tensor), tensor, /*read_only=*/true);
    };
    Value query = toBuffer(op.getQuery());
    Value key = toBuffer(op.getKey());
    Value value = toBuffer(op.getValue());
    Value slopes =
        op.getAlibiSlopes() ? toBuffer(op.getAlibiSlopes()) : Value();

    RankedTensorType resultType = op.getResultType();
    auto outType = MemRefType::get(resultType.getShape(), elementType);
    SmallVector<Value> dynamicSizes;
    for (int64_t i = 0; i < resultType.getRank(); ++i) {
      if (resultType.isDynamicDim(i))
        dynamicSizes.push_back(
            tensor::DimOp::create(rewriter, loc, op.getQuery(), i));
    }
    Value out = memref::AllocOp::create(rewriter, loc, outType, dynamicSizes);

    Value batch = memref::DimOp::create(rewriter, loc, query, 0);
    Value seqQ = memref::DimOp::create(rewriter, loc, query, 1);
    Value seqK = memref::DimOp::create(rewriter, loc, key, 1);
    Value numQTiles = arith::CeilDivSIOp::create(rewriter, loc, seqQ,
                                                 cst(rewriter, loc, blockQ));

    // Step 2. The grid: (query tile, head, batch) -> blocks (x, y, z).
    ArrayAttr mapping = rewriter.getArrayAttr(
        {gpu::GPUBlockMappingAttr::get(ctx, gpu::MappingId::DimX),
         gpu::GPUBlockMappingAttr::get(ctx, gpu::MappingId::DimY),
         gpu::GPUBlockMappingAttr::get(ctx, gpu::MappingId::DimZ)});
    SmallVector<OpFoldResult> gridSizes = {
        numQTiles, rewriter.getIndexAttr(op.getNumQueryHeads()), batch};
    int64_t left = op.getEffectiveLeft();
    int64_t right = op.getEffectiveRight();
    auto window = rewriter.getDenseI64ArrayAttr({left, right});
    // Scale and bias: compiled-in attributes, or the op's f32 operands.
    Value scaleValue = op.getScaleValue(), biasValue = op.getBiasValue();
    FloatAttr scale = scaleValue
                          ? FloatAttr()
                          : rewriter.getF32FloatAttr(op.getEffectiveScale());
    FloatAttr bias = biasValue
                         ? FloatAttr()
                         : rewriter.getF32FloatAttr(op.getEffectiveBias());
    int64_t group = op.getGroupSize();
    auto qTileType = VectorType::get({blockQ, op.getHeadDim()}, elementType);
    auto accType =
        VectorType::get({blockQ, op.getValueHeadDim()}, rewriter.getF32Type());

    auto buildTile = [&](OpBuilder &b, Location l, ValueRange ivs) {
      Value qTile = ivs[0], head = ivs[1], batchIdx = ivs[2];
      Value one = cst(b, l, 1);
      Value q0 = arith::MulIOp::create(b, l, qTile, cst(b, l, blockQ));
      Value kvHead = arith::DivUIOp::create(b, l, head, cst(b, l, group));
      Value q = LoadTileOp::create(b, l, qTileType, query, batchIdx, q0, head);
      Value slope;
      if (slopes) {
        SmallVector<Value> idx = op.hasBatchedAlibi()
                                     ? SmallVector<Value>{batchIdx, head}
                                     : SmallVector<Value>{head};
        slope = memref::LoadOp::create(b, l, slopes, idx);
      }

      // Step 3. The key/value tiles the mask can reach. Valid query rows
      // are [iLo, iHi]; query i sees keys [i + off - left, i + off + right].
      Value off = arith::SubIOp::create(b, l, seqK, seqQ);
      Value iLo = q0;
      Value rowEnd = arith::MinSIOp::create(
          b, l, arith::AddIOp::create(b, l, q0, cst(b, l, blockQ)), seqQ);
      Value iHi = arith::SubIOp::create(b, l, rowEnd, one);
      Value jMin = cst(b, l, 0);
      if (left != AttentionOp::kUnbounded) {
        // jMin = max(0, iLo + off - left)
        Value first = arith::SubIOp::create(
            b, l, arith::AddIOp::create(b, l, iLo, off), cst(b, l, left));
        jMin = arith::MaxSIOp::create(b, l, jMin, first);
      }
      Value jMax = arith::SubIOp::create(b, l, seqK, one);
      if (right != AttentionOp::kUnbounded) {
        // jMax = min(Nk - 1, iHi + off + right)
        Value last = arith::AddIOp::create(
            b, l, arith::AddIOp::create(b, l, iHi, off), cst(b, l, right));
        jMax = arith::MinSIOp::create(b, l, jMax, last);
      }
      Value bk = cst(b, l, blockK);
      Value lo = arith::FloorDivSIOp::create(b, l, jMin, bk);
      Value hi = arith::AddIOp::create(
          b, l, arith::FloorDivSIOp::create(b, l, jMax, bk), one);
      // No visible key at all (e.g. causal rows before the first key).
      hi = arith::MaxSIOp::create(b, l, hi, lo);

      // Step 4. acc = sum over tiles of P . V, every tile masked for now.
      Value zero = arith::ConstantOp::create(
          b, l, accType, DenseElementsAttr::get(accType, 0.0f));
      auto loop = scf::ForOp::create(
          b, l, lo, hi, one, ValueRange{zero},
          [&](OpBuilder &nb, Location nl, Value kt, ValueRange iterArgs) {
            Value next = TileStepOp::create(
                nb, nl, accType, q, key, value, iterArgs[0], batchIdx, kvHead,
                q0, kt, seqQ, slope, scaleValue, biasValue,
                nb.getI64IntegerAttr(blockK), window, scale, bias,
                /*masked=*/nb.getUnitAttr());
            scf::YieldOp::create(nb, nl, next);
          });
      StoreTileOp::create(b, l, loop.getResult(0), out, batchIdx, q0, head);
    };
    auto grid =
        scf::ForallOp::create(rewriter, loc, gridSizes, ValueRange{}, mapping);
    {
      OpBuilder::InsertionGuard guard(rewriter);
      rewriter.setInsertionPoint(grid.getBody()->getTerminator());
      buildTile(rewriter, loc, grid.getInductionVars());
    }

    Value result = bufferization::ToTensorOp::create(
        rewriter, loc, resultType, out, /*restrict=*/true, /*writable=*/true);
    rewriter.replaceOp(op, result);
    return success();
  }

private:
  TileSizes sizes;
  MmaKind kind;
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
    // The backward op has a reference lowering only, so far: say so at the
    // op instead of leaving it in the host code untouched.
    WalkResult grads = getOperation()->walk([](AttentionGradOp op) {
      op.emitOpError() << "has no tiled GPU lowering yet; lower it with "
                          "-convert-sigattn-to-linalg";
      return WalkResult::interrupt();
    });
    if (grads.wasInterrupted())
      return signalPassFailure();
    RewritePatternSet patterns(&getContext());
    populateSigAttnTilePatterns(patterns, {q, k}, *kind);
    // The pattern creates no op it matches: one walk is enough.
    walkAndApplyPatterns(getOperation(), std::move(patterns));
  }
};

} // namespace

void mlir::sigattn::populateSigAttnTilePatterns(RewritePatternSet &patterns,
                                                TileSizes sizes, MmaKind kind) {
  patterns.add<TileAttention>(patterns.getContext(), sizes, kind);
}
