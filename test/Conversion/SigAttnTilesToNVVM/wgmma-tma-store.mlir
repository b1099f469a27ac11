// TMA stores (stores=tma, loads=tma only): the outline pass gives the kernel
// a fourth CUtensorMap, out's, encoded on the host like q's (Hq heads, Dv
// columns, boxes of 64 rows); convert-sigattn-tiles-to-nvvm stages each
// warp's 16 rows of O with stmatrix where its warpgroup's rows of Q were,
// fences the async proxy, meets its warpgroup on named barrier 1 + g, and
// the warpgroup's first thread stores the warpgroup's 64 rows by TMA (rows
// past Nq dropped by the map) and waits until the boxes are read.
// D = Dv = 128, Hq = 4, Hkv = 2, Bq = 128 (two warpgroups), Bk = 64, causal.
// RUN: sigattn-opt %s -sigattn-tile="block-q=128 block-k=64" -sigattn-peel-boundary-tiles -sigattn-outline-gpu-kernels="num-warps=8 mma=wgmma loads=tma stores=tma" -convert-sigattn-tiles-to-nvvm="mma=wgmma" -canonicalize -cse | FileCheck %s
// stores=auto takes TMA stores here too; stores=direct keeps the threads'
// own stores and three maps.
// RUN: sigattn-opt %s -sigattn-tile="block-q=128 block-k=64" -sigattn-peel-boundary-tiles -sigattn-outline-gpu-kernels="num-warps=8 mma=wgmma loads=tma stores=auto" -convert-sigattn-tiles-to-nvvm="mma=wgmma" -canonicalize -cse | FileCheck %s
// RUN: sigattn-opt %s -sigattn-tile="block-q=128 block-k=64" -sigattn-peel-boundary-tiles -sigattn-outline-gpu-kernels="num-warps=8 mma=wgmma loads=tma stores=direct" -convert-sigattn-tiles-to-nvvm="mma=wgmma" -canonicalize -cse | FileCheck %s --check-prefix=DIRECT
// Errors, each naming the option: an unknown kind, TMA stores without TMA
// loads (outline pass and pipeline: mma=sync has no TMA loads); Dv > D in wgmma-tma-store-invalid.mlir.
// RUN: not sigattn-opt %s -sigattn-tile="block-q=128 block-k=64" -sigattn-outline-gpu-kernels="num-warps=8 mma=wgmma loads=tma stores=stmatrix" 2>&1 | FileCheck %s --check-prefix=KIND
// RUN: not sigattn-opt %s -sigattn-tile="block-q=128 block-k=64" -sigattn-outline-gpu-kernels="num-warps=8 mma=wgmma stores=tma" 2>&1 | FileCheck %s --check-prefix=LOADS
// RUN: not sigattn-opt %s --sigattn-gpu-pipeline="loads=cp.async stores=tma" 2>&1 | FileCheck %s --check-prefix=PIPELOADS
// RUN: not sigattn-opt %s --sigattn-gpu-pipeline="mma=sync stores=tma" 2>&1 | FileCheck %s --check-prefix=PIPESYNC
// RUN: not sigattn-opt %s --sigattn-gpu-pipeline="stores=smem" 2>&1 | FileCheck %s --check-prefix=PIPEKIND

