//===- TileEmitter.h - what both tensor-core lowerings share ----*- C++ -*-===//
//
// The skeleton of the lowering of one sigattn kernel's tile ops, shared by
// the mma.sync (MmaSyncEmitter.cpp) and wgmma (WgmmaEmitter.cpp)
// generations: the configuration checks, the copies of tiles into shared
// memory (cp.async, zero-filled past the sequence), the loop over key/value
// tiles with two stages, the sigmoid with scale, bias, ALiBi and the
// boundary-tile masks, and the store of O. A generation supplies the shared
// memory layout of a tile, S = Q.K^T and O += P.V. Both keep S and O in the
// m16n8 accumulator layout of MmaSyncLayout.h. Private to the lowering.
//
//===----------------------------------------------------------------------===//

#ifndef SIGATTN_LIB_CONVERSION_SIGATTNTILESTONVVM_TILEEMITTER_H
#define SIGATTN_LIB_CONVERSION_SIGATTNTILESTONVVM_TILEEMITTER_H

#include "ValueBuilders.h"
#include "sigattn/Conversion/SigAttnTilesToNVVM/KernelTiles.h"
#include "sigattn/Runtime/KernelABI.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/Builders.h"

#include <memory>

namespace mlir::sigattn {

/// Name of the dynamic shared memory array of sigattn kernels.
constexpr StringLiteral kSharedMemoryName = "sigattn_smem";

/// Everything a tensor-core lowering of one kernel needs to know, read off
/// the kernel's tile ops and block size.
struct TileConfig {
  StringRef mma; ///< "sync" or "wgmma", for messages and the description
  ::sigattn::abi::TileShape shape;
  int64_t threads;
  int64_t rowsPerWarp; ///< query rows each warp owns
  int64_t mTiles;      ///< m16 tiles per warp
  bool bf16;
  /// TMA loads: the kernel's CUtensorMap arguments (q, k, v), else none.
  SmallVector<int64_t, 3> tensorMaps;
  /// The tensor maps of the row tiles (Q) and of the column sources (K, V),
  /// in the tile steps' order.
  SmallVector<::sigattn::abi::Tensor, 2> rowRoles, columnRoles;
  /// Rows of the block's row tiles and of a stage's column tiles.
  int64_t rowBlock, columnBlock;
  /// Elements per row of each row tile (D) and of each column source's
  /// tiles (D, Dv), in the tile steps' order.
  SmallVector<int64_t, 2> rowDepths, columnWidths;
  /// Columns of each accumulator (Dv: O), in the tile steps' order.
  SmallVector<int64_t, 2> accumulatorWidths;
  // Shared memory layout, in bytes: the row tiles (Q), then
  // shape.kvStages stages of the first column source's tiles (K), then as
  // many of the second's (V), then (TMA loads) the mbarriers of the row
  // tiles, of the stages' loads ("full") and, with a producer, of their
  // release ("empty").
  SmallVector<int64_t, 2> offRow, offColumn, stageBytes;
  int64_t offBarriers, sharedBytes;
  /// Warp-specialized kernels: registers per thread at launch (`.maxnreg`)
  /// and after `setmaxnreg` in the producer and in the computing warps.
  int64_t launchRegisters = 0, producerRegisters = 0, computeRegisters = 0;
  /// Blocks per SM the kernel is built for (`.minnctapersm`).
  int64_t blocksPerSM = 1;
  /// Options of the lowering: the computing warpgroups of a
  /// warp-specialized kernel take turns issuing their tensor-core work
  /// (`pingpong`), and how many of every 8 scores take the sigmoid on the
  /// FMA pipe instead of tanh.approx (`poly-sigmoid`).
  bool pingpong = false;
  int64_t polySigmoid = 0;
  bool tma() const { return !tensorMaps.empty(); }
  bool specialized() const { return shape.producerWarps > 0; }
  int64_t computeThreads() const { return 32 * shape.numWarps; }
  /// The warpgroups that take turns with `pingpong` (1: no turns). Turns
  /// are taken in the overlapped loops, which need 3 or more stages.
  int64_t turnGroups() const {
    return pingpong && specialized() && shape.kvStages > 2 ? shape.numWarps / 4
                                                           : 1;
  }
};

/// Reads the configuration of `kernel` and checks what every generation
/// needs; emits an error naming the option at fault otherwise.
FailureOr<TileConfig> getTileConfig(gpu::GPUFuncOp kernel, KernelTiles &tiles,
                                    StringRef mma);

/// A tile that stays in shared memory for the whole kernel (Q in the
/// forward pass), the A operand of a row product: `rows` x `depth` elements
/// at byte `offset`.
struct RowOperand {
  int64_t offset, rows, depth;
};

/// A tile of a stage of the column ring (K or V in the forward pass):
/// `rows` x `width` elements at byte `offset` (i32). The B operand of a row
/// product (read K-major, depth = width) or of a column product (read
/// MN-major, N = width, K = rows).
struct ColumnOperand {
  Value offset;
  int64_t rows, width;
};

/// Builds the code of one kernel; a generation overrides the hooks.
class TileEmitter {
public:
  TileEmitter(gpu::GPUFuncOp kernel, const TileConfig &cfg);
  virtual ~TileEmitter() = default;

