// Canonical form of the mask (causal iff the right bound is 0, window only
// when it adds a bound) and removal of all-zero ALiBi slopes.
// RUN: sigattn-opt %s -split-input-file -canonicalize | FileCheck %s

// CHECK-LABEL: func.func @unbounded_window_dropped
//       CHECK:   sigattn.attention %{{[^ ]+}}, %{{[^ ]+}}, %{{[^ ]+}} :
//   CHECK-NOT:   window
func.func @unbounded_window_dropped(%q: tensor<1x64x2x64xbf16>, %k: tensor<1x64x2x64xbf16>,
    %v: tensor<1x64x2x64xbf16>) -> tensor<1x64x2x64xbf16> {
  %o = sigattn.attention %q, %k, %v window = [-1, -1]
      : tensor<1x64x2x64xbf16>, tensor<1x64x2x64xbf16>, tensor<1x64x2x64xbf16> -> tensor<1x64x2x64xbf16>
  return %o : tensor<1x64x2x64xbf16>
}

// -----

// CHECK-LABEL: func.func @right_zero_is_causal
//       CHECK:   sigattn.attention %{{[^ ]+}}, %{{[^ ]+}}, %{{[^ ]+}} causal :
func.func @right_zero_is_causal(%q: tensor<1x64x2x64xbf16>, %k: tensor<1x64x2x64xbf16>,
    %v: tensor<1x64x2x64xbf16>) -> tensor<1x64x2x64xbf16> {
  %o = sigattn.attention %q, %k, %v window = [-1, 0]
      : tensor<1x64x2x64xbf16>, tensor<1x64x2x64xbf16>, tensor<1x64x2x64xbf16> -> tensor<1x64x2x64xbf16>
  return %o : tensor<1x64x2x64xbf16>
}

// -----

// CHECK-LABEL: func.func @banded_window_is_causal
//       CHECK:   sigattn.attention %{{[^ ]+}}, %{{[^ ]+}}, %{{[^ ]+}} causal window = [16, 0] :
func.func @banded_window_is_causal(%q: tensor<1x64x2x64xbf16>, %k: tensor<1x64x2x64xbf16>,
    %v: tensor<1x64x2x64xbf16>) -> tensor<1x64x2x64xbf16> {
  %o = sigattn.attention %q, %k, %v window = [16, 0]
      : tensor<1x64x2x64xbf16>, tensor<1x64x2x64xbf16>, tensor<1x64x2x64xbf16> -> tensor<1x64x2x64xbf16>
  return %o : tensor<1x64x2x64xbf16>
}

// -----

// causal overrides the right side of the window.
// CHECK-LABEL: func.func @causal_clamps_right
//       CHECK:   sigattn.attention %{{[^ ]+}}, %{{[^ ]+}}, %{{[^ ]+}} causal window = [16, 0] :
func.func @causal_clamps_right(%q: tensor<1x64x2x64xbf16>, %k: tensor<1x64x2x64xbf16>,
    %v: tensor<1x64x2x64xbf16>) -> tensor<1x64x2x64xbf16> {
  %o = sigattn.attention %q, %k, %v causal window = [16, 8]
      : tensor<1x64x2x64xbf16>, tensor<1x64x2x64xbf16>, tensor<1x64x2x64xbf16> -> tensor<1x64x2x64xbf16>
  return %o : tensor<1x64x2x64xbf16>
}

// -----

// CHECK-LABEL: func.func @causal_drops_right_only_window
//       CHECK:   sigattn.attention %{{[^ ]+}}, %{{[^ ]+}}, %{{[^ ]+}} causal :
func.func @causal_drops_right_only_window(%q: tensor<1x64x2x64xbf16>, %k: tensor<1x64x2x64xbf16>,
    %v: tensor<1x64x2x64xbf16>) -> tensor<1x64x2x64xbf16> {
  %o = sigattn.attention %q, %k, %v causal window = [-1, 4]
      : tensor<1x64x2x64xbf16>, tensor<1x64x2x64xbf16>, tensor<1x64x2x64xbf16> -> tensor<1x64x2x64xbf16>
  return %o : tensor<1x64x2x64xbf16>
}

// -----

