// What the TMA step of the Hopper generation (docs/HopperPlan.md) builds on,
// checked against this toolchain (MLIR 22): a kernel written as an llvm.func
// with `nvvm.kernel` takes CUtensorMaps by value as grid constants
// (`.param .align 64 .b8 [128]`, addressed with cvta.param, no local copy),
// initialises an mbarrier in the dynamic shared region, issues a 4-D TMA
// tile load into it (destination cast to the cluster shared space) and
// waits on the phase. A gpu.func cannot carry the argument attributes:
// convert-gpu-to-nvvm drops llvm.byval, and nvvm.grid_constant is rejected.
// RUN: mlir-opt %s -split-input-file --gpu-lower-to-nvvm-pipeline="cubin-chip=sm_90a cubin-features=+ptx80 cubin-format=isa" -verify-diagnostics | FileCheck %s

// CHECK: gpu.binary @tma [#gpu.object<#nvvm.target<chip = "sm_90a", features = "+ptx80">
// CHECK-SAME: .param .align 64 .b8 tma_kernel_param_0[128]
// CHECK-SAME: cvta.param.u64
// CHECK-SAME: mbarrier.init.shared.b64
// CHECK-SAME: mbarrier.arrive.expect_tx.shared.b64
// CHECK-SAME: cvta.to.shared::cluster.u64
// CHECK-SAME: cp.async.bulk.tensor.4d.shared::cluster.global.tile.mbarrier::complete_tx::bytes
// CHECK-SAME: mbarrier.try_wait.parity.shared.b64
// CHECK-NOT: __local_depot
module attributes {gpu.container_module} {
  gpu.module @tma {
    llvm.mlir.global external @smem() {addr_space = 3 : i32, alignment = 1024 : i64} : !llvm.array<0 x i8>
    llvm.func @tma_kernel(
        %map: !llvm.ptr {llvm.byval = !llvm.array<128 x i8>, llvm.align = 64 : i64, nvvm.grid_constant},
        %c0: i32, %c1: i32, %c2: i32, %c3: i32) attributes {nvvm.kernel} {
      %zero = llvm.mlir.constant(0 : i32) : i32
      %one = llvm.mlir.constant(1 : i32) : i32
      %bytes = llvm.mlir.constant(8192 : i32) : i32
      %ticks = llvm.mlir.constant(10000000 : i32) : i32
      %smem = llvm.mlir.addressof @smem : !llvm.ptr<3>
      %mbar = llvm.getelementptr %smem[8192] : (!llvm.ptr<3>) -> !llvm.ptr<3>, i8
      %tid = nvvm.read.ptx.sreg.tid.x : i32
      %first = llvm.icmp "eq" %tid, %zero : i32
      llvm.cond_br %first, ^init, ^sync
    ^init:
      nvvm.mbarrier.init %mbar, %one : !llvm.ptr<3>, i32
      nvvm.fence.mbarrier.init
      llvm.br ^sync
    ^sync:
      nvvm.barrier0
      llvm.cond_br %first, ^issue, ^wait
    ^issue:
      nvvm.mbarrier.arrive.expect_tx %mbar, %bytes : !llvm.ptr<3>, i32
      %dst = llvm.addrspacecast %smem : !llvm.ptr<3> to !llvm.ptr<7>
      nvvm.cp.async.bulk.tensor.shared.cluster.global %dst, %map, %mbar, box[%c0, %c1, %c2, %c3] : !llvm.ptr<7>, !llvm.ptr
      llvm.br ^wait
    ^wait:
      nvvm.mbarrier.try_wait.parity %mbar, %zero, %ticks : !llvm.ptr<3>, i32, i32
      llvm.return
    }
  }
}

// -----

module attributes {gpu.container_module} {
  gpu.module @rejected {
    // expected-error @+1 {{'"nvvm.grid_constant"' attribute must be present only on kernel arguments}}
    gpu.func @k(%map: !llvm.ptr {nvvm.grid_constant}) kernel {
      gpu.return
    }
  }
}
