// Round trip of sigattn.attention in its custom form, and through the
// generic form back to the custom one.
// RUN: sigattn-opt %s -split-input-file | sigattn-opt -split-input-file | FileCheck %s
// RUN: sigattn-opt %s -split-input-file -mlir-print-op-generic | sigattn-opt -split-input-file | FileCheck %s
// RUN: sigattn-opt %s -split-input-file -mlir-print-op-generic | FileCheck %s --check-prefix=GENERIC

// CHECK-LABEL: func.func @plain
//  CHECK-SAME:   (%[[Q:.+]]: tensor<2x128x8x64xbf16>, %[[K:.+]]: tensor<2x256x8x64xbf16>, %[[V:.+]]: tensor<2x256x8x64xbf16>)
//       CHECK:   %[[O:.+]] = sigattn.attention %[[Q]], %[[K]], %[[V]] :
//  CHECK-SAME:     tensor<2x128x8x64xbf16>, tensor<2x256x8x64xbf16>, tensor<2x256x8x64xbf16> -> tensor<2x128x8x64xbf16>
//       CHECK:   return %[[O]]
// GENERIC-LABEL: sym_name = "plain"
//       GENERIC: "sigattn.attention"(%{{.+}}, %{{.+}}, %{{.+}}) <{operandSegmentSizes = array<i32: 1, 1, 1, 0, 0, 0>}>
func.func @plain(%q: tensor<2x128x8x64xbf16>, %k: tensor<2x256x8x64xbf16>,
                 %v: tensor<2x256x8x64xbf16>) -> tensor<2x128x8x64xbf16> {
  %o = sigattn.attention %q, %k, %v
      : tensor<2x128x8x64xbf16>, tensor<2x256x8x64xbf16>, tensor<2x256x8x64xbf16>
      -> tensor<2x128x8x64xbf16>
  return %o : tensor<2x128x8x64xbf16>
}

// -----

// Scale and bias as f32 values given at run time, with ALiBi; and a
// run-time bias with a compiled-in scale.
// CHECK-LABEL: func.func @runtime_scalars
//  CHECK-SAME:   %[[S:[^:]+]]: f32, %[[B:[^:]+]]: f32)
//       CHECK:   sigattn.attention %{{.+}}, %{{.+}}, %{{.+}} alibi(%{{.+}} : tensor<8xf32>) causal scale(%[[S]] : f32) bias(%[[B]] : f32) :
//       CHECK:   sigattn.attention %{{.+}}, %{{.+}}, %{{.+}} scale = 1.250000e-01 bias(%[[B]] : f32) :
// GENERIC-LABEL: sym_name = "runtime_scalars"
//       GENERIC: "sigattn.attention"(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}) <{causal, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1>}>
//       GENERIC: "sigattn.attention"(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}) <{operandSegmentSizes = array<i32: 1, 1, 1, 0, 0, 1>, scale = 1.250000e-01 : f32}>
func.func @runtime_scalars(%q: tensor<?x?x8x64xbf16>, %k: tensor<?x?x2x64xbf16>,
                           %v: tensor<?x?x2x64xbf16>, %sl: tensor<8xf32>,
                           %s: f32, %b: f32)
    -> (tensor<?x?x8x64xbf16>, tensor<?x?x8x64xbf16>) {
  %o = sigattn.attention %q, %k, %v alibi(%sl : tensor<8xf32>) causal
      scale(%s : f32) bias(%b : f32)
      : tensor<?x?x8x64xbf16>, tensor<?x?x2x64xbf16>, tensor<?x?x2x64xbf16>
      -> tensor<?x?x8x64xbf16>
  %o2 = sigattn.attention %q, %k, %v scale = 0.125 bias(%b : f32)
      : tensor<?x?x8x64xbf16>, tensor<?x?x2x64xbf16>, tensor<?x?x2x64xbf16>
      -> tensor<?x?x8x64xbf16>
  return %o, %o2 : tensor<?x?x8x64xbf16>, tensor<?x?x8x64xbf16>
}

// -----

