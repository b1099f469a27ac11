// Verifier errors of the tile-level ops, matched word for word.
// RUN: sigattn-opt %s -split-input-file -verify-diagnostics

func.func @load_tile_columns(%q: memref<?x?x8x64xbf16>, %i: index) {
  // expected-error @+1 {{expects result to have 64 columns (dimension 3 of source), got 32}}
  %t = sigattn.load_tile %q[%i, %i, %i] : memref<?x?x8x64xbf16> -> vector<64x32xbf16>
  return
}

// -----

func.func @load_tile_type(%q: memref<?x?x8x64xbf16>, %i: index) {
  // expected-error @+1 {{expects result element type ('f16') to match source element type ('bf16')}}
  %t = sigattn.load_tile %q[%i, %i, %i] : memref<?x?x8x64xbf16> -> vector<64x64xf16>
  return
}

// -----

func.func @store_tile_columns(%o: memref<?x?x8x64xbf16>, %t: vector<16x32xf32>, %i: index) {
  // expected-error @+1 {{expects tile to have 64 columns (dimension 3 of dest), got 32}}
  sigattn.store_tile %t, %o[%i, %i, %i] : vector<16x32xf32>, memref<?x?x8x64xbf16>
  return
}

// -----

func.func @step_head_dim(%qt: vector<16x32xbf16>, %k: memref<?x?x2x64xbf16>, %v: memref<?x?x2x64xbf16>,
                         %acc: vector<16x64xf32>, %i: index) {
  // expected-error @+1 {{expects q_tile to have 64 columns (dimension 3 of key), got 32}}
  %a = sigattn.tile_step %qt, %k, %v, %acc [%i, %i, %i, %i] seq_q = %i block_k = 16 window = [-1, -1] scale = 1.0 bias = 0.0
      : vector<16x32xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x64xbf16>, vector<16x64xf32>
  return
}

// -----

func.func @step_value_type(%qt: vector<16x64xbf16>, %k: memref<?x?x2x64xbf16>, %v: memref<?x?x2x64xf16>,
                           %acc: vector<16x64xf32>, %i: index) {
  // expected-error @+1 {{expects value element type ('f16') to match key element type ('bf16')}}
  %a = sigattn.tile_step %qt, %k, %v, %acc [%i, %i, %i, %i] seq_q = %i block_k = 16 window = [-1, -1] scale = 1.0 bias = 0.0
      : vector<16x64xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x64xf16>, vector<16x64xf32>
  return
}

// -----

func.func @step_kv_shape(%qt: vector<16x64xbf16>, %k: memref<?x100x2x64xbf16>, %v: memref<?x99x2x64xbf16>,
                         %acc: vector<16x64xf32>, %i: index) {
  // expected-error @+1 {{expects key and value to agree in dimension 1, got 100 and 99}}
  %a = sigattn.tile_step %qt, %k, %v, %acc [%i, %i, %i, %i] seq_q = %i block_k = 16 window = [-1, -1] scale = 1.0 bias = 0.0
      : vector<16x64xbf16>, memref<?x100x2x64xbf16>, memref<?x99x2x64xbf16>, vector<16x64xf32>
  return
}

// -----

func.func @step_acc_rows(%qt: vector<16x64xbf16>, %k: memref<?x?x2x64xbf16>, %v: memref<?x?x2x64xbf16>,
                         %acc: vector<32x64xf32>, %i: index) {
  // expected-error @+1 {{expects acc to have one row per q_tile row (16), got 32}}
  %a = sigattn.tile_step %qt, %k, %v, %acc [%i, %i, %i, %i] seq_q = %i block_k = 16 window = [-1, -1] scale = 1.0 bias = 0.0
      : vector<16x64xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x64xbf16>, vector<32x64xf32>
  return
}

// -----

func.func @step_acc_cols(%qt: vector<16x64xbf16>, %k: memref<?x?x2x64xbf16>, %v: memref<?x?x2x32xbf16>,
                         %acc: vector<16x64xf32>, %i: index) {
  // expected-error @+1 {{expects acc to have 32 columns (dimension 3 of value), got 64}}
  %a = sigattn.tile_step %qt, %k, %v, %acc [%i, %i, %i, %i] seq_q = %i block_k = 16 window = [-1, -1] scale = 1.0 bias = 0.0
      : vector<16x64xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x32xbf16>, vector<16x64xf32>
  return
}

// -----

