//===- sigattn-plugin.cpp - sigattn for stock mlir-opt
//---------------------===//
//
// A plugin for an mlir-opt built on the same libMLIR.so (Debian's, from
// mlir-22-tools):
//   mlir-opt --load-dialect-plugin=SigAttnPlugin.so \
//            --load-pass-plugin=SigAttnPlugin.so \
//            --pass-pipeline="builtin.module(sigattn-gpu-pipeline{...})"
//            in.mlir
// The dialect entry point registers the sigattn dialect and what its passes
// need; the pass entry point registers sigattn's passes and
// sigattn-gpu-pipeline (sigattn/InitAll.h).
//
//===----------------------------------------------------------------------===//

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/Plugins/DialectPlugin.h"
#include "mlir/Tools/Plugins/PassPlugin.h"
#include "sigattn/InitAll.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/Compiler.h"

extern "C" LLVM_ATTRIBUTE_WEAK mlir::DialectPluginLibraryInfo
mlirGetDialectPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "SigAttn", LLVM_VERSION_STRING,
          [](mlir::DialectRegistry *registry) {
            mlir::sigattn::registerAllDialects(*registry);
          }};
}

extern "C" LLVM_ATTRIBUTE_WEAK mlir::PassPluginLibraryInfo
mlirGetPassPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "SigAttnPasses", LLVM_VERSION_STRING,
          []() { mlir::sigattn::registerAllPasses(); }};
}
