//===- Passes.h - sigattn dialect passes ------------------------*- C++ -*-===//

#ifndef SIGATTN_DIALECT_SIGATTN_TRANSFORMS_PASSES_H
#define SIGATTN_DIALECT_SIGATTN_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"
#include "sigattn/Dialect/SigAttn/IR/SigAttnDialect.h"

#include <cstdint>
#include <optional>
#include <string>

namespace mlir {
class RewritePatternSet;

namespace sigattn {

#define GEN_PASS_DECL
#include "sigattn/Dialect/SigAttn/Transforms/Passes.h.inc"

/// Query rows (Bq) and keys (Bk) per tile.
struct TileSizes {
  int64_t blockQ;
  int64_t blockK;
};

/// The tensor-core generation a kernel is tiled and lowered for: its
/// default tile sizes and warps depend on it (the tiling does not).
enum class MmaKind { Sync, Wgmma };

/// Parses an `mma` option (sync, wgmma).
FailureOr<MmaKind> parseMmaKind(StringRef mma);

/// How a kernel loads its tiles into shared memory: cp.async by every
/// thread, or TMA (cp.async.bulk.tensor) from CUtensorMaps the host encodes
/// and passes after the sizes (docs/KernelABI.md).
enum class LoadKind { CpAsync, Tma };

/// Parses a `loads` option (cp.async, tma).
FailureOr<LoadKind> parseLoadKind(StringRef loads);

/// How a kernel stores O: every thread its accumulators (direct), or
/// through shared memory (stmatrix) by TMA (cp.async.bulk.tensor) with a
/// fourth CUtensorMap, out's; auto picks TMA where the kernel can.
enum class StoreKind { Direct, Tma, Auto };

/// Parses a `stores` option (direct, tma, auto).
FailureOr<StoreKind> parseStoreKind(StringRef stores);

/// How a kernel's warps share the work: every warp loads and computes
/// (cooperative), or a producer warpgroup after the computing warps issues
/// the TMA loads into a ring of K/V stages (specialized; TMA loads only).
enum class ScheduleKind { Cooperative, Specialized };

/// Parses a `schedule` option (cooperative, specialized).
FailureOr<ScheduleKind> parseScheduleKind(StringRef schedule);

/// The problem with a kv-stages value for `schedule`, naming the option, or
/// nothing when it is valid (0: the default, or 2 .. 4, more than 2 only
/// when specialized).
std::optional<std::string> checkKVStagesOption(int64_t stages,
                                               ScheduleKind schedule);

/// Attributes of a warp-specialized kernel: the warps of its producer
/// (after the computing warps, which num-warps counts) and the stages of
/// its K/V ring. Absent: no producer, two stages.
constexpr StringLiteral kProducerWarpsAttrName = "sigattn.producer_warps";
constexpr StringLiteral kKVStagesAttrName = "sigattn.kv_stages";

/// Attribute of a backward kernel: the name of the other kernel of its
/// sigattn.attention_grad (dk/dv names dq's and the reverse).
constexpr StringLiteral kPartnerAttrName = "sigattn.partner";

/// Attribute of a kernel with TMA loads: the indices of its CUtensorMap
/// arguments (q, k, v). They are `!llvm.ptr` in the gpu.func and become
/// by-value grid constants after convert-gpu-to-nvvm
/// (sigattn-tensor-map-params).
constexpr StringLiteral kTensorMapsAttrName = "sigattn.tensor_maps";

/// The host function a launch of a TMA kernel calls to encode each map:
///   i32 sigattn_encode_tensor_map(ptr map, i64 base, i64 B, i64 N, i64 H,
///                                 i64 dim, i64 stride_b, i64 stride_n,
///                                 i64 stride_h, i64 box_rows,
///                                 i64 element_type)
/// (strides in elements; element_type 0: bf16, 1: f16; 0 on success). The
/// runtime library provides it.
constexpr StringLiteral kEncodeTensorMapName = "sigattn_encode_tensor_map";

/// Largest block-q / block-k `sigattn-tile` accepts (0 picks the default).
constexpr int64_t kMaxTileSize = 1024;

/// Largest num-warps `sigattn-outline-gpu-kernels` accepts (1024 threads).
constexpr int64_t kMaxWarps = 32;

/// An error naming `option` (block-q or block-k) when `value` is neither 0
/// (the default) nor in 1 .. kMaxTileSize; nothing otherwise.
std::optional<std::string> checkTileSizeOption(StringRef option, int64_t value);

/// An error when num-warps `value` is neither 0 (the default) nor in
/// 1 .. kMaxWarps; nothing otherwise.
std::optional<std::string> checkNumWarpsOption(int64_t value);

/// The default tile sizes of `kind` for head dimensions D = `headDim` and
/// Dv = `valueDim` (benchmarks/NOTES.md has the measurements behind them).
TileSizes getDefaultTileSizes(MmaKind kind, int64_t headDim, int64_t valueDim);
/// The tile sizes sigattn-tile uses for sigattn.attention_grad without
/// block-q and block-k: query tiles (rows of the dQ grid, columns of the
/// dK/dV grid) and key tiles.
TileSizes getDefaultGradTileSizes(MmaKind kind, int64_t headDim,
                                  int64_t valueDim);

/// The default warps per block of `kind` for tiles of `blockQ` query rows:
/// 4 for mma.sync, one warpgroup per 64 rows (16 rows per warp) for wgmma.
int64_t getDefaultNumWarps(MmaKind kind, int64_t blockQ);

/// Adds the pattern that tiles `sigattn.attention` with `sizes` (a zero
/// size takes `kind`'s default for the op's head dimensions).
/// How sigattn.attention_grad computes dQ: a separate grid over query tiles
/// (deterministic), or partial sums of the dK/dV steps reduced into an f32
/// buffer.
enum class DqKind { Separate, Reduce };

/// Parses a `dq` option value (separate, reduce).
FailureOr<DqKind> parseDqKind(StringRef dq);

void populateSigAttnTilePatterns(RewritePatternSet &patterns, TileSizes sizes,
                                 MmaKind kind = MmaKind::Sync,
                                 DqKind dq = DqKind::Separate);

#define GEN_PASS_REGISTRATION
#include "sigattn/Dialect/SigAttn/Transforms/Passes.h.inc"

} // namespace sigattn
} // namespace mlir

#endif // SIGATTN_DIALECT_SIGATTN_TRANSFORMS_PASSES_H