// Every option at once: dynamic B, Nq, Nk, GQA, f16, Dv != D.
// CHECK-LABEL: func.func @all_options
//       CHECK:   sigattn.attention %{{.+}}, %{{.+}}, %{{.+}} alibi(%{{.+}} : tensor<?x16xf32>) causal window = [256, 0] scale = 1.250000e-01 bias = -8.000000e+00 :
//  CHECK-SAME:     tensor<?x?x16x128xf16>, tensor<?x?x4x128xf16>, tensor<?x?x4x64xf16> -> tensor<?x?x16x64xf16>
// GENERIC-LABEL: sym_name = "all_options"
//       GENERIC: "sigattn.attention"(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}) <{bias = -8.000000e+00 : f32, causal, operandSegmentSizes = array<i32: 1, 1, 1, 1, 0, 0>, scale = 1.250000e-01 : f32, window = array<i64: 256, 0>}>
func.func @all_options(%q: tensor<?x?x16x128xf16>, %k: tensor<?x?x4x128xf16>,
                       %v: tensor<?x?x4x64xf16>, %s: tensor<?x16xf32>)
    -> tensor<?x?x16x64xf16> {
  %o = sigattn.attention %q, %k, %v alibi(%s : tensor<?x16xf32>) causal
      window = [256, 0] scale = 0.125 bias = -8.0
      : tensor<?x?x16x128xf16>, tensor<?x?x4x128xf16>, tensor<?x?x4x64xf16>
      -> tensor<?x?x16x64xf16>
  return %o : tensor<?x?x16x64xf16>
}

// -----

// ALiBi per head, MQA, a window open on the right.
// CHECK-LABEL: func.func @alibi_per_head_mqa
//       CHECK:   sigattn.attention %{{.+}}, %{{.+}}, %{{.+}} alibi(%{{.+}} : tensor<4xf32>) window = [64, -1] :
//  CHECK-SAME:     tensor<1x33x4x32xbf16>, tensor<1x17x1x32xbf16>, tensor<1x17x1x32xbf16> -> tensor<1x33x4x32xbf16>
func.func @alibi_per_head_mqa(%q: tensor<1x33x4x32xbf16>, %k: tensor<1x17x1x32xbf16>,
                              %v: tensor<1x17x1x32xbf16>, %s: tensor<4xf32>)
    -> tensor<1x33x4x32xbf16> {
  %o = sigattn.attention %q, %k, %v alibi(%s : tensor<4xf32>) window = [64, -1]
      : tensor<1x33x4x32xbf16>, tensor<1x17x1x32xbf16>, tensor<1x17x1x32xbf16>
      -> tensor<1x33x4x32xbf16>
  return %o : tensor<1x33x4x32xbf16>
}

// -----

// A generic-form op with only some attributes prints in the custom form;
// a dynamic result may be more static than the query.
// CHECK-LABEL: func.func @from_generic
//       CHECK:   sigattn.attention %{{.+}}, %{{.+}}, %{{.+}} causal bias = -2.500000e+00 :
//  CHECK-SAME:     tensor<?x8x2x64xbf16>, tensor<?x8x2x64xbf16>, tensor<?x8x2x64xbf16> -> tensor<3x8x2x64xbf16>
func.func @from_generic(%q: tensor<?x8x2x64xbf16>, %k: tensor<?x8x2x64xbf16>,
                        %v: tensor<?x8x2x64xbf16>) -> tensor<3x8x2x64xbf16> {
  %o = "sigattn.attention"(%q, %k, %v) <{bias = -2.5 : f32, causal, operandSegmentSizes = array<i32: 1, 1, 1, 0, 0, 0>}>
      : (tensor<?x8x2x64xbf16>, tensor<?x8x2x64xbf16>, tensor<?x8x2x64xbf16>)
      -> tensor<3x8x2x64xbf16>
  return %o : tensor<3x8x2x64xbf16>
}

// -----

