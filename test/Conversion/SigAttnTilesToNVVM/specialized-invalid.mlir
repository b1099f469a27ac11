// The warp-specialized schedule's kernel attributes (set by
// sigattn-outline-gpu-kernels{schedule=specialized}) are checked before
// anything is lowered, and what lies between its key/value ranges must move
// before the first: one error each, at the op at fault. A kernel whose ops
// between ranges are pure index arithmetic is lowered (the last case).
// RUN: sigattn-opt %s -split-input-file -verify-diagnostics -convert-sigattn-tiles-to-nvvm="mma=wgmma"

gpu.module @sigattn_kernels {
  // expected-error @+1 {{'sigattn.producer_warps' must be 4 (one producer warpgroup) with computing warps before it}}
  gpu.func @producer_of_two(%q: memref<?x?x2x64xbf16>, %k: memref<?x?x2x64xbf16>, %v: memref<?x?x2x64xbf16>, %o: memref<?x?x2x64xbf16>, %n: index, %m0: !llvm.ptr, %m1: !llvm.ptr, %m2: !llvm.ptr) kernel attributes {known_block_size = array<i32: 192, 1, 1>, sigattn.producer_warps = 2 : i64, sigattn.tensor_maps = array<i64: 5, 6, 7>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %cst = arith.constant dense<0.0> : vector<64x64xf32>
    %t = sigattn.load_tile %q[%c0, %c0, %c0] : memref<?x?x2x64xbf16> -> vector<64x64xbf16>
    %a = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %cst) -> (vector<64x64xf32>) {
      %s = sigattn.tile_step %t, %k, %v, %acc[%c0, %c0, %c0, %i] seq_q = %n block_k = 64 window = [-1, -1] scale = 1.0 bias = 0.0 : vector<64x64xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x64xbf16>, vector<64x64xf32>
      scf.yield %s : vector<64x64xf32>
    }
    %n2 = arith.addi %n, %c1 : index
    %b = scf.for %i = %n to %n2 step %c1 iter_args(%acc = %a) -> (vector<64x64xf32>) {
      %s = sigattn.tile_step %t, %k, %v, %acc[%c0, %c0, %c0, %i] seq_q = %n masked block_k = 64 window = [-1, -1] scale = 1.0 bias = 0.0 : vector<64x64xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x64xbf16>, vector<64x64xf32>
      scf.yield %s : vector<64x64xf32>
    }
    sigattn.store_tile %b, %o[%c0, %c0, %c0] : vector<64x64xf32>, memref<?x?x2x64xbf16>
    gpu.return
  }
}

// -----

gpu.module @sigattn_kernels {
  // expected-error @+1 {{'sigattn.producer_warps' must be 4 (one producer warpgroup) with computing warps before it}}
  gpu.func @producer_only(%q: memref<?x?x2x64xbf16>, %k: memref<?x?x2x64xbf16>, %v: memref<?x?x2x64xbf16>, %o: memref<?x?x2x64xbf16>, %n: index, %m0: !llvm.ptr, %m1: !llvm.ptr, %m2: !llvm.ptr) kernel attributes {known_block_size = array<i32: 128, 1, 1>, sigattn.producer_warps = 4 : i64, sigattn.tensor_maps = array<i64: 5, 6, 7>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %cst = arith.constant dense<0.0> : vector<64x64xf32>
    %t = sigattn.load_tile %q[%c0, %c0, %c0] : memref<?x?x2x64xbf16> -> vector<64x64xbf16>
    %a = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %cst) -> (vector<64x64xf32>) {
      %s = sigattn.tile_step %t, %k, %v, %acc[%c0, %c0, %c0, %i] seq_q = %n block_k = 64 window = [-1, -1] scale = 1.0 bias = 0.0 : vector<64x64xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x64xbf16>, vector<64x64xf32>
      scf.yield %s : vector<64x64xf32>
    }
    %n2 = arith.addi %n, %c1 : index
    %b = scf.for %i = %n to %n2 step %c1 iter_args(%acc = %a) -> (vector<64x64xf32>) {
      %s = sigattn.tile_step %t, %k, %v, %acc[%c0, %c0, %c0, %i] seq_q = %n masked block_k = 64 window = [-1, -1] scale = 1.0 bias = 0.0 : vector<64x64xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x64xbf16>, vector<64x64xf32>
      scf.yield %s : vector<64x64xf32>
    }
    sigattn.store_tile %b, %o[%c0, %c0, %c0] : vector<64x64xf32>, memref<?x?x2x64xbf16>
    gpu.return
  }
}

