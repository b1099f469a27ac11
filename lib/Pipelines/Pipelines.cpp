//===- Pipelines.cpp - sigattn end-to-end pipelines -----------------------===//

#include "sigattn/Pipelines/Pipelines.h"

#include "mlir/Conversion/GPUToNVVM/GPUToNVVMPass.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "sigattn/Conversion/Passes.h"
#include "sigattn/Dialect/SigAttn/Transforms/Passes.h"
#include "sigattn/Target/Passes.h"
#include "llvm/Support/CommandLine.h"

using namespace mlir;
using namespace mlir::sigattn;

/// Sets LLVM's NVPTX option for 32-bit shared memory pointers, which
/// gpu-module-to-binary reads when it runs the backend in-process. It is a
/// process-wide LLVM option: the pipeline sets it only when asked to.
static void setShortSharedPointers(bool enable) {
  auto &registered = llvm::cl::getRegisteredOptions();
  auto it = registered.find("nvptx-short-ptr");
  if (it == registered.end())
    return;
  if (auto *opt = static_cast<llvm::cl::opt<bool> *>(it->second))
    opt->setValue(enable);
}

void mlir::sigattn::buildSigAttnGPUPipeline(OpPassManager &pm,
                                            const GPUPipelineOptions &options) {
  setShortSharedPointers(options.shortSharedPointers);

  // Step 1. Target-independent tiling and masking.
  pm.addPass(createSigAttnTile({options.blockQ, options.blockK}));
  pm.addPass(createSigAttnPeelBoundaryTiles());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());

  // Step 2. The grid becomes a kernel; its tile ops become tensor-core code.
  pm.addPass(createSigAttnOutlineGPUKernels({options.numWarps}));
  pm.addPass(createConvertSigAttnTilesToNVVM({options.mma}));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());

  // Step 3. Upstream lowering of the kernels to NVVM, then PTX.
  OpPassManager &kernels = pm.nest<gpu::GPUModuleOp>();
  kernels.addPass(createSCFToControlFlowPass());
  kernels.addPass(memref::createExpandStridedMetadataPass());
  ConvertGpuOpsToNVVMOpsOptions toNVVM;
  toNVVM.useBarePtrCallConv = true;
  kernels.addPass(createConvertGpuOpsToNVVMOps(toNVVM));
  kernels.addPass(createCanonicalizerPass());
  kernels.addPass(createCSEPass());
  kernels.addPass(createReconcileUnrealizedCastsPass());
  GpuNVVMAttachTargetOptions target;
  target.chip = options.chip;
  target.features = options.ptxFeatures;
  target.optLevel = 3;
  pm.addPass(createGpuNVVMAttachTarget(target));
  GpuModuleToBinaryPassOptions binary;
  binary.compilationTarget = "isa";
  pm.addPass(createGpuModuleToBinaryPass(binary));

  // Step 4. The PTX file and the kernels' description.
  if (!options.ptxOutput.empty())
    pm.addPass(createSigAttnWritePTX({options.ptxOutput}));
}

void mlir::sigattn::registerSigAttnPipelines() {
  PassPipelineRegistration<GPUPipelineOptions>(
      "sigattn-gpu-pipeline",
      "Lower sigattn.attention to a fused GPU kernel and emit its PTX "
      "(options: chip, features, mma, block-q, block-k, num-warps, "
      "ptx-output)",
      buildSigAttnGPUPipeline);
}
