//===- KernelTiles.h - the tile ops of one sigattn kernel -------*- C++ -*-===//
//
// Recognition of the tile ops of one sigattn GPU kernel, shared by every
// tensor-core lowering (mma.sync, wgmma). It looks at ops, not at loop
// shapes: canonicalization folds single-trip and empty key/value loops when
// sequence lengths are static, so a run of key/value tiles is either a loop
// of one tile step or a tile step on its own.
//
//===----------------------------------------------------------------------===//

#ifndef SIGATTN_CONVERSION_SIGATTNTILESTONVVM_KERNELTILES_H
#define SIGATTN_CONVERSION_SIGATTNTILESTONVVM_KERNELTILES_H

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "sigattn/Dialect/SigAttn/IR/SigAttnOps.h"
#include "sigattn/Runtime/KernelABI.h"

namespace mlir {
namespace sigattn {

/// Consecutive column tiles [lo, hi) (key/value tiles in the forward pass)
/// processed by one tile step: the body of a unit-step loop, or a single
/// tile (hi = lo + 1) outside any loop.
struct ColumnRange {
  /// The tile step; its column tile is the loop's induction variable in a
  /// loop.
  TileStepInterface step;
  /// The loop over the range, or null for a single tile.
  scf::ForOp loop;
  /// The f32 accumulators before and after the range, in the step's order.
  SmallVector<Value, 2> init, result;

  /// The op that holds the range (the loop or the single step).
  Operation *getOperation() {
    return loop ? loop.getOperation() : step.getOperation();
  }
};

/// The tile ops of one kernel, in program order: the block's resident row
/// tiles (Q in the forward pass), the column ranges that thread the
/// accumulators from zero to the stores, and one store per accumulator.
struct KernelTiles {
  /// In the order the tile steps read them.
  SmallVector<LoadTileOp, 2> rowLoads;
  /// The dk/dv kernel's loop over the query heads of a group (GQA, MQA),
  /// which carries the accumulators and holds every range; null otherwise.
  scf::ForOp groupLoop;
  /// In program order; at least one.
  SmallVector<ColumnRange> ranges;
  /// In the order of the steps' accumulators.
  SmallVector<StoreTileOp, 2> stores;

  /// A step that describes the kernel: all steps agree on everything but
  /// their tile range and `masked`.
  TileStepInterface describingStep() { return ranges.front().step; }
  /// The forward pass's step, or null for a kernel of another kind.
  TileStepOp forwardStep() {
    return dyn_cast<TileStepOp>(describingStep().getOperation());
  }
};

/// Finds the tile ops of `kernel` and checks that they form one attention
/// kernel: the loads of the row tiles at the top level of the body, column
/// ranges that read those tiles and agree on their column sources, heads,
/// mask, scale, bias and ALiBi slope, and one store per final accumulator.
/// Emits an error at the offending op otherwise.
FailureOr<KernelTiles> findKernelTiles(gpu::GPUFuncOp kernel);

/// The number of threads per block of `kernel`, from its known_block_size,
/// checked to be (32 * num-warps, 1, 1) with 1 <= num-warps <= maxWarps.
FailureOr<int64_t> getKernelThreads(gpu::GPUFuncOp kernel, int64_t maxWarps);

/// The field of a kernel's description that holds its dynamic shared memory
/// size in bytes.
constexpr StringLiteral kSharedBytesField = "dynamic_shared_memory";

/// What a host needs to know about a kernel lowered with `mma` (its launch
/// geometry and the attention it computes, docs/KernelABI.md), as the
/// dictionary the kernel and its launches carry as `sigattn.kernel`.
DictionaryAttr describeKernel(gpu::GPUFuncOp kernel, KernelTiles &tiles,
                              const ::sigattn::abi::TileShape &shape,
                              int64_t sharedBytes, StringRef mma);

/// True for a kernel that holds sigattn tile ops anywhere in its body.
bool hasTileOps(gpu::GPUFuncOp kernel);

} // namespace sigattn
} // namespace mlir

#endif // SIGATTN_CONVERSION_SIGATTNTILESTONVVM_KERNELTILES_H
