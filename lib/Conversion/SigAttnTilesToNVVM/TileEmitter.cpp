//===- TileEmitter.cpp - what both tensor-core lowerings share -----------===//
//
// The generation-independent part of the lowering of a sigattn kernel's
// tile ops (see TileEmitter.h): configuration checks, copies into shared
// memory, the key/value loop with two stages, the sigmoid and masks, and
// the store of O.
//
//===----------------------------------------------------------------------===//

#include "TileEmitter.h"
#include "sigattn/Conversion/SigAttnTilesToNVVM/MmaSyncLayout.h"
#include "sigattn/Conversion/SigAttnTilesToNVVM/ScoreMath.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Matchers.h"
#include "sigattn/Dialect/SigAttn/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::sigattn;
using namespace mlir::sigattn::values;
namespace abi = ::sigattn::abi;
namespace layout = ::sigattn::mmasync;
namespace score = ::sigattn::score;

static constexpr int64_t kMaxSharedBytes = abi::kMaxDynamicSharedBytes;

/// Registers a thread can hold.
static constexpr int64_t kMaxRegisters = 255;

/// What one sm_90 SM holds: registers, shared memory, and the shared memory
/// the system reserves per block.
static constexpr int64_t kRegistersPerSM = 65536;
static constexpr int64_t kSharedBytesPerSM = 228 * 1024;
static constexpr int64_t kReservedSharedBytesPerBlock = 1024;

/// Registers per thread of a producer warpgroup after `setmaxnreg`
/// (FlashAttention-3's value: a loop that issues TMA loads), and the most
/// a computing thread asks for.
static constexpr int64_t kProducerRegisters = 24;
static constexpr int64_t kMaxComputeRegisters = 240;

/// Registers a computing thread needs besides its S and O accumulators
/// (addresses, indices, the sigmoid's constants): the 128 x 64, D = 128
/// kernel holds 96 accumulators in 122 registers.
static constexpr int64_t kRegistersBesideAccumulators = 32;

/// The register split of a warp-specialized kernel with `blocks` blocks per
/// SM: registers per thread at launch, of the producer and of the computing
/// warps after setmaxnreg (multiples of 8, as setmaxnreg takes them).
/// setmaxnreg moves registers within the block: what the computing warps
/// gain must fit in what the block got at launch (launch registers x
/// threads) less what the producer keeps, or their setmaxnreg.inc waits
/// forever.
static void splitRegisters(TileConfig &c, int64_t blocks) {
  int64_t threads = abi::blockThreads(c.shape);
  auto roundDown = [](int64_t r) { return r / 8 * 8; };
  c.launchRegisters =
      std::min<int64_t>(roundDown(kRegistersPerSM / blocks / threads), 248);
  c.producerRegisters = std::min(kProducerRegisters, c.launchRegisters);
  int64_t blockRegisters = c.launchRegisters * threads;
  int64_t producerKeeps = 32 * c.shape.producerWarps * c.producerRegisters;
  c.computeRegisters = std::min(
      kMaxComputeRegisters,
      roundDown((blockRegisters - producerKeeps) / c.computeThreads()));
  // One block of few computing warps may start with more than the cap:
  // they keep what they have (no setmaxnreg.inc).
  c.computeRegisters = std::max(c.computeRegisters, c.launchRegisters);
}

