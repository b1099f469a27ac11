//===- KernelTiles.cpp - the tile ops of one sigattn kernel ---------------===//

#include "sigattn/Conversion/SigAttnTilesToNVVM/KernelTiles.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::sigattn;
namespace abi = ::sigattn::abi;

bool mlir::sigattn::hasTileOps(gpu::GPUFuncOp kernel) {
  return kernel
      .walk([](Operation *op) {
        return isa<LoadTileOp, TileStepOp, StoreTileOp>(op)
                   ? WalkResult::interrupt()
                   : WalkResult::advance();
      })
      .wasInterrupted();
}

FailureOr<int64_t> mlir::sigattn::getKernelThreads(gpu::GPUFuncOp kernel,
                                                   int64_t maxWarps) {
  std::optional<ArrayRef<int32_t>> size = kernel.getKnownBlockSize();
  if (!size || size->size() != 3 || (*size)[0] <= 0 || (*size)[0] % 32 != 0 ||
      (*size)[0] / 32 > maxWarps || (*size)[1] != 1 || (*size)[2] != 1)
    return kernel.emitOpError()
           << "expects a known_block_size of (32 * num-warps, 1, 1) with 1 <= "
              "num-warps <= "
           << maxWarps;
  return static_cast<int64_t>((*size)[0]);
}

/// The loop of a key/value range: unit step, one f32 accumulator, a body of
/// one tile step on the induction variable and that accumulator, whose other
/// operands come from outside the loop.
static LogicalResult checkRangeLoop(scf::ForOp loop, TileStepOp step) {
  Block *body = loop.getBody();
  auto yield = cast<scf::YieldOp>(body->getTerminator());
  bool ok = matchPattern(loop.getStep(), m_One()) &&
            loop.getNumRegionIterArgs() == 1 &&
            body->getOperations().size() == 2 &&
            step.getKTile() == loop.getInductionVar() &&
            step.getAcc() == loop.getRegionIterArgs()[0] &&
            yield.getOperand(0) == step.getResult();
  for (Value operand : step->getOperands()) {
    if (operand != step.getKTile() && operand != step.getAcc())
      ok = ok && loop.isDefinedOutsideOfLoop(operand);
  }
  if (!ok)
    return loop.emitOpError("expected a unit-step loop whose body is one "
                            "sigattn.tile_step on the loop's induction "
                            "variable and accumulator");
  return success();
}

/// Names the first property in which `step` differs from `first`, or "".
static StringRef differingProperty(TileStepOp first, TileStepOp step) {
  if (step.getQTile() != first.getQTile())
    return "q_tile";
  if (step.getKey() != first.getKey() || step.getValue() != first.getValue())
    return "key/value buffers";
  if (step.getBatch() != first.getBatch() ||
      step.getKvHead() != first.getKvHead() ||
      step.getQStart() != first.getQStart() ||
      step.getSeqQ() != first.getSeqQ())
    return "batch, head, query start or seq_q";
  if (step.getAlibiSlope() != first.getAlibiSlope())
    return "alibi slope";
  if (step.getBlockK() != first.getBlockK())
    return "block_k";
  if (step.getWindow() != first.getWindow())
    return "window";
  if (step.getScaleAttr() != first.getScaleAttr() ||
      step.getBiasAttr() != first.getBiasAttr() ||
      step.getScaleValue() != first.getScaleValue() ||
      step.getBiasValue() != first.getBiasValue())
    return "scale or bias";
  return "";
}

/// True for an accumulator that starts at zero.
static bool isZeroTile(Value v) { return matchPattern(v, m_AnyZeroFloat()); }

