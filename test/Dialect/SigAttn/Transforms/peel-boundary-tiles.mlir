// sigattn-peel-boundary-tiles: masked / unmasked / masked column ranges.
// RUN: sigattn-opt %s -split-input-file -sigattn-peel-boundary-tiles -cse | FileCheck %s

// Window [9, 2]: a = clamp(ceildiv(iHi + off - 9, 16), lo, hi),
// c = clamp(min(Nk floordiv 16, (q0 + off + 3) floordiv 16), a, hi).
// CHECK-LABEL: func.func @window
//  CHECK-SAME:   (%[[QT:[^:]+]]: vector<32x64xbf16>, %[[K:[^:]+]]: memref<1x?x2x64xbf16>, %[[V:[^:]+]]: memref<1x?x2x64xbf16>,
//  CHECK-SAME:    %[[Q0:[^:]+]]: index, %[[NQ:[^:]+]]: index, %[[LO:[^:]+]]: index, %[[HI:[^:]+]]: index, %[[INIT:[^:]+]]: vector<32x64xf32>)
//       CHECK:   %[[NK:.+]] = memref.dim %[[K]], %c1
//   CHECK-DAG:   %[[C16:.+]] = arith.constant 16 : index
//       CHECK:   %[[OFF:.+]] = arith.subi %[[NK]], %[[NQ]]
//       CHECK:   %[[END:.+]] = arith.addi %[[Q0]], %c32
//       CHECK:   %[[ROWEND:.+]] = arith.minsi %[[END]], %[[NQ]]
//       CHECK:   %[[IHI:.+]] = arith.subi %[[ROWEND]], %c1
//       CHECK:   %[[LD:.+]] = arith.addi %[[IHI]], %[[OFF]]
//       CHECK:   %[[LEDGE:.+]] = arith.subi %[[LD]], %c9
//       CHECK:   %[[A0:.+]] = arith.ceildivsi %[[LEDGE]], %[[C16]]
//       CHECK:   %[[A1:.+]] = arith.maxsi %[[A0]], %[[LO]]
//       CHECK:   %[[A:.+]] = arith.minsi %[[A1]], %[[HI]]
//       CHECK:   %[[INB:.+]] = arith.floordivsi %[[NK]], %[[C16]]
//       CHECK:   %[[FD:.+]] = arith.addi %[[Q0]], %[[OFF]]
//       CHECK:   %[[REDGE:.+]] = arith.addi %[[FD]], %c3
//       CHECK:   %[[R:.+]] = arith.floordivsi %[[REDGE]], %[[C16]]
//       CHECK:   %[[C0:.+]] = arith.minsi %[[INB]], %[[R]]
//       CHECK:   %[[C1:.+]] = arith.maxsi %[[C0]], %[[A]]
//       CHECK:   %[[C:.+]] = arith.minsi %[[C1]], %[[HI]]
//       CHECK:   %[[R1:.+]] = scf.for %{{.+}} = %[[LO]] to %[[A]] step %{{.+}} iter_args(%{{.+}} = %[[INIT]])
//       CHECK:     sigattn.tile_step {{.*}} masked block_k = 16
//       CHECK:   %[[R2:.+]] = scf.for %{{.+}} = %[[A]] to %[[C]] step %{{.+}} iter_args(%{{.+}} = %[[R1]])
//   CHECK-NOT:     masked
//       CHECK:     sigattn.tile_step {{.*}} seq_q = %[[NQ]] block_k = 16
//       CHECK:   %[[R3:.+]] = scf.for %{{.+}} = %[[C]] to %[[HI]] step %{{.+}} iter_args(%{{.+}} = %[[R2]])
//       CHECK:     sigattn.tile_step {{.*}} masked block_k = 16
//       CHECK:   return %[[R3]]
func.func @window(%qt: vector<32x64xbf16>, %k: memref<1x?x2x64xbf16>, %v: memref<1x?x2x64xbf16>,
                  %q0: index, %nq: index, %lo: index, %hi: index, %init: vector<32x64xf32>)
    -> vector<32x64xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %r = scf.for %kt = %lo to %hi step %c1 iter_args(%a = %init) -> (vector<32x64xf32>) {
    %n = sigattn.tile_step %qt, %k, %v, %a [%c0, %c1, %q0, %kt] seq_q = %nq masked
        block_k = 16 window = [9, 2] scale = 0.125 bias = 0.0
        : vector<32x64xbf16>, memref<1x?x2x64xbf16>, memref<1x?x2x64xbf16>, vector<32x64xf32>
    scf.yield %n : vector<32x64xf32>
  }
  return %r : vector<32x64xf32>
}