func.func @step_window(%qt: vector<16x64xbf16>, %k: memref<?x?x2x64xbf16>, %v: memref<?x?x2x64xbf16>,
                       %acc: vector<16x64xf32>, %i: index) {
  // expected-error @+1 {{expects window sides to be non-negative or -1 (unbounded), got [3, -7]}}
  %a = sigattn.tile_step %qt, %k, %v, %acc [%i, %i, %i, %i] seq_q = %i block_k = 16 window = [3, -7] scale = 1.0 bias = 0.0
      : vector<16x64xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x64xbf16>, vector<16x64xf32>
  return
}

// -----

func.func @step_window_size(%qt: vector<16x64xbf16>, %k: memref<?x?x2x64xbf16>, %v: memref<?x?x2x64xbf16>,
                            %acc: vector<16x64xf32>, %i: index) {
  // expected-error @+1 {{expects window to have 2 elements [left, right], got 1}}
  %a = sigattn.tile_step %qt, %k, %v, %acc [%i, %i, %i, %i] seq_q = %i block_k = 16 window = [3] scale = 1.0 bias = 0.0
      : vector<16x64xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x64xbf16>, vector<16x64xf32>
  return
}

// -----

func.func @step_block_k(%qt: vector<16x64xbf16>, %k: memref<?x?x2x64xbf16>, %v: memref<?x?x2x64xbf16>,
                        %acc: vector<16x64xf32>, %i: index) {
  // expected-error @+1 {{attribute 'block_k' failed to satisfy constraint: 64-bit signless integer attribute whose value is positive}}
  %a = sigattn.tile_step %qt, %k, %v, %acc [%i, %i, %i, %i] seq_q = %i block_k = 0 window = [-1, -1] scale = 1.0 bias = 0.0
      : vector<16x64xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x64xbf16>, vector<16x64xf32>
  return
}

// -----

func.func @step_nan_scale(%qt: vector<16x64xbf16>, %k: memref<?x?x2x64xbf16>, %v: memref<?x?x2x64xbf16>,
                          %acc: vector<16x64xf32>, %i: index) {
  // expected-error @+1 {{expects a finite scale, got nan}}
  %a = sigattn.tile_step %qt, %k, %v, %acc [%i, %i, %i, %i] seq_q = %i block_k = 16 window = [-1, -1] scale = 0x7FC00000 bias = 0.0
      : vector<16x64xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x64xbf16>, vector<16x64xf32>
  return
}

// -----

func.func @step_inf_bias(%qt: vector<16x64xbf16>, %k: memref<?x?x2x64xbf16>, %v: memref<?x?x2x64xbf16>,
                         %acc: vector<16x64xf32>, %i: index) {
  // expected-error @+1 {{expects a finite bias, got -INF}}
  %a = sigattn.tile_step %qt, %k, %v, %acc [%i, %i, %i, %i] seq_q = %i block_k = 16 window = [-1, -1] scale = 1.0 bias = 0xFF800000
      : vector<16x64xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x64xbf16>, vector<16x64xf32>
  return
}

// -----

// A tile step needs a scale: the attribute or an f32 operand.
func.func @step_no_scale(%qt: vector<16x64xbf16>, %k: memref<?x?x2x64xbf16>, %v: memref<?x?x2x64xbf16>,
                         %acc: vector<16x64xf32>, %i: index) {
  // expected-error @+1 {{expects a scale (an attribute or an f32 operand)}}
  %a = sigattn.tile_step %qt, %k, %v, %acc [%i, %i, %i, %i] seq_q = %i block_k = 16 window = [-1, -1] bias = 0.0
      : vector<16x64xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x64xbf16>, vector<16x64xf32>
  return
}

// -----

// ... and a bias.
func.func @step_no_bias(%qt: vector<16x64xbf16>, %k: memref<?x?x2x64xbf16>, %v: memref<?x?x2x64xbf16>,
                        %acc: vector<16x64xf32>, %i: index, %s: f32) {
  // expected-error @+1 {{expects a bias (an attribute or an f32 operand)}}
  %a = sigattn.tile_step %qt, %k, %v, %acc [%i, %i, %i, %i] seq_q = %i block_k = 16 window = [-1, -1] scale(%s : f32)
      : vector<16x64xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x64xbf16>, vector<16x64xf32>
  return
}

// -----

// The backward tile steps.

