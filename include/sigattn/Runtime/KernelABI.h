//===- KernelABI.h - the contract between generated kernels and hosts -----===//
//
// Plain C++ (no MLIR, no CUDA): the compiler builds kernels to this ABI and
// the runtime launches them through it. See docs/KernelABI.md.
//
//===----------------------------------------------------------------------===//

#ifndef SIGATTN_RUNTIME_KERNELABI_H
#define SIGATTN_RUNTIME_KERNELABI_H

#include <cstdint>

namespace sigattn {
namespace abi {

/// Kernel parameters, in order. Pointers are device addresses of contiguous
/// [B, N, H, D] tensors (bf16 or f16), 16-byte aligned; sizes are int64.
/// `slopes` (f32, [Hq] or [B, Hq]) is present only in kernels built with
/// ALiBi; the parameters after it shift down by one otherwise.
enum Param : int {
  kQuery = 0,  ///< const T *q      [B, Nq, Hq, D]
  kKey = 1,    ///< const T *k      [B, Nk, Hkv, D]
  kValue = 2,  ///< const T *v      [B, Nk, Hkv, Dv]
  kOutput = 3, ///< T *out          [B, Nq, Hq, Dv]
  kSlopes = 4, ///< const float *slopes (ALiBi kernels only)
};

/// The sizes that follow the pointers, in order: B, Nq, Nk.
constexpr int kNumSizeParams = 3;

/// What the description's "batch", "seq_q" and "seq_k" hold for a size the
/// kernel takes at run time. Any other value (>= 1) is a static size: the
/// kernel has it baked in, ignores the matching parameter, and must be
/// launched with exactly that size.
constexpr int64_t kDynamicSize = -1;

/// Bytes of one element of q, k, v and out.
constexpr int64_t kElementBytes = 2;

/// Alignment the kernel assumes for every tensor pointer.
constexpr int64_t kPointerAlignment = 16;

/// What fixes a kernel's launch geometry (all compile-time in the kernel).
struct TileShape {
  int64_t blockQ;   ///< query rows per block
  int64_t blockK;   ///< keys per key/value tile
  int64_t numWarps; ///< warps per block
  int64_t headDim;  ///< D
  int64_t valueDim; ///< Dv
};

/// Threads per block.
constexpr int64_t blockThreads(const TileShape &s) { return 32 * s.numWarps; }

/// Dynamic shared memory in bytes: the Q tile and two stages each of the K
/// and V tiles.
constexpr int64_t dynamicSharedBytes(const TileShape &s) {
  return (s.blockQ * s.headDim + 2 * s.blockK * (s.headDim + s.valueDim)) *
         kElementBytes;
}

/// CUDA's launch limits on the grid.
constexpr int64_t kMaxGridX = 2147483647; // 2^31 - 1
constexpr int64_t kMaxGridYZ = 65535;

/// Grid: x over query tiles, y over query heads, z over batches.
struct Grid {
  int64_t x, y, z;
};
constexpr Grid grid(const TileShape &s, int64_t batch, int64_t seqQ,
                    int64_t numQueryHeads) {
  // ceil(seqQ / blockQ), without overflowing for seqQ near INT64_MAX.
  return {seqQ / s.blockQ + (seqQ % s.blockQ > 0 ? 1 : 0), numQueryHeads,
          batch};
}

} // namespace abi
} // namespace sigattn

#endif // SIGATTN_RUNTIME_KERNELABI_H
