//===- InitAll.h - register sigattn in a tool -------------------*- C++ -*-===//
//
// One call each for what a tool needs to run sigattn's ops, passes and
// pipelines (lib/Registration). Link SigAttn::SigAttnRegistration.
//
//===----------------------------------------------------------------------===//

#ifndef SIGATTN_INITALL_H
#define SIGATTN_INITALL_H

namespace mlir {
class DialectRegistry;

namespace sigattn {

/// The sigattn dialect, the upstream dialects its passes produce or read
/// (arith, bufferization, func, gpu, linalg, math, memref, scf, tensor,
/// vector, cf, llvm, nvvm, ub), their lowering interfaces to LLVM, the NVVM
/// target and the translations `sigattn-gpu-pipeline` needs to emit PTX.
void registerAllDialects(DialectRegistry &registry);

/// sigattn's passes and `sigattn-gpu-pipeline` (not upstream's passes:
/// a tool registers those itself, e.g. mlir::registerTransformsPasses()).
void registerAllPasses();

} // namespace sigattn
} // namespace mlir

#endif // SIGATTN_INITALL_H
