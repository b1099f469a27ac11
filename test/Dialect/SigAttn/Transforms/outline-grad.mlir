// sigattn-outline-gpu-kernels outlines the two grids of sigattn.attention_grad
// with the ABI of their kinds (docs/KernelABI.md, "Backward kernels"): the
// dk/dv kernel takes q, k, v, dO, dk, dv (18 strides), the dq kernel q, k,
// v, dO, dq (15 strides); TMA kernels take one map per input. The host
// launches dk/dv first, over (key tiles, kv heads, batches), then dq, over
// (query tiles, query heads, batches); each kernel names its partner. The
// GPU pipeline compiles both (test/Target/PTX/grad-ptx.mlir).
// RUN: sigattn-opt %s -split-input-file -sigattn-tile="block-q=64 block-k=64" -sigattn-peel-boundary-tiles -canonicalize -cse -sigattn-outline-gpu-kernels="mma=wgmma loads=tma" -canonicalize | FileCheck %s
// RUN: sigattn-opt %s -split-input-file -verify-diagnostics -sigattn-gpu-pipeline
// RUN: sigattn-opt %s -split-input-file -verify-diagnostics -sigattn-gpu-pipeline=mma=sync
// RUN: not sigattn-opt %s -split-input-file -sigattn-tile -sigattn-outline-gpu-kernels="mma=wgmma loads=tma stores=tma" 2>&1 | FileCheck %s --check-prefix=STORES
// RUN: not sigattn-opt %s -split-input-file -sigattn-tile="dq=reduce" -sigattn-outline-gpu-kernels 2>&1 | FileCheck %s --check-prefix=REDUCE

// STORES: error: 'scf.forall' op sigattn-outline-gpu-kernels: stores=tma is not supported for the backward kernels yet (kind attention_grad_kv): use stores=direct or auto
// REDUCE: error: 'sigattn.grad_kv_step' op sigattn-outline-gpu-kernels: the dq partial sums of sigattn-tile{dq=reduce} have no GPU kernel lowering yet; tile with dq=separate

// CHECK-LABEL: func.func @gqa_causal
//       CHECK:   gpu.launch_func @sigattn_kernels::@gqa_causal_sigattn_grad_kv blocks in (%{{[^,]+}}, %c2{{[_0-9]*}}, %{{[^)]+}}) threads in (%c128{{[_0-9]*}}, %c1{{[_0-9]*}}, %c1{{[_0-9]*}})
//  CHECK-SAME:     args(%{{[^:]+}} : memref<bf16>, %{{[^:]+}} : memref<bf16>, %{{[^:]+}} : memref<bf16>, %{{[^:]+}} : memref<bf16>, %{{[^:]+}} : memref<bf16>, %{{[^:]+}} : memref<bf16>, %{{[^:]+}} : i64, %{{[^:]+}} : i64, %{{[^:]+}} : i64,
//  CHECK-SAME:     : !llvm.ptr, %{{[^:]+}} : !llvm.ptr, %{{[^:]+}} : !llvm.ptr, %{{[^:]+}} : !llvm.ptr)
//       CHECK:   gpu.launch_func @sigattn_kernels::@gqa_causal_sigattn_grad_q blocks in (%{{[^,]+}}, %c4{{[_0-9]*}}, %{{[^)]+}}) threads in (%c128{{[_0-9]*}}, %c1{{[_0-9]*}}, %c1{{[_0-9]*}})
//  CHECK-SAME:     args(%{{[^:]+}} : memref<bf16>, %{{[^:]+}} : memref<bf16>, %{{[^:]+}} : memref<bf16>, %{{[^:]+}} : memref<bf16>, %{{[^:]+}} : memref<bf16>, %{{[^:]+}} : i64, %{{[^:]+}} : i64, %{{[^:]+}} : i64,

