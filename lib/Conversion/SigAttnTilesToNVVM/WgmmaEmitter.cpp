//===- WgmmaEmitter.cpp - tile ops to wgmma tensor-core code -------------===//
//
// The Hopper generation (sm_90a): each warpgroup (4 warps) owns 64 query
// rows of the block and computes, per key/value tile,
//   S = Q.K^T  by wgmma.m64n{block-k}k16, Q and K from shared memory
//              (K-major, 128-byte swizzle), one per 16 columns of D;
//   P = sigmoid(S') in registers (TileEmitter);
//   O += P.V   by wgmma.m64n{Dv}k16 with P packed from S's accumulator
//              registers as the A operand and V from shared memory
//              (MN-major, transposed).
// Tiles are kept as 64-column blocks of 128-byte swizzled rows
// (WgmmaLayout.h). MLIR 22 has no NVVM op for wgmma with A in registers
// (llvm-project #133733), so both wgmma forms are emitted as inline PTX
// here, with the fence / commit / wait of the wgmma pipeline around them.
//
//===----------------------------------------------------------------------===//

#include "TileEmitter.h"
#include "sigattn/Conversion/SigAttnTilesToNVVM/MmaSyncLayout.h"
#include "sigattn/Conversion/SigAttnTilesToNVVM/WgmmaLayout.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;
using namespace mlir::sigattn;
using namespace mlir::sigattn::values;
namespace abi = ::sigattn::abi;
namespace layout = ::sigattn::mmasync;
namespace wg = ::sigattn::wgmma;

/// The widest wgmma (n256).
static constexpr int64_t kMaxWgmmaN = 256;

namespace {

/// The A operand of a wgmma: a shared-memory descriptor or four registers.
struct WgmmaA {
  Value descriptor;
  SmallVector<Value> registers;
};

class WgmmaEmitter : public TileEmitter {
public:
  using TileEmitter::TileEmitter;

private:
  IntV sharedChunkOffset(IntV base, IntV row, IntV chunk, int64_t rows,
                         int64_t cols) override {
    return wg::tileOffset(base, row, chunk, rows);
  }
  /// cp.async writes through the generic proxy, wgmma reads through the
  /// async proxy: each thread fences its copies before the barrier.
  void waitForTiles() override {
    waitCopies(0);
    NVVM::FenceProxyOp::create(
        b, loc, NVVM::ProxyKind::async_shared,
        NVVM::SharedSpaceAttr::get(ctx, NVVM::SharedSpace::shared_cta));
    barrier();
  }
  SmallVector<Value> computeRowProduct(const RowOperand &row,
                                       const ColumnOperand &col) override {
    return waitAll(issueRowProduct(row, col));
  }
  /// Fenced, committed, not waited for: the wait of the next tile's last
  /// column-product chunk (wait_group 0) covers it, and finishRowProduct
  /// ties the accumulators after it.
  SmallVector<Value> issueRowProduct(const RowOperand &row,
                                     const ColumnOperand &col) override;
  SmallVector<Value> finishRowProduct(ArrayRef<Value> scores) override {
    return fenceOperands(scores);
  }
  void accumulateColumns(ArrayRef<Value> lhs, const ColumnOperand &col,
                         SmallVectorImpl<Value> &acc, int64_t kkBegin,
                         int64_t kkEnd, bool last) override;
  /// Two chunks: the second chunk's sigmoid runs while the tensor cores
  /// multiply the first chunk's P.V.
  int64_t valueChunks() override { return 2; }
  bool contractScores() override { return true; }
  SmallVector<Value> packProbabilities(ArrayRef<Value> probs) override {
    return packSteps(probs, 0, cfg.shape.blockK / 16);
  }
  SmallVector<Type> packedProbabilityTypes() override {
    return SmallVector<Type>(cfg.mTiles * (cfg.shape.blockK / 8) * 2,
                             b.getI32Type());
  }
  SmallVector<Value> issueColumnProduct(ArrayRef<Value> packed,
                                        const ColumnOperand &col,
                                        ArrayRef<Value> acc) override {
    return issueValueSteps(packed, col, acc, 0, col.rows / 16);
  }
  SmallVector<Value> waitTensorCores(ArrayRef<Value> values,
                                     int64_t pending) override {
    NVVM::WgmmaWaitGroupSyncOp::create(b, loc, b.getI64IntegerAttr(pending));
    return fenceOperands(values);
  }

