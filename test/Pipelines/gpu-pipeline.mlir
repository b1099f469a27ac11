// sigattn-gpu-pipeline: the host launches the kernel of a gpu.binary that
// holds its PTX; options reach the passes (chip, PTX version, tile sizes,
// warps); unsupported configurations stop the pipeline with the option named.
// RUN: sigattn-opt %s --sigattn-gpu-pipeline | FileCheck %s
// RUN: sigattn-opt %s --sigattn-gpu-pipeline="features=+ptx85 block-q=128 block-k=32 num-warps=8" | FileCheck %s --check-prefix=OPTS
// RUN: sigattn-opt %s --sigattn-gpu-pipeline="mma=wgmma block-q=64 block-k=64 num-warps=4" | FileCheck %s --check-prefix=WGMMA
// With wgmma, num-warps alone sets the query tile (16 rows per warp).
// RUN: sigattn-opt %s --sigattn-gpu-pipeline="num-warps=8" | FileCheck %s --check-prefix=WARPS

// CHECK-LABEL: func.func @attention
//       CHECK:   gpu.launch_func @sigattn_kernels::@attention_sigattn blocks in ({{.*}}) threads in (%c128, %c1, %c1) dynamic_shared_memory_size %{{.+}} args(
//  CHECK-SAME:     sigattn.kernel = {
//       CHECK: gpu.binary @sigattn_kernels [#gpu.object<#nvvm.target<O = 3, chip = "sm_90a", features = "+ptx80">, properties = {{.*}} assembly = "
//  CHECK-SAME: .target sm_90a
//  CHECK-SAME: tanh.approx.f32

// OPTS: threads in (%c256, %c1, %c1)
// OPTS-SAME: block_k = 32 : i64, block_q = 128 : i64, block_threads = 256 : i64
// OPTS: gpu.binary @sigattn_kernels [#gpu.object<#nvvm.target<O = 3, chip = "sm_90a", features = "+ptx85">
// OPTS-SAME: .version 8.5

// WARPS: threads in (%c256, %c1, %c1)
// WARPS-SAME: block_q = 128 : i64, block_threads = 256 : i64
// WARPS-SAME: mma = "wgmma"

// WGMMA: threads in (%c128, %c1, %c1)
// WGMMA-SAME: mma = "wgmma"
// WGMMA: gpu.binary @sigattn_kernels
// WGMMA-SAME: wgmma.fence.sync.aligned
// WGMMA-SAME: wgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16
// WGMMA-SAME: wgmma.commit_group.sync.aligned
// WGMMA-SAME: wgmma.wait_group.sync.aligned
func.func @attention(%q: tensor<?x?x4x64xbf16>, %k: tensor<?x?x4x64xbf16>,
                     %v: tensor<?x?x4x64xbf16>) -> tensor<?x?x4x64xbf16> {
  %o = sigattn.attention %q, %k, %v window = [64, 0]
      : tensor<?x?x4x64xbf16>, tensor<?x?x4x64xbf16>, tensor<?x?x4x64xbf16>
      -> tensor<?x?x4x64xbf16>
  return %o : tensor<?x?x4x64xbf16>
}
