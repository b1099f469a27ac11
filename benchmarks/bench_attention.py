#!/usr/bin/env python3
"""Forward attention on one GPU, every implementation in one process and run:

  sigattn   our generated sigmoid kernel (PTX from make-bundle.sh, launched
            through its ABI with CuPy)
  fa2       torch SDPA, FLASH backend (FlashAttention-2; softmax)
  cudnn     torch SDPA, CUDNN backend (softmax)
  flex      FlexAttention, torch.compile'd (softmax)
  naive     sigmoid attention in eager PyTorch
  naive_tc  the same under torch.compile
  triton    benchmarks/triton_sigmoid.py (tutorial-style Triton sigmoid)

Shapes follow FlashAttention's benchmark: bf16, layout [B, N, H, D],
B * N = 16384, H = 2048 / D. FLOPs = 4 B H N^2 D, half for causal. Each
implementation's output is checked against an fp32 reference (on 64 query
rows of every head of batch 0) before it is timed; timing is CUDA events
around one call, L2 flushed before each, median of --reps runs after warm-up.

  python3 benchmarks/bench_attention.py --bundle .bench-bundle --out results/ \
      [--dims 64 128] [--seqs 512 ... 16384] [--impls ...]
"""

import argparse
import csv
import json
import math
import os
import statistics
import sys
import time

import cupy
import numpy as np
import torch
import torch.nn.functional as F
from torch.nn.attention import SDPBackend, sdpa_kernel

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import triton_sigmoid  # noqa: E402

IMPLS = ["sigattn", "fa2", "cudnn", "flex", "naive", "naive_tc", "triton"]
SIGMOID = {"sigattn", "naive", "naive_tc", "triton"}

_flush = None


def flush_l2():
    global _flush
    if _flush is None:
        _flush = torch.empty(256 << 20, dtype=torch.uint8, device="cuda")
    _flush.zero_()


def time_fn(fn, reps, warmup=3):
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(reps):
        flush_l2()
        start = torch.cuda.Event(enable_timing=True)
        stop = torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        stop.record()
        stop.synchronize()
        times.append(start.elapsed_time(stop))
    return statistics.median(times)


def reference_rows(q, k, v, rows, scale, bias, causal, kind, window=None,
                   slopes=None):
    """fp32 reference for query rows `rows` of batch 0, all heads."""
    B, N, H, D = q.shape
    qf = q[0, rows].float()                    # [R, H, D]
    kf, vf = k[0].float(), v[0].float()        # [N, H, D]
    s = torch.einsum("rhd,jhd->hrj", qf, kf) * scale
    j = torch.arange(N, device=q.device)[None, :]
    i = rows[:, None]
    visible = torch.ones(len(rows), N, dtype=torch.bool, device=q.device)
    if causal:
        visible &= j <= i
    if window is not None:
        visible &= (j >= i - window[0]) & (j <= i + window[1])
    if kind == "softmax":
        p = torch.softmax(s.masked_fill(~visible, float("-inf")), dim=-1)
    else:
        s = s + bias
        if slopes is not None:
            s = s - slopes[:, None, None] * (i - j).abs()[None].float()
        p = torch.sigmoid(s) * visible
    return torch.einsum("hrj,jhd->rhd", p, vf)


