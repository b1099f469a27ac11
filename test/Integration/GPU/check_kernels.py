#!/usr/bin/env python3
"""GPU correctness suite for sigattn kernels (needs an NVIDIA GPU, PyTorch
and CuPy; run on the H100 machine).

For every kernel of a bundle made by make_kernels.py and every (Nq, Nk) of
FlashSigmoid's grid, it draws fresh inputs, poisons the output with NaN,
launches the kernel through its ABI (docs/KernelABI.md), and compares with
the op's definition evaluated by PyTorch:

    max|out - ref_fp32| <= 2 * max|ref_lowp - ref_fp32| + atol

where ref_lowp is the same computation done in the input precision
(FlashAttention's rule) and atol = 2**-12 * max|ref_fp32| covers the
tanh.approx.f32 sigmoid (absolute error about 2**-12 on P, which the bf16
reference does not make).

    python3 test/Integration/GPU/check_kernels.py .gpu-bundle [--quick]
"""

import argparse
import json
import math
import os
import sys

import cupy
import numpy as np
import torch

SHAPES = [(113, 203), (128, 217), (113, 211), (108, 256), (256, 512),
          (512, 256), (1024, 1024), (1023, 1024), (1024, 1023), (2048, 2048),
          (1, 77), (1, 1), (77, 1)]
BATCH = 2
DTYPES = {"bf16": torch.bfloat16, "f16": torch.float16}


def reference(q, k, v, info, slopes, dtype):
    """The op's definition, computed in `dtype` (q, k, v already in it)."""
    B, Nq, Hq, D = q.shape
    Nk, Hkv = k.shape[1], k.shape[2]
    g = Hq // Hkv
    k = k.repeat_interleave(g, dim=2)
    v = v.repeat_interleave(g, dim=2)
    s = torch.einsum("bihd,bjhd->bhij", q, k)
    s = s * info["scale"] + info["bias"]
    i = torch.arange(Nq, device=q.device)[:, None]
    j = torch.arange(Nk, device=q.device)[None, :]
    diag = i + Nk - Nq
    if slopes is not None:
        sl = slopes if slopes.dim() == 2 else slopes[None, :].expand(B, Hq)
        dist = (diag - j).abs().to(dtype)
        s = s - sl.to(dtype)[:, :, None, None] * dist
    p = torch.sigmoid(s)
    visible = torch.ones(Nq, Nk, dtype=torch.bool, device=q.device)
    if info["window_left"] >= 0:
        visible &= j >= diag - info["window_left"]
    if info["window_right"] >= 0:
        visible &= j <= diag + info["window_right"]
    p = p * visible.to(dtype)
    return torch.einsum("bhij,bjhd->bihd", p, v)


def run_case(fn, info, ref_info, nq, nk, gen):
    dtype = DTYPES[info["element_type"]]
    hq, hkv = info["num_query_heads"], info["num_kv_heads"]
    d, dv = info["head_dim"], info["value_dim"]
    dev = "cuda"
    q = torch.randn(BATCH, nq, hq, d, generator=gen, device=dev).to(dtype)
    k = torch.randn(BATCH, nk, hkv, d, generator=gen, device=dev).to(dtype)
    v = torch.randn(BATCH, nk, hkv, dv, generator=gen, device=dev).to(dtype)
    slopes = None
    if info["alibi"] == "head":
        slopes = torch.rand(hq, generator=gen, device=dev) * 0.3
    elif info["alibi"] == "batch_head":
        slopes = torch.rand(BATCH, hq, generator=gen, device=dev) * 0.3
    out = torch.full((BATCH, nq, hq, dv), float("nan"), dtype=dtype, device=dev)

    args = [np.uint64(t.data_ptr()) for t in (q, k, v, out)]
    if slopes is not None:
        args.append(np.uint64(slopes.data_ptr()))
    args += [np.int64(BATCH), np.int64(nq), np.int64(nk)]
    grid = ((nq + info["block_q"] - 1) // info["block_q"], hq, BATCH)
    torch.cuda.synchronize()
    fn(grid, (info["block_threads"], 1, 1), tuple(args),
       shared_mem=info["dynamic_shared_memory"])
    cupy.cuda.runtime.deviceSynchronize()

    ref32 = reference(q.float(), k.float(), v.float(), ref_info, slopes,
                      torch.float32)
    reflp = reference(q, k, v, ref_info, slopes, dtype).float()
    outf = out.float()
    unwritten = int(torch.isnan(outf).sum())
    err = (outf - ref32).abs().max().item() if unwritten == 0 else float("nan")
    err_lp = (reflp - ref32).abs().max().item()
    atol = 2.0 ** -12 * ref32.abs().max().item()
    bound = 2 * err_lp + atol
    ok = unwritten == 0 and err <= bound
    return ok, err / bound, err, err_lp, atol, unwritten


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bundle")
    ap.add_argument("--quick", action="store_true", help="fewer shapes")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--perturb-bias", type=float, default=0.0,
                    help="negative control: check against a reference whose "
                         "bias is off by this much (every case must fail)")
    args = ap.parse_args()
    with open(os.path.join(args.bundle, "manifest.json")) as f:
        manifest = json.load(f)
    shapes = SHAPES[:4] + SHAPES[-3:] if args.quick else SHAPES
    gen = torch.Generator(device="cuda")
    gen.manual_seed(args.seed)
    print("device:", torch.cuda.get_device_name(0))
    passed = failed = 0
    for info in manifest:
        mod = cupy.RawModule(path=os.path.join(args.bundle, info["ptx"]))
        fn = mod.get_function(info["name"])
        fn.max_dynamic_shared_size_bytes = info["dynamic_shared_memory"]
        ref_info = dict(info, bias=info["bias"] + args.perturb_bias)
        worst = 0.0
        for nq, nk in shapes:
            ok, ratio, err, err_lp, atol, unwritten = run_case(
                fn, info, ref_info, nq, nk, gen)
            worst = max(worst, ratio) if not math.isnan(ratio) else float("nan")
            passed += ok
            failed += not ok
            if not ok:
                print("FAIL %s %s D=%d Hkv=%d alibi=%s window=[%d,%d] bias=%g "
                      "Nq=%d Nk=%d: err=%.3g ref_lowp_err=%.3g atol=%.3g unwritten=%d"
                      % (info["ptx"], info["element_type"], info["head_dim"],
                         info["num_kv_heads"], info["alibi"], info["window_left"],
                         info["window_right"], info["bias"], nq, nk, err, err_lp,
                         atol, unwritten))
        print("%-7s %-5s D=%-3d Hkv=%d alibi=%-10s window=[%d,%d] bias=%-8g "
              "worst err/bound %.3f"
              % (info["ptx"], info["element_type"], info["head_dim"],
                 info["num_kv_heads"], info["alibi"], info["window_left"],
                 info["window_right"], info["bias"], worst))
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(0 if failed == 0 else 1)


if __name__ == "__main__":
    main()
