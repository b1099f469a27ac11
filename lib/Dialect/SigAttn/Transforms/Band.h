//===- Band.h - which column tiles a row tile sees --------------*- C++ -*-===//
//
// The band of a masked attention in the orientation of a tile step (rows:
// the tile a block owns, columns: the tiles it loops over): column c is
// visible to row r iff r + off - left <= c <= r + off + right, with
// off = Ncols - Nrows and a side of -1 unbounded. The forward pass and dQ
// have rows of queries; dK and dV rows of keys, with the sides swapped
// (TileStepInterface). Tiling and boundary peeling share this arithmetic.
//
//===----------------------------------------------------------------------===//

#ifndef SIGATTN_LIB_DIALECT_SIGATTN_TRANSFORMS_BAND_H
#define SIGATTN_LIB_DIALECT_SIGATTN_TRANSFORMS_BAND_H

#include "mlir/IR/Builders.h"

#include <utility>

namespace mlir::sigattn {

/// A row tile of a band: rows [rowStart, rowStart + rowBlock) of rowCount,
/// columns in tiles of colBlock out of colCount.
struct BandTile {
  Value rowStart;
  int64_t rowBlock;
  Value rowCount;
  Value colCount;
  int64_t colBlock;
  int64_t left;
  int64_t right;
};

/// The column tiles [lo, hi) that hold a column visible to some valid row
/// of the tile (lo == hi when none does).
std::pair<Value, Value> visibleColumnTiles(OpBuilder &b, Location loc,
                                           const BandTile &tile);

/// Splits [lo, hi) at a <= c: the tiles of [a, c) are inside the columns and
/// visible to every valid row of the tile; those of [lo, a) and [c, hi) need
/// element masks.
std::pair<Value, Value> unmaskedColumnTiles(OpBuilder &b, Location loc,
                                            const BandTile &tile, Value lo,
                                            Value hi);

} // namespace mlir::sigattn

#endif // SIGATTN_LIB_DIALECT_SIGATTN_TRANSFORMS_BAND_H
