// sigattn-tile: the grid over (query tile, head, batch) and the loop over
// the key/value tiles the mask can reach.
// RUN: sigattn-opt %s -split-input-file -sigattn-tile="block-q=64 block-k=32" -canonicalize -cse | FileCheck %s

// No mask: every key tile [0, (Nk - 1) floordiv 32 + 1), all masked until
// peeling; GQA head h reads key/value head h / 4.
// CHECK-LABEL: func.func @no_mask_gqa
//  CHECK-SAME:   (%[[Q:[^:]+]]: tensor<?x?x8x64xbf16>, %[[K:[^:]+]]: tensor<?x?x2x64xbf16>, %[[V:[^:]+]]: tensor<?x?x2x64xbf16>)
//   CHECK-DAG:   %[[QB:.+]] = bufferization.to_buffer %[[Q]] read_only
//   CHECK-DAG:   %[[KB:.+]] = bufferization.to_buffer %[[K]] read_only
//   CHECK-DAG:   %[[VB:.+]] = bufferization.to_buffer %[[V]] read_only
//       CHECK:   %[[OUT:.+]] = memref.alloc(%{{.+}}, %[[NQ:.+]]) : memref<?x?x8x64xbf16>
//       CHECK:   %[[NK:.+]] = tensor.dim %[[K]], %c1
//       CHECK:   %[[NQT:.+]] = arith.ceildivsi %[[NQ]], %c64
//       CHECK:   scf.forall (%[[QT:.+]], %[[H:.+]], %[[B:.+]]) in (%[[NQT]], 8, %{{.+}}) {
//       CHECK:     %[[Q0:.+]] = arith.muli %[[QT]], %c64
//       CHECK:     %[[HKV:.+]] = arith.divui %[[H]], %c4
//       CHECK:     %[[QTILE:.+]] = sigattn.load_tile %[[QB]][%[[B]], %[[Q0]], %[[H]]] : memref<?x?x8x64xbf16> -> vector<64x64xbf16>
//       CHECK:     %[[LAST:.+]] = arith.subi %[[NK]], %c1
//       CHECK:     %[[HI0:.+]] = arith.floordivsi %[[LAST]], %c32
//       CHECK:     %[[HI1:.+]] = arith.addi %[[HI0]], %c1
//       CHECK:     %[[HI:.+]] = arith.maxsi %[[HI1]], %c0
//       CHECK:     %[[ACC:.+]] = scf.for %[[KT:.+]] = %c0 to %[[HI]] step %c1 iter_args(%[[A:.+]] = %{{.+}}) -> (vector<64x64xf32>) {
//       CHECK:       sigattn.tile_step %[[QTILE]], %[[KB]], %[[VB]], %[[A]][%[[B]], %[[HKV]], %[[Q0]], %[[KT]]] seq_q = %[[NQ]] masked block_k = 32 window = [-1, -1] scale = 1.250000e-01 bias = 0.000000e+00
//       CHECK:     sigattn.store_tile %[[ACC]], %[[OUT]][%[[B]], %[[Q0]], %[[H]]] : vector<64x64xf32>, memref<?x?x8x64xbf16>
//       CHECK:   } {mapping = [#gpu.block<x>, #gpu.block<y>, #gpu.block<z>]}
//       CHECK:   %[[R:.+]] = bufferization.to_tensor %[[OUT]] restrict writable
//       CHECK:   return %[[R]]
//   CHECK-NOT:   sigattn.attention
func.func @no_mask_gqa(%q: tensor<?x?x8x64xbf16>, %k: tensor<?x?x2x64xbf16>,
                       %v: tensor<?x?x2x64xbf16>) -> tensor<?x?x8x64xbf16> {
  %o = sigattn.attention %q, %k, %v
      : tensor<?x?x8x64xbf16>, tensor<?x?x2x64xbf16>, tensor<?x?x2x64xbf16>
      -> tensor<?x?x8x64xbf16>
  return %o : tensor<?x?x8x64xbf16>
}

// -----

