// The kernel IR convert-sigattn-tiles-to-nvvm consumes is checked before it
// is lowered: the block size, where the tile ops are, one accumulator
// threaded from zero to the store, steps that agree, static head counts and
// bounded tile sizes. Each problem is one error at the op that has it.
// RUN: sigattn-opt %s -split-input-file -verify-diagnostics -convert-sigattn-tiles-to-nvvm

gpu.module @sigattn_kernels {
  // expected-error @+1 {{expects a known_block_size of (32 * num-warps, 1, 1) with 1 <= num-warps <= 32}}
  gpu.func @block_size_zero(%q: memref<?x?x2x64xbf16>, %k: memref<?x?x2x64xbf16>, %v: memref<?x?x2x64xbf16>, %o: memref<?x?x2x64xbf16>, %n: index) kernel attributes {known_block_size = array<i32: 0, 1, 1>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %cst = arith.constant dense<0.0> : vector<64x64xf32>
    %t = sigattn.load_tile %q[%c0, %c0, %c0] : memref<?x?x2x64xbf16> -> vector<64x64xbf16>
    %a = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %cst) -> (vector<64x64xf32>) {
      %s = sigattn.tile_step %t, %k, %v, %acc[%c0, %c0, %c0, %i] seq_q = %n masked block_k = 64 window = [-1, -1] scale = 1.0 bias = 0.0 : vector<64x64xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x64xbf16>, vector<64x64xf32>
      scf.yield %s : vector<64x64xf32>
    }
    sigattn.store_tile %a, %o[%c0, %c0, %c0] : vector<64x64xf32>, memref<?x?x2x64xbf16>
    gpu.return
  }
}

// -----

gpu.module @sigattn_kernels {
  // expected-error @+1 {{expects a known_block_size of (32 * num-warps, 1, 1) with 1 <= num-warps <= 32}}
  gpu.func @block_size_negative(%q: memref<?x?x2x64xbf16>, %k: memref<?x?x2x64xbf16>, %v: memref<?x?x2x64xbf16>, %o: memref<?x?x2x64xbf16>, %n: index) kernel attributes {known_block_size = array<i32: -32, 1, 1>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %cst = arith.constant dense<0.0> : vector<64x64xf32>
    %t = sigattn.load_tile %q[%c0, %c0, %c0] : memref<?x?x2x64xbf16> -> vector<64x64xbf16>
    %a = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %cst) -> (vector<64x64xf32>) {
      %s = sigattn.tile_step %t, %k, %v, %acc[%c0, %c0, %c0, %i] seq_q = %n masked block_k = 64 window = [-1, -1] scale = 1.0 bias = 0.0 : vector<64x64xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x64xbf16>, vector<64x64xf32>
      scf.yield %s : vector<64x64xf32>
    }
    sigattn.store_tile %a, %o[%c0, %c0, %c0] : vector<64x64xf32>, memref<?x?x2x64xbf16>
    gpu.return
  }
}

// -----

gpu.module @sigattn_kernels {
  // expected-error @+1 {{expects a known_block_size of (32 * num-warps, 1, 1) with 1 <= num-warps <= 32}}
  gpu.func @block_size_2d(%q: memref<?x?x2x64xbf16>, %k: memref<?x?x2x64xbf16>, %v: memref<?x?x2x64xbf16>, %o: memref<?x?x2x64xbf16>, %n: index) kernel attributes {known_block_size = array<i32: 32, 2, 1>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %cst = arith.constant dense<0.0> : vector<64x64xf32>
    %t = sigattn.load_tile %q[%c0, %c0, %c0] : memref<?x?x2x64xbf16> -> vector<64x64xbf16>
    %a = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %cst) -> (vector<64x64xf32>) {
      %s = sigattn.tile_step %t, %k, %v, %acc[%c0, %c0, %c0, %i] seq_q = %n masked block_k = 64 window = [-1, -1] scale = 1.0 bias = 0.0 : vector<64x64xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x64xbf16>, vector<64x64xf32>
      scf.yield %s : vector<64x64xf32>
    }
    sigattn.store_tile %a, %o[%c0, %c0, %c0] : vector<64x64xf32>, memref<?x?x2x64xbf16>
    gpu.return
  }
}

// -----

