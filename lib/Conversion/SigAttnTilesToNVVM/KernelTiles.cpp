//===- KernelTiles.cpp - the tile ops of one sigattn kernel ---------------===//

#include "sigattn/Conversion/SigAttnTilesToNVVM/KernelTiles.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Matchers.h"
#include "sigattn/Dialect/SigAttn/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::sigattn;
namespace abi = ::sigattn::abi;

bool mlir::sigattn::hasTileOps(gpu::GPUFuncOp kernel) {
  return kernel
      .walk([](Operation *op) {
        return isa<LoadTileOp, TileStepInterface, StoreTileOp>(op)
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

/// The loop of a column range: unit step, the step's accumulators as its
/// iter args and results, a body of one tile step on the induction variable
/// and those accumulators, whose other operands come from outside the loop.
static LogicalResult checkRangeLoop(scf::ForOp loop, TileStepInterface step) {
  Block *body = loop.getBody();
  auto yield = cast<scf::YieldOp>(body->getTerminator());
  SmallVector<Value, 2> accumulators = step.getAccumulators();
  bool ok = matchPattern(loop.getStep(), m_One()) &&
            loop.getNumRegionIterArgs() == accumulators.size() &&
            body->getOperations().size() == 2 &&
            step.getColumnTile() == loop.getInductionVar() &&
            llvm::equal(accumulators, loop.getRegionIterArgs()) &&
            llvm::equal(yield.getOperands(), step->getResults());
  for (Value operand : step->getOperands()) {
    if (operand != step.getColumnTile() &&
        !llvm::is_contained(accumulators, operand))
      ok = ok && loop.isDefinedOutsideOfLoop(operand);
  }
  if (!ok)
    return loop.emitOpError()
           << "expected a unit-step loop whose body is one " << step->getName()
           << " on the loop's induction variable and "
           << (accumulators.size() == 1 ? "accumulator" : "accumulators");
  return success();
}

/// Names the first property in which `step` differs from `first`, or "".
static StringRef differingProperty(TileStepInterface first,
                                   TileStepInterface step) {
  if (step->getName() != first->getName())
    return "the kind of tile step";
  if (step.getRowTiles() != first.getRowTiles())
    return step.getRowTiles().size() == 1 ? "q_tile" : "row tiles";
  if (step.getColumnSources() != first.getColumnSources())
    return isa<GradKVStepOp>(step) ? "query/grad_output buffers"
                                   : "key/value buffers";
  if (step.getBatch() != first.getBatch() ||
      step.getColumnHead() != first.getColumnHead() ||
      step.getRowStart() != first.getRowStart() ||
      step.getRowCount() != first.getRowCount())
    return isa<GradKVStepOp>(step) ? "batch, head, key start or seq_k"
                                   : "batch, head, query start or seq_q";
  if (step.getAlibiSlope() != first.getAlibiSlope())
    return "alibi slope";
  if (step.getColumnBlock() != first.getColumnBlock())
    return isa<GradKVStepOp>(step) ? "block_q" : "block_k";
  if (step.getWindow() != first.getWindow())
    return "window";
  if (step.getScale() != first.getScale() ||
      step.getBias() != first.getBias() ||
      step.getScaleValue() != first.getScaleValue() ||
      step.getBiasValue() != first.getBiasValue())
    return "scale or bias";
  return "";
}

/// True for an accumulator that starts at zero.
static bool isZeroTile(Value v) { return matchPattern(v, m_AnyZeroFloat()); }

/// True for an op that holds (or is) a column range's tile step.
static bool holdsTileStep(Operation &op) {
  if (isa<TileStepInterface>(op))
    return true;
  auto loop = dyn_cast<scf::ForOp>(op);
  return loop && !loop.getBody()->getOps<TileStepInterface>().empty();
}

/// True for the dk/dv grid's loop over the query heads of a group: a loop
/// at the top level whose body holds column ranges.
static bool isGroupLoop(Operation &op) {
  auto loop = dyn_cast<scf::ForOp>(op);
  if (!loop)
    return false;
  Block *body = loop.getBody();
  // A range's loop is one tile step and the yield.
  if (body->getOperations().size() == 2 &&
      isa<TileStepInterface>(body->front()))
    return false;
  return llvm::any_of(body->getOperations(), holdsTileStep);
}

/// The column range `op` is, if it is one: a tile step, or a loop of one.
static FailureOr<std::optional<ColumnRange>> rangeOf(Operation &op) {
  if (auto step = dyn_cast<TileStepInterface>(op))
    return std::optional<ColumnRange>(
        ColumnRange{step, scf::ForOp(), step.getAccumulators(),
                    SmallVector<Value, 2>(step->getResults())});
  auto loop = dyn_cast<scf::ForOp>(op);
  if (!loop)
    return std::optional<ColumnRange>();
  auto steps = loop.getBody()->getOps<TileStepInterface>();
  if (steps.empty())
    return std::optional<ColumnRange>();
  TileStepInterface step = *steps.begin();
  if (failed(checkRangeLoop(loop, step)))
    return failure();
  return std::optional<ColumnRange>(
      ColumnRange{step, loop, SmallVector<Value, 2>(loop.getInitArgs()),
                  SmallVector<Value, 2>(loop.getResults())});
}

FailureOr<KernelTiles> mlir::sigattn::findKernelTiles(gpu::GPUFuncOp kernel) {
  if (kernel.getBody().empty() || !kernel.getBody().hasOneBlock())
    return kernel.emitOpError("expected a kernel body of one block");
  Block &entry = kernel.getBody().front();
  KernelTiles tiles;

  // Step 1. Every tile op is at the top level of the body, or a tile step is
  // the body of a column loop there; the dk/dv kernel's tile steps may also
  // be in (the body of a loop in) the body of its loop over the query heads
  // of a group, at the top level.
  auto atTop = [&](Operation *op) { return op && op->getBlock() == &entry; };
  WalkResult placement = kernel.walk([&](Operation *op) {
    if (!isa<LoadTileOp, TileStepInterface, StoreTileOp>(op))
      return WalkResult::advance();
    if (atTop(op))
      return WalkResult::advance();
    auto loop = dyn_cast<scf::ForOp>(op->getParentOp());
    if (isa<TileStepInterface>(op) && loop && atTop(loop))
      return WalkResult::advance();
    if (isa<GradKVStepOp>(op) && loop &&
        (atTop(loop->getParentOp()) ||
         (isa<scf::ForOp>(loop->getParentOp()) &&
          atTop(loop->getParentOp()->getParentOp()))))
      return WalkResult::advance();
    op->emitOpError("expected at the top level of the kernel body, or as the "
                    "body of a key/value loop there");
    return WalkResult::interrupt();
  });
  if (placement.wasInterrupted())
    return failure();

  // Step 2. In program order: the row loads, the column ranges, the stores.
  for (Operation &op : entry) {
    if (auto load = dyn_cast<LoadTileOp>(op)) {
      if (!tiles.ranges.empty())
        return load.emitOpError(
            "expected the sigattn.load_tile ops before the tile steps");
      tiles.rowLoads.push_back(load);
      continue;
    }
    auto store = dyn_cast<StoreTileOp>(op);
    if (!tiles.stores.empty() && !store && holdsTileStep(op))
      return op.emitOpError("expected no tile op after the sigattn.store_tile");
    if (store) {
      tiles.stores.push_back(store);
      continue;
    }
    // The ranges of a group loop are its body's.
    Block *block = &entry;
    if (isGroupLoop(op)) {
      if (tiles.groupLoop || !tiles.ranges.empty())
        return op.emitOpError("expected one loop over the query heads of a "
                              "group, holding every column range");
      tiles.groupLoop = cast<scf::ForOp>(op);
      block = tiles.groupLoop.getBody();
    }
    auto ops = block == &entry ? llvm::make_range(op.getIterator(),
                                                  std::next(op.getIterator()))
                               : llvm::make_range(block->begin(), block->end());
    for (Operation &inner : ops) {
      FailureOr<std::optional<ColumnRange>> range = rangeOf(inner);
      if (failed(range))
        return failure();
      if (!*range)
        continue;
      if (tiles.rowLoads.empty())
        return (*range)->getOperation()->emitOpError(
            "expected the sigattn.load_tile of Q before the key/value tiles");
      tiles.ranges.push_back(**range);
    }
  }
  if (tiles.rowLoads.empty() || tiles.stores.empty() || tiles.ranges.empty())
    return kernel.emitOpError("expected a sigattn.load_tile of Q, key/value "
                              "tiles and a sigattn.store_tile of O in the "
                              "kernel");
  size_t numRows = tiles.describingStep().getRowTiles().size();
  if (tiles.rowLoads.size() > numRows)
    return tiles.rowLoads[numRows].emitOpError()
           << "expected one sigattn.load_tile per row tile of the tile steps ("
           << numRows << ")";

  // Step 3. The accumulators threaded from zero through the ranges to the
  // stores, each range reading the row tiles and agreeing with the first.
  LoadTileOp first = tiles.rowLoads.front();
  SmallVector<Value, 2> acc;
  // In a group loop, the accumulators start at zero for the loop and at its
  // iter args for its body's first range.
  scf::ForOp group = tiles.groupLoop;
  if (group) {
    if (!matchPattern(group.getStep(), m_One()) ||
        !llvm::all_of(group.getInitArgs(), isZeroTile) ||
        group.getNumRegionIterArgs() != tiles.ranges.front().init.size())
      return group.emitOpError(
          "expected a unit-step loop over the query heads of a group that "
          "carries the accumulators from zero");
    acc.assign(group.getRegionIterArgs().begin(),
               group.getRegionIterArgs().end());
  }
  for (auto [i, range] : llvm::enumerate(tiles.ranges)) {
    TileStepInterface step = range.step;
    if (i == 0 && !group ? !llvm::all_of(range.init, isZeroTile)
                         : range.init != acc)
      return range.getOperation()->emitOpError(
          "expected the accumulator to start at zero or at the result of the "
          "previous key/value tiles");
    if ((i > 0 || group) &&
        !llvm::all_of(acc, [](Value v) { return v.hasOneUse(); }))
      return range.getOperation()->emitOpError(
          "expected the previous key/value tiles' accumulator to have no "
          "other use");
    SmallVector<Value, 2> rowTiles = step.getRowTiles();
    if (rowTiles.size() != tiles.rowLoads.size() ||
        !llvm::all_of(llvm::zip(rowTiles, tiles.rowLoads), [](auto pair) {
          return std::get<0>(pair) == std::get<1>(pair).getResult();
        }))
      return step.emitOpError(rowTiles.size() == 1
                                  ? "expected to read the kernel's Q tile"
                                  : "expected to read the kernel's row tiles, "
                                    "in the order of their loads");
    if (llvm::any_of(tiles.rowLoads, [&](LoadTileOp load) {
          return step.getRowStart() != load.getRowStart() ||
                 step.getBatch() != load.getBatch();
        }))
      return step.emitOpError(
          isa<GradKVStepOp>(step)
              ? "expected k_start and batch to be the row tiles' first row "
                "and batch"
              : "expected q_start and batch to be the Q tile's first row and "
                "batch");
    StringRef differs = differingProperty(tiles.describingStep(), step);
    if (!differs.empty())
      return step.emitOpError()
             << "expected every tile step of the kernel to agree on "
             << differs;
    acc = range.result;
  }
  if (group) {
    auto yield = cast<scf::YieldOp>(group.getBody()->getTerminator());
    if (!llvm::equal(yield.getOperands(), acc))
      return group.emitOpError("expected to yield the accumulators of its "
                               "last column range");
    acc.assign(group.getResults().begin(), group.getResults().end());
  }
  if (tiles.stores.size() != acc.size())
    return tiles.stores.back().emitOpError()
           << "expected one sigattn.store_tile per accumulator (" << acc.size()
           << ")";
  for (auto [store, result] : llvm::zip(tiles.stores, acc)) {
    if (store.getTile() != result || !result.hasOneUse())
      return store.emitOpError(
          "expected to store the accumulator of the last key/value tiles");
    if (store.getBatch() != first.getBatch() ||
        store.getHead() != first.getHead() ||
        store.getRowStart() != first.getRowStart())
      return store.emitOpError(
          "expected to store the rows of the Q tile (same batch, head and "
          "first row)");
    if (store.getTile().getType().getDimSize(0) !=
        first.getResult().getType().getDimSize(0))
      return store.emitOpError("expected as many rows as the Q tile");
  }
  return tiles;
}

DictionaryAttr mlir::sigattn::describeKernel(gpu::GPUFuncOp kernel,
                                             KernelTiles &tiles,
                                             const abi::TileShape &shape,
                                             int64_t sharedBytes,
                                             StringRef mma) {
  Builder b(kernel.getContext());
  TileStepInterface step = tiles.describingStep();
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
  // q and k: row tile 0 and column source 0, the other way round for dk/dv.
  bool keyRows = shape.kind == abi::KernelKind::kGradKV;
  Value rowSource = tiles.rowLoads.front().getSource();
  Value columnSource = step.getColumnSources()[0];
  Value query = keyRows ? columnSource : rowSource;
  Value key = keyRows ? rowSource : columnSource;
  // A compiled-in scale or bias, or "param" for a run-time one.
  auto floatAttr = [&](std::optional<APFloat> value) {
    return value ? b.getF32FloatAttr(value->convertToFloat()) : FloatAttr();
  };
  auto scalar = [&](Value runtime, FloatAttr compiled) -> Attribute {
    return runtime ? Attribute(b.getStringAttr("param")) : compiled;
  };
  SmallVector<NamedAttribute> fields = {
      b.getNamedAttr("name", b.getStringAttr(kernel.getName())),
      b.getNamedAttr("abi_version", i64(abi::kAbiVersion)),
      b.getNamedAttr("kind", b.getStringAttr(abi::kindName(shape.kind))),
      b.getNamedAttr(
          "element_type",
          b.getStringAttr(
              tiles.rowLoads.front().getType().getElementType().isBF16()
                  ? "bf16"
                  : "f16")),
      b.getNamedAttr("head_dim", i64(shape.headDim)),
      b.getNamedAttr("value_dim", i64(shape.valueDim)),
      b.getNamedAttr("num_query_heads",
                     i64(cast<MemRefType>(query.getType()).getDimSize(2))),
      b.getNamedAttr("num_kv_heads",
                     i64(cast<MemRefType>(key.getType()).getDimSize(2))),
      b.getNamedAttr("batch", staticSize(query, 0)),
      b.getNamedAttr("seq_q", staticSize(query, 1)),
      b.getNamedAttr("seq_k", staticSize(key, 1)),
      b.getNamedAttr("block_q", i64(shape.blockQ)),
      b.getNamedAttr("block_k", i64(shape.blockK)),
      b.getNamedAttr("num_warps", i64(shape.numWarps)),
      b.getNamedAttr("block_threads", i64(abi::blockThreads(shape))),
      b.getNamedAttr(kSharedBytesField, i64(sharedBytes)),
      b.getNamedAttr("window_left", i64(step.getLeft())),
      b.getNamedAttr("window_right", i64(step.getRight())),
      b.getNamedAttr("scale",
                     scalar(step.getScaleValue(), floatAttr(step.getScale()))),
      b.getNamedAttr("bias",
                     scalar(step.getBiasValue(), floatAttr(step.getBias()))),
      b.getNamedAttr("alibi", b.getStringAttr(alibi)),
      b.getNamedAttr("mma", b.getStringAttr(mma)),
      b.getNamedAttr("loads",
                     b.getStringAttr(shape.tmaLoads ? "tma" : "cp.async")),
      b.getNamedAttr("stores",
                     b.getStringAttr(shape.tmaStores ? "tma" : "direct")),
      b.getNamedAttr("producer_warps", i64(shape.producerWarps)),
      b.getNamedAttr("kv_stages", i64(shape.kvStages)),
  };
  // A backward kernel names the other kernel of its op.
  if (auto partner = kernel->getAttrOfType<StringAttr>(kPartnerAttrName))
    fields.push_back(b.getNamedAttr("partner", partner));
  return b.getDictionaryAttr(fields);
}
