// The PTX of a causal bf16 kernel: the instructions we promise, and no
// reduction, no exp, no libdevice call. Its JSON description. mma.sync first,
// then the default for sm_90a, wgmma with TMA loads.
// RUN: sigattn-opt %s --sigattn-gpu-pipeline="mma=sync ptx-output=%t.ptx" -o /dev/null
// RUN: FileCheck %s --input-file=%t.ptx --implicit-check-not=ex2 --implicit-check-not=__nv_ --implicit-check-not=shfl --implicit-check-not="{{[[:space:]](red|atom)\.}}" --implicit-check-not=.local
// RUN: FileCheck %s --input-file=%t.ptx.json --check-prefix=JSON
// RUN: sigattn-opt %s --sigattn-gpu-pipeline="ptx-output=%t.wg.ptx" -o /dev/null
// RUN: FileCheck %s --input-file=%t.wg.ptx --check-prefix=WG --implicit-check-not=ex2 --implicit-check-not=__nv_ --implicit-check-not=shfl --implicit-check-not="{{[[:space:]](red|atom)\.}}" --implicit-check-not=.local --implicit-check-not=ldmatrix --implicit-check-not=mma.sync --implicit-check-not=cp.async.cg --implicit-check-not=st.global
// RUN: FileCheck %s --input-file=%t.wg.ptx.json --check-prefix=WGJSON
// Warp-specialized (schedule=specialized): 8 computing warps and a producer
// warpgroup, 168 registers per thread at launch, redistributed by
// setmaxnreg (24 for the producer, 240 for the computing warps: 128 x 24 +
// 256 x 240 = 384 x 168); a ring of 3 stages and 7 mbarriers.
// RUN: sigattn-opt %s --sigattn-gpu-pipeline="schedule=specialized ptx-output=%t.ws.ptx" -o /dev/null
// RUN: FileCheck %s --input-file=%t.ws.ptx --check-prefix=WS --implicit-check-not=ex2 --implicit-check-not=__nv_ --implicit-check-not=shfl --implicit-check-not="{{[[:space:]](red|atom)\.}}" --implicit-check-not=.local --implicit-check-not=cp.async.cg
// RUN: FileCheck %s --input-file=%t.ws.ptx.json --check-prefix=WSJSON

// WG: .visible .entry attention_sigattn(
// The tensor maps of q, k, v and out (TMA stores): by-value grid constants
// after B, Nq, Nk and the 12 strides, read in place (cvta.param), never
// copied to local memory.
// WG: .param .u64 attention_sigattn_param_18,
// WG-NEXT: .param .align 64 .b8 attention_sigattn_param_19[128],
// WG-NEXT: .param .align 64 .b8 attention_sigattn_param_20[128],
// WG-NEXT: .param .align 64 .b8 attention_sigattn_param_21[128],
// WG-NEXT: .param .align 64 .b8 attention_sigattn_param_22[128]
// WG: .maxntid 256, 1, 1
// WG-DAG: cvta.param.u64
// WG-DAG: mbarrier.init.shared.b64
// WG-DAG: fence.mbarrier_init.release.cluster
// WG-DAG: mbarrier.arrive.expect_tx.shared.b64
// WG-DAG: cp.async.bulk.tensor.4d.shared::cluster.global.tile.mbarrier::complete_tx::bytes
// WG-DAG: mbarrier.try_wait.parity.shared.b64
// WG-DAG: wgmma.fence.sync.aligned
// WG-DAG: wgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16 {{.*}}, p, 1, 1, 0, 0;
// WG-DAG: wgmma.mma_async.sync.aligned.m64n128k16.f32.bf16.bf16 {{.*}}, {{[{]}}%r{{[0-9]+}}, %r{{[0-9]+}}, %r{{[0-9]+}}, %r{{[0-9]+}}}, %rd{{[0-9]+}}, p, 1, 1, 1;
// WG-DAG: wgmma.commit_group.sync.aligned
// WG-DAG: wgmma.wait_group.sync.aligned
// WG-DAG: tanh.approx.f32
// WG-DAG: cvt.rn.bf16x2.f32
// O: stmatrix into shared memory, a proxy fence, each warpgroup's named
// barrier, then TMA stores (no st.global), waited for before the exit.
// WG-DAG: stmatrix.sync.aligned.m8n8.x4.shared.b16
// WG-DAG: fence.proxy.async.shared::cta
// WG-DAG: bar.sync {{[0-9]+}}, 128;
// WG-DAG: cp.async.bulk.tensor.4d.global.shared::cta.tile.bulk_group
// WG-DAG: cp.async.bulk.commit_group
// WG-DAG: cp.async.bulk.wait_group.read 0
// WG: ret;

