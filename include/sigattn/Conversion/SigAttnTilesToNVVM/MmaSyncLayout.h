//===- MmaSyncLayout.h - lane arithmetic of the mma.sync lowering -*- C++
//-*-===//
//
// Where each thread's data lives in the mma.sync lowering: which 16-byte
// chunk each thread copies into which swizzled shared-memory slot, which
// address each lane gives ldmatrix, which (row, column) of a tile each
// accumulator register holds, the diagonal and key limit each score's mask
// and ALiBi distance start from (ScoreMath.h does the rest, for every
// lowering), and which output rows are stored.
//
// Every function is a template over the integer (I) or float (F) type: the
// lowering instantiates them with builders of MLIR values, and
// unittests/Conversion/MmaSyncLayoutTest.cpp with plain numbers, which it
// checks for every lane, fragment and tile against the PTX fragment layouts
// and the op's definition. No MLIR here.
//
// m16n8k16 fragments, g = lane / 4, t = lane % 4:
//   C, D: c0, c1 at (row g, cols 2t, 2t+1); c2, c3 at row g + 8.
//   A:    reg 0 (row g, k 2t..), reg 1 (row g+8, k 2t..),
//         reg 2 (row g, k 2t+8..), reg 3 (row g+8, k 2t+8..).
//   B:    reg 0 (k 2t, 2t+1, col g), reg 1 (k 2t+8, 2t+9, col g).
//
//===----------------------------------------------------------------------===//

#ifndef SIGATTN_CONVERSION_SIGATTNTILESTONVVM_MMASYNCLAYOUT_H
#define SIGATTN_CONVERSION_SIGATTNTILESTONVVM_MMASYNCLAYOUT_H

#include "sigattn/Conversion/SigAttnTilesToNVVM/ScoreMath.h"

#include <cstdint>