FailureOr<TileConfig> mlir::sigattn::getTileConfig(gpu::GPUFuncOp kernel,
                                                   KernelTiles &tiles,
                                                   StringRef mma) {
  auto fail = [&](const Twine &msg) {
    return kernel.emitOpError()
           << "convert-sigattn-tiles-to-nvvm (mma=" << mma << "): " << msg;
  };
  FailureOr<int64_t> threads = getKernelThreads(kernel, kMaxWarps);
  if (failed(threads))
    return failure();
  TileStepInterface step = tiles.describingStep();
  abi::KernelKind kind = isa<GradKVStepOp>(step)  ? abi::KernelKind::kGradKV
                         : isa<GradQStepOp>(step) ? abi::KernelKind::kGradQ
                                                  : abi::KernelKind::kAttention;
  bool forward = kind == abi::KernelKind::kAttention;
  TileConfig c;
  c.mma = mma;
  c.shape.kind = kind;
  // Row tile 0 (Q, or K for dk/dv) has D columns; row tile 1 (dO, V) and
  // the accumulator of O have Dv.
  VectorType qType = tiles.rowLoads.front().getType();
  // The schedule's attributes: i64 when present (the outline pass sets
  // them); the stages must be resolved, 2 .. 4.
  int64_t producerWarps = 0;
  int64_t stages = abi::TileShape::kDefaultKVStages;
  for (auto [name, value] :
       {std::pair<StringRef, int64_t *>{kProducerWarpsAttrName, &producerWarps},
        {kKVStagesAttrName, &stages}}) {
    Attribute attr = kernel->getAttr(name);
    if (!attr)
      continue;
    auto integer = dyn_cast<IntegerAttr>(attr);
    if (!integer || !integer.getType().isSignlessInteger(64))
      return fail("'" + name + "' must be an i64 integer");
    *value = integer.getInt();
  }
  if (stages < abi::kMinKVStages || stages > abi::kMaxKVStages)
    return fail("'" + kKVStagesAttrName + "' = " + Twine(stages) +
                " is out of range (" + Twine(abi::kMinKVStages) + " .. " +
                Twine(abi::kMaxKVStages) + ")");
  if (producerWarps != 0 &&
      (producerWarps != abi::kProducerWarps || *threads / 32 <= producerWarps))
    return fail("'" + kProducerWarpsAttrName + "' must be " +
                Twine(abi::kProducerWarps) +
                " (one producer warpgroup) with computing warps before it");
  c.shape.producerWarps = producerWarps;
  c.shape.kvStages = stages;
  c.shape.numWarps = *threads / 32 - producerWarps;
  bool keyRows = kind == abi::KernelKind::kGradKV;
  int64_t rows = qType.getDimSize(0), columns = step.getColumnBlock();
  c.shape.blockQ = keyRows ? columns : rows;
  c.shape.blockK = keyRows ? rows : columns;
  c.shape.headDim = qType.getDimSize(1);
  c.shape.valueDim =
      forward
          ? cast<VectorType>(step.getAccumulators()[0].getType()).getDimSize(1)
          : tiles.rowLoads.back().getType().getDimSize(1);
  // The options that set the rows and the columns of this kernel's tiles.
  StringRef rowOption = keyRows ? "block-k" : "block-q";
  StringRef columnOption = keyRows ? "block-q" : "block-k";
  c.threads = abi::blockThreads(c.shape);
  c.bf16 = qType.getElementType().isBF16();
  if (auto maps =
          kernel->getAttrOfType<DenseI64ArrayAttr>(kTensorMapsAttrName)) {
    ArrayRef<int64_t> args = maps.asArrayRef();
    int64_t inputs = abi::numInputs(kind), all = abi::numTensors(kind);
    if ((static_cast<int64_t>(args.size()) != inputs &&
         (!forward || static_cast<int64_t>(args.size()) != all)) ||
        llvm::any_of(args, [&](int64_t i) {
          return i < 0 || i >= kernel.getNumArguments() ||
                 !isa<LLVM::LLVMPointerType>(kernel.getArgument(i).getType());
        }))
      return fail(
          forward ? "'" + kTensorMapsAttrName + "' must name " +
                        Twine(abi::kNumTensorMaps) + " or " +
                        Twine(abi::kNumTensorMapsWithStore) +
                        " !llvm.ptr arguments (the CUtensorMaps of q, k, "
                        "v, and out's with TMA stores)"
                  : "'" + kTensorMapsAttrName + "' must name " + Twine(inputs) +
                        " !llvm.ptr arguments (the CUtensorMaps of q, k, "
                        "v and dO)");
    c.tensorMaps.assign(args.begin(), args.end());
    c.shape.tmaLoads = true;
    c.shape.tmaStores = static_cast<int64_t>(args.size()) == all;
  }
  if (c.specialized() && !c.tma())
    return fail("schedule=specialized needs loads=tma (the producer issues "
                "TMA loads)");
  if (c.specialized() && !forward)
    return fail(Twine("schedule=specialized is not supported for the "
                      "backward kernels yet (kind ") +
                abi::kindName(kind) + "): use schedule=cooperative");
  if (std::optional<std::string> error = checkKVStagesOption(
          stages, c.specialized() ? ScheduleKind::Specialized
                                  : ScheduleKind::Cooperative))
    return fail(*error);

  for (auto [name, dim] : {std::pair<StringRef, int64_t>{"D", c.shape.headDim},
                           {"Dv", c.shape.valueDim}}) {
    if (dim != 64 && dim != 128 && dim != 256)
      return fail("head dimension " + name + " = " + Twine(dim) +
                  " is not supported (supported: 64, 128, 256)");
    // dk and dv alone would take 256 registers per thread at 256.
    if (!forward && dim == 256)
      return fail("head dimension " + name + " = " + Twine(dim) +
                  " is not supported by the backward kernels (supported: "
                  "64, 128)");
  }
  // Bounded before any product of sizes is formed.
  for (auto [name, size] :
       {std::pair<StringRef, int64_t>{"block-q", c.shape.blockQ},
        {"block-k", c.shape.blockK}}) {
    if (size > kMaxTileSize)
      return fail(name + " = " + Twine(size) + " is more than " +
                  Twine(kMaxTileSize) + " rows");
  }
  // The buffers' head counts and head dims are static: the lowering turns
  // them into address arithmetic.
  // Rows, columns and outputs by kind (abi::rowTensor and the rest).
  for (int i = 0; i < abi::numRowTensors(kind); ++i)
    c.rowRoles.push_back(abi::rowTensor(kind, i));
  c.columnRoles = {abi::columnTensor(kind, 0), abi::columnTensor(kind, 1)};
  SmallVector<std::pair<StringRef, Value>> buffers;
  for (auto [i, load] : llvm::enumerate(tiles.rowLoads))
    buffers.push_back({abi::tensorRoleName(c.rowRoles[i]), load.getSource()});
  for (auto [j, source] : llvm::enumerate(step.getColumnSources()))
    buffers.push_back({abi::tensorRoleName(c.columnRoles[j]), source});
  for (auto [i, store] : llvm::enumerate(tiles.stores))
    buffers.push_back(
        {abi::tensorRoleName(abi::outputTensor(kind, i)), store.getDest()});
  for (auto [name, buffer] : buffers) {
    auto type = cast<MemRefType>(buffer.getType());
    if (type.isDynamicDim(2) || type.isDynamicDim(3))
      return fail("the " + name +
                  " buffer needs a static head count and head dimension");
  }
  if (forward && tiles.stores.front().getDest().getType().getDimSize(3) !=
                     c.shape.valueDim)
    return fail("the output buffer's head dimension must be Dv = " +
                Twine(c.shape.valueDim));
  if (c.shape.tmaStores && c.shape.valueDim > c.shape.headDim)
    return fail("TMA stores (stores=tma) stage O where Q was and need Dv <= "
                "D (Dv = " +
                Twine(c.shape.valueDim) + ", D = " + Twine(c.shape.headDim) +
                ")");
  if (rows % (16 * c.shape.numWarps) != 0)
    return fail(rowOption + " = " + Twine(rows) +
                " must be a multiple of 16 x num-warps = " +
                Twine(16 * c.shape.numWarps));
  if (columns % 16 != 0)
    return fail(columnOption + " = " + Twine(columns) +
                " must be a multiple of 16");
  c.rowsPerWarp = rows / c.shape.numWarps;
  c.mTiles = c.rowsPerWarp / 16;
  c.rowBlock = rows;
  c.columnBlock = columns;
  c.rowDepths = {c.shape.headDim};
  if (!forward)
    c.rowDepths.push_back(c.shape.valueDim);
  c.columnWidths = {c.shape.headDim, c.shape.valueDim};
  if (kind == abi::KernelKind::kGradKV)
    c.accumulatorWidths = {c.shape.headDim, c.shape.valueDim};
  else
    c.accumulatorWidths = {forward ? c.shape.valueDim : c.shape.headDim};
  SmallVector<std::tuple<StringRef, int64_t, int64_t>> copies;
  for (int64_t depth : c.rowDepths)
    copies.push_back({rowOption, rows, depth});
  for (int64_t width : c.columnWidths)
    copies.push_back({columnOption, columns, width});
  for (auto [name, rows, cols] : copies) {
    // TMA loads whole boxes: no split among threads.
    if (!c.tma() && (rows * cols / 8) % c.threads != 0)
      return fail(name + " = " + Twine(rows) + " gives a " + Twine(rows) + "x" +
                  Twine(cols) +
                  " tile that the block's threads cannot copy in equal "
                  "16-byte parts (num-warps = " +
                  Twine(c.shape.numWarps) + ")");
  }
  int64_t offset = 0;
  for (int64_t depth : c.rowDepths) {
    c.offRow.push_back(offset);
    offset += c.rowBlock * depth * abi::kElementBytes;
  }
  for (int64_t width : c.columnWidths) {
    c.stageBytes.push_back(c.columnBlock * width * abi::kElementBytes);
    c.offColumn.push_back(offset);
    offset += stages * c.stageBytes.back();
  }
  c.offBarriers = offset;
  c.sharedBytes = abi::dynamicSharedBytes(c.shape);
  if (c.sharedBytes > kMaxSharedBytes)
    return fail("the tiles need " + Twine(c.sharedBytes) +
                " bytes of shared memory, more than " + Twine(kMaxSharedBytes) +
                ": lower block-q or block-k");
  // The S and O accumulators of a thread live in registers (the backward
  // kernels: S, dP and the gradients).
  int64_t live = forward ? columns : 2 * columns;
  for (int64_t width : c.accumulatorWidths)
    live += width;
  int64_t accumulators = c.mTiles * live / 8 * 4;
  if (accumulators > kMaxRegisters)
    return fail(Twine(forward ? "the S and O accumulators"
                              : "the S, dP and gradient accumulators") +
                " need " + Twine(accumulators) +
                " registers per thread, more than the " + Twine(kMaxRegisters) +
                " a thread has: lower block-q or block-k, or raise num-warps");
  if (c.specialized()) {
    // Two blocks per SM when their shared memory fits and the computing
    // warps still get the registers they need (the S of the next tile is
    // in flight beside this tile's S and O); else one.
    int64_t needed = accumulators + c.mTiles * c.shape.blockK / 8 * 4 +
                     kRegistersBesideAccumulators;
    int64_t blockShared = c.sharedBytes + kReservedSharedBytesPerBlock;
    c.blocksPerSM = 1;
    if (2 * blockShared <= kSharedBytesPerSM) {
      splitRegisters(c, 2);
      if (c.computeRegisters >= needed)
        c.blocksPerSM = 2;
    }
    splitRegisters(c, c.blocksPerSM);
    if (c.computeRegisters < needed)
      return fail("the S and O accumulators and the next tile's S need " +
                  Twine(needed - kRegistersBesideAccumulators) +
                  " registers per computing thread, and with " +
                  Twine(kRegistersBesideAccumulators) +
                  " more, more than the " + Twine(c.computeRegisters) +
                  " schedule=specialized gives it: lower block-q or "
                  "block-k");
  }
  return c;
}

TileEmitter::TileEmitter(gpu::GPUFuncOp kernel, const TileConfig &cfg)
    : b(kernel.getContext()), loc(kernel.getLoc()), ctx(kernel.getContext()),
      kernel(kernel), cfg(cfg) {}

Value TileEmitter::sharedPtr(Value byteOffset) {
  auto ptrType = LLVM::LLVMPointerType::get(ctx, 3);
  return LLVM::GEPOp::create(b, loc, ptrType, b.getI8Type(), smem,
                             ValueRange{byteOffset});
}

