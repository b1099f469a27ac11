// Every supported configuration assembles for sm_90a with no spill: D = Dv
// in {64, 128, 256} x {bf16, f16} x {no mask, causal, window}, with ALiBi
// ([Hq], [B, Hq]) and GQA/MQA spread over them, and Dv = 256 with D = 64, 128
// (the default tiles follow the larger head dim).
// REQUIRES: ptxas
// RUN: sigattn-opt %s --sigattn-gpu-pipeline="mma=sync ptx-output=%t.ptx" -o /dev/null
// RUN: %ptxas -arch=sm_90a -v %t.ptx -o %t.cubin 2>&1 | FileCheck %s --implicit-check-not="spill stores"
// The same configurations with mma=wgmma (the default for sm_90a, then one
// and two warpgroups): no spill, and no ptxas advisory (C75xx) that wgmma
// was serialized or that it had to insert fences for registers written
// inside the wgmma pipeline.
// RUN: sigattn-opt %s --sigattn-gpu-pipeline="ptx-output=%t.wg0.ptx" -o /dev/null
// RUN: %ptxas -arch=sm_90a -v %t.wg0.ptx -o %t.wg0.cubin 2>&1 | FileCheck %s --implicit-check-not="spill stores" --implicit-check-not=C75
// RUN: sigattn-opt %s --sigattn-gpu-pipeline="mma=wgmma block-q=64 block-k=64 num-warps=4 ptx-output=%t.wg1.ptx" -o /dev/null
// RUN: %ptxas -arch=sm_90a -v %t.wg1.ptx -o %t.wg1.cubin 2>&1 | FileCheck %s --implicit-check-not="spill stores" --implicit-check-not=C75
// RUN: sigattn-opt %s --sigattn-gpu-pipeline="mma=wgmma block-q=128 block-k=64 num-warps=8 ptx-output=%t.wg2.ptx" -o /dev/null
// RUN: %ptxas -arch=sm_90a -v %t.wg2.ptx -o %t.wg2.cubin 2>&1 | FileCheck %s --implicit-check-not="spill stores" --implicit-check-not=C75
// wgmma with cp.async loads (loads=cp.async) at its former defaults.
// RUN: sigattn-opt %s --sigattn-gpu-pipeline="loads=cp.async ptx-output=%t.wg3.ptx" -o /dev/null
// RUN: %ptxas -arch=sm_90a -v %t.wg3.ptx -o %t.wg3.cubin 2>&1 | FileCheck %s --implicit-check-not="spill stores" --implicit-check-not=C75
// Warp specialization (a producer warpgroup, setmaxnreg, the S of the next
// tile in flight under this tile's sigmoid) at its default ring (3 stages
// where they fit, else 2), with 2 stages, and with 4 stages of 32 keys: no
// spill in the computing warps' 232-240 registers or the producer's 24, no
// C75xx.
// RUN: sigattn-opt %s --sigattn-gpu-pipeline="schedule=specialized ptx-output=%t.ws0.ptx" -o /dev/null
// RUN: %ptxas -arch=sm_90a -v %t.ws0.ptx -o %t.ws0.cubin 2>&1 | FileCheck %s --implicit-check-not="spill stores" --implicit-check-not=C75
// RUN: sigattn-opt %s --sigattn-gpu-pipeline="schedule=specialized kv-stages=2 ptx-output=%t.ws1.ptx" -o /dev/null
// RUN: %ptxas -arch=sm_90a -v %t.ws1.ptx -o %t.ws1.cubin 2>&1 | FileCheck %s --implicit-check-not="spill stores" --implicit-check-not=C75
// RUN: sigattn-opt %s --sigattn-gpu-pipeline="schedule=specialized block-q=128 block-k=32 num-warps=8 kv-stages=4 ptx-output=%t.ws2.ptx" -o /dev/null
// RUN: %ptxas -arch=sm_90a -v %t.ws2.ptx -o %t.ws2.cubin 2>&1 | FileCheck %s --implicit-check-not="spill stores" --implicit-check-not=C75
// Turns between two computing warpgroups (3 stages where they fit; D = 256
// keeps 2 stages and no turns), and the sigmoid partly on the FMA pipe.
// RUN: sigattn-opt %s --sigattn-gpu-pipeline="schedule=specialized block-q=128 num-warps=8 pingpong=true ptx-output=%t.pp.ptx" -o /dev/null
// RUN: %ptxas -arch=sm_90a -v %t.pp.ptx -o %t.pp.cubin 2>&1 | FileCheck %s --implicit-check-not="spill stores" --implicit-check-not=C75
// RUN: sigattn-opt %s --sigattn-gpu-pipeline="poly-sigmoid=3 ptx-output=%t.poly.ptx" -o /dev/null
// RUN: %ptxas -arch=sm_90a -v %t.poly.ptx -o %t.poly.cubin 2>&1 | FileCheck %s --implicit-check-not="spill stores" --implicit-check-not=C75