// -----

// No window: a = lo, and c only keeps the partial last tile masked.
// CHECK-LABEL: func.func @no_window
//  CHECK-SAME:   %[[LO:[^:]+]]: index, %[[HI:[^:]+]]: index, %{{[^:]+}}: vector<32x64xf32>)
//   CHECK-NOT:   arith.ceildivsi
//       CHECK:   %[[INB:.+]] = arith.floordivsi %{{.+}}, %{{.+}} : index
//       CHECK:   %[[C1:.+]] = arith.maxsi %[[INB]], %[[LO]]
//       CHECK:   %[[C:.+]] = arith.minsi %[[C1]], %[[HI]]
//       CHECK:   scf.for %{{.+}} = %[[LO]] to %[[LO]] step
//       CHECK:   scf.for %{{.+}} = %[[LO]] to %[[C]] step
//       CHECK:   scf.for %{{.+}} = %[[C]] to %[[HI]] step
func.func @no_window(%qt: vector<32x64xbf16>, %k: memref<1x?x2x64xbf16>, %v: memref<1x?x2x64xbf16>,
                     %q0: index, %nq: index, %lo: index, %hi: index, %init: vector<32x64xf32>)
    -> vector<32x64xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %r = scf.for %kt = %lo to %hi step %c1 iter_args(%a = %init) -> (vector<32x64xf32>) {
    %n = sigattn.tile_step %qt, %k, %v, %a [%c0, %c1, %q0, %kt] seq_q = %nq masked
        block_k = 16 window = [-1, -1] scale = 0.125 bias = 0.0
        : vector<32x64xbf16>, memref<1x?x2x64xbf16>, memref<1x?x2x64xbf16>, vector<32x64xf32>
    scf.yield %n : vector<32x64xf32>
  }
  return %r : vector<32x64xf32>
}

// -----

// Loops that are not over masked tile steps stay as they are: an unmasked
// step, and a step whose tile index is not the induction variable.
// CHECK-LABEL: func.func @not_peeled
// CHECK-COUNT-2: scf.for
//   CHECK-NOT:   scf.for
func.func @not_peeled(%qt: vector<32x64xbf16>, %k: memref<1x?x2x64xbf16>, %v: memref<1x?x2x64xbf16>,
                      %q0: index, %nq: index, %lo: index, %hi: index, %init: vector<32x64xf32>)
    -> (vector<32x64xf32>, vector<32x64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %r = scf.for %kt = %lo to %hi step %c1 iter_args(%a = %init) -> (vector<32x64xf32>) {
    %n = sigattn.tile_step %qt, %k, %v, %a [%c0, %c1, %q0, %kt] seq_q = %nq
        block_k = 16 window = [-1, 0] scale = 0.125 bias = 0.0
        : vector<32x64xbf16>, memref<1x?x2x64xbf16>, memref<1x?x2x64xbf16>, vector<32x64xf32>
    scf.yield %n : vector<32x64xf32>
  }
  %s = scf.for %kt = %lo to %hi step %c1 iter_args(%a = %init) -> (vector<32x64xf32>) {
    %n = sigattn.tile_step %qt, %k, %v, %a [%c0, %c1, %q0, %lo] seq_q = %nq masked
        block_k = 16 window = [-1, 0] scale = 0.125 bias = 0.0
        : vector<32x64xbf16>, memref<1x?x2x64xbf16>, memref<1x?x2x64xbf16>, vector<32x64xf32>
    scf.yield %n : vector<32x64xf32>
  }
  return %r, %s : vector<32x64xf32>, vector<32x64xf32>
}

// -----

