// Ops among other ops: the second attention reads the first one's result as
// its query, a third reads a value computed on the host in between. Each
// becomes its own kernel and launch; the sizes a kernel uses are recomputed
// from its own buffers, whichever op allocated them.
// RUN: sigattn-opt %s --sigattn-gpu-pipeline="ptx-output=%t.ptx" | FileCheck %s
// RUN: FileCheck %s --check-prefix=PTX --input-file=%t.ptx
// RUN: %if ptxas %{ %ptxas -arch=sm_90a %t.ptx -o /dev/null %}

// CHECK-LABEL: func.func @chain
//       CHECK:   gpu.launch_func @sigattn_kernels::@chain_sigattn
//       CHECK:   gpu.launch_func @sigattn_kernels::@chain_sigattn_1
//       CHECK:   linalg.generic
//       CHECK:   gpu.launch_func @sigattn_kernels::@chain_sigattn_2
// PTX-DAG: .entry chain_sigattn(
// PTX-DAG: .entry chain_sigattn_1(
// PTX-DAG: .entry chain_sigattn_2(
func.func @chain(%q: tensor<?x?x4x64xbf16>, %k: tensor<?x?x4x64xbf16>,
                 %v: tensor<?x?x4x64xbf16>) -> tensor<?x?x4x64xbf16> {
  %o1 = sigattn.attention %q, %k, %v causal
      : tensor<?x?x4x64xbf16>, tensor<?x?x4x64xbf16>, tensor<?x?x4x64xbf16> -> tensor<?x?x4x64xbf16>
  %o2 = sigattn.attention %o1, %k, %v window = [16, 0]
      : tensor<?x?x4x64xbf16>, tensor<?x?x4x64xbf16>, tensor<?x?x4x64xbf16> -> tensor<?x?x4x64xbf16>
  %sum = linalg.generic {indexing_maps = [affine_map<(a, b, c, d) -> (a, b, c, d)>,
                                          affine_map<(a, b, c, d) -> (a, b, c, d)>],
                         iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%o2 : tensor<?x?x4x64xbf16>) outs(%o1 : tensor<?x?x4x64xbf16>) {
  ^bb0(%x: bf16, %y: bf16):
    %s = arith.addf %x, %y : bf16
    linalg.yield %s : bf16
  } -> tensor<?x?x4x64xbf16>
  %o3 = sigattn.attention %sum, %o2, %o1
      : tensor<?x?x4x64xbf16>, tensor<?x?x4x64xbf16>, tensor<?x?x4x64xbf16> -> tensor<?x?x4x64xbf16>
  return %o3 : tensor<?x?x4x64xbf16>
}
