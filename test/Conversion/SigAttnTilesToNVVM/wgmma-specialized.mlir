// Warp specialization (schedule=specialized, TMA loads only): the block has
// a producer warpgroup after the computing warps. The kernel splits once, at
// its first key/value range, into
//   the producer: setmaxnreg down to 24; one thread walks every range's
//     tiles in slot order, waits until the computing warps released the
//     tile's stage (its "empty" mbarrier) and issues the tile's TMA loads
//     on the stage's "full" mbarrier;
//   the computing warps: setmaxnreg up; wait for Q; per range, S of the
//     first tile, then a loop that issues S of tile t + 1 (committed, not
//     waited for) before the sigmoid and P.V of tile t, waits for both, and
//     releases t's stage; the last tile after the loop. No block barrier.
// D = 128, Dv = 64, Hq = 4, Hkv = 2, Bq = 64, Bk = 48, window (100, 3): three
// key/value ranges; a ring of 3 stages (slot % 3, phase slot / 3 % 2).
// RUN: sigattn-opt %s -sigattn-tile="block-q=64 block-k=48" -sigattn-peel-boundary-tiles -sigattn-outline-gpu-kernels="num-warps=4 mma=wgmma loads=tma schedule=specialized kv-stages=3" -convert-sigattn-tiles-to-nvvm="mma=wgmma" -canonicalize -cse | FileCheck %s
// With two stages the next tile's S is not issued early (it would wait for
// a load issued only when the tile before was released): one step per
// tile, S waited for at once, the stage released at its end.
// RUN: sigattn-opt %s -sigattn-tile="block-q=64 block-k=48" -sigattn-peel-boundary-tiles -sigattn-outline-gpu-kernels="num-warps=4 mma=wgmma loads=tma schedule=specialized kv-stages=2" -convert-sigattn-tiles-to-nvvm="mma=wgmma" -canonicalize -cse | FileCheck %s --check-prefix=TWO

// The launch: 4 computing warps and the producer's 4 (256 threads); the
// tiles, three stages and seven mbarriers: (64 x 128 + 3 x 48 x (128 + 64))
// x 2 + 7 x 8 bytes.
// CHECK-LABEL: func.func @window
// CHECK:   gpu.launch_func @sigattn_kernels::@window_sigattn {{.*}} threads in (%c256, %c1, %c1) dynamic_shared_memory_size %c71736_i32
// CHECK-SAME: block_threads = 256 : i64
// CHECK-SAME: kv_stages = 3 : i64
// CHECK-SAME: num_warps = 4 : i64, producer_warps = 4 : i64

