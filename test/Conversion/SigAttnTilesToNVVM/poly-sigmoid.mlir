// poly-sigmoid=k: k of every 8 scores of each thread take the sigmoid on
// the FMA pipe, P = 1 / (1 + 2^t) with t = -log2(e) * S', the rest
// tanh.approx, in either generation. D = 64, 64 x 64 tiles, 4 warps: each
// thread holds 32 scores per tile, and the kernel has two ranges (the full
// tiles and the masked last one), so 64 sigmoids in all.
// RUN: sigattn-opt %s -sigattn-tile="block-q=64 block-k=64 mma=wgmma" -sigattn-peel-boundary-tiles -sigattn-outline-gpu-kernels="num-warps=4 mma=wgmma loads=tma" -convert-sigattn-tiles-to-nvvm="mma=wgmma poly-sigmoid=2" -canonicalize -cse | FileCheck %s
// RUN: sigattn-opt %s -sigattn-tile="block-q=64 block-k=64 mma=wgmma" -sigattn-peel-boundary-tiles -sigattn-outline-gpu-kernels="num-warps=4 mma=wgmma loads=tma" -convert-sigattn-tiles-to-nvvm="mma=wgmma poly-sigmoid=8" -canonicalize -cse | FileCheck %s --check-prefix=ALL
// RUN: sigattn-opt %s -sigattn-tile="block-q=64 block-k=64 mma=wgmma" -sigattn-peel-boundary-tiles -sigattn-outline-gpu-kernels="num-warps=4 mma=wgmma loads=tma" -convert-sigattn-tiles-to-nvvm="mma=wgmma" -canonicalize -cse | FileCheck %s --check-prefix=NONE
// RUN: sigattn-opt %s -sigattn-tile="block-q=64 block-k=64" -sigattn-peel-boundary-tiles -sigattn-outline-gpu-kernels="num-warps=4" -convert-sigattn-tiles-to-nvvm="mma=sync poly-sigmoid=3" -canonicalize -cse | FileCheck %s --check-prefix=SYNC
// In the PTX, FMAs and no MUFU instruction for the polynomial scores.
// RUN: sigattn-opt %s --sigattn-gpu-pipeline="poly-sigmoid=8 ptx-output=%t.ptx" -o /dev/null
// RUN: FileCheck %s --check-prefix=PTX --input-file=%t.ptx
// RUN: %if ptxas %{ %ptxas -arch=sm_90a %t.ptx -o /dev/null %}