gpu.module @sigattn_kernels {
  // expected-error @+1 {{expects a known_block_size of (32 * num-warps, 1, 1) with 1 <= num-warps <= 32}}
  gpu.func @block_size_too_big(%q: memref<?x?x2x64xbf16>, %k: memref<?x?x2x64xbf16>, %v: memref<?x?x2x64xbf16>, %o: memref<?x?x2x64xbf16>, %n: index) kernel attributes {known_block_size = array<i32: 2048, 1, 1>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %cst = arith.constant dense<0.0> : vector<64x64xf32>
    %t = sigattn.load_tile %q[%c0, %c0, %c0] : memref<?x?x2x64xbf16> -> vector<64x64xbf16>
    %a = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %cst) -> (vector<64x64xf32>) {
      %s = sigattn.tile_step %t, %k, %v, %acc[%c0, %c0, %c0, %i] seq_q = %n masked block_k = 64 window = [-1, -1] scale = 1.0 bias = 0.0 : vector<64x64xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x64xbf16>, vector<64x64xf32>
      scf.yield %s : vector<64x64xf32>
    }
    sigattn.store_tile %a, %o[%c0, %c0, %c0] : vector<64x64xf32>, memref<?x?x2x64xbf16>
    gpu.return
  }
}

// -----

gpu.module @sigattn_kernels {
  // expected-error @+1 {{expects a known_block_size of (32 * num-warps, 1, 1) with 1 <= num-warps <= 32}}
  gpu.func @block_size_missing(%q: memref<?x?x2x64xbf16>, %k: memref<?x?x2x64xbf16>, %v: memref<?x?x2x64xbf16>, %o: memref<?x?x2x64xbf16>, %n: index) kernel {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %cst = arith.constant dense<0.0> : vector<64x64xf32>
    %t = sigattn.load_tile %q[%c0, %c0, %c0] : memref<?x?x2x64xbf16> -> vector<64x64xbf16>
    %a = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %cst) -> (vector<64x64xf32>) {
      %s = sigattn.tile_step %t, %k, %v, %acc[%c0, %c0, %c0, %i] seq_q = %n masked block_k = 64 window = [-1, -1] scale = 1.0 bias = 0.0 : vector<64x64xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x64xbf16>, vector<64x64xf32>
      scf.yield %s : vector<64x64xf32>
    }
    sigattn.store_tile %a, %o[%c0, %c0, %c0] : vector<64x64xf32>, memref<?x?x2x64xbf16>
    gpu.return
  }
}

// -----

gpu.module @sigattn_kernels {
  gpu.func @two_loads(%q: memref<?x?x2x64xbf16>, %k: memref<?x?x2x64xbf16>, %v: memref<?x?x2x64xbf16>, %o: memref<?x?x2x64xbf16>, %n: index) kernel attributes {known_block_size = array<i32: 128, 1, 1>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %cst = arith.constant dense<0.0> : vector<64x64xf32>
    %t = sigattn.load_tile %q[%c0, %c0, %c0] : memref<?x?x2x64xbf16> -> vector<64x64xbf16>
    // expected-error @+1 {{expected one sigattn.load_tile per row tile of the tile steps (1)}}
    %t2 = sigattn.load_tile %q[%c0, %c0, %c0] : memref<?x?x2x64xbf16> -> vector<64x64xbf16>
    %s = sigattn.tile_step %t, %k, %v, %cst[%c0, %c0, %c0, %c0] seq_q = %n block_k = 64 window = [-1, -1] scale = 1.0 bias = 0.0 : vector<64x64xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x64xbf16>, vector<64x64xf32>
    sigattn.store_tile %s, %o[%c0, %c0, %c0] : vector<64x64xf32>, memref<?x?x2x64xbf16>
    gpu.return
  }
}

// -----

gpu.module @sigattn_kernels {
  gpu.func @step_in_if(%q: memref<?x?x2x64xbf16>, %k: memref<?x?x2x64xbf16>, %v: memref<?x?x2x64xbf16>, %o: memref<?x?x2x64xbf16>, %n: index) kernel attributes {known_block_size = array<i32: 128, 1, 1>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %cst = arith.constant dense<0.0> : vector<64x64xf32>
    %t = sigattn.load_tile %q[%c0, %c0, %c0] : memref<?x?x2x64xbf16> -> vector<64x64xbf16>
    %b = arith.cmpi slt, %c0, %n : index
    %a = scf.if %b -> (vector<64x64xf32>) {
  // expected-error @+1 {{expected at the top level of the kernel body, or as the body of a key/value loop there}}
      %s = sigattn.tile_step %t, %k, %v, %cst[%c0, %c0, %c0, %c0] seq_q = %n block_k = 64 window = [-1, -1] scale = 1.0 bias = 0.0 : vector<64x64xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x64xbf16>, vector<64x64xf32>
      scf.yield %s : vector<64x64xf32>
    } else {
      scf.yield %cst : vector<64x64xf32>
    }
    sigattn.store_tile %a, %o[%c0, %c0, %c0] : vector<64x64xf32>, memref<?x?x2x64xbf16>
    gpu.return
  }
}

