//===- SigAttnInterfaces.h - sigattn op interfaces --------------*- C++ -*-===//

#ifndef SIGATTN_DIALECT_SIGATTN_IR_SIGATTNINTERFACES_H
#define SIGATTN_DIALECT_SIGATTN_IR_SIGATTNINTERFACES_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"

#include <cstdint>
#include <optional>

namespace mlir::sigattn {
/// A side of the visibility window that is unbounded.
inline constexpr int64_t kUnboundedSide = -1;

/// The scale of q . k when none is given: 1 / sqrt(D).
float defaultScale(int64_t headDim);

/// `value`, or an f32 constant of `fallback` at `b`'s insertion point.
Value scalarAsValue(OpBuilder &b, Location loc, Value value, float fallback);
} // namespace mlir::sigattn

#include "sigattn/Dialect/SigAttn/IR/SigAttnInterfaces.h.inc"

#endif // SIGATTN_DIALECT_SIGATTN_IR_SIGATTNINTERFACES_H
