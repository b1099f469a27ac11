//===- Passes.h - sigattn conversion passes ---------------------*- C++ -*-===//

#ifndef SIGATTN_CONVERSION_PASSES_H
#define SIGATTN_CONVERSION_PASSES_H

#include "sigattn/Conversion/SigAttnTilesToNVVM/SigAttnTilesToNVVM.h"
#include "sigattn/Conversion/SigAttnTilesToVector/SigAttnTilesToVector.h"
#include "sigattn/Conversion/SigAttnToLinalg/SigAttnToLinalg.h"

namespace mlir::sigattn {

#define GEN_PASS_REGISTRATION
#include "sigattn/Conversion/Passes.h.inc"

} // namespace mlir::sigattn

#endif // SIGATTN_CONVERSION_PASSES_H