// CHECK-COUNT-20: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads

func.func @bf16_d64_nomask(%q: tensor<?x?x8x64xbf16>, %k: tensor<?x?x8x64xbf16>, %v: tensor<?x?x8x64xbf16>) -> tensor<?x?x8x64xbf16> {
  %o = sigattn.attention %q, %k, %v bias = -2.0 : tensor<?x?x8x64xbf16>, tensor<?x?x8x64xbf16>, tensor<?x?x8x64xbf16> -> tensor<?x?x8x64xbf16>
  return %o : tensor<?x?x8x64xbf16>
}
func.func @bf16_d64_causal(%q: tensor<?x?x8x64xbf16>, %k: tensor<?x?x2x64xbf16>, %v: tensor<?x?x2x64xbf16>, %s: tensor<8xf32>) -> tensor<?x?x8x64xbf16> {
  %o = sigattn.attention %q, %k, %v alibi(%s : tensor<8xf32>) causal bias = -2.0 : tensor<?x?x8x64xbf16>, tensor<?x?x2x64xbf16>, tensor<?x?x2x64xbf16> -> tensor<?x?x8x64xbf16>
  return %o : tensor<?x?x8x64xbf16>
}
func.func @bf16_d64_window(%q: tensor<?x?x8x64xbf16>, %k: tensor<?x?x1x64xbf16>, %v: tensor<?x?x1x64xbf16>, %s: tensor<?x8xf32>) -> tensor<?x?x8x64xbf16> {
  %o = sigattn.attention %q, %k, %v alibi(%s : tensor<?x8xf32>) window = [100, 17] bias = -2.0 : tensor<?x?x8x64xbf16>, tensor<?x?x1x64xbf16>, tensor<?x?x1x64xbf16> -> tensor<?x?x8x64xbf16>
  return %o : tensor<?x?x8x64xbf16>
}
func.func @bf16_d128_nomask(%q: tensor<?x?x8x128xbf16>, %k: tensor<?x?x8x128xbf16>, %v: tensor<?x?x8x128xbf16>) -> tensor<?x?x8x128xbf16> {
  %o = sigattn.attention %q, %k, %v bias = -2.0 : tensor<?x?x8x128xbf16>, tensor<?x?x8x128xbf16>, tensor<?x?x8x128xbf16> -> tensor<?x?x8x128xbf16>
  return %o : tensor<?x?x8x128xbf16>
}
func.func @bf16_d128_causal(%q: tensor<?x?x8x128xbf16>, %k: tensor<?x?x2x128xbf16>, %v: tensor<?x?x2x128xbf16>, %s: tensor<8xf32>) -> tensor<?x?x8x128xbf16> {
  %o = sigattn.attention %q, %k, %v alibi(%s : tensor<8xf32>) causal bias = -2.0 : tensor<?x?x8x128xbf16>, tensor<?x?x2x128xbf16>, tensor<?x?x2x128xbf16> -> tensor<?x?x8x128xbf16>
  return %o : tensor<?x?x8x128xbf16>
}
func.func @bf16_d128_window(%q: tensor<?x?x8x128xbf16>, %k: tensor<?x?x1x128xbf16>, %v: tensor<?x?x1x128xbf16>, %s: tensor<?x8xf32>) -> tensor<?x?x8x128xbf16> {
  %o = sigattn.attention %q, %k, %v alibi(%s : tensor<?x8xf32>) window = [100, 17] bias = -2.0 : tensor<?x?x8x128xbf16>, tensor<?x?x1x128xbf16>, tensor<?x?x1x128xbf16> -> tensor<?x?x8x128xbf16>
  return %o : tensor<?x?x8x128xbf16>
}
func.func @bf16_d256_nomask(%q: tensor<?x?x8x256xbf16>, %k: tensor<?x?x8x256xbf16>, %v: tensor<?x?x8x256xbf16>) -> tensor<?x?x8x256xbf16> {
  %o = sigattn.attention %q, %k, %v bias = -2.0 : tensor<?x?x8x256xbf16>, tensor<?x?x8x256xbf16>, tensor<?x?x8x256xbf16> -> tensor<?x?x8x256xbf16>
  return %o : tensor<?x?x8x256xbf16>
}
func.func @bf16_d256_causal(%q: tensor<?x?x8x256xbf16>, %k: tensor<?x?x2x256xbf16>, %v: tensor<?x?x2x256xbf16>, %s: tensor<8xf32>) -> tensor<?x?x8x256xbf16> {
  %o = sigattn.attention %q, %k, %v alibi(%s : tensor<8xf32>) causal bias = -2.0 : tensor<?x?x8x256xbf16>, tensor<?x?x2x256xbf16>, tensor<?x?x2x256xbf16> -> tensor<?x?x8x256xbf16>
  return %o : tensor<?x?x8x256xbf16>
}
func.func @bf16_d256_window(%q: tensor<?x?x8x256xbf16>, %k: tensor<?x?x1x256xbf16>, %v: tensor<?x?x1x256xbf16>, %s: tensor<?x8xf32>) -> tensor<?x?x8x256xbf16> {
  %o = sigattn.attention %q, %k, %v alibi(%s : tensor<?x8xf32>) window = [100, 17] bias = -2.0 : tensor<?x?x8x256xbf16>, tensor<?x?x1x256xbf16>, tensor<?x?x1x256xbf16> -> tensor<?x?x8x256xbf16>
  return %o : tensor<?x?x8x256xbf16>
}
func.func @f16_d64_nomask(%q: tensor<?x?x8x64xf16>, %k: tensor<?x?x8x64xf16>, %v: tensor<?x?x8x64xf16>) -> tensor<?x?x8x64xf16> {
  %o = sigattn.attention %q, %k, %v bias = -2.0 : tensor<?x?x8x64xf16>, tensor<?x?x8x64xf16>, tensor<?x?x8x64xf16> -> tensor<?x?x8x64xf16>
  return %o : tensor<?x?x8x64xf16>
}
func.func @f16_d64_causal(%q: tensor<?x?x8x64xf16>, %k: tensor<?x?x2x64xf16>, %v: tensor<?x?x2x64xf16>, %s: tensor<8xf32>) -> tensor<?x?x8x64xf16> {
  %o = sigattn.attention %q, %k, %v alibi(%s : tensor<8xf32>) causal bias = -2.0 : tensor<?x?x8x64xf16>, tensor<?x?x2x64xf16>, tensor<?x?x2x64xf16> -> tensor<?x?x8x64xf16>
  return %o : tensor<?x?x8x64xf16>
}
func.func @f16_d64_window(%q: tensor<?x?x8x64xf16>, %k: tensor<?x?x1x64xf16>, %v: tensor<?x?x1x64xf16>, %s: tensor<?x8xf32>) -> tensor<?x?x8x64xf16> {
  %o = sigattn.attention %q, %k, %v alibi(%s : tensor<?x8xf32>) window = [100, 17] bias = -2.0 : tensor<?x?x8x64xf16>, tensor<?x?x1x64xf16>, tensor<?x?x1x64xf16> -> tensor<?x?x8x64xf16>
  return %o : tensor<?x?x8x64xf16>
}
func.func @f16_d128_nomask(%q: tensor<?x?x8x128xf16>, %k: tensor<?x?x8x128xf16>, %v: tensor<?x?x8x128xf16>) -> tensor<?x?x8x128xf16> {
  %o = sigattn.attention %q, %k, %v bias = -2.0 : tensor<?x?x8x128xf16>, tensor<?x?x8x128xf16>, tensor<?x?x8x128xf16> -> tensor<?x?x8x128xf16>
  return %o : tensor<?x?x8x128xf16>
}
func.func @f16_d128_causal(%q: tensor<?x?x8x128xf16>, %k: tensor<?x?x2x128xf16>, %v: tensor<?x?x2x128xf16>, %s: tensor<8xf32>) -> tensor<?x?x8x128xf16> {
  %o = sigattn.attention %q, %k, %v alibi(%s : tensor<8xf32>) causal bias = -2.0 : tensor<?x?x8x128xf16>, tensor<?x?x2x128xf16>, tensor<?x?x2x128xf16> -> tensor<?x?x8x128xf16>
  return %o : tensor<?x?x8x128xf16>
}
func.func @f16_d128_window(%q: tensor<?x?x8x128xf16>, %k: tensor<?x?x1x128xf16>, %v: tensor<?x?x1x128xf16>, %s: tensor<?x8xf32>) -> tensor<?x?x8x128xf16> {
  %o = sigattn.attention %q, %k, %v alibi(%s : tensor<?x8xf32>) window = [100, 17] bias = -2.0 : tensor<?x?x8x128xf16>, tensor<?x?x1x128xf16>, tensor<?x?x1x128xf16> -> tensor<?x?x8x128xf16>
  return %o : tensor<?x?x8x128xf16>
}
func.func @f16_d256_nomask(%q: tensor<?x?x8x256xf16>, %k: tensor<?x?x8x256xf16>, %v: tensor<?x?x8x256xf16>) -> tensor<?x?x8x256xf16> {
  %o = sigattn.attention %q, %k, %v bias = -2.0 : tensor<?x?x8x256xf16>, tensor<?x?x8x256xf16>, tensor<?x?x8x256xf16> -> tensor<?x?x8x256xf16>
  return %o : tensor<?x?x8x256xf16>
}
func.func @f16_d256_causal(%q: tensor<?x?x8x256xf16>, %k: tensor<?x?x2x256xf16>, %v: tensor<?x?x2x256xf16>, %s: tensor<8xf32>) -> tensor<?x?x8x256xf16> {
  %o = sigattn.attention %q, %k, %v alibi(%s : tensor<8xf32>) causal bias = -2.0 : tensor<?x?x8x256xf16>, tensor<?x?x2x256xf16>, tensor<?x?x2x256xf16> -> tensor<?x?x8x256xf16>
  return %o : tensor<?x?x8x256xf16>
}
func.func @f16_d256_window(%q: tensor<?x?x8x256xf16>, %k: tensor<?x?x1x256xf16>, %v: tensor<?x?x1x256xf16>, %s: tensor<?x8xf32>) -> tensor<?x?x8x256xf16> {
  %o = sigattn.attention %q, %k, %v alibi(%s : tensor<?x8xf32>) window = [100, 17] bias = -2.0 : tensor<?x?x8x256xf16>, tensor<?x?x1x256xf16>, tensor<?x?x1x256xf16> -> tensor<?x?x8x256xf16>
  return %o : tensor<?x?x8x256xf16>
}
func.func @bf16_d64_dv256(%q: tensor<?x?x8x64xbf16>, %k: tensor<?x?x2x64xbf16>, %v: tensor<?x?x2x256xbf16>) -> tensor<?x?x8x256xbf16> {
  %o = sigattn.attention %q, %k, %v causal bias = -2.0 : tensor<?x?x8x64xbf16>, tensor<?x?x2x64xbf16>, tensor<?x?x2x256xbf16> -> tensor<?x?x8x256xbf16>
  return %o : tensor<?x?x8x256xbf16>
}
func.func @f16_d128_dv256(%q: tensor<?x?x8x128xf16>, %k: tensor<?x?x8x128xf16>, %v: tensor<?x?x8x256xf16>) -> tensor<?x?x8x256xf16> {
  %o = sigattn.attention %q, %k, %v window = [100, 17] bias = -2.0 : tensor<?x?x8x128xf16>, tensor<?x?x8x128xf16>, tensor<?x?x8x256xf16> -> tensor<?x?x8x256xf16>
  return %o : tensor<?x?x8x256xf16>
}