// The dk/dv kernel: 6 pointers, B, Nq, Nk, 18 strides, 4 maps (q, k, v, dO
// at 27 .. 30). Causal key tiles get lighter as they go: ascending order.
//       CHECK: gpu.func @gqa_causal_sigattn_grad_kv(%{{[^:]+}}: memref<bf16> {llvm.align = 16 : i64, llvm.noalias}, %{{[^:]+}}: memref<bf16> {llvm.align = 16 : i64, llvm.noalias}, %{{[^:]+}}: memref<bf16> {llvm.align = 16 : i64, llvm.noalias}, %{{[^:]+}}: memref<bf16> {llvm.align = 16 : i64, llvm.noalias}, %{{[^:]+}}: memref<bf16> {llvm.align = 16 : i64, llvm.noalias}, %{{[^:]+}}: memref<bf16> {llvm.align = 16 : i64, llvm.noalias}, %arg6: i64,
//  CHECK-SAME:   %arg26: i64, %arg27: !llvm.ptr {llvm.align = 64 : i64}, %arg28: !llvm.ptr {llvm.align = 64 : i64}, %arg29: !llvm.ptr {llvm.align = 64 : i64}, %arg30: !llvm.ptr {llvm.align = 64 : i64})
//  CHECK-SAME:   sigattn.partner = "gqa_causal_sigattn_grad_q", sigattn.tensor_maps = array<i64: 27, 28, 29, 30>
//   CHECK-NOT:   gpu.grid_dim
//       CHECK:   %[[KT:.+]] = arith.muli %block_id_x, %c64
//       CHECK:   sigattn.load_tile %{{.+}}[%block_id_z, %[[KT]], %block_id_y] : {{.+}} -> vector<64x64xbf16>
//       CHECK:   sigattn.load_tile %{{.+}}[%block_id_z, %[[KT]], %block_id_y] : {{.+}} -> vector<64x64xbf16>
//       CHECK:   sigattn.grad_kv_step
//       CHECK:   sigattn.store_tile %{{.+}}#0, %{{.+}}[%block_id_z, %[[KT]], %block_id_y]
//       CHECK:   sigattn.store_tile %{{.+}}#1, %{{.+}}[%block_id_z, %[[KT]], %block_id_y]

// The dq kernel: 5 pointers, 15 strides, 4 maps; causal query tiles get
// heavier as they go: the last first.
//       CHECK: gpu.func @gqa_causal_sigattn_grad_q(
//  CHECK-SAME:   %arg22: i64, %arg23: !llvm.ptr {llvm.align = 64 : i64}, %arg24: !llvm.ptr {llvm.align = 64 : i64}, %arg25: !llvm.ptr {llvm.align = 64 : i64}, %arg26: !llvm.ptr {llvm.align = 64 : i64})
//  CHECK-SAME:   sigattn.partner = "gqa_causal_sigattn_grad_kv", sigattn.tensor_maps = array<i64: 23, 24, 25, 26>
//       CHECK:   gpu.grid_dim  x
//       CHECK:   arith.subi %{{.+}}, %block_id_x
//       CHECK:   sigattn.grad_q_step

func.func @gqa_causal(%q: tensor<?x?x4x64xbf16>, %k: tensor<?x?x2x64xbf16>,
                      %v: tensor<?x?x2x64xbf16>, %do: tensor<?x?x4x64xbf16>)
    -> (tensor<?x?x4x64xbf16>, tensor<?x?x2x64xbf16>, tensor<?x?x2x64xbf16>) {
  %dq, %dk, %dv = sigattn.attention_grad %q, %k, %v, %do causal
      : tensor<?x?x4x64xbf16>, tensor<?x?x2x64xbf16>, tensor<?x?x2x64xbf16>,
        tensor<?x?x4x64xbf16>
      -> tensor<?x?x4x64xbf16>, tensor<?x?x2x64xbf16>, tensor<?x?x2x64xbf16>
  return %dq, %dk, %dv : tensor<?x?x4x64xbf16>, tensor<?x?x2x64xbf16>, tensor<?x?x2x64xbf16>
}

// -----

// One query head per kv head: the dk/dv grid has no group loop; both
// kernels compile.
// CHECK-LABEL: func.func @mha
//       CHECK:   gpu.launch_func @sigattn_kernels::@mha_sigattn_grad_kv
//       CHECK:   gpu.launch_func @sigattn_kernels::@mha_sigattn_grad_q
func.func @mha(%q: tensor<1x64x2x64xbf16>, %k: tensor<1x64x2x64xbf16>,
               %v: tensor<1x64x2x64xbf16>, %do: tensor<1x64x2x64xbf16>)
    -> (tensor<1x64x2x64xbf16>, tensor<1x64x2x64xbf16>, tensor<1x64x2x64xbf16>) {
  %dq, %dk, %dv = sigattn.attention_grad %q, %k, %v, %do
      : tensor<1x64x2x64xbf16>, tensor<1x64x2x64xbf16>, tensor<1x64x2x64xbf16>,
        tensor<1x64x2x64xbf16>
      -> tensor<1x64x2x64xbf16>, tensor<1x64x2x64xbf16>, tensor<1x64x2x64xbf16>
  return %dq, %dk, %dv : tensor<1x64x2x64xbf16>, tensor<1x64x2x64xbf16>, tensor<1x64x2x64xbf16>
}
