//===- sigattn-downstream-opt.cpp - sigattn in another project's tool ----===//
//
// What a compiler stack adds to its own mlir-opt-like driver to get
// sigattn: the dialect and what its passes need, sigattn's passes and the
// GPU pipeline (sigattn/InitAll.h), plus the upstream passes it uses.
//
//===----------------------------------------------------------------------===//

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"
#include "sigattn/InitAll.h"

int main(int argc, char **argv) {
  mlir::registerTransformsPasses();
  mlir::sigattn::registerAllPasses();
  mlir::DialectRegistry registry;
  mlir::sigattn::registerAllDialects(registry);
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv,
      "an mlir-opt with sigattn, built from the installed package\n",
      registry));
}