FailureOr<KernelTiles> mlir::sigattn::findKernelTiles(gpu::GPUFuncOp kernel) {
  if (kernel.getBody().empty() || !kernel.getBody().hasOneBlock())
    return kernel.emitOpError("expected a kernel body of one block");
  Block &entry = kernel.getBody().front();
  KernelTiles tiles;

  // Step 1. Every tile op is at the top level of the body, or a tile step is
  // the body of a key/value loop there.
  WalkResult placement = kernel.walk([&](Operation *op) {
    if (!isa<LoadTileOp, TileStepOp, StoreTileOp>(op))
      return WalkResult::advance();
    if (op->getBlock() == &entry)
      return WalkResult::advance();
    auto loop = dyn_cast<scf::ForOp>(op->getParentOp());
    if (isa<TileStepOp>(op) && loop && loop->getBlock() == &entry)
      return WalkResult::advance();
    op->emitOpError("expected at the top level of the kernel body, or as the "
                    "body of a key/value loop there");
    return WalkResult::interrupt();
  });
  if (placement.wasInterrupted())
    return failure();

  // Step 2. In program order: load Q, the key/value ranges, store O.
  for (Operation &op : entry) {
    if (auto load = dyn_cast<LoadTileOp>(op)) {
      if (tiles.loadQ)
        return load.emitOpError("expected one sigattn.load_tile per kernel");
      tiles.loadQ = load;
      continue;
    }
    auto store = dyn_cast<StoreTileOp>(op);
    if (tiles.store &&
        (store || isa<TileStepOp>(op) ||
         (isa<scf::ForOp>(op) &&
          !cast<scf::ForOp>(op).getBody()->getOps<TileStepOp>().empty())))
      return op.emitOpError("expected no tile op after the sigattn.store_tile");
    if (store) {
      tiles.store = store;
      continue;
    }
    KeyValueRange range;
    if (auto step = dyn_cast<TileStepOp>(op)) {
      range = {step, scf::ForOp(), step.getAcc(), step.getResult()};
    } else if (auto loop = dyn_cast<scf::ForOp>(op)) {
      auto steps = loop.getBody()->getOps<TileStepOp>();
      if (steps.empty())
        continue;
      TileStepOp step = *steps.begin();
      if (failed(checkRangeLoop(loop, step)))
        return failure();
      range = {step, loop, loop.getInitArgs()[0], loop.getResult(0)};
    } else {
      continue;
    }
    if (!tiles.loadQ)
      return range.getOperation()->emitOpError(
          "expected the sigattn.load_tile of Q before the key/value tiles");
    tiles.ranges.push_back(range);
  }
  if (!tiles.loadQ || !tiles.store || tiles.ranges.empty())
    return kernel.emitOpError("expected a sigattn.load_tile of Q, key/value "
                              "tiles and a sigattn.store_tile of O in the "
                              "kernel");

  // Step 3. One accumulator threaded from zero through the ranges to the
  // store, each range reading the Q tile and agreeing with the first.
  LoadTileOp q = tiles.loadQ;
  Value acc;
  for (auto [i, range] : llvm::enumerate(tiles.ranges)) {
    TileStepOp step = range.step;
    if (i == 0 ? !isZeroTile(range.init) : range.init != acc)
      return range.getOperation()->emitOpError(
          "expected the accumulator to start at zero or at the result of the "
          "previous key/value tiles");
    if (i > 0 && !acc.hasOneUse())
      return range.getOperation()->emitOpError(
          "expected the previous key/value tiles' accumulator to have no "
          "other use");
    if (step.getQTile() != q.getResult())
      return step.emitOpError("expected to read the kernel's Q tile");
    if (step.getQStart() != q.getRowStart() || step.getBatch() != q.getBatch())
      return step.emitOpError(
          "expected q_start and batch to be the Q tile's first row and batch");
    StringRef differs = differingProperty(tiles.ranges.front().step, step);
    if (!differs.empty())
      return step.emitOpError()
             << "expected every tile step of the kernel to agree on "
             << differs;
    acc = range.result;
  }
  StoreTileOp store = tiles.store;
  if (store.getTile() != acc || !acc.hasOneUse())
    return store.emitOpError(
        "expected to store the accumulator of the last key/value tiles");
  if (store.getBatch() != q.getBatch() || store.getHead() != q.getHead() ||
      store.getRowStart() != q.getRowStart())
    return store.emitOpError(
        "expected to store the rows of the Q tile (same batch, head and "
        "first row)");
  if (store.getTile().getType().getDimSize(0) !=
      q.getResult().getType().getDimSize(0))
    return store.emitOpError("expected as many rows as the Q tile");
  return tiles;
}

