//===- WgmmaLayoutTest.cpp - the wgmma lowering's shared-memory layout ----===//
//
// Evaluates the helpers of WgmmaLayout.h with plain integers against an
// independent model of how wgmma reads a 128-byte-swizzled operand from its
// descriptor (the PTX ISA's canonical layouts, in CuTe notation with T = 8
// 2-byte elements per 16 bytes):
//   K-major:  ((8, m), (T, 2k)) : ((8T, SBO), (1, T))
//   MN-major: ((T, 8, m), (8, k)) : ((1, T, LBO), (8T, SBO))
// then Swizzle<3,4,3> on the byte address (bits 4-6 ^= bits 7-9). For every
// tile configuration the lowering accepts, the copies must put each element
// of Q, K and V where those reads find it: for each warpgroup and k-step,
// element (m, k) of A is Q[64 wg + m][16 ks + k], element (n, k) of S's B is
// K[n][16 ks + k], and element (n, k) of P.V's B is V[16 kk + k][n].
// Prints "ok NAME: ..." or "UNEXPECTED NAME: ..." per group; exits non-zero
// if any failed.
//
//===----------------------------------------------------------------------===//

#include "sigattn/Conversion/SigAttnTilesToNVVM/WgmmaLayout.h"
#include "CheckGroup.h"
#include "sigattn/Conversion/SigAttnTilesToNVVM/MmaSyncLayout.h"

#include <cstdio>
#include <map>
#include <string>
#include <utility>

namespace wg = sigattn::wgmma;
namespace layout = sigattn::mmasync;
using Cell = std::pair<int64_t, int64_t>; // (row, column) of a tile

