// f16 operands are vector<2xf16>; ALiBi subtracts (0.5 slope) |d| before
// the tanh in every tile, masked or not; GQA reads kv head h / 3.
// RUN: sigattn-opt %s -sigattn-tile -sigattn-peel-boundary-tiles -sigattn-outline-gpu-kernels -convert-sigattn-tiles-to-nvvm -canonicalize -cse | FileCheck %s

// CHECK-LABEL: gpu.func @alibi_sigattn
//       CHECK:   %[[SLOPE:.+]] = memref.load
//       CHECK:   %[[HALF:.+]] = arith.mulf %[[SLOPE]], %{{.+}} : f32
//       CHECK:   scf.for
//       CHECK:     nvvm.mma.sync A[{{.*}}] B[{{.*}}] C[{{.*}}] {{.*}} : (vector<2xf16>, vector<2xf16>, f32) -> !llvm.struct<(f32, f32, f32, f32)>
//       CHECK:     arith.maxsi
//       CHECK:     arith.sitofp %{{.+}} : i32 to f32
//       CHECK:     arith.mulf %[[HALF]], %{{.+}} : f32
//       CHECK:     llvm.intr.tanh
//   CHECK-NOT:     arith.select %{{.+}}, %{{.+}}, %{{.+}} : f32
//       CHECK:     scf.yield %
//       CHECK:   scf.for
//       CHECK:     arith.mulf %[[HALF]], %{{.+}} : f32
//       CHECK:     llvm.intr.tanh
//       CHECK:     arith.select %{{.+}}, %{{.+}}, %{{.+}} : f32
//       CHECK:     scf.yield %
func.func @alibi(%q: tensor<1x?x6x128xf16>, %k: tensor<1x?x2x128xf16>,
                 %v: tensor<1x?x2x128xf16>, %s: tensor<6xf32>) -> tensor<1x?x6x128xf16> {
  %o = sigattn.attention %q, %k, %v alibi(%s : tensor<6xf32>) causal
      : tensor<1x?x6x128xf16>, tensor<1x?x2x128xf16>, tensor<1x?x2x128xf16>
      -> tensor<1x?x6x128xf16>
  return %o : tensor<1x?x6x128xf16>
}