  /// Replaces the tile ops of `tiles` by tensor-core code.
  LogicalResult run(KernelTiles &tiles);

protected:
  using IntV = values::IntV;
  using FltV = values::FltV;

  //===--------------------------------------------------------------------===//
  // Hooks of a generation
  //===--------------------------------------------------------------------===//

  /// Byte offset in shared memory of 16-byte chunk `chunk` of row `row` of a
  /// tile of rows x cols elements that starts at byte `base`.
  virtual IntV sharedChunkOffset(IntV base, IntV row, IntV chunk, int64_t rows,
                                 int64_t cols) = 0;
  /// Makes the cp.async copies issued so far visible to every warp's
  /// tensor-core reads, and waits for every warp to be done with the
  /// previous tile.
  virtual void waitForTiles() = 0;
  /// A row product X = R.C^T (S = Q.K^T in the forward pass) of this
  /// warp's rows of `row` and the stage tile `col`: the accumulators of
  /// this thread, [m-tile][n-tile][element] flattened.
  virtual SmallVector<Value> computeRowProduct(const RowOperand &row,
                                               const ColumnOperand &col) = 0;
  /// Starts a row product and returns its accumulators, which only
  /// finishRowProduct may read: they become final once the next tile's last
  /// accumulateColumns has run. By default it is computed at once.
  virtual SmallVector<Value> issueRowProduct(const RowOperand &row,
                                             const ColumnOperand &col) {
    return computeRowProduct(row, col);
  }
  /// The accumulators issueRowProduct returned, final, after a tile's last
  /// accumulateColumns.
  virtual SmallVector<Value> finishRowProduct(ArrayRef<Value> scores) {
    return SmallVector<Value>(scores);
  }
  /// A column product acc += L.C (O += P.V in the forward pass) over the
  /// columns of k16 steps [kkBegin, kkEnd) of the tile, with L in
  /// row-product registers `lhs` (same order) and C the stage tile `col`;
  /// `last` is the tile's last chunk: acc must be final after it. Between
  /// chunks acc may hold results still in flight (wgmma): nothing but the
  /// next chunk may read or write it.
  virtual void accumulateColumns(ArrayRef<Value> lhs, const ColumnOperand &col,
                                 SmallVectorImpl<Value> &acc, int64_t kkBegin,
                                 int64_t kkEnd, bool last) = 0;
  /// P of a whole tile (S registers, same order) as the P.V operand; by
  /// default P itself.
  virtual SmallVector<Value> packProbabilities(ArrayRef<Value> probs) {
    return SmallVector<Value>(probs);
  }
  /// The types of packProbabilities' results.
  virtual SmallVector<Type> packedProbabilityTypes() {
    return SmallVector<Type>(cfg.mTiles * (cfg.shape.blockK / 8) * 4,
                             b.getF32Type());
  }
  /// Issues the column product acc += P.C over the whole tile with
  /// `packed` from packProbabilities; the result is in flight until
  /// waitTensorCores. By default it is computed at once.
  virtual SmallVector<Value> issueColumnProduct(ArrayRef<Value> packed,
                                                const ColumnOperand &col,
                                                ArrayRef<Value> acc) {
    SmallVector<Value> out(acc);
    accumulateColumns(packed, col, out, 0, col.rows / 16, true);
    return out;
  }
  /// Waits until at most `pending` of this thread's committed groups of
  /// tensor-core work are still running; returns `values`, which the
  /// finished groups wrote, final.
  virtual SmallVector<Value> waitTensorCores(ArrayRef<Value> values,
                                             int64_t pending) {
    return SmallVector<Value>(values);
  }
  /// Whether the score arithmetic may contract into FMAs (fewer
  /// instructions per score; mma.sync's widest tiles are at the 255
  /// register limit, where a different schedule spills).
  virtual bool contractScores() { return false; }
  /// How many chunks of keys a step splits the sigmoid and P.V into, so
  /// that the sigmoid of one chunk runs while the tensor cores multiply
  /// the previous one (1: no split).
  virtual int64_t valueChunks() { return 1; }