// sigattn.attention_grad: plain, its results named dq, dk, dv.
// CHECK-LABEL: func.func @grad_plain
//  CHECK-SAME:   (%[[Q:.+]]: tensor<2x16x8x64xbf16>, %[[K:.+]]: tensor<2x32x8x64xbf16>, %[[V:.+]]: tensor<2x32x8x64xbf16>, %[[DO:.+]]: tensor<2x16x8x64xbf16>)
//       CHECK:   %[[DQ:dq]], %[[DK:dk]], %[[DV:dv]] = sigattn.attention_grad %[[Q]], %[[K]], %[[V]], %[[DO]] :
//  CHECK-SAME:     tensor<2x16x8x64xbf16>, tensor<2x32x8x64xbf16>, tensor<2x32x8x64xbf16>, tensor<2x16x8x64xbf16> -> tensor<2x16x8x64xbf16>, tensor<2x32x8x64xbf16>, tensor<2x32x8x64xbf16>
//       CHECK:   return %[[DQ]], %[[DK]], %[[DV]]
// GENERIC-LABEL: sym_name = "grad_plain"
//       GENERIC: "sigattn.attention_grad"(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}) <{operandSegmentSizes = array<i32: 1, 1, 1, 1, 0, 0, 0>}>
func.func @grad_plain(%q: tensor<2x16x8x64xbf16>, %k: tensor<2x32x8x64xbf16>,
                      %v: tensor<2x32x8x64xbf16>, %do: tensor<2x16x8x64xbf16>)
    -> (tensor<2x16x8x64xbf16>, tensor<2x32x8x64xbf16>, tensor<2x32x8x64xbf16>) {
  %dq, %dk, %dv = sigattn.attention_grad %q, %k, %v, %do
      : tensor<2x16x8x64xbf16>, tensor<2x32x8x64xbf16>, tensor<2x32x8x64xbf16>,
        tensor<2x16x8x64xbf16>
      -> tensor<2x16x8x64xbf16>, tensor<2x32x8x64xbf16>, tensor<2x32x8x64xbf16>
  return %dq, %dk, %dv
      : tensor<2x16x8x64xbf16>, tensor<2x32x8x64xbf16>, tensor<2x32x8x64xbf16>
}

// -----

// sigattn.attention_grad with every option at once: dynamic B, Nq, Nk, GQA,
// f16, Dv != D, batched ALiBi, causal band, compiled-in scale and bias; and
// run-time scale and bias with per-head ALiBi.
// CHECK-LABEL: func.func @grad_all_options
//  CHECK-SAME:   %[[S:[^:]+]]: f32, %[[B:[^:]+]]: f32)
//       CHECK:   sigattn.attention_grad %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}} alibi(%{{.+}} : tensor<?x16xf32>) causal window = [256, 0] scale = 1.250000e-01 bias = -8.000000e+00 :
//  CHECK-SAME:     tensor<?x?x16x128xf16>, tensor<?x?x4x128xf16>, tensor<?x?x4x64xf16>, tensor<?x?x16x64xf16> -> tensor<?x?x16x128xf16>, tensor<?x?x4x128xf16>, tensor<?x?x4x64xf16>
//       CHECK:   sigattn.attention_grad %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}} alibi(%{{.+}} : tensor<16xf32>) window = [-1, 3] scale(%[[S]] : f32) bias(%[[B]] : f32) :
// GENERIC-LABEL: sym_name = "grad_all_options"
//       GENERIC: "sigattn.attention_grad"(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}) <{bias = -8.000000e+00 : f32, causal, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 0, 0>, scale = 1.250000e-01 : f32, window = array<i64: 256, 0>}>
//       GENERIC: "sigattn.attention_grad"(%{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}) <{operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 1>, window = array<i64: -1, 3>}>
func.func @grad_all_options(%q: tensor<?x?x16x128xf16>, %k: tensor<?x?x4x128xf16>,
                            %v: tensor<?x?x4x64xf16>, %do: tensor<?x?x16x64xf16>,
                            %sl: tensor<?x16xf32>, %sh: tensor<16xf32>,
                            %s: f32, %b: f32) {
  %dq, %dk, %dv = sigattn.attention_grad %q, %k, %v, %do
      alibi(%sl : tensor<?x16xf32>) causal window = [256, 0] scale = 0.125
      bias = -8.0
      : tensor<?x?x16x128xf16>, tensor<?x?x4x128xf16>, tensor<?x?x4x64xf16>,
        tensor<?x?x16x64xf16>
      -> tensor<?x?x16x128xf16>, tensor<?x?x4x128xf16>, tensor<?x?x4x64xf16>
  %dq2, %dk2, %dv2 = sigattn.attention_grad %q, %k, %v, %do
      alibi(%sh : tensor<16xf32>) window = [-1, 3] scale(%s : f32) bias(%b : f32)
      : tensor<?x?x16x128xf16>, tensor<?x?x4x128xf16>, tensor<?x?x4x64xf16>,
        tensor<?x?x16x64xf16>
      -> tensor<?x?x16x128xf16>, tensor<?x?x4x128xf16>, tensor<?x?x4x64xf16>
  return
}
