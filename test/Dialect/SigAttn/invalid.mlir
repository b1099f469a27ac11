// Every verifier error of sigattn.attention and sigattn.attention_grad,
// matched word for word.
// RUN: sigattn-opt %s -split-input-file -verify-diagnostics

// Query rank 3.
func.func @query_rank_3(%q: tensor<2x128x64xbf16>, %k: tensor<2x128x8x64xbf16>, %v: tensor<2x128x8x64xbf16>) {
  // expected-error @+1 {{expects query to have rank 4 [B, Nq, Hq, D], got rank 3}}
  %o = sigattn.attention %q, %k, %v : tensor<2x128x64xbf16>, tensor<2x128x8x64xbf16>, tensor<2x128x8x64xbf16> -> tensor<2x128x8x64xbf16>
  return
}

// -----

// Key rank 5.
func.func @key_rank_5(%q: tensor<2x128x8x64xbf16>, %k: tensor<2x128x8x64x1xbf16>, %v: tensor<2x128x8x64xbf16>) {
  // expected-error @+1 {{expects key to have rank 4 [B, Nk, Hkv, D], got rank 5}}
  %o = sigattn.attention %q, %k, %v : tensor<2x128x8x64xbf16>, tensor<2x128x8x64x1xbf16>, tensor<2x128x8x64xbf16> -> tensor<2x128x8x64xbf16>
  return
}

// -----

// Value rank 3.
func.func @value_rank_3(%q: tensor<2x128x8x64xbf16>, %k: tensor<2x128x8x64xbf16>, %v: tensor<128x8x64xbf16>) {
  // expected-error @+1 {{expects value to have rank 4 [B, Nk, Hkv, Dv], got rank 3}}
  %o = sigattn.attention %q, %k, %v : tensor<2x128x8x64xbf16>, tensor<2x128x8x64xbf16>, tensor<128x8x64xbf16> -> tensor<2x128x8x64xbf16>
  return
}

// -----

// Result rank 2.
func.func @result_rank_2(%q: tensor<2x128x8x64xbf16>, %k: tensor<2x128x8x64xbf16>, %v: tensor<2x128x8x64xbf16>) {
  // expected-error @+1 {{expects result to have rank 4 [B, Nq, Hq, Dv], got rank 2}}
  %o = sigattn.attention %q, %k, %v : tensor<2x128x8x64xbf16>, tensor<2x128x8x64xbf16>, tensor<2x128x8x64xbf16> -> tensor<256x512xbf16>
  return
}

// -----

// F32 query.
func.func @f32_query(%q: tensor<2x128x8x64xf32>, %k: tensor<2x128x8x64xf32>, %v: tensor<2x128x8x64xf32>) {
  // expected-error @+1 {{expects query element type to be bf16 or f16, got 'f32'}}
  %o = sigattn.attention %q, %k, %v : tensor<2x128x8x64xf32>, tensor<2x128x8x64xf32>, tensor<2x128x8x64xf32> -> tensor<2x128x8x64xf32>
  return
}

// -----

// Mixed key.
func.func @mixed_key(%q: tensor<2x128x8x64xbf16>, %k: tensor<2x128x8x64xf16>, %v: tensor<2x128x8x64xbf16>) {
  // expected-error @+1 {{expects key element type ('f16') to match the query element type ('bf16')}}
  %o = sigattn.attention %q, %k, %v : tensor<2x128x8x64xbf16>, tensor<2x128x8x64xf16>, tensor<2x128x8x64xbf16> -> tensor<2x128x8x64xbf16>
  return
}

// -----

// Mixed result.
func.func @mixed_result(%q: tensor<2x128x8x64xf16>, %k: tensor<2x128x8x64xf16>, %v: tensor<2x128x8x64xf16>) {
  // expected-error @+1 {{expects result element type ('f32') to match the query element type ('f16')}}
  %o = sigattn.attention %q, %k, %v : tensor<2x128x8x64xf16>, tensor<2x128x8x64xf16>, tensor<2x128x8x64xf16> -> tensor<2x128x8x64xf32>
  return
}

// -----

// Dynamic heads.
func.func @dynamic_heads(%q: tensor<2x128x?x64xbf16>, %k: tensor<2x128x8x64xbf16>, %v: tensor<2x128x8x64xbf16>) {
  // expected-error @+1 {{expects a static number of query heads Hq (dimension 2 of query)}}
  %o = sigattn.attention %q, %k, %v : tensor<2x128x?x64xbf16>, tensor<2x128x8x64xbf16>, tensor<2x128x8x64xbf16> -> tensor<2x128x?x64xbf16>
  return
}

