//===- SigAttnInterfaces.cpp - sigattn op interfaces ----------------------===//

#include "sigattn/Dialect/SigAttn/IR/SigAttnInterfaces.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

#include <cmath>

using namespace mlir;

float mlir::sigattn::defaultScale(int64_t headDim) {
  return 1.0f / std::sqrt(static_cast<float>(headDim));
}

Value mlir::sigattn::scalarAsValue(OpBuilder &b, Location loc, Value value,
                                   float fallback) {
  if (value)
    return value;
  return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(fallback));
}

#include "sigattn/Dialect/SigAttn/IR/SigAttnInterfaces.cpp.inc"
