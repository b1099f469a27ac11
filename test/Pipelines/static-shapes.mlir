// Every mix of static and dynamic B, Nq, Nk compiles through the GPU
// pipeline: sizes of 1, a block - 1, a block, a block + 1 and large ones,
// with every kind of mask. Canonicalization folds the key/value loops that
// static sizes make single-trip or empty; the lowering recognises the tile
// steps that remain. One module, so one PTX that ptxas checks at once:
// with wgmma (the default for sm_90a; no advisory that wgmma was
// serialized) and with mma.sync.
// RUN: sigattn-opt %s --sigattn-gpu-pipeline="ptx-output=%t.ptx" -o /dev/null
// RUN: FileCheck %s --input-file=%t.ptx
// RUN: %if ptxas %{ %ptxas -arch=sm_90a -v %t.ptx -o /dev/null 2>&1 | FileCheck %s --check-prefix=PTXAS --implicit-check-not="spill stores" --implicit-check-not=C75 %}
// Four warpgroups per block (512 threads, at most 128 registers each): no
// spill either.
// RUN: sigattn-opt %s --sigattn-gpu-pipeline="block-q=256 block-k=64 num-warps=16 ptx-output=%t.wg16.ptx" -o /dev/null
// RUN: %if ptxas %{ %ptxas -arch=sm_90a -v %t.wg16.ptx -o /dev/null 2>&1 | FileCheck %s --check-prefix=PTXAS --implicit-check-not="spill stores" --implicit-check-not=C75 %}
// RUN: sigattn-opt %s --sigattn-gpu-pipeline="loads=cp.async ptx-output=%t.cp.ptx" -o /dev/null
// RUN: %if ptxas %{ %ptxas -arch=sm_90a -v %t.cp.ptx -o /dev/null 2>&1 | FileCheck %s --check-prefix=PTXAS --implicit-check-not="spill stores" --implicit-check-not=C75 %}
// Warp-specialized (single-tile ranges go through the producer and the
// computing warps' plain step, several ranges continue the ring):
// RUN: sigattn-opt %s --sigattn-gpu-pipeline="schedule=specialized ptx-output=%t.ws.ptx" -o /dev/null
// RUN: %if ptxas %{ %ptxas -arch=sm_90a -v %t.ws.ptx -o /dev/null 2>&1 | FileCheck %s --check-prefix=PTXAS --implicit-check-not="spill stores" --implicit-check-not=C75 %}
// RUN: sigattn-opt %s --sigattn-gpu-pipeline="mma=sync ptx-output=%t.sync.ptx" -o /dev/null
// RUN: FileCheck %s --input-file=%t.sync.ptx
// RUN: %if ptxas %{ %ptxas -arch=sm_90a -v %t.sync.ptx -o /dev/null 2>&1 | FileCheck %s --check-prefix=PTXAS --implicit-check-not="spill stores" %}
// Every kernel asks for one block per SM, so ptxas does not cap registers
// (and spill) on the straight-line kernels that static sizes give.
// PTXAS-COUNT-54: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// CHECK-DAG: .minnctapersm 1
// CHECK-DAG: .entry d128_b1_q127_k31_causal_sigattn(
// CHECK-DAG: .entry d128_b1_q127_k31_full_sigattn(
// CHECK-DAG: .entry d128_b1_q129_k33_causal_sigattn(
// CHECK-DAG: .entry d128_b1_q129_k33_full_sigattn(
// CHECK-DAG: .entry d128_b2_q128_k32_causal_sigattn(
// CHECK-DAG: .entry d128_b2_q128_k32_full_sigattn(
// CHECK-DAG: .entry d128_b2_q1_k16_causal_sigattn(
// CHECK-DAG: .entry d128_b2_q1_k16_full_sigattn(
// CHECK-DAG: .entry d128_b2_q1_k1_causal_sigattn(
// CHECK-DAG: .entry d128_b2_q1_k1_full_sigattn(
// CHECK-DAG: .entry d128_b2_q300_k1024_causal_sigattn(
// CHECK-DAG: .entry d128_b2_q300_k1024_full_sigattn(
// CHECK-DAG: .entry d128_b3_qx_k17_causal_sigattn(
// CHECK-DAG: .entry d128_b3_qx_k17_full_sigattn(
// CHECK-DAG: .entry d128_bx_q1_kx_causal_sigattn(
// CHECK-DAG: .entry d128_bx_q1_kx_full_sigattn(
// CHECK-DAG: .entry d128_bx_qx_k1000_causal_sigattn(
// CHECK-DAG: .entry d128_bx_qx_k1000_full_sigattn(
// CHECK-DAG: .entry d64_b1_q127_k31_causal_sigattn(
// CHECK-DAG: .entry d64_b1_q127_k31_full_sigattn(
// CHECK-DAG: .entry d64_b1_q127_k31_left0_sigattn(
// CHECK-DAG: .entry d64_b1_q127_k31_win_sigattn(
// CHECK-DAG: .entry d64_b1_q129_k33_causal_sigattn(
// CHECK-DAG: .entry d64_b1_q129_k33_full_sigattn(
// CHECK-DAG: .entry d64_b1_q129_k33_left0_sigattn(
// CHECK-DAG: .entry d64_b1_q129_k33_win_sigattn(
// CHECK-DAG: .entry d64_b2_q128_k32_causal_sigattn(
// CHECK-DAG: .entry d64_b2_q128_k32_full_sigattn(
// CHECK-DAG: .entry d64_b2_q128_k32_left0_sigattn(
// CHECK-DAG: .entry d64_b2_q128_k32_win_sigattn(
// CHECK-DAG: .entry d64_b2_q1_k16_causal_sigattn(
// CHECK-DAG: .entry d64_b2_q1_k16_full_sigattn(
// CHECK-DAG: .entry d64_b2_q1_k16_left0_sigattn(
// CHECK-DAG: .entry d64_b2_q1_k16_win_sigattn(
// CHECK-DAG: .entry d64_b2_q1_k1_causal_sigattn(
// CHECK-DAG: .entry d64_b2_q1_k1_full_sigattn(
// CHECK-DAG: .entry d64_b2_q1_k1_left0_sigattn(
// CHECK-DAG: .entry d64_b2_q1_k1_win_sigattn(
// CHECK-DAG: .entry d64_b2_q300_k1024_causal_sigattn(
// CHECK-DAG: .entry d64_b2_q300_k1024_full_sigattn(
// CHECK-DAG: .entry d64_b2_q300_k1024_left0_sigattn(
// CHECK-DAG: .entry d64_b2_q300_k1024_win_sigattn(
// CHECK-DAG: .entry d64_b3_qx_k17_causal_sigattn(
// CHECK-DAG: .entry d64_b3_qx_k17_full_sigattn(
// CHECK-DAG: .entry d64_b3_qx_k17_left0_sigattn(
// CHECK-DAG: .entry d64_b3_qx_k17_win_sigattn(
// CHECK-DAG: .entry d64_bx_q1_kx_causal_sigattn(
// CHECK-DAG: .entry d64_bx_q1_kx_full_sigattn(
// CHECK-DAG: .entry d64_bx_q1_kx_left0_sigattn(
// CHECK-DAG: .entry d64_bx_q1_kx_win_sigattn(
// CHECK-DAG: .entry d64_bx_qx_k1000_causal_sigattn(
// CHECK-DAG: .entry d64_bx_qx_k1000_full_sigattn(
// CHECK-DAG: .entry d64_bx_qx_k1000_left0_sigattn(
// CHECK-DAG: .entry d64_bx_qx_k1000_win_sigattn(

