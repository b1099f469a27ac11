// sigattn-tensor-map-params: the CUtensorMap arguments a kernel lists in
// sigattn.tensor_maps become by-value grid constants of 128 bytes, aligned
// to 64; the list is removed. Misplaced or wrong lists are errors.
// RUN: sigattn-opt %s -split-input-file -pass-pipeline="builtin.module(gpu.module(sigattn-tensor-map-params))" -verify-diagnostics | FileCheck %s

// CHECK-LABEL: llvm.func @k(
// CHECK-SAME: %arg0: i64,
// CHECK-SAME: %arg1: !llvm.ptr {llvm.align = 64 : i64, llvm.byval = !llvm.array<128 x i8>, nvvm.grid_constant},
// CHECK-SAME: %arg2: !llvm.ptr {llvm.align = 64 : i64, llvm.byval = !llvm.array<128 x i8>, nvvm.grid_constant})
// CHECK-NOT: sigattn.tensor_maps
gpu.module @m {
  llvm.func @k(%n: i64, %a: !llvm.ptr {llvm.align = 64 : i64}, %b: !llvm.ptr {llvm.align = 64 : i64}) attributes {nvvm.kernel, sigattn.tensor_maps = array<i64: 1, 2>} {
    llvm.return
  }
}

// -----

gpu.module @m {
  // expected-error @+1 {{sigattn-tensor-map-params: 'sigattn.tensor_maps' on something other than an llvm.func kernel (run after convert-gpu-to-nvvm)}}
  gpu.func @k(%a: !llvm.ptr) kernel attributes {sigattn.tensor_maps = array<i64: 0>} {
    gpu.return
  }
}

// -----

gpu.module @m {
  // expected-error @+1 {{sigattn-tensor-map-params: argument 0 named by 'sigattn.tensor_maps' is not an !llvm.ptr argument}}
  llvm.func @k(%n: i64) attributes {nvvm.kernel, sigattn.tensor_maps = array<i64: 0>} {
    llvm.return
  }
}

// -----

gpu.module @m {
  // expected-error @+1 {{sigattn-tensor-map-params: argument 3 named by 'sigattn.tensor_maps' is not an !llvm.ptr argument}}
  llvm.func @k(%a: !llvm.ptr) attributes {nvvm.kernel, sigattn.tensor_maps = array<i64: 3>} {
    llvm.return
  }
}
