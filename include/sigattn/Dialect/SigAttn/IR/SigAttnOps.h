//===- SigAttnOps.h - sigattn operations ------------------------*- C++ -*-===//

#ifndef SIGATTN_DIALECT_SIGATTN_IR_SIGATTNOPS_H
#define SIGATTN_DIALECT_SIGATTN_IR_SIGATTNOPS_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "sigattn/Dialect/SigAttn/IR/SigAttnDialect.h"
#include "sigattn/Dialect/SigAttn/IR/SigAttnInterfaces.h"

#include <optional>
#include <utility>

#define GET_OP_CLASSES
#include "sigattn/Dialect/SigAttn/IR/SigAttnOps.h.inc"

#endif // SIGATTN_DIALECT_SIGATTN_IR_SIGATTNOPS_H