func.func @grad_q_q_columns(%qt: vector<16x32xbf16>, %dot: vector<16x32xbf16>, %k: memref<?x?x2x64xbf16>, %v: memref<?x?x2x32xbf16>, %acc: vector<16x64xf32>, %i: index) {
  // expected-error @+1 {{expects q_tile to have 64 columns (dimension 3 of key), got 32}}
  %a = sigattn.grad_q_step %qt, %dot, %k, %v, %acc [%i, %i, %i, %i] seq_q = %i block_k = 16 window = [-1, -1] scale = 1.0 bias = 0.0
      : vector<16x32xbf16>, vector<16x32xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x32xbf16>, vector<16x64xf32>
  return
}

// -----

func.func @grad_q_value_rows(%qt: vector<16x64xbf16>, %dot: vector<16x32xbf16>, %k: memref<?x?x2x64xbf16>, %v: memref<?x?x4x32xbf16>, %acc: vector<16x64xf32>, %i: index) {
  // expected-error @+1 {{expects key and value to agree in dimension 2, got 2 and 4}}
  %a = sigattn.grad_q_step %qt, %dot, %k, %v, %acc [%i, %i, %i, %i] seq_q = %i block_k = 16 window = [-1, -1] scale = 1.0 bias = 0.0
      : vector<16x64xbf16>, vector<16x32xbf16>, memref<?x?x2x64xbf16>, memref<?x?x4x32xbf16>, vector<16x64xf32>
  return
}

// -----

func.func @grad_q_do_rows(%qt: vector<16x64xbf16>, %dot: vector<8x32xbf16>, %k: memref<?x?x2x64xbf16>, %v: memref<?x?x2x32xbf16>, %acc: vector<16x64xf32>, %i: index) {
  // expected-error @+1 {{expects do_tile to have one row per q_tile row (16), got 8}}
  %a = sigattn.grad_q_step %qt, %dot, %k, %v, %acc [%i, %i, %i, %i] seq_q = %i block_k = 16 window = [-1, -1] scale = 1.0 bias = 0.0
      : vector<16x64xbf16>, vector<8x32xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x32xbf16>, vector<16x64xf32>
  return
}

// -----

func.func @grad_q_do_columns(%qt: vector<16x64xbf16>, %dot: vector<16x64xbf16>, %k: memref<?x?x2x64xbf16>, %v: memref<?x?x2x32xbf16>, %acc: vector<16x64xf32>, %i: index) {
  // expected-error @+1 {{expects do_tile to have 32 columns (dimension 3 of value), got 64}}
  %a = sigattn.grad_q_step %qt, %dot, %k, %v, %acc [%i, %i, %i, %i] seq_q = %i block_k = 16 window = [-1, -1] scale = 1.0 bias = 0.0
      : vector<16x64xbf16>, vector<16x64xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x32xbf16>, vector<16x64xf32>
  return
}

// -----

func.func @grad_q_do_type(%qt: vector<16x64xbf16>, %dot: vector<16x32xf16>, %k: memref<?x?x2x64xbf16>, %v: memref<?x?x2x32xbf16>, %acc: vector<16x64xf32>, %i: index) {
  // expected-error @+1 {{expects do_tile element type ('f16') to match value element type ('bf16')}}
  %a = sigattn.grad_q_step %qt, %dot, %k, %v, %acc [%i, %i, %i, %i] seq_q = %i block_k = 16 window = [-1, -1] scale = 1.0 bias = 0.0
      : vector<16x64xbf16>, vector<16x32xf16>, memref<?x?x2x64xbf16>, memref<?x?x2x32xbf16>, vector<16x64xf32>
  return
}

// -----

func.func @grad_q_acc_columns(%qt: vector<16x64xbf16>, %dot: vector<16x32xbf16>, %k: memref<?x?x2x64xbf16>, %v: memref<?x?x2x32xbf16>, %acc: vector<16x32xf32>, %i: index) {
  // expected-error @+1 {{expects acc to have 64 columns (dimension 3 of key), got 32}}
  %a = sigattn.grad_q_step %qt, %dot, %k, %v, %acc [%i, %i, %i, %i] seq_q = %i block_k = 16 window = [-1, -1] scale = 1.0 bias = 0.0
      : vector<16x64xbf16>, vector<16x32xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x32xbf16>, vector<16x32xf32>
  return
}

// -----

