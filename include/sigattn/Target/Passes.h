//===- Passes.h - sigattn target passes -------------------------*- C++ -*-===//

#ifndef SIGATTN_TARGET_PASSES_H
#define SIGATTN_TARGET_PASSES_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::sigattn {

#define GEN_PASS_DECL
#define GEN_PASS_REGISTRATION
#include "sigattn/Target/Passes.h.inc"

} // namespace mlir::sigattn

#endif // SIGATTN_TARGET_PASSES_H
