#!/usr/bin/env python3
"""sigattn's backward kernels against cuDNN and FlashAttention-2 backward,
in one run on one GPU, the shapes and timing of bench_backward_peers.py:
bf16 [B, N, H, D], B * N = 16384, H = 2048 / D, L2 flushed before each call,
median of --reps.

sigattn's backward is its two kernels of one sigattn.attention_grad, launched
back to back on one stream (dk/dv, then dq), from a bundle made by

    python3 test/Integration/GPU/make_grad_kernels.py --bench --out DIR

(run-time scale 1/sqrt(D) and bias -log N). Before timing, each shape's
sigattn gradients are checked against autograd on fp32 (check_grad.py's
rule, on one sequence of at most 1024 tokens). TFLOP/s are credited at 2.5x
the forward's 4 B H N^2 D (half for causal), as FlashAttention counts a
backward; the peers are softmax attention through torch SDPA.

    python3 benchmarks/bench_backward.py BUNDLE --out DIR [--seqs ...]
"""

import argparse
import csv
import json
import math
import os
import sys
import time

import torch

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
sys.path.insert(0, os.path.join(here, "..", "test", "Integration", "GPU"))
import bench_backward_peers as peers  # noqa: E402
import check_grad  # noqa: E402
from bench_common import time_fn  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bundle")
    ap.add_argument("--out", required=True)
    ap.add_argument("--seqs", type=int, nargs="+",
                    default=[1024, 2048, 4096, 8192, 16384])
    ap.add_argument("--tokens", type=int, default=16384)
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--peers", nargs="*", default=["cudnn", "fa2"])
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.bundle, "grad_manifest.json")) as f:
        manifest = json.load(f)
    rows = []
    t_start = time.time()
    for op in manifest:
        d, h = op["d"], op["hq"]
        causal = op["window_right"] == 0
        mask = "causal" if causal else "full"
        kernels, fns = check_grad.load_pair(args.bundle, op)
        scale = float(torch.tensor(1.0 / math.sqrt(d), dtype=torch.float32))
        for n in args.seqs:
            b = max(1, args.tokens // n)
            bias = float(torch.tensor(-math.log(n), dtype=torch.float32))
            fwd_flops = 4 * b * h * n * n * d * (0.5 if causal else 1.0)
            # Check on one sequence of at most 1024 tokens.
            nc = min(n, 1024)
            gen = torch.Generator(device="cuda").manual_seed(3)
            q, k, v, do = (torch.randn(1, nc, h, d, generator=gen, device="cuda")
                           .to(torch.bfloat16) for _ in range(4))
            grads = [torch.empty_like(t) for t in (q, k, v)]
            check_grad.pair_launcher(kernels, fns, q, k, v, do, *grads, None,
                                     scale, bias)()
            torch.cuda.synchronize()
            ref = check_grad.grads(q.float(), k.float(), v.float(), do.float(),
                                   op, None, scale, bias, torch.float32)
            low = check_grad.grads(q, k, v, do, op, None, scale, bias,
                                   torch.bfloat16)
            ok, worst = True, 0.0
            for g, r, lo in zip(grads, ref, low):
                bound = 2 * (lo - r).abs().max().item() + \
                    2.0 ** -12 * r.abs().max().item()
                err = (g.float() - r).abs().max().item()
                ok = ok and err <= bound
                worst = max(worst, err / bound)
            q, k, v, do = (torch.randn(b, n, h, d, device="cuda",
                                       dtype=torch.bfloat16) for _ in range(4))
            grads = [torch.empty_like(t) for t in (q, k, v)]
            ms = time_fn(check_grad.pair_launcher(kernels, fns, q, k, v, do,
                                                  *grads, None, scale, bias),
                         args.reps)
            tflops = 2.5 * fwd_flops / (ms * 1e-3) / 1e12
            rows.append(dict(impl="sigattn", d=d, n=n, b=b, h=h, mask=mask,
                             ms="%.4f" % ms, tflops="%.1f" % tflops,
                             check="%s %.2f" % ("ok" if ok else "FAILED", worst)))
            print("sigattn d=%d n=%5d b=%2d %-6s bwd %8.3f ms %6.1f TFLOP/s  "
                  "check %s (%.2f of bound)" % (d, n, b, mask, ms, tflops,
                                                "ok" if ok else "FAILED", worst),
                  flush=True)
            del q, k, v, do, grads
            for impl in args.peers:
                forward = peers.make_forward(impl, causal, scale, bias, n, None,
                                             None)
                ms = peers.time_backward(forward, b, h, n, d, args.reps)["bwd"]
                tflops = 2.5 * fwd_flops / (ms * 1e-3) / 1e12
                rows.append(dict(impl=impl, d=d, n=n, b=b, h=h, mask=mask,
                                 ms="%.4f" % ms, tflops="%.1f" % tflops,
                                 check=""))
                print("%-7s d=%d n=%5d b=%2d %-6s bwd %8.3f ms %6.1f TFLOP/s"
                      % (impl, d, n, b, mask, ms, tflops), flush=True)
                torch.cuda.empty_cache()
    path = os.path.join(args.out, "backward.csv")
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    peers.write_meta(args, t_start)
    print("wrote", path)


if __name__ == "__main__":
    sys.exit(main())