// -----

// Dynamic D.
func.func @dynamic_d(%q: tensor<2x128x8x?xbf16>, %k: tensor<2x128x8x64xbf16>, %v: tensor<2x128x8x64xbf16>) {
  // expected-error @+1 {{expects a static head dimension D (dimension 3 of query)}}
  %o = sigattn.attention %q, %k, %v : tensor<2x128x8x?xbf16>, tensor<2x128x8x64xbf16>, tensor<2x128x8x64xbf16> -> tensor<2x128x8x64xbf16>
  return
}

// -----

// Dynamic Dv.
func.func @dynamic_dv(%q: tensor<2x128x8x64xbf16>, %k: tensor<2x128x8x64xbf16>, %v: tensor<2x128x8x?xbf16>) {
  // expected-error @+1 {{expects a static value head dimension Dv (dimension 3 of value)}}
  %o = sigattn.attention %q, %k, %v : tensor<2x128x8x64xbf16>, tensor<2x128x8x64xbf16>, tensor<2x128x8x?xbf16> -> tensor<2x128x8x?xbf16>
  return
}

// -----

// Zero D.
func.func @zero_d(%q: tensor<2x128x8x0xbf16>, %k: tensor<2x128x8x0xbf16>, %v: tensor<2x128x8x64xbf16>) {
  // expected-error @+1 {{expects a positive head dimension D (dimension 3 of query), got 0}}
  %o = sigattn.attention %q, %k, %v : tensor<2x128x8x0xbf16>, tensor<2x128x8x0xbf16>, tensor<2x128x8x64xbf16> -> tensor<2x128x8x64xbf16>
  return
}

// -----

// Zero Hkv.
func.func @zero_hkv(%q: tensor<2x128x8x64xbf16>, %k: tensor<2x128x0x64xbf16>, %v: tensor<2x128x0x64xbf16>) {
  // expected-error @+1 {{expects a positive number of key/value heads Hkv (dimension 2 of key), got 0}}
  %o = sigattn.attention %q, %k, %v : tensor<2x128x8x64xbf16>, tensor<2x128x0x64xbf16>, tensor<2x128x0x64xbf16> -> tensor<2x128x8x64xbf16>
  return
}

// -----

// Batch q k.
func.func @batch_q_k(%q: tensor<2x128x8x64xbf16>, %k: tensor<3x128x8x64xbf16>, %v: tensor<3x128x8x64xbf16>) {
  // expected-error @+1 {{expects key batch size B (3) to match query batch size B (2)}}
  %o = sigattn.attention %q, %k, %v : tensor<2x128x8x64xbf16>, tensor<3x128x8x64xbf16>, tensor<3x128x8x64xbf16> -> tensor<2x128x8x64xbf16>
  return
}

// -----

// Batch k v.
func.func @batch_k_v(%q: tensor<?x128x8x64xbf16>, %k: tensor<2x128x8x64xbf16>, %v: tensor<4x128x8x64xbf16>) {
  // expected-error @+1 {{expects value batch size B (4) to match key batch size B (2)}}
  %o = sigattn.attention %q, %k, %v : tensor<?x128x8x64xbf16>, tensor<2x128x8x64xbf16>, tensor<4x128x8x64xbf16> -> tensor<?x128x8x64xbf16>
  return
}

// -----

// D q k.
func.func @d_q_k(%q: tensor<2x128x8x64xbf16>, %k: tensor<2x128x8x128xbf16>, %v: tensor<2x128x8x64xbf16>) {
  // expected-error @+1 {{expects key head dimension D (128) to match query head dimension D (64)}}
  %o = sigattn.attention %q, %k, %v : tensor<2x128x8x64xbf16>, tensor<2x128x8x128xbf16>, tensor<2x128x8x64xbf16> -> tensor<2x128x8x64xbf16>
  return
}

// -----

// Nk k v.
func.func @nk_k_v(%q: tensor<2x128x8x64xbf16>, %k: tensor<2x256x8x64xbf16>, %v: tensor<2x255x8x64xbf16>) {
  // expected-error @+1 {{expects value sequence length Nk (255) to match key sequence length Nk (256)}}
  %o = sigattn.attention %q, %k, %v : tensor<2x128x8x64xbf16>, tensor<2x256x8x64xbf16>, tensor<2x255x8x64xbf16> -> tensor<2x128x8x64xbf16>
  return
}

// -----