// -----

gpu.module @sigattn_kernels {
  // expected-error @+1 {{schedule=specialized needs loads=tma (the producer issues TMA loads)}}
  gpu.func @producer_without_tma(%q: memref<?x?x2x64xbf16>, %k: memref<?x?x2x64xbf16>, %v: memref<?x?x2x64xbf16>, %o: memref<?x?x2x64xbf16>, %n: index, %m0: !llvm.ptr, %m1: !llvm.ptr, %m2: !llvm.ptr) kernel attributes {known_block_size = array<i32: 256, 1, 1>, sigattn.producer_warps = 4 : i64} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %cst = arith.constant dense<0.0> : vector<64x64xf32>
    %t = sigattn.load_tile %q[%c0, %c0, %c0] : memref<?x?x2x64xbf16> -> vector<64x64xbf16>
    %a = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %cst) -> (vector<64x64xf32>) {
      %s = sigattn.tile_step %t, %k, %v, %acc[%c0, %c0, %c0, %i] seq_q = %n block_k = 64 window = [-1, -1] scale = 1.0 bias = 0.0 : vector<64x64xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x64xbf16>, vector<64x64xf32>
      scf.yield %s : vector<64x64xf32>
    }
    %n2 = arith.addi %n, %c1 : index
    %b = scf.for %i = %n to %n2 step %c1 iter_args(%acc = %a) -> (vector<64x64xf32>) {
      %s = sigattn.tile_step %t, %k, %v, %acc[%c0, %c0, %c0, %i] seq_q = %n masked block_k = 64 window = [-1, -1] scale = 1.0 bias = 0.0 : vector<64x64xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x64xbf16>, vector<64x64xf32>
      scf.yield %s : vector<64x64xf32>
    }
    sigattn.store_tile %b, %o[%c0, %c0, %c0] : vector<64x64xf32>, memref<?x?x2x64xbf16>
    gpu.return
  }
}

// -----

gpu.module @sigattn_kernels {
  // expected-error @+1 {{kv-stages=3 needs schedule=specialized}}
  gpu.func @three_stages_cooperative(%q: memref<?x?x2x64xbf16>, %k: memref<?x?x2x64xbf16>, %v: memref<?x?x2x64xbf16>, %o: memref<?x?x2x64xbf16>, %n: index, %m0: !llvm.ptr, %m1: !llvm.ptr, %m2: !llvm.ptr) kernel attributes {known_block_size = array<i32: 128, 1, 1>, sigattn.kv_stages = 3 : i64, sigattn.tensor_maps = array<i64: 5, 6, 7>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %cst = arith.constant dense<0.0> : vector<64x64xf32>
    %t = sigattn.load_tile %q[%c0, %c0, %c0] : memref<?x?x2x64xbf16> -> vector<64x64xbf16>
    %a = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %cst) -> (vector<64x64xf32>) {
      %s = sigattn.tile_step %t, %k, %v, %acc[%c0, %c0, %c0, %i] seq_q = %n block_k = 64 window = [-1, -1] scale = 1.0 bias = 0.0 : vector<64x64xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x64xbf16>, vector<64x64xf32>
      scf.yield %s : vector<64x64xf32>
    }
    %n2 = arith.addi %n, %c1 : index
    %b = scf.for %i = %n to %n2 step %c1 iter_args(%acc = %a) -> (vector<64x64xf32>) {
      %s = sigattn.tile_step %t, %k, %v, %acc[%c0, %c0, %c0, %i] seq_q = %n masked block_k = 64 window = [-1, -1] scale = 1.0 bias = 0.0 : vector<64x64xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x64xbf16>, vector<64x64xf32>
      scf.yield %s : vector<64x64xf32>
    }
    sigattn.store_tile %b, %o[%c0, %c0, %c0] : vector<64x64xf32>, memref<?x?x2x64xbf16>
    gpu.return
  }
}

