#!/usr/bin/env python3
"""sigattn's backward and forward+backward against cuDNN, FlashAttention-2
and FlexAttention, in one run on one GPU, the shapes and timing of
bench_backward_peers.py: bf16 [B, N, H, D], B * N = 16384, H = 2048 / D, L2
flushed before each call, median of --reps.

sigattn's backward is its two kernels of one sigattn.attention_grad, launched
back to back on one stream (dk/dv, then dq); its forward+backward is the
forward kernel of the same op, then those two. Both come from a bundle made by

    python3 test/Integration/GPU/make_grad_kernels.py --bench --out DIR

(run-time scale 1/sqrt(D) and bias -log N; the forward with the pipeline's
defaults). Before timing, each shape's sigattn gradients are checked
against autograd on fp32 (check_grad.py's rule, on one sequence of at most
1024 tokens). TFLOP/s are credited at 2.5x (backward) and 3.5x
(forward+backward) the forward's 4 B H N^2 D (half for causal), as
FlashAttention counts them; the peers are softmax attention (torch SDPA,
FlexAttention compiled per shape) timed by bench_backward_peers.time_backward
(autograd.grad; forward+backward includes autograd's own work, as a
training step would). Writes backward.csv, backward.md (ratios) and one
PNG per (D, mask, what).

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
import torch._functorch.config  # noqa: F401 - configured in main()

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
sys.path.insert(0, os.path.join(here, "..", "test", "Integration", "GPU"))
import bench_backward_peers as peers  # noqa: E402
import check_grad  # noqa: E402
import tensor_maps  # noqa: E402
from bench_common import allow_many_compiled_shapes, time_fn  # noqa: E402

PEERS = ["cudnn", "fa2", "flex"]


def forward_launcher(bundle, op, q, k, v, out, scale, bias):
    """A callable that launches the op's forward kernel (manifest
    "forward_ptx") on [B, N, H, D] tensors."""
    import cupy as cp
    path = os.path.join(bundle, op["forward_ptx"])
    with open(path + ".json") as f:
        desc = json.load(f)["kernels"][0]
    fn = cp.RawModule(path=path).get_function(desc["name"])
    fn.max_dynamic_shared_size_bytes = desc["dynamic_shared_memory"]
    B, N, H = q.shape[0], q.shape[1], q.shape[2]
    grid = (-(-N // desc["block_q"]), H, B)
    args = tuple(tensor_maps.launch_args(desc, q, k, v, out, None, scale, bias))

    def run():
        fn(grid, (desc["block_threads"], 1, 1), args,
           shared_mem=desc["dynamic_shared_memory"])
    return run


def report(rows, out_dir):
    """backward.md: TFLOP/s per shape and ours over each peer; a PNG per
    (D, mask, what) of TFLOP/s against N."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    table = {}
    for r in rows:
        if r["tflops"]:
            table[(r["d"], r["mask"], r["what"], r["n"], r["impl"])] = \
                float(r["tflops"])
    keys = sorted({(r["d"], r["mask"], r["what"]) for r in rows
                   if r["what"] in ("bwd", "fwd+bwd")},
                  key=lambda k: (-k[0], k[1], k[2]))
    impls = ["sigattn"] + [i for i in PEERS
                           if any(r["impl"] == i for r in rows)]
    lines = ["| D | mask | what | N | " + " | ".join(impls) + " | " +
             " | ".join("ours/" + i for i in impls[1:]) + " |",
             "|---" * (4 + 2 * len(impls) - 1) + "|"]
    for d, mask, what in keys:
        ns = sorted({r["n"] for r in rows if (r["d"], r["mask"], r["what"])
                     == (d, mask, what)})
        fig, ax = plt.subplots(figsize=(6, 4))
        for impl in impls:
            pts = [(n, table[(d, mask, what, n, impl)]) for n in ns
                   if (d, mask, what, n, impl) in table]
            if pts:
                ax.plot(*zip(*pts), marker="o", label=impl)
        for n in ns:
            vals = [table.get((d, mask, what, n, i)) for i in impls]
            ours = vals[0]
            lines.append("| %d | %s | %s | %d | %s | %s |" % (
                d, mask, what, n,
                " | ".join("%.0f" % v if v else "-" for v in vals),
                " | ".join("%.2f" % (ours / v) if ours and v else "-"
                           for v in vals[1:])))
        ax.set_xscale("log", base=2)
        ax.set_xlabel("N (B = 16384 / N, H = %d)" % (2048 // d))
        ax.set_ylabel("TFLOP/s (%s credit)" % ("2.5x" if what == "bwd"
                                                else "3.5x"))
        ax.set_title("%s, D = %d, %s, bf16, %s" % (what, d, mask,
                                                  torch.cuda.get_device_name()))
        ax.grid(alpha=0.3)
        ax.legend()
        fig.tight_layout()
        fig.savefig(os.path.join(out_dir, "%s_d%d_%s.png" % (
            what.replace("+", "_"), d, mask)), dpi=110)
        plt.close(fig)
    with open(os.path.join(out_dir, "backward.md"), "w") as f:
        f.write("\n".join(lines) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bundle")
    ap.add_argument("--out", required=True)
    ap.add_argument("--seqs", type=int, nargs="+",
                    default=[1024, 2048, 4096, 8192, 16384])
    ap.add_argument("--tokens", type=int, default=16384)
    ap.add_argument("--dims", type=int, nargs="+", default=[128, 64])
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--peers", nargs="*", default=PEERS)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    # FlexAttention: one compiled graph per shape (bench_backward_peers'
    # settings; a backward timed on a retained graph needs buffers not
    # donated).
    allow_many_compiled_shapes()
    torch._functorch.config.donated_buffer = False
    from torch.nn.attention.flex_attention import (create_block_mask,
                                                   flex_attention)
    flex_c = torch.compile(flex_attention, dynamic=False)
    with open(os.path.join(args.bundle, "grad_manifest.json")) as f:
        manifest = json.load(f)
    rows = []
    t_start = time.time()
    for op in [o for o in manifest if o["d"] in args.dims]:
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
            out = torch.empty_like(q)
            backward = check_grad.pair_launcher(kernels, fns, q, k, v, do,
                                                *grads, None, scale, bias)
            forward = forward_launcher(args.bundle, op, q, k, v, out, scale,
                                       bias)

            def both():
                forward()
                backward()
            timings = {"bwd": (time_fn(backward, args.reps), 2.5),
                       "fwd+bwd": (time_fn(both, args.reps), 3.5)}
            # Where the backward's time goes: each kernel alone, and the
            # forward alone (TFLOP/s of these rows: the whole backward's, or
            # the forward's, FLOPs over the kernel's time).
            for kind in ("attention_grad_kv", "attention_grad_q"):
                alone = check_grad.pair_launcher(kernels, fns, q, k, v, do,
                                                 *grads, None, scale, bias,
                                                 kinds=(kind,))
                timings["bwd:" + kind[len("attention_grad_"):]] = (
                    time_fn(alone, args.reps), 2.5)
            timings["fwd"] = (time_fn(forward, args.reps), 1.0)
            note = "%s %.2f" % ("ok" if ok else "FAILED", worst)
            for what, (ms, factor) in timings.items():
                tflops = factor * fwd_flops / (ms * 1e-3) / 1e12
                rows.append(dict(impl="sigattn", d=d, n=n, b=b, h=h, mask=mask,
                                 what=what, ms="%.4f" % ms,
                                 tflops="%.1f" % tflops, check=note))
                print("sigattn d=%d n=%5d b=%2d %-6s %-7s %8.3f ms %6.1f "
                      "TFLOP/s  check %s" % (d, n, b, mask, what, ms, tflops,
                                             note), flush=True)
            del q, k, v, do, grads, out
            for impl in args.peers:
                try:
                    # A fresh dynamo cache per shape (bench_backward_peers).
                    torch._dynamo.reset()
                    peer = peers.make_forward(impl, causal, scale, bias, n,
                                              flex_c, create_block_mask)
                    ms = peers.time_backward(peer, b, h, n, d, args.reps)
                except Exception as e:  # reported, not timed
                    rows.append(dict(impl=impl, d=d, n=n, b=b, h=h, mask=mask,
                                     what="error", ms="", tflops="",
                                     check=repr(e)[:200]))
                    print("%-7s d=%d n=%5d ERROR %s" % (impl, d, n, e),
                          flush=True)
                    continue
                for what, factor in (("bwd", 2.5), ("fwd+bwd", 3.5)):
                    tflops = factor * fwd_flops / (ms[what] * 1e-3) / 1e12
                    rows.append(dict(impl=impl, d=d, n=n, b=b, h=h, mask=mask,
                                     what=what, ms="%.4f" % ms[what],
                                     tflops="%.1f" % tflops, check=""))
                    print("%-7s d=%d n=%5d b=%2d %-6s %-7s %8.3f ms %6.1f "
                          "TFLOP/s" % (impl, d, n, b, mask, what, ms[what],
                                       tflops), flush=True)
                torch.cuda.empty_cache()
    path = os.path.join(args.out, "backward.csv")
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    peers.write_meta(args, t_start)
    report(rows, args.out)
    print("wrote", path, "backward.md and plots in %.0f s"
          % (time.time() - t_start))


if __name__ == "__main__":
    sys.exit(main())