// Hkv k v.
func.func @hkv_k_v(%q: tensor<2x128x8x64xbf16>, %k: tensor<2x128x4x64xbf16>, %v: tensor<2x128x2x64xbf16>) {
  // expected-error @+1 {{expects value head count Hkv (2) to match key head count Hkv (4)}}
  %o = sigattn.attention %q, %k, %v : tensor<2x128x8x64xbf16>, tensor<2x128x4x64xbf16>, tensor<2x128x2x64xbf16> -> tensor<2x128x8x64xbf16>
  return
}

// -----

// Gqa ratio.
func.func @gqa_ratio(%q: tensor<2x128x6x64xbf16>, %k: tensor<2x128x4x64xbf16>, %v: tensor<2x128x4x64xbf16>) {
  // expected-error @+1 {{expects the number of query heads (6) to be a multiple of the number of key/value heads (4)}}
  %o = sigattn.attention %q, %k, %v : tensor<2x128x6x64xbf16>, tensor<2x128x4x64xbf16>, tensor<2x128x4x64xbf16> -> tensor<2x128x6x64xbf16>
  return
}

// -----

// Result shape.
func.func @result_shape(%q: tensor<2x128x8x64xbf16>, %k: tensor<2x256x8x64xbf16>, %v: tensor<2x256x8x32xbf16>) {
  // expected-error @+1 {{expects result shape [2, 256, 8, 32] to match [B, Nq, Hq, Dv] = [2, 128, 8, 32]}}
  %o = sigattn.attention %q, %k, %v : tensor<2x128x8x64xbf16>, tensor<2x256x8x64xbf16>, tensor<2x256x8x32xbf16> -> tensor<2x256x8x32xbf16>
  return
}

// -----

// Slope type.
func.func @slope_type(%q: tensor<2x128x8x64xbf16>, %k: tensor<2x128x8x64xbf16>, %v: tensor<2x128x8x64xbf16>, %s: tensor<8xbf16>) {
  // expected-error @+1 {{expects alibi slopes of element type f32, got 'bf16'}}
  %o = sigattn.attention %q, %k, %v alibi(%s : tensor<8xbf16>) : tensor<2x128x8x64xbf16>, tensor<2x128x8x64xbf16>, tensor<2x128x8x64xbf16> -> tensor<2x128x8x64xbf16>
  return
}

// -----

// Slope rank.
func.func @slope_rank(%q: tensor<2x128x8x64xbf16>, %k: tensor<2x128x8x64xbf16>, %v: tensor<2x128x8x64xbf16>, %s: tensor<2x8x1xf32>) {
  // expected-error @+1 {{expects alibi slopes of shape [Hq] or [B, Hq], got rank 3}}
  %o = sigattn.attention %q, %k, %v alibi(%s : tensor<2x8x1xf32>) : tensor<2x128x8x64xbf16>, tensor<2x128x8x64xbf16>, tensor<2x128x8x64xbf16> -> tensor<2x128x8x64xbf16>
  return
}

// -----

// Slope heads.
func.func @slope_heads(%q: tensor<2x128x8x64xbf16>, %k: tensor<2x128x8x64xbf16>, %v: tensor<2x128x8x64xbf16>, %s: tensor<4xf32>) {
  // expected-error @+1 {{expects alibi slopes to have one slope per query head (8), got 4}}
  %o = sigattn.attention %q, %k, %v alibi(%s : tensor<4xf32>) : tensor<2x128x8x64xbf16>, tensor<2x128x8x64xbf16>, tensor<2x128x8x64xbf16> -> tensor<2x128x8x64xbf16>
  return
}

// -----

// Slope batch.
func.func @slope_batch(%q: tensor<2x128x8x64xbf16>, %k: tensor<2x128x8x64xbf16>, %v: tensor<2x128x8x64xbf16>, %s: tensor<3x8xf32>) {
  // expected-error @+1 {{expects alibi slopes batch size (3) to match query batch size (2)}}
  %o = sigattn.attention %q, %k, %v alibi(%s : tensor<3x8xf32>) : tensor<2x128x8x64xbf16>, tensor<2x128x8x64xbf16>, tensor<2x128x8x64xbf16> -> tensor<2x128x8x64xbf16>
  return
}

// -----

// Window 3.
func.func @window_3(%q: tensor<2x128x8x64xbf16>, %k: tensor<2x128x8x64xbf16>, %v: tensor<2x128x8x64xbf16>) {
  // expected-error @+1 {{expects window to have 2 elements [left, right], got 3}}
  %o = sigattn.attention %q, %k, %v window = [1, 2, 3] : tensor<2x128x8x64xbf16>, tensor<2x128x8x64xbf16>, tensor<2x128x8x64xbf16> -> tensor<2x128x8x64xbf16>
  return
}

// -----

