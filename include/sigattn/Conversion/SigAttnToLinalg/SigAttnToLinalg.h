//===- SigAttnToLinalg.h - reference expansion of sigattn -------*- C++ -*-===//

#ifndef SIGATTN_CONVERSION_SIGATTNTOLINALG_SIGATTNTOLINALG_H
#define SIGATTN_CONVERSION_SIGATTNTOLINALG_SIGATTNTOLINALG_H

#include "mlir/Pass/Pass.h"

namespace mlir {
class RewritePatternSet;

namespace sigattn {

#define GEN_PASS_DECL_CONVERTSIGATTNTOLINALG
#include "sigattn/Conversion/Passes.h.inc"

/// Adds the pattern that expands `sigattn.attention` into its reference
/// computation in linalg/tensor/arith/math on f32 scores.
void populateSigAttnToLinalgPatterns(RewritePatternSet &patterns);

} // namespace sigattn
} // namespace mlir

#endif // SIGATTN_CONVERSION_SIGATTNTOLINALG_SIGATTNTOLINALG_H