// -----

gpu.module @sigattn_kernels {
  gpu.func @steps_disagree(%q: memref<?x?x2x64xbf16>, %k: memref<?x?x2x64xbf16>, %v: memref<?x?x2x64xbf16>, %o: memref<?x?x2x64xbf16>, %n: index) kernel attributes {known_block_size = array<i32: 128, 1, 1>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %cst = arith.constant dense<0.0> : vector<64x64xf32>
    %t = sigattn.load_tile %q[%c0, %c0, %c0] : memref<?x?x2x64xbf16> -> vector<64x64xbf16>
    %s = sigattn.tile_step %t, %k, %v, %cst[%c0, %c0, %c0, %c0] seq_q = %n block_k = 64 window = [-1, -1] scale = 1.0 bias = 0.0 : vector<64x64xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x64xbf16>, vector<64x64xf32>
    // expected-error @+1 {{expected every tile step of the kernel to agree on scale or bias}}
    %s2 = sigattn.tile_step %t, %k, %v, %s[%c0, %c0, %c0, %c1] seq_q = %n block_k = 64 window = [-1, -1] scale = 2.0 bias = 0.0 : vector<64x64xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x64xbf16>, vector<64x64xf32>
    sigattn.store_tile %s2, %o[%c0, %c0, %c0] : vector<64x64xf32>, memref<?x?x2x64xbf16>
    gpu.return
  }
}

// -----

gpu.module @sigattn_kernels {
  gpu.func @acc_not_chained(%q: memref<?x?x2x64xbf16>, %k: memref<?x?x2x64xbf16>, %v: memref<?x?x2x64xbf16>, %o: memref<?x?x2x64xbf16>, %n: index) kernel attributes {known_block_size = array<i32: 128, 1, 1>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %cst = arith.constant dense<0.0> : vector<64x64xf32>
    %t = sigattn.load_tile %q[%c0, %c0, %c0] : memref<?x?x2x64xbf16> -> vector<64x64xbf16>
    %s = sigattn.tile_step %t, %k, %v, %cst[%c0, %c0, %c0, %c0] seq_q = %n block_k = 64 window = [-1, -1] scale = 1.0 bias = 0.0 : vector<64x64xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x64xbf16>, vector<64x64xf32>
    // expected-error @+1 {{expected the accumulator to start at zero or at the result of the previous key/value tiles}}
    %s2 = sigattn.tile_step %t, %k, %v, %cst[%c0, %c0, %c0, %c1] seq_q = %n block_k = 64 window = [-1, -1] scale = 1.0 bias = 0.0 : vector<64x64xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x64xbf16>, vector<64x64xf32>
    sigattn.store_tile %s2, %o[%c0, %c0, %c0] : vector<64x64xf32>, memref<?x?x2x64xbf16>
    gpu.return
  }
}

// -----

gpu.module @sigattn_kernels {
  gpu.func @store_other(%q: memref<?x?x2x64xbf16>, %k: memref<?x?x2x64xbf16>, %v: memref<?x?x2x64xbf16>, %o: memref<?x?x2x64xbf16>, %n: index) kernel attributes {known_block_size = array<i32: 128, 1, 1>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %cst = arith.constant dense<0.0> : vector<64x64xf32>
    %t = sigattn.load_tile %q[%c0, %c0, %c0] : memref<?x?x2x64xbf16> -> vector<64x64xbf16>
    %s = sigattn.tile_step %t, %k, %v, %cst[%c0, %c0, %c0, %c0] seq_q = %n block_k = 64 window = [-1, -1] scale = 1.0 bias = 0.0 : vector<64x64xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x64xbf16>, vector<64x64xf32>
    // expected-error @+1 {{expected to store the accumulator of the last key/value tiles}}
    sigattn.store_tile %cst, %o[%c0, %c0, %c0] : vector<64x64xf32>, memref<?x?x2x64xbf16>
    gpu.return
  }
}