// Window left -2.
func.func @window_left_2(%q: tensor<2x128x8x64xbf16>, %k: tensor<2x128x8x64xbf16>, %v: tensor<2x128x8x64xbf16>) {
  // expected-error @+1 {{expects window left to be non-negative or -1 (unbounded), got -2}}
  %o = sigattn.attention %q, %k, %v window = [-2, 0] : tensor<2x128x8x64xbf16>, tensor<2x128x8x64xbf16>, tensor<2x128x8x64xbf16> -> tensor<2x128x8x64xbf16>
  return
}

// -----

// Window right -5.
func.func @window_right_5(%q: tensor<2x128x8x64xbf16>, %k: tensor<2x128x8x64xbf16>, %v: tensor<2x128x8x64xbf16>) {
  // expected-error @+1 {{expects window right to be non-negative or -1 (unbounded), got -5}}
  %o = sigattn.attention %q, %k, %v window = [16, -5] : tensor<2x128x8x64xbf16>, tensor<2x128x8x64xbf16>, tensor<2x128x8x64xbf16> -> tensor<2x128x8x64xbf16>
  return
}

// -----

// Inf scale.
func.func @inf_scale(%q: tensor<2x128x8x64xbf16>, %k: tensor<2x128x8x64xbf16>, %v: tensor<2x128x8x64xbf16>) {
  // expected-error @+1 {{expects a finite scale, got INF}}
  %o = sigattn.attention %q, %k, %v scale = 0x7F800000 : tensor<2x128x8x64xbf16>, tensor<2x128x8x64xbf16>, tensor<2x128x8x64xbf16> -> tensor<2x128x8x64xbf16>
  return
}

// -----

// Nan bias.
func.func @nan_bias(%q: tensor<2x128x8x64xbf16>, %k: tensor<2x128x8x64xbf16>, %v: tensor<2x128x8x64xbf16>) {
  // expected-error @+1 {{expects a finite bias, got nan}}
  %o = sigattn.attention %q, %k, %v bias = 0x7FC00000 : tensor<2x128x8x64xbf16>, tensor<2x128x8x64xbf16>, tensor<2x128x8x64xbf16> -> tensor<2x128x8x64xbf16>
  return
}

// -----

// An unranked operand is rejected by the operand constraint.
func.func @unranked(%q: tensor<*xbf16>, %k: tensor<2x128x8x64xbf16>, %v: tensor<2x128x8x64xbf16>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of any type values, but got 'tensor<*xbf16>'}}
  %o = "sigattn.attention"(%q, %k, %v) <{operandSegmentSizes = array<i32: 1, 1, 1, 0, 0, 0>}> : (tensor<*xbf16>, tensor<2x128x8x64xbf16>, tensor<2x128x8x64xbf16>) -> tensor<2x128x8x64xbf16>
  return
}

// -----

// Zero B: a static batch, query or key length must be at least 1.
func.func @zero_batch(%q: tensor<0x128x8x64xbf16>, %k: tensor<0x128x8x64xbf16>, %v: tensor<0x128x8x64xbf16>) {
  // expected-error @+1 {{expects a positive batch size B (dimension 0 of query), got 0}}
  %o = sigattn.attention %q, %k, %v : tensor<0x128x8x64xbf16>, tensor<0x128x8x64xbf16>, tensor<0x128x8x64xbf16> -> tensor<0x128x8x64xbf16>
  return
}

// -----

// Zero Nq.
func.func @zero_nq(%q: tensor<?x0x8x64xbf16>, %k: tensor<?x?x8x64xbf16>, %v: tensor<?x?x8x64xbf16>) {
  // expected-error @+1 {{expects a positive sequence length Nq (dimension 1 of query), got 0}}
  %o = sigattn.attention %q, %k, %v : tensor<?x0x8x64xbf16>, tensor<?x?x8x64xbf16>, tensor<?x?x8x64xbf16> -> tensor<?x0x8x64xbf16>
  return
}

// -----

// Zero Nk.
func.func @zero_nk(%q: tensor<?x?x8x64xbf16>, %k: tensor<?x0x8x64xbf16>, %v: tensor<?x0x8x64xbf16>) {
  // expected-error @+1 {{expects a positive sequence length Nk (dimension 1 of key), got 0}}
  %o = sigattn.attention %q, %k, %v : tensor<?x?x8x64xbf16>, tensor<?x0x8x64xbf16>, tensor<?x0x8x64xbf16> -> tensor<?x?x8x64xbf16>
  return
}

// -----

