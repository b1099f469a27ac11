// What the wgmma lowering cannot do is named in the error: warpgroups of 4
// warps, one 64-row wgmma per warpgroup (block-q = 16 x num-warps), at most
// n256 per wgmma (block-k <= 256), and sm_90a only.
// RUN: not sigattn-opt %s -sigattn-tile="block-q=64 block-k=32" -sigattn-outline-gpu-kernels="num-warps=2" -convert-sigattn-tiles-to-nvvm="mma=wgmma" 2>&1 | FileCheck %s --check-prefix=WARPS
// RUN: not sigattn-opt %s -sigattn-tile="block-q=96 block-k=96 mma=wgmma" -sigattn-outline-gpu-kernels="mma=wgmma" -convert-sigattn-tiles-to-nvvm="mma=wgmma" 2>&1 | FileCheck %s --check-prefix=BQ64
// RUN: not sigattn-opt %s -sigattn-tile="block-q=128 block-k=32" -sigattn-outline-gpu-kernels="num-warps=4" -convert-sigattn-tiles-to-nvvm="mma=wgmma" 2>&1 | FileCheck %s --check-prefix=ROWS
// RUN: not sigattn-opt %s -sigattn-tile="block-q=64 block-k=272" -sigattn-outline-gpu-kernels="num-warps=4" -convert-sigattn-tiles-to-nvvm="mma=wgmma" 2>&1 | FileCheck %s --check-prefix=WIDE
// RUN: not sigattn-opt %s -sigattn-tile="block-q=64 block-k=32" -sigattn-outline-gpu-kernels="num-warps=4" -convert-sigattn-tiles-to-nvvm="mma=wgmma chip=sm_90" 2>&1 | FileCheck %s --check-prefix=CHIP
// RUN: not sigattn-opt %s --sigattn-gpu-pipeline="mma=wgmma chip=sm_80" 2>&1 | FileCheck %s --check-prefix=PIPECHIP
// TMA loads need wgmma's shared-memory layout: refused by the outline pass
// for mma=sync, and by the mma.sync lowering for a kernel with tensor maps.
// RUN: not sigattn-opt %s -sigattn-tile="block-q=64 block-k=32" -sigattn-outline-gpu-kernels="num-warps=4 loads=tma" 2>&1 | FileCheck %s --check-prefix=OUTLINETMA
// RUN: not sigattn-opt %s -sigattn-tile="block-q=64 block-k=32" -sigattn-outline-gpu-kernels="num-warps=4 loads=ldg" 2>&1 | FileCheck %s --check-prefix=OUTLINELOADS
// RUN: not sigattn-opt %s -sigattn-tile="block-q=64 block-k=32" -sigattn-outline-gpu-kernels="num-warps=4 mma=wgmma loads=tma" -convert-sigattn-tiles-to-nvvm="mma=sync" 2>&1 | FileCheck %s --check-prefix=SYNCTMA

// WARPS: error: 'gpu.func' op convert-sigattn-tiles-to-nvvm (mma=wgmma): num-warps = 2 must be a multiple of 4 (warpgroups of 4 warps)
// BQ64: error: 'gpu.func' op convert-sigattn-tiles-to-nvvm (mma=wgmma): block-q = 96 must be a multiple of 64 (one 64-row wgmma per warpgroup)
// ROWS: error: 'gpu.func' op convert-sigattn-tiles-to-nvvm (mma=wgmma): block-q = 128 must be 16 x num-warps = 64 (64 query rows per warpgroup of 4 warps)
// WIDE: error: 'gpu.func' op convert-sigattn-tiles-to-nvvm (mma=wgmma): block-k = 272 is more than 256, the widest wgmma
// CHIP: error: convert-sigattn-tiles-to-nvvm: chip='sm_90' is not supported by mma=wgmma (supported: sm_90a)
// PIPECHIP: error: sigattn-gpu-pipeline: chip='sm_80' is not supported by mma=wgmma (supported: sm_90a)
// OUTLINETMA: error: sigattn-outline-gpu-kernels: loads=tma needs mma=wgmma
// OUTLINELOADS: error: sigattn-outline-gpu-kernels: unknown loads='ldg' (expected cp.async or tma)
// SYNCTMA: error: 'gpu.func' op convert-sigattn-tiles-to-nvvm (mma=sync): TMA loads (loads=tma) need mma=wgmma

func.func @attn(%q: tensor<1x?x2x64xbf16>, %k: tensor<1x?x2x64xbf16>,
                %v: tensor<1x?x2x64xbf16>) -> tensor<1x?x2x64xbf16> {
  %o = sigattn.attention %q, %k, %v
      : tensor<1x?x2x64xbf16>, tensor<1x?x2x64xbf16>, tensor<1x?x2x64xbf16> -> tensor<1x?x2x64xbf16>
  return %o : tensor<1x?x2x64xbf16>
}