  /// P's registers (packed pairs, the A operand's order) for k16 steps
  /// [kkBegin, kkEnd) from the S registers `probs`.
  SmallVector<Value> packSteps(ArrayRef<Value> probs, int64_t kkBegin,
                               int64_t kkEnd);
  /// Issues and commits acc + L.C over k16 steps [kkBegin, kkEnd) with L's
  /// registers `packed` (4 per step); returns the accumulators in flight.
  SmallVector<Value> issueValueSteps(ArrayRef<Value> packed,
                                     const ColumnOperand &col,
                                     ArrayRef<Value> acc, int64_t kkBegin,
                                     int64_t kkEnd);

  /// The descriptor (i64) of the operand that starts at shared byte
  /// `offset` (i32), with the fields of its layout.
  Value descriptor(Value offset, uint64_t fields);
  /// One wgmma.mma_async of n columns: returns D = A.B (acc empty) or
  /// D = A.B + acc.
  SmallVector<Value> mmaAsync(int64_t n, const WgmmaA &a, Value bDesc,
                              bool transposeB, ArrayRef<Value> acc);
  /// Ties `values` to the point where this is emitted (an empty asm that
  /// reads and writes them): uses of the wgmma results stay after the wait,
  /// and the accumulators are final before the fence.
  SmallVector<Value> fenceOperands(ArrayRef<Value> values);
  /// Side-effecting inline PTX `text` with `count` results of type
  /// `resultType` (constraints first in `constraints`) on `operands`.
  SmallVector<Value> inlinePtx(Type resultType, int64_t count,
                               ValueRange operands, StringRef text,
                               StringRef constraints);
  /// Waits until this thread's (committed) wgmma groups are done, then
  /// fences `values`.
  SmallVector<Value> waitAll(ArrayRef<Value> values);

  std::string elementName() const { return cfg.bf16 ? "bf16" : "f16"; }
  /// The shared address of the first byte of the dynamic shared memory.
  Value sharedBase();
  Value smemAddress;
};

} // namespace

Value WgmmaEmitter::sharedBase() {
  if (!smemAddress) {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointAfterValue(smem);
    smemAddress = LLVM::PtrToIntOp::create(b, loc, b.getI32Type(), smem);
  }
  return smemAddress;
}

Value WgmmaEmitter::descriptor(Value offset, uint64_t fields) {
  IntV address = iv(add(sharedBase(), offset));
  Value start = arith::ExtUIOp::create(b, loc, b.getI64Type(),
                                       wg::descriptorAddress(address).v);
  return arith::OrIOp::create(b, loc, start, i64(static_cast<int64_t>(fields)));
}

SmallVector<Value> WgmmaEmitter::fenceOperands(ArrayRef<Value> values) {
  // f32 accumulators, i32 registers of packed P, or i64 descriptors.
  Type type = values.front().getType();
  std::string output = type.isF32() ? "=f" : (type.isInteger(64) ? "=l" : "=r");
  std::string constraints;
  for (size_t i = 0; i < values.size(); ++i)
    constraints += (i ? "," : "") + output;
  for (size_t i = 0; i < values.size(); ++i)
    constraints += "," + std::to_string(i);
  return inlinePtx(type, values.size(), values, "", constraints);
}

SmallVector<Value> WgmmaEmitter::inlinePtx(Type resultType, int64_t count,
                                           ValueRange operands, StringRef text,
                                           StringRef constraints) {
  auto structType = LLVM::LLVMStructType::getLiteral(
      ctx, SmallVector<Type>(count, resultType));
  auto asmOp = LLVM::InlineAsmOp::create(
      b, loc, structType, operands, text, constraints,
      /*has_side_effects=*/true, /*is_align_stack=*/false,
      LLVM::tailcallkind::TailCallKind::None, LLVM::AsmDialectAttr(),
      ArrayAttr());
  SmallVector<Value> results;
  for (int64_t i = 0; i < count; ++i)
    results.push_back(
        LLVM::ExtractValueOp::create(b, loc, asmOp.getResult(0), i));
  return results;
}

SmallVector<Value> WgmmaEmitter::waitAll(ArrayRef<Value> values) {
  NVVM::WgmmaWaitGroupSyncOp::create(b, loc, b.getI64IntegerAttr(0));
  return fenceOperands(values);
}