func.func @d64_b2_q1_k1_full(%q: tensor<2x1x4x64xbf16>, %k: tensor<2x1x2x64xbf16>, %v: tensor<2x1x2x64xbf16>) -> tensor<2x1x4x64xbf16> {
  %o = sigattn.attention %q, %k, %v : tensor<2x1x4x64xbf16>, tensor<2x1x2x64xbf16>, tensor<2x1x2x64xbf16> -> tensor<2x1x4x64xbf16>
  return %o : tensor<2x1x4x64xbf16>
}

func.func @d64_b2_q1_k1_causal(%q: tensor<2x1x4x64xbf16>, %k: tensor<2x1x2x64xbf16>, %v: tensor<2x1x2x64xbf16>) -> tensor<2x1x4x64xbf16> {
  %o = sigattn.attention %q, %k, %v causal : tensor<2x1x4x64xbf16>, tensor<2x1x2x64xbf16>, tensor<2x1x2x64xbf16> -> tensor<2x1x4x64xbf16>
  return %o : tensor<2x1x4x64xbf16>
}

func.func @d64_b2_q1_k1_win(%q: tensor<2x1x4x64xbf16>, %k: tensor<2x1x2x64xbf16>, %v: tensor<2x1x2x64xbf16>) -> tensor<2x1x4x64xbf16> {
  %o = sigattn.attention %q, %k, %v window = [100, 3] : tensor<2x1x4x64xbf16>, tensor<2x1x2x64xbf16>, tensor<2x1x2x64xbf16> -> tensor<2x1x4x64xbf16>
  return %o : tensor<2x1x4x64xbf16>
}