// Host: out's map last, over the output buffer: Hq = 4 heads, Dv = 128,
// 64-row boxes, bf16.
// CHECK-LABEL: func.func @store
// CHECK-COUNT-3: call @sigattn_encode_tensor_map
// CHECK:   %[[OM:.+]] = llvm.alloca
// CHECK:   call @sigattn_encode_tensor_map(%[[OM]], %{{.+}}, %{{.+}}, %{{.+}}, %c4_i64, %c128_i64, %{{.+}}, %c{{[0-9]+}}_i64, %c{{[0-9]+}}_i64, %c64_i64, %c0_i64)
// CHECK:   gpu.launch_func @sigattn_kernels::@store_sigattn {{.*}} args({{.*}}, %[[OM]] : !llvm.ptr)
// CHECK-SAME: stores = "tma"
// Kernel: four maps, out's the last argument; the same shared memory as
// without TMA stores.
// CHECK: gpu.func @store_sigattn({{.*}}, %[[O:.+]]: !llvm.ptr {llvm.align = 64 : i64}) kernel
// CHECK-SAME: dynamic_shared_memory = 98328
// CHECK-SAME: sigattn.tensor_maps = array<i64: 19, 20, 21, 22>
// After the key/value loops: 8 stmatrix.x4 per warp (16 rows x 128
// columns), into Q's tile (column blocks of 128 rows x 128 bytes, 16384
// bytes apart), then the fence and one named barrier per warpgroup.
// CHECK-COUNT-8: nvvm.stmatrix %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}} {eltType = #nvvm.ld_st_matrix_elt_type<b16>, layout = #nvvm.mma_layout<row>, shape = #nvvm.ld_st_matrix_shape<m = 8, n = 8>}
// CHECK-NEXT: nvvm.fence.proxy {kind = #nvvm.proxy_kind<async.shared>, space = #nvvm.shared_space<cta>}
// CHECK:      %[[G:.+]] = arith.divui %{{.+}}, %c4_i32
// CHECK:      arith.cmpi eq, %[[G]], %c0_i32
// CHECK-NEXT: scf.if
// CHECK-NEXT:   nvvm.barrier id = %c1_i32 number_of_threads = %c128_i32
// CHECK:      arith.cmpi eq, %[[G]], %c1_i32
// CHECK-NEXT: scf.if
// CHECK-NEXT:   nvvm.barrier id = %c2_i32 number_of_threads = %c128_i32
// The warpgroup's first thread: rows from row_start + 64 g, boxes at
// columns 0 and 64 from its rows' offsets in the two column blocks.
// CHECK:      %[[FIRST:.+]] = arith.andi %{{.+}}, %c127_i32
// CHECK-NEXT: arith.cmpi eq, %[[FIRST]], %c0_i32
// CHECK-NEXT: scf.if
// CHECK:        %[[GROW:.+]] = arith.muli %[[G]], %c64_i32
// CHECK-NEXT:   %[[ROW:.+]] = arith.addi %{{.+}}, %[[GROW]]
// CHECK:        %[[BLOCK0:.+]] = arith.muli %[[G]], %c8192_i32
// CHECK:        nvvm.cp.async.bulk.tensor.global.shared.cta %[[O]], %{{.+}}, box[%c0_i32, %[[HEAD:.+]], %[[ROW]], %[[BATCH:.+]]]
// CHECK:        arith.addi %[[BLOCK0]], %c16384_i32
// CHECK:        nvvm.cp.async.bulk.tensor.global.shared.cta %[[O]], %{{.+}}, box[%c64_i32, %[[HEAD]], %[[ROW]], %[[BATCH]]]
// CHECK-NEXT:   nvvm.cp.async.bulk.commit.group
// CHECK-NEXT:   nvvm.cp.async.bulk.wait_group 0 {read}
// CHECK-NOT:  llvm.store
// CHECK:      gpu.return

// DIRECT: gpu.func @store_sigattn
// DIRECT-SAME: stores = "direct"
// DIRECT-SAME: sigattn.tensor_maps = array<i64: 19, 20, 21>
// DIRECT-NOT: nvvm.stmatrix
// DIRECT-NOT: nvvm.cp.async.bulk.tensor.global.shared.cta
// DIRECT: llvm.store
// DIRECT: gpu.return

// KIND: sigattn-outline-gpu-kernels: unknown stores='stmatrix' (expected direct, tma or auto)
// LOADS: sigattn-outline-gpu-kernels: stores=tma needs loads=tma
// PIPELOADS: stores=tma needs loads=tma
// PIPESYNC: stores=tma needs loads=tma
// PIPEKIND: stores='smem' is not supported (expected auto, direct or tma)

func.func @store(%q: tensor<?x?x4x128xbf16>, %k: tensor<?x?x2x128xbf16>,
                 %v: tensor<?x?x2x128xbf16>) -> tensor<?x?x4x128xbf16> {
  %o = sigattn.attention %q, %k, %v causal
      : tensor<?x?x4x128xbf16>, tensor<?x?x2x128xbf16>, tensor<?x?x2x128xbf16>
      -> tensor<?x?x4x128xbf16>
  return %o : tensor<?x?x4x128xbf16>
}

