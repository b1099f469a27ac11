//===- SigAttnTilesToNVVM.cpp - tile ops to mma.sync tensor-core code -----===//
//
// Lowers the tile ops of one sigattn kernel (a load_tile of Q, loops of
// tile_step, a store_tile of O) to cp.async / ldmatrix / mma.sync code.
// The loops' bounds and their `masked` flags come from the target-independent
// passes and are kept as they are.
//
// Register layouts (m16n8k16, g = lane / 4, t = lane % 4):
//   S, O accumulators: c0, c1 at (row g, cols 2t, 2t+1); c2, c3 at row g+8.
//   A operand (Q, P):  a0 (row g, k 2t..), a1 (row g+8, k 2t..),
//                      a2 (row g, k 2t+8..), a3 (row g+8, k 2t+8..).
// so P's A operand is packed straight from S's accumulator registers.
//
// Shared memory holds [Q | K stage 0 | K stage 1 | V stage 0 | V stage 1]
// tiles, rows of 16-byte chunks, chunk c of row r stored at chunk c ^ (r % 8).
// Key/value tile t lives in stage t % 2: while tile t is computed, tile t + 1
// loads into the other stage, and one barrier per tile orders the two.
//
//===----------------------------------------------------------------------===//

#include "sigattn/Conversion/SigAttnTilesToNVVM/SigAttnTilesToNVVM.h"
#include "ValueBuilders.h"
#include "sigattn/Conversion/SigAttnTilesToNVVM/KernelTiles.h"
#include "sigattn/Conversion/SigAttnTilesToNVVM/MmaSyncLayout.h"
#include "sigattn/Conversion/SigAttnTilesToNVVM/ScoreMath.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"
#include "sigattn/Dialect/SigAttn/IR/SigAttnOps.h"
#include "sigattn/Dialect/SigAttn/Transforms/Passes.h"
#include "sigattn/Runtime/KernelABI.h"
#include "llvm/Support/MathExtras.h"

namespace mlir::sigattn {
#define GEN_PASS_DEF_CONVERTSIGATTNTILESTONVVM
#include "sigattn/Conversion/Passes.h.inc"
} // namespace mlir::sigattn

using namespace mlir;
using namespace mlir::sigattn;
namespace abi = ::sigattn::abi;

