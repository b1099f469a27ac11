//===- SigAttnDialect.h - sigattn dialect -----------------------*- C++ -*-===//

#ifndef SIGATTN_DIALECT_SIGATTN_IR_SIGATTNDIALECT_H
#define SIGATTN_DIALECT_SIGATTN_IR_SIGATTNDIALECT_H

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Dialect.h"

#include "sigattn/Dialect/SigAttn/IR/SigAttnOpsDialect.h.inc"

#endif // SIGATTN_DIALECT_SIGATTN_IR_SIGATTNDIALECT_H