// Causal: the loop stops at the tile of the last visible key of the last
// valid row, min(Nk - 1, min(q0 + 64, Nq) - 1 + Nk - Nq); it starts at 0.
// CHECK-LABEL: func.func @causal
//       CHECK:   scf.forall
//       CHECK:     %[[Q0:.+]] = arith.muli %{{.+}}, %c64
//       CHECK:     %[[OFF:.+]] = arith.subi %[[NK:.+]], %[[NQ:.+]] : index
//       CHECK:     %[[END:.+]] = arith.addi %[[Q0]], %c64
//       CHECK:     %[[ROWEND:.+]] = arith.minsi %[[END]], %[[NQ]]
//       CHECK:     %[[IHI:.+]] = arith.subi %[[ROWEND]], %c1
//       CHECK:     %[[NKM1:.+]] = arith.subi %[[NK]], %c1
//       CHECK:     %[[DIAG:.+]] = arith.addi %[[IHI]], %[[OFF]]
//       CHECK:     %[[JMAX:.+]] = arith.minsi %[[NKM1]], %[[DIAG]]
//       CHECK:     %[[T:.+]] = arith.floordivsi %[[JMAX]], %c32
//       CHECK:     %[[T1:.+]] = arith.addi %[[T]], %c1
//       CHECK:     %[[HI:.+]] = arith.maxsi %[[T1]], %c0
//       CHECK:     scf.for %{{.+}} = %c0 to %[[HI]] step %c1
//       CHECK:       sigattn.tile_step {{.*}} masked block_k = 32 window = [-1, 0]
func.func @causal(%q: tensor<1x?x4x64xf16>, %k: tensor<1x?x4x64xf16>,
                  %v: tensor<1x?x4x64xf16>) -> tensor<1x?x4x64xf16> {
  %o = sigattn.attention %q, %k, %v causal
      : tensor<1x?x4x64xf16>, tensor<1x?x4x64xf16>, tensor<1x?x4x64xf16>
      -> tensor<1x?x4x64xf16>
  return %o : tensor<1x?x4x64xf16>
}

// -----

// Window [100, 7]: the loop starts at the tile of max(0, q0 + off - 100).
// CHECK-LABEL: func.func @window
//       CHECK:     %[[Q0:.+]] = arith.muli %{{.+}}, %c64
//       CHECK:     %[[OFF:.+]] = arith.subi
//       CHECK:     %[[D0:.+]] = arith.addi %[[Q0]], %[[OFF]]
//       CHECK:     %[[FIRST:.+]] = arith.subi %[[D0]], %c100
//       CHECK:     %[[JMIN:.+]] = arith.maxsi %[[FIRST]], %c0
//       CHECK:     %[[DIAG:.+]] = arith.addi %{{.+}}, %[[OFF]]
//       CHECK:     %[[LASTV:.+]] = arith.addi %[[DIAG]], %c7
//       CHECK:     %[[JMAX:.+]] = arith.minsi %{{.+}}, %[[LASTV]]
//       CHECK:     %[[LO:.+]] = arith.floordivsi %[[JMIN]], %c32
//       CHECK:     %[[T:.+]] = arith.floordivsi %[[JMAX]], %c32
//       CHECK:     %[[T1:.+]] = arith.addi %[[T]], %c1
//       CHECK:     %[[HI:.+]] = arith.maxsi %[[T1]], %[[LO]]
//       CHECK:     scf.for %{{.+}} = %[[LO]] to %[[HI]] step %c1
//       CHECK:       sigattn.tile_step {{.*}} masked block_k = 32 window = [100, 7]
func.func @window(%q: tensor<2x?x4x64xbf16>, %k: tensor<2x?x4x64xbf16>,
                  %v: tensor<2x?x4x64xbf16>) -> tensor<2x?x4x64xbf16> {
  %o = sigattn.attention %q, %k, %v window = [100, 7]
      : tensor<2x?x4x64xbf16>, tensor<2x?x4x64xbf16>, tensor<2x?x4x64xbf16>
      -> tensor<2x?x4x64xbf16>
  return %o : tensor<2x?x4x64xbf16>
}

// -----