SmallVector<Value> WgmmaEmitter::mmaAsync(int64_t n, const WgmmaA &a,
                                          Value bDesc, bool transposeB,
                                          ArrayRef<Value> acc) {
  int64_t numAcc = n / 2;
  assert(acc.empty() || static_cast<int64_t>(acc.size()) == numAcc);
  // Operands: $0 .. $(numAcc - 1) the accumulators (outputs), then A (one
  // descriptor or four registers), B's descriptor, scale-d, then the
  // accumulators' inputs tied to the outputs.
  SmallVector<Value> operands;
  std::string constraints;
  for (int64_t i = 0; i < numAcc; ++i)
    constraints += (i ? ",=f" : "=f");
  int64_t next = numAcc;
  std::string aText;
  if (a.descriptor) {
    operands.push_back(a.descriptor);
    constraints += ",l";
    aText = "$" + std::to_string(next++);
  } else {
    SmallVector<std::string> regs;
    for (Value r : a.registers) {
      operands.push_back(r);
      constraints += ",r";
      regs.push_back("$" + std::to_string(next++));
    }
    aText = "{" + llvm::join(regs, ", ") + "}";
  }
  operands.push_back(bDesc);
  constraints += ",l";
  std::string bText = "$" + std::to_string(next++);
  operands.push_back(i32(acc.empty() ? 0 : 1));
  constraints += ",r";
  std::string scaleText = "$" + std::to_string(next++);
  for (int64_t i = 0; i < static_cast<int64_t>(acc.size()); ++i) {
    operands.push_back(acc[i]);
    constraints += "," + std::to_string(i);
  }

  SmallVector<std::string> dRegs;
  for (int64_t i = 0; i < numAcc; ++i)
    dRegs.push_back("$" + std::to_string(i));
  std::string type = elementName();
  // scale-d = 0 ignores the accumulators' old values; imm-scale-a/b = 1;
  // imm-trans-a = 0 (descriptor A only), imm-trans-b.
  std::string trans = a.descriptor ? "0, " : "";
  trans += transposeB ? "1" : "0";
  std::string text = "{\n.reg .pred p;\nsetp.ne.b32 p, " + scaleText +
                     ", 0;\nwgmma.mma_async.sync.aligned.m64n" +
                     std::to_string(n) + "k16.f32." + type + "." + type + " {" +
                     llvm::join(dRegs, ", ") + "}, " + aText + ", " + bText +
                     ", p, 1, 1, " + trans + ";\n}";
  return inlinePtx(b.getF32Type(), numAcc, operands, text, constraints);
}

/// X = R . C^T (S = Q . K^T): one wgmma per 16 columns of the depth (D),
/// this warpgroup's rows of R as A and the column tile as B, both K-major;
/// one committed group.
SmallVector<Value> WgmmaEmitter::issueRowProduct(const RowOperand &row,
                                                 const ColumnOperand &col) {
  IntV qRow0 = wg::warpgroupRow(iv(warp));
  SmallVector<Value> scores;
  // One descriptor per operand; k-step ks adds a constant to it. Q's is
  // loop-invariant: tied to this point so that it is not hoisted out of
  // the key loop with all of its k-steps (two registers each).
  IntV qStart = wg::kMajorStart(iv(i32(row.offset)), qRow0, 0, row.rows);
  IntV kStart = wg::kMajorStart(iv(col.offset), iv(i32(0)), 0, col.rows);
  Value qDesc = fenceOperands(descriptor(qStart.v, wg::kMajorFields()))[0];
  Value kDesc = descriptor(kStart.v, wg::kMajorFields());
  NVVM::WgmmaFenceAlignedOp::create(b, loc);
  for (int64_t ks = 0; ks < row.depth / 16; ++ks) {
    WgmmaA a{
        add(qDesc, i64(wg::descriptorStep(wg::kMajorStepBytes(ks, row.rows)))),
        {}};
    Value bDesc =
        add(kDesc, i64(wg::descriptorStep(wg::kMajorStepBytes(ks, col.rows))));
    scores = mmaAsync(col.rows, a, bDesc, /*transposeB=*/false, scores);
  }
  NVVM::WgmmaGroupSyncAlignedOp::create(b, loc);
  return scores;
}

SmallVector<Value> WgmmaEmitter::packSteps(ArrayRef<Value> probs,
                                           int64_t kkBegin, int64_t kkEnd) {
  SmallVector<Value> p;
  for (int64_t kk = kkBegin; kk < kkEnd; ++kk) {
    for (int64_t reg = 0; reg < 4; ++reg) {
      layout::PSource src = layout::pOperandSource(kk, reg);
      int64_t first = src.nTile * 4 + src.first;
      p.push_back(pack(probs[first], probs[first + 1]));
    }
  }
  return p;
}

