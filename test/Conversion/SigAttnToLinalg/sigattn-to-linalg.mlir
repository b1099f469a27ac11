// The reference expansion of sigattn.attention into linalg on tensors.
// RUN: sigattn-opt %s -split-input-file -convert-sigattn-to-linalg | FileCheck %s

// No mask, no ALiBi, GQA with g = 4: S = Q.K^T, P = sigmoid(scale*S + bias),
// O = P.V, each one linalg.generic, and nothing selects.
//   CHECK-DAG: #[[QMAP:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d2, d1, d4)>
//   CHECK-DAG: #[[KMAP:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d3, d1 floordiv 4, d4)>
//   CHECK-DAG: #[[SMAP:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
//   CHECK-DAG: #[[ID4:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
//   CHECK-DAG: #[[VMAP:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d4, d2 floordiv 4, d3)>
// CHECK-LABEL: func.func @gqa_no_mask
//  CHECK-SAME:   (%[[Q:.+]]: tensor<2x16x8x64xbf16>, %[[K:.+]]: tensor<2x32x2x64xbf16>, %[[V:.+]]: tensor<2x32x2x32xbf16>)
//       CHECK:   %[[S0:.+]] = linalg.fill {{.*}} -> tensor<2x8x16x32xf32>
//       CHECK:   %[[S:.+]] = linalg.generic {indexing_maps = [#[[QMAP]], #[[KMAP]], #[[SMAP]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
//  CHECK-SAME:     ins(%[[Q]], %[[K]] : {{.*}}) outs(%[[S0]] : tensor<2x8x16x32xf32>)
//       CHECK:     arith.extf
//       CHECK:     arith.extf
//       CHECK:     arith.mulf
//       CHECK:     arith.addf
//       CHECK:   %[[P:.+]] = linalg.generic {indexing_maps = [#[[ID4]], #[[ID4]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
//  CHECK-SAME:     ins(%[[S]] : tensor<2x8x16x32xf32>)
//       CHECK:     %[[SCALE:.+]] = arith.constant 1.250000e-01 : f32
//       CHECK:     arith.mulf %{{.+}}, %[[SCALE]]
//       CHECK:     %[[BIAS:.+]] = arith.constant -3.000000e+00 : f32
//       CHECK:     arith.addf %{{.+}}, %[[BIAS]]
//       CHECK:     arith.negf
//       CHECK:     math.exp
//       CHECK:     arith.divf
//   CHECK-NOT:     arith.select
//       CHECK:   %[[O0:.+]] = linalg.fill {{.*}} -> tensor<2x16x8x32xf32>
//       CHECK:   %[[O:.+]] = linalg.generic {indexing_maps = [#[[QMAP]], #[[VMAP]], #[[SMAP]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
//  CHECK-SAME:     ins(%[[P]], %[[V]] : {{.*}}) outs(%[[O0]] : tensor<2x16x8x32xf32>)
//       CHECK:   %[[R:.+]] = linalg.generic
//  CHECK-SAME:     ins(%[[O]] : tensor<2x16x8x32xf32>) outs(%{{.+}} : tensor<2x16x8x32xbf16>)
//       CHECK:     arith.truncf %{{.+}} : f32 to bf16
//       CHECK:   return %[[R]]
//   CHECK-NOT:   sigattn.attention
func.func @gqa_no_mask(%q: tensor<2x16x8x64xbf16>, %k: tensor<2x32x2x64xbf16>,
                       %v: tensor<2x32x2x32xbf16>) -> tensor<2x16x8x32xbf16> {
  %o = sigattn.attention %q, %k, %v bias = -3.0
      : tensor<2x16x8x64xbf16>, tensor<2x32x2x64xbf16>, tensor<2x32x2x32xbf16>
      -> tensor<2x16x8x32xbf16>
  return %o : tensor<2x16x8x32xbf16>
}

// -----