// -----

gpu.module @sigattn_kernels {
  // expected-error @+1 {{expected a sigattn.load_tile of Q, key/value tiles and a sigattn.store_tile of O in the kernel}}
  gpu.func @no_steps(%q: memref<?x?x2x64xbf16>, %k: memref<?x?x2x64xbf16>, %v: memref<?x?x2x64xbf16>, %o: memref<?x?x2x64xbf16>, %n: index) kernel attributes {known_block_size = array<i32: 128, 1, 1>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %cst = arith.constant dense<0.0> : vector<64x64xf32>
    %t = sigattn.load_tile %q[%c0, %c0, %c0] : memref<?x?x2x64xbf16> -> vector<64x64xbf16>
    sigattn.store_tile %cst, %o[%c0, %c0, %c0] : vector<64x64xf32>, memref<?x?x2x64xbf16>
    gpu.return
  }
}

// -----

gpu.module @sigattn_kernels {
  // expected-error @+1 {{convert-sigattn-tiles-to-nvvm (mma=sync): the query buffer needs a static head count and head dimension}}
  gpu.func @dynamic_heads(%q: memref<?x?x?x64xbf16>, %k: memref<?x?x2x64xbf16>, %v: memref<?x?x2x64xbf16>, %o: memref<?x?x2x64xbf16>, %n: index) kernel attributes {known_block_size = array<i32: 128, 1, 1>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %cst = arith.constant dense<0.0> : vector<64x64xf32>
    %t = sigattn.load_tile %q[%c0, %c0, %c0] : memref<?x?x?x64xbf16> -> vector<64x64xbf16>
    %a = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %cst) -> (vector<64x64xf32>) {
      %s = sigattn.tile_step %t, %k, %v, %acc[%c0, %c0, %c0, %i] seq_q = %n masked block_k = 64 window = [-1, -1] scale = 1.0 bias = 0.0 : vector<64x64xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x64xbf16>, vector<64x64xf32>
      scf.yield %s : vector<64x64xf32>
    }
    sigattn.store_tile %a, %o[%c0, %c0, %c0] : vector<64x64xf32>, memref<?x?x2x64xbf16>
    gpu.return
  }
}

// -----

gpu.module @sigattn_kernels {
  // expected-error @+1 {{convert-sigattn-tiles-to-nvvm (mma=sync): block-q = 2048 is more than 1024 rows}}
  gpu.func @rows_too_many(%q: memref<?x?x2x64xbf16>, %k: memref<?x?x2x64xbf16>, %v: memref<?x?x2x64xbf16>, %o: memref<?x?x2x64xbf16>, %n: index) kernel attributes {known_block_size = array<i32: 128, 1, 1>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %cst = arith.constant dense<0.0> : vector<2048x64xf32>
    %t = sigattn.load_tile %q[%c0, %c0, %c0] : memref<?x?x2x64xbf16> -> vector<2048x64xbf16>
    %a = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %cst) -> (vector<2048x64xf32>) {
      %s = sigattn.tile_step %t, %k, %v, %acc[%c0, %c0, %c0, %i] seq_q = %n masked block_k = 64 window = [-1, -1] scale = 1.0 bias = 0.0 : vector<2048x64xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x64xbf16>, vector<2048x64xf32>
      scf.yield %s : vector<2048x64xf32>
    }
    sigattn.store_tile %a, %o[%c0, %c0, %c0] : vector<2048x64xf32>, memref<?x?x2x64xbf16>
    gpu.return
  }
}

// -----