// -----

gpu.module @sigattn_kernels {
  // expected-error @+1 {{'sigattn.kv_stages' = 5 is out of range (2 .. 4)}}
  gpu.func @five_stages(%q: memref<?x?x2x64xbf16>, %k: memref<?x?x2x64xbf16>, %v: memref<?x?x2x64xbf16>, %o: memref<?x?x2x64xbf16>, %n: index, %m0: !llvm.ptr, %m1: !llvm.ptr, %m2: !llvm.ptr) kernel attributes {known_block_size = array<i32: 256, 1, 1>, sigattn.producer_warps = 4 : i64, sigattn.kv_stages = 5 : i64, sigattn.tensor_maps = array<i64: 5, 6, 7>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %cst = arith.constant dense<0.0> : vector<64x64xf32>
    %t = sigattn.load_tile %q[%c0, %c0, %c0] : memref<?x?x2x64xbf16> -> vector<64x64xbf16>
    %a = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %cst) -> (vector<64x64xf32>) {
      %s = sigattn.tile_step %t, %k, %v, %acc[%c0, %c0, %c0, %i] seq_q = %n block_k = 64 window = [-1, -1] scale = 1.0 bias = 0.0 : vector<64x64xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x64xbf16>, vector<64x64xf32>
      scf.yield %s : vector<64x64xf32>
    }
    %n2 = arith.addi %n, %c1 : index
    %b = scf.for %i = %n to %n2 step %c1 iter_args(%acc = %a) -> (vector<64x64xf32>) {
      %s = sigattn.tile_step %t, %k, %v, %acc[%c0, %c0, %c0, %i] seq_q = %n masked block_k = 64 window = [-1, -1] scale = 1.0 bias = 0.0 : vector<64x64xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x64xbf16>, vector<64x64xf32>
      scf.yield %s : vector<64x64xf32>
    }
    sigattn.store_tile %b, %o[%c0, %c0, %c0] : vector<64x64xf32>, memref<?x?x2x64xbf16>
    gpu.return
  }
}

// -----

gpu.module @sigattn_kernels {
  // expected-error @+1 {{'sigattn.kv_stages' = 0 is out of range (2 .. 4)}}
  gpu.func @zero_stages(%q: memref<?x?x2x64xbf16>, %k: memref<?x?x2x64xbf16>, %v: memref<?x?x2x64xbf16>, %o: memref<?x?x2x64xbf16>, %n: index, %m0: !llvm.ptr, %m1: !llvm.ptr, %m2: !llvm.ptr) kernel attributes {known_block_size = array<i32: 256, 1, 1>, sigattn.producer_warps = 4 : i64, sigattn.kv_stages = 0 : i64, sigattn.tensor_maps = array<i64: 5, 6, 7>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %cst = arith.constant dense<0.0> : vector<64x64xf32>
    %t = sigattn.load_tile %q[%c0, %c0, %c0] : memref<?x?x2x64xbf16> -> vector<64x64xbf16>
    %a = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %cst) -> (vector<64x64xf32>) {
      %s = sigattn.tile_step %t, %k, %v, %acc[%c0, %c0, %c0, %i] seq_q = %n block_k = 64 window = [-1, -1] scale = 1.0 bias = 0.0 : vector<64x64xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x64xbf16>, vector<64x64xf32>
      scf.yield %s : vector<64x64xf32>
    }
    %n2 = arith.addi %n, %c1 : index
    %b = scf.for %i = %n to %n2 step %c1 iter_args(%acc = %a) -> (vector<64x64xf32>) {
      %s = sigattn.tile_step %t, %k, %v, %acc[%c0, %c0, %c0, %i] seq_q = %n masked block_k = 64 window = [-1, -1] scale = 1.0 bias = 0.0 : vector<64x64xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x64xbf16>, vector<64x64xf32>
      scf.yield %s : vector<64x64xf32>
    }
    sigattn.store_tile %b, %o[%c0, %c0, %c0] : vector<64x64xf32>, memref<?x?x2x64xbf16>
    gpu.return
  }
}