namespace {

namespace layout = ::sigattn::mmasync;
namespace score = ::sigattn::score;
using namespace ::mlir::sigattn::values;

/// Name of the dynamic shared memory array of sigattn kernels.
constexpr StringLiteral kSharedMemoryName = "sigattn_smem";

/// Attribute with the description of a lowered kernel, on the kernel and on
/// its launches.
constexpr StringLiteral kKernelInfoAttrName = "sigattn.kernel";

/// Largest dynamic shared memory a block may use on sm_90.
constexpr int64_t kMaxSharedBytes = 227 * 1024;

/// Registers a thread can hold.
constexpr int64_t kMaxRegisters = 255;

/// Everything the mma.sync lowering of one kernel needs to know, read off the
/// kernel's tile ops and block size.
struct MmaSyncConfig {
  abi::TileShape shape;
  int64_t threads;
  int64_t rowsPerWarp; ///< query rows each warp owns
  int64_t mTiles;      ///< m16 tiles per warp
  bool bf16;
  // Shared memory layout, in bytes: Q, then two stages of K, then two of V.
  int64_t offQ, offK, offV, stageBytesK, stageBytesV, sharedBytes;
};

static FailureOr<MmaSyncConfig> getConfig(gpu::GPUFuncOp kernel,
                                          KernelTiles &tiles) {
  auto fail = [&](const Twine &msg) {
    return kernel.emitOpError()
           << "convert-sigattn-tiles-to-nvvm (mma=sync): " << msg;
  };
  FailureOr<int64_t> threads = getKernelThreads(kernel, kMaxWarps);
  if (failed(threads))
    return failure();
  MmaSyncConfig c;
  TileStepOp step = tiles.describingStep();
  VectorType qType = tiles.loadQ.getType();
  c.shape.numWarps = *threads / 32;
  c.shape.blockQ = qType.getDimSize(0);
  c.shape.headDim = qType.getDimSize(1);
  c.shape.blockK = static_cast<int64_t>(step.getBlockK());
  c.shape.valueDim = step.getAcc().getType().getDimSize(1);
  c.threads = abi::blockThreads(c.shape);
  c.bf16 = qType.getElementType().isBF16();

  for (auto [name, dim] : {std::pair<StringRef, int64_t>{"D", c.shape.headDim},
                           {"Dv", c.shape.valueDim}}) {
    if (dim != 64 && dim != 128 && dim != 256)
      return fail("head dimension " + name + " = " + Twine(dim) +
                  " is not supported (supported: 64, 128, 256)");
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
  for (auto [name, buffer] :
       {std::pair<StringRef, Value>{"query", tiles.loadQ.getSource()},
        {"key", step.getKey()},
        {"value", step.getValue()},
        {"output", tiles.store.getDest()}}) {
    auto type = cast<MemRefType>(buffer.getType());
    if (type.isDynamicDim(2) || type.isDynamicDim(3))
      return fail("the " + name +
                  " buffer needs a static head count and head dimension");
  }
  if (tiles.store.getDest().getType().getDimSize(3) != c.shape.valueDim)
    return fail("the output buffer's head dimension must be Dv = " +
                Twine(c.shape.valueDim));
  if (c.shape.blockQ % (16 * c.shape.numWarps) != 0)
    return fail("block-q = " + Twine(c.shape.blockQ) +
                " must be a multiple of 16 x num-warps = " +
                Twine(16 * c.shape.numWarps));
  if (c.shape.blockK % 16 != 0)
    return fail("block-k = " + Twine(c.shape.blockK) +
                " must be a multiple of 16");
  c.rowsPerWarp = c.shape.blockQ / c.shape.numWarps;
  c.mTiles = c.rowsPerWarp / 16;
  for (auto [name, rows, cols] :
       {std::tuple<StringRef, int64_t, int64_t>{"block-q", c.shape.blockQ,
                                                c.shape.headDim},
        {"block-k", c.shape.blockK, c.shape.headDim},
        {"block-k", c.shape.blockK, c.shape.valueDim}}) {
    if ((rows * cols / 8) % c.threads != 0)
      return fail(name + " = " + Twine(rows) + " gives a " + Twine(rows) + "x" +
                  Twine(cols) +
                  " tile that the block's threads cannot copy in equal "
                  "16-byte parts (num-warps = " +
                  Twine(c.shape.numWarps) + ")");
  }
  c.offQ = 0;
  c.stageBytesK = c.shape.blockK * c.shape.headDim * abi::kElementBytes;
  c.stageBytesV = c.shape.blockK * c.shape.valueDim * abi::kElementBytes;
  c.offK = c.shape.blockQ * c.shape.headDim * abi::kElementBytes;
  c.offV = c.offK + 2 * c.stageBytesK;
  c.sharedBytes = abi::dynamicSharedBytes(c.shape);
  if (c.sharedBytes > kMaxSharedBytes)
    return fail("the tiles need " + Twine(c.sharedBytes) +
                " bytes of shared memory, more than " + Twine(kMaxSharedBytes) +
                ": lower block-q or block-k");
  // The S and O accumulators of a thread live in registers.
  int64_t accumulators = c.mTiles * (c.shape.blockK + c.shape.valueDim) / 8 * 4;
  if (accumulators > kMaxRegisters)
    return fail("the S and O accumulators need " + Twine(accumulators) +
                " registers per thread, more than the " + Twine(kMaxRegisters) +
                " a thread has: lower block-q or block-k, or raise num-warps");
  return c;
}

/// Builds the mma.sync code of one kernel.
class MmaSyncEmitter {
public:
  MmaSyncEmitter(gpu::GPUFuncOp kernel, const MmaSyncConfig &cfg)
      : b(kernel.getContext()), loc(kernel.getLoc()), ctx(kernel.getContext()),
        cfg(cfg) {}

  LogicalResult run(gpu::GPUFuncOp kernel, KernelTiles &tiles);

private:
  // Scalars.
  Value i32(int64_t v) { return arith::ConstantIntOp::create(b, loc, v, 32); }
  Value i64(int64_t v) { return arith::ConstantIntOp::create(b, loc, v, 64); }
  Value f32(float v) {
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
  }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubIOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, loc, x, y); }
  Value toI32(Value index) {
    return arith::IndexCastOp::create(b, loc, b.getI32Type(), index);
  }
  Value toI64(Value index) {
    return arith::IndexCastOp::create(b, loc, b.getI64Type(), index);
  }
  IntV iv(Value v) { return {&b, loc, v}; }
  FltV fv(Value v) { return {&b, loc, v}; }

  // Pointers.
  Value sharedPtr(Value byteOffset);
  Value globalBase(Value view);
  Value globalPtr(Value base, Value byteOffset);