// A backward kernel (two row tiles, one accumulator) with D = 256: dk and
// dv alone would need 256 registers per thread.
gpu.module @sigattn_kernels {
  // expected-error @+1 {{convert-sigattn-tiles-to-nvvm (mma=sync): head dimension D = 256 is not supported by the backward kernels (supported: 64, 128)}}
  gpu.func @grad_q(%q: memref<?x?x2x256xbf16>, %k: memref<?x?x2x256xbf16>, %v: memref<?x?x2x256xbf16>, %do: memref<?x?x2x256xbf16>, %dq: memref<?x?x2x256xbf16>, %n: index) kernel attributes {known_block_size = array<i32: 128, 1, 1>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %cst = arith.constant dense<0.0> : vector<64x256xf32>
    %qt = sigattn.load_tile %q[%c0, %c0, %c0] : memref<?x?x2x256xbf16> -> vector<64x256xbf16>
    %dot = sigattn.load_tile %do[%c0, %c0, %c0] : memref<?x?x2x256xbf16> -> vector<64x256xbf16>
    %a = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %cst) -> (vector<64x256xf32>) {
      %s = sigattn.grad_q_step %qt, %dot, %k, %v, %acc[%c0, %c0, %c0, %i] seq_q = %n block_k = 64 window = [-1, -1] scale = 1.0 bias = 0.0 : vector<64x256xbf16>, vector<64x256xbf16>, memref<?x?x2x256xbf16>, memref<?x?x2x256xbf16>, vector<64x256xf32>
      scf.yield %s : vector<64x256xf32>
    }
    sigattn.store_tile %a, %dq[%c0, %c0, %c0] : vector<64x256xf32>, memref<?x?x2x256xbf16>
    gpu.return
  }
}

// -----

gpu.module @sigattn_kernels {
  gpu.func @grad_q_rows_swapped(%q: memref<?x?x2x64xbf16>, %k: memref<?x?x2x64xbf16>, %v: memref<?x?x2x64xbf16>, %do: memref<?x?x2x64xbf16>, %dq: memref<?x?x2x64xbf16>, %n: index) kernel attributes {known_block_size = array<i32: 128, 1, 1>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %cst = arith.constant dense<0.0> : vector<64x64xf32>
    %dot = sigattn.load_tile %do[%c0, %c0, %c0] : memref<?x?x2x64xbf16> -> vector<64x64xbf16>
    %qt = sigattn.load_tile %q[%c0, %c0, %c0] : memref<?x?x2x64xbf16> -> vector<64x64xbf16>
    %a = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %cst) -> (vector<64x64xf32>) {
      // expected-error @+1 {{expected to read the kernel's row tiles, in the order of their loads}}
      %s = sigattn.grad_q_step %qt, %dot, %k, %v, %acc[%c0, %c0, %c0, %i] seq_q = %n block_k = 64 window = [-1, -1] scale = 1.0 bias = 0.0 : vector<64x64xbf16>, vector<64x64xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x64xbf16>, vector<64x64xf32>
      scf.yield %s : vector<64x64xf32>
    }
    sigattn.store_tile %a, %dq[%c0, %c0, %c0] : vector<64x64xf32>, memref<?x?x2x64xbf16>
    gpu.return
  }
}

// -----

gpu.module @sigattn_kernels {
  gpu.func @grad_kv_one_store(%q: memref<?x?x2x64xbf16>, %k: memref<?x?x2x64xbf16>, %v: memref<?x?x2x64xbf16>, %do: memref<?x?x2x64xbf16>, %dk: memref<?x?x2x64xbf16>, %n: index) kernel attributes {known_block_size = array<i32: 128, 1, 1>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %cst = arith.constant dense<0.0> : vector<64x64xf32>
    %kt = sigattn.load_tile %k[%c0, %c0, %c0] : memref<?x?x2x64xbf16> -> vector<64x64xbf16>
    %vt = sigattn.load_tile %v[%c0, %c0, %c0] : memref<?x?x2x64xbf16> -> vector<64x64xbf16>
    %a:2 = scf.for %i = %c0 to %n step %c1 iter_args(%a0 = %cst, %a1 = %cst) -> (vector<64x64xf32>, vector<64x64xf32>) {
      %s:2 = sigattn.grad_kv_step %kt, %vt, %q, %do, %a0, %a1[%c0, %c0, %c0, %i] seq_k = %n block_q = 64 window = [-1, -1] scale = 1.0 bias = 0.0 : vector<64x64xbf16>, vector<64x64xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x64xbf16>, vector<64x64xf32>, vector<64x64xf32>
      scf.yield %s#0, %s#1 : vector<64x64xf32>, vector<64x64xf32>
    }
    // expected-error @+1 {{expected one sigattn.store_tile per accumulator (2)}}
    sigattn.store_tile %a#0, %dk[%c0, %c0, %c0] : vector<64x64xf32>, memref<?x?x2x64xbf16>
    gpu.return
  }
}

// -----