SmallVector<Value> WgmmaEmitter::issueValueSteps(ArrayRef<Value> packed,
                                                 const ColumnOperand &col,
                                                 ArrayRef<Value> acc,
                                                 int64_t kkBegin,
                                                 int64_t kkEnd) {
  // P final before the fence: registers a wgmma reads must not be written
  // between the fence and the wgmma.
  SmallVector<Value> p = fenceOperands(packed);
  SmallVector<Value> o(acc.begin(), acc.end());
  if (kkBegin == 0) {
    // O known to be zero (the first tile of a kernel whose key loop was
    // folded away): the first wgmma ignores it (scale-d = 0) instead of
    // reading registers moved into place. Otherwise O is final here.
    bool zero = llvm::all_of(
        acc, [](Value v) { return matchPattern(v, m_AnyZeroFloat()); });
    o = zero ? SmallVector<Value>() : fenceOperands(acc);
  }
  // Later chunks pass O, still in flight, from wgmma to wgmma.
  Value vDesc = descriptor(col.offset, wg::mnMajorFields(col.rows));
  NVVM::WgmmaFenceAlignedOp::create(b, loc);
  for (int64_t kk = kkBegin; kk < kkEnd; ++kk) {
    WgmmaA a;
    a.registers.assign(p.begin() + 4 * (kk - kkBegin),
                       p.begin() + 4 * (kk - kkBegin) + 4);
    Value bDesc = add(vDesc, i64(wg::descriptorStep(wg::mnMajorStepBytes(kk))));
    o = mmaAsync(col.width, a, bDesc, /*transposeB=*/true, o);
  }
  NVVM::WgmmaGroupSyncAlignedOp::create(b, loc);
  return o;
}

/// acc += L . C (O += P . V) for k16 steps [kkBegin, kkEnd): one wgmma per
/// 16 columns of the tile, L's registers as A (the layout of mma.sync's A
/// fragments) and the column tile as B, MN-major. A chunk is committed
/// without waiting; only the last chunk of a tile waits, so the next
/// chunk's sigmoid overlaps this one.
void WgmmaEmitter::accumulateColumns(ArrayRef<Value> lhs,
                                     const ColumnOperand &col,
                                     SmallVectorImpl<Value> &acc,
                                     int64_t kkBegin, int64_t kkEnd,
                                     bool last) {
  SmallVector<Value> o =
      issueValueSteps(packSteps(lhs, kkBegin, kkEnd), col, acc, kkBegin, kkEnd);
  if (last)
    o = waitAll(o);
  std::copy(o.begin(), o.end(), acc.begin());
}

FailureOr<TileConfig> mlir::sigattn::getWgmmaConfig(gpu::GPUFuncOp kernel,
                                                    KernelTiles &tiles) {
  FailureOr<TileConfig> c = getTileConfig(kernel, tiles, "wgmma");
  if (failed(c))
    return failure();
  auto fail = [&](const Twine &msg) {
    return kernel.emitOpError()
           << "convert-sigattn-tiles-to-nvvm (mma=wgmma): " << msg;
  };
  const abi::TileShape &s = c->shape;
  if (s.blockQ % wg::kWarpgroupRows != 0)
    return fail("block-q = " + Twine(s.blockQ) +
                " must be a multiple of 64 (one 64-row wgmma per warpgroup)");
  if (s.numWarps % wg::kWarpsPerGroup != 0)
    return fail("num-warps = " + Twine(s.numWarps) +
                " must be a multiple of 4 (warpgroups of 4 warps)");
  if (c->rowsPerWarp != 16)
    return fail("block-q = " + Twine(s.blockQ) +
                " must be 16 x num-warps = " + Twine(16 * s.numWarps) +
                " (64 query rows per warpgroup of 4 warps)");
  if (s.blockK > kMaxWgmmaN)
    return fail("block-k = " + Twine(s.blockK) + " is more than " +
                Twine(kMaxWgmmaN) + ", the widest wgmma");
  return c;
}

std::unique_ptr<TileEmitter>
mlir::sigattn::createWgmmaEmitter(gpu::GPUFuncOp kernel,
                                  const TileConfig &cfg) {
  return std::make_unique<WgmmaEmitter>(kernel, cfg);
}