Value TileEmitter::globalBase(Value view) {
  Value address = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, view);
  return LLVM::IntToPtrOp::create(b, loc, LLVM::LLVMPointerType::get(ctx, 1),
                                  toI64(address));
}

Value TileEmitter::globalPtr(Value base, Value byteOffset) {
  return LLVM::GEPOp::create(b, loc, LLVM::LLVMPointerType::get(ctx, 1),
                             b.getI8Type(), base, ValueRange{byteOffset});
}

TileEmitter::GlobalStrides TileEmitter::stridesOf(Value view) {
  auto metadata = memref::ExtractStridedMetadataOp::create(b, loc, view);
  ValueRange strides = metadata.getStrides();
  return {toI64(strides[0]), toI64(strides[1]), toI64(strides[2])};
}

/// rows x cols elements of head `head`, batch `batch`, from row `rowStart` of
/// the [B, N, H, cols] tensor `view` (strided, last dimension contiguous)
/// into shared memory; rows at or past N are zero-filled.
void TileEmitter::copyToShared(Value view, Value batch, Value head,
                               Value rowStart, int64_t rows, int64_t cols,
                               Value sharedOffset) {
  int64_t chunksPerRow = cols / 8;
  Value seq = toI64(memref::DimOp::create(b, loc, view, 1));
  GlobalStrides strides = stridesOf(view);
  // The tile's first row, in bytes; then rows from there in 32 bits.
  Value row0 = toI64(rowStart);
  IntV start = layout::headStart(iv(toI64(batch)), iv(toI64(head)),
                                 iv(strides.batch), iv(strides.head));
  Value rowBytes = mul(strides.row, i64(abi::kElementBytes));
  Value base = globalPtr(
      globalBase(view),
      mul(layout::elementOf(start, iv(row0), iv(i64(0)), iv(strides.row)).v,
          i64(abi::kElementBytes)));
  IntV rowBytes32 = iv(narrow(rowBytes));
  IntV valid = iv(narrow(layout::validRows(iv(row0), iv(seq), rows).v));
  Value tid = toI32(gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x));
  for (int64_t i = 0; i < rows * chunksPerRow / cfg.threads; ++i) {
    layout::Chunk<IntV> c = layout::chunkOf(iv(tid), i, cfg.threads, cols);
    IntV dst = sharedChunkOffset(iv(sharedOffset), c.row, c.chunk, rows, cols);
    // Source: row min(row, valid - 1) of the tile, zero-filled past the
    // sequence; in bytes (elementOf with 2-byte units).
    IntV sourceRow = layout::clampedSourceRow(c.row, valid);
    IntV srcOffset =
        layout::elementOf(iv(i32(0)), sourceRow, c.chunk << 4, rowBytes32);
    Value src = globalPtr(base, wide(srcOffset.v));
    Value bytes = layout::sourceBytes(c.row, valid).v;
    NVVM::CpAsyncOp::create(b, loc, sharedPtr(dst.v), src, 16,
                            NVVM::LoadCacheModifierKind::CG, bytes);
  }
}

Value TileEmitter::stageOf(Value slot) {
  int64_t stages = cfg.shape.kvStages;
  if (llvm::isPowerOf2_64(stages))
    return arith::AndIOp::create(b, loc, toI32(slot), i32(stages - 1));
  return arith::RemUIOp::create(b, loc, toI32(slot), i32(stages));
}

Value TileEmitter::phaseOf(Value slot) {
  int64_t stages = cfg.shape.kvStages;
  Value round = llvm::isPowerOf2_64(stages)
                    ? arith::ShRUIOp::create(b, loc, toI32(slot),
                                             i32(llvm::Log2_64(stages)))
                          .getResult()
                    : arith::DivUIOp::create(b, loc, toI32(slot), i32(stages))
                          .getResult();
  return arith::AndIOp::create(b, loc, round, i32(1));
}

Value TileEmitter::stageBarrier(Value slot) {
  return barrierPtr(add(i32(1), stageOf(slot)));
}

Value TileEmitter::emptyBarrier(Value slot) {
  return barrierPtr(add(i32(1 + cfg.shape.kvStages), stageOf(slot)));
}

SmallVector<Value, 2> TileEmitter::stageOffsets(Value slot) {
  Value stage = stageOf(slot);
  SmallVector<Value, 2> offsets;
  for (auto [offset, bytes] : llvm::zip(cfg.offColumn, cfg.stageBytes))
    offsets.push_back(add(i32(offset), mul(stage, i32(bytes))));
  return offsets;
}

TileEmitter::TileAddresses TileEmitter::tileAddresses(Value kTile, Value slot) {
  Value k0 =
      mul(kTile, arith::ConstantIndexOp::create(b, loc, cfg.columnBlock));
  return {k0, stageOffsets(slot)};
}

void TileEmitter::issueKeyValueLoads(TileStepInterface step,
                                     const TileAddresses &at, Value barrier) {
  // One mbarrier per stage expects the bytes of all its tiles.
  int64_t bytes = 0;
  for (int64_t tileBytes : cfg.stageBytes)
    bytes += tileBytes;
  expectBytes(barrier, bytes);
  for (auto [j, width] : llvm::enumerate(cfg.columnWidths))
    tmaLoadTile(cfg.columnRoles[j], step.getBatch(), step.getColumnHead(),
                at.k0, cfg.columnBlock, width, at.offsets[j], barrier);
}

void TileEmitter::copyKeyValueTile(TileStepInterface step, Value kTile,
                                   Value slot) {
  TileAddresses at = tileAddresses(kTile, slot);
  if (cfg.tma()) {
    Value barrier = stageBarrier(slot);
    inThreadZero([&] { issueKeyValueLoads(step, at, barrier); });
    return;
  }
  for (auto [j, source] : llvm::enumerate(step.getColumnSources()))
    copyToShared(source, step.getBatch(), step.getColumnHead(), at.k0,
                 cfg.columnBlock, cfg.columnWidths[j], at.offsets[j]);
  NVVM::CpAsyncCommitGroupOp::create(b, loc);
}

Value TileEmitter::barrierPtr(Value index) {
  return sharedPtr(
      add(i32(cfg.offBarriers), mul(index, i32(abi::kMBarrierBytes))));
}

void TileEmitter::ifThen(Value condition, function_ref<void()> body) {
  scf::IfOp::create(b, loc, condition, [&](OpBuilder &nb, Location) {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(nb.getInsertionBlock(), nb.getInsertionPoint());
    body();
    scf::YieldOp::create(b, loc);
  });
}

void TileEmitter::inThreadZero(function_ref<void()> body) {
  ifThen(arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, tid, i32(0)),
         body);
}

void TileEmitter::initBarriers() {
  int64_t loads = 1 + cfg.shape.kvStages;
  inThreadZero([&] {
    // Q's and the stages' loads complete on one arrival (with the bytes);
    // a stage is released when every computing thread arrived.
    for (int64_t i = 0; i < abi::tmaBarriers(cfg.shape); ++i)
      NVVM::MBarrierInitOp::create(b, loc, barrierPtr(i32(i)),
                                   i32(i < loads ? 1 : cfg.computeThreads()),
                                   Value());
    NVVM::FenceMbarrierInitOp::create(b, loc);
  });
  barrier();
}

void TileEmitter::expectBytes(Value barrier, int64_t bytes) {
  NVVM::MBarrierArriveExpectTxOp::create(b, loc, Type(), barrier, i32(bytes),
                                         NVVM::MemScopeKindAttr(), BoolAttr(),
                                         Value());
}

