// TMA loads (loads=tma, wgmma only): the outline pass gives the kernel the
// CUtensorMaps of q, k and v after the sizes and encodes them on the host;
// convert-sigattn-tiles-to-nvvm loads every tile with cp.async.bulk.tensor
// into the 128-byte-swizzled column blocks wgmma's descriptors read,
// completing on mbarriers at the end of the dynamic shared memory.
// D = 128, Dv = 64, Hq = 4, Hkv = 2, Bq = 64, Bk = 48, window (100, 3): three
// key/value ranges.
// RUN: sigattn-opt %s -sigattn-tile="block-q=64 block-k=48" -sigattn-peel-boundary-tiles -sigattn-outline-gpu-kernels="num-warps=4 mma=wgmma loads=tma" -convert-sigattn-tiles-to-nvvm="mma=wgmma" -canonicalize -cse | FileCheck %s

// Host: one 64-byte aligned, 128-byte map per tensor, encoded from the
// buffer's base, sizes (B, N, H, dim) and strides (batch, row, head), box
// rows (64 for q, Bk for k and v) and element type (0: bf16), passed after
// B, Nq, Nk and the strides. The strides are read off the host's buffers
// (any layout until bufferization), and the encoder's status is asserted.
// CHECK:   func.func private @sigattn_encode_tensor_map(!llvm.ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64) -> i32
// CHECK-LABEL: func.func @window
// CHECK:   %[[QM:.+]] = llvm.alloca %{{.+}} x !llvm.array<16 x i64> {alignment = 64 : i64}
// CHECK:   call @sigattn_encode_tensor_map(%[[QM]], %{{.+}}, %{{.+}}, %{{.+}}, %c4_i64, %c128_i64, %{{.+}}, %{{.+}}, %{{.+}}, %c64_i64, %c0_i64)
// CHECK:   cf.assert %{{.+}}, "sigattn launch: sigattn_encode_tensor_map refused a tensor map
// CHECK:   %[[KM:.+]] = llvm.alloca
// CHECK:   call @sigattn_encode_tensor_map(%[[KM]], %{{.+}}, %{{.+}}, %{{.+}}, %c2_i64, %c128_i64, %{{.+}}, %{{.+}}, %{{.+}}, %c48_i64, %c0_i64)
// CHECK:   %[[VM:.+]] = llvm.alloca
// CHECK:   call @sigattn_encode_tensor_map(%[[VM]], %{{.+}}, %{{.+}}, %{{.+}}, %c2_i64, %c64_i64, %{{.+}}, %{{.+}}, %{{.+}}, %c48_i64, %c0_i64)
// The tiles, two stages and three mbarriers: (64 x 128 + 2 x 48 x (128 + 64)) x 2 + 24 bytes.
// CHECK:   gpu.launch_func @sigattn_kernels::@window_sigattn {{.*}} dynamic_shared_memory_size %c53272_i32 args({{.*}}, %[[QM]] : !llvm.ptr, %[[KM]] : !llvm.ptr, %[[VM]] : !llvm.ptr)
// CHECK-SAME: dynamic_shared_memory = 53272 : i64
// CHECK-SAME: loads = "tma"