// Scale both as an attribute and as an operand (generic form: the custom
// form cannot say it).
func.func @scale_twice(%q: tensor<1x8x2x64xbf16>, %k: tensor<1x8x2x64xbf16>, %v: tensor<1x8x2x64xbf16>, %s: f32) {
  // expected-error @+1 {{expects scale as an attribute or as an operand, not both}}
  %o = "sigattn.attention"(%q, %k, %v, %s) <{scale = 0.5 : f32, operandSegmentSizes = array<i32: 1, 1, 1, 0, 1, 0>}> : (tensor<1x8x2x64xbf16>, tensor<1x8x2x64xbf16>, tensor<1x8x2x64xbf16>, f32) -> tensor<1x8x2x64xbf16>
  return
}

// -----

// Bias both as an attribute and as an operand.
func.func @bias_twice(%q: tensor<1x8x2x64xbf16>, %k: tensor<1x8x2x64xbf16>, %v: tensor<1x8x2x64xbf16>, %b: f32) {
  // expected-error @+1 {{expects bias as an attribute or as an operand, not both}}
  %o = "sigattn.attention"(%q, %k, %v, %b) <{bias = -1.0 : f32, operandSegmentSizes = array<i32: 1, 1, 1, 0, 0, 1>}> : (tensor<1x8x2x64xbf16>, tensor<1x8x2x64xbf16>, tensor<1x8x2x64xbf16>, f32) -> tensor<1x8x2x64xbf16>
  return
}

// -----

// A scale operand that is not f32.
func.func @scale_f16(%q: tensor<1x8x2x64xbf16>, %k: tensor<1x8x2x64xbf16>, %v: tensor<1x8x2x64xbf16>, %s: f16) {
  // expected-error @+1 {{expects the scale operand to be f32, got 'f16'}}
  %o = sigattn.attention %q, %k, %v scale(%s : f16) : tensor<1x8x2x64xbf16>, tensor<1x8x2x64xbf16>, tensor<1x8x2x64xbf16> -> tensor<1x8x2x64xbf16>
  return
}

// -----

// A bias operand of another type in the generic form.
func.func @bias_i32(%q: tensor<1x8x2x64xbf16>, %k: tensor<1x8x2x64xbf16>, %v: tensor<1x8x2x64xbf16>, %b: i32) {
  // expected-error @+1 {{operand #3 must be 32-bit float, but got 'i32'}}
  %o = "sigattn.attention"(%q, %k, %v, %b) <{operandSegmentSizes = array<i32: 1, 1, 1, 0, 0, 1>}> : (tensor<1x8x2x64xbf16>, tensor<1x8x2x64xbf16>, tensor<1x8x2x64xbf16>, i32) -> tensor<1x8x2x64xbf16>
  return
}

// -----

// sigattn.attention_grad: its own tensors (dO, dq, dk, dv), then the checks it
// shares with sigattn.attention.

// attention_grad: dO of rank 3.
func.func @grad_grad_output_rank_3(%q: tensor<2x16x8x64xbf16>, %k: tensor<2x32x2x64xbf16>, %v: tensor<2x32x2x32xbf16>, %do: tensor<2x16x256xbf16>) {
  // expected-error @+1 {{expects grad_output to have rank 4 [B, Nq, Hq, Dv], got rank 3}}
  %dq, %dk, %dv = sigattn.attention_grad %q, %k, %v, %do : tensor<2x16x8x64xbf16>, tensor<2x32x2x64xbf16>, tensor<2x32x2x32xbf16>, tensor<2x16x256xbf16> -> tensor<2x16x8x64xbf16>, tensor<2x32x2x64xbf16>, tensor<2x32x2x32xbf16>
  return
}

// -----

// attention_grad: dq of rank 2.
func.func @grad_query_grad_rank_2(%q: tensor<2x16x8x64xbf16>, %k: tensor<2x32x2x64xbf16>, %v: tensor<2x32x2x32xbf16>, %do: tensor<2x16x8x32xbf16>) {
  // expected-error @+1 {{expects query_grad to have rank 4 [B, Nq, Hq, D], got rank 2}}
  %dq, %dk, %dv = sigattn.attention_grad %q, %k, %v, %do : tensor<2x16x8x64xbf16>, tensor<2x32x2x64xbf16>, tensor<2x32x2x32xbf16>, tensor<2x16x8x32xbf16> -> tensor<256x64xbf16>, tensor<2x32x2x64xbf16>, tensor<2x32x2x32xbf16>
  return
}

// -----