func.func @grad_q_window(%qt: vector<16x64xbf16>, %dot: vector<16x32xbf16>, %k: memref<?x?x2x64xbf16>, %v: memref<?x?x2x32xbf16>, %acc: vector<16x64xf32>, %i: index) {
  // expected-error @+1 {{expects window sides to be non-negative or -1 (unbounded), got [-2, 0]}}
  %a = sigattn.grad_q_step %qt, %dot, %k, %v, %acc [%i, %i, %i, %i] seq_q = %i block_k = 16 window = [-2, 0] scale = 1.0 bias = 0.0
      : vector<16x64xbf16>, vector<16x32xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x32xbf16>, vector<16x64xf32>
  return
}

// -----

func.func @grad_q_no_bias(%qt: vector<16x64xbf16>, %dot: vector<16x32xbf16>, %k: memref<?x?x2x64xbf16>, %v: memref<?x?x2x32xbf16>, %acc: vector<16x64xf32>, %i: index) {
  // expected-error @+1 {{expects a bias (an attribute or an f32 operand)}}
  %a = sigattn.grad_q_step %qt, %dot, %k, %v, %acc [%i, %i, %i, %i] seq_q = %i block_k = 16 window = [-1, -1] scale = 1.0
      : vector<16x64xbf16>, vector<16x32xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x32xbf16>, vector<16x64xf32>
  return
}

// -----

func.func @grad_kv_k_columns(%kt: vector<16x32xbf16>, %vt: vector<16x32xbf16>, %q: memref<?x?x8x64xbf16>, %do: memref<?x?x8x32xbf16>, %dk: vector<16x64xf32>, %dv: vector<16x32xf32>, %i: index) {
  // expected-error @+1 {{expects k_tile to have 64 columns (dimension 3 of query), got 32}}
  %a, %b = sigattn.grad_kv_step %kt, %vt, %q, %do, %dk, %dv [%i, %i, %i, %i] seq_k = %i block_q = 16 window = [-1, -1] scale = 1.0 bias = 0.0
      : vector<16x32xbf16>, vector<16x32xbf16>, memref<?x?x8x64xbf16>, memref<?x?x8x32xbf16>, vector<16x64xf32>, vector<16x32xf32>
  return
}

// -----

func.func @grad_kv_do_heads(%kt: vector<16x64xbf16>, %vt: vector<16x32xbf16>, %q: memref<?x?x8x64xbf16>, %do: memref<?x?x4x32xbf16>, %dk: vector<16x64xf32>, %dv: vector<16x32xf32>, %i: index) {
  // expected-error @+1 {{expects query and grad_output to agree in dimension 2, got 8 and 4}}
  %a, %b = sigattn.grad_kv_step %kt, %vt, %q, %do, %dk, %dv [%i, %i, %i, %i] seq_k = %i block_q = 16 window = [-1, -1] scale = 1.0 bias = 0.0
      : vector<16x64xbf16>, vector<16x32xbf16>, memref<?x?x8x64xbf16>, memref<?x?x4x32xbf16>, vector<16x64xf32>, vector<16x32xf32>
  return
}

// -----

func.func @grad_kv_do_type(%kt: vector<16x64xbf16>, %vt: vector<16x32xbf16>, %q: memref<?x?x8x64xbf16>, %do: memref<?x?x8x32xf16>, %dk: vector<16x64xf32>, %dv: vector<16x32xf32>, %i: index) {
  // expected-error @+1 {{expects grad_output element type ('f16') to match query element type ('bf16')}}
  %a, %b = sigattn.grad_kv_step %kt, %vt, %q, %do, %dk, %dv [%i, %i, %i, %i] seq_k = %i block_q = 16 window = [-1, -1] scale = 1.0 bias = 0.0
      : vector<16x64xbf16>, vector<16x32xbf16>, memref<?x?x8x64xbf16>, memref<?x?x8x32xf16>, vector<16x64xf32>, vector<16x32xf32>
  return
}

// -----

func.func @grad_kv_v_rows(%kt: vector<16x64xbf16>, %vt: vector<32x32xbf16>, %q: memref<?x?x8x64xbf16>, %do: memref<?x?x8x32xbf16>, %dk: vector<16x64xf32>, %dv: vector<16x32xf32>, %i: index) {
  // expected-error @+1 {{expects v_tile to have one row per k_tile row (16), got 32}}
  %a, %b = sigattn.grad_kv_step %kt, %vt, %q, %do, %dk, %dv [%i, %i, %i, %i] seq_k = %i block_q = 16 window = [-1, -1] scale = 1.0 bias = 0.0
      : vector<16x64xbf16>, vector<32x32xbf16>, memref<?x?x8x64xbf16>, memref<?x?x8x32xbf16>, vector<16x64xf32>, vector<16x32xf32>
  return
}