func.func @d64_b2_q1_k1_left0(%q: tensor<2x1x4x64xbf16>, %k: tensor<2x1x2x64xbf16>, %v: tensor<2x1x2x64xbf16>) -> tensor<2x1x4x64xbf16> {
  %o = sigattn.attention %q, %k, %v window = [0, -1] : tensor<2x1x4x64xbf16>, tensor<2x1x2x64xbf16>, tensor<2x1x2x64xbf16> -> tensor<2x1x4x64xbf16>
  return %o : tensor<2x1x4x64xbf16>
}

func.func @d64_b2_q1_k16_full(%q: tensor<2x1x4x64xbf16>, %k: tensor<2x16x2x64xbf16>, %v: tensor<2x16x2x64xbf16>) -> tensor<2x1x4x64xbf16> {
  %o = sigattn.attention %q, %k, %v : tensor<2x1x4x64xbf16>, tensor<2x16x2x64xbf16>, tensor<2x16x2x64xbf16> -> tensor<2x1x4x64xbf16>
  return %o : tensor<2x1x4x64xbf16>
}

func.func @d64_b2_q1_k16_causal(%q: tensor<2x1x4x64xbf16>, %k: tensor<2x16x2x64xbf16>, %v: tensor<2x16x2x64xbf16>) -> tensor<2x1x4x64xbf16> {
  %o = sigattn.attention %q, %k, %v causal : tensor<2x1x4x64xbf16>, tensor<2x16x2x64xbf16>, tensor<2x16x2x64xbf16> -> tensor<2x1x4x64xbf16>
  return %o : tensor<2x1x4x64xbf16>
}

func.func @d64_b2_q1_k16_win(%q: tensor<2x1x4x64xbf16>, %k: tensor<2x16x2x64xbf16>, %v: tensor<2x16x2x64xbf16>) -> tensor<2x1x4x64xbf16> {
  %o = sigattn.attention %q, %k, %v window = [100, 3] : tensor<2x1x4x64xbf16>, tensor<2x16x2x64xbf16>, tensor<2x16x2x64xbf16> -> tensor<2x1x4x64xbf16>
  return %o : tensor<2x1x4x64xbf16>
}

func.func @d64_b2_q1_k16_left0(%q: tensor<2x1x4x64xbf16>, %k: tensor<2x16x2x64xbf16>, %v: tensor<2x16x2x64xbf16>) -> tensor<2x1x4x64xbf16> {
  %o = sigattn.attention %q, %k, %v window = [0, -1] : tensor<2x1x4x64xbf16>, tensor<2x16x2x64xbf16>, tensor<2x16x2x64xbf16> -> tensor<2x1x4x64xbf16>
  return %o : tensor<2x1x4x64xbf16>
}

func.func @d64_b1_q127_k31_full(%q: tensor<1x127x4x64xbf16>, %k: tensor<1x31x2x64xbf16>, %v: tensor<1x31x2x64xbf16>) -> tensor<1x127x4x64xbf16> {
  %o = sigattn.attention %q, %k, %v : tensor<1x127x4x64xbf16>, tensor<1x31x2x64xbf16>, tensor<1x31x2x64xbf16> -> tensor<1x127x4x64xbf16>
  return %o : tensor<1x127x4x64xbf16>
}

func.func @d64_b1_q127_k31_causal(%q: tensor<1x127x4x64xbf16>, %k: tensor<1x31x2x64xbf16>, %v: tensor<1x31x2x64xbf16>) -> tensor<1x127x4x64xbf16> {
  %o = sigattn.attention %q, %k, %v causal : tensor<1x127x4x64xbf16>, tensor<1x31x2x64xbf16>, tensor<1x31x2x64xbf16> -> tensor<1x127x4x64xbf16>
  return %o : tensor<1x127x4x64xbf16>
}

func.func @d64_b1_q127_k31_win(%q: tensor<1x127x4x64xbf16>, %k: tensor<1x31x2x64xbf16>, %v: tensor<1x31x2x64xbf16>) -> tensor<1x127x4x64xbf16> {
  %o = sigattn.attention %q, %k, %v window = [100, 3] : tensor<1x127x4x64xbf16>, tensor<1x31x2x64xbf16>, tensor<1x31x2x64xbf16> -> tensor<1x127x4x64xbf16>
  return %o : tensor<1x127x4x64xbf16>
}