void TileEmitter::tmaLoadTile(abi::Tensor role, Value batch, Value head,
                              Value rowStart, int64_t rows, int64_t cols,
                              Value sharedOffset, Value barrier) {
  Value map = kernel.getArgument(
      cfg.tensorMaps[abi::tensorIndex(cfg.shape.kind, role)]);
  int64_t boxRows = abi::tmaBoxRows(role, cfg.columnBlock, cfg.shape.kind);
  auto clusterPtr = LLVM::LLVMPointerType::get(ctx, 7);
  Value row0 = toI32(rowStart);
  for (int64_t r = 0; r < rows; r += boxRows) {
    for (int64_t c = 0; c < cols / abi::kTmaBoxCols; ++c) {
      // The box of rows [r, r + boxRows) of column block c lands where the
      // layout keeps its first chunk; the generations that take TMA loads
      // keep tiles in TMA's 128-byte swizzle (WgmmaLayout.h).
      IntV dst =
          sharedChunkOffset(iv(sharedOffset), iv(i32(r)),
                            iv(i32(c * abi::kTmaBoxCols / 8)), rows, cols);
      Value ptr =
          LLVM::AddrSpaceCastOp::create(b, loc, clusterPtr, sharedPtr(dst.v));
      SmallVector<Value> coords = {i32(c * abi::kTmaBoxCols), toI32(head),
                                   add(row0, i32(r)), toI32(batch)};
      NVVM::CpAsyncBulkTensorGlobalToSharedClusterOp::create(
          b, loc, ptr, map, coords, barrier, ValueRange(), Value(), Value(),
          NVVM::TMALoadModeAttr(), BoolAttr(), NVVM::CTAGroupKindAttr(),
          Value());
    }
  }
}

void TileEmitter::waitBarrier(Value barrier, Value phase) {
  // Suspend-time hint of the wait, in nanoseconds (CUTLASS's value).
  constexpr int64_t kSuspendHint = 10000000;
  NVVM::MBarrierTryWaitParityOp::create(b, loc, barrier, phase,
                                        i32(kSuspendHint));
}

/// Two f32 rounded to the element type, `lo` in the low half of an i32.
Value TileEmitter::pack(Value lo, Value hi) {
  Type element = cfg.bf16 ? b.getBF16Type() : b.getF16Type();
  Value pair = vector::FromElementsOp::create(
      b, loc, VectorType::get({2}, b.getF32Type()), ValueRange{lo, hi});
  Value narrow =
      arith::TruncFOp::create(b, loc, VectorType::get({2}, element), pair);
  return LLVM::BitcastOp::create(b, loc, b.getI32Type(), narrow);
}

void TileEmitter::barrier() { NVVM::Barrier0Op::create(b, loc); }

void TileEmitter::waitCopies(int64_t pending) {
  NVVM::CpAsyncWaitGroupOp::create(b, loc, pending);
}

/// Lane and warp indices, and Q's tile in shared memory.
void TileEmitter::emitPrologue() {
  tid = toI32(gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x));
  layout::Lane<IntV> l = layout::laneOf(iv(tid));
  lane = l.lane.v;
  warp = l.warp.v;
  pairCol = l.pairCol.v;
  // Query row of this thread's first accumulator row, within the tile.
  rowBase = layout::rowBase(l, cfg.rowsPerWarp).v;
  smem = LLVM::AddressOfOp::create(b, loc, LLVM::LLVMPointerType::get(ctx, 3),
                                   kSharedMemoryName);
}

/// One key/value tile: S = Q.K^T, P = sigmoid(S') (masked if asked),
/// acc += P.V. The tile's copies were issued before; without a producer the
/// next tile's are issued here, into the other stage, and run while this
/// one is computed.
void TileEmitter::emitStep(TileStepInterface step, const LoopInvariants &inv,
                           Value kTile, Value slot, Value hasNext,
                           SmallVectorImpl<Value> &acc) {
  TileAddresses at = tileAddresses(kTile, slot);
  waitForTile(slot);
  if (!cfg.specialized()) {
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    ifThen(hasNext,
           [&] { copyKeyValueTile(step, add(kTile, one), add(slot, one)); });
  }
  SmallVector<Value> scores =
      computeRowProduct(rowOperand(0), columnOperand(0, at.offsets));
  if (cfg.shape.kind == abi::KernelKind::kAttention)
    applyAndAccumulate(step, inv, at, scores, acc);
  else
    applyGradients(step, inv, at, scores, acc);
  releaseTile(slot);
}

void TileEmitter::applyGradients(TileStepInterface step,
                                 const LoopInvariants &inv,
                                 const TileAddresses &at,
                                 SmallVectorImpl<Value> &scores,
                                 SmallVectorImpl<Value> &acc) {
  // dP = R1 . C1^T (dO . V^T for dq; dP^T = V . dO^T for dk, dv), then P
  // and dS = dP * P * (1 - P) in place of S (its transpose for dk, dv).
  SmallVector<Value> dp =
      computeRowProduct(rowOperand(1), columnOperand(1, at.offsets));
  int64_t nTiles = cfg.columnBlock / 8, steps = cfg.columnBlock / 16;
  applySigmoid(step, inv, at.k0, scores, 0, nTiles);
  SmallVector<Value> ds;
  for (auto [p, d] : llvm::zip_equal(scores, dp))
    ds.push_back(score::scoreGradient(fv(p), fv(d)).v);
  // The column products, each into its accumulator: dq += dS . K; or
  // dv += P^T . dO and dk += dS^T . Q (the accumulators are [dk | dv]).
  if (cfg.shape.kind == abi::KernelKind::kGradQ) {
    accumulateColumns(ds, columnOperand(0, at.offsets), acc, 0, steps, true);
    return;
  }
  int64_t dkCount = cfg.mTiles * (cfg.accumulatorWidths[0] / 8) * 4;
  SmallVector<Value> dk(acc.begin(), acc.begin() + dkCount);
  SmallVector<Value> dv(acc.begin() + dkCount, acc.end());
  accumulateColumns(scores, columnOperand(1, at.offsets), dv, 0, steps, true);
  accumulateColumns(ds, columnOperand(0, at.offsets), dk, 0, steps, true);
  std::copy(dk.begin(), dk.end(), acc.begin());
  std::copy(dv.begin(), dv.end(), acc.begin() + dkCount);
}

void TileEmitter::waitForTile(Value slot) {
  // Slot t is its stage's (t / kvStages)-th load: the phase of the stage's
  // mbarrier it completes is t / kvStages % 2.
  if (cfg.tma()) {
    Value phase = phaseOf(slot);
    waitBarrier(stageBarrier(slot), phase);
    // Every warp is done with the previous tile: its stage may be reused.
    // (With a producer, this step's release at its end says so.)
    if (!cfg.specialized())
      barrier();
  } else {
    waitForTiles();
  }
}

void TileEmitter::applyAndAccumulate(TileStepInterface step,
                                     const LoopInvariants &inv,
                                     const TileAddresses &at,
                                     SmallVectorImpl<Value> &scores,
                                     SmallVectorImpl<Value> &acc) {
  // P = sigmoid(S'), masked on boundary tiles, and acc += P . V, chunk by
  // chunk of k16 steps.
  int64_t steps = cfg.columnBlock / 16;
  int64_t chunks = std::clamp<int64_t>(valueChunks(), 1, steps);
  for (int64_t c = 0; c < chunks; ++c) {
    int64_t kkBegin = steps * c / chunks, kkEnd = steps * (c + 1) / chunks;
    applySigmoid(step, inv, at.k0, scores, 2 * kkBegin, 2 * kkEnd);
    accumulateColumns(scores, columnOperand(1, at.offsets), acc, kkBegin, kkEnd,
                      c == chunks - 1);
  }
}

void TileEmitter::releaseTile(Value slot) {
  // The last chunk waited for every tensor-core read of K and V: this
  // thread releases the stage to the producer.
  if (cfg.specialized())
    NVVM::MBarrierArriveOp::create(b, loc, Type(), emptyBarrier(slot), Value());
}