// Kernel: the maps are the last three arguments.
// CHECK: gpu.func @window_sigattn({{.*}}, %[[Q:.+]]: !llvm.ptr {llvm.align = 64 : i64}, %[[K:.+]]: !llvm.ptr {llvm.align = 64 : i64}, %[[V:.+]]: !llvm.ptr {llvm.align = 64 : i64}) kernel
// CHECK-SAME: sigattn.tensor_maps = array<i64: 19, 20, 21>
// Thread 0 initialises the mbarriers of Q and the two stages (arrival
// count 1), then every thread passes a barrier before any waits on them.
// CHECK:     %[[T0:.+]] = arith.cmpi eq, %{{.+}}, %c0_i32 : i32
// CHECK:     scf.if %[[T0]] {
// CHECK:       nvvm.mbarrier.init %{{.+}}, %c1_i32
// CHECK:       nvvm.mbarrier.init %{{.+}}, %c1_i32
// CHECK:       nvvm.mbarrier.init %{{.+}}, %c1_i32
// CHECK-NEXT:  nvvm.fence.mbarrier.init
// CHECK:     nvvm.barrier0
// Q: 64 x 128 x 2 bytes expected, two boxes (columns 0 and 64) at shared
// bytes 0 and 8192 (the second column block), coordinates (column, head,
// row, batch); every thread waits for phase 0.
// CHECK:     %[[QB:.+]] = llvm.getelementptr %{{.+}}[53248]
// CHECK:     scf.if %[[T0]] {
// CHECK-NEXT:  nvvm.mbarrier.arrive.expect_tx %[[QB]], %c16384_i32
// CHECK:       nvvm.cp.async.bulk.tensor.shared.cluster.global %{{.+}}, %[[Q]], %[[QB]], box[%c0_i32, %[[HQ:.+]], %[[ROW:.+]], %[[B:.+]]]
// CHECK:       llvm.getelementptr %{{.+}}[8192]
// CHECK:       nvvm.cp.async.bulk.tensor.shared.cluster.global %{{.+}}, %[[Q]], %[[QB]], box[%c64_i32, %[[HQ]], %[[ROW]], %[[B]]]
// CHECK-NOT:   nvvm.cp.async.bulk.tensor
// CHECK:     }
// CHECK-NEXT: nvvm.mbarrier.try_wait.parity %[[QB]], %c0_i32
// The first range's first tile (slot 0) into stage 0: its mbarrier expects
// K's 48 x 128 and V's 48 x 64 elements: 2 boxes of K, 1 of V.
// CHECK:     scf.if
// CHECK:       scf.if %[[T0]] {
// CHECK-NEXT:    nvvm.mbarrier.arrive.expect_tx %{{.+}}, %c18432_i32
// CHECK-COUNT-2: nvvm.cp.async.bulk.tensor.shared.cluster.global %{{.+}}, %[[K]]
// V's stage 0 starts at byte 64 x 128 x 2 + 2 x 48 x 128 x 2.
// CHECK-NEXT:    llvm.getelementptr %{{.+}}[40960]
// CHECK-NEXT:    llvm.addrspacecast
// CHECK-NEXT:    nvvm.cp.async.bulk.tensor.shared.cluster.global %{{.+}}, %[[V]]
// Each step waits on its stage's mbarrier for phase (slot / 2) % 2, stage
// slot % 2, slot = tile - first tile of the range (+ the tiles of earlier
// ranges); then a barrier: every warp is done with slot - 1's stage
// before the next tile's loads reuse it.
// CHECK:     scf.for %[[KT:.+]] = %[[LO:.+]] to %[[HI:.+]] step
// CHECK:       %[[REL:.+]] = arith.subi %[[KT]], %[[LO]] : index
// CHECK:       %[[SLOT:.+]] = arith.index_cast %[[REL]] : index to i32
// CHECK:       %[[STAGE:.+]] = arith.andi %[[SLOT]], %c1_i32 : i32
// CHECK:       %[[HALF:.+]] = arith.shrui %[[SLOT]], %c1_i32 : i32
// CHECK:       %[[PHASE:.+]] = arith.andi %[[HALF]], %c1_i32 : i32
// CHECK:       %[[BAR:.+]] = arith.addi %[[STAGE]], %c1_i32 : i32
// CHECK:       nvvm.mbarrier.try_wait.parity %{{.+}}, %[[PHASE]]
// CHECK-NEXT:  nvvm.barrier0
// CHECK-NEXT:  scf.if
// CHECK:         nvvm.mbarrier.arrive.expect_tx %{{.+}}, %c18432_i32
// CHECK-COUNT-3: nvvm.cp.async.bulk.tensor.shared.cluster.global
// CHECK:       nvvm.wgmma.fence.aligned
// The second range continues the slots: its first slot is max(hi - lo, 0)
// of the first.
// CHECK:     %[[N:.+]] = arith.subi %[[HI]], %[[LO]] : index
// CHECK:     %[[COUNT:.+]] = arith.maxsi %[[N]], %c0 : index
// CHECK:     scf.for %[[KT2:.+]] = %[[HI]] to
// CHECK:       %[[REL2:.+]] = arith.subi %[[KT2]], %[[HI]] : index
// CHECK:       arith.addi %[[COUNT]], %[[REL2]] : index
// No cp.async anywhere.
// CHECK-NOT: nvvm.cp.async.shared.global
func.func @window(%q: tensor<?x?x4x128xbf16>, %k: tensor<?x?x2x128xbf16>, %v: tensor<?x?x2x64xbf16>) -> tensor<?x?x4x64xbf16> {
  %o = sigattn.attention %q, %k, %v bias = -2.0 {window = array<i64: 100, 3>} : tensor<?x?x4x128xbf16>, tensor<?x?x2x128xbf16>, tensor<?x?x2x64xbf16> -> tensor<?x?x4x64xbf16>
  return %o : tensor<?x?x4x64xbf16>
}