func.func @d64_b1_q127_k31_left0(%q: tensor<1x127x4x64xbf16>, %k: tensor<1x31x2x64xbf16>, %v: tensor<1x31x2x64xbf16>) -> tensor<1x127x4x64xbf16> {
  %o = sigattn.attention %q, %k, %v window = [0, -1] : tensor<1x127x4x64xbf16>, tensor<1x31x2x64xbf16>, tensor<1x31x2x64xbf16> -> tensor<1x127x4x64xbf16>
  return %o : tensor<1x127x4x64xbf16>
}

func.func @d64_b2_q128_k32_full(%q: tensor<2x128x4x64xbf16>, %k: tensor<2x32x2x64xbf16>, %v: tensor<2x32x2x64xbf16>) -> tensor<2x128x4x64xbf16> {
  %o = sigattn.attention %q, %k, %v : tensor<2x128x4x64xbf16>, tensor<2x32x2x64xbf16>, tensor<2x32x2x64xbf16> -> tensor<2x128x4x64xbf16>
  return %o : tensor<2x128x4x64xbf16>
}

func.func @d64_b2_q128_k32_causal(%q: tensor<2x128x4x64xbf16>, %k: tensor<2x32x2x64xbf16>, %v: tensor<2x32x2x64xbf16>) -> tensor<2x128x4x64xbf16> {
  %o = sigattn.attention %q, %k, %v causal : tensor<2x128x4x64xbf16>, tensor<2x32x2x64xbf16>, tensor<2x32x2x64xbf16> -> tensor<2x128x4x64xbf16>
  return %o : tensor<2x128x4x64xbf16>
}

func.func @d64_b2_q128_k32_win(%q: tensor<2x128x4x64xbf16>, %k: tensor<2x32x2x64xbf16>, %v: tensor<2x32x2x64xbf16>) -> tensor<2x128x4x64xbf16> {
  %o = sigattn.attention %q, %k, %v window = [100, 3] : tensor<2x128x4x64xbf16>, tensor<2x32x2x64xbf16>, tensor<2x32x2x64xbf16> -> tensor<2x128x4x64xbf16>
  return %o : tensor<2x128x4x64xbf16>
}

func.func @d64_b2_q128_k32_left0(%q: tensor<2x128x4x64xbf16>, %k: tensor<2x32x2x64xbf16>, %v: tensor<2x32x2x64xbf16>) -> tensor<2x128x4x64xbf16> {
  %o = sigattn.attention %q, %k, %v window = [0, -1] : tensor<2x128x4x64xbf16>, tensor<2x32x2x64xbf16>, tensor<2x32x2x64xbf16> -> tensor<2x128x4x64xbf16>
  return %o : tensor<2x128x4x64xbf16>
}

func.func @d64_b1_q129_k33_full(%q: tensor<1x129x4x64xbf16>, %k: tensor<1x33x2x64xbf16>, %v: tensor<1x33x2x64xbf16>) -> tensor<1x129x4x64xbf16> {
  %o = sigattn.attention %q, %k, %v : tensor<1x129x4x64xbf16>, tensor<1x33x2x64xbf16>, tensor<1x33x2x64xbf16> -> tensor<1x129x4x64xbf16>
  return %o : tensor<1x129x4x64xbf16>
}

func.func @d64_b1_q129_k33_causal(%q: tensor<1x129x4x64xbf16>, %k: tensor<1x33x2x64xbf16>, %v: tensor<1x33x2x64xbf16>) -> tensor<1x129x4x64xbf16> {
  %o = sigattn.attention %q, %k, %v causal : tensor<1x129x4x64xbf16>, tensor<1x33x2x64xbf16>, tensor<1x33x2x64xbf16> -> tensor<1x129x4x64xbf16>
  return %o : tensor<1x129x4x64xbf16>
}

func.func @d64_b1_q129_k33_win(%q: tensor<1x129x4x64xbf16>, %k: tensor<1x33x2x64xbf16>, %v: tensor<1x33x2x64xbf16>) -> tensor<1x129x4x64xbf16> {
  %o = sigattn.attention %q, %k, %v window = [100, 3] : tensor<1x129x4x64xbf16>, tensor<1x33x2x64xbf16>, tensor<1x33x2x64xbf16> -> tensor<1x129x4x64xbf16>
  return %o : tensor<1x129x4x64xbf16>
}

func.func @d64_b1_q129_k33_left0(%q: tensor<1x129x4x64xbf16>, %k: tensor<1x33x2x64xbf16>, %v: tensor<1x33x2x64xbf16>) -> tensor<1x129x4x64xbf16> {
  %o = sigattn.attention %q, %k, %v window = [0, -1] : tensor<1x129x4x64xbf16>, tensor<1x33x2x64xbf16>, tensor<1x33x2x64xbf16> -> tensor<1x129x4x64xbf16>
  return %o : tensor<1x129x4x64xbf16>
}

