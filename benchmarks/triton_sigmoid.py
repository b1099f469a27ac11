"""Sigmoid attention in Triton, written the way Triton's fused-attention
tutorial writes softmax attention and tuned the way a user would tune it:
one program per (query block, head, batch), a loop over key/value blocks with
tl.dot, causal blocks split into an unmasked stage and a masked diagonal
stage, autotuned block sizes, warps and pipeline stages. No row max, no row
sum: P = sigmoid(scale * Q.K^T + bias). Layout [B, N, H, D].

Two kernels, both autotuned (``sigmoid_attention(..., variant=)``):

  "ptr"   pointer loads (cp.async pipelined by num_stages), as the classic
          tutorial; BLOCK_M 64/128, BLOCK_N 32/64/128, 4/8 warps, 2-5 stages.
  "desc"  device-side tensor descriptors (TMA loads), as the current tutorial
          does on Hopper, with Triton's automatic warp specialisation
          (tl.range(..., warp_specialize=True)) as one more autotuned option.

The sigmoid is 0.5 * tanh.approx(0.5 x) + 0.5 through inline PTX (one MUFU
op per score, no exp2, no divide); ``sigmoid="exp"`` uses tl.sigmoid (exp and
divide) instead, for comparison.

Compiling every configuration inside the autotuner is slow (one process,
one configuration at a time); ``precompile`` compiles them in parallel
worker processes into Triton's on-disk cache first, and any configuration
that fails or crashes the compiler there is pruned from the autotuner.

This is the peer a user would write today; bench_attention.py benchmarks it
side by side with sigattn's generated kernels.
"""

import json
import math
import os
import selectors
import subprocess
import sys
import time

# Pin Triton's cache directory now (Triton's own default), before anything
# else in the process sets it. In the 2026-12-01 run the autotuner compiled
# again what precompile() had put in the default directory (16-32 s per shape
# class instead of 2-3 s), most likely because TorchInductor, on its first
# compile (FlexAttention), points an unset TRITON_CACHE_DIR at its own
# directory. Not yet confirmed on the GPU.
os.environ.setdefault("TRITON_CACHE_DIR", os.path.join(
    os.environ.get("TRITON_HOME", os.path.expanduser("~")), ".triton", "cache"))

import torch  # noqa: E402
import triton  # noqa: E402
import triton.language as tl  # noqa: E402

# Autotuner timing per configuration: shorter than Triton's default (25 ms
# warm-up, 100 ms of repeats) so that ~100 configurations x 8 shapes fit a
# benchmark run; every kernel here runs for 0.5-3 ms, so 40 ms is 15-80 runs.
AUTOTUNE_WARMUP_MS = 10
AUTOTUNE_REP_MS = 40

# Configurations that failed in precompile(), as (variant, HEAD_DIM, CAUSAL,
# config string); the autotuners skip them.
BAD = set()


def _do_bench(fn, quantiles):
    return triton.testing.do_bench(fn, warmup=AUTOTUNE_WARMUP_MS, rep=AUTOTUNE_REP_MS,
                                   quantiles=quantiles)


def cfg_str(c):
    kw = c.kwargs if hasattr(c, "kwargs") else c
    w = c.num_warps if hasattr(c, "num_warps") else kw["num_warps"]
    s = c.num_stages if hasattr(c, "num_stages") else kw["num_stages"]
    text = "BM%d BN%d w%d s%d" % (kw["BLOCK_M"], kw["BLOCK_N"], w, s)
    if "WS" in kw:
        text += " ws%d" % int(bool(kw["WS"]))
    return text


def _space(variant):
    """The autotuning space of one kernel, as plain dicts."""
    out = []
    stages = (2, 3, 4, 5) if variant == "ptr" else (2, 3, 4)
    for bm in (64, 128):
        for bn in (32, 64, 128):
            for w in (4, 8):
                if bm == 64 and w == 8:   # 64 rows over two warpgroups: never wins
                    continue
                for s in stages:
                    for ws in ((None,) if variant == "ptr" else (False, True)):
                        d = {"BLOCK_M": bm, "BLOCK_N": bn, "num_warps": w, "num_stages": s}
                        if ws is not None:
                            d["WS"] = ws
                        out.append(d)
    return out


def _configs(variant):
    cs = []
    for d in _space(variant):
        d = dict(d)
        w, s = d.pop("num_warps"), d.pop("num_stages")
        cs.append(triton.Config(d, num_warps=w, num_stages=s))
    return cs


