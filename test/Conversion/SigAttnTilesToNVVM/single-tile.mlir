// A key/value range that canonicalization folded to a single tile step (a
// static Nk of one tile, or a peeled boundary tile) is lowered as
// straight-line code: its K/V copies, then S = Q.K^T, P, and acc += P.V,
// with the accumulator threaded into the loop that follows.
// RUN: sigattn-opt %s -split-input-file -convert-sigattn-tiles-to-nvvm | FileCheck %s

// CHECK-LABEL: gpu.func @single_then_loop
//   CHECK-NOT:   scf.for
//       CHECK:   nvvm.cp.async.shared.global
//   CHECK-NOT:   scf.for
//       CHECK-COUNT-64: nvvm.mma.sync
//   CHECK-NOT:   scf.for
//       CHECK:   %[[LAST:.+]] = llvm.extractvalue %{{.+}}[3] : !llvm.struct<(f32, f32, f32, f32)>
//       CHECK:   scf.for {{.*}} iter_args({{.*}} = %[[LAST]]) -> (f32,
//       CHECK-COUNT-64: nvvm.mma.sync
//       CHECK:   scf.yield
//       CHECK:   gpu.return
//   CHECK-NOT:   sigattn.
gpu.module @sigattn_kernels {
  gpu.func @single_then_loop(%q: memref<?x?x2x64xbf16>, %k: memref<?x?x2x64xbf16>, %v: memref<?x?x2x64xbf16>, %o: memref<?x?x2x64xbf16>, %n: index) kernel attributes {known_block_size = array<i32: 128, 1, 1>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %cst = arith.constant dense<0.0> : vector<64x64xf32>
    %t = sigattn.load_tile %q[%c0, %c0, %c0] : memref<?x?x2x64xbf16> -> vector<64x64xbf16>
    %s = sigattn.tile_step %t, %k, %v, %cst[%c0, %c0, %c0, %c0] seq_q = %n masked block_k = 64 window = [-1, -1] scale = 1.0 bias = 0.0 : vector<64x64xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x64xbf16>, vector<64x64xf32>
    %a = scf.for %i = %c1 to %n step %c1 iter_args(%acc = %s) -> (vector<64x64xf32>) {
      %s2 = sigattn.tile_step %t, %k, %v, %acc[%c0, %c0, %c0, %i] seq_q = %n block_k = 64 window = [-1, -1] scale = 1.0 bias = 0.0 : vector<64x64xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x64xbf16>, vector<64x64xf32>
      scf.yield %s2 : vector<64x64xf32>
    }
    sigattn.store_tile %a, %o[%c0, %c0, %c0] : vector<64x64xf32>, memref<?x?x2x64xbf16>
    gpu.return
  }
}

// -----

// Stages go by slot, a tile's position in the kernel's sequence of key/value
// tiles, not by its index: tile 2 after tile 0 (a gap) is slot 1 and lands
// in the other stage, like tile 1 after tile 0, so neither needs a barrier
// before its copies (the stage it overwrites was last read by slot - 2).
// CHECK-LABEL: gpu.func @gap
//       CHECK-COUNT-64: nvvm.mma.sync
//   CHECK-NOT:   nvvm.barrier0
//       CHECK:   nvvm.cp.async.shared.global
//       CHECK:   nvvm.barrier0
//       CHECK-COUNT-64: nvvm.mma.sync
// CHECK-LABEL: gpu.func @no_gap
//       CHECK-COUNT-64: nvvm.mma.sync
//   CHECK-NOT:   nvvm.barrier0
//       CHECK:   nvvm.cp.async.shared.global
gpu.module @sigattn_kernels {
  gpu.func @gap(%q: memref<?x?x2x64xbf16>, %k: memref<?x?x2x64xbf16>, %v: memref<?x?x2x64xbf16>, %o: memref<?x?x2x64xbf16>, %n: index) kernel attributes {known_block_size = array<i32: 128, 1, 1>} {
    %c0 = arith.constant 0 : index
    %c2 = arith.constant 2 : index
    %cst = arith.constant dense<0.0> : vector<64x64xf32>
    %t = sigattn.load_tile %q[%c0, %c0, %c0] : memref<?x?x2x64xbf16> -> vector<64x64xbf16>
    %s = sigattn.tile_step %t, %k, %v, %cst[%c0, %c0, %c0, %c0] seq_q = %n masked block_k = 64 window = [-1, -1] scale = 1.0 bias = 0.0 : vector<64x64xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x64xbf16>, vector<64x64xf32>
    %s2 = sigattn.tile_step %t, %k, %v, %s[%c0, %c0, %c0, %c2] seq_q = %n masked block_k = 64 window = [-1, -1] scale = 1.0 bias = 0.0 : vector<64x64xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x64xbf16>, vector<64x64xf32>
    sigattn.store_tile %s2, %o[%c0, %c0, %c0] : vector<64x64xf32>, memref<?x?x2x64xbf16>
    gpu.return
  }
  gpu.func @no_gap(%q: memref<?x?x2x64xbf16>, %k: memref<?x?x2x64xbf16>, %v: memref<?x?x2x64xbf16>, %o: memref<?x?x2x64xbf16>, %n: index) kernel attributes {known_block_size = array<i32: 128, 1, 1>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %cst = arith.constant dense<0.0> : vector<64x64xf32>
    %t = sigattn.load_tile %q[%c0, %c0, %c0] : memref<?x?x2x64xbf16> -> vector<64x64xbf16>
    %s = sigattn.tile_step %t, %k, %v, %cst[%c0, %c0, %c0, %c0] seq_q = %n masked block_k = 64 window = [-1, -1] scale = 1.0 bias = 0.0 : vector<64x64xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x64xbf16>, vector<64x64xf32>
    %s2 = sigattn.tile_step %t, %k, %v, %s[%c0, %c0, %c0, %c1] seq_q = %n masked block_k = 64 window = [-1, -1] scale = 1.0 bias = 0.0 : vector<64x64xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x64xbf16>, vector<64x64xf32>
    sigattn.store_tile %s2, %o[%c0, %c0, %c0] : vector<64x64xf32>, memref<?x?x2x64xbf16>
    gpu.return
  }
}