// attention_grad: dk of rank 3.
func.func @grad_key_grad_rank_3(%q: tensor<2x16x8x64xbf16>, %k: tensor<2x32x2x64xbf16>, %v: tensor<2x32x2x32xbf16>, %do: tensor<2x16x8x32xbf16>) {
  // expected-error @+1 {{expects key_grad to have rank 4 [B, Nk, Hkv, D], got rank 3}}
  %dq, %dk, %dv = sigattn.attention_grad %q, %k, %v, %do : tensor<2x16x8x64xbf16>, tensor<2x32x2x64xbf16>, tensor<2x32x2x32xbf16>, tensor<2x16x8x32xbf16> -> tensor<2x16x8x64xbf16>, tensor<64x2x64xbf16>, tensor<2x32x2x32xbf16>
  return
}

// -----

// attention_grad: dv of rank 5.
func.func @grad_value_grad_rank_5(%q: tensor<2x16x8x64xbf16>, %k: tensor<2x32x2x64xbf16>, %v: tensor<2x32x2x32xbf16>, %do: tensor<2x16x8x32xbf16>) {
  // expected-error @+1 {{expects value_grad to have rank 4 [B, Nk, Hkv, Dv], got rank 5}}
  %dq, %dk, %dv = sigattn.attention_grad %q, %k, %v, %do : tensor<2x16x8x64xbf16>, tensor<2x32x2x64xbf16>, tensor<2x32x2x32xbf16>, tensor<2x16x8x32xbf16> -> tensor<2x16x8x64xbf16>, tensor<2x32x2x64xbf16>, tensor<2x32x2x32x1xbf16>
  return
}

// -----

// attention_grad: dO in f16 with bf16 inputs.
func.func @grad_grad_output_f16(%q: tensor<2x16x8x64xbf16>, %k: tensor<2x32x2x64xbf16>, %v: tensor<2x32x2x32xbf16>, %do: tensor<2x16x8x32xf16>) {
  // expected-error @+1 {{expects grad_output element type ('f16') to match the query element type ('bf16')}}
  %dq, %dk, %dv = sigattn.attention_grad %q, %k, %v, %do : tensor<2x16x8x64xbf16>, tensor<2x32x2x64xbf16>, tensor<2x32x2x32xbf16>, tensor<2x16x8x32xf16> -> tensor<2x16x8x64xbf16>, tensor<2x32x2x64xbf16>, tensor<2x32x2x32xbf16>
  return
}

// -----

// attention_grad: f32 dq (the gradients have the inputs' element type).
func.func @grad_query_grad_f32(%q: tensor<2x16x8x64xbf16>, %k: tensor<2x32x2x64xbf16>, %v: tensor<2x32x2x32xbf16>, %do: tensor<2x16x8x32xbf16>) {
  // expected-error @+1 {{expects query_grad element type ('f32') to match the query element type ('bf16')}}
  %dq, %dk, %dv = sigattn.attention_grad %q, %k, %v, %do : tensor<2x16x8x64xbf16>, tensor<2x32x2x64xbf16>, tensor<2x32x2x32xbf16>, tensor<2x16x8x32xbf16> -> tensor<2x16x8x64xf32>, tensor<2x32x2x64xbf16>, tensor<2x32x2x32xbf16>
  return
}

// -----

// attention_grad: f16 dv.
func.func @grad_value_grad_f16(%q: tensor<2x16x8x64xbf16>, %k: tensor<2x32x2x64xbf16>, %v: tensor<2x32x2x32xbf16>, %do: tensor<2x16x8x32xbf16>) {
  // expected-error @+1 {{expects value_grad element type ('f16') to match the query element type ('bf16')}}
  %dq, %dk, %dv = sigattn.attention_grad %q, %k, %v, %do : tensor<2x16x8x64xbf16>, tensor<2x32x2x64xbf16>, tensor<2x32x2x32xbf16>, tensor<2x16x8x32xbf16> -> tensor<2x16x8x64xbf16>, tensor<2x32x2x64xbf16>, tensor<2x32x2x32xf16>
  return
}

// -----

// attention_grad: dO with Dv of the query head dim.
func.func @grad_grad_output_shape(%q: tensor<2x16x8x64xbf16>, %k: tensor<2x32x2x64xbf16>, %v: tensor<2x32x2x32xbf16>, %do: tensor<2x16x8x64xbf16>) {
  // expected-error @+1 {{expects grad_output shape [2, 16, 8, 64] to match [B, Nq, Hq, Dv] = [2, 16, 8, 32]}}
  %dq, %dk, %dv = sigattn.attention_grad %q, %k, %v, %do : tensor<2x16x8x64xbf16>, tensor<2x32x2x64xbf16>, tensor<2x32x2x32xbf16>, tensor<2x16x8x64xbf16> -> tensor<2x16x8x64xbf16>, tensor<2x32x2x64xbf16>, tensor<2x32x2x32xbf16>
  return
}