// Two blocks per SM fit: 128 registers per thread at launch; the producer
// keeps 24, the computing warps take (256 x 128 - 128 x 24) / 128 = 232.
// CHECK: gpu.func @window_sigattn
// CHECK-SAME: known_block_size = array<i32: 256, 1, 1>
// CHECK-SAME: nvvm.maxnreg = 128 : i32, nvvm.minctasm = 2 : i32
// CHECK-SAME: sigattn.kv_stages = 3 : i64, sigattn.producer_warps = 4 : i64
// CHECK:   %[[TID:.+]] = arith.index_cast %thread_id_x : index to i32
// mbarriers after the tiles (byte 71680): Q's and the three stages' loads
// complete on one arrival; a stage's release takes all 128 computing
// threads.
// CHECK:   scf.if
// CHECK-COUNT-4: nvvm.mbarrier.init %{{.+}}, %c1_i32
// CHECK-COUNT-3: nvvm.mbarrier.init %{{.+}}, %c128_i32
// CHECK-NEXT:  nvvm.fence.mbarrier.init
// CHECK:   nvvm.barrier0
// Q by thread 0, waited for by the computing warps only (below).
// CHECK:   %[[QB:.+]] = llvm.getelementptr %{{.+}}[71680]
// CHECK:   nvvm.mbarrier.arrive.expect_tx %[[QB]], %c16384_i32
// CHECK-NOT: nvvm.mbarrier.try_wait
// CHECK:   %[[ISPRODUCER:.+]] = arith.cmpi sge, %[[TID]], %c128_i32 : i32
// CHECK-NEXT: scf.if %[[ISPRODUCER]] {
// CHECK-NEXT:  nvvm.setmaxregister  decrease 24
// CHECK-NEXT:  %[[ISSUER:.+]] = arith.cmpi eq, %[[TID]], %c128_i32 : i32
// CHECK-NEXT:  scf.if %[[ISSUER]] {
// First range: slot = tile - lo. The stage's empty mbarrier (index 4 +
// slot % 3) for parity (slot / 3 % 2) ^ 1: the release by the slot 3
// earlier, or, in the ring's first round, the phase before the first.
// CHECK-NEXT:    scf.for %[[KT:.+]] = %[[LO:.+]] to %[[HI:.+]] step %c1 {
// CHECK-NEXT:      %[[REL:.+]] = arith.subi %[[KT]], %[[LO]] : index
// CHECK-NEXT:      %[[SLOT:.+]] = arith.index_cast %[[REL]] : index to i32
// CHECK-NEXT:      %[[ROUND:.+]] = arith.divui %[[SLOT]], %c3_i32 : i32
// CHECK-NEXT:      %[[PHASE:.+]] = arith.andi %[[ROUND]], %c1_i32 : i32
// CHECK-NEXT:      %[[RELEASED:.+]] = arith.xori %[[PHASE]], %c1_i32 : i32
// CHECK-NEXT:      %[[STAGE:.+]] = arith.remui %[[SLOT]], %c3_i32 : i32
// CHECK-NEXT:      %[[EMPTY:.+]] = arith.addi %[[STAGE]], %c4_i32 : i32
// CHECK:           nvvm.mbarrier.try_wait.parity %{{.+}}, %[[RELEASED]]
// K's stage: 16384 + stage x 48 x 128 x 2; V's: 16384 + 3 x 12288 + stage x 48 x 64 x 2.
// CHECK:           arith.muli %[[STAGE]], %c12288_i32 : i32
// CHECK:           arith.muli %[[STAGE]], %c6144_i32 : i32
// CHECK:           %[[FULL:.+]] = arith.addi %[[STAGE]], %c1_i32 : i32
// CHECK:           nvvm.mbarrier.arrive.expect_tx %{{.+}}, %c18432_i32
// CHECK-COUNT-3:   nvvm.cp.async.bulk.tensor.shared.cluster.global
// CHECK-NEXT:    }
// The second range continues the slots: its tile kt is slot
// max(hi - lo, 0) + (kt - hi) (the third likewise).
// CHECK:         %[[N1:.+]] = arith.subi %[[HI]], %[[LO]] : index
// CHECK-NEXT:    %[[COUNT1:.+]] = arith.maxsi %[[N1]], %c0 : index
// CHECK-NEXT:    scf.for %[[KT2:.+]] = %[[HI]] to %[[HI2:.+]] step %c1 {
// CHECK-NEXT:      %[[REL2:.+]] = arith.subi %[[KT2]], %[[HI]] : index
// CHECK-NEXT:      %[[SLOT2:.+]] = arith.addi %[[COUNT1]], %[[REL2]] : index
// CHECK:           nvvm.mbarrier.try_wait.parity
// CHECK:         scf.for %{{.+}} = %[[HI2]] to
// CHECK:           nvvm.mbarrier.try_wait.parity
// CHECK:  } else {
// CHECK-NEXT:  nvvm.setmaxregister  increase 232
// CHECK-NEXT:  nvvm.mbarrier.try_wait.parity %[[QB]], %c0_i32
// First range: S of its first tile (slot 0: full mbarrier of stage 0,
// phase 0), waited for.
// CHECK:       %[[ANY:.+]] = arith.cmpi slt, %[[LO]], %[[HI]] : index
// CHECK-NEXT:  %[[S0:.+]]:24 = scf.if %[[ANY]]
// CHECK:         nvvm.mbarrier.try_wait.parity %{{.+}}, %c0_i32
// CHECK:         nvvm.wgmma.fence.aligned
// CHECK-COUNT-8: wgmma.mma_async.sync.aligned.m64n48k16
// CHECK:         nvvm.wgmma.commit.group.sync.aligned
// CHECK-NEXT:    nvvm.wgmma.wait.group.sync.aligned 0
// Tiles lo .. hi - 2: wait for slot + 1, issue its S (no wait), then this
// tile's sigmoid and P.V in two chunks, one wait for all, and the release
// of this tile's stage (its empty mbarrier, 4 + slot % 3).
// CHECK:       %[[LAST:.+]] = arith.subi %[[HI]], %c1 : index
// CHECK-NEXT:  scf.for %[[T:.+]] = %[[LO]] to %[[LAST]] step %c1
// CHECK:         %[[TREL:.+]] = arith.subi %[[T]], %[[LO]] : index
// CHECK-NEXT:    %[[NEXT:.+]] = arith.addi %[[TREL]], %c1 : index
// CHECK-NEXT:    %[[NSLOT:.+]] = arith.index_cast %[[NEXT]] : index to i32
// CHECK-NEXT:    %[[NROUND:.+]] = arith.divui %[[NSLOT]], %c3_i32 : i32
// CHECK-NEXT:    %[[NPHASE:.+]] = arith.andi %[[NROUND]], %c1_i32 : i32
// CHECK:         nvvm.mbarrier.try_wait.parity %{{.+}}, %[[NPHASE]]
// CHECK:         nvvm.wgmma.fence.aligned
// CHECK-COUNT-8: wgmma.mma_async.sync.aligned.m64n48k16
// CHECK:         nvvm.wgmma.commit.group.sync.aligned
// CHECK-NOT:     nvvm.wgmma.wait.group
// CHECK:         llvm.intr.tanh
// CHECK:         wgmma.mma_async.sync.aligned.m64n64k16
// CHECK:         nvvm.wgmma.commit.group.sync.aligned
// CHECK-NOT:     nvvm.wgmma.wait.group
// CHECK:         llvm.intr.tanh
// CHECK:         nvvm.wgmma.commit.group.sync.aligned
// CHECK-NEXT:    nvvm.wgmma.wait.group.sync.aligned 0
// CHECK:         arith.addi %{{.+}}, %c4_i32 : i32
// CHECK:         nvvm.mbarrier.arrive %{{.+}} : !llvm.ptr<3>
// CHECK-NEXT:    scf.yield
// The last tile, whose S the loop computed.
// CHECK:       scf.if %[[ANY]]
// CHECK:         llvm.intr.tanh
// CHECK:         nvvm.wgmma.wait.group.sync.aligned 0
// CHECK:         nvvm.mbarrier.arrive
// The second range's first S waits for slot max(hi - lo, 0), the same
// slot as the producer's.
// CHECK:       %[[CCOUNT1:.+]] = arith.maxsi %{{.+}}, %c0 : index
// CHECK:       scf.if
// CHECK-NEXT:    %[[CSLOT2:.+]] = arith.index_cast %[[CCOUNT1]] : index to i32
// CHECK-NEXT:    arith.divui %[[CSLOT2]], %c3_i32 : i32
// No block barrier among the computing warps, whose producer has left.
// CHECK-NOT:   nvvm.barrier0
// CHECK:       gpu.return

func.func @window(%q: tensor<?x?x4x128xbf16>, %k: tensor<?x?x2x128xbf16>, %v: tensor<?x?x2x64xbf16>) -> tensor<?x?x4x64xbf16> {
  %o = sigattn.attention %q, %k, %v bias = -2.0 {window = array<i64: 100, 3>} : tensor<?x?x4x128xbf16>, tensor<?x?x2x128xbf16>, tensor<?x?x2x64xbf16> -> tensor<?x?x4x64xbf16>
  return %o : tensor<?x?x4x64xbf16>
}

// TWO: nvvm.setmaxregister  increase 232
// TWO: scf.for
// TWO:   nvvm.mbarrier.try_wait.parity
// TWO-NOT: nvvm.barrier0
// TWO:   nvvm.wgmma.fence.aligned
// TWO-COUNT-8: wgmma.mma_async.sync.aligned.m64n48k16
// TWO:   nvvm.wgmma.commit.group.sync.aligned
// TWO-NEXT: nvvm.wgmma.wait.group.sync.aligned 0
// TWO:   llvm.intr.tanh
// TWO:   nvvm.mbarrier.arrive
// TWO-NEXT: scf.yield