// grad_kv_step (rows: keys, columns: query tiles). Window [9, 2] in the
// op's orientation is [2, 9] in the keys': with off = Nq - Nk,
// a = clamp(ceildiv(jHi + off - 2, 32), lo, hi),
// c = clamp(min(Nq floordiv 32, (k0 + off + 10) floordiv 32), a, hi).
// CHECK-LABEL: func.func @grad_kv_window
//  CHECK-SAME:   %[[Q:[^:]+]]: memref<1x?x2x64xbf16>, %[[DO:[^:]+]]: memref<1x?x2x32xbf16>,
//  CHECK-SAME:   %[[K0:[^:]+]]: index, %[[NK:[^:]+]]: index, %[[LO:[^:]+]]: index, %[[HI:[^:]+]]: index,
//       CHECK:   %[[NQ:.+]] = memref.dim %[[Q]], %c1
//       CHECK:   %[[OFF:.+]] = arith.subi %[[NQ]], %[[NK]]
//       CHECK:   %[[END:.+]] = arith.addi %[[K0]], %c16
//       CHECK:   %[[ROWEND:.+]] = arith.minsi %[[END]], %[[NK]]
//       CHECK:   %[[JHI:.+]] = arith.subi %[[ROWEND]], %c1
//       CHECK:   %[[LD:.+]] = arith.addi %[[JHI]], %[[OFF]]
//       CHECK:   %[[LEDGE:.+]] = arith.subi %[[LD]], %c2
//       CHECK:   %[[A0:.+]] = arith.ceildivsi %[[LEDGE]], %c32
//       CHECK:   %[[A1:.+]] = arith.maxsi %[[A0]], %[[LO]]
//       CHECK:   %[[A:.+]] = arith.minsi %[[A1]], %[[HI]]
//       CHECK:   %[[INB:.+]] = arith.floordivsi %[[NQ]], %c32
//       CHECK:   %[[FD:.+]] = arith.addi %[[K0]], %[[OFF]]
//       CHECK:   %[[REDGE:.+]] = arith.addi %[[FD]], %c10
//       CHECK:   %[[R:.+]] = arith.floordivsi %[[REDGE]], %c32
//       CHECK:   %[[C0:.+]] = arith.minsi %[[INB]], %[[R]]
//       CHECK:   %[[C1:.+]] = arith.maxsi %[[C0]], %[[A]]
//       CHECK:   %[[C:.+]] = arith.minsi %[[C1]], %[[HI]]
//       CHECK:   %[[R1:.+]]:2 = scf.for %{{.+}} = %[[LO]] to %[[A]] step
//       CHECK:     sigattn.grad_kv_step {{.*}} masked block_q = 32 window = [9, 2]
//       CHECK:   %[[R2:.+]]:2 = scf.for %{{.+}} = %[[A]] to %[[C]] step %{{.+}} iter_args(%{{.+}} = %[[R1]]#0, %{{.+}} = %[[R1]]#1)
//   CHECK-NOT:     masked
//       CHECK:     sigattn.grad_kv_step {{.*}} seq_k = %[[NK]] block_q = 32 window = [9, 2]
//       CHECK:   %[[R3:.+]]:2 = scf.for %{{.+}} = %[[C]] to %[[HI]] step
//       CHECK:     sigattn.grad_kv_step {{.*}} masked block_q = 32
//       CHECK:   return %[[R3]]#0, %[[R3]]#1
func.func @grad_kv_window(%kt: vector<16x64xbf16>, %vt: vector<16x32xbf16>,
                          %q: memref<1x?x2x64xbf16>, %do: memref<1x?x2x32xbf16>,
                          %k0: index, %nk: index, %lo: index, %hi: index,
                          %dk0: vector<16x64xf32>, %dv0: vector<16x32xf32>)
    -> (vector<16x64xf32>, vector<16x32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %r:2 = scf.for %qt = %lo to %hi step %c1 iter_args(%a = %dk0, %b = %dv0)
      -> (vector<16x64xf32>, vector<16x32xf32>) {
    %dk, %dv = sigattn.grad_kv_step %kt, %vt, %q, %do, %a, %b [%c0, %c1, %k0, %qt]
        seq_k = %nk masked block_q = 32 window = [9, 2] scale = 0.125 bias = 0.0
        : vector<16x64xbf16>, vector<16x32xbf16>, memref<1x?x2x64xbf16>,
          memref<1x?x2x32xbf16>, vector<16x64xf32>, vector<16x32xf32>
    scf.yield %dk, %dv : vector<16x64xf32>, vector<16x32xf32>
  }
  return %r#0, %r#1 : vector<16x64xf32>, vector<16x32xf32>
}