  /// Row tile `i` of the block, and column tile `j` of the stage at
  /// `offsets` (TileAddresses::offsets), as operands.
  RowOperand rowOperand(int64_t i) const {
    return {cfg.offRow[i], cfg.rowBlock, cfg.rowDepths[i]};
  }
  ColumnOperand columnOperand(int64_t j, ArrayRef<Value> offsets) const {
    return {offsets[j], cfg.columnBlock, cfg.columnWidths[j]};
  }

  //===--------------------------------------------------------------------===//
  // Helpers
  //===--------------------------------------------------------------------===//

  Value i32(int64_t v) { return arith::ConstantIntOp::create(b, loc, v, 32); }
  Value i64(int64_t v) { return arith::ConstantIntOp::create(b, loc, v, 64); }
  Value f32(float v) {
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
  }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, loc, x, y); }
  Value toI32(Value index) {
    return arith::IndexCastOp::create(b, loc, b.getI32Type(), index);
  }
  Value toI64(Value index) {
    return arith::IndexCastOp::create(b, loc, b.getI64Type(), index);
  }
  /// i64 -> i32 (the value fits) and back, zero-extended: products of two
  /// such values become one 32 x 32 -> 64-bit multiply.
  Value narrow(Value v) {
    return arith::TruncIOp::create(b, loc, b.getI32Type(), v);
  }
  Value wide(Value v) {
    return arith::ExtUIOp::create(b, loc, b.getI64Type(), v);
  }
  IntV iv(Value v) { return {&b, loc, v}; }
  FltV fv(Value v) {
    return {&b, loc, v,
            contractScores() ? arith::FastMathFlags::contract
                             : arith::FastMathFlags::none};
  }

  /// The shared memory byte at `byteOffset` (i32).
  Value sharedPtr(Value byteOffset);
  /// The strides (i64 elements) of a [B, N, H, dim] view: between batches,
  /// rows and heads.
  struct GlobalStrides {
    Value batch, row, head;
  };
  GlobalStrides stridesOf(Value view);
  Value globalBase(Value view);
  Value globalPtr(Value base, Value byteOffset);
  /// Two f32 rounded to the element type, `lo` in the low half of an i32.
  Value pack(Value lo, Value hi);
  void barrier();
  void waitCopies(int64_t pending);

  OpBuilder b;
  Location loc;
  MLIRContext *ctx;
  gpu::GPUFuncOp kernel;
  TileConfig cfg;
  // Per-thread values set by the prologue.
  Value tid, lane, warp, pairCol, rowBase, smem;