namespace {

using sigattn::testing::at;
using sigattn::testing::failures;
using sigattn::testing::Group;

//===----------------------------------------------------------------------===//
// Independent model of wgmma's descriptor reads
//===----------------------------------------------------------------------===//

/// The fields of a descriptor, decoded as the PTX ISA defines them.
struct Descriptor {
  int64_t start, leading, stride, swizzle;
};
Descriptor decode(uint64_t d) {
  return {static_cast<int64_t>(d & 0x3FFF) << 4,
          static_cast<int64_t>((d >> 16) & 0x3FFF) << 4,
          static_cast<int64_t>((d >> 32) & 0x3FFF) << 4,
          static_cast<int64_t>(d >> 62)};
}
/// Swizzle<3,4,3> on a shared byte address.
int64_t swizzle128(int64_t address) {
  return address ^ (((address >> 7) & 7) << 4);
}
/// Byte address of element (mn, k) of a K-major operand (k < 16).
int64_t kMajorAddress(const Descriptor &d, int64_t mn, int64_t k) {
  return swizzle128(d.start + (mn % 8) * 128 + (mn / 8) * d.stride + 2 * k);
}
/// Byte address of element (mn, k) of an MN-major operand (k < 16).
int64_t mnMajorAddress(const Descriptor &d, int64_t mn, int64_t k) {
  return swizzle128(d.start + 2 * (mn % 64) + (mn / 64) * d.leading +
                    (k % 8) * 128 + (k / 8) * d.stride);
}

//===----------------------------------------------------------------------===//
// The lowering's copies
//===----------------------------------------------------------------------===//

/// Every element of a rows x cols tile copied at byte `base` by `threads`
/// threads, 16 bytes at a time, through the lowering's copy loop with
/// wg::tileOffset: byte address -> (row, column). Checks each chunk lands
/// once, inside the tile.
std::map<int64_t, Cell> copiedTile(Group &g, int64_t rows, int64_t cols,
                                   int64_t threads, int64_t base) {
  std::map<int64_t, Cell> bytes;
  for (int64_t tid = 0; tid < threads; ++tid) {
    for (int64_t i = 0; i < rows * cols / 8 / threads; ++i) {
      layout::Chunk<int64_t> c =
          layout::chunkOf<int64_t>(tid, i, threads, cols);
      int64_t offset = wg::tileOffset<int64_t>(base, c.row, c.chunk, rows);
      g.expect(offset >= base && offset + 16 <= base + rows * cols * 2 &&
                   offset % 16 == 0,
               at("copy tid %lld #%lld writes outside its tile", tid, i));
      for (int64_t e = 0; e < 8; ++e) {
        bool fresh =
            bytes.emplace(offset + 2 * e, Cell{c.row, 8 * c.chunk + e}).second;
        g.expect(fresh, at("copy tid %lld #%lld overwrites a slot", tid, i));
      }
    }
  }
  g.expect(static_cast<int64_t>(bytes.size()) == rows * cols,
           "the copies miss elements of the tile");
  return bytes;
}

Cell readAt(Group &g, const std::map<int64_t, Cell> &bytes, int64_t address) {
  auto it = bytes.find(address);
  if (it == bytes.end()) {
    g.expect(false,
             at("wgmma reads address %lld, nothing copied there", address));
    return {-1, -1};
  }
  return it->second;
}

struct Config {
  int64_t warps, blockQ, blockK, headDim, valueDim;
};

void checkOperands(const Config &c) {
  Group g(at("wgmma operands (%lld warps, %lldx%lldx%lld)", c.warps, c.blockQ,
             c.blockK, c.headDim) +
          at(" Dv=%lld", c.valueDim));
  int64_t threads = 32 * c.warps;
  // Shared memory as the lowering lays it out: Q, two K stages, two V stages
  // (stage 1 here), all at offsets from a 1024-byte aligned base.
  int64_t offQ = 0;
  int64_t offK = c.blockQ * c.headDim * 2 + c.blockK * c.headDim * 2;
  int64_t offV = offQ + c.blockQ * c.headDim * 2 +
                 2 * c.blockK * c.headDim * 2 + c.blockK * c.valueDim * 2;
  const int64_t base = 4096; // a shared address with the alignment of ours
  auto q = copiedTile(g, c.blockQ, c.headDim, threads, base + offQ);
  auto k = copiedTile(g, c.blockK, c.headDim, threads, base + offK);
  auto v = copiedTile(g, c.blockK, c.valueDim, threads, base + offV);
  g.expect(offK % 1024 == 0 && offV % 1024 == 0,
           "a tile does not start on a 1024-byte boundary");

  auto startOf = [&](int64_t address, uint64_t fields) {
    return static_cast<uint64_t>(wg::descriptorAddress<int64_t>(address)) |
           fields;
  };
  // S = Q.K^T: A = Q rows of warpgroup wg, B = K; both K-major.
  for (int64_t w = 0; w < c.warps; w += wg::kWarpsPerGroup) {
    int64_t row0 = wg::warpgroupRow<int64_t>(w);
    g.expect(row0 == 64 * (w / 4), at("warp %lld: wrong warpgroup row", w));
    for (int64_t ks = 0; ks < c.headDim / 16; ++ks) {
      Descriptor a = decode(
          startOf(wg::kMajorStart<int64_t>(base + offQ, row0, ks, c.blockQ),
                  wg::kMajorFields()));
      Descriptor bk =
          decode(startOf(wg::kMajorStart<int64_t>(base + offK, 0, ks, c.blockK),
                         wg::kMajorFields()));
      g.expect(a.swizzle == 1 && bk.swizzle == 1, "not 128-byte swizzled");
      for (int64_t m = 0; m < 64; ++m)
        for (int64_t kk = 0; kk < 16; ++kk) {
          Cell got = readAt(g, q, kMajorAddress(a, m, kk));
          g.expect(got == Cell{row0 + m, 16 * ks + kk},
                   at("Q: warpgroup row %lld k-step %lld element (%lld, %lld)",
                      row0, ks, m, kk));
        }
      for (int64_t n = 0; n < c.blockK; ++n)
        for (int64_t kk = 0; kk < 16; ++kk) {
          Cell got = readAt(g, k, kMajorAddress(bk, n, kk));
          g.expect(got == Cell{n, 16 * ks + kk},
                   at("K: k-step %lld element (%lld, %lld)", ks, n, kk));
        }
    }
  }
  // O += P.V: B = V, MN-major (transposed): element (n, k) is V[k][n].
  for (int64_t kk = 0; kk < c.blockK / 16; ++kk) {
    Descriptor bv = decode(startOf(wg::mnMajorStart<int64_t>(base + offV, kk),
                                   wg::mnMajorFields(c.blockK)));
    for (int64_t n = 0; n < c.valueDim; ++n)
      for (int64_t k = 0; k < 16; ++k) {
        Cell got = readAt(g, v, mnMajorAddress(bv, n, k));
        g.expect(got == Cell{16 * kk + k, n},
                 at("V: k-step %lld element (%lld, %lld)", kk, n, k));
      }
  }
}

/// The accumulator registers of wgmma m64nN (PTX ISA: row 16 (warp % 4) +
/// lane / 4 + 8 (i % 4 / 2), column 8 (i / 4) + 2 (lane % 4) + i % 2) are
/// where the shared score and store code (MmaSyncLayout.h with 16 rows per
/// warp, one m-tile) believes them to be.
void checkAccumulators() {
  Group g("wgmma accumulators in the m16n8 layout (16 rows per warp)");
  for (int64_t warp = 0; warp < 16; ++warp)
    for (int64_t lane = 0; lane < 32; ++lane) {
      layout::Lane<int64_t> l = layout::laneOf<int64_t>(32 * warp + lane);
      int64_t rowBase = layout::rowBase(l, 16);
      for (int64_t i = 0; i < 128; ++i) {
        int64_t row =
            64 * (warp / 4) + 16 * (warp % 4) + lane / 4 + 8 * (i % 4 / 2);
        int64_t col = 8 * (i / 4) + 2 * (lane % 4) + i % 2;
        layout::Offset o = layout::accElement(0, i / 4, i % 4);
        g.expect(rowBase + o.row == row && l.pairCol + o.col == col,
                 at("warp %lld lane %lld register %lld", warp, lane, i));
      }
    }
  // wgmma's A from registers (m64k16, 16-bit): register r of lane L holds
  // (row 16 (warp % 4) + L / 4 + 8 (r % 2), k 2 (L % 4) + 8 (r / 2) + h);
  // P's source is the S accumulator at that (row, key) of k-step kk.
  for (int64_t kk = 0; kk < 8; ++kk)
    for (int64_t r = 0; r < 4; ++r)
      for (int64_t lane = 0; lane < 32; ++lane) {
        layout::PSource src = layout::pOperandSource(kk, r);
        for (int64_t h = 0; h < 2; ++h) {
          int64_t e = src.first + h;
          int64_t sRow = lane / 4 + 8 * (e / 2);
          int64_t sKey = 8 * src.nTile + 2 * (lane % 4) + e % 2;
          g.expect(sRow == lane / 4 + 8 * (r % 2) &&
                       sKey == 16 * kk + 2 * (lane % 4) + 8 * (r / 2) + h,
                   at("P k-step %lld register %lld lane %lld half %lld", kk, r,
                      lane, h));
        }
      }
}

/// The lowering computes one descriptor per operand and adds
/// descriptorStep(k-step offset) for each k-step: that must equal the
/// descriptor of the moved start for every shared address a block can have
/// (the 227 KB of dynamic shared memory plus the reserved 1 KB).
void checkDescriptorSteps() {
  Group g("descriptor steps add like addresses");
  constexpr int64_t kSharedTop = 228 * 1024;
  for (int64_t rows : {16, 48, 64, 96, 128, 192, 256})
    for (int64_t ks = 0; ks < 16; ++ks)
      for (int64_t step :
           {wg::kMajorStepBytes(ks, rows), wg::mnMajorStepBytes(ks)})
        for (int64_t base = 0; base + step < kSharedTop; base += 1024) {
          int64_t moved = wg::descriptorAddress<int64_t>(base + step);
          int64_t added =
              wg::descriptorAddress<int64_t>(base) + wg::descriptorStep(step);
          g.expect(moved == added && added < (1 << 14),
                   at("rows %lld k-step %lld base %lld step %lld", rows, ks,
                      base, step));
        }
}

/// TMA stores (stores=tma): each warp's stmatrix.x4 puts O's elements,
/// from the registers of the m16n8 accumulator layout, where the TMA store
/// of its warpgroup's box reads them. Model of stmatrix (PTX ISA): register
/// i of lane L holds row L / 4, columns 2 (L % 4) and + 1 of matrix i, whose
/// row r goes to the address lane 8 i + r gives. Model of the TMA store: box
/// (warpgroup g, column block c) of 64 rows x 64 columns starts where the
/// kernel points it, 1024-byte aligned, and element (r, col) of the box is
/// at Swizzle<3,4,3>(start + 128 r + 2 col). O is staged in Q's tile
/// (Dv <= D) and must stay inside it.
void checkStagedStores(const Config &c) {
  Group g(at("stmatrix staging for TMA stores (%lld warps, block-q %lld, D "
             "%lld, Dv %lld)",
             c.warps, c.blockQ, c.headDim, c.valueDim));
  const int64_t base = 0, valueTiles = c.valueDim / 8;
  std::map<int64_t, Cell> written; // byte address -> (row, column)
  for (int64_t warp = 0; warp < c.warps; ++warp)
    for (int64_t lane = 0; lane < 32; ++lane)
      for (int64_t j = 0; j < c.valueDim / 16; ++j)
        for (int64_t i = 0; i < 4; ++i) {
          int64_t reg = layout::stmatrixRegister(0, j, i, valueTiles);
          // The element pair the register holds (wgmma's accumulators).
          int64_t row =
              64 * (warp / 4) + 16 * (warp % 4) + lane / 4 + 8 * (reg % 4 / 2);
          int64_t col = 8 * (reg / 4) + 2 * (lane % 4);
          g.expect(reg % 2 == 0,
                   at("register %lld is not a pair's first", reg));
          // Where stmatrix puts it: the address of the row's lane.
          int64_t addressLane = 8 * i + lane / 4;
          int64_t at0 =
              wg::tileOffset<int64_t>(
                  base, layout::stmatrixRow<int64_t>(addressLane, 16 * warp, 0),
                  layout::stmatrixChunk<int64_t>(addressLane, j), c.blockQ) +
              4 * (lane % 4);
          // Where the TMA store of its box reads it.
          int64_t boxStart = wg::tileOffset<int64_t>(base, 64 * (row / 64),
                                                     8 * (col / 64), c.blockQ);
          int64_t want =
              swizzle128(boxStart + 128 * (row % 64) + 2 * (col % 64));
          g.expect(boxStart % 1024 == 0,
                   at("box of row %lld col %lld starts at %lld", row, col,
                      boxStart));
          g.expect(at0 == want,
                   at("warp %lld lane %lld stmatrix %lld/%lld puts (%lld, "
                      "%lld) at %lld, the TMA store reads %lld",
                      warp, lane, j, i, row, col, at0, want));
          g.expect(at0 >= base && at0 + 4 <= base + c.blockQ * c.headDim * 2,
                   at("(%lld, %lld) staged outside Q's tile", row, col));
          g.expect(written.insert({at0, {row, col}}).second,
                   at("address %lld written twice", at0));
        }
  g.expect(static_cast<int64_t>(written.size()) == c.blockQ * c.valueDim / 2,
           at("%lld pairs staged", static_cast<long long>(written.size())));
}

} // namespace

int main() {
  // Configurations the wgmma lowering accepts (16 rows per warp, 1 to 4
  // warpgroups, D and Dv in {64, 128, 256}).
  const Config configs[] = {{4, 64, 64, 64, 64},     {8, 128, 64, 128, 128},
                            {4, 64, 16, 256, 256},   {16, 256, 64, 128, 128},
                            {4, 64, 128, 64, 128},   {12, 192, 96, 128, 64},
                            {8, 128, 128, 128, 128}, {4, 64, 256, 64, 64}};
  for (const Config &c : configs) {
    checkOperands(c);
    if (c.valueDim <= c.headDim)
      checkStagedStores(c);
  }
  checkAccumulators();
  checkDescriptorSteps();
  std::printf("%d groups failed\n", failures);
  return failures == 0 ? 0 : 1;
}
