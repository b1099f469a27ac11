#!/usr/bin/env python3
"""Backward attention peers on one GPU: the bar sigattn's backward kernels
(issue 11) will be measured against, in the same shapes and the same way as
the forward benchmark (benchmarks/bench_attention.py).

  fa2     torch SDPA, FLASH backend (FlashAttention-2; softmax)
  cudnn   torch SDPA, CUDNN backend (softmax)
  flex    FlexAttention, torch.compile'd forward and backward (softmax)
  naive   sigmoid attention in eager PyTorch (materialised scores), as a
          sanity line for what an unfused sigmoid backward costs

For each, two timings of the same autograd graph:

  bwd       torch.autograd.grad(o, (q, k, v), dO), the forward done once
            outside the timed region (retain_graph keeps its saved tensors)
  fwd+bwd   forward and backward together

TFLOP/s: backward 2.5x and forward+backward 3.5x the forward's FLOPs
(forward = 4 B H N^2 D, half for causal), as FlashAttention counts them.
Before timing, each implementation's dq, dk, dv are checked against
autograd of the same attention on fp32-upcast inputs (PyTorch's math
backend; softmax peers against softmax, the naive sigmoid against sigmoid)
with FlashAttention's rule: max|g - g32| <= 2 max|g_ref_lowp - g32| + 1e-3
max|g32|, with g_ref_lowp the math backend on the bf16 inputs. The check
runs on one sequence of at most 2048 tokens to keep the fp32 reference
small. FlexAttention gets a fresh dynamo cache per shape (past dynamo's
recompile limit it silently falls back to an unfused implementation).

Shapes: bf16, [B, N, H, D], B * N = 16384, H = 2048 / D; timing is CUDA
events around one call, L2 flushed before each, median of --reps runs after
warm-up, queued back to back.

  python3 benchmarks/bench_backward_peers.py --out results/ \\
      [--dims 128 64] [--seqs 1024 ... 16384] [--impls fa2 cudnn flex naive]
"""

import argparse
import csv
import json
import math
import os
import sys
import time

import torch
import torch._dynamo  # noqa: F401 - reset per shape in main()
import torch._functorch.config  # noqa: F401 - configured in main()
import torch.nn.functional as F
from torch.nn.attention import SDPBackend, sdpa_kernel

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_common import allow_many_compiled_shapes, flush_l2, time_fn  # noqa: E402

IMPLS = ["fa2", "cudnn", "flex", "naive"]


def naive_sigmoid(q, k, v, scale, bias, causal):
    """[B, H, N, D] sigmoid attention, scores materialised."""
    s = torch.matmul(q, k.transpose(-1, -2)) * scale + bias
    p = torch.sigmoid(s)
    if causal:
        n, m = s.shape[-2], s.shape[-1]
        keep = torch.ones(n, m, dtype=torch.bool, device=s.device).tril(m - n)
        p = p * keep
    return torch.matmul(p, v)


def make_forward(impl, causal, scale, bias, n, flex_c, create_block_mask):
    """forward(q, k, v) on [B, H, N, D] tensors for `impl`."""
    if impl in ("fa2", "cudnn"):
        backend = (SDPBackend.FLASH_ATTENTION if impl == "fa2"
                   else SDPBackend.CUDNN_ATTENTION)

        def forward(q, k, v):
            with sdpa_kernel(backend):
                return F.scaled_dot_product_attention(q, k, v, is_causal=causal,
                                                      scale=scale)
        return forward
    if impl == "flex":
        bm = None
        if causal:
            bm = create_block_mask(lambda b_, h_, qi, ki: ki <= qi, None, None, n, n,
                                   device="cuda")
        return lambda q, k, v: flex_c(q, k, v, block_mask=bm, scale=scale)
    if impl == "naive":
        return lambda q, k, v: naive_sigmoid(q, k, v, scale, bias, causal)
    raise ValueError(impl)


def reference_grads(impl, q, k, v, do, causal, scale, bias, upcast):
    """dq, dk, dv from autograd of the math definition (softmax through
    SDPA's math backend, or the naive sigmoid), on fp32 copies if upcast."""
    ts = [t.detach().float() if upcast else t.detach() for t in (q, k, v)]
    for t in ts:
        t.requires_grad_(True)
    if impl == "naive":
        o = naive_sigmoid(*ts, scale, bias, causal)
    else:
        with sdpa_kernel(SDPBackend.MATH):
            o = F.scaled_dot_product_attention(*ts, is_causal=causal, scale=scale)
    return torch.autograd.grad(o, ts, do.float() if upcast else do)


def check(impl, forward, d, n, h, causal, scale, bias):
    """FlashAttention's rule on one sequence of n tokens: returns (ok, worst
    ratio of error to bound)."""
    gen = torch.Generator(device="cuda").manual_seed(1)
    q, k, v, do = (torch.randn(1, h, n, d, device="cuda", dtype=torch.bfloat16,
                               generator=gen) for _ in range(4))
    qs, ks, vs = (t.clone().requires_grad_(True) for t in (q, k, v))
    got = torch.autograd.grad(forward(qs, ks, vs), (qs, ks, vs), do)
    ref32 = reference_grads(impl, q, k, v, do, causal, scale, bias, upcast=True)
    reflow = reference_grads(impl, q, k, v, do, causal, scale, bias, upcast=False)
    worst = 0.0
    ok = True
    for g, r32, rl in zip(got, ref32, reflow):
        err = (g.float() - r32).abs().max().item()
        base = (rl.float() - r32).abs().max().item()
        bound = 2 * base + 1e-3 * r32.abs().max().item()
        ok = ok and err <= bound
        worst = max(worst, err / bound if bound > 0 else float("inf"))
    return ok, worst


