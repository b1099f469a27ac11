//===- MmaSyncEmitter.cpp - tile ops to mma.sync tensor-core code --------===//
//
// The first generation (sm_80 and later): S = Q.K^T and O += P.V by
// mma.sync m16n8k16 with f32 accumulators, operands from shared memory by
// ldmatrix (ldmatrix.trans for V), P packed straight from S's accumulator
// registers into A operands.
//
// Register layouts (m16n8k16, g = lane / 4, t = lane % 4):
//   S, O accumulators: c0, c1 at (row g, cols 2t, 2t+1); c2, c3 at row g+8.
//   A operand (Q, P):  a0 (row g, k 2t..), a1 (row g+8, k 2t..),
//                      a2 (row g, k 2t+8..), a3 (row g+8, k 2t+8..).
//
// Shared memory holds [Q | K stage 0 | K stage 1 | V stage 0 | V stage 1]
// tiles, rows of 16-byte chunks, chunk c of row r stored at chunk c ^ (r % 8).
//
//===----------------------------------------------------------------------===//

#include "TileEmitter.h"
#include "sigattn/Conversion/SigAttnTilesToNVVM/MmaSyncLayout.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"

using namespace mlir;
using namespace mlir::sigattn;
using namespace mlir::sigattn::values;
namespace abi = ::sigattn::abi;
namespace layout = ::sigattn::mmasync;

namespace {

class MmaSyncEmitter : public TileEmitter {
public:
  using TileEmitter::TileEmitter;

private:
  IntV sharedChunkOffset(IntV base, IntV row, IntV chunk, int64_t rows,
                         int64_t cols) override {
    return layout::swizzledOffset(base, row, chunk, cols * abi::kElementBytes);
  }
  void waitForTiles() override {
    waitCopies(0);
    barrier();
  }
  SmallVector<Value> computeRowProduct(const RowOperand &row,
                                       const ColumnOperand &col) override;
  void accumulateColumns(ArrayRef<Value> lhs, const ColumnOperand &col,
                         SmallVectorImpl<Value> &acc, int64_t kkBegin,
                         int64_t kkEnd, bool last) override;

  SmallVector<Value> loadMatrixX4(Value offset, bool transpose);
  SmallVector<Value> mma(ArrayRef<Value> a, ArrayRef<Value> bFrag,
                         ArrayRef<Value> c);
};

} // namespace

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

/// X = R . C^T (S = Q . K^T), per m-tile of this warp.
SmallVector<Value> MmaSyncEmitter::computeRowProduct(const RowOperand &row,
                                                     const ColumnOperand &col) {
  int64_t nTiles = col.rows / 8;
  SmallVector<SmallVector<Value>> scores(cfg.mTiles * nTiles);
  for (auto &t : scores)
    t.assign(4, f32(0.0f));
  for (int64_t ks = 0; ks < row.depth / 16; ++ks) {
    // Fragments of the column tile (K) of this k-step, shared by the
    // m-tiles.
    SmallVector<SmallVector<Value>> kFrags;
    for (int64_t np = 0; np < nTiles / 2; ++np) {
      IntV offset =
          layout::kFragmentOffset(iv(col.offset), iv(lane), np, ks, row.depth);
      kFrags.push_back(loadMatrixX4(offset.v, /*transpose=*/false));
    }
    for (int64_t mt = 0; mt < cfg.mTiles; ++mt) {
      IntV rowStart = iv(warp) * cfg.rowsPerWarp + 16 * mt;
      IntV offset = layout::qFragmentOffset(iv(i32(row.offset)), iv(lane),
                                            rowStart, ks, row.depth);
      SmallVector<Value> a = loadMatrixX4(offset.v, /*transpose=*/false);
      for (int64_t np = 0; np < nTiles / 2; ++np) {
        auto &lo = scores[mt * nTiles + 2 * np];
        auto &hi = scores[mt * nTiles + 2 * np + 1];
        lo = mma(a, {kFrags[np][0], kFrags[np][1]}, lo);
        hi = mma(a, {kFrags[np][2], kFrags[np][3]}, hi);
      }
    }
  }
  SmallVector<Value> flat;
  for (auto &t : scores)
    flat.append(t.begin(), t.end());
  return flat;
}

/// acc += L . C (O += P . V), L packed from a row product's registers into
/// A operands.
void MmaSyncEmitter::accumulateColumns(ArrayRef<Value> lhs,
                                       const ColumnOperand &col,
                                       SmallVectorImpl<Value> &acc,
                                       int64_t kkBegin, int64_t kkEnd,
                                       bool last) {
  int64_t nTiles = col.rows / 8;
  int64_t vTiles = col.width / 8;
  for (int64_t kk = kkBegin; kk < kkEnd; ++kk) {
    SmallVector<SmallVector<Value>> vFrags;
    for (int64_t p = 0; p < vTiles / 2; ++p) {
      IntV offset =
          layout::vFragmentOffset(iv(col.offset), iv(lane), kk, p, col.width);
      vFrags.push_back(loadMatrixX4(offset.v, /*transpose=*/true));
    }
    for (int64_t mt = 0; mt < cfg.mTiles; ++mt) {
      SmallVector<Value> a;
      for (int64_t reg = 0; reg < 4; ++reg) {
        layout::PSource src = layout::pOperandSource(kk, reg);
        int64_t first = (mt * nTiles + src.nTile) * 4 + src.first;
        a.push_back(pack(lhs[first], lhs[first + 1]));
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

FailureOr<TileConfig> mlir::sigattn::getMmaSyncConfig(gpu::GPUFuncOp kernel,
                                                      KernelTiles &tiles) {
  FailureOr<TileConfig> c = getTileConfig(kernel, tiles, "sync");
  if (succeeded(c) && c->tma())
    return kernel.emitOpError()
           << "convert-sigattn-tiles-to-nvvm (mma=sync): TMA loads "
              "(loads=tma) need mma=wgmma: the mma.sync shared-memory layout "
              "is not TMA's";
  return c;
}

std::unique_ptr<TileEmitter>
mlir::sigattn::createMmaSyncEmitter(gpu::GPUFuncOp kernel,
                                    const TileConfig &cfg) {
  return std::make_unique<MmaSyncEmitter>(kernel, cfg);
}