namespace sigattn {
namespace mmasync {

using score::kUnbounded;
using score::max;
using score::min;
using score::select;

/// log2 of a power of two.
constexpr int64_t log2Exact(int64_t v) {
  int64_t n = 0;
  while ((int64_t{1} << n) < v)
    ++n;
  return n;
}

//===----------------------------------------------------------------------===//
// Threads and accumulators
//===----------------------------------------------------------------------===//

/// A thread's lane, warp, accumulator row within its m-tiles (g) and first
/// accumulator column (2t).
template <typename I> struct Lane { I lane, warp, groupRow, pairCol; };

template <typename I> Lane<I> laneOf(I tid) {
  I lane = tid & 31;
  return {lane, tid >> 5, lane >> 2, (lane & 3) * 2};
}

/// The query row, within the block's tile, of a thread's first accumulator
/// row: each warp owns `rowsPerWarp` consecutive rows.
template <typename I> I rowBase(const Lane<I> &l, int64_t rowsPerWarp) {
  return l.warp * rowsPerWarp + l.groupRow;
}

/// Where accumulator element `e` (0..3) of m-tile `mt`, n-tile `nt` lies,
/// relative to (rowBase, pairCol).
struct Offset {
  int64_t row, col;
};
constexpr Offset accElement(int64_t mt, int64_t nt, int64_t e) {
  return {16 * mt + 8 * (e / 2), 8 * nt + e % 2};
}

/// P as the A operand of k-step `kk` of P.V: A register `reg` packs S
/// accumulator elements `first` and `first + 1` of n-tile `nTile`.
struct PSource {
  int64_t nTile, first;
};
constexpr PSource pOperandSource(int64_t kk, int64_t reg) {
  return {2 * kk + reg / 2, 2 * (reg % 2)};
}

//===----------------------------------------------------------------------===//
// Mask and ALiBi positions (the arithmetic is in ScoreMath.h)
//===----------------------------------------------------------------------===//

/// d = i + Nk - Nq - j of the element at (rowBase, pairCol) of the key tile
/// that starts at key 0; per tile and element only constants are added.
template <typename I>
I diagonalBase(I qStart, I rowBase, I seqK, I seqQ, I pairCol) {
  return qStart + rowBase + (seqK - seqQ) - pairCol;
}
/// d at (rowBase, pairCol) of the key tile that starts at key k0.
template <typename I> I tileDiagonal(I diagBase, I k0) { return diagBase - k0; }
/// d of the element at `o` from (rowBase, pairCol).
template <typename I> I elementDiagonal(I tileDiag, Offset o) {
  return tileDiag + (o.row - o.col);
}
/// Keys j = k0 + pairCol + col are inside the sequence iff col < limit.
template <typename I> I columnLimit(I seqK, I k0, I pairCol) {
  return seqK - k0 - pairCol;
}

//===----------------------------------------------------------------------===//
// Shared memory: copies in, ldmatrix out
//===----------------------------------------------------------------------===//

/// Byte offset of 16-byte chunk `chunk` of row `row` of a tile of rows of
/// `rowBytes` that starts at byte `base`: chunks are XOR-swizzled by
/// row % 8 so that the eight rows one ldmatrix reads fall into distinct
/// banks.
template <typename I>
I swizzledOffset(I base, I row, I chunk, int64_t rowBytes) {
  return base + row * rowBytes + ((chunk ^ (row & 7)) << 4);
}

/// The `i`-th chunk a thread copies when `threads` threads copy a tile of
/// `cols` 2-byte elements per row, 16 bytes at a time: its row and its
/// chunk in the row (every generation; where it lands is the generation's
/// layout).
template <typename I> struct Chunk { I row, chunk; };
template <typename I>
Chunk<I> chunkOf(I tid, int64_t i, int64_t threads, int64_t cols) {
  int64_t chunksPerRow = cols / 8;
  I index = tid + i * threads;
  return {index >> log2Exact(chunksPerRow), index & (chunksPerRow - 1)};
}
/// The same chunk with its swizzled byte offset in the mma.sync layout of a
/// tile at `base`.
template <typename I> struct ChunkCopy { I row, chunk, sharedOffset; };
template <typename I>
ChunkCopy<I> copyChunk(I tid, int64_t i, int64_t threads, int64_t cols,
                       I base) {
  Chunk<I> c = chunkOf(tid, i, threads, cols);
  return {c.row, c.chunk, swizzledOffset(base, c.row, c.chunk, cols * 2)};
}

/// Global memory (every generation's copies without TMA, and its direct
/// stores): q, k, v and out are [B, N, H, dim] tensors with strides in
/// elements between batches (strideB), rows (strideN) and heads
/// (strideH), and a contiguous last dimension. Row 0 of head `head` of
/// batch `batch` starts at element headStart(...); element `col` of row
/// `row` of that head is at elementOf(headStart, row, col, strideN).
template <typename I> I headStart(I batch, I head, I strideB, I strideH) {
  return batch * strideB + head * strideH;
}
template <typename I> I elementOf(I headStart, I row, I col, I strideN) {
  return headStart + row * strideN + col;
}

/// A copy of a tile of `rows` rows from row `row0` of a sequence of `seq`:
/// the rows it may read, min(seq - row0, rows) (>= 1: a tile starts inside
/// the sequence); then, for row `row` of the tile, the row it reads,
/// clamped into those, and the bytes it reads (16, or 0 to zero-fill rows
/// at or past the end of the sequence). Rows are counted from the tile's
/// first so that a row's offset, row * row-stride bytes < 2^32
/// (sigattn::abi::kMaxRowStride), is a 32-bit product.
template <typename I> I validRows(I row0, I seq, int64_t rows) {
  return min(seq - row0, rows);
}
template <typename I> I clampedSourceRow(I row, I valid) {
  return min(row, valid - 1);
}
template <typename I> auto sourceBytes(I row, I valid) {
  return select(row < valid, 16, 0);
}

/// ldmatrix.x4: lane L gives the address of row L % 8 of matrix L / 8, in
/// the tile at byte `base`.
/// Q as the A operand of m-tile rows [rowStart, rowStart + 16), k-step ks:
/// matrices (rows 0-7, k 0-7), (rows 8-15, k 0-7), (0-7, 8-15), (8-15, 8-15).
template <typename I>
I qFragmentOffset(I base, I lane, I rowStart, int64_t ks, int64_t cols) {
  return swizzledOffset(base, rowStart + (lane & 15), (lane >> 4) + 2 * ks,
                        cols * 2);
}
/// K as the B operands of S = Q.K^T for keys [16 np, 16 np + 16), k-step ks:
/// matrices (keys 0-7, k 0-7), (keys 0-7, k 8-15), (8-15, 0-7), (8-15, 8-15),
/// i.e. B registers 0, 1 of n-tile 2 np and 0, 1 of n-tile 2 np + 1.
template <typename I>
I kFragmentOffset(I base, I lane, int64_t np, int64_t ks, int64_t cols) {
  I row = (lane & 7) + ((lane >> 4) << 3) + 16 * np;
  I chunk = ((lane >> 3) & 1) + 2 * ks;
  return swizzledOffset(base, row, chunk, cols * 2);
}
/// V as the B operands of O += P.V (ldmatrix.trans) for keys
/// [16 kk, 16 kk + 16) and value columns [16 p, 16 p + 16): matrices
/// (keys 0-7, cols 0-7), (keys 8-15, cols 0-7), (0-7, 8-15), (8-15, 8-15),
/// i.e. B registers 0, 1 of n-tile 2 p and 0, 1 of n-tile 2 p + 1.
template <typename I>
I vFragmentOffset(I base, I lane, int64_t kk, int64_t p, int64_t cols) {
  I row = (lane & 7) + (((lane >> 3) & 1) << 3) + 16 * kk;
  I chunk = (lane >> 4) + 2 * p;
  return swizzledOffset(base, row, chunk, cols * 2);
}

//===----------------------------------------------------------------------===//
// Output
//===----------------------------------------------------------------------===//

/// The output row of accumulator row half `h` (0: c0, c1; 1: c2, c3) of
/// m-tile `mt`, from the thread's first row qStart + rowBase; it is stored
/// iff it is a query row, row < Nq.
template <typename I> I storeRow(I firstRow, int64_t mt, int64_t h) {
  return firstRow + (16 * mt + 8 * h);
}
template <typename I> auto storeGuard(I row, I seqQ) { return row < seqQ; }
/// The accumulator register holding (row half h of m-tile mt, n-tile nt)'s
/// first of two columns pairCol + 8 nt, pairCol + 8 nt + 1.
constexpr int64_t storeRegister(int64_t mt, int64_t nt, int64_t h,
                                int64_t valueTiles) {
  return 4 * (mt * valueTiles + nt) + 2 * h;
}

/// O staged in shared memory by stmatrix.m8n8.x4 (TMA stores): one
/// instruction per warp stores the 16 x 16 block of m-tile `mt` and
/// n-tiles 2j, 2j + 1 as four 8 x 8 matrices, in register order (rows 0-7,
/// columns 0-7), (rows 8-15, columns 0-7), (rows 0-7, columns 8-15), (rows
/// 8-15, columns 8-15); lane l gives the address of row l % 8 of matrix
/// l / 8. Its row, from the warp's first row `warpRow`, and its 16-byte
/// chunk (8 columns) within the row:
template <typename I> I stmatrixRow(I lane, I warpRow, int64_t mt) {
  return warpRow + 16 * mt + ((lane >> 3) & 1) * 8 + (lane & 7);
}
template <typename I> I stmatrixChunk(I lane, int64_t j) {
  return (lane >> 4) + 2 * j;
}
/// The accumulator register whose pair (and the next) is matrix `i` of
/// that stmatrix.
constexpr int64_t stmatrixRegister(int64_t mt, int64_t j, int64_t i,
                                   int64_t valueTiles) {
  return storeRegister(mt, 2 * j + i / 2, i % 2, valueTiles);
}

} // namespace mmasync
} // namespace sigattn

#endif // SIGATTN_CONVERSION_SIGATTNTILESTONVVM_MMASYNCLAYOUT_H