// -----

func.func @grad_kv_v_columns(%kt: vector<16x64xbf16>, %vt: vector<16x16xbf16>, %q: memref<?x?x8x64xbf16>, %do: memref<?x?x8x32xbf16>, %dk: vector<16x64xf32>, %dv: vector<16x32xf32>, %i: index) {
  // expected-error @+1 {{expects v_tile to have 32 columns (dimension 3 of grad_output), got 16}}
  %a, %b = sigattn.grad_kv_step %kt, %vt, %q, %do, %dk, %dv [%i, %i, %i, %i] seq_k = %i block_q = 16 window = [-1, -1] scale = 1.0 bias = 0.0
      : vector<16x64xbf16>, vector<16x16xbf16>, memref<?x?x8x64xbf16>, memref<?x?x8x32xbf16>, vector<16x64xf32>, vector<16x32xf32>
  return
}

// -----

func.func @grad_kv_dk_rows(%kt: vector<16x64xbf16>, %vt: vector<16x32xbf16>, %q: memref<?x?x8x64xbf16>, %do: memref<?x?x8x32xbf16>, %dk: vector<8x64xf32>, %dv: vector<16x32xf32>, %i: index) {
  // expected-error @+1 {{expects dk_acc to have one row per k_tile row (16), got 8}}
  %a, %b = sigattn.grad_kv_step %kt, %vt, %q, %do, %dk, %dv [%i, %i, %i, %i] seq_k = %i block_q = 16 window = [-1, -1] scale = 1.0 bias = 0.0
      : vector<16x64xbf16>, vector<16x32xbf16>, memref<?x?x8x64xbf16>, memref<?x?x8x32xbf16>, vector<8x64xf32>, vector<16x32xf32>
  return
}

// -----

func.func @grad_kv_dv_columns(%kt: vector<16x64xbf16>, %vt: vector<16x32xbf16>, %q: memref<?x?x8x64xbf16>, %do: memref<?x?x8x32xbf16>, %dk: vector<16x64xf32>, %dv: vector<16x64xf32>, %i: index) {
  // expected-error @+1 {{expects dv_acc to have 32 columns (dimension 3 of grad_output), got 64}}
  %a, %b = sigattn.grad_kv_step %kt, %vt, %q, %do, %dk, %dv [%i, %i, %i, %i] seq_k = %i block_q = 16 window = [-1, -1] scale = 1.0 bias = 0.0
      : vector<16x64xbf16>, vector<16x32xbf16>, memref<?x?x8x64xbf16>, memref<?x?x8x32xbf16>, vector<16x64xf32>, vector<16x64xf32>
  return
}

// -----

func.func @grad_kv_scale_inf(%kt: vector<16x64xbf16>, %vt: vector<16x32xbf16>, %q: memref<?x?x8x64xbf16>, %do: memref<?x?x8x32xbf16>, %dk: vector<16x64xf32>, %dv: vector<16x32xf32>, %i: index) {
  // expected-error @+1 {{expects a finite scale, got INF}}
  %a, %b = sigattn.grad_kv_step %kt, %vt, %q, %do, %dk, %dv [%i, %i, %i, %i] seq_k = %i block_q = 16 window = [-1, -1] scale = 0x7F800000 bias = 0.0
      : vector<16x64xbf16>, vector<16x32xbf16>, memref<?x?x8x64xbf16>, memref<?x?x8x32xbf16>, vector<16x64xf32>, vector<16x32xf32>
  return
}

// -----

func.func @grad_kv_dq_accum_shape(%kt: vector<16x64xbf16>, %vt: vector<16x32xbf16>, %q: memref<?x?x8x64xbf16>, %do: memref<?x?x8x32xbf16>, %dk: vector<16x64xf32>, %dv: vector<16x32xf32>, %acc: memref<?x?x2x64xf32>, %i: index) {
  // expected-error @+1 {{expects dq_accum shape [?, ?, 2, 64] to match the query's [?, ?, 8, 64]}}
  %a, %b = sigattn.grad_kv_step %kt, %vt, %q, %do, %dk, %dv [%i, %i, %i, %i] seq_k = %i dq(%acc : memref<?x?x2x64xf32>) block_q = 16 window = [-1, -1] scale = 1.0 bias = 0.0
      : vector<16x64xbf16>, vector<16x32xbf16>, memref<?x?x8x64xbf16>, memref<?x?x8x32xbf16>, vector<16x64xf32>, vector<16x32xf32>
  return
}
