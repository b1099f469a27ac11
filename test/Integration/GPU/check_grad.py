#!/usr/bin/env python3
"""The backward kernels on the GPU, against PyTorch autograd (FlashAttention's
rule): for every op of a bundle from make_grad_kernels.py, launches its
attention_grad_kv kernel, then its attention_grad_q kernel (found by kind
and partner in the JSON), on q, k, v, dO at several (B, Nq, Nk), with dq,
dk, dv poisoned (NaN) inside guard zones, and checks for each gradient g

    max |g - g32| <= 2 max |g_lowp - g32| + 2^-12 max |g32| + tanh term,

g32 the gradient of the op's definition by autograd on fp32-upcast inputs,
g_lowp the same in the element type, the tanh term the elementwise bound of
the tanh.approx sigmoid's error in P (check_kernels.py's measured
SIGMOID_ABS_ERROR, 2^-17.9) carried through dv = P^T dO and dq, dk =
scale dS K, scale dS^T Q (dS = dP P (1 - P)). Guards must be
untouched, every element finite. Then two launches must agree bitwise
(the two-kernel scheme writes every element once: deterministic). The
first two shapes of each op run again with every tensor stored [B, H, N,
dim] (strided views); ops with static sizes run at those.

    python3 test/Integration/GPU/check_grad.py BUNDLE [--quick]

Last line: "N passed, N failed".
"""

import argparse
import json
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tensor_maps  # noqa: E402
from check_kernels import SIGMOID_ABS_ERROR  # noqa: E402

GUARD = 4096  # elements of poison before and after each gradient
SHAPES = [(2, 128, 128), (1, 77, 203), (2, 203, 77), (1, 1, 1), (1, 256, 256),
          (1, 1000, 1000)]


def definition(q, k, v, op, slopes, scale, bias):
    """The op's forward definition in q's dtype, for autograd."""
    import torch
    B, Nq, Hq, D = q.shape
    Nk, Hkv = k.shape[1], k.shape[2]
    g = Hq // Hkv
    k = k.repeat_interleave(g, dim=2)
    v = v.repeat_interleave(g, dim=2)
    s = torch.einsum("bihd,bjhd->bhij", q, k) * scale + bias
    i = torch.arange(Nq, device=q.device)[:, None]
    j = torch.arange(Nk, device=q.device)[None, :]
    diag = i + Nk - Nq
    if slopes is not None:
        dist = (diag - j).abs().to(q.dtype)
        s = s - slopes.to(q.dtype)[None, :, None, None] * dist
    visible = torch.ones(Nq, Nk, dtype=torch.bool, device=q.device)
    if op["window_left"] >= 0:
        visible &= j >= diag - op["window_left"]
    if op["window_right"] >= 0:
        visible &= j <= diag + op["window_right"]
    p = torch.sigmoid(s) * visible.to(q.dtype)
    return torch.einsum("bhij,bjhd->bihd", p, v), p, visible


def grads(q, k, v, do, op, slopes, scale, bias, dtype):
    import torch
    leaves = [t.detach().to(dtype).requires_grad_(True) for t in (q, k, v)]
    out, _, _ = definition(*leaves, op, slopes, scale, bias)
    out.backward(do.to(dtype))
    return [t.grad.float() for t in leaves]


def tanh_terms(q, k, v, do, op, slopes, scale, bias):
    """Elementwise bounds of what the sigmoid's error in P
    (SIGMOID_ABS_ERROR) does to dq, dk, dv (fp32)."""
    import torch
    q, k, v, do = (t.float() for t in (q, k, v, do))
    _, p, visible = definition(q, k, v, op, slopes, scale, bias)
    B, Nk, Hkv = k.shape[0], k.shape[1], k.shape[2]
    g = q.shape[2] // Hkv
    k, v = k.repeat_interleave(g, dim=2), v.repeat_interleave(g, dim=2)
    e = SIGMOID_ABS_ERROR * visible.float()  # [Nq, Nk]
    dp = torch.einsum("bihd,bjhd->bhij", do, v).abs()
    dv = torch.einsum("ij,bihd->bjhd", e, do.abs())
    # dS's error: e_P |dP| |1 - 2P| <= e_P |dP|.
    ds = dp * e
    dq = scale * torch.einsum("bhij,bjhd->bihd", ds, k.abs())
    dk = scale * torch.einsum("bhij,bihd->bjhd", ds, q.abs())

    def per_kv_head(t):  # the sum over a group's query heads
        return t.view(B, Nk, Hkv, g, t.shape[-1]).sum(3)
    return dq, per_kv_head(dk), per_kv_head(dv)