// ALiBi slopes per (batch, head) are read once per grid point; scale and
// bias are passed through.
// CHECK-LABEL: func.func @alibi_batched
//  CHECK-SAME:   %[[S:[^:]+]]: tensor<2x4xf32>
//       CHECK:   scf.forall (%{{.+}}, %[[H:.+]], %[[B:.+]]) in
//       CHECK:     %[[SLOPE:.+]] = tensor.extract %[[S]][%[[B]], %[[H]]] : tensor<2x4xf32>
//       CHECK:     sigattn.tile_step {{.*}} alibi(%[[SLOPE]]) masked block_k = 32 window = [-1, -1] scale = 5.000000e-01 bias = -2.000000e+00
func.func @alibi_batched(%q: tensor<2x100x4x64xbf16>, %k: tensor<2x100x4x64xbf16>,
                         %v: tensor<2x100x4x64xbf16>, %s: tensor<2x4xf32>)
    -> tensor<2x100x4x64xbf16> {
  %o = sigattn.attention %q, %k, %v alibi(%s : tensor<2x4xf32>) scale = 0.5 bias = -2.0
      : tensor<2x100x4x64xbf16>, tensor<2x100x4x64xbf16>, tensor<2x100x4x64xbf16>
      -> tensor<2x100x4x64xbf16>
  return %o : tensor<2x100x4x64xbf16>
}

// -----