func.func @d64_bx_qx_k1000_full(%q: tensor<?x?x4x64xbf16>, %k: tensor<?x1000x2x64xbf16>, %v: tensor<?x1000x2x64xbf16>) -> tensor<?x?x4x64xbf16> {
  %o = sigattn.attention %q, %k, %v : tensor<?x?x4x64xbf16>, tensor<?x1000x2x64xbf16>, tensor<?x1000x2x64xbf16> -> tensor<?x?x4x64xbf16>
  return %o : tensor<?x?x4x64xbf16>
}

func.func @d64_bx_qx_k1000_causal(%q: tensor<?x?x4x64xbf16>, %k: tensor<?x1000x2x64xbf16>, %v: tensor<?x1000x2x64xbf16>) -> tensor<?x?x4x64xbf16> {
  %o = sigattn.attention %q, %k, %v causal : tensor<?x?x4x64xbf16>, tensor<?x1000x2x64xbf16>, tensor<?x1000x2x64xbf16> -> tensor<?x?x4x64xbf16>
  return %o : tensor<?x?x4x64xbf16>
}

func.func @d64_bx_qx_k1000_win(%q: tensor<?x?x4x64xbf16>, %k: tensor<?x1000x2x64xbf16>, %v: tensor<?x1000x2x64xbf16>) -> tensor<?x?x4x64xbf16> {
  %o = sigattn.attention %q, %k, %v window = [100, 3] : tensor<?x?x4x64xbf16>, tensor<?x1000x2x64xbf16>, tensor<?x1000x2x64xbf16> -> tensor<?x?x4x64xbf16>
  return %o : tensor<?x?x4x64xbf16>
}

func.func @d64_bx_qx_k1000_left0(%q: tensor<?x?x4x64xbf16>, %k: tensor<?x1000x2x64xbf16>, %v: tensor<?x1000x2x64xbf16>) -> tensor<?x?x4x64xbf16> {
  %o = sigattn.attention %q, %k, %v window = [0, -1] : tensor<?x?x4x64xbf16>, tensor<?x1000x2x64xbf16>, tensor<?x1000x2x64xbf16> -> tensor<?x?x4x64xbf16>
  return %o : tensor<?x?x4x64xbf16>
}

func.func @d64_b2_q300_k1024_full(%q: tensor<2x300x4x64xbf16>, %k: tensor<2x1024x2x64xbf16>, %v: tensor<2x1024x2x64xbf16>) -> tensor<2x300x4x64xbf16> {
  %o = sigattn.attention %q, %k, %v : tensor<2x300x4x64xbf16>, tensor<2x1024x2x64xbf16>, tensor<2x1024x2x64xbf16> -> tensor<2x300x4x64xbf16>
  return %o : tensor<2x300x4x64xbf16>
}

func.func @d64_b2_q300_k1024_causal(%q: tensor<2x300x4x64xbf16>, %k: tensor<2x1024x2x64xbf16>, %v: tensor<2x1024x2x64xbf16>) -> tensor<2x300x4x64xbf16> {
  %o = sigattn.attention %q, %k, %v causal : tensor<2x300x4x64xbf16>, tensor<2x1024x2x64xbf16>, tensor<2x1024x2x64xbf16> -> tensor<2x300x4x64xbf16>
  return %o : tensor<2x300x4x64xbf16>
}

func.func @d64_b2_q300_k1024_win(%q: tensor<2x300x4x64xbf16>, %k: tensor<2x1024x2x64xbf16>, %v: tensor<2x1024x2x64xbf16>) -> tensor<2x300x4x64xbf16> {
  %o = sigattn.attention %q, %k, %v window = [100, 3] : tensor<2x300x4x64xbf16>, tensor<2x1024x2x64xbf16>, tensor<2x1024x2x64xbf16> -> tensor<2x300x4x64xbf16>
  return %o : tensor<2x300x4x64xbf16>
}

func.func @d64_b2_q300_k1024_left0(%q: tensor<2x300x4x64xbf16>, %k: tensor<2x1024x2x64xbf16>, %v: tensor<2x1024x2x64xbf16>) -> tensor<2x300x4x64xbf16> {
  %o = sigattn.attention %q, %k, %v window = [0, -1] : tensor<2x300x4x64xbf16>, tensor<2x1024x2x64xbf16>, tensor<2x1024x2x64xbf16> -> tensor<2x300x4x64xbf16>
  return %o : tensor<2x300x4x64xbf16>
}

