//===- MmaSyncLayoutTest.cpp - the mma.sync lowering's lane arithmetic ----===//
//
// Evaluates the helpers of MmaSyncLayout.h, which the mma.sync lowering
// instantiates to build its per-lane index arithmetic, with plain integers,
// for every lane, fragment and tile of several configurations, against
// facts stated here independently:
//   - the PTX ISA's m16n8k16 fragment layouts and ldmatrix semantics;
//   - the op's definition (visibility window, ALiBi distance, sigmoid);
//   - what each copy, load and store must touch (every element once).
// Each check group prints "ok NAME: ..." or "UNEXPECTED NAME: ..."; the
// program exits non-zero if any failed.
//
//===----------------------------------------------------------------------===//

#include "sigattn/Conversion/SigAttnTilesToNVVM/MmaSyncLayout.h"
#include "CheckGroup.h"
#include "sigattn/Conversion/SigAttnTilesToNVVM/ScoreMath.h"
#include "sigattn/Runtime/KernelABI.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace layout = sigattn::mmasync;
namespace score = sigattn::score;
using Cell = std::pair<int64_t, int64_t>; // (row, column) of a tile

namespace {

using sigattn::testing::at;
using sigattn::testing::failures;
using sigattn::testing::Group;

//===----------------------------------------------------------------------===//
// Independent facts: PTX fragment layouts (m16n8k16, 16-bit operands)
//===----------------------------------------------------------------------===//

/// Accumulator element e of lane L: (row, col) in the 16x8 C tile.
Cell cElement(int64_t lane, int64_t e) {
  return {lane / 4 + 8 * (e / 2), 2 * (lane % 4) + e % 2};
}
/// A register r (two halves h) of lane L: (row, k) in the 16x16 A tile.
Cell aElement(int64_t lane, int64_t r, int64_t h) {
  return {lane / 4 + 8 * (r % 2), 2 * (lane % 4) + h + 8 * (r / 2)};
}
/// B register r (two halves h) of lane L: (k, col) in the 16x8 B tile.
Cell bElement(int64_t lane, int64_t r, int64_t h) {
  return {2 * (lane % 4) + h + 8 * r, lane / 4};
}

/// A shared-memory tile filled by the copy helpers: byte offset of each
/// chunk -> (row, chunk). Checks that every chunk lands exactly once in a
/// distinct 16-byte slot inside the tile.
std::map<int64_t, Cell> copiedTile(Group &g, int64_t rows, int64_t cols,
                                   int64_t threads, int64_t base) {
  std::map<int64_t, Cell> slots;
  std::set<Cell> seen;
  int64_t chunksPerRow = cols / 8;
  for (int64_t tid = 0; tid < threads; ++tid) {
    for (int64_t i = 0; i < rows * chunksPerRow / threads; ++i) {
      layout::ChunkCopy<int64_t> c =
          layout::copyChunk<int64_t>(tid, i, threads, cols, base);
      Cell cell{c.row, c.chunk};
      int64_t rel = c.sharedOffset - base;
      g.expect(rel >= 0 && rel + 16 <= rows * cols * 2 && rel % 16 == 0,
               at("copy tid %lld #%lld writes outside its tile", tid, i));
      g.expect(slots.emplace(c.sharedOffset, cell).second,
               at("copy tid %lld #%lld overwrites a slot", tid, i));
      g.expect(
          seen.insert(cell).second && cell.first >= 0 && cell.first < rows &&
              cell.second >= 0 && cell.second < chunksPerRow,
          at("copy tid %lld #%lld copies a chunk twice or outside", tid, i));
      // The same row, read back from the slot, is in one 128-byte row.
      g.expect(rel / (cols * 2) == c.row,
               at("copy tid %lld #%lld leaves its row", tid, i));
    }
  }
  g.expect(static_cast<int64_t>(seen.size()) == rows * chunksPerRow,
           "the copies miss chunks of the tile");
  return slots;
}

/// The tile element that ldmatrix gives lane `lane` in half `h` of the
/// register of matrix `m`, when lane l addresses `rowAddress(l)`:
/// without .trans, lane L holds (row L / 4, cols 2 (L % 4) + h) of the
/// 8x8 matrix; with .trans, (row 2 (L % 4) + h, col L / 4).
template <typename RowAddress>
Cell ldmatrixElement(Group &g, const std::map<int64_t, Cell> &slots,
                     RowAddress rowAddress, int64_t lane, int64_t m, int64_t h,
                     bool transpose) {
  int64_t matrixRow = transpose ? 2 * (lane % 4) + h : lane / 4;
  int64_t matrixCol = transpose ? lane / 4 : 2 * (lane % 4) + h;
  int64_t addressLane = 8 * m + matrixRow;
  int64_t offset = rowAddress(addressLane);
  auto it = slots.find(offset);
  if (it == slots.end()) {
    g.expect(false, at("lane %lld addresses %lld, no chunk there", addressLane,
                       offset));
    return {-1, -1};
  }
  return {it->second.first, 8 * it->second.second + matrixCol};
}

//===----------------------------------------------------------------------===//
// Checks
//===----------------------------------------------------------------------===//

struct Config {
  int64_t warps, blockQ, blockK, headDim, valueDim;
};

/// Q, K and V go into shared memory and come back as the mma operands the
/// PTX layout asks for.
void checkOperands(const Config &c) {
  int64_t threads = 32 * c.warps, rowsPerWarp = c.blockQ / c.warps;
  std::string tag = at("Q/K/V operands (%lld warps, %lldx%lldx%lld)", c.warps,
                       c.blockQ, c.blockK, c.headDim) +
                    at(" Dv=%lld", c.valueDim);
  Group g(tag);
  const int64_t qBase = 0, kBase = 4096, vBase = 1 << 16;
  auto q = copiedTile(g, c.blockQ, c.headDim, threads, qBase);
  auto k = copiedTile(g, c.blockK, c.headDim, threads, kBase);
  auto v = copiedTile(g, c.blockK, c.valueDim, threads, vBase);

  for (int64_t warp = 0; warp < c.warps; ++warp) {
    for (int64_t mt = 0; mt < rowsPerWarp / 16; ++mt) {
      for (int64_t ks = 0; ks < c.headDim / 16; ++ks) {
        // A = Q rows [warp rows + 16 mt, +16), k = d in [16 ks, +16).
        int64_t rowStart = warp * rowsPerWarp + 16 * mt;
        auto address = [&](int64_t l) {
          return layout::qFragmentOffset<int64_t>(qBase, l, rowStart, ks,
                                                  c.headDim);
        };
        for (int64_t lane = 0; lane < 32; ++lane)
          for (int64_t r = 0; r < 4; ++r)
            for (int64_t h = 0; h < 2; ++h) {
              Cell got = ldmatrixElement(g, q, address, lane, r, h, false);
              Cell want = aElement(lane, r, h);
              g.expect(
                  got == Cell{rowStart + want.first, 16 * ks + want.second},
                  at("Q lane %lld reg %lld mt %lld ks %lld", lane, r, mt, ks));
            }
      }
    }
  }
  for (int64_t ks = 0; ks < c.headDim / 16; ++ks) {
    for (int64_t np = 0; np < c.blockK / 16; ++np) {
      // B of n-tiles 2 np, 2 np + 1: B[k = d][n = key] = K[key][d].
      auto address = [&](int64_t l) {
        return layout::kFragmentOffset<int64_t>(kBase, l, np, ks, c.headDim);
      };
      for (int64_t lane = 0; lane < 32; ++lane)
        for (int64_t m = 0; m < 4; ++m)
          for (int64_t h = 0; h < 2; ++h) {
            Cell got = ldmatrixElement(g, k, address, lane, m, h, false);
            int64_t nTile = 2 * np + m / 2, reg = m % 2;
            Cell want = bElement(lane, reg, h);
            g.expect(
                got == Cell{8 * nTile + want.second, 16 * ks + want.first},
                at("K lane %lld matrix %lld np %lld ks %lld", lane, m, np, ks));
          }
    }
  }
  for (int64_t kk = 0; kk < c.blockK / 16; ++kk) {
    for (int64_t p = 0; p < c.valueDim / 16; ++p) {
      // B of value n-tiles 2 p, 2 p + 1: B[k = key][n = e] = V[key][e].
      auto address = [&](int64_t l) {
        return layout::vFragmentOffset<int64_t>(vBase, l, kk, p, c.valueDim);
      };
      for (int64_t lane = 0; lane < 32; ++lane)
        for (int64_t m = 0; m < 4; ++m)
          for (int64_t h = 0; h < 2; ++h) {
            Cell got = ldmatrixElement(g, v, address, lane, m, h, true);
            int64_t nTile = 2 * p + m / 2, reg = m % 2;
            Cell want = bElement(lane, reg, h);
            g.expect(
                got == Cell{16 * kk + want.first, 8 * nTile + want.second},
                at("V lane %lld matrix %lld kk %lld p %lld", lane, m, kk, p));
          }
    }
  }
}

/// Accumulator positions, P as the A operand, and the per-thread query row.
void checkAccumulators(const Config &c) {
  Group g(at("accumulators and P operand (%lld warps, block-q %lld)", c.warps,
             c.blockQ));
  int64_t rowsPerWarp = c.blockQ / c.warps;
  for (int64_t tid = 0; tid < 32 * c.warps; ++tid) {
    layout::Lane<int64_t> l = layout::laneOf<int64_t>(tid);
    int64_t base = layout::rowBase(l, rowsPerWarp);
    for (int64_t mt = 0; mt < rowsPerWarp / 16; ++mt)
      for (int64_t nt = 0; nt < c.blockK / 8; ++nt)
        for (int64_t e = 0; e < 4; ++e) {
          layout::Offset o = layout::accElement(mt, nt, e);
          Cell want = cElement(tid % 32, e);
          g.expect(base + o.row ==
                           l.warp * rowsPerWarp + 16 * mt + want.first &&
                       l.pairCol + o.col == 8 * nt + want.second,
                   at("tid %lld mt %lld nt %lld e %lld", tid, mt, nt, e));
        }
  }
  // A register r of k-step kk holds S at (row, key 16 kk + k).
  for (int64_t lane = 0; lane < 32; ++lane)
    for (int64_t kk = 0; kk < c.blockK / 16; ++kk)
      for (int64_t r = 0; r < 4; ++r)
        for (int64_t h = 0; h < 2; ++h) {
          layout::PSource src = layout::pOperandSource(kk, r);
          Cell s = cElement(lane, src.first + h);
          Cell a = aElement(lane, r, h);
          g.expect(
              s.first == a.first &&
                  8 * src.nTile + s.second == 16 * kk + a.second,
              at("P lane %lld kk %lld reg %lld half %lld", lane, kk, r, h));
        }
}

/// The element mask and the ALiBi distance, against the op's definition.
void checkMask(const Config &c, int64_t seqQ, int64_t seqK, int64_t left,
               int64_t right) {
  Group g(
      at("mask Nq=%lld Nk=%lld window=[%lld, %lld]", seqQ, seqK, left, right) +
      at(" (block %lldx%lld)", c.blockQ, c.blockK));
  int64_t rowsPerWarp = c.blockQ / c.warps;
  int64_t off = seqK - seqQ;
  for (int64_t q0 = 0; q0 < seqQ; q0 += c.blockQ) {
    for (int64_t k0 = 0; k0 < seqK; k0 += c.blockK) {
      for (int64_t tid = 0; tid < 32 * c.warps; ++tid) {
        layout::Lane<int64_t> l = layout::laneOf<int64_t>(tid);
        int64_t base = layout::rowBase(l, rowsPerWarp);
        int64_t diag =
            layout::diagonalBase<int64_t>(q0, base, seqK, seqQ, l.pairCol);
        int64_t dTile = layout::tileDiagonal<int64_t>(diag, k0);
        int64_t limit = layout::columnLimit<int64_t>(seqK, k0, l.pairCol);
        for (int64_t mt = 0; mt < rowsPerWarp / 16; ++mt)
          for (int64_t nt = 0; nt < c.blockK / 8; ++nt)
            for (int64_t e = 0; e < 4; ++e) {
              layout::Offset o = layout::accElement(mt, nt, e);
              Cell cell = cElement(tid % 32, e);
              int64_t i = q0 + l.warp * rowsPerWarp + 16 * mt + cell.first;
              int64_t j = k0 + 8 * nt + cell.second;
              bool want = j < seqK &&
                          (left == score::kUnbounded || j >= i + off - left) &&
                          (right == score::kUnbounded || j <= i + off + right);
              int64_t d = layout::elementDiagonal(dTile, o);
              bool got = score::isVisible(d, limit, o.col, left, right);
              g.expect(got == want,
                       at("visible(i=%lld, j=%lld) is %lld", i, j, got));
              g.expect(score::alibiDistance(d) == std::llabs(i + off - j),
                       at("ALiBi distance of (i=%lld, j=%lld) is %lld", i, j,
                          score::alibiDistance(d)));
            }
      }
    }
  }
}

/// Copies of a tile of `rows` rows from row0 read, for each of its rows,
/// row min(row0 + row, N - 1) and zero-fill rows at or past N.
void checkSourceRows() {
  Group g("copy source rows and zero fill");
  for (int64_t seq : {1, 2, 17, 128, 300})
    for (int64_t rows : {16, 64, 128})
      for (int64_t row0 = 0; row0 < seq; row0 += rows) {
        int64_t valid = layout::validRows<int64_t>(row0, seq, rows);
        for (int64_t row = 0; row < rows; ++row) {
          int64_t src = row0 + layout::clampedSourceRow<int64_t>(row, valid);
          int64_t bytes = layout::sourceBytes<int64_t>(row, valid);
          int64_t want = std::min(row0 + row, seq - 1);
          g.expect(src == want, at("row %lld of the tile at %lld of %lld "
                                   "reads row %lld",
                                   row, row0, seq, src));
          g.expect(bytes == (row0 + row < seq ? 16 : 0),
                   at("row %lld of the tile at %lld of %lld copies %lld "
                      "bytes",
                      row, row0, seq, bytes));
        }
      }
}

/// Copies and stores address strided tensors as the ABI lays them out:
/// element (b, n, h, c) of a [B, N, H, dim] tensor with strides (sb, sn,
/// sh) in elements is at b sb + n sn + h sh + c. Each layout fills a flat
/// memory with the id of the element each address holds; every 16-byte
/// chunk a copy reads (from the tile's first row, in bytes, as the
/// lowering computes it) must hold the elements the tile's row and chunk
/// name, and every stored element (b, row, h, col) must land on its own.
void checkStridedAddresses() {
  constexpr int64_t B = 2, N = 37, H = 3, dim = 16;
  struct Layout {
    const char *name;
    int64_t sb, sn, sh;
  } layouts[] = {
      {"contiguous", N * H * dim, H * dim, dim},
      {"[B, H, N, D] transposed", H * N * dim, dim, N * dim},
      {"packed in [B, N, 3, H, D]", N * 3 * H * dim, 3 * H * dim, dim},
      {"rows padded to 24", N * H * 24, H * 24, 24},
  };
  auto id = [](int64_t b, int64_t n, int64_t h, int64_t c) {
    return ((b * N + n) * H + h) * dim + c + 1;
  };
  for (const Layout &l : layouts) {
    Group g(std::string("strided copy and store addresses, ") + l.name);
    int64_t size = (B - 1) * l.sb + (N - 1) * l.sn + (H - 1) * l.sh + dim;
    std::vector<int64_t> memory(size, 0);
    for (int64_t b = 0; b < B; ++b)
      for (int64_t n = 0; n < N; ++n)
        for (int64_t h = 0; h < H; ++h)
          for (int64_t c = 0; c < dim; ++c)
            memory[b * l.sb + n * l.sn + h * l.sh + c] = id(b, n, h, c);
    const int64_t rows = 16, threads = 32, rowBytes = 2 * l.sn;
    for (int64_t b = 0; b < B; ++b)
      for (int64_t h = 0; h < H; ++h)
        for (int64_t row0 = 0; row0 < N; row0 += rows) {
          int64_t start = layout::headStart<int64_t>(b, h, l.sb, l.sh);
          int64_t tile = layout::elementOf<int64_t>(start, row0, 0, l.sn);
          int64_t valid = layout::validRows<int64_t>(row0, N, rows);
          for (int64_t tid = 0; tid < threads; ++tid)
            for (int64_t i = 0; i < rows * dim / 8 / threads; ++i) {
              layout::Chunk<int64_t> c =
                  layout::chunkOf<int64_t>(tid, i, threads, dim);
              int64_t src = layout::clampedSourceRow<int64_t>(c.row, valid);
              int64_t byte =
                  layout::elementOf<int64_t>(0, src, c.chunk << 4, rowBytes);
              int64_t n = std::min(row0 + c.row, N - 1);
              for (int64_t e = 0; e < 8; ++e) {
                int64_t got = memory[tile + byte / 2 + e];
                g.expect(got == id(b, n, h, 8 * c.chunk + e),
                         at("b %lld h %lld tile %lld row %lld chunk %lld "
                            "element %lld reads id %lld",
                            b, h, row0, c.row, c.chunk, e, got));
              }
            }
          for (int64_t n = row0; n < std::min(row0 + rows, N); ++n)
            for (int64_t col = 0; col < dim; col += 2) {
              int64_t at_ = layout::elementOf<int64_t>(start, n, col, l.sn);
              g.expect(memory[at_] == id(b, n, h, col),
                       at("store of (%lld, %lld, %lld, %lld) lands on id %lld",
                          b, n, h, col, memory[at_]));
            }
        }
  }
  Group g("copy offsets within 32 bits");
  // The 32-bit product: the farthest chunk of the largest tile (1024 rows)
  // at the largest row stride the ABI allows stays below 2^32 bytes.
  int64_t widest = layout::elementOf<int64_t>(
      0, 1023, (256 / 8 - 1) << 4,
      2 * (sigattn::abi::kMaxRowStride - sigattn::abi::kStrideAlignment));
  g.expect(widest + 16 <= (int64_t(1) << 32),
           at("the farthest chunk is at byte %lld", widest));
}

/// Every valid output element is stored once, from the register that holds
/// it, and no row at or past Nq is stored.
void checkStores(const Config &c, int64_t seqQ) {
  Group g(
      at("stores Nq=%lld (block-q %lld, Dv %lld)", seqQ, c.blockQ, c.valueDim));
  int64_t rowsPerWarp = c.blockQ / c.warps, valueTiles = c.valueDim / 8;
  for (int64_t q0 = 0; q0 < seqQ; q0 += c.blockQ) {
    std::set<Cell> stored;
    for (int64_t tid = 0; tid < 32 * c.warps; ++tid) {
      layout::Lane<int64_t> l = layout::laneOf<int64_t>(tid);
      int64_t first = q0 + layout::rowBase(l, rowsPerWarp);
      for (int64_t mt = 0; mt < rowsPerWarp / 16; ++mt)
        for (int64_t h = 0; h < 2; ++h) {
          int64_t row = layout::storeRow(first, mt, h);
          if (!layout::storeGuard<int64_t>(row, seqQ))
            continue;
          for (int64_t nt = 0; nt < valueTiles; ++nt) {
            int64_t reg = layout::storeRegister(mt, nt, h, valueTiles);
            // The register's accumulator element, by the C layout.
            int64_t tile = reg / 4, e = reg % 4;
            Cell cell = cElement(tid % 32, e);
            int64_t wantRow = q0 + l.warp * rowsPerWarp +
                              16 * (tile / valueTiles) + cell.first;
            int64_t wantCol = 8 * (tile % valueTiles) + cell.second;
            int64_t col = l.pairCol + 8 * nt;
            g.expect(row == wantRow && col == wantCol && e % 2 == 0,
                     at("tid %lld stores row %lld col %lld from reg %lld", tid,
                        row, col, reg));
            g.expect(row < seqQ && stored.insert({row, col}).second,
                     at("row %lld col %lld stored twice or past Nq", row, col));
          }
        }
    }
    int64_t rows = std::min(c.blockQ, seqQ - q0);
    g.expect(static_cast<int64_t>(stored.size()) == rows * c.valueDim / 2,
             at("tile at %lld stores %lld pairs", q0,
                static_cast<long long>(stored.size())));
  }
}

/// Calls `check(scale, bias, slope, dist, s)` over a grid of the op's
/// constants, ALiBi distances and scores s from -limit to limit.
template <typename Check>
void forEachScore(float limit, float step, Check check) {
  for (float scale : {0.125f, 0.0883883f, 1.0f, -0.5f})
    for (float bias : {0.0f, -8.3f, 2.0f})
      for (float slope : {0.0f, 0.0625f, 0.5f})
        for (float dist : {0.0f, 1.0f, 7.0f, 100.0f})
          for (float s = -limit; s <= limit; s += step)
            check(scale, bias, slope, dist, s);
}

/// 0.5 tanh(0.5 x) + 0.5 with the folded constants is sigmoid(x).
void checkSigmoid() {
  Group g("sigmoid from tanh with scale, bias and ALiBi");
  forEachScore(
      40.0f, 0.37f,
      [&](float scale, float bias, float slope, float dist, float s) {
        score::SigmoidConstants k = score::foldSigmoid(scale, bias);
        float arg =
            score::withAlibi(score::tanhArgument(s, k.halfScale, k.halfBias),
                             score::halfSlope(slope), dist);
        float p = score::sigmoidFromTanh(std::tanh(arg));
        double x = double(scale) * s + bias - double(slope) * dist;
        double want = 1.0 / (1.0 + std::exp(-x));
        g.expect(std::fabs(p - want) <= 1e-6,
                 at("sigmoid at s*1000=%lld is off by 1e-9 * %lld",
                    static_cast<long long>(s * 1000),
                    static_cast<long long>(std::fabs(p - want) * 1e9)));
      });
}

/// dS = dP * P * (1 - P) from P and dP is dP times sigmoid's derivative at
/// x (central differences in double), and 0 where a mask zeroed P.
void checkScoreGradient() {
  Group g("score gradient dP * P * (1 - P)");
  for (double x = -30; x <= 30; x += 0.37) {
    for (float dp : {-3.5f, -0.25f, 0.0f, 1.0f, 17.0f}) {
      float p = static_cast<float>(1.0 / (1.0 + std::exp(-x)));
      double h = 1e-5;
      double slope = (1.0 / (1.0 + std::exp(-(x + h))) -
                      1.0 / (1.0 + std::exp(-(x - h)))) /
                     (2 * h);
      double want = dp * slope;
      float got = score::scoreGradient(p, dp);
      g.expect(std::fabs(got - want) <= 1e-6 * (1 + std::fabs(want)),
               at("dS at x*100=%lld, dP*4=%lld is off by 1e-9 * %lld",
                  static_cast<long long>(x * 100),
                  static_cast<long long>(dp * 4),
                  static_cast<long long>(std::fabs(got - want) * 1e9)));
    }
  }
  g.expect(score::scoreGradient(0.0f, 5.0f) == 0.0f, "masked P gives dS 0");
}

/// The FMA-pipe sigmoid, from the tanh argument's folded constants times
/// kExp2PerHalfArgument as the lowering builds them: within 3e-5 of
/// sigmoid(x) everywhere (tanh.approx: about 2.4e-4), within 2e-4 relative
/// where P > 1e-9, P in [0, 1], and NaN in, NaN out.
void checkPolynomialSigmoid() {
  Group g("sigmoid on the FMA pipe (2^t polynomial, Newton reciprocal)");
  const float c = score::kExp2PerHalfArgument;
  double worst = 0;
  forEachScore(
      400.0f, 0.0537f,
      [&](float scale, float bias, float slope, float dist, float s) {
        score::SigmoidConstants k = score::foldSigmoid(scale, bias);
        float t = score::withAlibi(
            score::tanhArgument(s, k.halfScale * c, k.halfBias * c),
            score::halfSlope(slope) * c, dist);
        float p = score::sigmoidFromExp2Argument(t);
        double x = double(scale) * s + bias - double(slope) * dist;
        double want = 1.0 / (1.0 + std::exp(-x));
        double err = std::fabs(p - want);
        worst = std::max(worst, err);
        bool close = err <= 3e-5 && (want < 1e-9 || err <= 2e-4 * want);
        g.expect(close && p >= 0.0f && p <= 1.0f,
                 at("P at x*1000=%lld is 1e-9 * %lld, sigmoid 1e-9 * %lld",
                    static_cast<long long>(x * 1000),
                    static_cast<long long>(p * 1e9),
                    static_cast<long long>(want * 1e9)));
      });
  g.expect(worst > 1e-6, at("worst error 1e-9 * %lld: not the polynomial",
                            static_cast<long long>(worst * 1e9)));
  g.expect(std::isnan(score::sigmoidFromExp2Argument(std::nanf(""))),
           at("NaN does not propagate", 0));
  // k of every 8 accumulator elements, spread over each pair of n-tiles.
  for (int64_t k = 0; k <= 8; ++k) {
    int64_t onFma = 0;
    for (int64_t index = 0; index < 64; ++index)
      onFma += score::onFmaPipe(index, k);
    g.expect(onFma == 8 * k, at("poly-sigmoid=%lld puts %lld of 64 on the "
                                "FMA pipe",
                                k, onFma));
  }
}

} // namespace

