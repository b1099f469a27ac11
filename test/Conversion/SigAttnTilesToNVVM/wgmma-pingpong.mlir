// Turns (pingpong=true) in a warp-specialized kernel with two computing
// warpgroups (block-q = 128, 8 computing warps, 3 stages). Warpgroup g's
// turn is named barrier 1 + g (256 threads: its own bar.sync and the other
// group's bar.arrive); ids are constants, one branch per group.
//   start: group 1 arrives on barrier 1, so group 0 has the first turn;
//   each range: the first tile's S in a turn, waited, sigmoid, packed;
//     then per tile, in the turn: S(t + 1) and P.V(t), each committed, the
//     turn passed on (group 0 -> barrier 2, group 1 -> barrier 1); then
//     wait_group 1 (S(t + 1) done), its sigmoid (tanh) while P.V(t) runs,
//     wait_group 0, t's stage released, P(t + 1) packed after the wait;
//     the last tile's P.V in a turn;
//   end: group 0 takes group 1's last arrival on barrier 1, so that every
//     named barrier is complete when the block exits.
// RUN: sigattn-opt %s -sigattn-tile="block-q=128 block-k=64 mma=wgmma" -sigattn-peel-boundary-tiles -sigattn-outline-gpu-kernels="num-warps=8 mma=wgmma loads=tma schedule=specialized kv-stages=3" -convert-sigattn-tiles-to-nvvm="mma=wgmma pingpong=true" -canonicalize -cse | FileCheck %s
// With one computing warpgroup the loop is the same, with no turns.
// RUN: sigattn-opt %s -sigattn-tile="block-q=64 block-k=64 mma=wgmma" -sigattn-peel-boundary-tiles -sigattn-outline-gpu-kernels="num-warps=4 mma=wgmma loads=tma schedule=specialized kv-stages=3" -convert-sigattn-tiles-to-nvvm="mma=wgmma pingpong=true" -canonicalize -cse | FileCheck %s --check-prefix=ONE
// With two stages there is no overlapped loop, so no turns either.
// RUN: sigattn-opt %s -sigattn-tile="block-q=128 block-k=64 mma=wgmma" -sigattn-peel-boundary-tiles -sigattn-outline-gpu-kernels="num-warps=8 mma=wgmma loads=tma schedule=specialized kv-stages=2" -convert-sigattn-tiles-to-nvvm="mma=wgmma pingpong=true" -canonicalize -cse | FileCheck %s --check-prefix=TWO
// The PTX assembles, with three barriers (0 and the two turns).
// RUN: sigattn-opt %s --sigattn-gpu-pipeline="schedule=specialized block-q=128 block-k=64 num-warps=8 kv-stages=3 pingpong=true ptx-output=%t.ptx" -o /dev/null
// RUN: %if ptxas %{ %ptxas -arch=sm_90a -v %t.ptx -o /dev/null 2>&1 | FileCheck %s --check-prefix=PTXAS %}