  // Data movement.
  void copyToShared(Value view, Value batch, Value head, Value rowStart,
                    int64_t rows, int64_t cols, Value sharedOffset);
  SmallVector<Value> loadMatrixX4(Value offset, bool transpose);
  /// Issues the copies of key/value tile `kTile` into its stage, as one group.
  void copyKeyValueTile(TileStepOp step, Value kTile);
  /// Byte offsets of K's and V's stage for key/value tile `kTile`.
  std::pair<Value, Value> stageOffsets(Value kTile);
  void waitGroups(int64_t pending);
  void barrier() { NVVM::Barrier0Op::create(b, loc); }

  // Arithmetic.
  SmallVector<Value> mma(ArrayRef<Value> a, ArrayRef<Value> bFrag,
                         ArrayRef<Value> c);
  Value pack(Value lo, Value hi);

  /// Values of a key/value loop that do not change from tile to tile.
  struct LoopInvariants {
    Value halfScale, halfBias, halfSlope; // 0.5 * scale, bias, slope
    Value seqK;                           // Nk, i32
    Value diagBase; // q_start + rowBase + Nk - Nq - pairCol, i32
  };

  // Lowering of the tile ops.
  void emitPrologue();
  /// Lowers one key/value range; returns the accumulators after it.
  SmallVector<Value> emitRange(KeyValueRange &range, ArrayRef<Value> init);
  void emitStep(TileStepOp step, const LoopInvariants &inv, Value kTile,
                Value hasNext, SmallVectorImpl<Value> &acc);

  OpBuilder b;
  Location loc;
  MLIRContext *ctx;
  MmaSyncConfig cfg;
  // Per-thread values set by emitPrologue.
  Value lane, warp, pairCol, rowBase, smem;
};

Value MmaSyncEmitter::sharedPtr(Value byteOffset) {
  auto ptrType = LLVM::LLVMPointerType::get(ctx, 3);
  return LLVM::GEPOp::create(b, loc, ptrType, b.getI8Type(), smem,
                             ValueRange{byteOffset});
}

Value MmaSyncEmitter::globalBase(Value view) {
  Value address = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, view);
  return LLVM::IntToPtrOp::create(b, loc, LLVM::LLVMPointerType::get(ctx, 1),
                                  toI64(address));
}

Value MmaSyncEmitter::globalPtr(Value base, Value byteOffset) {
  return LLVM::GEPOp::create(b, loc, LLVM::LLVMPointerType::get(ctx, 1),
                             b.getI8Type(), base, ValueRange{byteOffset});
}

/// rows x cols elements of head `head`, batch `batch`, from row `rowStart` of
/// the [B, N, H, cols] tensor `view` into shared memory; rows at or past N
/// are zero-filled.
void MmaSyncEmitter::copyToShared(Value view, Value batch, Value head,
                                  Value rowStart, int64_t rows, int64_t cols,
                                  Value sharedOffset) {
  auto type = cast<MemRefType>(view.getType());
  int64_t chunksPerRow = cols / 8;
  int64_t rowBytes = cols * abi::kElementBytes;
  int64_t globalRowBytes = type.getDimSize(2) * rowBytes;
  Value seq = toI64(memref::DimOp::create(b, loc, view, 1));
  // (b * N * H + h) * cols: the start of row 0 of this head.
  Value headStart =
      add(mul(mul(toI64(batch), seq), i64(type.getDimSize(2))), toI64(head));
  Value base = globalPtr(globalBase(view), mul(headStart, i64(rowBytes)));
  Value tid = toI32(gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x));
  Value row0 = toI64(rowStart);
  for (int64_t i = 0; i < rows * chunksPerRow / cfg.threads; ++i) {
    layout::ChunkCopy<IntV> c =
        layout::copyChunk(iv(tid), i, cfg.threads, cols, iv(sharedOffset));
    // Source: row min(row0 + row, N - 1), zero-filled when past the end.
    IntV globalRow =
        iv(add(row0, arith::ExtUIOp::create(b, loc, b.getI64Type(), c.row.v)));
    IntV sourceRow = layout::clampedSourceRow(globalRow, iv(seq));
    Value srcOffset =
        add(mul(sourceRow.v, i64(globalRowBytes)),
            arith::ExtUIOp::create(b, loc, b.getI64Type(), (c.chunk << 4).v));
    Value src = globalPtr(base, srcOffset);
    Value bytes = layout::sourceBytes(globalRow, iv(seq)).v;
    NVVM::CpAsyncOp::create(b, loc, sharedPtr(c.sharedOffset.v), src, 16,
                            NVVM::LoadCacheModifierKind::CG, bytes);
  }
}