private:
  /// Values of a column loop that do not change from tile to tile.
  struct LoopInvariants {
    Value halfScale, halfBias, halfSlope; // 0.5 * scale, bias, slope
    // The same times score::kExp2PerHalfArgument (cfg.polySigmoid > 0).
    Value expScale, expBias, expSlope;
    Value seqK;     // Ncols (Nk in the forward pass), i32
    Value diagBase; // row start + rowBase + Ncols - Nrows - pairCol, i32
  };

  void emitPrologue();
  void copyToShared(Value view, Value batch, Value head, Value rowStart,
                    int64_t rows, int64_t cols, Value sharedOffset);
  /// Issues the loads of key/value tile `kTile` into the stage of `slot`
  /// (the tile's position in the kernel's sequence of key/value tiles):
  /// one cp.async group, or TMA loads by thread 0 completing on the stage's
  /// mbarrier.
  void copyKeyValueTile(TileStepInterface step, Value kTile, Value slot);
  /// Where column tile `kTile` of slot `slot` is: its first column (index)
  /// and the stages of each column source's tile in shared memory (byte
  /// offsets, i32; K's and V's in the forward pass).
  struct TileAddresses {
    Value k0;
    SmallVector<Value, 2> offsets;
  };
  TileAddresses tileAddresses(Value kTile, Value slot);
  /// The TMA loads of a column tile into its stage, completing on
  /// `barrier`, issued by the thread that runs this.
  void issueKeyValueLoads(TileStepInterface step, const TileAddresses &at,
                          Value barrier);
  /// The stage (i32, 0 .. kvStages - 1) of key/value slot `slot`.
  Value stageOf(Value slot);
  /// How many times (i32, 0 or 1 mod 2) the ring went round before key/value
  /// slot `slot`: the phase of its stage's mbarriers that it is.
  Value phaseOf(Value slot);
  /// Byte offsets of each column source's stage (K's and V's) for slot
  /// `slot`.
  SmallVector<Value, 2> stageOffsets(Value slot);
  /// The first and one-past-last column tile of `range` (index values).
  std::pair<Value, Value> tileBounds(ColumnRange &range);
  /// The slot of tile `kTile` of a range from `lo` whose first slot is
  /// `first`.
  Value slotOf(Value first, Value kTile, Value lo);
  /// The slot after the tiles [lo, hi) of a range whose first slot is
  /// `first`.
  Value slotAfter(Value first, Value lo, Value hi);
  /// Lowers one key/value range whose first tile has slot `slot`; returns
  /// the accumulators after it and advances `slot` past it.
  SmallVector<Value> emitRange(ColumnRange &range, ArrayRef<Value> init,
                               Value &slot);
  void emitStep(TileStepInterface step, const LoopInvariants &inv, Value kTile,
                Value slot, Value hasNext, SmallVectorImpl<Value> &acc);
  /// Waits until the K and V tiles of `slot` are in shared memory and
  /// visible to every computing warp.
  void waitForTile(Value slot);
  /// P = sigmoid(S') of `scores`, the tile at `at` (masked if `step` is),
  /// then acc += P.V, chunk by chunk; acc is final after it.
  void applyAndAccumulate(TileStepInterface step, const LoopInvariants &inv,
                          const TileAddresses &at,
                          SmallVectorImpl<Value> &scores,
                          SmallVectorImpl<Value> &acc);
  /// The backward kernels' step after S (S^T) = R0.C0^T: dP = R1.C1^T,
  /// P = sigmoid(S') masked, dS = dP * P * (1 - P), then the column
  /// products: dq += dS.K; or dv += P^T.dO and dk += dS^T.Q.
  void applyGradients(TileStepInterface step, const LoopInvariants &inv,
                      const TileAddresses &at, SmallVectorImpl<Value> &scores,
                      SmallVectorImpl<Value> &acc);
  /// With a producer, this thread is done with the stage of `slot`.
  void releaseTile(Value slot);
  /// A key/value range [lo, hi) as a prologue on its first tile (returns
  /// values of `carriedTypes`), a loop over tiles lo .. hi - 2 whose `step`
  /// updates the accumulators and the carried values, and an `epilogue` on
  /// the last tile (hi - 1); an empty range leaves the accumulators `init`.
  /// Returns the accumulators after it.
  SmallVector<Value> emitPipelinedRange(
      Value lo, Value hi, ArrayRef<Value> init, TypeRange carriedTypes,
      function_ref<SmallVector<Value>()> prologue,
      function_ref<void(Value, SmallVectorImpl<Value> &,
                        SmallVectorImpl<Value> &)>
          step,
      function_ref<void(Value, SmallVectorImpl<Value> &, ArrayRef<Value>)>
          epilogue);
  /// A key/value loop of a warp-specialized kernel, software-pipelined: S
  /// of tile t + 1 is issued before the sigmoid and P.V of tile t.
  SmallVector<Value> emitOverlappedRange(ColumnRange &range,
                                         const LoopInvariants &inv, Value lo,
                                         Value hi, ArrayRef<Value> init,
                                         Value &slot);
  /// The same loop with turns (cfg.pingpong): per tile, S(t + 1) and P.V(t)
  /// are issued together in this warpgroup's turn, then the sigmoid of
  /// t + 1 runs while they and the other warpgroups' turns use the tensor
  /// cores.
  SmallVector<Value> emitTurnTakingRange(ColumnRange &range,
                                         const LoopInvariants &inv, Value lo,
                                         Value hi, ArrayRef<Value> init,
                                         Value &slot);
  /// P of the tile at `at` from its final scores, packed as the P.V
  /// operand.
  SmallVector<Value> probabilities(TileStepInterface step,
                                   const LoopInvariants &inv,
                                   const TileAddresses &at,
                                   SmallVectorImpl<Value> &scores);

  //===--------------------------------------------------------------------===//
  // Turns of the computing warpgroups (cfg.turnGroups() > 1)
  //===--------------------------------------------------------------------===//

  /// Waits for this warpgroup's turn to issue tensor-core work.
  void beginTurn();
  /// Passes the turn to the next warpgroup.
  void endTurn();
  /// The first turn goes to warpgroup 0 (the last one's arrival, at the
  /// start) ...
  void startTurns();
  /// ... and warpgroup 0 consumes the last one's final arrival, so that
  /// every named barrier is complete at the end.
  void finishTurns();
  /// This computing warpgroup's index (i32).
  Value turnGroup();
  /// Runs `body(g)` in computing warpgroup g, for each g (one branch each).
  void inEachTurnGroup(function_ref<void(int64_t)> body);
  /// The same for the first `groups` computing warpgroups.
  void inEachWarpgroup(int64_t groups, function_ref<void(int64_t)> body);

  //===--------------------------------------------------------------------===//
  // Warp specialization (cfg.specialized())
  //===--------------------------------------------------------------------===//

  /// Splits the kernel at its first key/value range into the producer
  /// warpgroup's loads and the computing warps' ranges and store (one
  /// scf.if); returns the computing warps' block, holding the ranges and
  /// the store, or fails with an error naming the option.
  FailureOr<Block *> splitRoles(KernelTiles &tiles);
  /// The producer's thread issues every key/value tile's loads, in slot
  /// order, each into a stage the computing warps released.
  void emitProducer(KernelTiles &tiles);
  /// emitProducer's loads, in the issuing thread.
  void produceAll(KernelTiles &tiles);
  /// The mbarrier on which the computing warps release the stage of `slot`.
  Value emptyBarrier(Value slot);

  //===--------------------------------------------------------------------===//
  // TMA loads (cfg.tma())
  //===--------------------------------------------------------------------===//

  /// The mbarrier `index` (0: Q, 1 + s: stage s's loads, 1 + kvStages + s:
  /// stage s's release) in shared memory.
  Value barrierPtr(Value index);
  /// The mbarrier of the stage of key/value slot `slot`.
  Value stageBarrier(Value slot);
  /// This thread arrives on `barrier` and sets it to expect `bytes` more.
  void expectBytes(Value barrier, int64_t bytes);
  /// Thread 0 initialises the mbarriers; every thread passes a barrier.
  void initBarriers();
  /// Runs `body` where `condition` (i1) holds.
  void ifThen(Value condition, function_ref<void()> body);
  /// Runs `body` in thread 0 only.
  void inThreadZero(function_ref<void()> body);
  /// TMA loads of a rows x cols tile of `role` through the kernel's map of
  /// it (cols / 64 boxes per group of abi::tmaBoxRows rows) at (head,
  /// rowStart, batch) into shared memory at `sharedOffset`, completing on
  /// mbarrier `barrier`.
  void tmaLoadTile(::sigattn::abi::Tensor role, Value batch, Value head,
                   Value rowStart, int64_t rows, int64_t cols,
                   Value sharedOffset, Value barrier);
  /// Waits for phase `phase` (i32, 0 or 1) of mbarrier `barrier`.
  void waitBarrier(Value barrier, Value phase);

  /// P = sigmoid(S') in place for n-tiles [ntBegin, ntEnd) of 8 keys, with
  /// the masks of a masked step.
  void applySigmoid(TileStepInterface step, const LoopInvariants &inv, Value k0,
                    SmallVectorImpl<Value> &scores, int64_t ntBegin,
                    int64_t ntEnd);
  void emitStore(StoreTileOp store, ArrayRef<Value> acc);
  /// O by stmatrix into shared memory, then TMA stores (cfg.shape.tmaStores).
  void emitTmaStore(StoreTileOp store, ArrayRef<Value> acc);
};

/// mma.sync (sm_80 and later): checks and emitter.
FailureOr<TileConfig> getMmaSyncConfig(gpu::GPUFuncOp kernel,
                                       KernelTiles &tiles);
std::unique_ptr<TileEmitter> createMmaSyncEmitter(gpu::GPUFuncOp kernel,
                                                  const TileConfig &cfg);

/// wgmma (sm_90a): checks and emitter.
FailureOr<TileConfig> getWgmmaConfig(gpu::GPUFuncOp kernel, KernelTiles &tiles);
std::unique_ptr<TileEmitter> createWgmmaEmitter(gpu::GPUFuncOp kernel,
                                                const TileConfig &cfg);

} // namespace mlir::sigattn

#endif // SIGATTN_LIB_CONVERSION_SIGATTNTILESTONVVM_TILEEMITTER_H