/// P = 0.5 * tanh(0.5 * S') + 0.5 with
/// 0.5 * S' = (0.5 * scale) * S + 0.5 * bias - (0.5 * slope) * |d|,
/// d = i + Nk - Nq - j, and P = 0 where masked.
void TileEmitter::applySigmoid(TileStepInterface step,
                               const LoopInvariants &inv, Value k0,
                               SmallVectorImpl<Value> &scores, int64_t ntBegin,
                               int64_t ntEnd) {
  int64_t nTiles = cfg.columnBlock / 8;
  IntV k0i = iv(toI32(k0));
  // d at (rowBase, pairCol) of this tile; key j < Nk iff col < colLimit.
  IntV dTile = layout::tileDiagonal(iv(inv.diagBase), k0i);
  IntV colLimit = layout::columnLimit(iv(inv.seqK), k0i, iv(pairCol));
  auto fmf = LLVM::FastmathFlagsAttr::get(ctx, LLVM::FastmathFlags::afn);
  for (int64_t mt = 0; mt < cfg.mTiles; ++mt) {
    for (int64_t nt = ntBegin; nt < ntEnd; ++nt) {
      for (int64_t e = 0; e < 4; ++e) {
        layout::Offset o = layout::accElement(mt, nt, e);
        Value &x = scores[(mt * nTiles + nt) * 4 + e];
        // The MUFU's tanh.approx, or for some scores the FMA pipe's
        // polynomial, whose argument is 2^t's.
        bool onFma = score::onFmaPipe(nt * 4 + e, cfg.polySigmoid);
        FltV arg = onFma ? score::tanhArgument(fv(x), fv(inv.expScale),
                                               fv(inv.expBias))
                         : score::tanhArgument(fv(x), fv(inv.halfScale),
                                               fv(inv.halfBias));
        std::optional<IntV> d;
        if (inv.halfSlope || step.isMasked())
          d = layout::elementDiagonal(dTile, o);
        if (inv.halfSlope) {
          Value dist = arith::SIToFPOp::create(b, loc, b.getF32Type(),
                                               score::alibiDistance(*d).v);
          arg = score::withAlibi(arg, fv(onFma ? inv.expSlope : inv.halfSlope),
                                 fv(dist));
        }
        Value p;
        if (onFma) {
          p = score::sigmoidFromExp2Argument(arg).v;
        } else {
          auto tanh = LLVM::TanhOp::create(b, loc, arg.v);
          tanh.setFastmathFlagsAttr(fmf);
          p = score::sigmoidFromTanh(fv(tanh)).v;
        }
        if (step.isMasked()) {
          BoolV visible = score::isVisible(
              *d, colLimit, o.col, step.getRowLeft(), step.getRowRight());
          p = arith::SelectOp::create(b, loc, visible.v, p, f32(0.0f));
        }
        x = p;
      }
    }
  }
}

std::pair<Value, Value> TileEmitter::tileBounds(ColumnRange &range) {
  // Tiles [lo, hi): a loop's bounds, or the single tile of a step.
  Value lo =
      range.loop ? range.loop.getLowerBound() : range.step.getColumnTile();
  Value hi = range.loop ? range.loop.getUpperBound()
                        : add(lo, arith::ConstantIndexOp::create(b, loc, 1));
  return {lo, hi};
}

Value TileEmitter::slotOf(Value first, Value kTile, Value lo) {
  return add(first, arith::SubIOp::create(b, loc, kTile, lo).getResult());
}

Value TileEmitter::slotAfter(Value first, Value lo, Value hi) {
  // max(hi - lo, 0) tiles later.
  Value count =
      arith::MaxSIOp::create(b, loc, arith::SubIOp::create(b, loc, hi, lo),
                             arith::ConstantIndexOp::create(b, loc, 0));
  return add(first, count);
}

SmallVector<Value> TileEmitter::emitRange(ColumnRange &range,
                                          ArrayRef<Value> init, Value &slot) {
  TileStepInterface step = range.step;
  b.setInsertionPoint(range.getOperation());
  auto [lo, hi] = tileBounds(range);
  LoopInvariants inv;
  // 0.5 * scale and 0.5 * bias (score::foldSigmoid) of constants of the
  // attributes, folded by the canonicalizer, or of the kernel's f32
  // parameters: one arithmetic for both.
  inv.halfScale = (fv(step.getScaleAsValue(b)) * 0.5f).v;
  inv.halfBias = (fv(step.getBiasAsValue(b)) * 0.5f).v;
  if (Value slope = step.getAlibiSlope())
    inv.halfSlope = score::halfSlope(fv(slope)).v;
  if (cfg.polySigmoid > 0) {
    inv.expScale = (fv(inv.halfScale) * score::kExp2PerHalfArgument).v;
    inv.expBias = (fv(inv.halfBias) * score::kExp2PerHalfArgument).v;
    if (inv.halfSlope)
      inv.expSlope = (fv(inv.halfSlope) * score::kExp2PerHalfArgument).v;
  }
  inv.seqK =
      toI32(memref::DimOp::create(b, loc, step.getColumnSources()[0], 1));
  inv.diagBase = layout::diagonalBase(
                     iv(toI32(step.getRowStart())), iv(rowBase), iv(inv.seqK),
                     iv(toI32(step.getRowCount())), iv(pairCol))
                     .v;
  // Stages go by slot, the position of a tile in the kernel's sequence of
  // key/value tiles over all ranges: the first tile's stage was last read by
  // slot - 2, before the barrier of slot - 1 that every warp has passed.
  Value first = slot;
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  // A single tile: straight-line code (the accumulators stay visible as
  // values, e.g. zero before the first tile).
  // With a producer, the loads are its own.
  if (!range.loop) {
    if (!cfg.specialized())
      copyKeyValueTile(step, lo, first);
    SmallVector<Value> acc(init);
    emitStep(step, inv, lo, first, arith::ConstantIntOp::create(b, loc, 0, 1),
             acc);
    slot = add(first, one);
    return acc;
  }
  // S of the next tile before the sigmoid of this one needs the next
  // tile loaded while this one is held: a third stage. With two, the
  // overlapped loop would wait for each load in full (benchmarks/NOTES.md,
  // 2026-12-02, stop 15).
  if (cfg.specialized() && cfg.shape.kvStages > 2)
    return cfg.pingpong ? emitTurnTakingRange(range, inv, lo, hi, init, slot)
                        : emitOverlappedRange(range, inv, lo, hi, init, slot);
  // K and V of the first tile.
  if (!cfg.specialized()) {
    ifThen(arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, lo, hi),
           [&] { copyKeyValueTile(step, lo, first); });
  }
  auto newLoop = scf::ForOp::create(
      b, loc, lo, hi, arith::ConstantIndexOp::create(b, loc, 1), init,
      [&](OpBuilder &nb, Location nl, Value kt, ValueRange iterArgs) {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPoint(nb.getInsertionBlock(), nb.getInsertionPoint());
        SmallVector<Value> acc(iterArgs);
        Value next = add(kt, arith::ConstantIndexOp::create(b, loc, 1));
        Value hasNext =
            arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, next, hi);
        Value kSlot = slotOf(first, kt, lo);
        emitStep(step, inv, kt, kSlot, hasNext, acc);
        scf::YieldOp::create(b, loc, acc);
      });
  b.setInsertionPointAfter(newLoop);
  slot = slotAfter(first, lo, hi);
  return SmallVector<Value>(newLoop.getResults());
}