int main() {
  // The default configurations (D <= 128: 128 x 32, D = 256: 64 x 16, four
  // warps) and others the lowering accepts.
  const Config configs[] = {{4, 128, 32, 128, 128}, {4, 128, 32, 64, 64},
                            {4, 64, 16, 256, 256},  {4, 64, 64, 64, 64},
                            {2, 64, 32, 128, 64},   {8, 128, 32, 64, 128},
                            {4, 128, 64, 128, 256}};
  for (const Config &c : configs) {
    checkOperands(c);
    checkAccumulators(c);
    checkStores(c, 1);
    checkStores(c, c.blockQ - 1);
    checkStores(c, 3 * c.blockQ + 17);
  }
  checkSourceRows();
  checkStridedAddresses();
  checkSigmoid();
  checkScoreGradient();
  checkPolynomialSigmoid();
  // Masks: causal, windows, unbounded sides, Nq != Nk both ways, tails.
  const Config maskConfigs[] = {{4, 128, 32, 128, 128}, {4, 64, 16, 256, 256}};
  const int64_t windows[][2] = {{-1, -1}, {-1, 0}, {0, 0},   {5, 3},
                                {100, 3}, {0, -1}, {-1, 40}, {31, 33}};
  const int64_t sizes[][2] = {{77, 203}, {203, 77}, {1, 1}, {128, 129}};
  for (const Config &c : maskConfigs)
    for (auto &w : windows)
      for (auto &n : sizes)
        checkMask(c, n[0], n[1], w[0], w[1]);
  std::printf("%d groups failed\n", failures);
  return failures == 0 ? 0 : 1;
}