class SigattnKernels:
    """The bundle's kernels, launched through the sigattn ABI with CuPy."""

    def __init__(self, bundle):
        with open(os.path.join(bundle, "manifest.json")) as f:
            self.entries = json.load(f)
        self.bundle = bundle
        self.loaded = {}

    def find(self, d, n, mask, alibi=False):
        for e in self.entries:
            if (e["head_dim"] == d and e["bench_n"] == n and e["bench_mask"] == mask
                    and (e["alibi"] != "none") == alibi):
                return e
        return None

    def launcher(self, e, q, k, v, out, slopes=None):
        if e["ptx"] not in self.loaded:
            mod = cupy.RawModule(path=os.path.join(self.bundle, e["ptx"]))
            fn = mod.get_function(e["name"])
            fn.max_dynamic_shared_size_bytes = e["dynamic_shared_memory"]
            self.loaded[e["ptx"]] = (mod, fn)
        fn = self.loaded[e["ptx"]][1]
        B, N, H, _ = q.shape
        args = [np.uint64(t.data_ptr()) for t in (q, k, v, out)]
        if slopes is not None:
            args.append(np.uint64(slopes.data_ptr()))
        args += [np.int64(B), np.int64(N), np.int64(k.shape[1])]
        grid = ((N + e["block_q"] - 1) // e["block_q"], H, B)
        block = (e["block_threads"], 1, 1)
        smem = e["dynamic_shared_memory"]
        args = tuple(args)
        return lambda: fn(grid, block, args, shared_mem=smem)


def naive_sigmoid(q, k, v, scale, bias, causal):
    qt, kt, vt = (t.transpose(1, 2) for t in (q, k, v))
    s = torch.matmul(qt, kt.transpose(-1, -2)) * scale + bias
    p = torch.sigmoid(s)
    if causal:
        n = q.shape[1]
        p = p.masked_fill(torch.ones(n, n, dtype=torch.bool, device=q.device).triu(1), 0)
    return torch.matmul(p, vt).transpose(1, 2)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bundle", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--dims", type=int, nargs="+", default=[64, 128])
    ap.add_argument("--seqs", type=int, nargs="+",
                    default=[512, 1024, 2048, 4096, 8192, 16384])
    ap.add_argument("--impls", nargs="+", default=IMPLS)
    ap.add_argument("--reps", type=int, default=30)
    ap.add_argument("--tokens", type=int, default=16384)
    ap.add_argument("--tag", default="")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.manual_seed(0)
    dev = torch.cuda.get_device_name(0)
    print("device:", dev, "| torch", torch.__version__, "| cudnn",
          torch.backends.cudnn.version(), flush=True)
    kernels = SigattnKernels(args.bundle)

    from torch.nn.attention.flex_attention import create_block_mask, flex_attention
    flex_c = torch.compile(flex_attention)
    naive_c = torch.compile(naive_sigmoid)

    path = os.path.join(args.out, f"bench{args.tag}.csv")
    fields = ["impl", "d", "n", "b", "h", "mask", "ms", "tflops", "check_err", "ok"]
    csv_file = open(path, "w", newline="")
    writer = csv.DictWriter(csv_file, fieldnames=fields)
    writer.writeheader()

    class Rows(list):
        def append(self, row):
            super().append(row)
            writer.writerow(row)
            csv_file.flush()

    rows_out = Rows()
    for d in args.dims:
        h = 2048 // d
        for n in args.seqs:
            b = max(args.tokens // n, 1)
            scale, bias = 1.0 / math.sqrt(d), -math.log(n)
            q, k, v = (torch.randn(b, n, h, d, device="cuda", dtype=torch.bfloat16)
                       for _ in range(3))
            rows = torch.randperm(n, device="cuda")[:64].sort().values
            variants = [("full", False, None, False), ("causal", True, None, False)]
            if "sigattn" in args.impls:
                variants += [("window", False, (256, 0), False),
                             ("alibi_causal", True, None, True)]
            for mask, causal, window, alibi in variants:
                flops = 4.0 * b * h * n * n * d * (0.5 if causal else 1.0)
                if window is not None:
                    # visible keys per row: up to left + right + 1
                    flops = 4.0 * b * h * n * d * min(n, window[0] + window[1] + 1)
                refs = {}
                slopes = None
                if alibi:
                    slopes = torch.rand(h, device="cuda") * 0.3
                for impl in args.impls:
                    if mask in ("window", "alibi_causal") and impl != "sigattn":
                        continue
                    kind = "sigmoid" if impl in SIGMOID else "softmax"
                    try:
                        if impl == "sigattn":
                            e = kernels.find(d, n, mask, alibi)
                            if e is None:
                                continue
                            out = torch.full_like(q, float("nan"))
                            fn = kernels.launcher(e, q, k, v, out, slopes)
                            call = fn
                            get = lambda out=out: out
                        elif impl in ("fa2", "cudnn"):
                            backend = (SDPBackend.FLASH_ATTENTION if impl == "fa2"
                                       else SDPBackend.CUDNN_ATTENTION)
                            qt, kt, vt = (t.transpose(1, 2) for t in (q, k, v))
                            holder = {}

                            def call(qt=qt, kt=kt, vt=vt, backend=backend, holder=holder):
                                with sdpa_kernel(backend):
                                    holder["o"] = F.scaled_dot_product_attention(
                                        qt, kt, vt, is_causal=causal, scale=scale)
                            get = lambda holder=holder: holder["o"].transpose(1, 2)
                        elif impl == "flex":
                            qt, kt, vt = (t.transpose(1, 2) for t in (q, k, v))
                            bm = None
                            if causal:
                                bm = create_block_mask(lambda b_, h_, qi, ki: ki <= qi,
                                                       None, None, n, n)
                            holder = {}

                            def call(qt=qt, kt=kt, vt=vt, bm=bm, holder=holder):
                                holder["o"] = flex_c(qt, kt, vt, block_mask=bm, scale=scale)
                            get = lambda holder=holder: holder["o"].transpose(1, 2)
                        elif impl in ("naive", "naive_tc"):
                            f = naive_sigmoid if impl == "naive" else naive_c
                            holder = {}

                            def call(f=f, holder=holder):
                                holder["o"] = f(q, k, v, scale, bias, causal)
                            get = lambda holder=holder: holder["o"]
                        elif impl == "triton":
                            holder = {}

                            def call(holder=holder):
                                holder["o"] = triton_sigmoid.sigmoid_attention(
                                    q, k, v, scale, bias, causal)
                            get = lambda holder=holder: holder["o"]
                        call()
                        torch.cuda.synchronize()
                        if kind not in refs or alibi:
                            refs[kind] = reference_rows(q, k, v, rows, scale, bias,
                                                        causal, kind, window, slopes)
                        got = get()[0, rows].float()
                        ref = refs[kind]
                        err = (got - ref).abs().max().item()
                        tol = 0.02 * ref.abs().max().item() + 1e-3
                        ok = bool(torch.isfinite(got).all()) and err <= tol
                        if not ok:
                            print(f"CHECK FAILED {impl} D={d} N={n} {mask}: err={err:.3g} tol={tol:.3g}",
                                  flush=True)
                            rows_out.append(dict(impl=impl, d=d, n=n, b=b, h=h, mask=mask,
                                                 ms=float("nan"), tflops=float("nan"),
                                                 check_err=err, ok=False))
                            continue
                        ms = time_fn(call, args.reps)
                        tf = flops / (ms * 1e-3) / 1e12
                        rows_out.append(dict(impl=impl, d=d, n=n, b=b, h=h, mask=mask,
                                             ms=ms, tflops=tf, check_err=err, ok=True))
                        print(f"{impl:9s} D={d:3d} N={n:5d} B={b:2d} H={h:2d} {mask:12s} "
                              f"{ms:8.3f} ms {tf:7.1f} TFLOP/s  (check err {err:.2e})", flush=True)
                    except Exception as ex:  # a peer that cannot run a shape
                        msg = str(ex).strip().splitlines()
                        print(f"ERROR {impl} D={d} N={n} {mask}: {type(ex).__name__}: "
                              + " | ".join(msg[-6:])[:600], flush=True)
                        rows_out.append(dict(impl=impl, d=d, n=n, b=b, h=h, mask=mask,
                                             ms=float("nan"), tflops=float("nan"),
                                             check_err=float("nan"), ok=False))
                    torch.cuda.empty_cache()
            del q, k, v
    csv_file.close()
    with open(os.path.join(args.out, f"meta{args.tag}.json"), "w") as f:
        json.dump({"device": dev, "torch": torch.__version__,
                   "cudnn": torch.backends.cudnn.version(),
                   "triton": __import__("triton").__version__,
                   "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                   "argv": sys.argv}, f, indent=1)
    print("wrote", path)


if __name__ == "__main__":
    main()
