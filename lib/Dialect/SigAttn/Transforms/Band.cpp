//===- Band.cpp - which column tiles a row tile sees ----------------------===//

#include "Band.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "sigattn/Dialect/SigAttn/IR/SigAttnInterfaces.h"

using namespace mlir;
using namespace mlir::sigattn;

namespace {
/// Index arithmetic at one location.
struct IndexMath {
  OpBuilder &b;
  Location loc;
  Value cst(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubIOp::create(b, loc, x, y); }
  Value min(Value x, Value y) { return arith::MinSIOp::create(b, loc, x, y); }
  Value max(Value x, Value y) { return arith::MaxSIOp::create(b, loc, x, y); }
  Value floorDiv(Value x, Value y) {
    return arith::FloorDivSIOp::create(b, loc, x, y);
  }
  Value ceilDiv(Value x, Value y) {
    return arith::CeilDivSIOp::create(b, loc, x, y);
  }
  /// The last valid row of the tile: min(start + block, count) - 1.
  Value lastRow(const BandTile &t) {
    return sub(min(add(t.rowStart, cst(t.rowBlock)), t.rowCount), cst(1));
  }
};
} // namespace

std::pair<Value, Value> mlir::sigattn::visibleColumnTiles(OpBuilder &b,
                                                          Location loc,
                                                          const BandTile &t) {
  IndexMath m{b, loc};
  // Valid rows are [rLo, rHi]; row r sees columns [r + off - left,
  // r + off + right].
  Value off = m.sub(t.colCount, t.rowCount);
  Value rLo = t.rowStart;
  Value rHi = m.lastRow(t);
  Value one = m.cst(1);
  Value cMin = m.cst(0);
  if (t.left != kUnboundedSide) {
    // cMin = max(0, rLo + off - left)
    cMin = m.max(cMin, m.sub(m.add(rLo, off), m.cst(t.left)));
  }
  Value cMax = m.sub(t.colCount, one);
  if (t.right != kUnboundedSide) {
    // cMax = min(Ncols - 1, rHi + off + right)
    cMax = m.min(cMax, m.add(m.add(rHi, off), m.cst(t.right)));
  }
  Value block = m.cst(t.colBlock);
  Value lo = m.floorDiv(cMin, block);
  Value hi = m.add(m.floorDiv(cMax, block), one);
  // No visible column at all (e.g. causal rows before the first key).
  return {lo, m.max(hi, lo)};
}

std::pair<Value, Value> mlir::sigattn::unmaskedColumnTiles(OpBuilder &b,
                                                           Location loc,
                                                           const BandTile &t,
                                                           Value lo, Value hi) {
  IndexMath m{b, loc};
  auto clamp = [&](Value v, Value lower, Value upper) {
    return m.min(m.max(v, lower), upper);
  };
  Value block = m.cst(t.colBlock);
  Value off = m.sub(t.colCount, t.rowCount);
  Value rLo = t.rowStart;
  Value rHi = m.lastRow(t);

  // a: first tile right of the left edge for the last row,
  //    ct * block >= rHi + off - left.
  Value a = lo;
  if (t.left != kUnboundedSide)
    a = clamp(m.ceilDiv(m.sub(m.add(rHi, off), m.cst(t.left)), block), lo, hi);
  // c: end of the tiles inside the columns, ct * block + block <= Ncols,
  //    and left of the right edge for the first row,
  //    ct * block + block - 1 <= rLo + off + right.
  Value c = m.floorDiv(t.colCount, block);
  if (t.right != kUnboundedSide)
    c = m.min(c, m.floorDiv(m.add(m.add(rLo, off), m.cst(t.right + 1)), block));
  return {a, clamp(c, a, hi)};
}
