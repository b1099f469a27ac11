// convert-sigattn-tiles-to-nvvm{mma=sync}: Q into shared memory once, then
// per key/value tile cp.async copies, ldmatrix, 32 + 32 mma.sync m16n8k16
// (D = Dv = 64, Bk = 64, 16 rows per warp), the sigmoid as tanh.approx, and
// element masks only in the boundary loops.
// RUN: sigattn-opt %s -sigattn-tile="block-q=64 block-k=64" -sigattn-peel-boundary-tiles -sigattn-outline-gpu-kernels="num-warps=4" -convert-sigattn-tiles-to-nvvm -canonicalize -cse | FileCheck %s

// Host: the launch gets the shared memory of the Q tile and two stages of K
// and V tiles ((64 x 64 + 2 x 64 x 128) x 2 bytes) and the kernel's
// description.
// CHECK-LABEL: func.func @window
//       CHECK:   %[[SMEM:.+]] = arith.constant 40960 : i32
//       CHECK:   gpu.launch_func @sigattn_kernels::@window_sigattn {{.*}} dynamic_shared_memory_size %[[SMEM]]
//  CHECK-SAME:     sigattn.kernel = {abi_version = 3 : i64, alibi = "none", batch = -1 : i64, bias = -2.000000e+00 : f32, block_k = 64 : i64, block_q = 64 : i64, block_threads = 128 : i64, dynamic_shared_memory = 40960 : i64, element_type = "bf16", head_dim = 64 : i64, kind = "attention", kv_stages = 2 : i64, loads = "cp.async", mma = "sync", name = "window_sigattn", num_kv_heads = 2 : i64, num_query_heads = 4 : i64, num_warps = 4 : i64, producer_warps = 0 : i64, scale = 1.250000e-01 : f32, seq_k = -1 : i64, seq_q = -1 : i64, stores = "direct", value_dim = 64 : i64, window_left = 100 : i64, window_right = 3 : i64}

// CHECK: gpu.module @sigattn_kernels
// CHECK:   llvm.mlir.global external @sigattn_smem() {addr_space = 3 : i32, alignment = 1024 : i64} : !llvm.array<0 x i8>
// CHECK:   gpu.func @window_sigattn
// CHECK-NOT: sigattn.load_tile
// Q: 64 x 64 bf16 = 512 chunks of 16 bytes, 4 per thread, zero-filled past Nq.
// CHECK-COUNT-4: nvvm.cp.async.shared.global %{{.+}}, %{{.+}}, 16, cache = cg, %{{.+}} : !llvm.ptr<3>, !llvm.ptr<1>, i32
// CHECK:         nvvm.cp.async.commit.group
// CHECK:         nvvm.cp.async.wait.group 0
// CHECK:         nvvm.barrier0

// Before each loop, the first tile's K and V (4 + 4 chunks per thread) in one
// group.
// CHECK:         scf.if
// CHECK-COUNT-8:   nvvm.cp.async.shared.global
// CHECK:           nvvm.cp.async.commit.group

// First loop: the tiles that cross the window's left edge, masked. One
// barrier per tile: after it, the next tile loads into the other stage.
// CHECK:         scf.for
// CHECK:           nvvm.cp.async.wait.group 0
// CHECK-NEXT:      nvvm.barrier0
// CHECK:           scf.if
// CHECK-COUNT-8:     nvvm.cp.async.shared.global
// CHECK:             nvvm.cp.async.commit.group
// CHECK-NOT:       nvvm.barrier0
// CHECK-COUNT-32:  nvvm.mma.sync {{.*}}multiplicandAPtxType = #nvvm.mma_type<bf16>, multiplicandBPtxType = #nvvm.mma_type<bf16>, shape = #nvvm.shape<m = 16, n = 8, k = 16>
// CHECK:           llvm.intr.tanh(%{{.+}}) {fastmathFlags = #llvm.fastmath<afn>} : (f32) -> f32
// CHECK:           arith.select %{{.+}}, %{{.+}}, %{{.+}} : f32
// CHECK:           nvvm.ldmatrix {{.*}}layout = #nvvm.mma_layout<col>
// CHECK-NOT:       nvvm.barrier0
// CHECK-COUNT-32:  nvvm.mma.sync
// CHECK-NOT:       nvvm.barrier0
// CHECK:           scf.yield %

// Interior loop: no element mask.
// CHECK:         scf.for
// CHECK-COUNT-32:  llvm.intr.tanh
// CHECK-NOT:       arith.select %{{.+}}, %{{.+}}, %{{.+}} : f32
// CHECK:           scf.yield %

// Last loop: the diagonal and the end of the keys, masked.
// CHECK:         scf.for
// CHECK:           arith.select %{{.+}}, %{{.+}}, %{{.+}} : f32
// CHECK:           scf.yield %

// O: rows past Nq are skipped; pairs packed to bf16 and stored as 32 bits.
// CHECK:         scf.if
// CHECK:           arith.truncf %{{.+}} : vector<2xf32> to vector<2xbf16>
// CHECK:           llvm.store %{{.+}}, %{{.+}} {alignment = 4 : i64} : i32, !llvm.ptr<1>
// CHECK-NOT:     sigattn.
// CHECK:         gpu.return
func.func @window(%q: tensor<?x?x4x64xbf16>, %k: tensor<?x?x2x64xbf16>,
                  %v: tensor<?x?x2x64xbf16>) -> tensor<?x?x4x64xbf16> {
  %o = sigattn.attention %q, %k, %v window = [100, 3] bias = -2.0
      : tensor<?x?x4x64xbf16>, tensor<?x?x2x64xbf16>, tensor<?x?x2x64xbf16>
      -> tensor<?x?x4x64xbf16>
  return %o : tensor<?x?x4x64xbf16>
}
