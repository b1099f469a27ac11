// The two kernels of sigattn.attention_grad (one query head per kv head),
// through the whole GPU pipeline. wgmma (D = 128): the dk/dv kernel's row
// products S^T = K.Q^T and dP^T = V.dO^T read both operands from shared
// memory, K-major (trans-b 0); its column products dv += P^T.dO and
// dk += dS^T.Q take P^T and dS^T from registers and Q, dO MN-major
// (trans-b 1), N = D; the dq kernel the same with S = Q.K^T, dP = dO.V^T and
// dq += dS.K. Both load by TMA (4 maps: q, k, v, dO) and store directly;
// tanh.approx, no exp, no reduction, no atomics. ptxas: no spills. The JSON
// names kinds and partners.
// RUN: sigattn-opt %s --sigattn-gpu-pipeline="ptx-output=%t.wg.ptx" -o /dev/null
// RUN: FileCheck %s --input-file=%t.wg.ptx --check-prefix=WG --implicit-check-not=ex2 --implicit-check-not=__nv_ --implicit-check-not=shfl --implicit-check-not="{{[[:space:]](red|atom)\.}}" --implicit-check-not=.local --implicit-check-not=ldmatrix --implicit-check-not=mma.sync --implicit-check-not=cp.async.cg
// RUN: FileCheck %s --input-file=%t.wg.ptx.json --check-prefix=JSON
// RUN: %ptxas -arch=sm_90a -v %t.wg.ptx -o %t.wg.cubin 2>&1 | FileCheck %s --check-prefix=PTXAS --implicit-check-not="spill stores" --implicit-check-not=C75
// mma.sync at D = 128 with 64 x 64 tiles keeps S, dP, dk and dv in 255
// registers with a few bytes of spill (the tile sizes for the backward are
// provisional); D = 64 does not spill.
// RUN: sed -e 's/x128xbf16/x64xbf16/g' %s > %t.d64.mlir
// RUN: sigattn-opt %t.d64.mlir --sigattn-gpu-pipeline="mma=sync ptx-output=%t.sync.ptx" -o /dev/null
// RUN: FileCheck %s --input-file=%t.sync.ptx --check-prefix=SYNC --implicit-check-not=ex2 --implicit-check-not=__nv_ --implicit-check-not=shfl --implicit-check-not="{{[[:space:]](red|atom)\.}}" --implicit-check-not=.local --implicit-check-not=wgmma
// RUN: %ptxas -arch=sm_90a -v %t.sync.ptx -o %t.sync.cubin 2>&1 | FileCheck %s --check-prefix=PTXAS --implicit-check-not="spill stores"

// WG-LABEL: .visible .entry grad_sigattn_grad_kv(
// q, k, v, dO, dk, dv, B, Nq, Nk, 18 strides, then the 4 maps.
// WG: .param .u64 grad_sigattn_grad_kv_param_26,
// WG-NEXT: .param .align 64 .b8 grad_sigattn_grad_kv_param_27[128],
// WG-NEXT: .param .align 64 .b8 grad_sigattn_grad_kv_param_28[128],
// WG-NEXT: .param .align 64 .b8 grad_sigattn_grad_kv_param_29[128],
// WG-NEXT: .param .align 64 .b8 grad_sigattn_grad_kv_param_30[128]
// WG-NEXT: )
// WG-DAG: cp.async.bulk.tensor.4d.shared::cluster.global.tile.mbarrier::complete_tx::bytes
// WG-DAG: wgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16 {{.*}}, %rd{{[0-9]+}}, %rd{{[0-9]+}}, p, 1, 1, 0, 0;
// WG-DAG: wgmma.mma_async.sync.aligned.m64n128k16.f32.bf16.bf16 {{.*}}, {{[{]}}%r{{[0-9]+}}, %r{{[0-9]+}}, %r{{[0-9]+}}, %r{{[0-9]+}}}, %rd{{[0-9]+}}, p, 1, 1, 1;
// WG-DAG: tanh.approx.f32
// WG-DAG: st.global.b32
// WG-LABEL: .visible .entry grad_sigattn_grad_q(
// WG: .param .u64 grad_sigattn_grad_q_param_22,
// WG-NEXT: .param .align 64 .b8 grad_sigattn_grad_q_param_23[128],
// WG-NEXT: .param .align 64 .b8 grad_sigattn_grad_q_param_24[128],
// WG-NEXT: .param .align 64 .b8 grad_sigattn_grad_q_param_25[128],
// WG-NEXT: .param .align 64 .b8 grad_sigattn_grad_q_param_26[128]
// WG-NEXT: )
// WG-DAG: wgmma.mma_async.sync.aligned.m64n64k16.f32.bf16.bf16 {{.*}}, %rd{{[0-9]+}}, %rd{{[0-9]+}}, p, 1, 1, 0, 0;
// WG-DAG: wgmma.mma_async.sync.aligned.m64n128k16.f32.bf16.bf16 {{.*}}, {{[{]}}%r{{[0-9]+}}, %r{{[0-9]+}}, %r{{[0-9]+}}, %r{{[0-9]+}}}, %rd{{[0-9]+}}, p, 1, 1, 1;
// WG-DAG: tanh.approx.f32
// WG-DAG: st.global.b32

// SYNC-LABEL: .visible .entry grad_sigattn_grad_kv(
// SYNC-DAG: cp.async.cg.shared.global
// SYNC-DAG: ldmatrix.sync.aligned.m8n8.x4.shared.b16
// SYNC-DAG: ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16
// SYNC-DAG: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// SYNC-DAG: tanh.approx.f32
// SYNC-LABEL: .visible .entry grad_sigattn_grad_q(
// SYNC-DAG: ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16
// SYNC-DAG: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32

// JSON: "kind": "attention_grad_kv"
// JSON-SAME: "name": "grad_sigattn_grad_kv"
// JSON-SAME: "partner": "grad_sigattn_grad_q"
// JSON: "kind": "attention_grad_q"
// JSON-SAME: "name": "grad_sigattn_grad_q"
// JSON-SAME: "partner": "grad_sigattn_grad_kv"

// PTXAS: Compiling entry function 'grad_sigattn_grad_{{kv|q}}'
// PTXAS: 0 bytes spill stores, 0 bytes spill loads
// PTXAS: Compiling entry function 'grad_sigattn_grad_{{kv|q}}'
// PTXAS: 0 bytes spill stores, 0 bytes spill loads

func.func @grad(%q: tensor<?x?x4x128xbf16>, %k: tensor<?x?x4x128xbf16>,
                %v: tensor<?x?x4x128xbf16>, %do: tensor<?x?x4x128xbf16>)
    -> (tensor<?x?x4x128xbf16>, tensor<?x?x4x128xbf16>, tensor<?x?x4x128xbf16>) {
  %dq, %dk, %dv = sigattn.attention_grad %q, %k, %v, %do causal bias = -2.0
      : tensor<?x?x4x128xbf16>, tensor<?x?x4x128xbf16>, tensor<?x?x4x128xbf16>,
        tensor<?x?x4x128xbf16>
      -> tensor<?x?x4x128xbf16>, tensor<?x?x4x128xbf16>, tensor<?x?x4x128xbf16>
  return %dq, %dk, %dv : tensor<?x?x4x128xbf16>, tensor<?x?x4x128xbf16>, tensor<?x?x4x128xbf16>
}
