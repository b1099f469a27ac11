//===- WgmmaLayout.h - shared memory of the wgmma lowering ------*- C++ -*-===//
//
// Where the wgmma lowering keeps its tiles in shared memory and how it
// describes them to the tensor cores. No MLIR here: the lowering
// instantiates the templates with builders of MLIR values, and
// unittests/Conversion/WgmmaLayoutTest.cpp with plain numbers, which it
// checks against the canonical layouts of the PTX ISA (an independent model
// of how wgmma reads a descriptor) and the op's definition.
//
// A tile of `rows` x `cols` 2-byte elements (cols a multiple of 64) is kept
// as cols / 64 column blocks, each `rows` rows of 128 bytes; 16-byte chunk c
// of row r of a block sits at chunk c ^ (r % 8) of its row (the 128-byte
// swizzle, Swizzle<3,4,3>). Blocks and their 8-row groups start on 1024-byte
// boundaries when the tile does and rows % 8 == 0.
//
// Register fragments of wgmma (m64nNk16, per warp w of the warpgroup, rows
// 16 w .. 16 w + 15) are those of mma.sync m16n8k16 (MmaSyncLayout.h): the
// accumulator registers 4 nt .. 4 nt + 3 are n-tile nt's c0..c3, and the A
// registers of P come from S's accumulators as in pOperandSource.
//
//===----------------------------------------------------------------------===//

#ifndef SIGATTN_CONVERSION_SIGATTNTILESTONVVM_WGMMALAYOUT_H
#define SIGATTN_CONVERSION_SIGATTNTILESTONVVM_WGMMALAYOUT_H

#include <cstdint>

namespace sigattn {
namespace wgmma {

/// Bytes of one row of a column block (the swizzle width).
constexpr int64_t kRowBytes = 128;
/// 2-byte elements per row of a column block.
constexpr int64_t kBlockCols = kRowBytes / 2;
/// Bytes of 8 rows: the swizzle repeats every 8 rows.
constexpr int64_t kGroupBytes = 8 * kRowBytes;
/// Rows of the M dimension of one wgmma (one warpgroup's query rows).
constexpr int64_t kWarpgroupRows = 64;
/// Warps in a warpgroup.
constexpr int64_t kWarpsPerGroup = 4;
/// Depth of one wgmma (k16) in bytes of a 2-byte element row.
constexpr int64_t kStepBytes = 16 * 2;

/// Byte offset of 16-byte chunk `chunk` (0 .. cols / 8 - 1) of row `row` of
/// a tile of `rows` rows that starts at byte `base`.
template <typename I> I tileOffset(I base, I row, I chunk, int64_t rows) {
  return base + (chunk >> 3) * (rows * kRowBytes) + row * kRowBytes +
         (((chunk & 7) ^ (row & 7)) << 4);
}

//===----------------------------------------------------------------------===//
// Matrix descriptors
//===----------------------------------------------------------------------===//

/// The fields of a 128-byte-swizzled matrix descriptor other than its start
/// address: leading and stride byte offsets (bits 16-29, 32-45, in units of
/// 16 bytes) and the swizzle mode (bits 62-63: 1 = 128 bytes).
constexpr uint64_t descriptorFields(int64_t leadingBytes, int64_t strideBytes) {
  return (uint64_t(leadingBytes >> 4) << 16) |
         (uint64_t(strideBytes >> 4) << 32) | (uint64_t{1} << 62);
}
/// The start address field (bits 0-13) of shared byte address `address`.
template <typename I> I descriptorAddress(I address) {
  return (address & 0x3FFFF) >> 4;
}
/// What a descriptor gains when its start moves `bytes` (a multiple of 16)
/// further: addresses stay below 256 KB, so the 14-bit start field never
/// carries into the next field and descriptors add like addresses.
constexpr int64_t descriptorStep(int64_t bytes) { return bytes >> 4; }

/// K-major operand (Q as A, K as B of S = Q.K^T). Fields: rows are 128
/// bytes apart, 8-row groups 1024 (the stride byte offset); the leading
/// byte offset is ignored for swizzled K-major operands (1 by convention).
constexpr uint64_t kMajorFields() { return descriptorFields(16, kGroupBytes); }
/// The start of k-step `ks` (columns 16 ks .. 16 ks + 15) of rows row0 ..
/// of a tile of `rows` rows at `base`; row0 % 8 == 0.
/// Bytes from k-step 0's start to k-step ks's.
constexpr int64_t kMajorStepBytes(int64_t ks, int64_t rows) {
  return (ks / 4) * rows * kRowBytes + (ks % 4) * kStepBytes;
}
template <typename I> I kMajorStart(I base, I row0, int64_t ks, int64_t rows) {
  return base + row0 * kRowBytes + kMajorStepBytes(ks, rows);
}

/// MN-major operand (V as B of O += P.V, transposed), a tile of `rows`
/// keys. Fields: column blocks (64 value columns) are rows * 128 bytes apart
/// (the leading byte offset), 8-key groups 1024 (the stride byte offset).
constexpr uint64_t mnMajorFields(int64_t rows) {
  return descriptorFields(rows * kRowBytes, kGroupBytes);
}
/// Bytes from k-step 0's start to k-step kk's (keys 16 kk .. 16 kk + 15).
constexpr int64_t mnMajorStepBytes(int64_t kk) { return kk * 16 * kRowBytes; }
template <typename I> I mnMajorStart(I base, int64_t kk) {
  return base + mnMajorStepBytes(kk);
}

//===----------------------------------------------------------------------===//
// Threads
//===----------------------------------------------------------------------===//

/// The first query row of the tile that warp `warp`'s warpgroup owns.
template <typename I> I warpgroupRow(I warp) {
  return (warp >> 2) * kWarpgroupRows;
}

} // namespace wgmma
} // namespace sigattn

#endif // SIGATTN_CONVERSION_SIGATTNTILESTONVVM_WGMMALAYOUT_H