// -----

// attention_grad: dq with Nk rows.
func.func @grad_query_grad_shape(%q: tensor<2x16x8x64xbf16>, %k: tensor<2x32x2x64xbf16>, %v: tensor<2x32x2x32xbf16>, %do: tensor<2x16x8x32xbf16>) {
  // expected-error @+1 {{expects query_grad shape [2, 32, 8, 64] to match [B, Nq, Hq, D] = [2, 16, 8, 64]}}
  %dq, %dk, %dv = sigattn.attention_grad %q, %k, %v, %do : tensor<2x16x8x64xbf16>, tensor<2x32x2x64xbf16>, tensor<2x32x2x32xbf16>, tensor<2x16x8x32xbf16> -> tensor<2x32x8x64xbf16>, tensor<2x32x2x64xbf16>, tensor<2x32x2x32xbf16>
  return
}

// -----

// attention_grad: dk with Hq heads (GQA gradients sum over a group).
func.func @grad_key_grad_shape(%q: tensor<2x16x8x64xbf16>, %k: tensor<2x32x2x64xbf16>, %v: tensor<2x32x2x32xbf16>, %do: tensor<2x16x8x32xbf16>) {
  // expected-error @+1 {{expects key_grad shape [2, 32, 8, 64] to match [B, Nk, Hkv, D] = [2, 32, 2, 64]}}
  %dq, %dk, %dv = sigattn.attention_grad %q, %k, %v, %do : tensor<2x16x8x64xbf16>, tensor<2x32x2x64xbf16>, tensor<2x32x2x32xbf16>, tensor<2x16x8x32xbf16> -> tensor<2x16x8x64xbf16>, tensor<2x32x8x64xbf16>, tensor<2x32x2x32xbf16>
  return
}

// -----

// attention_grad: dv with D columns.
func.func @grad_value_grad_shape(%q: tensor<2x16x8x64xbf16>, %k: tensor<2x32x2x64xbf16>, %v: tensor<2x32x2x32xbf16>, %do: tensor<2x16x8x32xbf16>) {
  // expected-error @+1 {{expects value_grad shape [2, 32, 2, 64] to match [B, Nk, Hkv, Dv] = [2, 32, 2, 32]}}
  %dq, %dk, %dv = sigattn.attention_grad %q, %k, %v, %do : tensor<2x16x8x64xbf16>, tensor<2x32x2x64xbf16>, tensor<2x32x2x32xbf16>, tensor<2x16x8x32xbf16> -> tensor<2x16x8x64xbf16>, tensor<2x32x2x64xbf16>, tensor<2x32x2x64xbf16>
  return
}

// -----

// attention_grad: f32 inputs.
func.func @grad_f32_inputs(%q: tensor<2x16x8x64xf32>, %k: tensor<2x32x2x64xf32>, %v: tensor<2x32x2x32xf32>, %do: tensor<2x16x8x32xf32>) {
  // expected-error @+1 {{expects query element type to be bf16 or f16, got 'f32'}}
  %dq, %dk, %dv = sigattn.attention_grad %q, %k, %v, %do : tensor<2x16x8x64xf32>, tensor<2x32x2x64xf32>, tensor<2x32x2x32xf32>, tensor<2x16x8x32xf32> -> tensor<2x16x8x64xf32>, tensor<2x32x2x64xf32>, tensor<2x32x2x32xf32>
  return
}

// -----

// attention_grad: dynamic query heads.
func.func @grad_dynamic_heads(%q: tensor<2x16x?x64xbf16>, %k: tensor<2x32x2x64xbf16>, %v: tensor<2x32x2x32xbf16>, %do: tensor<2x16x?x32xbf16>) {
  // expected-error @+1 {{expects a static number of query heads Hq (dimension 2 of query)}}
  %dq, %dk, %dv = sigattn.attention_grad %q, %k, %v, %do : tensor<2x16x?x64xbf16>, tensor<2x32x2x64xbf16>, tensor<2x32x2x32xbf16>, tensor<2x16x?x32xbf16> -> tensor<2x16x?x64xbf16>, tensor<2x32x2x64xbf16>, tensor<2x32x2x32xbf16>
  return
}

// -----

// attention_grad: 8 query heads over 3 key/value heads.
func.func @grad_gqa_not_multiple(%q: tensor<2x16x8x64xbf16>, %k: tensor<2x32x3x64xbf16>, %v: tensor<2x32x3x32xbf16>, %do: tensor<2x16x8x32xbf16>) {
  // expected-error @+1 {{expects the number of query heads (8) to be a multiple of the number of key/value heads (3)}}
  %dq, %dk, %dv = sigattn.attention_grad %q, %k, %v, %do : tensor<2x16x8x64xbf16>, tensor<2x32x3x64xbf16>, tensor<2x32x3x32xbf16>, tensor<2x16x8x32xbf16> -> tensor<2x16x8x64xbf16>, tensor<2x32x3x64xbf16>, tensor<2x32x3x32xbf16>
  return
}

