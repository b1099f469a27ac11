//===- SigAttnTilesToVector.h - portable lowering of tile ops ---*- C++ -*-===//

#ifndef SIGATTN_CONVERSION_SIGATTNTILESTOVECTOR_SIGATTNTILESTOVECTOR_H
#define SIGATTN_CONVERSION_SIGATTNTILESTOVECTOR_SIGATTNTILESTOVECTOR_H

#include "mlir/Pass/Pass.h"

namespace mlir {
class RewritePatternSet;

namespace sigattn {

#define GEN_PASS_DECL_CONVERTSIGATTNTILESTOVECTOR
#include "sigattn/Conversion/Passes.h.inc"

/// Adds the patterns that lower `sigattn.load_tile`, `sigattn.tile_step`
/// and `sigattn.store_tile` to vector/arith/math/memref ops.
void populateSigAttnTilesToVectorPatterns(RewritePatternSet &patterns);

} // namespace sigattn
} // namespace mlir

#endif // SIGATTN_CONVERSION_SIGATTNTILESTOVECTOR_SIGATTNTILESTOVECTOR_H
