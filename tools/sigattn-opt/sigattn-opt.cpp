//===- sigattn-opt.cpp - the sigattn optimizer driver ---------------------===//
//
// mlir-opt with the sigattn dialect, its passes and pipelines, and the
// upstream dialects and passes they produce or need.
//
//===----------------------------------------------------------------------===//

#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"
#include "sigattn/InitAll.h"

int main(int argc, char **argv) {
  // Upstream passes used around ours: canonicalize, cse, ...
  mlir::registerTransformsPasses();
  mlir::memref::registerResolveRankedShapeTypeResultDimsPass();
  mlir::sigattn::registerAllPasses();

  mlir::DialectRegistry registry;
  mlir::sigattn::registerAllDialects(registry);
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "sigattn optimizer driver\n", registry));
}
