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
// schedule=specialized: its options are checked by the outline pass, and a
// computing warp that would get fewer registers than its accumulators need
// is refused by the lowering: three warpgroups share 160 registers each,
// and a 256-key tile needs (256 + 64) / 2 + 256 / 2 = 288 at D = 64.
// RUN: not sigattn-opt %s -sigattn-tile="block-q=64 block-k=32" -sigattn-outline-gpu-kernels="num-warps=4 mma=wgmma loads=tma schedule=eager" 2>&1 | FileCheck %s --check-prefix=OUTLINESCHED
// RUN: not sigattn-opt %s -sigattn-tile="block-q=64 block-k=32" -sigattn-outline-gpu-kernels="num-warps=4 mma=wgmma schedule=specialized" 2>&1 | FileCheck %s --check-prefix=OUTLINEWSLOADS
// RUN: not sigattn-opt %s -sigattn-tile="block-q=64 block-k=32" -sigattn-outline-gpu-kernels="num-warps=4 mma=wgmma loads=tma kv-stages=4" 2>&1 | FileCheck %s --check-prefix=OUTLINESTAGES
// RUN: not sigattn-opt %s -sigattn-tile="block-q=64 block-k=32" -sigattn-outline-gpu-kernels="num-warps=30 mma=wgmma loads=tma schedule=specialized" 2>&1 | FileCheck %s --check-prefix=OUTLINEWSWARPS
// RUN: not sigattn-opt %s -sigattn-tile="block-q=512 block-k=32" -sigattn-outline-gpu-kernels="mma=wgmma loads=tma schedule=specialized" 2>&1 | FileCheck %s --check-prefix=OUTLINEWSDEFAULT
// RUN: not sigattn-opt %s -sigattn-tile="block-q=192 block-k=256" -sigattn-outline-gpu-kernels="num-warps=12 mma=wgmma loads=tma schedule=specialized" -convert-sigattn-tiles-to-nvvm="mma=wgmma" 2>&1 | FileCheck %s --check-prefix=WSREGS
// pingpong needs a warp-specialized wgmma kernel; poly-sigmoid counts
// scores out of 8.
// RUN: not sigattn-opt %s -sigattn-tile="block-q=128 block-k=64 mma=wgmma" -sigattn-outline-gpu-kernels="num-warps=8 mma=wgmma loads=tma" -convert-sigattn-tiles-to-nvvm="mma=wgmma pingpong=true" 2>&1 | FileCheck %s --check-prefix=PINGCOOP
// RUN: not sigattn-opt %s -sigattn-tile="block-q=64 block-k=32" -sigattn-outline-gpu-kernels="num-warps=4" -convert-sigattn-tiles-to-nvvm="mma=sync pingpong=true" 2>&1 | FileCheck %s --check-prefix=PINGSYNC
// RUN: not sigattn-opt %s -sigattn-tile="block-q=64 block-k=32" -sigattn-outline-gpu-kernels="num-warps=4" -convert-sigattn-tiles-to-nvvm="mma=sync poly-sigmoid=12" 2>&1 | FileCheck %s --check-prefix=POLY12

// OUTLINESCHED: error: sigattn-outline-gpu-kernels: unknown schedule='eager' (expected cooperative or specialized)
// OUTLINEWSLOADS: error: sigattn-outline-gpu-kernels: schedule=specialized needs loads=tma (the producer issues TMA loads)
// OUTLINESTAGES: error: sigattn-outline-gpu-kernels: kv-stages=4 needs schedule=specialized
// OUTLINEWSWARPS: error: sigattn-outline-gpu-kernels: schedule=specialized adds 4 producer warps: num-warps=30 must be at most 28
// OUTLINEWSDEFAULT: error: 'scf.forall' op sigattn-outline-gpu-kernels: schedule=specialized adds 4 producer warps to the default num-warps=32: lower block-q
// WSREGS: error: 'gpu.func' op convert-sigattn-tiles-to-nvvm (mma=wgmma): the S and O accumulators and the next tile's S need 288 registers per computing thread, and with 32 more, more than the 160 schedule=specialized gives it: lower block-q or block-k

// PINGCOOP: error: 'gpu.func' op convert-sigattn-tiles-to-nvvm: pingpong needs a warp-specialized kernel (sigattn-outline-gpu-kernels{schedule=specialized})
// PINGSYNC: error: convert-sigattn-tiles-to-nvvm: pingpong needs mma=wgmma (turns of warpgroups)
// POLY12: error: convert-sigattn-tiles-to-nvvm: poly-sigmoid=12 is not a number of scores out of 8 (expected 0 .. 8)

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