std::pair<Value, Value> MmaSyncEmitter::stageOffsets(Value kTile) {
  Value stage = arith::AndIOp::create(b, loc, toI32(kTile), i32(1));
  return {add(i32(cfg.offK), mul(stage, i32(cfg.stageBytesK))),
          add(i32(cfg.offV), mul(stage, i32(cfg.stageBytesV)))};
}

void MmaSyncEmitter::copyKeyValueTile(TileStepOp step, Value kTile) {
  const abi::TileShape &s = cfg.shape;
  Value k0 = mul(kTile, arith::ConstantIndexOp::create(b, loc, s.blockK));
  auto [kOffset, vOffset] = stageOffsets(kTile);
  copyToShared(step.getKey(), step.getBatch(), step.getKvHead(), k0, s.blockK,
               s.headDim, kOffset);
  copyToShared(step.getValue(), step.getBatch(), step.getKvHead(), k0, s.blockK,
               s.valueDim, vOffset);
  NVVM::CpAsyncCommitGroupOp::create(b, loc);
}

/// ldmatrix.x4 of the four 8x8 matrices whose rows the lanes address; this
/// lane's row address is `offset` bytes into shared memory.
SmallVector<Value> MmaSyncEmitter::loadMatrixX4(Value offset, bool transpose) {
  Type i32Type = b.getI32Type();
  auto resultType = LLVM::LLVMStructType::getLiteral(
      ctx, {i32Type, i32Type, i32Type, i32Type});
  Value frag = NVVM::LdMatrixOp::create(
      b, loc, resultType, sharedPtr(offset), 4,
      transpose ? NVVM::MMALayout::col : NVVM::MMALayout::row,
      NVVM::LdStMatrixShapeAttr::get(ctx, 8, 8), NVVM::LdStMatrixEltType::B16);
  SmallVector<Value> regs;
  for (int64_t i = 0; i < 4; ++i)
    regs.push_back(LLVM::ExtractValueOp::create(b, loc, frag, i));
  return regs;
}

void MmaSyncEmitter::waitGroups(int64_t pending) {
  NVVM::CpAsyncWaitGroupOp::create(b, loc, pending);
}

/// D = A . B + C for one m16n8k16 tile; a: 4 packed registers, bFrag: 2.
SmallVector<Value> MmaSyncEmitter::mma(ArrayRef<Value> a, ArrayRef<Value> bFrag,
                                       ArrayRef<Value> c) {
  SmallVector<Value> aOps(a), bOps(bFrag);
  std::optional<std::array<NVVM::MMATypes, 2>> ptxTypes;
  if (cfg.bf16) {
    ptxTypes = {NVVM::MMATypes::bf16, NVVM::MMATypes::bf16};
  } else {
    // f16 operands are typed vector<2xf16>.
    auto half2 = VectorType::get({2}, b.getF16Type());
    for (Value &v : aOps)
      v = LLVM::BitcastOp::create(b, loc, half2, v);
    for (Value &v : bOps)
      v = LLVM::BitcastOp::create(b, loc, half2, v);
  }
  Type f32Type = b.getF32Type();
  auto resultType = LLVM::LLVMStructType::getLiteral(
      ctx, {f32Type, f32Type, f32Type, f32Type});
  Value d = NVVM::MmaOp::create(
      b, loc, resultType, aOps, bOps, c, ArrayRef<int64_t>{16, 8, 16},
      std::nullopt, std::nullopt, ptxTypes,
      std::array<NVVM::MMALayout, 2>{NVVM::MMALayout::row,
                                     NVVM::MMALayout::col});
  SmallVector<Value> out;
  for (int64_t i = 0; i < 4; ++i)
    out.push_back(LLVM::ExtractValueOp::create(b, loc, d, i));
  return out;
}

/// Two f32 rounded to the element type, `lo` in the low half of an i32.
Value MmaSyncEmitter::pack(Value lo, Value hi) {
  Type element = cfg.bf16 ? b.getBF16Type() : b.getF16Type();
  Value pair = vector::FromElementsOp::create(
      b, loc, VectorType::get({2}, b.getF32Type()), ValueRange{lo, hi});
  Value narrow =
      arith::TruncFOp::create(b, loc, VectorType::get({2}, element), pair);
  return LLVM::BitcastOp::create(b, loc, b.getI32Type(), narrow);
}