// -----

gpu.module @sigattn_kernels {
  // expected-error @+1 {{'sigattn.kv_stages' must be an i64 integer}}
  gpu.func @string_stages(%q: memref<?x?x2x64xbf16>, %k: memref<?x?x2x64xbf16>, %v: memref<?x?x2x64xbf16>, %o: memref<?x?x2x64xbf16>, %n: index, %m0: !llvm.ptr, %m1: !llvm.ptr, %m2: !llvm.ptr) kernel attributes {known_block_size = array<i32: 256, 1, 1>, sigattn.producer_warps = 4 : i64, sigattn.kv_stages = "3", sigattn.tensor_maps = array<i64: 5, 6, 7>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %cst = arith.constant dense<0.0> : vector<64x64xf32>
    %t = sigattn.load_tile %q[%c0, %c0, %c0] : memref<?x?x2x64xbf16> -> vector<64x64xbf16>
    %a = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %cst) -> (vector<64x64xf32>) {
      %s = sigattn.tile_step %t, %k, %v, %acc[%c0, %c0, %c0, %i] seq_q = %n block_k = 64 window = [-1, -1] scale = 1.0 bias = 0.0 : vector<64x64xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x64xbf16>, vector<64x64xf32>
      scf.yield %s : vector<64x64xf32>
    }
    %n2 = arith.addi %n, %c1 : index
    %b = scf.for %i = %n to %n2 step %c1 iter_args(%acc = %a) -> (vector<64x64xf32>) {
      %s = sigattn.tile_step %t, %k, %v, %acc[%c0, %c0, %c0, %i] seq_q = %n masked block_k = 64 window = [-1, -1] scale = 1.0 bias = 0.0 : vector<64x64xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x64xbf16>, vector<64x64xf32>
      scf.yield %s : vector<64x64xf32>
    }
    sigattn.store_tile %b, %o[%c0, %c0, %c0] : vector<64x64xf32>, memref<?x?x2x64xbf16>
    gpu.return
  }
}

// -----

gpu.module @sigattn_kernels {
  // expected-error @+1 {{'sigattn.producer_warps' must be an i64 integer}}
  gpu.func @unsigned_producer(%q: memref<?x?x2x64xbf16>, %k: memref<?x?x2x64xbf16>, %v: memref<?x?x2x64xbf16>, %o: memref<?x?x2x64xbf16>, %n: index, %m0: !llvm.ptr, %m1: !llvm.ptr, %m2: !llvm.ptr) kernel attributes {known_block_size = array<i32: 256, 1, 1>, sigattn.producer_warps = 4 : ui64, sigattn.tensor_maps = array<i64: 5, 6, 7>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %cst = arith.constant dense<0.0> : vector<64x64xf32>
    %t = sigattn.load_tile %q[%c0, %c0, %c0] : memref<?x?x2x64xbf16> -> vector<64x64xbf16>
    %a = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %cst) -> (vector<64x64xf32>) {
      %s = sigattn.tile_step %t, %k, %v, %acc[%c0, %c0, %c0, %i] seq_q = %n block_k = 64 window = [-1, -1] scale = 1.0 bias = 0.0 : vector<64x64xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x64xbf16>, vector<64x64xf32>
      scf.yield %s : vector<64x64xf32>
    }
    %n2 = arith.addi %n, %c1 : index
    %b = scf.for %i = %n to %n2 step %c1 iter_args(%acc = %a) -> (vector<64x64xf32>) {
      %s = sigattn.tile_step %t, %k, %v, %acc[%c0, %c0, %c0, %i] seq_q = %n masked block_k = 64 window = [-1, -1] scale = 1.0 bias = 0.0 : vector<64x64xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x64xbf16>, vector<64x64xf32>
      scf.yield %s : vector<64x64xf32>
    }
    sigattn.store_tile %b, %o[%c0, %c0, %c0] : vector<64x64xf32>, memref<?x?x2x64xbf16>
    gpu.return
  }
}

