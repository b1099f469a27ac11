// convert-sigattn-tiles-to-nvvm{mma=wgmma}: the same tile ops as mma=sync,
// lowered for Hopper. D = Dv = 64, Bq = 64 (one warpgroup), Bk = 64:
// per key/value tile S = Q.K^T is 4 wgmma.m64n64k16 from shared-memory
// descriptors (K-major), then P = sigmoid in registers, then O += P.V is 4
// wgmma.m64n64k16 with P's packed registers as A and V by an MN-major
// (transposed) descriptor, in two chunks; each batch is fenced and
// committed, and waited for at the end of S and of P.V.
// RUN: sigattn-opt %s -sigattn-tile="block-q=64 block-k=64" -sigattn-peel-boundary-tiles -sigattn-outline-gpu-kernels="num-warps=4" -convert-sigattn-tiles-to-nvvm="mma=wgmma" -canonicalize -cse | FileCheck %s

// The launch gets the same shared memory as mma=sync and a description that
// says wgmma.
// CHECK-LABEL: func.func @window
//       CHECK:   gpu.launch_func @sigattn_kernels::@window_sigattn {{.*}} threads in (%{{.+}}, %{{.+}}, %{{.+}}) dynamic_shared_memory_size
//  CHECK-SAME:     block_k = 64 : i64, block_q = 64 : i64, block_threads = 128 : i64, dynamic_shared_memory = 40960 : i64
//  CHECK-SAME:     mma = "wgmma"

// Descriptor fields: 128-byte swizzle (bit 62), stride byte offset 1024
// (64 << 32); leading byte offset 16 (1 << 16) for K-major operands and
// 64 rows x 128 bytes = 8192 (512 << 16) between V's column blocks.
// CHECK: gpu.func @window_sigattn
// CHECK-DAG: %[[MN:.+]] = arith.constant 4611686293338849280 : i64
// CHECK-DAG: %[[KM:.+]] = arith.constant 4611686293305360384 : i64
// CHECK:     %[[BASE:.+]] = llvm.ptrtoint %{{.+}} : !llvm.ptr<3> to i32

// Q lands through cp.async; the async proxy (wgmma) reads it only after each
// thread's fence and the barrier.
// CHECK:     nvvm.cp.async.commit.group
// CHECK:     nvvm.cp.async.wait.group 0
// CHECK-NEXT: nvvm.fence.proxy {kind = #nvvm.proxy_kind<async.shared>, space = #nvvm.shared_space<cta>}
// CHECK-NEXT: nvvm.barrier0