/// Lane and warp indices, and Q's tile in shared memory.
void MmaSyncEmitter::emitPrologue() {
  Value tid = toI32(gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x));
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
/// acc += P.V. The tile's copies were issued before; the next tile's are
/// issued here, into the other stage, and run while this one is computed.
void MmaSyncEmitter::emitStep(TileStepOp step, const LoopInvariants &inv,
                              Value kTile, Value hasNext,
                              SmallVectorImpl<Value> &acc) {
  const abi::TileShape &s = cfg.shape;
  Value k0 = mul(kTile, arith::ConstantIndexOp::create(b, loc, s.blockK));
  auto [kOffset, vOffset] = stageOffsets(kTile);

  // Step 1. This tile's K and V have landed and are visible to all warps,
  // and every warp is done with the previous tile: its stage may be reused.
  waitGroups(0);
  barrier();
  scf::IfOp::create(b, loc, hasNext, [&](OpBuilder &nb, Location nl) {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(nb.getInsertionBlock(), nb.getInsertionPoint());
    copyKeyValueTile(step,
                     add(kTile, arith::ConstantIndexOp::create(b, loc, 1)));
    scf::YieldOp::create(b, loc);
  });

  // Step 2. S = Q . K^T, per m-tile of this warp.
  int64_t nTiles = s.blockK / 8;
  SmallVector<SmallVector<Value>> scores(cfg.mTiles * nTiles);
  for (auto &t : scores)
    t.assign(4, f32(0.0f));
  for (int64_t ks = 0; ks < s.headDim / 16; ++ks) {
    // K fragments of this k-step, shared by the m-tiles.
    SmallVector<SmallVector<Value>> kFrags;
    for (int64_t np = 0; np < nTiles / 2; ++np) {
      IntV offset =
          layout::kFragmentOffset(iv(kOffset), iv(lane), np, ks, s.headDim);
      kFrags.push_back(loadMatrixX4(offset.v, /*transpose=*/false));
    }
    for (int64_t mt = 0; mt < cfg.mTiles; ++mt) {
      IntV rowStart = iv(warp) * cfg.rowsPerWarp + 16 * mt;
      IntV offset = layout::qFragmentOffset(iv(i32(cfg.offQ)), iv(lane),
                                            rowStart, ks, s.headDim);
      SmallVector<Value> a = loadMatrixX4(offset.v, /*transpose=*/false);
      for (int64_t np = 0; np < nTiles / 2; ++np) {
        auto &lo = scores[mt * nTiles + 2 * np];
        auto &hi = scores[mt * nTiles + 2 * np + 1];
        lo = mma(a, {kFrags[np][0], kFrags[np][1]}, lo);
        hi = mma(a, {kFrags[np][2], kFrags[np][3]}, hi);
      }
    }
  }

  // Step 3. P = 0.5 * tanh(0.5 * S') + 0.5 with
  // 0.5 * S' = (0.5 * scale) * S + 0.5 * bias - (0.5 * slope) * |d|,
  // d = i + Nk - Nq - j, and P = 0 where masked.
  IntV k0i = iv(toI32(k0));
  // d at (rowBase, pairCol) of this tile; key j < Nk iff col < colLimit.
  IntV dTile = layout::tileDiagonal(iv(inv.diagBase), k0i);
  IntV colLimit = layout::columnLimit(iv(inv.seqK), k0i, iv(pairCol));
  auto fmf = LLVM::FastmathFlagsAttr::get(ctx, LLVM::FastmathFlags::afn);
  for (int64_t mt = 0; mt < cfg.mTiles; ++mt) {
    for (int64_t nt = 0; nt < nTiles; ++nt) {
      for (int64_t e = 0; e < 4; ++e) {
        layout::Offset o = layout::accElement(mt, nt, e);
        Value &x = scores[mt * nTiles + nt][e];
        FltV arg =
            score::tanhArgument(fv(x), fv(inv.halfScale), fv(inv.halfBias));
        std::optional<IntV> d;
        if (inv.halfSlope || step.getMasked())
          d = layout::elementDiagonal(dTile, o);
        if (inv.halfSlope) {
          Value dist = arith::SIToFPOp::create(b, loc, b.getF32Type(),
                                               score::alibiDistance(*d).v);
          arg = score::withAlibi(arg, fv(inv.halfSlope), fv(dist));
        }
        auto tanh = LLVM::TanhOp::create(b, loc, arg.v);
        tanh.setFastmathFlagsAttr(fmf);
        Value p = score::sigmoidFromTanh(fv(tanh)).v;
        if (step.getMasked()) {
          BoolV visible = score::isVisible(*d, colLimit, o.col, step.getLeft(),
                                           step.getRight());
          p = arith::SelectOp::create(b, loc, visible.v, p, f32(0.0f));
        }
        x = p;
      }
    }
  }

  // Step 4. acc += P . V, P packed from S's registers into A operands.
  int64_t vTiles = s.valueDim / 8;
  for (int64_t kk = 0; kk < s.blockK / 16; ++kk) {
    SmallVector<SmallVector<Value>> vFrags;
    for (int64_t p = 0; p < vTiles / 2; ++p) {
      IntV offset =
          layout::vFragmentOffset(iv(vOffset), iv(lane), kk, p, s.valueDim);
      vFrags.push_back(loadMatrixX4(offset.v, /*transpose=*/true));
    }
    for (int64_t mt = 0; mt < cfg.mTiles; ++mt) {
      SmallVector<Value> a;
      for (int64_t reg = 0; reg < 4; ++reg) {
        layout::PSource src = layout::pOperandSource(kk, reg);
        auto &scoresOfTile = scores[mt * nTiles + src.nTile];
        a.push_back(pack(scoresOfTile[src.first], scoresOfTile[src.first + 1]));
      }
      for (int64_t p = 0; p < vTiles / 2; ++p) {
        for (int64_t half2 = 0; half2 < 2; ++half2) {
          int64_t tile = mt * vTiles + 2 * p + half2;
          SmallVector<Value> c(acc.begin() + 4 * tile,
                               acc.begin() + 4 * tile + 4);
          SmallVector<Value> d =
              mma(a, {vFrags[p][2 * half2], vFrags[p][2 * half2 + 1]}, c);
          std::copy(d.begin(), d.end(), acc.begin() + 4 * tile);
        }
      }
    }
  }
}