def load_pair(bundle, op):
    """The two kernels of `op` (a manifest entry): their descriptions by
    kind, and CuPy functions by kind, ready for their shared memory."""
    import cupy as cp
    with open(os.path.join(bundle, op["ptx"] + ".json")) as f:
        kernels = {k["kind"]: k for k in json.load(f)["kernels"]}
    mod = cp.RawModule(path=os.path.join(bundle, op["ptx"]))
    fns = {}
    for desc in kernels.values():
        fn = mod.get_function(desc["name"])
        fn.max_dynamic_shared_size_bytes = desc["dynamic_shared_memory"]
        fns[desc["kind"]] = fn
    return kernels, fns


def pair_launcher(kernels, fns, q, k, v, do, dq, dk, dv, slopes, scale, bias,
                  kinds=("attention_grad_kv", "attention_grad_q")):
    """A callable that launches dk/dv, then dq, on [B, N, H, dim] tensors,
    back to back on the current stream (only the kernels of `kinds`)."""
    kv, qk = kernels["attention_grad_kv"], kernels["attention_grad_q"]
    B, Nq, Hq = q.shape[0], q.shape[1], q.shape[2]
    Nk, Hkv = k.shape[1], k.shape[2]
    launches = []
    for desc, tensors, grid in (
            (kv, [q, k, v, do, dk, dv], (-(-Nk // kv["block_k"]), Hkv, B)),
            (qk, [q, k, v, do, dq], (-(-Nq // qk["block_q"]), Hq, B))):
        if desc["kind"] not in kinds:
            continue
        args = tuple(tensor_maps.kernel_args(
            desc, tensors, slopes,
            scale if desc["scale"] == "param" else None,
            bias if desc["bias"] == "param" else None))
        launches.append((fns[desc["kind"]], grid, (desc["block_threads"], 1, 1),
                         args, desc["dynamic_shared_memory"]))

    def run():
        for fn, grid, block, args, smem in launches:
            fn(grid, block, args, shared_mem=smem)
    return run


def guarded(shape, dtype, dev, transposed=False):
    """A [B, N, H, dim] tensor of `shape` inside NaN guard zones, itself NaN;
    stored [B, H, N, dim] if `transposed`."""
    import torch
    n = math.prod(shape)
    raw = torch.full((n + 2 * GUARD,), float("nan"), dtype=dtype, device=dev)
    if transposed:
        b, s, h, d = shape
        return raw, raw[GUARD:GUARD + n].view(b, h, s, d).permute(0, 2, 1, 3)
    return raw, raw[GUARD:GUARD + n].view(*shape)


def transposed(t):
    """The [B, N, H, dim] tensor `t` stored [B, H, N, dim]: a strided view."""
    return t.permute(0, 2, 1, 3).contiguous().permute(0, 2, 1, 3)


def main():
    import torch
    ap = argparse.ArgumentParser()
    ap.add_argument("bundle")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only", default="",
                    help="only ops whose name contains this")
    ap.add_argument("--perturb-scale", type=float, default=0.0,
                    help="negative control: the reference's scale times "
                         "(1 + this); the checks must fail")
    args = ap.parse_args()
    with open(os.path.join(args.bundle, "grad_manifest.json")) as f:
        manifest = json.load(f)
    dev = torch.device("cuda")
    passed = failed = 0
    worst = {}
    shapes = SHAPES[:4] if args.quick else SHAPES
    for op in manifest:
        if args.only not in op["name"]:
            continue
        kernels, fns = load_pair(args.bundle, op)
        kv, qk = kernels.get("attention_grad_kv"), kernels.get("attention_grad_q")
        problems = []
        if not kv or not qk:
            problems.append("kinds %s" % sorted(kernels))
        elif kv.get("partner") != qk["name"] or qk.get("partner") != kv["name"]:
            problems.append("partners %r, %r" % (kv.get("partner"),
                                                 qk.get("partner")))
        if problems:
            failed += 1
            print("FAIL %s: %s" % (op["name"], "; ".join(problems)))
            continue
        dtype = torch.bfloat16 if op["dtype"] == "bf16" else torch.float16
        gen = torch.Generator(device=dev).manual_seed(11)
        # A kernel with static sizes runs at those only; the first two
        # shapes also run with every tensor stored [B, H, N, dim] (strided).
        cases = [(tuple(op["static"]), "contiguous")] if op.get("static") \
            else [(s, "contiguous") for s in shapes]
        cases += [(s, "transposed") for s, _ in cases[:2]]
        for (B, Nq, Nk), layout in cases:
            hq, hkv, d, dv = op["hq"], op["hkv"], op["d"], op["dv"]

            def randn(*shape):
                return torch.randn(*shape, generator=gen, device=dev).to(dtype)
            q, k, v = randn(B, Nq, hq, d), randn(B, Nk, hkv, d), randn(B, Nk, hkv, dv)
            do = randn(B, Nq, hq, dv)
            if layout == "transposed":
                q, k, v, do = (transposed(t) for t in (q, k, v, do))
            slopes = (torch.rand(hq, generator=gen, device=dev) * 0.5
                      if op["alibi"] else None)
            scale, bias = op["scale"], op["bias"]
            if op["runtime"]:
                scale, bias = 0.3, -math.log(Nk)
            scale = float(torch.tensor(scale, dtype=torch.float32))
            bias = float(torch.tensor(bias, dtype=torch.float32))

            def launch():
                outs = {}
                raws = {}
                for name, shape in (("dq", (B, Nq, hq, d)), ("dk", (B, Nk, hkv, d)),
                                    ("dv", (B, Nk, hkv, dv))):
                    raws[name], outs[name] = guarded(shape, dtype, dev,
                                                     layout == "transposed")
                pair_launcher(kernels, fns, q, k, v, do, outs["dq"],
                              outs["dk"], outs["dv"], slopes, scale, bias)()
                torch.cuda.synchronize()
                return raws, outs

            raws, outs = launch()
            rscale = scale * (1 + args.perturb_scale)
            g32 = grads(q.float(), k.float(), v.float(), do.float(), op,
                        slopes, rscale, bias, torch.float32)
            glow = grads(q, k, v, do, op, slopes, rscale, bias, dtype)
            terms = tanh_terms(q, k, v, do, op, slopes, rscale, bias)
            label = "%s B=%d Nq=%d Nk=%d %s" % (op["name"], B, Nq, Nk, layout)
            bad = []
            for name, ref, low, term in zip(("dq", "dk", "dv"), g32, glow, terms):
                got = outs[name].float()
                raw = raws[name]
                if not torch.isnan(raw[:GUARD]).all() or \
                        not torch.isnan(raw[-GUARD:]).all():
                    bad.append("%s guard zone written" % name)
                    continue
                if not torch.isfinite(got).all():
                    bad.append("%s has %d non-finite elements" % (
                        name, int((~torch.isfinite(got)).sum())))
                    continue
                err = (got - ref).abs()
                allow = 2 * (low - ref).abs().max() + \
                    2.0 ** -12 * ref.abs().max() + term
                excess = (err - allow).max().item()
                ratio = (err / allow.clamp_min(1e-30)).max().item()
                worst[name] = max(worst.get(name, 0.0), ratio)
                if excess > 0:
                    idx = int((err - allow).argmax())
                    bad.append("%s off by %.3g (allowed %.3g) at flat %d" % (
                        name, err.flatten()[idx].item(),
                        allow.flatten()[idx].item(), idx))
            # Determinism: the same launch again, bitwise.
            if not bad:
                _, again = launch()
                for name in ("dq", "dk", "dv"):
                    if not torch.equal(outs[name].view(torch.int16),
                                       again[name].view(torch.int16)):
                        bad.append("%s differs between two launches" % name)
            if bad:
                failed += 1
                print("FAIL %s: %s" % (label, "; ".join(bad)))
            else:
                passed += 1
                print("ok %s" % label)
    print("worst error / allowance: %s" % ", ".join(
        "%s %.3f" % kv_ for kv_ in sorted(worst.items())))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