// The first (masked) loop.
// CHECK:     scf.for
// CHECK:       nvvm.cp.async.wait.group 0
// CHECK-NEXT:  nvvm.fence.proxy
// CHECK-NEXT:  nvvm.barrier0
// CHECK:       scf.if
// One descriptor per operand, Q's tied to the loop body so that its k-steps
// are not hoisted out of the loop; each k-step adds a constant to them.
// CHECK:       %[[QD:.+]] = arith.ori %{{.+}}, %[[KM]] : i64
// CHECK-NEXT:  llvm.inline_asm has_side_effects "", "=l,0" %[[QD]] : (i64) -> !llvm.struct<(i64)>
// CHECK:       arith.ori %{{.+}}, %[[KM]] : i64
// CHECK-NEXT:  nvvm.wgmma.fence.aligned
// The first wgmma of S ignores the old accumulators (scale-d = 0, no inputs
// tied to its outputs); the others accumulate.
// CHECK-NEXT:  llvm.inline_asm has_side_effects "{\0A.reg .pred p;\0Asetp.ne.b32 p, $34, 0;\0Awgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16 {$0, {{.*}}, $31}, $32, $33, p, 1, 1, 0, 0;\0A}", "=f,{{(=f,){31}()}}l,l,r" %{{.+}}, %{{.+}}, %c0_i32
// CHECK-COUNT-3: wgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16 {{.*}}, p, 1, 1, 0, 0;\0A}", "{{(=f,){32}()}}l,l,r,0,1,{{.*}},31"
// CHECK-NOT:   wgmma.mma_async
// CHECK:       nvvm.wgmma.commit.group.sync.aligned
// CHECK-NEXT:  nvvm.wgmma.wait.group.sync.aligned 0
// The results are tied to this point, after the wait.
// CHECK-NEXT:  llvm.inline_asm has_side_effects "", "{{(=f,){32}()}}0,1,
// P.V in two chunks of 32 keys: the second chunk's sigmoid runs while the
// tensor cores multiply the first. Chunk 1: sigmoid of n-tiles 0-3, P packed
// to bf16 pairs (8 registers) and O fixed before the fence, two wgmma,
// committed but not waited for.
// CHECK-COUNT-16: llvm.intr.tanh(%{{.+}}) {fastmathFlags = #llvm.fastmath<afn>} : (f32) -> f32
// CHECK:       arith.select %{{.+}}, %{{.+}}, %{{.+}} : f32
// CHECK:       llvm.inline_asm has_side_effects "", "{{(=r,){8}()}}0,1,
// CHECK:       llvm.inline_asm has_side_effects "", "{{(=f,){32}()}}0,1,
// CHECK:       arith.ori %{{.+}}, %[[MN]] : i64
// CHECK-NEXT:  nvvm.wgmma.fence.aligned
// CHECK-COUNT-2: wgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16 {$0, {{.*}}, $31}, {$32, $33, $34, $35}, $36, p, 1, 1, 1;\0A}", "{{(=f,){32}()}}r,r,r,r,l,r,0,1,
// CHECK-NOT:   wgmma.mma_async
// CHECK:       nvvm.wgmma.commit.group.sync.aligned
// CHECK-NOT:   nvvm.wgmma.wait.group
// Chunk 2: the other 16 sigmoids while chunk 1 is in flight; O goes from
// wgmma to wgmma untouched; then commit, wait, and O tied to the wait.
// CHECK-COUNT-16: llvm.intr.tanh
// CHECK:       llvm.inline_asm has_side_effects "", "{{(=r,){8}()}}0,1,
// CHECK-NOT:   "{{(=f,){32}()}}0,1,
// CHECK:       nvvm.wgmma.fence.aligned
// CHECK-COUNT-2: wgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16 {{.*}} p, 1, 1, 1;
// CHECK-NOT:   wgmma.mma_async
// CHECK:       nvvm.wgmma.commit.group.sync.aligned
// CHECK-NEXT:  nvvm.wgmma.wait.group.sync.aligned 0
// CHECK-NEXT:  llvm.inline_asm has_side_effects "", "{{(=f,){32}()}}0,1,
// CHECK:       scf.yield

// The interior loop has no element mask.
// CHECK:     scf.for
// CHECK-COUNT-32: llvm.intr.tanh
// CHECK-NOT:   arith.select %{{.+}}, %{{.+}}, %{{.+}} : f32
// CHECK:       scf.yield

// O: written once, in the m16n8 accumulator layout of mma=sync.
// CHECK-COUNT-16: llvm.store %{{.+}}, %{{.+}} {alignment = 4 : i64} : i32, !llvm.ptr<1>
// CHECK-NOT: sigattn.

func.func @window(%q: tensor<?x?x4x64xbf16>, %k: tensor<?x?x2x64xbf16>,
                  %v: tensor<?x?x2x64xbf16>) -> tensor<?x?x4x64xbf16> {
  %o = sigattn.attention %q, %k, %v window = [100, 3] bias = -2.0
      : tensor<?x?x4x64xbf16>, tensor<?x?x2x64xbf16>, tensor<?x?x2x64xbf16> -> tensor<?x?x4x64xbf16>
  return %o : tensor<?x?x4x64xbf16>
}