// Already canonical: unchanged.
// CHECK-LABEL: func.func @left_only_window_kept
//       CHECK:   sigattn.attention %{{[^ ]+}}, %{{[^ ]+}}, %{{[^ ]+}} window = [16, -1] :
// CHECK-LABEL: func.func @two_sided_window_kept
//       CHECK:   sigattn.attention %{{[^ ]+}}, %{{[^ ]+}}, %{{[^ ]+}} window = [16, 3] :
func.func @left_only_window_kept(%q: tensor<1x64x2x64xbf16>, %k: tensor<1x64x2x64xbf16>,
    %v: tensor<1x64x2x64xbf16>) -> tensor<1x64x2x64xbf16> {
  %o = sigattn.attention %q, %k, %v window = [16, -1]
      : tensor<1x64x2x64xbf16>, tensor<1x64x2x64xbf16>, tensor<1x64x2x64xbf16> -> tensor<1x64x2x64xbf16>
  return %o : tensor<1x64x2x64xbf16>
}
func.func @two_sided_window_kept(%q: tensor<1x64x2x64xbf16>, %k: tensor<1x64x2x64xbf16>,
    %v: tensor<1x64x2x64xbf16>) -> tensor<1x64x2x64xbf16> {
  %o = sigattn.attention %q, %k, %v window = [16, 3]
      : tensor<1x64x2x64xbf16>, tensor<1x64x2x64xbf16>, tensor<1x64x2x64xbf16> -> tensor<1x64x2x64xbf16>
  return %o : tensor<1x64x2x64xbf16>
}

// -----

// CHECK-LABEL: func.func @zero_alibi_dropped
//   CHECK-NOT:   arith.constant
//       CHECK:   sigattn.attention %{{[^ ]+}}, %{{[^ ]+}}, %{{[^ ]+}} causal :
//   CHECK-NOT:   alibi
func.func @zero_alibi_dropped(%q: tensor<1x64x2x64xbf16>, %k: tensor<1x64x2x64xbf16>,
    %v: tensor<1x64x2x64xbf16>) -> tensor<1x64x2x64xbf16> {
  %s = arith.constant dense<0.0> : tensor<2xf32>
  %o = sigattn.attention %q, %k, %v alibi(%s : tensor<2xf32>) causal
      : tensor<1x64x2x64xbf16>, tensor<1x64x2x64xbf16>, tensor<1x64x2x64xbf16> -> tensor<1x64x2x64xbf16>
  return %o : tensor<1x64x2x64xbf16>
}

// -----

// CHECK-LABEL: func.func @nonzero_alibi_kept
//       CHECK:   %[[S:.+]] = arith.constant dense<[0.000000e+00, 5.000000e-01]> : tensor<2xf32>
//       CHECK:   sigattn.attention %{{[^ ]+}}, %{{[^ ]+}}, %{{[^ ]+}} alibi(%[[S]] : tensor<2xf32>) :
func.func @nonzero_alibi_kept(%q: tensor<1x64x2x64xbf16>, %k: tensor<1x64x2x64xbf16>,
    %v: tensor<1x64x2x64xbf16>) -> tensor<1x64x2x64xbf16> {
  %s = arith.constant dense<[0.0, 0.5]> : tensor<2xf32>
  %o = sigattn.attention %q, %k, %v alibi(%s : tensor<2xf32>)
      : tensor<1x64x2x64xbf16>, tensor<1x64x2x64xbf16>, tensor<1x64x2x64xbf16> -> tensor<1x64x2x64xbf16>
  return %o : tensor<1x64x2x64xbf16>
}

// -----

// A pure op whose result is unused is erased.
// CHECK-LABEL: func.func @dead_op_erased
//   CHECK-NOT:   sigattn.attention
func.func @dead_op_erased(%q: tensor<1x64x2x64xbf16>, %k: tensor<1x64x2x64xbf16>,
    %v: tensor<1x64x2x64xbf16>) {
  %o = sigattn.attention %q, %k, %v
      : tensor<1x64x2x64xbf16>, tensor<1x64x2x64xbf16>, tensor<1x64x2x64xbf16> -> tensor<1x64x2x64xbf16>
  return
}

// -----