// sigattn.attention_grad, GQA (g = 4), causal: two grids.
// dK, dV: (key tile, key/value head, batch); each block loops over its 4
// query heads and, for each, over the query tiles that see its keys: the
// band in the keys' orientation (rows: keys, off = Nq - Nk, the window's
// sides swapped), so causal bounds the first query tile,
// max(0, k0 + Nq - Nk) floordiv 64, and leaves the last one open.
// dQ: (query tile, query head, batch) looping over key tiles like the
// forward pass.
// CHECK-LABEL: func.func @grad_gqa_causal
//  CHECK-SAME:   (%[[Q:[^:]+]]: tensor<?x?x8x64xbf16>, %[[K:[^:]+]]: tensor<?x?x2x64xbf16>, %[[V:[^:]+]]: tensor<?x?x2x32xbf16>, %[[DO:[^:]+]]: tensor<?x?x8x32xbf16>)
//   CHECK-DAG:   %[[QB:.+]] = bufferization.to_buffer %[[Q]] read_only
//   CHECK-DAG:   %[[KB:.+]] = bufferization.to_buffer %[[K]] read_only
//   CHECK-DAG:   %[[VB:.+]] = bufferization.to_buffer %[[V]] read_only
//   CHECK-DAG:   %[[DOB:.+]] = bufferization.to_buffer %[[DO]] read_only
//       CHECK:   %[[B:.+]] = tensor.dim %[[Q]], %c0
//       CHECK:   %[[NQ:.+]] = tensor.dim %[[Q]], %c1
//       CHECK:   %[[DQ:.+]] = memref.alloc(%[[B]], %[[NQ]]) : memref<?x?x8x64xbf16>
//       CHECK:   %[[NK:.+]] = tensor.dim %[[K]], %c1
//       CHECK:   %[[DK:.+]] = memref.alloc(%{{.+}}, %[[NK]]) : memref<?x?x2x64xbf16>
//       CHECK:   %[[DV:.+]] = memref.alloc(%{{.+}}, %{{.+}}) : memref<?x?x2x32xbf16>
//       CHECK:   %[[NKT:.+]] = arith.ceildivsi %[[NK]], %c32
//       CHECK:   scf.forall (%[[KT:.+]], %[[HKV:.+]], %[[BI:.+]]) in (%[[NKT]], 2, %[[B]]) {
//       CHECK:     %[[K0:.+]] = arith.muli %[[KT]], %c32
//       CHECK:     %[[KTILE:.+]] = sigattn.load_tile %[[KB]][%[[BI]], %[[K0]], %[[HKV]]] : memref<?x?x2x64xbf16> -> vector<32x64xbf16>
//       CHECK:     %[[VTILE:.+]] = sigattn.load_tile %[[VB]][%[[BI]], %[[K0]], %[[HKV]]] : memref<?x?x2x32xbf16> -> vector<32x32xbf16>
//       CHECK:     %[[OFF:.+]] = arith.subi %[[NQ]], %[[NK]]
//       CHECK:     %[[FIRST:.+]] = arith.addi %[[K0]], %[[OFF]]
//       CHECK:     %[[CMIN:.+]] = arith.maxsi %[[FIRST]], %c0
//       CHECK:     %[[LAST:.+]] = arith.subi %[[NQ]], %c1
//       CHECK:     %[[LO:.+]] = arith.floordivsi %[[CMIN]], %c64
//       CHECK:     %[[HI0:.+]] = arith.floordivsi %[[LAST]], %c64
//       CHECK:     %[[HI1:.+]] = arith.addi %[[HI0]], %c1
//       CHECK:     %[[HI:.+]] = arith.maxsi %[[HI1]], %[[LO]]
//       CHECK:     %[[H0:.+]] = arith.muli %[[HKV]], %c4
//       CHECK:     %[[ACC:.+]]:2 = scf.for %[[GI:.+]] = %c0 to %c4 step %c1 iter_args({{.+}}) -> (vector<32x64xf32>, vector<32x32xf32>) {
//       CHECK:       %[[H:.+]] = arith.addi %[[H0]], %[[GI]]
//       CHECK:       scf.for %[[QT:.+]] = %[[LO]] to %[[HI]] step %c1
//       CHECK:         sigattn.grad_kv_step %[[KTILE]], %[[VTILE]], %[[QB]], %[[DOB]], %{{.+}}, %{{.+}}[%[[BI]], %[[H]], %[[K0]], %[[QT]]] seq_k = %[[NK]] masked block_q = 64 window = [-1, 0] scale = 1.250000e-01 bias = 0.000000e+00
//       CHECK:     sigattn.store_tile %[[ACC]]#0, %[[DK]][%[[BI]], %[[K0]], %[[HKV]]] : vector<32x64xf32>, memref<?x?x2x64xbf16>
//       CHECK:     sigattn.store_tile %[[ACC]]#1, %[[DV]][%[[BI]], %[[K0]], %[[HKV]]] : vector<32x32xf32>, memref<?x?x2x32xbf16>
//       CHECK:   } {mapping = [#gpu.block<x>, #gpu.block<y>, #gpu.block<z>]}
//       CHECK:   %[[NQT:.+]] = arith.ceildivsi %[[NQ]], %c64
//       CHECK:   scf.forall (%[[QT2:.+]], %[[H2:.+]], %[[BI2:.+]]) in (%[[NQT]], 8, %[[B]]) {
//       CHECK:     %[[Q0:.+]] = arith.muli %[[QT2]], %c64
//       CHECK:     %[[HKV2:.+]] = arith.divui %[[H2]], %c4
//       CHECK:     %[[QTILE:.+]] = sigattn.load_tile %[[QB]][%[[BI2]], %[[Q0]], %[[H2]]] : memref<?x?x8x64xbf16> -> vector<64x64xbf16>
//       CHECK:     %[[DOTILE:.+]] = sigattn.load_tile %[[DOB]][%[[BI2]], %[[Q0]], %[[H2]]] : memref<?x?x8x32xbf16> -> vector<64x32xbf16>
//       CHECK:     %[[DQACC:.+]] = scf.for %[[KT2:.+]] = %c0 to %{{.+}} step %c1 iter_args(%[[A:.+]] = %{{.+}}) -> (vector<64x64xf32>) {
//       CHECK:       sigattn.grad_q_step %[[QTILE]], %[[DOTILE]], %[[KB]], %[[VB]], %[[A]][%[[BI2]], %[[HKV2]], %[[Q0]], %[[KT2]]] seq_q = %[[NQ]] masked block_k = 32 window = [-1, 0] scale = 1.250000e-01 bias = 0.000000e+00
//       CHECK:     sigattn.store_tile %[[DQACC]], %[[DQ]][%[[BI2]], %[[Q0]], %[[H2]]] : vector<64x64xf32>, memref<?x?x8x64xbf16>
//       CHECK:   } {mapping = [#gpu.block<x>, #gpu.block<y>, #gpu.block<z>]}
//       CHECK:   %[[RQ:.+]] = bufferization.to_tensor %[[DQ]] restrict writable
//       CHECK:   %[[RK:.+]] = bufferization.to_tensor %[[DK]] restrict writable
//       CHECK:   %[[RV:.+]] = bufferization.to_tensor %[[DV]] restrict writable
//       CHECK:   return %[[RQ]], %[[RK]], %[[RV]]
func.func @grad_gqa_causal(%q: tensor<?x?x8x64xbf16>, %k: tensor<?x?x2x64xbf16>,
                           %v: tensor<?x?x2x32xbf16>, %do: tensor<?x?x8x32xbf16>)
    -> (tensor<?x?x8x64xbf16>, tensor<?x?x2x64xbf16>, tensor<?x?x2x32xbf16>) {
  %dq, %dk, %dv = sigattn.attention_grad %q, %k, %v, %do causal
      : tensor<?x?x8x64xbf16>, tensor<?x?x2x64xbf16>, tensor<?x?x2x32xbf16>,
        tensor<?x?x8x32xbf16>
      -> tensor<?x?x8x64xbf16>, tensor<?x?x2x64xbf16>, tensor<?x?x2x32xbf16>
  return %dq, %dk, %dv : tensor<?x?x8x64xbf16>, tensor<?x?x2x64xbf16>, tensor<?x?x2x32xbf16>
}

