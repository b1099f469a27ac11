//===- Pipelines.h - sigattn end-to-end pipelines ---------------*- C++ -*-===//

#ifndef SIGATTN_PIPELINES_PIPELINES_H
#define SIGATTN_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassOptions.h"
#include "mlir/Support/LLVM.h"

#include <optional>

#include <cstdint>
#include <string>

namespace mlir {
class OpPassManager;

namespace sigattn {

/// Every target fact of the GPU pipeline in one place: the chip and PTX
/// version, the tensor-core instruction family, the tile sizes and the
/// block size. Each pass of the pipeline takes its part from here.
struct GPUPipelineOptions : public PassPipelineOptions<GPUPipelineOptions> {
  PassOptions::Option<std::string> chip{
      *this, "chip",
      llvm::cl::desc("GPU architecture: sm_90a for H100 (mma=sync also "
                     "takes sm_80, sm_86, sm_87, sm_89, sm_90)"),
      llvm::cl::init("sm_90a")};
  PassOptions::Option<std::string> ptxFeatures{
      *this, "features",
      llvm::cl::desc("PTX ISA version as an LLVM feature (+ptx80 .. +ptx88, "
                     "+ptx90; at least what the chip needs)"),
      llvm::cl::init("+ptx80")};
  PassOptions::Option<std::string> mma{
      *this, "mma",
      llvm::cl::desc("Tensor-core instructions: sync (mma.sync), wgmma "
                     "(Hopper, sm_90a; block-q = 16 x num-warps) or auto "
                     "(wgmma for sm_90a, sync for other chips)"),
      llvm::cl::init("auto")};
  PassOptions::Option<std::string> loads{
      *this, "loads",
      llvm::cl::desc("How tiles reach shared memory: cp.async, tma "
                     "(cp.async.bulk.tensor from CUtensorMaps the host "
                     "passes; mma=wgmma only) or auto"),
      llvm::cl::init("auto")};
  PassOptions::Option<std::string> stores{
      *this, "stores",
      llvm::cl::desc("How O reaches global memory: direct (each thread "
                     "stores its registers), tma (stmatrix into shared "
                     "memory, then TMA stores through a fourth CUtensorMap; "
                     "loads=tma and Dv <= D) or auto (tma where the kernel "
                     "can, else direct)"),
      llvm::cl::init("auto")};
  PassOptions::Option<std::string> schedule{
      *this, "schedule",
      llvm::cl::desc("How the warps share the work: cooperative (every warp "
                     "loads and computes), specialized (a producer warpgroup "
                     "issues the TMA loads into a ring of kv-stages; "
                     "loads=tma) or auto"),
      llvm::cl::init("auto")};
  PassOptions::Option<int64_t> kvStages{
      *this, "kv-stages",
      llvm::cl::desc("Stages of the K/V ring (0: 2, or with "
                     "schedule=specialized 3 where shared memory holds them; "
                     "2 .. 4, more than 2 with schedule=specialized)"),
      llvm::cl::init(0)};
  PassOptions::Option<bool> pingpong{
      *this, "pingpong",
      llvm::cl::desc("schedule=specialized: the computing warpgroups take "
                     "turns issuing their tensor-core work (named barriers), "
                     "each one's sigmoid after its turn"),
      llvm::cl::init(false)};
  PassOptions::Option<int64_t> polySigmoid{
      *this, "poly-sigmoid",
      llvm::cl::desc("How many of every 8 scores take the sigmoid on the FMA "
                     "pipe instead of tanh.approx (0 .. 8)"),
      llvm::cl::init(0)};
  PassOptions::Option<int64_t> blockQ{
      *this, "block-q",
      llvm::cl::desc("Query rows per block (0: mma's default for the head "
                     "dims; 16 x num-warps for wgmma when num-warps is set)"),
      llvm::cl::init(0)};
  PassOptions::Option<int64_t> blockK{
      *this, "block-k",
      llvm::cl::desc("Keys per key/value tile (0: mma's default for the "
                     "head dims)"),
      llvm::cl::init(0)};
  PassOptions::Option<int64_t> numWarps{
      *this, "num-warps",
      llvm::cl::desc("Computing warps per block, a producer's not counted "
                     "(0: mma's default for the tile: 4 for sync, block-q / "
                     "16 for wgmma)"),
      llvm::cl::init(0)};
  PassOptions::Option<bool> shortSharedPointers{
      *this, "short-shared-pointers",
      llvm::cl::desc("32-bit shared memory addresses in the PTX (LLVM's "
                     "nvptx-short-ptr): fewer registers per thread"),
      llvm::cl::init(true)};
  PassOptions::Option<std::string> ptxOutput{
      *this, "ptx-output",
      llvm::cl::desc("Write the kernels' PTX here (and a JSON description to "
                     "<ptx-output>.json)"),
      llvm::cl::init("")};
};

/// How the kernels load tiles (cp.async or tma): `loads`, with auto
/// resolved for the generation; nothing when `loads` is not a kind.
std::optional<std::string> resolveLoads(const GPUPipelineOptions &options);

/// How the kernels store O (direct, tma, or auto: per kernel, by the
/// outline pass): `stores`, with the pipeline's auto resolved; nothing when
/// it is not a kind.
std::optional<std::string> resolveStores(const GPUPipelineOptions &options);

/// How the kernels' warps share the work (cooperative or specialized):
/// `schedule`, with auto resolved; nothing when it is not a schedule.
std::optional<std::string> resolveSchedule(const GPUPipelineOptions &options);

/// The K/V ring's stages: `kv-stages` (0: per kernel, by the outline
/// pass: 2, or 3 with schedule=specialized where shared memory holds them).
int64_t resolveKVStages(const GPUPipelineOptions &options);

/// The tensor-core generation `options` asks for: `mma`, with auto resolved
/// for the chip; nothing when `mma` is not a generation.
std::optional<std::string> resolveMma(const GPUPipelineOptions &options);

/// The first problem with `options`, naming the option and the values it
/// accepts; nothing when every option is valid.
std::optional<std::string>
checkGPUPipelineOptions(const GPUPipelineOptions &options);

/// sigattn.attention -> tiled loops -> GPU kernel -> NVVM -> PTX (in a
/// gpu.binary, and in a file with `ptx-output`). Checks the options first:
/// on a bad value it reports the problem through `error` and adds nothing.
LogicalResult
buildSigAttnGPUPipeline(OpPassManager &pm, const GPUPipelineOptions &options,
                        function_ref<void(const Twine &)> error = {});

/// Registers `sigattn-gpu-pipeline`.
void registerSigAttnPipelines();

} // namespace sigattn
} // namespace mlir

#endif // SIGATTN_PIPELINES_PIPELINES_H