// Causal window with batched ALiBi on dynamic sizes: the diagonal offset is
// Nk - Nq, the slope is read at (b, h), and the mask selects 0.
//   CHECK-DAG: #[[ID4:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
//   CHECK-DAG: #[[SLOPE:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1)>
// CHECK-LABEL: func.func @window_alibi_dynamic
//  CHECK-SAME:   (%[[Q:[^:]+]]: tensor<?x?x4x16xf16>, %[[K:[^:]+]]: tensor<?x?x4x16xf16>, %{{[^:]+}}: tensor<?x?x4x16xf16>, %[[SL:[^:]+]]: tensor<?x4xf32>)
//   CHECK-DAG:   %[[NQ:.+]] = tensor.dim %[[Q]], %c1
//   CHECK-DAG:   %[[NK:.+]] = tensor.dim %[[K]], %c1
//       CHECK:   %[[OFF:.+]] = arith.subi %[[NK]], %[[NQ]] : index
//       CHECK:   linalg.generic {indexing_maps = [#[[ID4]], #[[SLOPE]], #[[ID4]]]
//  CHECK-SAME:     ins(%{{.+}}, %[[SL]] : tensor<?x4x?x?xf32>, tensor<?x4xf32>)
//       CHECK:   ^bb0(%[[SIN:.+]]: f32, %[[SLOPEIN:.+]]: f32, %{{.+}}: f32):
//       CHECK:     %[[I:.+]] = linalg.index 2 : index
//       CHECK:     %[[J:.+]] = linalg.index 3 : index
//       CHECK:     %[[DIAG:.+]] = arith.addi %[[I]], %[[OFF]] : index
//       CHECK:     %[[DIST:.+]] = arith.subi %[[DIAG]], %[[J]] : index
//       CHECK:     %[[DIST64:.+]] = arith.index_cast %[[DIST]] : index to i64
//       CHECK:     %[[ABS:.+]] = math.absi %[[DIST64]] : i64
//       CHECK:     %[[ABSF:.+]] = arith.sitofp %[[ABS]] : i64 to f32
//       CHECK:     %[[PEN:.+]] = arith.mulf %[[SLOPEIN]], %[[ABSF]] : f32
//       CHECK:     arith.subf %{{.+}}, %[[PEN]] : f32
//       CHECK:     math.exp
//       CHECK:     %[[LEFT:.+]] = arith.constant 7 : index
//       CHECK:     %[[LO:.+]] = arith.subi %[[DIAG]], %[[LEFT]] : index
//       CHECK:     %[[GELO:.+]] = arith.cmpi sge, %[[J]], %[[LO]] : index
//       CHECK:     %[[HI:.+]] = arith.addi %[[DIAG]], %{{.+}} : index
//       CHECK:     %[[LEHI:.+]] = arith.cmpi sle, %[[J]], %[[HI]] : index
//       CHECK:     %[[VIS:.+]] = arith.andi %[[GELO]], %[[LEHI]] : i1
//       CHECK:     arith.select %[[VIS]], %{{.+}}, %{{.+}} : f32
//   CHECK-NOT:   sigattn.attention
func.func @window_alibi_dynamic(%q: tensor<?x?x4x16xf16>, %k: tensor<?x?x4x16xf16>,
                                %v: tensor<?x?x4x16xf16>, %s: tensor<?x4xf32>)
    -> tensor<?x?x4x16xf16> {
  %o = sigattn.attention %q, %k, %v alibi(%s : tensor<?x4xf32>) causal window = [7, 0]
      : tensor<?x?x4x16xf16>, tensor<?x?x4x16xf16>, tensor<?x?x4x16xf16>
      -> tensor<?x?x4x16xf16>
  return %o : tensor<?x?x4x16xf16>
}

// -----

// Default scale is 1/sqrt(D); a per-head slope is read at h.
//   CHECK-DAG: #[[HEAD:.+]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-LABEL: func.func @default_scale_alibi_per_head
//       CHECK:   linalg.generic {indexing_maps = [#{{.+}}, #[[HEAD]], #{{.+}}]
//       CHECK:     arith.constant 2.500000e-01 : f32
func.func @default_scale_alibi_per_head(%q: tensor<1x8x2x16xbf16>, %k: tensor<1x8x2x16xbf16>,
                                        %v: tensor<1x8x2x16xbf16>, %s: tensor<2xf32>)
    -> tensor<1x8x2x16xbf16> {
  %o = sigattn.attention %q, %k, %v alibi(%s : tensor<2xf32>)
      : tensor<1x8x2x16xbf16>, tensor<1x8x2x16xbf16>, tensor<1x8x2x16xbf16>
      -> tensor<1x8x2x16xbf16>
  return %o : tensor<1x8x2x16xbf16>
}

// -----

// A result more static than the query gets a tensor.cast back to its type.
// CHECK-LABEL: func.func @static_result
//       CHECK:   %[[T:.+]] = linalg.generic {{.*}} outs(%{{.+}} : tensor<?x8x2x16xbf16>)
//       CHECK:     arith.truncf
//       CHECK:   %[[C:.+]] = tensor.cast %[[T]] : tensor<?x8x2x16xbf16> to tensor<3x8x2x16xbf16>
//       CHECK:   return %[[C]]
func.func @static_result(%q: tensor<?x8x2x16xbf16>, %k: tensor<?x8x2x16xbf16>,
                         %v: tensor<?x8x2x16xbf16>) -> tensor<3x8x2x16xbf16> {
  %o = sigattn.attention %q, %k, %v
      : tensor<?x8x2x16xbf16>, tensor<?x8x2x16xbf16>, tensor<?x8x2x16xbf16>
      -> tensor<3x8x2x16xbf16>
  return %o : tensor<3x8x2x16xbf16>
}