func.func @d64_bx_q1_kx_full(%q: tensor<?x1x4x64xbf16>, %k: tensor<?x?x2x64xbf16>, %v: tensor<?x?x2x64xbf16>) -> tensor<?x1x4x64xbf16> {
  %o = sigattn.attention %q, %k, %v : tensor<?x1x4x64xbf16>, tensor<?x?x2x64xbf16>, tensor<?x?x2x64xbf16> -> tensor<?x1x4x64xbf16>
  return %o : tensor<?x1x4x64xbf16>
}

func.func @d64_bx_q1_kx_causal(%q: tensor<?x1x4x64xbf16>, %k: tensor<?x?x2x64xbf16>, %v: tensor<?x?x2x64xbf16>) -> tensor<?x1x4x64xbf16> {
  %o = sigattn.attention %q, %k, %v causal : tensor<?x1x4x64xbf16>, tensor<?x?x2x64xbf16>, tensor<?x?x2x64xbf16> -> tensor<?x1x4x64xbf16>
  return %o : tensor<?x1x4x64xbf16>
}

func.func @d64_bx_q1_kx_win(%q: tensor<?x1x4x64xbf16>, %k: tensor<?x?x2x64xbf16>, %v: tensor<?x?x2x64xbf16>) -> tensor<?x1x4x64xbf16> {
  %o = sigattn.attention %q, %k, %v window = [100, 3] : tensor<?x1x4x64xbf16>, tensor<?x?x2x64xbf16>, tensor<?x?x2x64xbf16> -> tensor<?x1x4x64xbf16>
  return %o : tensor<?x1x4x64xbf16>
}

func.func @d64_bx_q1_kx_left0(%q: tensor<?x1x4x64xbf16>, %k: tensor<?x?x2x64xbf16>, %v: tensor<?x?x2x64xbf16>) -> tensor<?x1x4x64xbf16> {
  %o = sigattn.attention %q, %k, %v window = [0, -1] : tensor<?x1x4x64xbf16>, tensor<?x?x2x64xbf16>, tensor<?x?x2x64xbf16> -> tensor<?x1x4x64xbf16>
  return %o : tensor<?x1x4x64xbf16>
}

func.func @d64_b3_qx_k17_full(%q: tensor<3x?x4x64xbf16>, %k: tensor<3x17x2x64xbf16>, %v: tensor<3x17x2x64xbf16>) -> tensor<3x?x4x64xbf16> {
  %o = sigattn.attention %q, %k, %v : tensor<3x?x4x64xbf16>, tensor<3x17x2x64xbf16>, tensor<3x17x2x64xbf16> -> tensor<3x?x4x64xbf16>
  return %o : tensor<3x?x4x64xbf16>
}

func.func @d64_b3_qx_k17_causal(%q: tensor<3x?x4x64xbf16>, %k: tensor<3x17x2x64xbf16>, %v: tensor<3x17x2x64xbf16>) -> tensor<3x?x4x64xbf16> {
  %o = sigattn.attention %q, %k, %v causal : tensor<3x?x4x64xbf16>, tensor<3x17x2x64xbf16>, tensor<3x17x2x64xbf16> -> tensor<3x?x4x64xbf16>
  return %o : tensor<3x?x4x64xbf16>
}

func.func @d64_b3_qx_k17_win(%q: tensor<3x?x4x64xbf16>, %k: tensor<3x17x2x64xbf16>, %v: tensor<3x17x2x64xbf16>) -> tensor<3x?x4x64xbf16> {
  %o = sigattn.attention %q, %k, %v window = [100, 3] : tensor<3x?x4x64xbf16>, tensor<3x17x2x64xbf16>, tensor<3x17x2x64xbf16> -> tensor<3x?x4x64xbf16>
  return %o : tensor<3x?x4x64xbf16>
}

func.func @d64_b3_qx_k17_left0(%q: tensor<3x?x4x64xbf16>, %k: tensor<3x17x2x64xbf16>, %v: tensor<3x17x2x64xbf16>) -> tensor<3x?x4x64xbf16> {
  %o = sigattn.attention %q, %k, %v window = [0, -1] : tensor<3x?x4x64xbf16>, tensor<3x17x2x64xbf16>, tensor<3x17x2x64xbf16> -> tensor<3x?x4x64xbf16>
  return %o : tensor<3x?x4x64xbf16>
}

func.func @d128_b2_q1_k1_full(%q: tensor<2x1x4x128xbf16>, %k: tensor<2x1x2x128xbf16>, %v: tensor<2x1x2x128xbf16>) -> tensor<2x1x4x128xbf16> {
  %o = sigattn.attention %q, %k, %v : tensor<2x1x4x128xbf16>, tensor<2x1x2x128xbf16>, tensor<2x1x2x128xbf16> -> tensor<2x1x4x128xbf16>
  return %o : tensor<2x1x4x128xbf16>
}

