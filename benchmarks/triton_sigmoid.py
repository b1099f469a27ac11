"""Sigmoid attention in Triton, written the way Triton's fused-attention
tutorial writes softmax attention: one program per (query block, head,
batch), a loop over key/value blocks with tl.dot, causal blocks split into an
unmasked stage and a masked diagonal stage, autotuned block sizes. No row
max, no row sum: P = sigmoid(scale * Q.K^T + bias). Layout [B, N, H, D].

This is the peer a user would write today; it is benchmarked side by side
with sigattn's generated kernels (bench_attention.py).
"""

import torch
import triton
import triton.language as tl


def _configs():
    return [
        triton.Config({"BLOCK_M": bm, "BLOCK_N": bn}, num_warps=w, num_stages=s)
        for bm in (64, 128)
        for bn in (64, 128)
        for w in (4, 8)
        for s in (3, 4)
        if not (bm == 64 and w == 8)
    ]


@triton.jit
def _inner(acc, q, k_base, v_base, stride_kn, stride_vn, offs_m, offs_d,
           start, end, n_k, off, scale, bias,
           MASKED: tl.constexpr, CAUSAL: tl.constexpr, BLOCK_N: tl.constexpr):
    offs_n = tl.arange(0, BLOCK_N)
    for start_n in range(start, end, BLOCK_N):
        start_n = tl.multiple_of(start_n, BLOCK_N)
        cols = start_n + offs_n
        k = tl.load(k_base + cols[None, :] * stride_kn + offs_d[:, None],
                    mask=cols[None, :] < n_k, other=0.0)
        # S = scale * Q.K^T + bias; P = sigmoid(S)
        s = tl.dot(q, k) * scale + bias
        p = tl.sigmoid(s)
        if MASKED:
            visible = cols[None, :] < n_k
            if CAUSAL:
                visible = visible & (cols[None, :] <= offs_m[:, None] + off)
            p = tl.where(visible, p, 0.0)
        v = tl.load(v_base + cols[:, None] * stride_vn + offs_d[None, :],
                    mask=cols[:, None] < n_k, other=0.0)
        acc = tl.dot(p.to(v.dtype), v, acc)
    return acc


@triton.autotune(configs=_configs(), key=["N_Q", "N_K", "HEAD_DIM", "CAUSAL"])
@triton.jit
def _sigmoid_attention_fwd(Q, K, V, Out,
                           sqb, sqn, sqh, skb, skn, skh, svb, svn, svh,
                           sob, son, soh,
                           N_Q, N_K, GROUP, scale, bias,
                           HEAD_DIM: tl.constexpr, CAUSAL: tl.constexpr,
                           BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr):
    pid_m = tl.program_id(0)
    h = tl.program_id(1)
    b = tl.program_id(2)
    hk = h // GROUP
    offs_m = pid_m * BLOCK_M + tl.arange(0, BLOCK_M)
    offs_d = tl.arange(0, HEAD_DIM)
    q = tl.load(Q + b * sqb + h * sqh + offs_m[:, None] * sqn + offs_d[None, :],
                mask=offs_m[:, None] < N_Q, other=0.0)
    k_base = K + b * skb + hk * skh
    v_base = V + b * svb + hk * svh
    acc = tl.zeros([BLOCK_M, HEAD_DIM], dtype=tl.float32)
    off = N_K - N_Q  # bottom-right aligned causal mask
    if CAUSAL:
        # Stage 1: blocks left of the diagonal, no mask.
        full_end = tl.maximum((pid_m * BLOCK_M + off) // BLOCK_N * BLOCK_N, 0)
        full_end = tl.minimum(full_end, (N_K // BLOCK_N) * BLOCK_N)
        acc = _inner(acc, q, k_base, v_base, skn, svn, offs_m, offs_d,
                     0, full_end, N_K, off, scale, bias,
                     False, True, BLOCK_N)
        # Stage 2: the diagonal band and the end of the keys, masked.
        end = tl.minimum((pid_m + 1) * BLOCK_M + off, N_K)
        acc = _inner(acc, q, k_base, v_base, skn, svn, offs_m, offs_d,
                     full_end, end, N_K, off, scale, bias,
                     True, True, BLOCK_N)
    else:
        full_end = (N_K // BLOCK_N) * BLOCK_N
        acc = _inner(acc, q, k_base, v_base, skn, svn, offs_m, offs_d,
                     0, full_end, N_K, off, scale, bias,
                     False, False, BLOCK_N)
        acc = _inner(acc, q, k_base, v_base, skn, svn, offs_m, offs_d,
                     full_end, N_K, N_K, off, scale, bias,
                     True, False, BLOCK_N)
    tl.store(Out + b * sob + h * soh + offs_m[:, None] * son + offs_d[None, :],
             acc.to(Out.dtype.element_ty), mask=offs_m[:, None] < N_Q)


def sigmoid_attention(q, k, v, scale, bias, causal):
    """q [B, Nq, Hq, D], k, v [B, Nk, Hkv, D] -> [B, Nq, Hq, D]."""
    B, n_q, hq, d = q.shape
    n_k, hkv = k.shape[1], k.shape[2]
    out = torch.empty_like(q)

    def grid(meta):
        return (triton.cdiv(n_q, meta["BLOCK_M"]), hq, B)

    _sigmoid_attention_fwd[grid](
        q, k, v, out,
        q.stride(0), q.stride(1), q.stride(2),
        k.stride(0), k.stride(1), k.stride(2),
        v.stride(0), v.stride(1), v.stride(2),
        out.stride(0), out.stride(1), out.stride(2),
        n_q, n_k, hq // hkv, scale, bias,
        HEAD_DIM=d, CAUSAL=causal)
    return out