// The dk/dv kernel's loop over the query heads of a group carries the
// accumulators from zero.
gpu.module @sigattn_kernels {
  gpu.func @group_not_from_zero(%q: memref<?x?x4x64xbf16>, %k: memref<?x?x2x64xbf16>, %v: memref<?x?x2x64xbf16>, %do: memref<?x?x4x64xbf16>, %dk: memref<?x?x2x64xbf16>, %dv: memref<?x?x2x64xbf16>, %n: index) kernel attributes {known_block_size = array<i32: 128, 1, 1>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %one = arith.constant dense<1.0> : vector<64x64xf32>
    %kt = sigattn.load_tile %k[%c0, %c0, %c0] : memref<?x?x2x64xbf16> -> vector<64x64xbf16>
    %vt = sigattn.load_tile %v[%c0, %c0, %c0] : memref<?x?x2x64xbf16> -> vector<64x64xbf16>
    // expected-error @+1 {{expected a unit-step loop over the query heads of a group that carries the accumulators from zero}}
    %g:2 = scf.for %h = %c0 to %c2 step %c1 iter_args(%g0 = %one, %g1 = %one) -> (vector<64x64xf32>, vector<64x64xf32>) {
      %a:2 = scf.for %i = %c0 to %n step %c1 iter_args(%a0 = %g0, %a1 = %g1) -> (vector<64x64xf32>, vector<64x64xf32>) {
        %s:2 = sigattn.grad_kv_step %kt, %vt, %q, %do, %a0, %a1[%c0, %h, %c0, %i] seq_k = %n block_q = 64 window = [-1, -1] scale = 1.0 bias = 0.0 : vector<64x64xbf16>, vector<64x64xbf16>, memref<?x?x4x64xbf16>, memref<?x?x4x64xbf16>, vector<64x64xf32>, vector<64x64xf32>
        scf.yield %s#0, %s#1 : vector<64x64xf32>, vector<64x64xf32>
      }
      scf.yield %a#0, %a#1 : vector<64x64xf32>, vector<64x64xf32>
    }
    sigattn.store_tile %g#0, %dk[%c0, %c0, %c0] : vector<64x64xf32>, memref<?x?x2x64xbf16>
    sigattn.store_tile %g#1, %dv[%c0, %c0, %c0] : vector<64x64xf32>, memref<?x?x2x64xbf16>
    gpu.return
  }
}

// -----

// The same loop from zero lowers (GQA, 2 query heads per kv head).
gpu.module @sigattn_kernels {
  gpu.func @group_from_zero(%q: memref<?x?x4x64xbf16>, %k: memref<?x?x2x64xbf16>, %v: memref<?x?x2x64xbf16>, %do: memref<?x?x4x64xbf16>, %dk: memref<?x?x2x64xbf16>, %dv: memref<?x?x2x64xbf16>, %n: index) kernel attributes {known_block_size = array<i32: 128, 1, 1>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %zero = arith.constant dense<0.0> : vector<64x64xf32>
    %kt = sigattn.load_tile %k[%c0, %c0, %c0] : memref<?x?x2x64xbf16> -> vector<64x64xbf16>
    %vt = sigattn.load_tile %v[%c0, %c0, %c0] : memref<?x?x2x64xbf16> -> vector<64x64xbf16>
    %g:2 = scf.for %h = %c0 to %c2 step %c1 iter_args(%g0 = %zero, %g1 = %zero) -> (vector<64x64xf32>, vector<64x64xf32>) {
      %a:2 = scf.for %i = %c0 to %n step %c1 iter_args(%a0 = %g0, %a1 = %g1) -> (vector<64x64xf32>, vector<64x64xf32>) {
        %s:2 = sigattn.grad_kv_step %kt, %vt, %q, %do, %a0, %a1[%c0, %h, %c0, %i] seq_k = %n block_q = 64 window = [-1, -1] scale = 1.0 bias = 0.0 : vector<64x64xbf16>, vector<64x64xbf16>, memref<?x?x4x64xbf16>, memref<?x?x4x64xbf16>, vector<64x64xf32>, vector<64x64xf32>
        scf.yield %s#0, %s#1 : vector<64x64xf32>, vector<64x64xf32>
      }
      scf.yield %a#0, %a#1 : vector<64x64xf32>, vector<64x64xf32>
    }
    sigattn.store_tile %g#0, %dk[%c0, %c0, %c0] : vector<64x64xf32>, memref<?x?x2x64xbf16>
    sigattn.store_tile %g#1, %dv[%c0, %c0, %c0] : vector<64x64xf32>, memref<?x?x2x64xbf16>
    gpu.return
  }
}