func.func @d128_b2_q1_k1_causal(%q: tensor<2x1x4x128xbf16>, %k: tensor<2x1x2x128xbf16>, %v: tensor<2x1x2x128xbf16>) -> tensor<2x1x4x128xbf16> {
  %o = sigattn.attention %q, %k, %v causal : tensor<2x1x4x128xbf16>, tensor<2x1x2x128xbf16>, tensor<2x1x2x128xbf16> -> tensor<2x1x4x128xbf16>
  return %o : tensor<2x1x4x128xbf16>
}

func.func @d128_b2_q1_k16_full(%q: tensor<2x1x4x128xbf16>, %k: tensor<2x16x2x128xbf16>, %v: tensor<2x16x2x128xbf16>) -> tensor<2x1x4x128xbf16> {
  %o = sigattn.attention %q, %k, %v : tensor<2x1x4x128xbf16>, tensor<2x16x2x128xbf16>, tensor<2x16x2x128xbf16> -> tensor<2x1x4x128xbf16>
  return %o : tensor<2x1x4x128xbf16>
}

func.func @d128_b2_q1_k16_causal(%q: tensor<2x1x4x128xbf16>, %k: tensor<2x16x2x128xbf16>, %v: tensor<2x16x2x128xbf16>) -> tensor<2x1x4x128xbf16> {
  %o = sigattn.attention %q, %k, %v causal : tensor<2x1x4x128xbf16>, tensor<2x16x2x128xbf16>, tensor<2x16x2x128xbf16> -> tensor<2x1x4x128xbf16>
  return %o : tensor<2x1x4x128xbf16>
}

func.func @d128_b1_q127_k31_full(%q: tensor<1x127x4x128xbf16>, %k: tensor<1x31x2x128xbf16>, %v: tensor<1x31x2x128xbf16>) -> tensor<1x127x4x128xbf16> {
  %o = sigattn.attention %q, %k, %v : tensor<1x127x4x128xbf16>, tensor<1x31x2x128xbf16>, tensor<1x31x2x128xbf16> -> tensor<1x127x4x128xbf16>
  return %o : tensor<1x127x4x128xbf16>
}

func.func @d128_b1_q127_k31_causal(%q: tensor<1x127x4x128xbf16>, %k: tensor<1x31x2x128xbf16>, %v: tensor<1x31x2x128xbf16>) -> tensor<1x127x4x128xbf16> {
  %o = sigattn.attention %q, %k, %v causal : tensor<1x127x4x128xbf16>, tensor<1x31x2x128xbf16>, tensor<1x31x2x128xbf16> -> tensor<1x127x4x128xbf16>
  return %o : tensor<1x127x4x128xbf16>
}

func.func @d128_b2_q128_k32_full(%q: tensor<2x128x4x128xbf16>, %k: tensor<2x32x2x128xbf16>, %v: tensor<2x32x2x128xbf16>) -> tensor<2x128x4x128xbf16> {
  %o = sigattn.attention %q, %k, %v : tensor<2x128x4x128xbf16>, tensor<2x32x2x128xbf16>, tensor<2x32x2x128xbf16> -> tensor<2x128x4x128xbf16>
  return %o : tensor<2x128x4x128xbf16>
}

func.func @d128_b2_q128_k32_causal(%q: tensor<2x128x4x128xbf16>, %k: tensor<2x32x2x128xbf16>, %v: tensor<2x32x2x128xbf16>) -> tensor<2x128x4x128xbf16> {
  %o = sigattn.attention %q, %k, %v causal : tensor<2x128x4x128xbf16>, tensor<2x32x2x128xbf16>, tensor<2x32x2x128xbf16> -> tensor<2x128x4x128xbf16>
  return %o : tensor<2x128x4x128xbf16>
}

func.func @d128_b1_q129_k33_full(%q: tensor<1x129x4x128xbf16>, %k: tensor<1x33x2x128xbf16>, %v: tensor<1x33x2x128xbf16>) -> tensor<1x129x4x128xbf16> {
  %o = sigattn.attention %q, %k, %v : tensor<1x129x4x128xbf16>, tensor<1x33x2x128xbf16>, tensor<1x33x2x128xbf16> -> tensor<1x129x4x128xbf16>
  return %o : tensor<1x129x4x128xbf16>
}