DictionaryAttr mlir::sigattn::describeKernel(gpu::GPUFuncOp kernel,
                                             KernelTiles &tiles,
                                             const abi::TileShape &shape,
                                             int64_t sharedBytes,
                                             StringRef mma) {
  Builder b(kernel.getContext());
  TileStepOp step = tiles.describingStep();
  StringRef alibi = "none";
  if (Value slope = step.getAlibiSlope()) {
    auto load = slope.getDefiningOp<memref::LoadOp>();
    alibi = load && load.getMemRefType().getRank() == 2 ? "batch_head" : "head";
  }
  auto i64 = [&](int64_t v) { return b.getI64IntegerAttr(v); };
  // A size compiled into the kernel, or -1 when it is a launch parameter.
  auto staticSize = [&](Value buffer, int64_t dim) {
    int64_t size = cast<MemRefType>(buffer.getType()).getDimSize(dim);
    return i64(ShapedType::isDynamic(size) ? -1 : size);
  };
  Value query = tiles.loadQ.getSource();
  // A compiled-in scale or bias, or "param" for a run-time one.
  auto scalar = [&](Value runtime, FloatAttr compiled) -> Attribute {
    return runtime ? Attribute(b.getStringAttr("param")) : compiled;
  };
  SmallVector<NamedAttribute> fields = {
      b.getNamedAttr("name", b.getStringAttr(kernel.getName())),
      b.getNamedAttr("abi_version", i64(abi::kAbiVersion)),
      b.getNamedAttr(
          "element_type",
          b.getStringAttr(tiles.loadQ.getType().getElementType().isBF16()
                              ? "bf16"
                              : "f16")),
      b.getNamedAttr("head_dim", i64(shape.headDim)),
      b.getNamedAttr("value_dim", i64(shape.valueDim)),
      b.getNamedAttr("num_query_heads",
                     i64(tiles.store.getDest().getType().getDimSize(2))),
      b.getNamedAttr("num_kv_heads",
                     i64(step.getKey().getType().getDimSize(2))),
      b.getNamedAttr("batch", staticSize(query, 0)),
      b.getNamedAttr("seq_q", staticSize(query, 1)),
      b.getNamedAttr("seq_k", staticSize(step.getKey(), 1)),
      b.getNamedAttr("block_q", i64(shape.blockQ)),
      b.getNamedAttr("block_k", i64(shape.blockK)),
      b.getNamedAttr("num_warps", i64(shape.numWarps)),
      b.getNamedAttr("block_threads", i64(abi::blockThreads(shape))),
      b.getNamedAttr(kSharedBytesField, i64(sharedBytes)),
      b.getNamedAttr("window_left", i64(step.getLeft())),
      b.getNamedAttr("window_right", i64(step.getRight())),
      b.getNamedAttr("scale",
                     scalar(step.getScaleValue(), step.getScaleAttr())),
      b.getNamedAttr("bias", scalar(step.getBiasValue(), step.getBiasAttr())),
      b.getNamedAttr("alibi", b.getStringAttr(alibi)),
      b.getNamedAttr("mma", b.getStringAttr(mma)),
      b.getNamedAttr("loads",
                     b.getStringAttr(shape.tmaLoads ? "tma" : "cp.async")),
      b.getNamedAttr("stores",
                     b.getStringAttr(shape.tmaStores ? "tma" : "direct")),
      b.getNamedAttr("producer_warps", i64(shape.producerWarps)),
      b.getNamedAttr("kv_stages", i64(shape.kvStages)),
  };
  return b.getDictionaryAttr(fields);
}
