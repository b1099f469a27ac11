// The constants and predicates the mma.sync lowering emits, pinned: the
// sigmoid's factors (0.5 * scale, 0.5 * bias, 0.5 * slope, 0.5 * tanh + 0.5),
// the ALiBi term subtracted with |d|, the mask bounds (col < Nk - k0 - 2t,
// d <= left, d >= -right), the XOR swizzle on both the copy and the
// ldmatrix side, the zero fill of rows past the end, and the store guard
// row < Nq. Their per-lane arithmetic is checked for every lane by
// sigattn-layout-tests (mma-sync-layout.test).
// RUN: sigattn-opt %s -convert-sigattn-tiles-to-nvvm -canonicalize -cse | FileCheck %s

// CHECK-LABEL: gpu.func @pins
//   CHECK-DAG:   %[[HALF:.+]] = arith.constant 5.000000e-01 : f32
//   CHECK-DAG:   %[[HBIAS:.+]] = arith.constant -1.000000e+00 : f32
//   CHECK-DAG:   %[[HSCALE:.+]] = arith.constant 6.250000e-02 : f32
//   CHECK-DAG:   %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// Copy: chunk c of row r goes to byte r * 128 + ((c ^ (r & 7)) << 4).
//       CHECK:   %[[R:[0-9]+]] = arith.shrui %{{.+}}, %c3_i32 : i32
//  CHECK-NEXT:   %[[C:[0-9]+]] = arith.andi %{{.+}}, %c7_i32 : i32
//  CHECK-NEXT:   %[[R8:[0-9]+]] = arith.andi %[[R]], %c7_i32 : i32
//  CHECK-NEXT:   %[[X:[0-9]+]] = arith.xori %[[C]], %[[R8]] : i32
//  CHECK-NEXT:   %[[XB:[0-9]+]] = arith.shli %[[X]], %c4_i32 : i32
//  CHECK-NEXT:   %[[RB:[0-9]+]] = arith.muli %[[R]], %c128_i32 : i32
//  CHECK-NEXT:   %[[DST:[0-9]+]] = arith.addi %[[RB]], %[[XB]] : i32
// Source: row min(r, valid - 1) of the tile (valid = min(N - row0, rows)),
// at a 32-bit offset from the tile's first row: r * row-stride bytes (here
// the memref's 2 x 64 elements, 256 bytes) + 16 c. Zero fill: 16 bytes for
// rows inside the sequence, 0 past its end.
//  CHECK-NEXT:   %[[LAST:[0-9]+]] = arith.subi %[[VALID:[0-9]+]], %c1_i32 : i32
//  CHECK-NEXT:   %[[SROW:[0-9]+]] = arith.minsi %[[R]], %[[LAST]] : i32
//  CHECK-NEXT:   %[[CB:[0-9]+]] = arith.shli %[[C]], %c4_i32 : i32
//  CHECK-NEXT:   %[[SRB:[0-9]+]] = arith.muli %[[SROW]], %c256_i32 : i32
//  CHECK-NEXT:   %[[SOFF:[0-9]+]] = arith.addi %[[SRB]], %[[CB]] : i32
//  CHECK-NEXT:   %[[SOFF64:[0-9]+]] = arith.extui %[[SOFF]] : i32 to i64
//  CHECK-NEXT:   %[[SPTR:[0-9]+]] = llvm.getelementptr %{{.+}}[%[[SOFF64]]]
//  CHECK-NEXT:   %[[INSIDE:[0-9]+]] = arith.cmpi slt, %[[R]], %[[VALID]] : i32
//  CHECK-NEXT:   %[[BYTES:[0-9]+]] = arith.select %[[INSIDE]], %c16_i32, %c0_i32 : i32
//  CHECK-NEXT:   %[[DPTR:[0-9]+]] = llvm.getelementptr %{{.+}}[%[[DST]]]
//  CHECK-NEXT:   nvvm.cp.async.shared.global %[[DPTR]], %[[SPTR]], 16, cache = {{ *}}cg, %[[BYTES]]
//       CHECK:   %[[HSLOPE:[0-9]+]] = arith.mulf %{{.+}}, %[[HALF]] : f32
//       CHECK:   scf.for
// ldmatrix: the same swizzle on the reading side.
//       CHECK:     arith.xori
//       CHECK:     nvvm.ldmatrix
//       CHECK:     nvvm.mma.sync
// P = 0.5 * tanh(0.0625 * S - 1 - (0.5 * slope) * |d|) + 0.5, masked.
//       CHECK:     %[[SS:[0-9]+]] = arith.mulf %{{.+}}, %[[HSCALE]] : f32
//  CHECK-NEXT:     %[[SB:[0-9]+]] = arith.addf %[[SS]], %[[HBIAS]] : f32
//  CHECK-NEXT:     %[[NEG:[0-9]+]] = arith.subi %c0_i32, %[[D:[0-9]+]] : i32
//  CHECK-NEXT:     %[[ABS:[0-9]+]] = arith.maxsi %[[D]], %[[NEG]] : i32
//  CHECK-NEXT:     %[[DIST:[0-9]+]] = arith.sitofp %[[ABS]] : i32 to f32
//  CHECK-NEXT:     %[[AL:[0-9]+]] = arith.mulf %[[HSLOPE]], %[[DIST]] : f32
//  CHECK-NEXT:     %[[ARG:[0-9]+]] = arith.subf %[[SB]], %[[AL]] : f32
//  CHECK-NEXT:     %[[T:[0-9]+]] = llvm.intr.tanh(%[[ARG]]) {fastmathFlags = #llvm.fastmath<afn>} : (f32) -> f32
//  CHECK-NEXT:     %[[TH:[0-9]+]] = arith.mulf %[[T]], %[[HALF]] : f32
//  CHECK-NEXT:     %[[P:[0-9]+]] = arith.addf %[[TH]], %[[HALF]] : f32
//  CHECK-NEXT:     %[[INK:[0-9]+]] = arith.cmpi sgt, %{{.+}}, %c0_i32 : i32
//  CHECK-NEXT:     %[[LEFT:[0-9]+]] = arith.cmpi sle, %[[D]], %c100_i32 : i32
//  CHECK-NEXT:     %[[V1:[0-9]+]] = arith.andi %[[INK]], %[[LEFT]] : i1
//  CHECK-NEXT:     %[[RIGHT:[0-9]+]] = arith.cmpi sge, %[[D]], %c-3_i32 : i32
//  CHECK-NEXT:     %[[V2:[0-9]+]] = arith.andi %[[V1]], %[[RIGHT]] : i1
//  CHECK-NEXT:     arith.select %[[V2]], %[[P]], %[[ZERO]] : f32
// The next column's element: d - 1, and col 1 < limit.
//       CHECK:     arith.addi %[[D]], %c-1_i32 : i32
//       CHECK:     arith.cmpi sgt, %{{.+}}, %c1_i32 : i32
//       CHECK:     scf.yield
// O: only rows below Nq are stored.
//       CHECK:   %[[ROWOK:[0-9]+]] = arith.cmpi slt, %{{.+}}, %{{.+}} : i64
//  CHECK-NEXT:   scf.if %[[ROWOK]] {
//       CHECK:     llvm.store
gpu.module @sigattn_kernels {
  gpu.func @pins(%q: memref<?x?x2x64xbf16>, %k: memref<?x?x2x64xbf16>, %v: memref<?x?x2x64xbf16>, %o: memref<?x?x2x64xbf16>, %slopes: memref<2xf32>, %n: index) kernel attributes {known_block_size = array<i32: 128, 1, 1>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %cst = arith.constant dense<0.0> : vector<64x64xf32>
    %slope = memref.load %slopes[%c0] : memref<2xf32>
    %t = sigattn.load_tile %q[%c0, %c0, %c0] : memref<?x?x2x64xbf16> -> vector<64x64xbf16>
    %a = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %cst) -> (vector<64x64xf32>) {
      %s = sigattn.tile_step %t, %k, %v, %acc[%c0, %c0, %c0, %i] seq_q = %n alibi(%slope) masked block_k = 64 window = [100, 3] scale = 0.125 bias = -2.0 : vector<64x64xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x64xbf16>, vector<64x64xf32>
      scf.yield %s : vector<64x64xf32>
    }
    sigattn.store_tile %a, %o[%c0, %c0, %c0] : vector<64x64xf32>, memref<?x?x2x64xbf16>
    gpu.return
  }
}
