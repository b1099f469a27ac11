//===- sigattn-opt.cpp - the sigattn optimizer driver ---------------------===//
//
// mlir-opt with the sigattn dialect, its passes and pipelines, and the
// upstream dialects and passes they produce or need.
//
//===----------------------------------------------------------------------===//

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"
#include "sigattn/Conversion/Passes.h"
#include "sigattn/Dialect/SigAttn/IR/SigAttnDialect.h"
#include "sigattn/Dialect/SigAttn/Transforms/Passes.h"

int main(int argc, char **argv) {
  // Upstream passes used around ours: canonicalize, cse, ...
  mlir::registerTransformsPasses();
  mlir::memref::registerResolveRankedShapeTypeResultDimsPass();
  mlir::sigattn::registerSigAttnPasses();
  mlir::sigattn::registerSigAttnConversionPasses();

  mlir::DialectRegistry registry;
  registry.insert<mlir::sigattn::SigAttnDialect, mlir::arith::ArithDialect,
                  mlir::bufferization::BufferizationDialect,
                  mlir::func::FuncDialect, mlir::gpu::GPUDialect, mlir::linalg::LinalgDialect,
                  mlir::math::MathDialect, mlir::memref::MemRefDialect,
                  mlir::scf::SCFDialect, mlir::tensor::TensorDialect,
                  mlir::vector::VectorDialect>();

  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "sigattn optimizer driver\n", registry));
}