// -----

// dq=reduce: no dQ grid over key tiles; the dK/dV steps add dQ partials to a
// zero-filled f32 buffer shaped like q, and a grid over query tiles
// converts it to dq.
// RUN: sigattn-opt %s -split-input-file -sigattn-tile="block-q=64 block-k=32 dq=reduce" -canonicalize -cse | FileCheck %s --check-prefix=REDUCE
// REDUCE-LABEL: func.func @grad_reduce
//       REDUCE:   %[[DQ:.+]] = memref.alloc(%{{.+}}, %{{.+}}) : memref<?x?x8x64xbf16>
//       REDUCE:   %[[ACC:.+]] = memref.alloc(%{{.+}}, %{{.+}}) : memref<?x?x8x64xf32>
//       REDUCE:   linalg.fill ins(%{{.+}} : f32) outs(%[[ACC]] : memref<?x?x8x64xf32>)
//       REDUCE:   scf.forall
//       REDUCE:     sigattn.grad_kv_step {{.*}} seq_k = %{{[^ ]+}} dq(%[[ACC]] : memref<?x?x8x64xf32>) masked block_q = 64
//       REDUCE:   scf.forall (%[[QT:.+]], %[[H:.+]], %[[B:.+]]) in
//       REDUCE:     %[[Q0:.+]] = arith.muli %[[QT]], %c64
//       REDUCE:     %[[SUMS:.+]] = sigattn.load_tile %[[ACC]][%[[B]], %[[Q0]], %[[H]]] : memref<?x?x8x64xf32> -> vector<64x64xf32>
//       REDUCE:     sigattn.store_tile %[[SUMS]], %[[DQ]][%[[B]], %[[Q0]], %[[H]]]
//   REDUCE-NOT:   sigattn.grad_q_step
func.func @grad_reduce(%q: tensor<?x?x8x64xbf16>, %k: tensor<?x?x2x64xbf16>,
                       %v: tensor<?x?x2x32xbf16>, %do: tensor<?x?x8x32xbf16>)
    -> (tensor<?x?x8x64xbf16>, tensor<?x?x2x64xbf16>, tensor<?x?x2x32xbf16>) {
  %dq, %dk, %dv = sigattn.attention_grad %q, %k, %v, %do causal
      : tensor<?x?x8x64xbf16>, tensor<?x?x2x64xbf16>, tensor<?x?x2x32xbf16>,
        tensor<?x?x8x32xbf16>
      -> tensor<?x?x8x64xbf16>, tensor<?x?x2x64xbf16>, tensor<?x?x2x32xbf16>
  return %dq, %dk, %dv : tensor<?x?x8x64xbf16>, tensor<?x?x2x64xbf16>, tensor<?x?x2x32xbf16>
}
