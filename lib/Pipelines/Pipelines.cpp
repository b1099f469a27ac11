//===- Pipelines.cpp - sigattn end-to-end pipelines -----------------------===//

#include "sigattn/Pipelines/Pipelines.h"

#include "mlir/Conversion/GPUToNVVM/GPUToNVVMPass.h"
#include "mlir/Conversion/NVVMToLLVM/NVVMToLLVM.h"
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
#include "sigattn/Runtime/KernelABI.h"
#include "sigattn/Target/Passes.h"
#include "llvm/ADT/StringExtras.h"
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

/// Parses a PTX ISA feature `+ptxNN` into NN.
static std::optional<int> parsePTXFeature(StringRef features) {
  int version;
  if (!features.consume_front("+ptx") || features.empty() ||
      !llvm::all_of(features, llvm::isDigit) ||
      features.getAsInteger(10, version))
    return std::nullopt;
  return version;
}

std::optional<std::string>
mlir::sigattn::resolveMma(const GPUPipelineOptions &options) {
  // wgmma is faster than mma.sync on Hopper for every head dim and mask
  // measured (benchmarks/NOTES.md, 2026-12-02); it needs sm_90a.
  if (options.mma == "auto")
    return std::string(options.chip == "sm_90a" ? "wgmma" : "sync");
  if (succeeded(parseMmaKind(options.mma)))
    return std::string(options.mma);
  return std::nullopt;
}

std::optional<std::string>
mlir::sigattn::resolveLoads(const GPUPipelineOptions &options) {
  // TMA is faster than cp.async for wgmma at every head dim and mask
  // measured (benchmarks/NOTES.md, 2026-12-03); mma.sync's layout is not
  // TMA's.
  if (options.loads == "auto")
    return std::string(resolveMma(options) == "wgmma" ? "tma" : "cp.async");
  if (succeeded(parseLoadKind(options.loads)))
    return std::string(options.loads);
  return std::nullopt;
}

std::optional<std::string>
mlir::sigattn::resolveStores(const GPUPipelineOptions &options) {
  // auto stays: the outline pass takes TMA stores per kernel where it can
  // (TMA loads, Dv <= D).
  if (options.stores == "auto")
    return std::string(resolveLoads(options) == "tma" ? "auto" : "direct");
  if (succeeded(parseStoreKind(options.stores)))
    return std::string(options.stores);
  return std::nullopt;
}

std::optional<std::string>
mlir::sigattn::resolveSchedule(const GPUPipelineOptions &options) {
  if (options.schedule == "auto")
    return std::string("cooperative");
  if (succeeded(parseScheduleKind(options.schedule)))
    return std::string(options.schedule);
  return std::nullopt;
}

int64_t mlir::sigattn::resolveKVStages(const GPUPipelineOptions &options) {
  // 0 stays: the outline pass picks per kernel (its shared memory).
  return options.kvStages;
}

std::optional<std::string>
mlir::sigattn::checkGPUPipelineOptions(const GPUPipelineOptions &options) {
  std::optional<std::string> mma = resolveMma(options);
  FailureOr<MmaKind> kind =
      mma ? parseMmaKind(*mma) : FailureOr<MmaKind>(failure());
  if (failed(kind))
    return "mma='" + options.mma +
           "' is not supported (expected auto, sync or wgmma)";
  if (std::optional<std::string> error = checkChip(*kind, options.chip))
    return error;
  std::optional<std::string> loads = resolveLoads(options);
  if (!loads)
    return "loads='" + options.loads +
           "' is not supported (expected auto, cp.async or tma)";
  if (*loads == "tma" && *kind != MmaKind::Wgmma)
    return "loads=tma needs mma=wgmma (mma.sync keeps tiles in a layout TMA "
           "does not write)";
  std::optional<std::string> stores = resolveStores(options);
  if (!stores)
    return "stores='" + options.stores +
           "' is not supported (expected auto, direct or tma)";
  if (*stores == "tma" && *loads != "tma")
    return "stores=tma needs loads=tma (O is staged in TMA's shared-memory "
           "layout)";
  std::optional<std::string> schedule = resolveSchedule(options);
  if (!schedule)
    return "schedule='" + options.schedule +
           "' is not supported (expected auto, cooperative or specialized)";
  ScheduleKind scheduleKind = *parseScheduleKind(*schedule);
  if (scheduleKind == ScheduleKind::Specialized && *loads != "tma")
    return "schedule=specialized needs loads=tma (the producer warpgroup "
           "issues TMA loads)";
  if (std::optional<std::string> error =
          checkKVStagesOption(resolveKVStages(options), scheduleKind))
    return error;
  if (options.pingpong && scheduleKind != ScheduleKind::Specialized)
    return std::string("pingpong needs schedule=specialized (the computing "
                       "warpgroups of a warp-specialized kernel take turns)");
  if (std::optional<std::string> error = checkTileLoweringOptions(
          *kind, {options.pingpong, options.polySigmoid}))
    return error;
  std::optional<int> ptx = parsePTXFeature(options.ptxFeatures);
  if (!ptx)
    return "features='" + options.ptxFeatures +
           "' is not a PTX ISA version (expected +ptx80 .. +ptx88 or +ptx90)";
  if (std::optional<std::string> error = checkPTXVersion(options.chip, *ptx))
    return "features='" + options.ptxFeatures + "': " + *error;
  for (auto [name, value] :
       {std::pair<StringRef, int64_t>{"block-q", options.blockQ},
        {"block-k", options.blockK}}) {
    if (std::optional<std::string> error = checkTileSizeOption(name, value))
      return error;
  }
  if (std::optional<std::string> error = checkNumWarpsOption(options.numWarps))
    return error;
  if (scheduleKind == ScheduleKind::Specialized &&
      options.numWarps > kMaxWarps - ::sigattn::abi::kProducerWarps)
    return "num-warps=" + std::to_string(options.numWarps) +
           " is too many for schedule=specialized, which adds 4 producer "
           "warps (at most " +
           std::to_string(kMaxWarps - ::sigattn::abi::kProducerWarps) + ")";
  return std::nullopt;
}