SmallVector<Value> MmaSyncEmitter::emitRange(KeyValueRange &range,
                                             ArrayRef<Value> init) {
  TileStepOp step = range.step;
  b.setInsertionPoint(range.getOperation());
  // Tiles [lo, hi): a loop's bounds, or the single tile of a step.
  Value lo = range.loop ? range.loop.getLowerBound() : step.getKTile();
  Value hi = range.loop ? range.loop.getUpperBound()
                        : add(lo, arith::ConstantIndexOp::create(b, loc, 1));
  LoopInvariants inv;
  score::SigmoidConstants sigmoid = score::foldSigmoid(
      step.getScale().convertToFloat(), step.getBias().convertToFloat());
  inv.halfScale = f32(sigmoid.halfScale);
  inv.halfBias = f32(sigmoid.halfBias);
  if (Value slope = step.getAlibiSlope())
    inv.halfSlope = score::halfSlope(fv(slope)).v;
  inv.seqK = toI32(memref::DimOp::create(b, loc, step.getKey(), 1));
  inv.diagBase =
      layout::diagonalBase(iv(toI32(step.getQStart())), iv(rowBase),
                           iv(inv.seqK), iv(toI32(step.getSeqQ())), iv(pairCol))
          .v;
  // K and V of the first tile. Its stage was last read two tiles ago, before
  // a barrier every warp has passed.
  Value any = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, lo, hi);
  scf::IfOp::create(b, loc, any, [&](OpBuilder &nb, Location nl) {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(nb.getInsertionBlock(), nb.getInsertionPoint());
    copyKeyValueTile(step, lo);
    scf::YieldOp::create(b, loc);
  });
  auto newLoop = scf::ForOp::create(
      b, loc, lo, hi, arith::ConstantIndexOp::create(b, loc, 1), init,
      [&](OpBuilder &nb, Location nl, Value kt, ValueRange iterArgs) {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPoint(nb.getInsertionBlock(), nb.getInsertionPoint());
        SmallVector<Value> acc(iterArgs);
        Value next = add(kt, arith::ConstantIndexOp::create(b, loc, 1));
        Value hasNext =
            arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, next, hi);
        emitStep(step, inv, kt, hasNext, acc);
        scf::YieldOp::create(b, loc, acc);
      });
  return SmallVector<Value>(newLoop.getResults());
}

