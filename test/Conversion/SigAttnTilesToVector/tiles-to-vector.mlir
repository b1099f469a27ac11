// The portable lowering of tile ops: transfers padded with 0, two f32
// contractions, the sigmoid, and element masks on masked tiles only.
// RUN: sigattn-opt %s -split-input-file -convert-sigattn-tiles-to-vector -cse | FileCheck %s

// CHECK-LABEL: func.func @load_store
//       CHECK:   %[[ROWS:.+]] = memref.subview %{{.+}}[%{{.+}}, 0, %{{.+}}, 0] [1, %{{.+}}, 1, 64] [1, 1, 1, 1]
//       CHECK:   %[[T:.+]] = vector.transfer_read %[[ROWS]][%{{.+}}, %c0], %{{.+}} {in_bounds = [false, true]} : memref<?x64xbf16, strided<[512, 1], offset: ?>>, vector<16x64xbf16>
//       CHECK:   %[[N:.+]] = arith.truncf %{{.+}} : vector<16x64xf32> to vector<16x64xbf16>
//       CHECK:   vector.transfer_write %[[N]], %{{.+}}[%{{.+}}, %c0] {in_bounds = [false, true]}
func.func @load_store(%q: memref<?x?x8x64xbf16>, %o: memref<?x?x8x64xbf16>, %b: index,
                      %q0: index, %h: index, %acc: vector<16x64xf32>) -> vector<16x64xbf16> {
  %t = sigattn.load_tile %q[%b, %q0, %h] : memref<?x?x8x64xbf16> -> vector<16x64xbf16>
  sigattn.store_tile %acc, %o[%b, %q0, %h] : vector<16x64xf32>, memref<?x?x8x64xbf16>
  return %t : vector<16x64xbf16>
}

// -----

// Interior tile: no mask, no index arithmetic on scores.
// CHECK-LABEL: func.func @interior
//       CHECK:   vector.transfer_read {{.*}} vector<8x64xbf16>
//       CHECK:   vector.transfer_read {{.*}} vector<8x32xbf16>
//       CHECK:   vector.contract {{.*}} iterator_types = ["parallel", "parallel", "reduction"]
//  CHECK-SAME:     vector<16x64xf32>, vector<8x64xf32> into vector<16x8xf32>
//       CHECK:   math.exp
//       CHECK:   arith.divf
//   CHECK-NOT:   arith.select
//   CHECK-NOT:   arith.cmpi
//       CHECK:   vector.contract {{.*}} vector<16x8xf32>, vector<8x32xf32> into vector<16x32xf32>
func.func @interior(%qt: vector<16x64xbf16>, %k: memref<?x?x2x64xbf16>, %v: memref<?x?x2x32xbf16>,
                    %acc: vector<16x32xf32>, %i: index) -> vector<16x32xf32> {
  %a = sigattn.tile_step %qt, %k, %v, %acc [%i, %i, %i, %i] seq_q = %i block_k = 8 window = [-1, 0] scale = 1.0 bias = 0.0
      : vector<16x64xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x32xbf16>, vector<16x32xf32>
  return %a : vector<16x32xf32>
}

// -----

// Boundary tile with a window and ALiBi: j < Nk, j >= diag - 4, j <= diag + 1.
// CHECK-LABEL: func.func @boundary
//       CHECK:   math.exp
//       CHECK:   %[[INB:.+]] = arith.cmpi slt, %[[COL:.+]], %{{.+}} : vector<16x8xindex>
//       CHECK:   %[[LO:.+]] = arith.subi %[[DIAG:.+]], %{{.+}} : vector<16x8xindex>
//       CHECK:   %[[GE:.+]] = arith.cmpi sge, %[[COL]], %[[LO]]
//       CHECK:   %[[V1:.+]] = arith.andi %[[INB]], %[[GE]]
//       CHECK:   %[[HI:.+]] = arith.addi %[[DIAG]], %{{.+}} : vector<16x8xindex>
//       CHECK:   %[[LE:.+]] = arith.cmpi sle, %[[COL]], %[[HI]]
//       CHECK:   %[[V2:.+]] = arith.andi %[[V1]], %[[LE]]
//       CHECK:   arith.select %[[V2]], %{{.+}}, %{{.+}} : vector<16x8xi1>, vector<16x8xf32>
func.func @boundary(%qt: vector<16x64xbf16>, %k: memref<?x?x2x64xbf16>, %v: memref<?x?x2x32xbf16>,
                    %acc: vector<16x32xf32>, %i: index, %s: f32) -> vector<16x32xf32> {
  %a = sigattn.tile_step %qt, %k, %v, %acc [%i, %i, %i, %i] seq_q = %i alibi(%s) masked block_k = 8 window = [4, 1] scale = 1.0 bias = 0.0
      : vector<16x64xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x32xbf16>, vector<16x32xf32>
  return %a : vector<16x32xf32>
}
