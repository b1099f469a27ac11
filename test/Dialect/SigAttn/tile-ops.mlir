// Round trip of the tile-level ops (custom form, and through the generic form).
// RUN: sigattn-opt %s | sigattn-opt | FileCheck %s
// RUN: sigattn-opt %s -mlir-print-op-generic | sigattn-opt | FileCheck %s

// CHECK-LABEL: func.func @tile_ops
//       CHECK:   %[[Q:.+]] = sigattn.load_tile %{{.+}}[%{{.+}}, %{{.+}}, %{{.+}}] : memref<?x?x8x64xbf16> -> vector<64x64xbf16>
//       CHECK:   %[[A:.+]] = sigattn.tile_step %[[Q]], %{{.+}}, %{{.+}}, %{{.+}}[%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}] seq_q = %{{.+}} alibi(%{{.+}}) masked block_k = 32 window = [128, 0] scale = 1.250000e-01 bias = -1.000000e+00 : vector<64x64xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x32xbf16>, vector<64x32xf32>
//       CHECK:   %[[B:.+]] = sigattn.tile_step %[[Q]], {{.*}} seq_q = %{{[^ ]+}} block_k = 32 window = [-1, -1]
//       CHECK:   sigattn.store_tile %[[B]], %{{.+}}[%{{.+}}, %{{.+}}, %{{.+}}] : vector<64x32xf32>, memref<?x?x8x32xbf16>
func.func @tile_ops(%q: memref<?x?x8x64xbf16>, %k: memref<?x?x2x64xbf16>,
                    %v: memref<?x?x2x32xbf16>, %o: memref<?x?x8x32xbf16>,
                    %b: index, %h: index, %q0: index, %kt: index, %nq: index,
                    %slope: f32, %acc: vector<64x32xf32>) {
  %c0 = arith.constant 0 : index
  %qt = sigattn.load_tile %q[%b, %q0, %h] : memref<?x?x8x64xbf16> -> vector<64x64xbf16>
  %a = sigattn.tile_step %qt, %k, %v, %acc [%b, %c0, %q0, %kt] seq_q = %nq alibi(%slope) masked
      block_k = 32 window = [128, 0] scale = 0.125 bias = -1.0
      : vector<64x64xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x32xbf16>, vector<64x32xf32>
  %n = sigattn.tile_step %qt, %k, %v, %a [%b, %c0, %q0, %kt] seq_q = %nq
      block_k = 32 window = [-1, -1] scale = 0.125 bias = 0.0
      : vector<64x64xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x32xbf16>, vector<64x32xf32>
  sigattn.store_tile %n, %o[%b, %q0, %h] : vector<64x32xf32>, memref<?x?x8x32xbf16>
  return
}

// The backward tile steps.
// CHECK-LABEL: func.func @grad_steps
//       CHECK:   %[[DQ:.+]] = sigattn.grad_q_step %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}[%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}] seq_q = %{{.+}} alibi(%{{.+}}) masked block_k = 32 window = [128, 0] scale(%{{.+}} : f32) bias = -1.000000e+00 : vector<64x64xbf16>, vector<64x32xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x32xbf16>, vector<64x64xf32>
//       CHECK:   %[[DK:.+]], %[[DV:.+]] = sigattn.grad_kv_step %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}[%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}] seq_k = %{{.+}} block_q = 64 window = [-1, 3] scale = 1.250000e-01 bias(%{{.+}} : f32) : vector<32x64xbf16>, vector<32x32xbf16>, memref<?x?x8x64xbf16>, memref<?x?x8x32xbf16>, vector<32x64xf32>, vector<32x32xf32>
//       CHECK:   sigattn.grad_kv_step {{.*}} seq_k = %{{[^ ]+}} dq(%{{.+}} : memref<?x?x8x64xf32>) masked block_q = 64
//       CHECK:   sigattn.load_tile %{{.+}}[%{{.+}}, %{{.+}}, %{{.+}}] : memref<?x?x8x64xf32> -> vector<64x64xf32>
func.func @grad_steps(%q: memref<?x?x8x64xbf16>, %k: memref<?x?x2x64xbf16>,
                      %v: memref<?x?x2x32xbf16>, %do: memref<?x?x8x32xbf16>,
                      %qt: vector<64x64xbf16>, %dot: vector<64x32xbf16>,
                      %kt: vector<32x64xbf16>, %vt: vector<32x32xbf16>,
                      %dq: vector<64x64xf32>, %dk: vector<32x64xf32>, %dv: vector<32x32xf32>,
                      %i: index, %slope: f32, %s: f32, %acc: memref<?x?x8x64xf32>)
    -> (vector<64x64xf32>, vector<32x64xf32>, vector<32x32xf32>) {
  %a = sigattn.grad_q_step %qt, %dot, %k, %v, %dq [%i, %i, %i, %i] seq_q = %i alibi(%slope) masked
      block_k = 32 window = [128, 0] scale(%s : f32) bias = -1.0
      : vector<64x64xbf16>, vector<64x32xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x32xbf16>, vector<64x64xf32>
  %b, %c = sigattn.grad_kv_step %kt, %vt, %q, %do, %dk, %dv [%i, %i, %i, %i] seq_k = %i
      block_q = 64 window = [-1, 3] scale = 0.125 bias(%s : f32)
      : vector<32x64xbf16>, vector<32x32xbf16>, memref<?x?x8x64xbf16>, memref<?x?x8x32xbf16>, vector<32x64xf32>, vector<32x32xf32>
  %d, %e = sigattn.grad_kv_step %kt, %vt, %q, %do, %b, %c [%i, %i, %i, %i] seq_k = %i
      dq(%acc : memref<?x?x8x64xf32>) masked block_q = 64 window = [-1, -1] scale = 0.125 bias = 0.0
      : vector<32x64xbf16>, vector<32x32xbf16>, memref<?x?x8x64xbf16>, memref<?x?x8x32xbf16>, vector<32x64xf32>, vector<32x32xf32>
  %sums = sigattn.load_tile %acc[%i, %i, %i] : memref<?x?x8x64xf32> -> vector<64x64xf32>
  return %a, %d, %e : vector<64x64xf32>, vector<32x64xf32>, vector<32x32xf32>
}