def _prune(variant):
    def prune(configs, named_args, **kwargs):
        a = {**named_args, **kwargs}
        key = (variant, int(a["HEAD_DIM"]), bool(a["CAUSAL"]))
        keep = [c for c in configs if key + (cfg_str(c),) not in BAD]
        return keep or configs[:1]
    return prune


@triton.jit
def _tanh_approx(x):
    return tl.inline_asm_elementwise("tanh.approx.f32 $0, $1;", "=r,r", [x],
                                     dtype=tl.float32, is_pure=True, pack=1)


@triton.jit
def _probs(s, scale, bias, TANH: tl.constexpr):
    if TANH:
        # sigmoid(x) = 0.5 tanh(x / 2) + 0.5: one MUFU op, two FMAs
        p = _tanh_approx(s * (0.5 * scale) + 0.5 * bias) * 0.5 + 0.5
    else:
        p = tl.sigmoid(s * scale + bias)
    return p


# ---------------------------------------------------------------- pointer loads

@triton.jit
def _inner_ptr(acc, q, k_base, v_base, stride_kn, stride_vn, offs_m, offs_d,
               start, end, n_k, off, scale, bias,
               MASKED: tl.constexpr, CAUSAL: tl.constexpr, TANH: tl.constexpr,
               BLOCK_N: tl.constexpr):
    offs_n = tl.arange(0, BLOCK_N)
    for start_n in range(start, end, BLOCK_N):
        start_n = tl.multiple_of(start_n, BLOCK_N)
        cols = start_n + offs_n
        k_ptrs = k_base + cols[None, :] * stride_kn + offs_d[:, None]
        v_ptrs = v_base + cols[:, None] * stride_vn + offs_d[None, :]
        if MASKED:
            k = tl.load(k_ptrs, mask=cols[None, :] < n_k, other=0.0)
        else:
            k = tl.load(k_ptrs)
        s = tl.dot(q, k)
        p = _probs(s, scale, bias, TANH)
        if MASKED:
            visible = cols[None, :] < n_k
            if CAUSAL:
                visible = visible & (cols[None, :] <= offs_m[:, None] + off)
            p = tl.where(visible, p, 0.0)
            v = tl.load(v_ptrs, mask=cols[:, None] < n_k, other=0.0)
        else:
            v = tl.load(v_ptrs)
        acc = tl.dot(p.to(v.dtype), v, acc)
    return acc