// The constants: t's clamp, the rounding shift 1.5 * 2^23, the polynomial
// for 2^f, the reciprocal's first guess for -d, and t = S * (0.5 * scale *
// -2 log2(e)) + 0.5 * bias * -2 log2(e).
// CHECK-LABEL: gpu.func @full_sigattn
// CHECK-DAG:   %[[MAGIC:.+]] = arith.constant -17624637 : i32
// CHECK-DAG:   %[[ONE:.+]] = arith.constant 1.000000e+00 : f32
// CHECK-DAG:   %[[C1:.+]] = arith.constant 0.693282962 : f32
// CHECK-DAG:   %[[C2:.+]] = arith.constant 0.242211387 : f32
// CHECK-DAG:   %[[C3:.+]] = arith.constant 0.0550087616 : f32
// CHECK-DAG:   %[[DOWN:.+]] = arith.constant 0xCB400000 : f32
// CHECK-DAG:   %[[UP:.+]] = arith.constant 0x4B400000 : f32
// CHECK-DAG:   %[[HI:.+]] = arith.constant 3.200000e+01 : f32
// CHECK-DAG:   %[[LO:.+]] = arith.constant -3.200000e+01 : f32
// CHECK-DAG:   %[[BIAS:.+]] = arith.constant 2.885390e+00 : f32
// CHECK-DAG:   %[[SCALE:.+]] = arith.constant -0.180336878 : f32
// CHECK-DAG:   %[[NEGONE:.+]] = arith.constant -1.000000e+00 : f32
// One score on the FMA pipe, as ScoreMath.h's sigmoidFromExp2Argument.
// CHECK:       %[[A:.+]] = arith.mulf %{{.+}}, %[[SCALE]] fastmath<contract> : f32
// CHECK-NEXT:  %[[T0:.+]] = arith.addf %[[A]], %[[BIAS]] fastmath<contract> : f32
// CHECK-NEXT:  %[[T1:.+]] = arith.maximumf %[[T0]], %[[LO]] : f32
// CHECK-NEXT:  %[[T:.+]] = arith.minimumf %[[T1]], %[[HI]] : f32
// CHECK-NEXT:  %[[SH:.+]] = arith.addf %[[T]], %[[UP]] fastmath<contract> : f32
// CHECK-NEXT:  %[[N:.+]] = arith.addf %[[SH]], %[[DOWN]] fastmath<contract> : f32
// CHECK-NEXT:  %[[F:.+]] = arith.subf %[[T]], %[[N]] fastmath<contract> : f32
// CHECK-NEXT:  %[[P1:.+]] = arith.mulf %[[F]], %[[C3]] fastmath<contract> : f32
// CHECK-NEXT:  %[[P2:.+]] = arith.addf %[[P1]], %[[C2]] fastmath<contract> : f32
// CHECK-NEXT:  %[[P3:.+]] = arith.mulf %[[P2]], %[[F]] fastmath<contract> : f32
// CHECK-NEXT:  %[[P4:.+]] = arith.addf %[[P3]], %[[C1]] fastmath<contract> : f32
// CHECK-NEXT:  %[[P5:.+]] = arith.mulf %[[P4]], %[[F]] fastmath<contract> : f32
// CHECK-NEXT:  %[[P:.+]] = arith.addf %[[P5]], %[[ONE]] fastmath<contract> : f32
// CHECK-NEXT:  %[[SHBITS:.+]] = arith.bitcast %[[SH]] : f32 to i32
// CHECK-NEXT:  %[[EXP:.+]] = arith.shli %[[SHBITS]], %c23_i32 : i32
// CHECK-NEXT:  %[[PBITS:.+]] = arith.bitcast %[[P]] : f32 to i32
// CHECK-NEXT:  %[[EBITS:.+]] = arith.addi %[[PBITS]], %[[EXP]] : i32
// CHECK-NEXT:  %[[E:.+]] = arith.bitcast %[[EBITS]] : i32 to f32
// CHECK-NEXT:  %[[NE:.+]] = arith.mulf %[[E]], %[[NEGONE]] fastmath<contract> : f32
// CHECK-NEXT:  %[[ND:.+]] = arith.addf %[[NE]], %[[NEGONE]] fastmath<contract> : f32
// CHECK-NEXT:  %[[NDBITS:.+]] = arith.bitcast %[[ND]] : f32 to i32
// CHECK-NEXT:  %[[YBITS:.+]] = arith.subi %[[MAGIC]], %[[NDBITS]] : i32
// CHECK-NEXT:  %[[Y0:.+]] = arith.bitcast %[[YBITS]] : i32 to f32
// CHECK-NEXT:  %[[R0:.+]] = arith.mulf %[[ND]], %[[Y0]] fastmath<contract> : f32
// CHECK-NEXT:  %[[R1:.+]] = arith.addf %[[R0]], %[[ONE]] fastmath<contract> : f32
// CHECK-NEXT:  %[[Y1A:.+]] = arith.mulf %[[Y0]], %[[R1]] fastmath<contract> : f32
// CHECK-NEXT:  %[[Y1:.+]] = arith.addf %[[Y1A]], %[[Y0]] fastmath<contract> : f32
// CHECK-NEXT:  %[[R2:.+]] = arith.mulf %[[ND]], %[[Y1]] fastmath<contract> : f32
// CHECK-NEXT:  %[[R3:.+]] = arith.addf %[[R2]], %[[ONE]] fastmath<contract> : f32
// CHECK-NEXT:  %[[Y2A:.+]] = arith.mulf %[[Y1]], %[[R3]] fastmath<contract> : f32
// CHECK-NEXT:  arith.addf %[[Y2A]], %[[Y1]] fastmath<contract> : f32
// 2 of 8 on the FMA pipe: 16 polynomials and 48 tanh.approx in all.
// CHECK-COUNT-15: arith.minimumf
// CHECK-NOT:      arith.minimumf
// CHECK:          gpu.return

// ALL-LABEL: gpu.func @full_sigattn
// ALL-NOT:   llvm.intr.tanh
// ALL-COUNT-64: arith.minimumf
// ALL-NOT:   llvm.intr.tanh
// ALL:       gpu.return

// NONE-LABEL: gpu.func @full_sigattn
// NONE-NOT:   arith.minimumf
// NONE-COUNT-64: llvm.intr.tanh
// NONE-NOT:   arith.minimumf
// NONE:       gpu.return

// 3 of 8 with mma.sync: 24 polynomials, 40 tanh.approx.
// SYNC-LABEL: gpu.func @full_sigattn
// SYNC-COUNT-24: arith.minimumf
// SYNC-NOT:   arith.minimumf
// SYNC:       gpu.return

// PTX-LABEL: .entry full_sigattn(
// PTX-NOT:   tanh.approx
// PTX:       min.NaN.f32
// PTX:       fma.rn.f32
// PTX-NOT:   tanh.approx
// PTX:       ret;

func.func @full(%q: tensor<?x?x2x64xbf16>, %k: tensor<?x?x2x64xbf16>, %v: tensor<?x?x2x64xbf16>) -> tensor<?x?x2x64xbf16> {
  %o = sigattn.attention %q, %k, %v scale = 0.125 bias = -2.0 : tensor<?x?x2x64xbf16>, tensor<?x?x2x64xbf16>, tensor<?x?x2x64xbf16> -> tensor<?x?x2x64xbf16>
  return %o : tensor<?x?x2x64xbf16>
}
