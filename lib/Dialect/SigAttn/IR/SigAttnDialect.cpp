//===- SigAttnDialect.cpp - sigattn dialect -------------------------------===//

#include "sigattn/Dialect/SigAttn/IR/SigAttnDialect.h"
#include "sigattn/Dialect/SigAttn/IR/SigAttnOps.h"

using namespace mlir;
using namespace mlir::sigattn;

#include "sigattn/Dialect/SigAttn/IR/SigAttnOpsDialect.cpp.inc"

void SigAttnDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "sigattn/Dialect/SigAttn/IR/SigAttnOps.cpp.inc"
      >();
}