SmallVector<Value> TileEmitter::emitPipelinedRange(
    Value lo, Value hi, ArrayRef<Value> init, TypeRange carriedTypes,
    function_ref<SmallVector<Value>()> prologue,
    function_ref<void(Value, SmallVectorImpl<Value> &,
                      SmallVectorImpl<Value> &)>
        step,
    function_ref<void(Value, SmallVectorImpl<Value> &, ArrayRef<Value>)>
        epilogue) {
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  Value any = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, lo, hi);
  // Step 1. The prologue, on the first tile (zeros, unused, when the range
  // is empty).
  auto first = scf::IfOp::create(b, loc, carriedTypes, any, true);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(first.thenBlock());
    scf::YieldOp::create(b, loc, prologue());
    b.setInsertionPointToStart(first.elseBlock());
    SmallVector<Value> zeros;
    for (Type t : carriedTypes)
      zeros.push_back(arith::ConstantOp::create(b, loc, b.getZeroAttr(t)));
    scf::YieldOp::create(b, loc, zeros);
  }
  // Step 2. Tiles lo .. hi - 2, the accumulators and the carried values
  // threaded through.
  SmallVector<Value> threaded(init);
  threaded.append(first.getResults().begin(), first.getResults().end());
  Value last = arith::SubIOp::create(b, loc, hi, one);
  auto loop = scf::ForOp::create(
      b, loc, lo, last, one, threaded,
      [&](OpBuilder &nb, Location, Value kt, ValueRange iterArgs) {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPoint(nb.getInsertionBlock(), nb.getInsertionPoint());
        SmallVector<Value> acc(iterArgs.take_front(init.size()));
        SmallVector<Value> carried(iterArgs.drop_front(init.size()));
        step(kt, acc, carried);
        acc.append(carried);
        scf::YieldOp::create(b, loc, acc);
      });
  // Step 3. The epilogue, on the last tile.
  SmallVector<Type> accTypes(init.size(), b.getF32Type());
  auto end = scf::IfOp::create(b, loc, accTypes, any, true);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(end.thenBlock());
    SmallVector<Value> acc(loop.getResults().take_front(init.size()));
    SmallVector<Value> carried(loop.getResults().drop_front(init.size()));
    epilogue(last, acc, carried);
    scf::YieldOp::create(b, loc, acc);
    b.setInsertionPointToStart(end.elseBlock());
    scf::YieldOp::create(b, loc, loop.getResults().take_front(init.size()));
  }
  return SmallVector<Value>(end.getResults());
}

SmallVector<Value> TileEmitter::emitOverlappedRange(ColumnRange &range,
                                                    const LoopInvariants &inv,
                                                    Value lo, Value hi,
                                                    ArrayRef<Value> init,
                                                    Value &slot) {
  TileStepInterface step = range.step;
  Value first = slot;
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  int64_t numScores = cfg.mTiles * (cfg.columnBlock / 8) * 4;
  SmallVector<Type> scoreTypes(numScores, b.getF32Type());
  SmallVector<Value> acc = emitPipelinedRange(
      lo, hi, init, scoreTypes,
      // S of the first tile.
      [&] {
        waitForTile(first);
        return computeRowProduct(rowOperand(0),
                                 columnOperand(0, stageOffsets(first)));
      },
      // The next tile's S = Q.K^T runs on the tensor cores while this
      // tile's sigmoid runs, then this tile's P.V.
      [&](Value kt, SmallVectorImpl<Value> &acc,
          SmallVectorImpl<Value> &scores) {
        Value kSlot = slotOf(first, kt, lo);
        Value nextSlot = add(kSlot, one);
        waitForTile(nextSlot);
        SmallVector<Value> next = issueRowProduct(
            rowOperand(0), columnOperand(0, stageOffsets(nextSlot)));
        applyAndAccumulate(step, inv, tileAddresses(kt, kSlot), scores, acc);
        next = finishRowProduct(next);
        releaseTile(kSlot);
        scores.assign(next);
      },
      // The last tile, whose S the loop (or the prologue) computed.
      [&](Value last, SmallVectorImpl<Value> &acc, ArrayRef<Value> scores) {
        SmallVector<Value> s(scores);
        Value lastSlot = slotOf(first, last, lo);
        applyAndAccumulate(step, inv, tileAddresses(last, lastSlot), s, acc);
        releaseTile(lastSlot);
      });
  slot = slotAfter(first, lo, hi);
  return acc;
}

SmallVector<Value> TileEmitter::probabilities(TileStepInterface step,
                                              const LoopInvariants &inv,
                                              const TileAddresses &at,
                                              SmallVectorImpl<Value> &scores) {
  applySigmoid(step, inv, at.k0, scores, 0, cfg.columnBlock / 8);
  return packProbabilities(scores);
}

SmallVector<Value> TileEmitter::emitTurnTakingRange(ColumnRange &range,
                                                    const LoopInvariants &inv,
                                                    Value lo, Value hi,
                                                    ArrayRef<Value> init,
                                                    Value &slot) {
  TileStepInterface step = range.step;
  Value first = slot;
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  SmallVector<Value> acc = emitPipelinedRange(
      lo, hi, init, packedProbabilityTypes(),
      // P of the first tile, its S issued in a turn.
      [&] {
        waitForTile(first);
        beginTurn();
        SmallVector<Value> scores = issueRowProduct(
            rowOperand(0), columnOperand(0, stageOffsets(first)));
        endTurn();
        scores = waitTensorCores(scores, 0);
        return probabilities(step, inv, tileAddresses(lo, first), scores);
      },
      // In this warpgroup's turn, S(t + 1) and P.V(t); then the sigmoid of
      // t + 1 while the tensor cores run them.
      [&](Value kt, SmallVectorImpl<Value> &acc,
          SmallVectorImpl<Value> &packed) {
        Value kSlot = slotOf(first, kt, lo);
        Value nextSlot = add(kSlot, one);
        waitForTile(nextSlot);
        beginTurn();
        SmallVector<Value> next = issueRowProduct(
            rowOperand(0), columnOperand(0, stageOffsets(nextSlot)));
        SmallVector<Value> out = issueColumnProduct(
            packed, columnOperand(1, stageOffsets(kSlot)), acc);
        endTurn();
        // S(t + 1) was committed first: it is done when at most P.V(t) is
        // still running. Its sigmoid stays in its own registers until
        // P.V(t), which reads P(t)'s, is done too: only then is P packed
        // (ptxas serializes wgmmas whose input registers are written while
        // one is in flight, C7513).
        next = waitTensorCores(next, 1);
        applySigmoid(step, inv, tileAddresses(add(kt, one), nextSlot).k0, next,
                     0, cfg.columnBlock / 8);
        acc.assign(waitTensorCores(out, 0));
        releaseTile(kSlot);
        packed.assign(packProbabilities(next));
      },
      // P.V of the last tile, whose P the loop (or the prologue) made.
      [&](Value last, SmallVectorImpl<Value> &acc, ArrayRef<Value> packed) {
        Value lastSlot = slotOf(first, last, lo);
        beginTurn();
        SmallVector<Value> out = issueColumnProduct(
            packed, columnOperand(1, stageOffsets(lastSlot)), acc);
        endTurn();
        acc.assign(waitTensorCores(out, 0));
        releaseTile(lastSlot);
      });
  slot = slotAfter(first, lo, hi);
  return acc;
}

Value TileEmitter::turnGroup() {
  return arith::DivUIOp::create(b, loc, warp, i32(4));
}

/// Named barrier 1 + g is warpgroup g's turn: it completes when g's 128
/// threads wait on it (bar.sync) and the previous warpgroup's 128 have
/// arrived (bar.arrive) after their turn. Barrier 0 stays the block's. The
/// ids are constants, one branch per warpgroup (with an id in a register
/// ptxas reserves all 16 barriers).
void TileEmitter::inEachTurnGroup(function_ref<void(int64_t)> body) {
  inEachWarpgroup(cfg.turnGroups(), body);
}

void TileEmitter::inEachWarpgroup(int64_t groups,
                                  function_ref<void(int64_t)> body) {
  Value group = turnGroup();
  for (int64_t g = 0; g < groups; ++g) {
    Value mine =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, group, i32(g));
    ifThen(mine, [&] { body(g); });
  }
}

void TileEmitter::beginTurn() {
  if (cfg.turnGroups() < 2)
    return;
  inEachTurnGroup([&](int64_t g) {
    NVVM::BarrierOp::create(b, loc, TypeRange(), i32(1 + g), i32(256),
                            NVVM::BarrierReductionAttr(), Value());
  });
}

void TileEmitter::endTurn() {
  int64_t groups = cfg.turnGroups();
  if (groups < 2)
    return;
  inEachTurnGroup([&](int64_t g) {
    NVVM::BarrierArriveOp::create(b, loc, i32(1 + (g + 1) % groups), i32(256));
  });
}

void TileEmitter::startTurns() {
  int64_t groups = cfg.turnGroups();
  if (groups < 2)
    return;
  Value isLast = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                       turnGroup(), i32(groups - 1));
  ifThen(isLast,
         [&] { NVVM::BarrierArriveOp::create(b, loc, i32(1), i32(256)); });
}