// CHECK-LABEL: gpu.func @full_sigattn
// CHECK:       } else {
// CHECK-NEXT:    nvvm.setmaxregister  increase 240
// CHECK-NEXT:    nvvm.mbarrier.try_wait.parity
// CHECK-NEXT:    %[[G:.+]] = arith.divui %{{.+}}, %c4_i32 : i32
// CHECK-NEXT:    %[[G1:.+]] = arith.cmpi eq, %[[G]], %c1_i32 : i32
// CHECK-NEXT:    scf.if %[[G1]] {
// CHECK-NEXT:      nvvm.barrier.arrive id = %c1_i32 number_of_threads = %c256_i32
// CHECK-NEXT:    }
// The first tile's S, in a turn.
// CHECK:         %[[P0:.+]]:16 = scf.if
// CHECK:           nvvm.mbarrier.try_wait.parity
// CHECK:           %[[G0:.+]] = arith.cmpi eq, %[[G]], %c0_i32 : i32
// CHECK-NEXT:      scf.if %[[G0]] {
// CHECK-NEXT:        nvvm.barrier id = %c1_i32 number_of_threads = %c256_i32
// CHECK-NEXT:      }
// CHECK-NEXT:      scf.if %[[G1]] {
// CHECK-NEXT:        nvvm.barrier id = %c2_i32 number_of_threads = %c256_i32
// CHECK-NEXT:      }
// CHECK:           nvvm.wgmma.fence.aligned
// CHECK-COUNT-8:   wgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16 {{.*}}, $32, $33, p, 1, 1, 0, 0;
// CHECK:           nvvm.wgmma.commit.group.sync.aligned
// CHECK-NEXT:      scf.if %[[G0]] {
// CHECK-NEXT:        nvvm.barrier.arrive id = %c2_i32 number_of_threads = %c256_i32
// CHECK-NEXT:      }
// CHECK-NEXT:      scf.if %[[G1]] {
// CHECK-NEXT:        nvvm.barrier.arrive id = %c1_i32 number_of_threads = %c256_i32
// CHECK-NEXT:      }
// CHECK-NEXT:      nvvm.wgmma.wait.group.sync.aligned 0
// CHECK:           llvm.intr.tanh
// CHECK:           scf.yield {{.*}} : i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32
// The loop: P(t) carried packed (16 i32), S(t + 1) and P.V(t) in one turn.
// CHECK:         scf.for {{.*}} iter_args({{.*}}%{{.+}} = %[[P0]]#0,
// CHECK:           nvvm.mbarrier.try_wait.parity
// CHECK:           scf.if %{{.+}} {
// CHECK-NEXT:        nvvm.barrier id = %c1_i32 number_of_threads = %c256_i32
// CHECK:           nvvm.wgmma.fence.aligned
// CHECK-COUNT-8:   wgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16 {{.*}}, $32, $33, p, 1, 1, 0, 0;
// CHECK:           nvvm.wgmma.commit.group.sync.aligned
// CHECK-NOT:       nvvm.wgmma.wait.group
// CHECK-NOT:       llvm.intr.tanh
// CHECK:           nvvm.wgmma.fence.aligned
// CHECK-COUNT-4:   wgmma.mma_async.sync.aligned.m64n128k16.f32.bf16.bf16 {{.*}}, {$64, $65, $66, $67}, $68, p, 1, 1, 1;
// CHECK:           nvvm.wgmma.commit.group.sync.aligned
// CHECK-NEXT:      scf.if %{{.+}} {
// CHECK-NEXT:        nvvm.barrier.arrive id = %c2_i32 number_of_threads = %c256_i32
// CHECK-NEXT:      }
// CHECK-NEXT:      scf.if %{{.+}} {
// CHECK-NEXT:        nvvm.barrier.arrive id = %c1_i32 number_of_threads = %c256_i32
// CHECK-NEXT:      }
// CHECK-NEXT:      nvvm.wgmma.wait.group.sync.aligned 1
// CHECK-NOT:       nvvm.wgmma.wait.group
// CHECK:           llvm.intr.tanh
// CHECK-NOT:       arith.truncf
// CHECK:           nvvm.wgmma.wait.group.sync.aligned 0
// CHECK:           nvvm.mbarrier.arrive
// CHECK:           scf.yield
// The last tile's P.V, in a turn.
// CHECK:         scf.if
// CHECK:           nvvm.barrier id = %c1_i32 number_of_threads = %c256_i32
// CHECK:           wgmma.mma_async.sync.aligned.m64n128k16
// CHECK:           nvvm.wgmma.commit.group.sync.aligned
// CHECK-NEXT:      scf.if
// CHECK-NEXT:        nvvm.barrier.arrive id = %c2_i32 number_of_threads = %c256_i32
// CHECK:           nvvm.wgmma.wait.group.sync.aligned 0
// CHECK:           nvvm.mbarrier.arrive
// The second range (the masked tile past the last full one) the same way.
// CHECK:         scf.for
// CHECK:           nvvm.wgmma.wait.group.sync.aligned 1
// CHECK:           nvvm.wgmma.wait.group.sync.aligned 0
// CHECK:           nvvm.barrier id = %c1_i32 number_of_threads = %c256_i32
// CHECK:           nvvm.wgmma.wait.group.sync.aligned 0
// CHECK:           nvvm.mbarrier.arrive
// The end: group 0 takes the last arrival, then O is stored.
// CHECK:         } else {
// CHECK-NEXT:      scf.yield
// CHECK-NEXT:    }
// CHECK-NEXT:    %[[FIRST:.+]] = arith.cmpi eq, %[[G]], %c0_i32 : i32
// CHECK-NEXT:    scf.if %[[FIRST]] {
// CHECK-NEXT:      nvvm.barrier id = %c1_i32 number_of_threads = %c256_i32
// CHECK-NEXT:    }
// CHECK-NOT:     nvvm.barrier
// CHECK:         llvm.store
// CHECK:         gpu.return

// ONE-LABEL: gpu.func @full_sigattn
// ONE-NOT:   nvvm.barrier id
// ONE-NOT:   nvvm.barrier.arrive
// ONE:       scf.for
// ONE:         nvvm.wgmma.commit.group.sync.aligned
// ONE:         wgmma.mma_async.sync.aligned.m64n128k16
// ONE:         nvvm.wgmma.commit.group.sync.aligned
// ONE-NEXT:    nvvm.wgmma.wait.group.sync.aligned 1
// ONE:         llvm.intr.tanh
// ONE:         nvvm.wgmma.wait.group.sync.aligned 0
// ONE-NOT:   nvvm.barrier id
// ONE:       gpu.return

// TWO-LABEL: gpu.func @full_sigattn
// TWO-NOT:   nvvm.barrier id
// TWO-NOT:   nvvm.barrier.arrive
// TWO-NOT:   nvvm.wgmma.wait.group.sync.aligned 1
// TWO:       gpu.return

// PTXAS-NOT: C75
// PTXAS:     0 bytes spill stores, 0 bytes spill loads
// PTXAS:     Used {{[0-9]+}} registers, used 3 barriers

func.func @full(%q: tensor<?x?x4x128xbf16>, %k: tensor<?x?x4x128xbf16>, %v: tensor<?x?x4x128xbf16>) -> tensor<?x?x4x128xbf16> {
  %o = sigattn.attention %q, %k, %v bias = -2.0 : tensor<?x?x4x128xbf16>, tensor<?x?x4x128xbf16>, tensor<?x?x4x128xbf16> -> tensor<?x?x4x128xbf16>
  return %o : tensor<?x?x4x128xbf16>
}