// -----

gpu.module @sigattn_kernels {
  
  gpu.func @barrier_between_ranges(%q: memref<?x?x2x64xbf16>, %k: memref<?x?x2x64xbf16>, %v: memref<?x?x2x64xbf16>, %o: memref<?x?x2x64xbf16>, %n: index, %m0: !llvm.ptr, %m1: !llvm.ptr, %m2: !llvm.ptr) kernel attributes {known_block_size = array<i32: 256, 1, 1>, sigattn.producer_warps = 4 : i64, sigattn.kv_stages = 3 : i64, sigattn.tensor_maps = array<i64: 5, 6, 7>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %cst = arith.constant dense<0.0> : vector<64x64xf32>
    %t = sigattn.load_tile %q[%c0, %c0, %c0] : memref<?x?x2x64xbf16> -> vector<64x64xbf16>
    %a = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %cst) -> (vector<64x64xf32>) {
      %s = sigattn.tile_step %t, %k, %v, %acc[%c0, %c0, %c0, %i] seq_q = %n block_k = 64 window = [-1, -1] scale = 1.0 bias = 0.0 : vector<64x64xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x64xbf16>, vector<64x64xf32>
      scf.yield %s : vector<64x64xf32>
    }
    %n2 = arith.addi %n, %c1 : index
    // expected-error @+1 {{schedule=specialized moves what lies between the key/value ranges before the first one, and this op cannot move}}
    gpu.barrier
    %b = scf.for %i = %n to %n2 step %c1 iter_args(%acc = %a) -> (vector<64x64xf32>) {
      %s = sigattn.tile_step %t, %k, %v, %acc[%c0, %c0, %c0, %i] seq_q = %n masked block_k = 64 window = [-1, -1] scale = 1.0 bias = 0.0 : vector<64x64xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x64xbf16>, vector<64x64xf32>
      scf.yield %s : vector<64x64xf32>
    }
    sigattn.store_tile %b, %o[%c0, %c0, %c0] : vector<64x64xf32>, memref<?x?x2x64xbf16>
    gpu.return
  }
}

// -----

gpu.module @sigattn_kernels {
  
  gpu.func @lowered(%q: memref<?x?x2x64xbf16>, %k: memref<?x?x2x64xbf16>, %v: memref<?x?x2x64xbf16>, %o: memref<?x?x2x64xbf16>, %n: index, %m0: !llvm.ptr, %m1: !llvm.ptr, %m2: !llvm.ptr) kernel attributes {known_block_size = array<i32: 256, 1, 1>, sigattn.producer_warps = 4 : i64, sigattn.kv_stages = 3 : i64, sigattn.tensor_maps = array<i64: 5, 6, 7>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %cst = arith.constant dense<0.0> : vector<64x64xf32>
    %t = sigattn.load_tile %q[%c0, %c0, %c0] : memref<?x?x2x64xbf16> -> vector<64x64xbf16>
    %a = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %cst) -> (vector<64x64xf32>) {
      %s = sigattn.tile_step %t, %k, %v, %acc[%c0, %c0, %c0, %i] seq_q = %n block_k = 64 window = [-1, -1] scale = 1.0 bias = 0.0 : vector<64x64xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x64xbf16>, vector<64x64xf32>
      scf.yield %s : vector<64x64xf32>
    }
    %n2 = arith.addi %n, %c1 : index
    %b = scf.for %i = %n to %n2 step %c1 iter_args(%acc = %a) -> (vector<64x64xf32>) {
      %s = sigattn.tile_step %t, %k, %v, %acc[%c0, %c0, %c0, %i] seq_q = %n masked block_k = 64 window = [-1, -1] scale = 1.0 bias = 0.0 : vector<64x64xbf16>, memref<?x?x2x64xbf16>, memref<?x?x2x64xbf16>, vector<64x64xf32>
      scf.yield %s : vector<64x64xf32>
    }
    sigattn.store_tile %b, %o[%c0, %c0, %c0] : vector<64x64xf32>, memref<?x?x2x64xbf16>
    gpu.return
  }
}