func.func @d128_b1_q129_k33_causal(%q: tensor<1x129x4x128xbf16>, %k: tensor<1x33x2x128xbf16>, %v: tensor<1x33x2x128xbf16>) -> tensor<1x129x4x128xbf16> {
  %o = sigattn.attention %q, %k, %v causal : tensor<1x129x4x128xbf16>, tensor<1x33x2x128xbf16>, tensor<1x33x2x128xbf16> -> tensor<1x129x4x128xbf16>
  return %o : tensor<1x129x4x128xbf16>
}

func.func @d128_bx_qx_k1000_full(%q: tensor<?x?x4x128xbf16>, %k: tensor<?x1000x2x128xbf16>, %v: tensor<?x1000x2x128xbf16>) -> tensor<?x?x4x128xbf16> {
  %o = sigattn.attention %q, %k, %v : tensor<?x?x4x128xbf16>, tensor<?x1000x2x128xbf16>, tensor<?x1000x2x128xbf16> -> tensor<?x?x4x128xbf16>
  return %o : tensor<?x?x4x128xbf16>
}

func.func @d128_bx_qx_k1000_causal(%q: tensor<?x?x4x128xbf16>, %k: tensor<?x1000x2x128xbf16>, %v: tensor<?x1000x2x128xbf16>) -> tensor<?x?x4x128xbf16> {
  %o = sigattn.attention %q, %k, %v causal : tensor<?x?x4x128xbf16>, tensor<?x1000x2x128xbf16>, tensor<?x1000x2x128xbf16> -> tensor<?x?x4x128xbf16>
  return %o : tensor<?x?x4x128xbf16>
}

func.func @d128_b2_q300_k1024_full(%q: tensor<2x300x4x128xbf16>, %k: tensor<2x1024x2x128xbf16>, %v: tensor<2x1024x2x128xbf16>) -> tensor<2x300x4x128xbf16> {
  %o = sigattn.attention %q, %k, %v : tensor<2x300x4x128xbf16>, tensor<2x1024x2x128xbf16>, tensor<2x1024x2x128xbf16> -> tensor<2x300x4x128xbf16>
  return %o : tensor<2x300x4x128xbf16>
}

func.func @d128_b2_q300_k1024_causal(%q: tensor<2x300x4x128xbf16>, %k: tensor<2x1024x2x128xbf16>, %v: tensor<2x1024x2x128xbf16>) -> tensor<2x300x4x128xbf16> {
  %o = sigattn.attention %q, %k, %v causal : tensor<2x300x4x128xbf16>, tensor<2x1024x2x128xbf16>, tensor<2x1024x2x128xbf16> -> tensor<2x300x4x128xbf16>
  return %o : tensor<2x300x4x128xbf16>
}

func.func @d128_bx_q1_kx_full(%q: tensor<?x1x4x128xbf16>, %k: tensor<?x?x2x128xbf16>, %v: tensor<?x?x2x128xbf16>) -> tensor<?x1x4x128xbf16> {
  %o = sigattn.attention %q, %k, %v : tensor<?x1x4x128xbf16>, tensor<?x?x2x128xbf16>, tensor<?x?x2x128xbf16> -> tensor<?x1x4x128xbf16>
  return %o : tensor<?x1x4x128xbf16>
}

func.func @d128_bx_q1_kx_causal(%q: tensor<?x1x4x128xbf16>, %k: tensor<?x?x2x128xbf16>, %v: tensor<?x?x2x128xbf16>) -> tensor<?x1x4x128xbf16> {
  %o = sigattn.attention %q, %k, %v causal : tensor<?x1x4x128xbf16>, tensor<?x?x2x128xbf16>, tensor<?x?x2x128xbf16> -> tensor<?x1x4x128xbf16>
  return %o : tensor<?x1x4x128xbf16>
}

func.func @d128_b3_qx_k17_full(%q: tensor<3x?x4x128xbf16>, %k: tensor<3x17x2x128xbf16>, %v: tensor<3x17x2x128xbf16>) -> tensor<3x?x4x128xbf16> {
  %o = sigattn.attention %q, %k, %v : tensor<3x?x4x128xbf16>, tensor<3x17x2x128xbf16>, tensor<3x17x2x128xbf16> -> tensor<3x?x4x128xbf16>
  return %o : tensor<3x?x4x128xbf16>
}

func.func @d128_b3_qx_k17_causal(%q: tensor<3x?x4x128xbf16>, %k: tensor<3x17x2x128xbf16>, %v: tensor<3x17x2x128xbf16>) -> tensor<3x?x4x128xbf16> {
  %o = sigattn.attention %q, %k, %v causal : tensor<3x?x4x128xbf16>, tensor<3x17x2x128xbf16>, tensor<3x17x2x128xbf16> -> tensor<3x?x4x128xbf16>
  return %o : tensor<3x?x4x128xbf16>
}
