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

/// Consecutive key/value tiles [lo, hi) processed by one tile step: the
/// body of a unit-step loop, or a single tile (hi = lo + 1) outside any loop.
struct KeyValueRange {
  /// The tile step; its k_tile is the loop's induction variable in a loop.
  TileStepOp step;
  /// The loop over the range, or null for a single tile.
  scf::ForOp loop;
  /// The f32 accumulator before and after the range.
  Value init, result;

  /// The op that holds the range (the loop or the single step).
  Operation *getOperation() {
    return loop ? loop.getOperation() : step.getOperation();
  }
};

/// The tile ops of one kernel, in program order: Q's tile, the key/value
/// ranges that thread one accumulator from zero to the store, O's tile.
struct KernelTiles {
  LoadTileOp loadQ;
  /// In program order; at least one.
  SmallVector<KeyValueRange> ranges;
  StoreTileOp store;

  /// A step that describes the kernel: all steps agree on everything but
  /// their tile range and `masked`.
  TileStepOp describingStep() { return ranges.front().step; }
};

/// Finds the tile ops of `kernel` and checks that they form one attention
/// kernel: one load of Q at the top level of the body, key/value ranges that
/// read that tile and agree on keys, values, heads, mask, scale, bias and
/// ALiBi slope, and one store of the final accumulator. Emits an error at
/// the offending op otherwise.
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