// -----

// attention_grad: no keys.
func.func @grad_nk_zero(%q: tensor<2x16x8x64xbf16>, %k: tensor<2x0x2x64xbf16>, %v: tensor<2x0x2x32xbf16>, %do: tensor<2x16x8x32xbf16>) {
  // expected-error @+1 {{expects a positive sequence length Nk (dimension 1 of key), got 0}}
  %dq, %dk, %dv = sigattn.attention_grad %q, %k, %v, %do : tensor<2x16x8x64xbf16>, tensor<2x0x2x64xbf16>, tensor<2x0x2x32xbf16>, tensor<2x16x8x32xbf16> -> tensor<2x16x8x64xbf16>, tensor<2x0x2x64xbf16>, tensor<2x0x2x32xbf16>
  return
}

// -----

// attention_grad: ALiBi slopes for the key/value heads.
func.func @grad_alibi_heads(%q: tensor<2x16x8x64xbf16>, %k: tensor<2x32x2x64xbf16>, %v: tensor<2x32x2x32xbf16>, %do: tensor<2x16x8x32xbf16>, %s: tensor<2xf32>) {
  // expected-error @+1 {{expects alibi slopes to have one slope per query head (8), got 2}}
  %dq, %dk, %dv = sigattn.attention_grad %q, %k, %v, %do alibi(%s : tensor<2xf32>) : tensor<2x16x8x64xbf16>, tensor<2x32x2x64xbf16>, tensor<2x32x2x32xbf16>, tensor<2x16x8x32xbf16> -> tensor<2x16x8x64xbf16>, tensor<2x32x2x64xbf16>, tensor<2x32x2x32xbf16>
  return
}

// -----

// attention_grad: window left side below -1.
func.func @grad_window_left(%q: tensor<2x16x8x64xbf16>, %k: tensor<2x32x2x64xbf16>, %v: tensor<2x32x2x32xbf16>, %do: tensor<2x16x8x32xbf16>) {
  // expected-error @+1 {{expects window left to be non-negative or -1 (unbounded), got -3}}
  %dq, %dk, %dv = sigattn.attention_grad %q, %k, %v, %do window = [-3, 0] : tensor<2x16x8x64xbf16>, tensor<2x32x2x64xbf16>, tensor<2x32x2x32xbf16>, tensor<2x16x8x32xbf16> -> tensor<2x16x8x64xbf16>, tensor<2x32x2x64xbf16>, tensor<2x32x2x32xbf16>
  return
}

// -----

// attention_grad: scale as attribute and operand (generic form: the custom
// form parses one of the two).
func.func @grad_scale_twice(%q: tensor<2x16x8x64xbf16>, %k: tensor<2x32x2x64xbf16>, %v: tensor<2x32x2x32xbf16>, %do: tensor<2x16x8x32xbf16>, %s: f32) {
  // expected-error @+1 {{expects scale as an attribute or as an operand, not both}}
  %dq:3 = "sigattn.attention_grad"(%q, %k, %v, %do, %s) <{operandSegmentSizes = array<i32: 1, 1, 1, 1, 0, 1, 0>, scale = 1.250000e-01 : f32}> : (tensor<2x16x8x64xbf16>, tensor<2x32x2x64xbf16>, tensor<2x32x2x32xbf16>, tensor<2x16x8x32xbf16>, f32) -> (tensor<2x16x8x64xbf16>, tensor<2x32x2x64xbf16>, tensor<2x32x2x32xbf16>)
  return
}

// -----

// attention_grad: infinite bias.
func.func @grad_bias_inf(%q: tensor<2x16x8x64xbf16>, %k: tensor<2x32x2x64xbf16>, %v: tensor<2x32x2x32xbf16>, %do: tensor<2x16x8x32xbf16>) {
  // expected-error @+1 {{expects a finite bias, got INF}}
  %dq, %dk, %dv = sigattn.attention_grad %q, %k, %v, %do bias = 0x7F800000 : tensor<2x16x8x64xbf16>, tensor<2x32x2x64xbf16>, tensor<2x32x2x32xbf16>, tensor<2x16x8x32xbf16> -> tensor<2x16x8x64xbf16>, tensor<2x32x2x64xbf16>, tensor<2x32x2x32xbf16>
  return
}
