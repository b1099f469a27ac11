// sigattn-outline-gpu-kernels: the grid becomes a kernel with the pointer
// ABI (q, k, v, out [, slopes], B, Nq, Nk, the strides of q, k, v, out) and
// a launch in its place.
// RUN: sigattn-opt %s -split-input-file -sigattn-tile="block-q=64 block-k=32" -sigattn-outline-gpu-kernels="num-warps=4" -canonicalize -cse | FileCheck %s
// RUN: not sigattn-opt %s -split-input-file -sigattn-tile -sigattn-outline-gpu-kernels="num-warps=33" 2>&1 | FileCheck %s --check-prefix=BAD

// BAD: error: sigattn-outline-gpu-kernels: num-warps=33 is out of range (0 for the default, or 1 .. 32)

// CHECK: module attributes {gpu.container_module}
// CHECK-LABEL: func.func @causal
//  CHECK-SAME:   (%[[Q:[^:]+]]: tensor<?x?x8x64xbf16>, %[[K:[^:]+]]: tensor<?x?x2x64xbf16>, %[[V:[^:]+]]: tensor<?x?x2x64xbf16>)
// The host reads q, k and v through buffers of any layout (a view of a
// packed tensor bufferizes to a cast, not a copy) ...
//   CHECK-DAG:   %[[QB:.+]] = bufferization.to_buffer %[[Q]] read_only : tensor<?x?x8x64xbf16> to memref<?x?x8x64xbf16, strided<[?, ?, ?, ?], offset: ?>>
//   CHECK-DAG:   %[[OUT:.+]] = memref.alloc
// ... and passes the address of its first element (aligned pointer + offset
// x 2 bytes) as the bare pointer, a descriptor cast to memref<bf16>; the
// output, offset 0 by its type, as its own pointer.
//       CHECK:   %[[QA:.+]] = memref.extract_aligned_pointer_as_index %[[QB]]
//       CHECK:   %{{[^,]+}}, %[[QOFF:[^,]+]], %[[QSIZES:[^,]+]], %[[QSTRIDES:[^:]+]]:4 = memref.extract_strided_metadata %[[QB]]
//       CHECK:   %[[QBYTES:.+]] = arith.muli %[[QOFF]], %c2
//       CHECK:   %[[QADDR:.+]] = arith.addi %[[QA]], %[[QBYTES]]
//       CHECK:   %[[QI64:.+]] = arith.index_cast %[[QADDR]] : index to i64
//       CHECK:   %[[QPTR:.+]] = llvm.inttoptr %[[QI64]] : i64 to !llvm.ptr
//       CHECK:   %[[QD0:.+]] = llvm.insertvalue %[[QPTR]], %{{.+}}[0]
//       CHECK:   %[[QD1:.+]] = llvm.insertvalue %[[QPTR]], %[[QD0]][1]
//       CHECK:   %[[QD2:.+]] = llvm.insertvalue %{{.+}}, %[[QD1]][2]
//       CHECK:   %[[QP:.+]] = builtin.unrealized_conversion_cast %[[QD2]] : !llvm.struct<(ptr, ptr, i64)> to memref<bf16>
//       CHECK:   %[[OP:.+]] = memref.reinterpret_cast %[[OUT]] to offset: [0], sizes: [], strides: [] : memref<?x?x8x64xbf16> to memref<bf16>
// The strides (batch, row, head) of each buffer, read off its layout, and
// what the kernel assumes of them and of the pointer asserted.
//       CHECK:   %[[QSB:.+]] = arith.index_cast %[[QSTRIDES]]#0 : index to i64
//       CHECK:   %[[QSN:.+]] = arith.index_cast %[[QSTRIDES]]#1 : index to i64
//       CHECK:   %[[QSH:.+]] = arith.index_cast %[[QSTRIDES]]#2 : index to i64
//       CHECK:   %[[QSD:.+]] = arith.index_cast %[[QSTRIDES]]#3 : index to i64
//       CHECK:   %[[UNIT:.+]] = arith.cmpi eq, %[[QSD]], %c1_i64
//       CHECK:   cf.assert %[[UNIT]], "sigattn launch: the query must have a contiguous last dimension (stride 1)"
//       CHECK:   %[[OR1:.+]] = arith.ori %[[QSB]], %[[QSN]]
//       CHECK:   %[[OR2:.+]] = arith.ori %[[OR1]], %[[QSH]]
//       CHECK:   arith.andi %[[OR2]], %c7_i64
//       CHECK:   arith.cmpi slt, %[[QSN]], %c2097152_i64
//       CHECK:   cf.assert %{{.+}}, "sigattn launch: the query strides (batch, row, head) must be multiples of 8 elements, not negative, rows less than 2^21 elements apart"
//       CHECK:   %[[QMIS:.+]] = arith.andi %[[QI64]], %c15_i64
//       CHECK:   %[[QALIGNED:.+]] = arith.cmpi eq, %[[QMIS]], %c0_i64
//       CHECK:   cf.assert %[[QALIGNED]], "sigattn launch: the query pointer is not 16-byte aligned"
// The output's contiguous layout leaves its last-dimension check folded away.
//   CHECK-NOT:   "sigattn launch: the output must have a contiguous last dimension
//       CHECK:   gpu.launch_func @sigattn_kernels::@causal_sigattn blocks in (%{{.+}}, %c8, %{{.+}}) threads in (%c128, %c1, %c1) dynamic_shared_memory_size %{{.+}} args(%[[QP]] : memref<bf16>, %{{.+}} : memref<bf16>, %{{.+}} : memref<bf16>, %[[OP]] : memref<bf16>, %{{.+}} : i64, %{{.+}} : i64, %{{.+}} : i64, %[[QSB]] : i64, %[[QSN]] : i64, %[[QSH]] : i64, %{{.+}} : i64, %{{.+}} : i64, %{{.+}} : i64, %{{.+}} : i64, %{{.+}} : i64, %{{.+}} : i64, %{{.+}} : i64, %c512_i64 : i64, %c64_i64 : i64)
//   CHECK-NOT:   scf.forall
//       CHECK: gpu.module @sigattn_kernels
//       CHECK:   gpu.func @causal_sigattn(%[[AQ:[^:]+]]: memref<bf16> {llvm.align = 16 : i64, llvm.noalias}, %{{[^:]+}}: memref<bf16> {llvm.align = 16 : i64, llvm.noalias}, %{{[^:]+}}: memref<bf16> {llvm.align = 16 : i64, llvm.noalias}, %{{[^:]+}}: memref<bf16> {llvm.align = 16 : i64, llvm.noalias}, %[[AB:[^:]+]]: i64, %[[ANQ:[^:]+]]: i64, %[[ANK:[^:]+]]: i64, %[[AQSB:[^:]+]]: i64, %[[AQSN:[^:]+]]: i64, %[[AQSH:[^:]+]]: i64, %{{[^:]+}}: i64, %{{[^:]+}}: i64, %{{[^:]+}}: i64, %{{[^:]+}}: i64, %{{[^:]+}}: i64, %{{[^:]+}}: i64, %{{[^:]+}}: i64, %{{[^:]+}}: i64, %{{[^:]+}}: i64) kernel attributes {known_block_size = array<i32: 128, 1, 1>}
//   CHECK-DAG:     %[[B:.+]] = arith.index_cast %[[AB]] : i64 to index
//   CHECK-DAG:     %[[NQ:.+]] = arith.index_cast %[[ANQ]] : i64 to index
//   CHECK-DAG:     %[[QSB:.+]] = arith.index_cast %[[AQSB]] : i64 to index
//   CHECK-DAG:     %[[QSN:.+]] = arith.index_cast %[[AQSN]] : i64 to index
//   CHECK-DAG:     %[[QSH:.+]] = arith.index_cast %[[AQSH]] : i64 to index
//       CHECK:     %[[QV:.+]] = memref.reinterpret_cast %[[AQ]] to offset: [0], sizes: [%[[B]], %[[NQ]], 8, 64], strides: [%[[QSB]], %[[QSN]], %[[QSH]], 1] : memref<bf16> to memref<?x?x8x64xbf16, strided<[?, ?, ?, 1]>>
// Causal: the blocks take the query tiles from the last (the heaviest
// first): tile = gridDim.x - 1 - blockIdx.x.
//       CHECK:     %[[BX:.+]] = gpu.block_id x
//  CHECK-NEXT:     %[[GX:.+]] = gpu.grid_dim x
//  CHECK-NEXT:     %[[LASTX:.+]] = arith.subi %[[GX]], %c1
//  CHECK-NEXT:     %[[TX:.+]] = arith.subi %[[LASTX]], %[[BX]]
//  CHECK-NEXT:     %[[BY:.+]] = gpu.block_id y
//  CHECK-NEXT:     %[[BZ:.+]] = gpu.block_id z
//       CHECK:     %[[Q0:.+]] = arith.muli %[[TX]], %c64
//       CHECK:     sigattn.load_tile %[[QV]][%[[BZ]], %[[Q0]], %[[BY]]]
//       CHECK:     scf.for
//       CHECK:       sigattn.tile_step
//       CHECK:     sigattn.store_tile
//       CHECK:     gpu.return
func.func @causal(%q: tensor<?x?x8x64xbf16>, %k: tensor<?x?x2x64xbf16>,
                  %v: tensor<?x?x2x64xbf16>) -> tensor<?x?x8x64xbf16> {
  %o = sigattn.attention %q, %k, %v causal
      : tensor<?x?x8x64xbf16>, tensor<?x?x2x64xbf16>, tensor<?x?x2x64xbf16>
      -> tensor<?x?x8x64xbf16>
  return %o : tensor<?x?x8x64xbf16>
}