// WS: .maxntid 384, 1, 1
// WS-NEXT: .minnctapersm 1
// WS-NEXT: .maxnreg 168
// WS-COUNT-4: mbarrier.init.shared.b64 [sigattn_smem+{{[0-9]+}}], [[ONE:%r[0-9]+]];
// WS-COUNT-3: mbarrier.init.shared.b64 [sigattn_smem+{{[0-9]+}}], [[ALL:%r[0-9]+]];
// WS: setmaxnreg.dec.sync.aligned.u32 24;
// WS: mbarrier.try_wait.parity.shared.b64
// WS: cp.async.bulk.tensor.4d.shared::cluster.global.tile.mbarrier::complete_tx::bytes
// WS: setmaxnreg.inc.sync.aligned.u32 240;
// WS: wgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16
// WS: tanh.approx.f32
// WS: wgmma.wait_group.sync.aligned 0;
// WS: mbarrier.arrive.shared.b64
// WS: ret;
// WSJSON: {"abi_version": 3, "alibi": "none", "batch": -1, "bias": -8.31776619, "block_k": 64, "block_q": 128, "block_threads": 384, "dynamic_shared_memory": 131128, "element_type": "bf16", "head_dim": 128, "kind": "attention", "kv_stages": 3, "loads": "tma", "mma": "wgmma", "name": "attention_sigattn", "num_kv_heads": 4, "num_query_heads": 16, "num_warps": 8, "producer_warps": 4, "scale": 0.0883883461, "seq_k": -1, "seq_q": -1, "stores": "tma", "value_dim": 128, "window_left": -1, "window_right": 0}

// WGJSON: {"abi_version": 3, "alibi": "none", "batch": -1, "bias": -8.31776619, "block_k": 64, "block_q": 128, "block_threads": 256, "dynamic_shared_memory": 98328, "element_type": "bf16", "head_dim": 128, "kind": "attention", "kv_stages": 2, "loads": "tma", "mma": "wgmma", "name": "attention_sigattn", "num_kv_heads": 4, "num_query_heads": 16, "num_warps": 8, "producer_warps": 0, "scale": 0.0883883461, "seq_k": -1, "seq_q": -1, "stores": "tma", "value_dim": 128, "window_left": -1, "window_right": 0}

// CHECK: .version 8.0
// CHECK: .target sm_90a
// CHECK: .extern .shared .align 1024 .b8 sigattn_smem[];
// CHECK: .visible .entry attention_sigattn(
// CHECK-COUNT-4: .param .u64 .ptr .align 16 attention_sigattn_param_{{[0-3]}},
// B, Nq, Nk, then the strides of q, k, v and out (batch, row, head).
// CHECK-COUNT-14: .param .u64 attention_sigattn_param_{{[0-9]+}},
// CHECK-NEXT:    .param .u64 attention_sigattn_param_18
// CHECK-NEXT: )
// CHECK: .maxntid 128, 1, 1
// Block order in PTX is the backend's: presence, not order.
// CHECK-DAG: cp.async.cg.shared.global
// CHECK-DAG: cp.async.commit_group
// CHECK-DAG: cp.async.wait_group
// CHECK-DAG: ldmatrix.sync.aligned.m8n8.x4.shared.b16
// CHECK-DAG: ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16
// CHECK-DAG: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// CHECK-DAG: tanh.approx.f32
// CHECK-DAG: cvt.rn.bf16x2.f32
// CHECK-DAG: st.global.b32
// CHECK: ret;

// JSON: "kernels": [
// JSON: {"abi_version": 3, "alibi": "none", "batch": -1, "bias": -8.31776619, "block_k": 32, "block_q": 128, "block_threads": 128, "dynamic_shared_memory": 65536, "element_type": "bf16", "head_dim": 128, "kind": "attention", "kv_stages": 2, "loads": "cp.async", "mma": "sync", "name": "attention_sigattn", "num_kv_heads": 4, "num_query_heads": 16, "num_warps": 4, "producer_warps": 0, "scale": 0.0883883461, "seq_k": -1, "seq_q": -1, "stores": "direct", "value_dim": 128, "window_left": -1, "window_right": 0}
func.func @attention(%q: tensor<?x?x16x128xbf16>, %k: tensor<?x?x4x128xbf16>,
                     %v: tensor<?x?x4x128xbf16>) -> tensor<?x?x16x128xbf16> {
  %o = sigattn.attention %q, %k, %v causal bias = -8.317766
      : tensor<?x?x16x128xbf16>, tensor<?x?x4x128xbf16>, tensor<?x?x4x128xbf16>
      -> tensor<?x?x16x128xbf16>
  return %o : tensor<?x?x16x128xbf16>
}
