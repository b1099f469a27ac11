#!/usr/bin/env python3
"""Strided against contiguous tensors, the same sigattn kernel (issue 10):
each layout's median over `--rounds` interleaved rounds (so that clocks and
heat fall on every layout alike), L2 flushed before each call.

    python3 benchmarks/layout_overhead.py --bundle BENCH_BUNDLE [--rounds 7]

Layouts: contiguous [B, N, H, D]; "bhnd": each tensor PyTorch's [B, H, N, D]
viewed as [B, N, H, D]; "packed": q, k, v sliced out of one [B, N, 3H, D]
tensor (out contiguous). Prints the ratio strided / contiguous per shape.
"""

import argparse
import os
import statistics
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_attention as ba  # noqa: E402


def layouts(q, k, v, h):
    out = torch.full_like(q, float("nan"))
    yield "contiguous", (q, k, v, out)
    yield "bhnd", tuple(t.transpose(1, 2).contiguous().transpose(1, 2)
                        for t in (q, k, v, out))
    qkv = torch.cat([q, k, v], dim=2)
    yield "packed", tuple(qkv[:, :, i * h:(i + 1) * h] for i in range(3)) + (
        torch.full_like(q, float("nan")),)


def abi1_launcher(kernels, d, n, mask, q, k, v, outs):
    """A launch of the ABI 1 kernel (pointers, B, Nq, Nk) on the contiguous
    tensors, into its own output; its result joins `outs`."""
    import cupy
    import numpy as np
    e = kernels.find(d, n, mask)
    if e.get("loads", "cp.async") != "cp.async":
        raise SystemExit("--baseline takes cp.async kernels only")
    mod = cupy.RawModule(path=os.path.join(kernels.bundle, e["ptx"]))
    fn = mod.get_function(e["name"])
    fn.max_dynamic_shared_size_bytes = e["dynamic_shared_memory"]
    out = torch.full_like(q, float("nan"))
    outs["abi1"] = out
    B, N, H, _ = q.shape
    args = tuple([np.uint64(t.data_ptr()) for t in (q, k, v, out)]
                 + [np.int64(B), np.int64(N), np.int64(k.shape[1])])
    grid = ((N + e["block_q"] - 1) // e["block_q"], H, B)
    kernels.loaded[e["ptx"]] = (mod, fn)
    keep = (q, k, v, out)  # the launch holds raw addresses
    return lambda keep=keep: fn(grid, (e["block_threads"], 1, 1), args,
                                shared_mem=e["dynamic_shared_memory"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bundle", required=True)
    ap.add_argument("--dims", type=int, nargs="+", default=[64, 128])
    ap.add_argument("--seqs", type=int, nargs="+", default=[4096, 8192])
    ap.add_argument("--masks", nargs="+", default=["full", "causal"])
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--tokens", type=int, default=16384)
    ap.add_argument("--baseline", default=None,
                    help="a bundle of the same kernels built before strides "
                         "(ABI 1: pointers and sizes only; cp.async kernels "
                         "only), timed on the contiguous tensors alongside")
    args = ap.parse_args()
    kernels = ba.SigattnKernels(args.bundle)
    baseline = ba.SigattnKernels(args.baseline) if args.baseline else None
    print("device:", torch.cuda.get_device_name(0))
    for d in args.dims:
        h = 2048 // d
        for n in args.seqs:
            b = max(args.tokens // n, 1)
            q, k, v = (torch.randn(b, n, h, d, device="cuda",
                                   dtype=torch.bfloat16) for _ in range(3))
            for mask in args.masks:
                e = kernels.find(d, n, mask)
                if e is None:
                    continue
                calls = {}
                outs = {}
                for name, (qs, ks, vs, out) in layouts(q, k, v, h):
                    calls[name] = kernels.launcher(e, qs, ks, vs, out)
                    outs[name] = out
                if baseline is not None:
                    calls["abi1"] = abi1_launcher(baseline, d, n, mask,
                                                  q, k, v, outs)
                times = {name: [] for name in calls}
                for _ in range(args.rounds):
                    for name, call in calls.items():
                        times[name].append(ba.time_fn(call, args.reps))
                differ = [name for name in outs
                          if not torch.equal(outs[name], outs["contiguous"])]
                for name in differ:
                    diff = (outs[name].float() - outs["contiguous"].float()).abs()
                    print("  %s differs from contiguous in %d elements, max "
                          "%.3g (NaN: %d, %d)"
                          % (name, int((diff != 0).sum()), diff.max().item(),
                             int(outs[name].isnan().sum()),
                             int(outs["contiguous"].isnan().sum())))
                same = not differ
                med = {name: statistics.median(t) for name, t in times.items()}
                c = med["contiguous"]
                extra = ""
                if "abi1" in med:
                    extra = "  before strides (ABI 1) %.4f ms (%+.1f%%)" % (
                        med["abi1"], 100 * (med["abi1"] / c - 1))
                print("D=%3d N=%5d %-6s contiguous %.4f ms  bhnd %.4f ms "
                      "(%+.1f%%)  packed %.4f ms (%+.1f%%)  outputs %s%s"
                      % (d, n, mask, c, med["bhnd"], 100 * (med["bhnd"] / c - 1),
                         med["packed"], 100 * (med["packed"] / c - 1),
                         "bitwise equal" if same else "DIFFER", extra),
                      flush=True)


if __name__ == "__main__":
    main()