def write_meta(args, t_start):
    """meta_backward.json in args.out: device, versions, arguments, date."""
    meta = {"device": torch.cuda.get_device_name(), "torch": torch.__version__,
            "cudnn": torch.backends.cudnn.version(), "args": vars(args),
            "seconds": round(time.time() - t_start, 1),
            "date": time.strftime("%Y-%m-%d %H:%M:%S %Z")}
    with open(os.path.join(args.out, "meta_backward.json"), "w") as f:
        json.dump(meta, f, indent=1)


def time_backward(forward, b, h, n, d, reps):
    """Median ms of the backward alone and of forward+backward of `forward`
    on random bf16 [B, H, N, D] tensors: {"bwd": ms, "fwd+bwd": ms}."""
    q, k, v = (torch.randn(b, h, n, d, device="cuda", dtype=torch.bfloat16,
                           requires_grad=True) for _ in range(3))
    do = torch.randn(b, h, n, d, device="cuda", dtype=torch.bfloat16)
    o = forward(q, k, v)
    bwd = lambda: torch.autograd.grad(o, (q, k, v), do, retain_graph=True)
    both = lambda: torch.autograd.grad(forward(q, k, v), (q, k, v), do)
    return {"bwd": time_fn(bwd, reps), "fwd+bwd": time_fn(both, reps)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--dims", type=int, nargs="+", default=[128, 64])
    ap.add_argument("--seqs", type=int, nargs="+",
                    default=[1024, 2048, 4096, 8192, 16384])
    ap.add_argument("--masks", nargs="+", default=["full", "causal"])
    ap.add_argument("--impls", nargs="+", default=IMPLS)
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--tokens", type=int, default=16384)
    ap.add_argument("--naive-max-n", type=int, default=4096,
                    help="largest N for the naive sigmoid (it materialises B H N^2 scores)")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    t_start = time.time()
    dev = torch.cuda.get_device_name(0)
    print("device:", dev, "| torch", torch.__version__, "| cudnn",
          torch.backends.cudnn.version(), flush=True)

    allow_many_compiled_shapes()
    # The backward-only timing calls autograd.grad repeatedly on one graph
    # (retain_graph=True), which a compiled backward with donated buffers
    # refuses.
    torch._functorch.config.donated_buffer = False
    from torch.nn.attention.flex_attention import create_block_mask, flex_attention
    flex_c = torch.compile(flex_attention, dynamic=False)

    path = os.path.join(args.out, "bench_backward.csv")
    fields = ["impl", "d", "n", "b", "h", "mask", "what", "ms", "tflops", "check_ok",
              "check_ratio", "note"]
    out = open(path, "w", newline="")
    writer = csv.DictWriter(out, fieldnames=fields)
    writer.writeheader()

    for d in args.dims:
        h = 2048 // d
        scale = 1.0 / math.sqrt(d)
        for n in args.seqs:
            b = max(1, args.tokens // n)
            bias = -math.log(n)
            for mask in args.masks:
                causal = mask == "causal"
                fwd_flops = 4 * b * h * n * n * d * (0.5 if causal else 1.0)
                for impl in args.impls:
                    row = dict(impl=impl, d=d, n=n, b=b, h=h, mask=mask, note="")
                    if impl == "naive" and n > args.naive_max_n:
                        continue
                    try:
                        # A fresh dynamo cache per shape: FlexAttention compiles
                        # a graph per shape, grad mode and block mask, and past
                        # dynamo's recompile limit it silently runs unfused
                        # (a first version of this script measured 15-31
                        # TFLOP/s that way).
                        torch._dynamo.reset()
                        n_check = min(n, 2048)
                        ok, ratio = check(
                            impl, make_forward(impl, causal, scale, bias, n_check, flex_c,
                                               create_block_mask),
                            d, n_check, h, causal, scale, bias)
                        forward = make_forward(impl, causal, scale, bias, n, flex_c,
                                               create_block_mask)
                        ms = time_backward(forward, b, h, n, d, args.reps)
                        timings = {"bwd": (ms["bwd"], 2.5),
                                   "fwd+bwd": (ms["fwd+bwd"], 3.5)}
                    except Exception as e:  # a peer that fails is reported, not timed
                        row.update(what="error", ms="", tflops="", check_ok="",
                                   check_ratio="", note=repr(e)[:200])
                        writer.writerow(row)
                        out.flush()
                        print("%-6s d=%d n=%5d %-6s ERROR %s" % (impl, d, n, mask, e),
                              flush=True)
                        continue
                    for what, (ms, factor) in timings.items():
                        tflops = factor * fwd_flops / (ms * 1e-3) / 1e12
                        row.update(what=what, ms="%.4f" % ms, tflops="%.1f" % tflops,
                                   check_ok=ok, check_ratio="%.3f" % ratio)
                        writer.writerow(dict(row))
                        print("%-6s d=%d n=%5d b=%2d %-6s %-7s %8.3f ms %6.1f TFLOP/s"
                              "  check %s (%.2f of bound)"
                              % (impl, d, n, b, mask, what, ms, tflops,
                                 "ok" if ok else "FAILED", ratio), flush=True)
                    out.flush()
                    torch.cuda.empty_cache()
    out.close()
    write_meta(args, t_start)
    print("wrote", path, "in %.0f s" % (time.time() - t_start), flush=True)


if __name__ == "__main__":
    sys.exit(main())