LogicalResult MmaSyncEmitter::run(gpu::GPUFuncOp kernel, KernelTiles &tiles) {
  const abi::TileShape &s = cfg.shape;
  int64_t accPerThread = cfg.mTiles * (s.valueDim / 8) * 4;

  // Step 1. Per-thread indices, and Q's tile into shared memory.
  b.setInsertionPoint(tiles.loadQ);
  emitPrologue();
  copyToShared(tiles.loadQ.getSource(), tiles.loadQ.getBatch(),
               tiles.loadQ.getHead(), tiles.loadQ.getRowStart(), s.blockQ,
               s.headDim, i32(cfg.offQ));
  NVVM::CpAsyncCommitGroupOp::create(b, loc);
  waitGroups(0);
  barrier();

  // Step 2. The key/value ranges, one accumulator threaded through them
  // from zero (findKernelTiles checked the chain).
  b.setInsertionPoint(tiles.ranges.front().getOperation());
  SmallVector<Value> acc(accPerThread, f32(0.0f));
  for (KeyValueRange &range : tiles.ranges)
    acc = emitRange(range, acc);

  // Step 3. O from the last range's accumulators, rounded to the element
  // type; rows past Nq are skipped.
  b.setInsertionPoint(tiles.store);
  Value out = tiles.store.getDest();
  auto outType = cast<MemRefType>(out.getType());
  Value seqQ = toI64(memref::DimOp::create(b, loc, out, 1));
  Value base = globalBase(out);
  Value headsDv = i64(outType.getDimSize(2) * s.valueDim);
  Value batchRow = mul(toI64(tiles.store.getBatch()), seqQ);
  Value headCol = mul(toI64(tiles.store.getHead()), i64(s.valueDim));
  Value firstRow = add(toI64(tiles.store.getRowStart()),
                       arith::ExtUIOp::create(b, loc, b.getI64Type(), rowBase));
  Value colBytes = arith::ExtUIOp::create(
      b, loc, b.getI64Type(), mul(pairCol, i32(abi::kElementBytes)));
  int64_t vTiles = s.valueDim / 8;
  for (int64_t mt = 0; mt < cfg.mTiles; ++mt) {
    for (int64_t h = 0; h < 2; ++h) {
      IntV row = layout::storeRow(iv(firstRow), mt, h);
      BoolV inBounds = layout::storeGuard(row, iv(seqQ));
      auto guard = scf::IfOp::create(b, loc, inBounds.v, /*withElse=*/false);
      OpBuilder::InsertionGuard g(b);
      b.setInsertionPointToStart(guard.thenBlock());
      // ((b * Nq + row) * H + h) * Dv elements
      Value element = add(mul(add(batchRow, row.v), headsDv), headCol);
      Value rowPtr =
          globalPtr(base, add(mul(element, i64(abi::kElementBytes)), colBytes));
      for (int64_t nt = 0; nt < vTiles; ++nt) {
        int64_t r = layout::storeRegister(mt, nt, h, vTiles);
        Value word = pack(acc[r], acc[r + 1]);
        Value ptr = globalPtr(rowPtr, i64(8 * nt * abi::kElementBytes));
        LLVM::StoreOp::create(b, loc, word, ptr, /*alignment=*/4);
      }
    }
  }

  // Step 4. The tile ops are gone.
  tiles.store.erase();
  for (KeyValueRange &range : llvm::reverse(tiles.ranges))
    range.getOperation()->erase();
  tiles.loadQ.erase();
  return success();
}

/// The dynamic shared memory array, declared once per gpu.module.
static void declareSharedMemory(gpu::GPUModuleOp module) {
  if (module.lookupSymbol(kSharedMemoryName))
    return;
  OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
  auto type = LLVM::LLVMArrayType::get(b.getI8Type(), 0);
  LLVM::GlobalOp::create(b, module.getLoc(), type, /*isConstant=*/false,
                         LLVM::Linkage::External, kSharedMemoryName,
                         /*value=*/Attribute(), /*alignment=*/1024,
                         /*addrSpace=*/3);
}

} // namespace

FailureOr<MmaKind> mlir::sigattn::parseMmaKind(StringRef mma) {
  if (mma == "sync")
    return MmaKind::Sync;
  if (mma == "wgmma")
    return MmaKind::Wgmma;
  return failure();
}

/// The chips each lowering supports, with the PTX ISA version each needs
/// (times ten). mma.sync with bf16 and cp.async need sm_80.
static ArrayRef<std::pair<StringLiteral, int>> supportedChips(MmaKind kind) {
  static constexpr std::pair<StringLiteral, int> sync[] = {
      {"sm_80", 70}, {"sm_86", 71}, {"sm_87", 74},
      {"sm_89", 78}, {"sm_90", 78}, {"sm_90a", 80}};
  static constexpr std::pair<StringLiteral, int> wgmma[] = {{"sm_90a", 80}};
  if (kind == MmaKind::Sync)
    return sync;
  return wgmma;
}

std::optional<std::string> mlir::sigattn::checkChip(MmaKind kind,
                                                    StringRef chip) {
  std::string names;
  for (auto [name, ptx] : supportedChips(kind)) {
    if (chip == name)
      return std::nullopt;
    names += (names.empty() ? "" : ", ") + name.str();
  }
  return ("chip='" + chip + "' is not supported by mma=" +
          (kind == MmaKind::Sync ? "sync" : "wgmma") + " (supported: " + names +
          ")")
      .str();
}