LogicalResult mlir::sigattn::buildSigAttnGPUPipeline(
    OpPassManager &pm, const GPUPipelineOptions &options,
    function_ref<void(const Twine &)> error) {
  if (std::optional<std::string> problem = checkGPUPipelineOptions(options)) {
    if (error)
      error("sigattn-gpu-pipeline: " + *problem);
    return failure();
  }
  setShortSharedPointers(options.shortSharedPointers);

  // Step 1. Target-independent tiling and masking.
  std::string mma = *resolveMma(options);
  // wgmma gives each warp 16 query rows: with num-warps set and block-q
  // left to its default, the tile follows the warps.
  int64_t blockQ = options.blockQ;
  if (mma == "wgmma" && blockQ == 0 && options.numWarps > 0)
    blockQ = 16 * options.numWarps;
  pm.addPass(createSigAttnTile({blockQ, options.blockK, mma}));
  pm.addPass(createSigAttnPeelBoundaryTiles());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());

  // Step 2. The grid becomes a kernel; its tile ops become tensor-core code.
  std::string loads = *resolveLoads(options);
  pm.addPass(createSigAttnOutlineGPUKernels(
      {options.numWarps, mma, loads, *resolveStores(options),
       *resolveSchedule(options), resolveKVStages(options)}));
  pm.addPass(createConvertSigAttnTilesToNVVM(
      {mma, options.chip, options.pingpong, options.polySigmoid}));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());

  // Step 3. Upstream lowering of the kernels to NVVM, then PTX.
  OpPassManager &kernels = pm.nest<gpu::GPUModuleOp>();
  kernels.addPass(createSCFToControlFlowPass());
  kernels.addPass(memref::createExpandStridedMetadataPass());
  ConvertGpuOpsToNVVMOpsOptions toNVVM;
  toNVVM.useBarePtrCallConv = true;
  kernels.addPass(createConvertGpuOpsToNVVMOps(toNVVM));
  kernels.addPass(createSigAttnTensorMapParams());
  // mbarrier waits and TMA loads are NVVM ops built as inline PTX.
  kernels.addPass(createConvertNVVMToLLVMPass());
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
  pm.addPass(createSigAttnCheckPTXSymbols());
  pm.addPass(createGpuModuleToBinaryPass(binary));

  // Step 4. The PTX file and the kernels' description.
  if (!options.ptxOutput.empty())
    pm.addPass(createSigAttnWritePTX({options.ptxOutput}));
  return success();
}

void mlir::sigattn::registerSigAttnPipelines() {
  // Registered by hand rather than with PassPipelineRegistration so that bad
  // option values are reported through the error handler, not built.
  registerPassPipeline(
      "sigattn-gpu-pipeline",
      "Lower sigattn.attention to a fused GPU kernel and emit its PTX "
      "(options: chip, features, mma, loads, stores, schedule, kv-stages, "
      "pingpong, "
      "poly-sigmoid, block-q, block-k, num-warps, short-shared-pointers, "
      "ptx-output)",
      [](OpPassManager &pm, StringRef text,
         function_ref<LogicalResult(const Twine &)> errorHandler) {
        GPUPipelineOptions options;
        if (failed(options.parseFromString(text)))
          return failure();
        return buildSigAttnGPUPipeline(
            pm, options, [&](const Twine &msg) { (void)errorHandler(msg); });
      },
      [](function_ref<void(const detail::PassOptions &)> handler) {
        handler(GPUPipelineOptions());
      });
}