// A scale or bias operand that is a constant becomes the attribute (the
// kernel then has it compiled in); a run-time one stays an operand.
// CHECK-LABEL: func.func @constant_scalars_fold
//  CHECK-SAME:   %{{[^:]+}}: tensor<1x64x2x64xbf16>, %{{[^:]+}}: tensor<1x64x2x64xbf16>, %{{[^:]+}}: tensor<1x64x2x64xbf16>, %[[B:.+]]: f32)
//       CHECK:   sigattn.attention %{{[^ ]+}}, %{{[^ ]+}}, %{{[^ ]+}} causal scale = 2.500000e-01 bias(%[[B]] : f32) :
//       CHECK:   sigattn.attention %{{[^ ]+}}, %{{[^ ]+}}, %{{[^ ]+}} scale = 5.000000e-01 bias = -3.000000e+00 :
func.func @constant_scalars_fold(%q: tensor<1x64x2x64xbf16>, %k: tensor<1x64x2x64xbf16>,
    %v: tensor<1x64x2x64xbf16>, %b: f32) -> (tensor<1x64x2x64xbf16>, tensor<1x64x2x64xbf16>) {
  %s = arith.constant 0.25 : f32
  %s2 = arith.constant 0.5 : f32
  %b2 = arith.constant -3.0 : f32
  %o = sigattn.attention %q, %k, %v causal scale(%s : f32) bias(%b : f32)
      : tensor<1x64x2x64xbf16>, tensor<1x64x2x64xbf16>, tensor<1x64x2x64xbf16> -> tensor<1x64x2x64xbf16>
  %o2 = sigattn.attention %q, %k, %v scale(%s2 : f32) bias(%b2 : f32)
      : tensor<1x64x2x64xbf16>, tensor<1x64x2x64xbf16>, tensor<1x64x2x64xbf16> -> tensor<1x64x2x64xbf16>
  return %o, %o2 : tensor<1x64x2x64xbf16>, tensor<1x64x2x64xbf16>
}

// -----

// A constant that is not finite stays an operand: as an attribute the op
// would be invalid.
// CHECK-LABEL: func.func @nan_scale_stays
//       CHECK:   %[[NAN:.+]] = arith.constant 0x7FC00000 : f32
//       CHECK:   sigattn.attention %{{[^ ]+}}, %{{[^ ]+}}, %{{[^ ]+}} scale(%[[NAN]] : f32) :
func.func @nan_scale_stays(%q: tensor<1x64x2x64xbf16>, %k: tensor<1x64x2x64xbf16>,
    %v: tensor<1x64x2x64xbf16>) -> tensor<1x64x2x64xbf16> {
  %s = arith.constant 0x7FC00000 : f32
  %o = sigattn.attention %q, %k, %v scale(%s : f32)
      : tensor<1x64x2x64xbf16>, tensor<1x64x2x64xbf16>, tensor<1x64x2x64xbf16> -> tensor<1x64x2x64xbf16>
  return %o : tensor<1x64x2x64xbf16>
}

// -----

// sigattn.attention_grad takes the same canonical form: the mask, zero
// ALiBi slopes and constant scalars.
// CHECK-LABEL: func.func @grad_canonical
//       CHECK:   sigattn.attention_grad %{{[^ ]+}}, %{{[^ ]+}}, %{{[^ ]+}}, %{{[^ ]+}} causal window = [16, 0] scale = 5.000000e-01 bias = -2.000000e+00 :
func.func @grad_canonical(%q: tensor<1x64x2x64xbf16>, %k: tensor<1x64x2x64xbf16>,
    %v: tensor<1x64x2x64xbf16>, %do: tensor<1x64x2x64xbf16>)
    -> (tensor<1x64x2x64xbf16>, tensor<1x64x2x64xbf16>, tensor<1x64x2x64xbf16>) {
  %zero = arith.constant dense<0.0> : tensor<2xf32>
  %s = arith.constant 0.5 : f32
  %b = arith.constant -2.0 : f32
  %dq, %dk, %dv = sigattn.attention_grad %q, %k, %v, %do alibi(%zero : tensor<2xf32>)
      window = [16, 0] scale(%s : f32) bias(%b : f32)
      : tensor<1x64x2x64xbf16>, tensor<1x64x2x64xbf16>, tensor<1x64x2x64xbf16>,
        tensor<1x64x2x64xbf16>
      -> tensor<1x64x2x64xbf16>, tensor<1x64x2x64xbf16>, tensor<1x64x2x64xbf16>
  return %dq, %dk, %dv : tensor<1x64x2x64xbf16>, tensor<1x64x2x64xbf16>, tensor<1x64x2x64xbf16>
}