// -----

// ALiBi: the slopes are the fifth pointer; a batched [B, Hq] view is rebuilt
// with the batch size. Reading them as tensor.extract (after canonicalize)
// goes back to a buffer read.
// CHECK-LABEL: func.func @alibi
//       CHECK:   gpu.launch_func @sigattn_kernels::@alibi_sigattn {{.*}} args({{.*}} : memref<f16>, %{{.+}} : memref<f32>, %{{[^:]+}} : i64, %{{[^:]+}} : i64, %{{[^:]+}} : i64, %{{[^:]+}} : i64, %{{[^:]+}} : i64, %{{[^:]+}} : i64, %{{[^:]+}} : i64, %{{[^:]+}} : i64, %{{[^:]+}} : i64, %{{[^:]+}} : i64, %{{[^:]+}} : i64, %{{[^:]+}} : i64, %{{[^:]+}} : i64, %{{[^:]+}} : i64, %{{[^:]+}} : i64)
//       CHECK:   gpu.func @alibi_sigattn({{.*}}, %[[S:[^:]+]]: memref<f32> {llvm.align = 16 : i64, llvm.noalias}, %[[AB:[^:]+]]: i64,
// No mask from above: every query tile sees the same keys, blockIdx.x order.
//   CHECK-NOT:     gpu.grid_dim
//       CHECK:     %[[B:.+]] = arith.index_cast %[[AB]] : i64 to index
//       CHECK:     %[[SV:.+]] = memref.reinterpret_cast %[[S]] to offset: [0], sizes: [%[[B]], 4], strides: [4, 1] : memref<f32> to memref<?x4xf32, strided<[4, 1]>>
//       CHECK:     %[[SLOPE:.+]] = memref.load %[[SV]]
//       CHECK:     sigattn.tile_step {{.*}} alibi(%[[SLOPE]])
func.func @alibi(%q: tensor<?x?x4x64xf16>, %k: tensor<?x?x4x64xf16>,
                 %v: tensor<?x?x4x64xf16>, %s: tensor<?x4xf32>) -> tensor<?x?x4x64xf16> {
  %o = sigattn.attention %q, %k, %v alibi(%s : tensor<?x4xf32>)
      : tensor<?x?x4x64xf16>, tensor<?x?x4x64xf16>, tensor<?x?x4x64xf16>
      -> tensor<?x?x4x64xf16>
  return %o : tensor<?x?x4x64xf16>
}