void TileEmitter::finishTurns() {
  if (cfg.turnGroups() < 2)
    return;
  Value isFirst = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                        turnGroup(), i32(0));
  ifThen(isFirst, [&] {
    NVVM::BarrierOp::create(b, loc, TypeRange(), i32(1), i32(256),
                            NVVM::BarrierReductionAttr(), Value());
  });
}

LogicalResult TileEmitter::run(KernelTiles &tiles) {
  // Step 1. Per-thread indices, and the row tiles (Q) into shared memory.
  b.setInsertionPoint(tiles.rowLoads.front());
  emitPrologue();
  Value qBarrier;
  if (cfg.tma()) {
    initBarriers();
    qBarrier = barrierPtr(i32(0));
    inThreadZero([&] {
      int64_t bytes = 0;
      for (int64_t depth : cfg.rowDepths)
        bytes += cfg.rowBlock * depth * abi::kElementBytes;
      expectBytes(qBarrier, bytes);
      for (auto [i, load] : llvm::enumerate(tiles.rowLoads))
        tmaLoadTile(cfg.rowRoles[i], load.getBatch(), load.getHead(),
                    load.getRowStart(), cfg.rowBlock, cfg.rowDepths[i],
                    i32(cfg.offRow[i]), qBarrier);
    });
    // With a producer, only the computing warps wait for Q (below).
    if (!cfg.specialized())
      waitBarrier(qBarrier, i32(0));
  } else {
    for (auto [i, load] : llvm::enumerate(tiles.rowLoads))
      copyToShared(load.getSource(), load.getBatch(), load.getHead(),
                   load.getRowStart(), cfg.rowBlock, cfg.rowDepths[i],
                   i32(cfg.offRow[i]));
    NVVM::CpAsyncCommitGroupOp::create(b, loc);
    waitForTiles();
  }

  // Step 2. With a producer, the roles split here: the producer issues the
  // key/value loads, the computing warps run the ranges and the store.
  if (cfg.specialized()) {
    FailureOr<Block *> compute = splitRoles(tiles);
    if (failed(compute))
      return failure();
    b.setInsertionPoint(tiles.ranges.front().getOperation());
    waitBarrier(qBarrier, i32(0));
    startTurns();
  }

  // Step 3. The column ranges, the accumulators threaded through them from
  // zero (findKernelTiles checked the chains), all in one flat list.
  scf::ForOp group = tiles.groupLoop;
  b.setInsertionPoint(group ? group.getOperation()
                            : tiles.ranges.front().getOperation());
  int64_t accPerThread = 0;
  for (int64_t width : cfg.accumulatorWidths)
    accPerThread += cfg.mTiles * (width / 8) * 4;
  SmallVector<Value> acc(accPerThread, f32(0.0f));
  Value slot = arith::ConstantIndexOp::create(b, loc, 0);
  if (group) {
    // The dk/dv kernel's loop over a group's query heads carries the
    // accumulators and the slot (the ring of column tiles continues from
    // head to head); its body (head arithmetic, slope, ranges) moves into
    // the new loop.
    SmallVector<Value> init(acc);
    init.push_back(slot);
    auto loop =
        scf::ForOp::create(b, loc, group.getLowerBound(), group.getUpperBound(),
                           group.getStep(), init);
    Block *body = loop.getBody();
    group.getInductionVar().replaceAllUsesWith(loop.getInductionVar());
    body->getOperations().splice(body->end(), group.getBody()->getOperations(),
                                 group.getBody()->begin(),
                                 std::prev(group.getBody()->end()));
    SmallVector<Value> inner(loop.getRegionIterArgs().drop_back());
    Value innerSlot = loop.getRegionIterArgs().back();
    for (ColumnRange &range : tiles.ranges)
      inner = emitRange(range, inner, innerSlot);
    b.setInsertionPointToEnd(body);
    inner.push_back(innerSlot);
    scf::YieldOp::create(b, loc, inner);
    b.setInsertionPointAfter(loop);
    acc.assign(loop.getResults().begin(), std::prev(loop.getResults().end()));
  } else {
    for (ColumnRange &range : tiles.ranges)
      acc = emitRange(range, acc, slot);
  }

  // Step 4. Each output (O) from its accumulators after the last range.
  b.setInsertionPoint(tiles.stores.front());
  if (cfg.specialized())
    finishTurns();
  ArrayRef<Value> rest = acc;
  for (auto [i, store, width] :
       llvm::enumerate(tiles.stores, cfg.accumulatorWidths)) {
    ArrayRef<Value> mine = rest.take_front(cfg.mTiles * (width / 8) * 4);
    rest = rest.drop_front(mine.size());
    b.setInsertionPoint(store);
    // dq = scale . dS . K and dk = scale . dS^T . Q: the scale once here,
    // not per score.
    SmallVector<Value> scaled(mine);
    abi::Tensor output = abi::outputTensor(cfg.shape.kind, i);
    if (output == abi::Tensor::kGradQuery || output == abi::Tensor::kGradKey) {
      FltV scale = fv(tiles.describingStep().getScaleAsValue(b));
      for (Value &v : scaled)
        v = (fv(v) * scale).v;
    }
    if (cfg.shape.tmaStores)
      emitTmaStore(store, scaled);
    else
      emitStore(store, scaled);
  }

  // Step 5. The tile ops are gone (the group loop, left with its yield of
  // the ranges' results, after the ranges).
  for (StoreTileOp store : llvm::reverse(tiles.stores))
    store.erase();
  if (group)
    group.getBody()->getTerminator()->dropAllReferences();
  for (ColumnRange &range : llvm::reverse(tiles.ranges))
    range.getOperation()->erase();
  if (group)
    group.erase();
  for (LoadTileOp load : llvm::reverse(tiles.rowLoads))
    load.erase();
  return success();
}

FailureOr<Block *> TileEmitter::splitRoles(KernelTiles &tiles) {
  Operation *first = tiles.ranges.front().getOperation();
  Operation *store = tiles.stores.back();
  // The ranges and the stores stay in order; the rest moves before them.
  llvm::SmallPtrSet<Operation *, 4> rangeOps;
  for (ColumnRange &range : tiles.ranges)
    rangeOps.insert(range.getOperation());
  for (StoreTileOp other : tiles.stores)
    rangeOps.insert(other);
  // Step 1. What is computed between the ranges and the store (their
  // bounds, say) moves before them: the producer needs it too.
  for (Operation *op = first->getNextNode(); op != store;) {
    Operation *next = op->getNextNode();
    if (!rangeOps.contains(op)) {
      bool movable = isPure(op) && op->getNumRegions() == 0 &&
                     llvm::none_of(op->getOperands(), [&](Value v) {
                       Operation *def = v.getDefiningOp();
                       return def && def->getBlock() == first->getBlock() &&
                              !def->isBeforeInBlock(first);
                     });
      if (!movable)
        return op->emitOpError()
               << "convert-sigattn-tiles-to-nvvm: schedule=specialized moves "
                  "what lies between the key/value ranges before the first "
                  "one, and this op cannot move (it has side effects, "
                  "regions, or uses a range's result)";
      op->moveBefore(first);
    }
    op = next;
  }
  // Step 2. One if/else: the producer warpgroup, after the computing warps,
  // then the computing warps with the ranges and the store.
  b.setInsertionPoint(first);
  Value isProducer = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge,
                                           tid, i32(cfg.computeThreads()));
  auto roles = scf::IfOp::create(b, loc, isProducer, /*withElse=*/true);
  Block *compute = roles.elseBlock();
  for (Operation *op = first; op;) {
    Operation *next = op == store ? nullptr : op->getNextNode();
    op->moveBefore(compute->getTerminator());
    op = next;
  }
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(roles.thenBlock());
    NVVM::SetMaxRegisterOp::create(b, loc, cfg.producerRegisters,
                                   NVVM::SetMaxRegisterAction::decrease);
    emitProducer(tiles);
    b.setInsertionPointToStart(compute);
    if (cfg.computeRegisters > cfg.launchRegisters)
      NVVM::SetMaxRegisterOp::create(b, loc, cfg.computeRegisters,
                                     NVVM::SetMaxRegisterAction::increase);
  }
  return compute;
}