@triton.jit
def _fwd_ptr(Q, K, V, Out,
             sqb, sqn, sqh, skb, skn, skh, svb, svn, svh, sob, son, soh,
             N_Q, N_K, GROUP, scale, bias,
             HEAD_DIM: tl.constexpr, CAUSAL: tl.constexpr, TANH: tl.constexpr,
             EVEN_M: tl.constexpr, EVEN_N: tl.constexpr,
             BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr):
    pid_m = tl.program_id(0)
    h = tl.program_id(1)
    b = tl.program_id(2)
    hk = h // GROUP
    offs_m = pid_m * BLOCK_M + tl.arange(0, BLOCK_M)
    offs_d = tl.arange(0, HEAD_DIM)
    q_ptrs = Q + b * sqb + h * sqh + offs_m[:, None] * sqn + offs_d[None, :]
    if EVEN_M:
        q = tl.load(q_ptrs)
    else:
        q = tl.load(q_ptrs, mask=offs_m[:, None] < N_Q, other=0.0)
    k_base = K + b * skb + hk * skh
    v_base = V + b * svb + hk * svh
    acc = tl.zeros([BLOCK_M, HEAD_DIM], dtype=tl.float32)
    off = N_K - N_Q  # bottom-right aligned causal mask
    if CAUSAL:
        # Stage 1: key blocks left of the diagonal, no mask.
        full_end = tl.maximum((pid_m * BLOCK_M + off) // BLOCK_N * BLOCK_N, 0)
        full_end = tl.minimum(full_end, (N_K // BLOCK_N) * BLOCK_N)
        acc = _inner_ptr(acc, q, k_base, v_base, skn, svn, offs_m, offs_d,
                         0, full_end, N_K, off, scale, bias,
                         False, True, TANH, BLOCK_N)
        # Stage 2: the diagonal band (and the ragged end of the keys), masked.
        end = tl.minimum((pid_m + 1) * BLOCK_M + off, N_K)
        acc = _inner_ptr(acc, q, k_base, v_base, skn, svn, offs_m, offs_d,
                         full_end, end, N_K, off, scale, bias,
                         True, True, TANH, BLOCK_N)
    else:
        full_end = (N_K // BLOCK_N) * BLOCK_N
        acc = _inner_ptr(acc, q, k_base, v_base, skn, svn, offs_m, offs_d,
                         0, full_end, N_K, off, scale, bias,
                         False, False, TANH, BLOCK_N)
        if not EVEN_N:
            acc = _inner_ptr(acc, q, k_base, v_base, skn, svn, offs_m, offs_d,
                             full_end, N_K, N_K, off, scale, bias,
                             True, False, TANH, BLOCK_N)
    o_ptrs = Out + b * sob + h * soh + offs_m[:, None] * son + offs_d[None, :]
    if EVEN_M:
        tl.store(o_ptrs, acc.to(Out.dtype.element_ty))
    else:
        tl.store(o_ptrs, acc.to(Out.dtype.element_ty), mask=offs_m[:, None] < N_Q)


# ------------------------------------------------- tensor descriptors (TMA) + WS

@triton.jit
def _inner_desc(acc, q, desc_k, desc_v, row0, col, offs_m,
                start, end, n_k, off, scale, bias,
                MASKED: tl.constexpr, CAUSAL: tl.constexpr, TANH: tl.constexpr,
                BLOCK_N: tl.constexpr, WS: tl.constexpr):
    offs_n = tl.arange(0, BLOCK_N)
    for start_n in tl.range(start, end, BLOCK_N, warp_specialize=WS):
        start_n = tl.multiple_of(start_n, BLOCK_N)
        k = desc_k.load([row0 + start_n, col])
        s = tl.dot(q, k.T)
        p = _probs(s, scale, bias, TANH)
        if MASKED:
            cols = start_n + offs_n
            visible = cols[None, :] < n_k
            if CAUSAL:
                visible = visible & (cols[None, :] <= offs_m[:, None] + off)
            p = tl.where(visible, p, 0.0)
        v = desc_v.load([row0 + start_n, col])
        acc = tl.dot(p.to(v.dtype), v, acc)
    return acc


@triton.jit
def _fwd_desc(Q, K, V, Out, B, N_Q, N_K, H, HKV, scale, bias,
              HEAD_DIM: tl.constexpr, CAUSAL: tl.constexpr, TANH: tl.constexpr,
              EVEN_M: tl.constexpr, EVEN_N: tl.constexpr,
              BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, WS: tl.constexpr):
    # q, k, v, out contiguous [B, N, H, D], seen as 2-D [B * N, H * D]
    pid_m = tl.program_id(0)
    h = tl.program_id(1)
    b = tl.program_id(2)
    hk = h // (H // HKV)
    desc_q = tl.make_tensor_descriptor(Q, shape=[B * N_Q, H * HEAD_DIM],
                                       strides=[H * HEAD_DIM, 1],
                                       block_shape=[BLOCK_M, HEAD_DIM])
    desc_k = tl.make_tensor_descriptor(K, shape=[B * N_K, HKV * HEAD_DIM],
                                       strides=[HKV * HEAD_DIM, 1],
                                       block_shape=[BLOCK_N, HEAD_DIM])
    desc_v = tl.make_tensor_descriptor(V, shape=[B * N_K, HKV * HEAD_DIM],
                                       strides=[HKV * HEAD_DIM, 1],
                                       block_shape=[BLOCK_N, HEAD_DIM])
    offs_m = pid_m * BLOCK_M + tl.arange(0, BLOCK_M)
    # Rows past N_Q read the next batch's queries: their outputs are not stored.
    q = desc_q.load([b * N_Q + pid_m * BLOCK_M, h * HEAD_DIM])
    row0 = b * N_K
    col = hk * HEAD_DIM
    acc = tl.zeros([BLOCK_M, HEAD_DIM], dtype=tl.float32)
    off = N_K - N_Q
    if CAUSAL:
        full_end = tl.maximum((pid_m * BLOCK_M + off) // BLOCK_N * BLOCK_N, 0)
        full_end = tl.minimum(full_end, (N_K // BLOCK_N) * BLOCK_N)
        acc = _inner_desc(acc, q, desc_k, desc_v, row0, col, offs_m,
                          0, full_end, N_K, off, scale, bias,
                          False, True, TANH, BLOCK_N, WS)
        end = tl.minimum((pid_m + 1) * BLOCK_M + off, N_K)
        acc = _inner_desc(acc, q, desc_k, desc_v, row0, col, offs_m,
                          full_end, end, N_K, off, scale, bias,
                          True, True, TANH, BLOCK_N, WS)
    else:
        full_end = (N_K // BLOCK_N) * BLOCK_N
        acc = _inner_desc(acc, q, desc_k, desc_v, row0, col, offs_m,
                          0, full_end, N_K, off, scale, bias,
                          False, False, TANH, BLOCK_N, WS)
        if not EVEN_N:
            acc = _inner_desc(acc, q, desc_k, desc_v, row0, col, offs_m,
                              full_end, N_K, N_K, off, scale, bias,
                              True, False, TANH, BLOCK_N, WS)
    offs_d = tl.arange(0, HEAD_DIM)
    o_ptrs = (Out + (b * N_Q).to(tl.int64) * (H * HEAD_DIM) + h * HEAD_DIM
              + offs_m[:, None] * (H * HEAD_DIM) + offs_d[None, :])
    if EVEN_M:
        tl.store(o_ptrs, acc.to(Out.dtype.element_ty))
    else:
        tl.store(o_ptrs, acc.to(Out.dtype.element_ty), mask=offs_m[:, None] < N_Q)


KERNELS = {"ptr": _fwd_ptr, "desc": _fwd_desc}
TUNED = {
    v: triton.autotune(configs=_configs(v),
                       key=["N_Q", "N_K", "HEAD_DIM", "CAUSAL", "TANH"],
                       prune_configs_by={"early_config_prune": _prune(v)},
                       do_bench=_do_bench)(KERNELS[v])
    for v in KERNELS
}

_allocator_set = False


def _set_allocator():
    # device-side tensor descriptors need a scratch allocation per launch
    global _allocator_set
    if not _allocator_set:
        triton.set_allocator(lambda size, align, stream:
                             torch.empty(size, dtype=torch.int8, device="cuda"))
        _allocator_set = True


def sigmoid_attention(q, k, v, scale, bias, causal, variant="ptr", sigmoid="tanh",
                      config=None, out=None):
    """q [B, Nq, Hq, D], k, v [B, Nk, Hkv, D] -> [B, Nq, Hq, D].

    config: None to autotune, else a dict as in _space() (one fixed config)."""
    B, n_q, hq, d = q.shape
    n_k, hkv = k.shape[1], k.shape[2]
    if out is None:
        out = torch.empty_like(q)
    const = dict(HEAD_DIM=d, CAUSAL=bool(causal), TANH=(sigmoid == "tanh"),
                 EVEN_M=(n_q % 128 == 0), EVEN_N=(n_k % 128 == 0))
    if config is not None:
        const.update(config)
    fn = TUNED[variant] if config is None else KERNELS[variant]

    def grid(meta):
        return (triton.cdiv(n_q, meta["BLOCK_M"]), hq, B)

    if variant == "ptr":
        fn[grid](q, k, v, out,
                 q.stride(0), q.stride(1), q.stride(2),
                 k.stride(0), k.stride(1), k.stride(2),
                 v.stride(0), v.stride(1), v.stride(2),
                 out.stride(0), out.stride(1), out.stride(2),
                 n_q, n_k, hq // hkv, scale, bias, **const)
    else:
        for t in (q, k, v, out):
            assert t.is_contiguous(), "the descriptor kernel takes contiguous [B, N, H, D]"
        _set_allocator()
        fn[grid](q, k, v, out, B, n_q, n_k, hq, hkv, scale, bias, **const)
    return out


def best_config(variant):
    c = getattr(TUNED[variant], "best_config", None)
    if c is None and getattr(TUNED[variant], "cache", None):
        c = list(TUNED[variant].cache.values())[-1]
    return None if c is None else dict(c.kwargs, num_warps=c.num_warps,
                                       num_stages=c.num_stages)


def config_timings(variant):
    """[(ms, config string)] of the last autotuning, fastest first."""
    t = getattr(TUNED[variant], "configs_timings", None) or {}
    rows = []
    for c, ms in t.items():
        ms = ms[0] if isinstance(ms, (list, tuple)) else ms
        rows.append((float(ms), cfg_str(c)))
    return sorted(rows)


# ------------------------------------------------------- parallel precompile

def precompile(jobs, workers=None, log_dir=None, say=print):
    """Compile (and launch once) every job in worker processes, filling
    Triton's on-disk cache. A job: dict(variant, sigmoid, b, n, h, d, causal,
    cfg) with cfg as in _space(). A job that raises or crashes its worker is
    added to BAD. Returns {job index: "ok" | "err: ..." | "crash"}."""
    workers = workers or max(1, min(len(jobs), (os.cpu_count() or 8)))
    status, queue = {}, list(range(len(jobs)))
    seconds = {}
    t0 = time.time()
    marks = {len(jobs) * k // 4 for k in (1, 2, 3)}
    sel = selectors.DefaultSelector()
    procs = {}
    n_started = [0]

    def spawn():
        n_started[0] += 1
        err = (open(os.path.join(log_dir, "precompile-workers.log"), "a")
               if log_dir else subprocess.DEVNULL)
        # The worker imports this module under its own name: Triton's cache
        # key holds the kernel's module-qualified name, so running this file
        # as __main__ would compile kernels that the autotuner never finds.
        code = ("import sys; sys.path.insert(0, %r); import %s as m; m._worker()"
                % (os.path.dirname(os.path.abspath(__file__)), __name__))
        p = subprocess.Popen([sys.executable, "-c", code],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err,
                             text=True, bufsize=1)
        procs[p] = None          # job index in flight
        sel.register(p.stdout, selectors.EVENT_READ, p)

    def feed(p):
        if queue:
            i = queue.pop(0)
            procs[p] = i
            p.stdin.write(json.dumps(dict(jobs[i], i=i)) + "\n")
            p.stdin.flush()
        else:
            procs[p] = None
            p.stdin.close()

    # build Triton's driver helpers once here, not in every worker at once
    triton.runtime.driver.active.get_current_target()
    for _ in range(min(workers, len(jobs))):
        spawn()
    while procs:
        for key, _ in sel.select():
            p = key.data
            line = p.stdout.readline()
            if not line:                                   # worker exited
                sel.unregister(p.stdout)
                p.wait()
                if procs[p] is not None:                   # it died on a job
                    status[procs[p]] = "crash (exit %s)" % p.returncode
                del procs[p]
                if queue:
                    spawn()
                continue
            parts = line.split(None, 2)
            if not parts:
                continue
            if parts[0] == "READY":
                feed(p)
            elif parts[0] in ("OK", "ERR") and len(parts) >= 2:
                i = int(parts[1])
                status[i] = "ok" if parts[0] == "OK" else "err: " + (parts[2].strip()
                                                                    if len(parts) > 2 else "")
                if parts[0] == "OK" and len(parts) > 2:
                    seconds[i] = float(parts[2])
                if len(status) in marks:
                    say("  precompile: %d / %d done after %.0f s" % (len(status), len(jobs),
                                                                   time.time() - t0))
                feed(p)
    for v in sorted({j["variant"] for j in jobs}):
        ts = sorted(t for i, t in seconds.items() if jobs[i]["variant"] == v)
        if ts:
            say("  precompile %s: compile+first launch per configuration median %.1f s, "
                "max %.1f s (%d workers)" % (v, ts[len(ts) // 2], ts[-1], workers))
    for i, j in enumerate(jobs):
        st = status.get(i, "not run")
        if st != "ok":
            BAD.add((j["variant"], j["d"], bool(j["causal"]), cfg_str(j["cfg"])))
    return status


def _worker():
    torch.cuda.init()
    tensors = {}
    print("READY", flush=True)
    for line in sys.stdin:
        job = json.loads(line)
        t0 = time.time()
        try:
            shape = (job["b"], job["n"], job["h"], job["d"])
            if shape not in tensors:
                tensors.clear()
                tensors[shape] = [torch.randn(shape, device="cuda", dtype=torch.bfloat16)
                                  for _ in range(4)]
            q, k, v, out = tensors[shape]
            n = job["n"]
            sigmoid_attention(q, k, v, job["d"] ** -0.5, -math.log(n),
                              job["causal"], variant=job["variant"],
                              sigmoid=job.get("sigmoid", "tanh"), config=job["cfg"], out=out)
            torch.cuda.synchronize()
            print("OK", job["i"], "%.1f" % (time.time() - t0), flush=True)
        except Exception as ex:  # noqa: BLE001 - reported to the parent
            msg = (type(ex).__name__ + ": " + " ".join(str(ex).split()))[:300]
            print("ERR", job["i"], msg, flush=True)
