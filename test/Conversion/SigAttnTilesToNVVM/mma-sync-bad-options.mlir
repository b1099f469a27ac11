// Tile sizes and MMA kinds the lowering cannot honour are named in the error.
// RUN: not sigattn-opt %s -sigattn-tile="block-q=48" -sigattn-outline-gpu-kernels -convert-sigattn-tiles-to-nvvm 2>&1 | FileCheck %s --check-prefix=BQ
// RUN: not sigattn-opt %s -sigattn-tile="block-k=24" -sigattn-outline-gpu-kernels -convert-sigattn-tiles-to-nvvm 2>&1 | FileCheck %s --check-prefix=BK
// RUN: not sigattn-opt %s -sigattn-tile="block-q=128 block-k=16" -sigattn-outline-gpu-kernels="num-warps=8" -convert-sigattn-tiles-to-nvvm 2>&1 | FileCheck %s --check-prefix=COPY
// RUN: not sigattn-opt %s -sigattn-tile="block-q=1024 block-k=512" -sigattn-outline-gpu-kernels -convert-sigattn-tiles-to-nvvm 2>&1 | FileCheck %s --check-prefix=SMEM
// RUN: not sigattn-opt %s -sigattn-tile="block-q=128" -sigattn-outline-gpu-kernels="num-warps=1" -convert-sigattn-tiles-to-nvvm 2>&1 | FileCheck %s --check-prefix=REGS
// RUN: not sigattn-opt %s -sigattn-tile -sigattn-outline-gpu-kernels -convert-sigattn-tiles-to-nvvm="mma=hmma" 2>&1 | FileCheck %s --check-prefix=KIND

// BQ: error: 'gpu.func' op convert-sigattn-tiles-to-nvvm (mma=sync): block-q = 48 must be a multiple of 16 x num-warps = 64
// BK: error: 'gpu.func' op convert-sigattn-tiles-to-nvvm (mma=sync): block-k = 24 must be a multiple of 16
// COPY: error: 'gpu.func' op convert-sigattn-tiles-to-nvvm (mma=sync): block-k = 16 gives a 16x64 tile that the block's threads cannot copy in equal 16-byte parts (num-warps = 8)
// SMEM: error: 'gpu.func' op convert-sigattn-tiles-to-nvvm (mma=sync): the tiles need 393216 bytes of shared memory, more than 232448: lower block-q or block-k
// REGS: error: 'gpu.func' op convert-sigattn-tiles-to-nvvm (mma=sync): the S and O accumulators need 384 registers per thread, more than the 255 a thread has: lower block-q or block-k, or raise num-warps
// KIND: error: convert-sigattn-tiles-to-nvvm: unknown mma='hmma' (expected sync or wgmma)

func.func @attn(%q: tensor<1x?x2x64xbf16>, %k: tensor<1x?x2x64xbf16>,
                %v: tensor<1x?x2x64xbf16>) -> tensor<1x?x2x64xbf16> {
  %o = sigattn.attention %q, %k, %v
      : tensor<1x?x2x64xbf16>, tensor<1x?x2x64xbf16>, tensor<1x?x2x64xbf16> -> tensor<1x?x2x64xbf16>
  return %o : tensor<1x?x2x64xbf16>
}