void TileEmitter::emitProducer(KernelTiles &tiles) {
  // One thread, the producer warpgroup's first, issues every load.
  Value issuer = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, tid,
                                       i32(cfg.computeThreads()));
  ifThen(issuer, [&] { produceAll(tiles); });
}

void TileEmitter::produceAll(KernelTiles &tiles) {
  // A tile's stage was last used by slot - kvStages: it waits for that
  // use's release, phase (slot / kvStages - 1) % 2 of the stage's empty
  // mbarrier. In the ring's first round that is the phase before the
  // mbarrier's first, which counts as complete.
  auto produce = [&](TileStepInterface step, Value kTile, Value slot) {
    Value released = arith::XOrIOp::create(b, loc, phaseOf(slot), i32(1));
    waitBarrier(emptyBarrier(slot), released);
    TileAddresses at = tileAddresses(kTile, slot);
    issueKeyValueLoads(step, at, stageBarrier(slot));
  };
  Value slot = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  for (ColumnRange &range : tiles.ranges) {
    auto [lo, hi] = tileBounds(range);
    if (!range.loop) {
      produce(range.step, lo, slot);
      slot = add(slot, one);
      continue;
    }
    Value first = slot;
    scf::ForOp::create(b, loc, lo, hi, one, ValueRange(),
                       [&](OpBuilder &nb, Location, Value kt, ValueRange) {
                         OpBuilder::InsertionGuard g(b);
                         b.setInsertionPoint(nb.getInsertionBlock(),
                                             nb.getInsertionPoint());
                         produce(range.step, kt, slotOf(first, kt, lo));
                         scf::YieldOp::create(b, loc);
                       });
    slot = slotAfter(first, lo, hi);
  }
}

/// O rounded to the element type; rows past Nq are skipped.
void TileEmitter::emitStore(StoreTileOp store, ArrayRef<Value> acc) {
  Value out = store.getDest();
  Value seqQ = toI64(memref::DimOp::create(b, loc, out, 1));
  GlobalStrides strides = stridesOf(out);
  // Row 0 of this head, and this thread's first column, in bytes.
  IntV start =
      layout::headStart(iv(toI64(store.getBatch())), iv(toI64(store.getHead())),
                        iv(strides.batch), iv(strides.head));
  Value base =
      globalPtr(globalBase(out), mul(start.v, i64(abi::kElementBytes)));
  IntV rowBytes = iv(mul(strides.row, i64(abi::kElementBytes)));
  Value firstRow = add(toI64(store.getRowStart()),
                       arith::ExtUIOp::create(b, loc, b.getI64Type(), rowBase));
  IntV colBytes = iv(arith::ExtUIOp::create(
      b, loc, b.getI64Type(), mul(pairCol, i32(abi::kElementBytes))));
  // Columns of this output: Dv for O and dv, D for dq and dk.
  int64_t vTiles = store.getTile().getType().getDimSize(1) / 8;
  for (int64_t mt = 0; mt < cfg.mTiles; ++mt) {
    for (int64_t h = 0; h < 2; ++h) {
      IntV row = layout::storeRow(iv(firstRow), mt, h);
      BoolV inBounds = layout::storeGuard(row, iv(seqQ));
      auto guard = scf::IfOp::create(b, loc, inBounds.v, /*withElse=*/false);
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPointToStart(guard.thenBlock());
      Value rowPtr = globalPtr(
          base, layout::elementOf(iv(i64(0)), row, colBytes, rowBytes).v);
      for (int64_t nt = 0; nt < vTiles; ++nt) {
        int64_t r = layout::storeRegister(mt, nt, h, vTiles);
        Value word = pack(acc[r], acc[r + 1]);
        Value ptr = globalPtr(rowPtr, i64(8 * nt * abi::kElementBytes));
        LLVM::StoreOp::create(b, loc, word, ptr, /*alignment=*/4);
      }
    }
  }
}

/// O through shared memory: each warp puts its rows there with stmatrix,
/// in the layout TMA loaded Q with, where its warpgroup's rows of Q were
/// (their last S has completed); then one thread of the warpgroup stores
/// the warpgroup's 64 rows by TMA, which drops rows past Nq.
void TileEmitter::emitTmaStore(StoreTileOp store, ArrayRef<Value> acc) {
  const abi::TileShape &s = cfg.shape;
  int64_t vTiles = s.valueDim / 8;
  // Step 1. stmatrix: 16 rows x 16 columns per instruction.
  Value warpRow = mul(warp, i32(cfg.rowsPerWarp));
  for (int64_t mt = 0; mt < cfg.mTiles; ++mt) {
    IntV row = layout::stmatrixRow(iv(lane), iv(warpRow), mt);
    for (int64_t j = 0; j < s.valueDim / 16; ++j) {
      SmallVector<Value> regs;
      for (int64_t m = 0; m < 4; ++m) {
        int64_t r = layout::stmatrixRegister(mt, j, m, vTiles);
        regs.push_back(pack(acc[r], acc[r + 1]));
      }
      IntV chunk = layout::stmatrixChunk(iv(lane), j);
      IntV offset = sharedChunkOffset(iv(i32(cfg.offRow[0])), row, chunk,
                                      s.blockQ, s.headDim);
      NVVM::StMatrixOp::create(b, loc, sharedPtr(offset.v), regs,
                               NVVM::MMALayout::row,
                               NVVM::LdStMatrixShapeAttr::get(ctx, 8, 8),
                               NVVM::LdStMatrixEltType::B16);
    }
  }
  // Step 2. The writes (generic proxy) become visible to TMA (async proxy),
  // then the warpgroup's 128 threads meet on named barrier 1 + g (the
  // turns' barriers are all complete by now).
  NVVM::FenceProxyOp::create(
      b, loc, NVVM::ProxyKind::async_shared,
      NVVM::SharedSpaceAttr::get(ctx, NVVM::SharedSpace::shared_cta));
  int64_t groups = s.numWarps / 4;
  inEachWarpgroup(groups, [&](int64_t g) {
    NVVM::BarrierOp::create(b, loc, TypeRange(), i32(1 + g), i32(128),
                            NVVM::BarrierReductionAttr(), Value());
  });
  // Step 3. The warpgroup's first thread stores its boxes, and waits until
  // TMA has read them (the block's shared memory must outlive the reads).
  Value first = arith::CmpIOp::create(
      b, loc, arith::CmpIPredicate::eq,
      arith::AndIOp::create(b, loc, tid, i32(127)), i32(0));
  ifThen(first, [&] {
    Value map = kernel.getArgument(
        cfg.tensorMaps[static_cast<int>(abi::Tensor::kOutput)]);
    Value groupRow = mul(turnGroup(), i32(abi::kTmaQueryBoxRows));
    Value row0 = add(toI32(store.getRowStart()), groupRow);
    for (int64_t c = 0; c < s.valueDim / abi::kTmaBoxCols; ++c) {
      IntV src = sharedChunkOffset(iv(i32(cfg.offRow[0])), iv(groupRow),
                                   iv(i32(c * abi::kTmaBoxCols / 8)), s.blockQ,
                                   s.headDim);
      SmallVector<Value> coords = {i32(c * abi::kTmaBoxCols),
                                   toI32(store.getHead()), row0,
                                   toI32(store.getBatch())};
      NVVM::CpAsyncBulkTensorSharedCTAToGlobalOp::create(
          b, loc, map, sharedPtr(src.v), coords, Value(),
          NVVM::TMAStoreMode::TILE, Value());
    }
    NVVM::CpAsyncBulkCommitGroupOp::create(b, loc);
    NVVM::CpAsyncBulkWaitGroupOp::create(b, loc, 0, b.getUnitAttr());
  });
}