std::optional<std::string> mlir::sigattn::checkPTXVersion(StringRef chip,
                                                          int version) {
  static constexpr int kKnown[] = {80, 81, 82, 83, 84, 85, 86, 87, 88, 90};
  if (!llvm::is_contained(kKnown, version))
    return ("PTX ISA version " + Twine(version / 10) + "." +
            Twine(version % 10) +
            " is not one the NVPTX backend and ptxas both accept (+ptx80 .. "
            "+ptx88, +ptx90)")
        .str();
  for (MmaKind kind : {MmaKind::Sync, MmaKind::Wgmma}) {
    for (auto [name, ptx] : supportedChips(kind)) {
      if (chip == name && version < ptx)
        return ("chip='" + chip + "' needs PTX ISA " + Twine(ptx / 10) + "." +
                Twine(ptx % 10) + " or later")
            .str();
    }
  }
  return std::nullopt;
}

LogicalResult mlir::sigattn::lowerKernelTiles(gpu::GPUFuncOp kernel,
                                              MmaKind kind) {
  if (kind == MmaKind::Wgmma)
    return kernel.emitOpError(
        "convert-sigattn-tiles-to-nvvm: mma=wgmma is not implemented yet; use "
        "mma=sync");
  FailureOr<KernelTiles> tiles = findKernelTiles(kernel);
  if (failed(tiles))
    return failure();
  FailureOr<MmaSyncConfig> config = getConfig(kernel, *tiles);
  if (failed(config))
    return failure();
  declareSharedMemory(kernel->getParentOfType<gpu::GPUModuleOp>());
  DictionaryAttr info = describeKernel(kernel, *tiles, config->shape,
                                       config->sharedBytes, "sync");
  MmaSyncEmitter emitter(kernel, *config);
  if (failed(emitter.run(kernel, *tiles)))
    return failure();
  kernel->setAttr(kKernelInfoAttrName, info);
  // One block per SM is all the kernel asks for (`.minnctapersm 1`): without
  // it ptxas caps the registers of straight-line kernels (static sizes that
  // fold the key/value loop) for occupancy, and spills.
  kernel->setAttr(
      NVVM::NVVMDialect::getMinctasmAttrName(),
      IntegerAttr::get(IntegerType::get(kernel.getContext(), 32), 1));
  return success();
}

namespace {
struct ConvertSigAttnTilesToNVVMPass
    : public mlir::sigattn::impl::ConvertSigAttnTilesToNVVMBase<
          ConvertSigAttnTilesToNVVMPass> {
  using ConvertSigAttnTilesToNVVMBase::ConvertSigAttnTilesToNVVMBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    // Step 1. The options, before anything is changed.
    FailureOr<MmaKind> kind = parseMmaKind(mma);
    if (failed(kind)) {
      mlir::emitError(module.getLoc())
          << "convert-sigattn-tiles-to-nvvm: unknown mma='" << mma
          << "' (expected sync or wgmma)";
      return signalPassFailure();
    }
    if (std::optional<std::string> error = checkChip(*kind, chip)) {
      mlir::emitError(module.getLoc())
          << "convert-sigattn-tiles-to-nvvm: " << *error;
      return signalPassFailure();
    }

    // Step 2. Every kernel that holds tile ops.
    SmallVector<gpu::GPUFuncOp> kernels;
    module.walk([&](gpu::GPUFuncOp kernel) {
      if (hasTileOps(kernel))
        kernels.push_back(kernel);
    });
    DenseMap<Operation *, DictionaryAttr> lowered;
    for (gpu::GPUFuncOp kernel : kernels) {
      if (failed(lowerKernelTiles(kernel, *kind)))
        return signalPassFailure();
      lowered[kernel] =
          kernel->getAttrOfType<DictionaryAttr>(kKernelInfoAttrName);
    }

    // Step 3. The launches of these kernels get the dynamic shared memory
    // their kernel needs, and its description.
    module.walk([&](gpu::LaunchFuncOp launch) {
      auto kernel = SymbolTable::lookupNearestSymbolFrom<gpu::GPUFuncOp>(
          launch, launch.getKernel());
      DictionaryAttr info = kernel ? lowered.lookup(kernel) : DictionaryAttr();
      if (!info)
        return;
      OpBuilder b(launch);
      auto bytes = cast<IntegerAttr>(info.get(kSharedBytesField));
      Value size =
          arith::ConstantIntOp::create(b, launch.getLoc(), bytes.getInt(), 32);
      launch.getDynamicSharedMemorySizeMutable().assign(size);
      launch->setAttr(kKernelInfoAttrName, info);
    });
  }
};
} // namespace
