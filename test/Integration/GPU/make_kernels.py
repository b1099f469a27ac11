#!/usr/bin/env python3
"""Compiles the GPU correctness suite's kernels with sigattn-opt.

For each configuration it writes an example op, runs sigattn-gpu-pipeline on
it, and collects the PTX and its JSON description in a bundle folder, with a
manifest.json that check_kernels.py and run-suite.sh read on the GPU machine.

The configurations:
  - the matrix: element type x D = Dv x mask (none, causal, random window),
    each with one of the ALiBi / GQA variants; scale is the op's default, the
    bias is drawn from U(-10, 2), windows at random;
  - D != Dv (64/128 and 128/64);
  - the mask's written forms: causal with a window (causal sets the right
    side to 0), window = [-1, 0], window = [-1, -1]; explicit scales;
  - static B, Nq and/or Nk (run only at those sizes);
  - scale and/or bias as f32 values given at run time (`scale(%s : f32)`,
    `bias(%b : f32)`): the kernel takes them as parameters, and
    check_kernels.py passes a bias of -log(Nk) per shape, so one kernel
    runs with a different bias at every size.

The manifest records, for every kernel, the op as written here and what the
kernel's JSON must say about it, derived from the op's definition (README,
docs/KernelABI.md) and never from the compiler's output: check_kernels.py
compares the two field by field and computes its reference from this record,
so a compiler bug that changes a kernel and its JSON together still fails.

    python3 test/Integration/GPU/make_kernels.py --out .gpu-bundle \
        [--sigattn-opt build/bin/sigattn-opt] [--quick] \
        [--pipeline-options 'block-k=16'] [--allow-compile-failures]

A kernel that does not compile is fatal, unless --allow-compile-failures
(meant for testing the compiler while static shapes are being fixed): then it
is reported, left out of the manifest and listed in compile_failures.json,
which run-suite.sh counts as failures.
"""

import argparse
import json
import math
import os
import random
import struct
import subprocess
import sys

HQ = 6  # query heads: Hkv = 6 (MHA), 2 (GQA, Hq/3), 1 (MQA)


def f32(x):
    """x rounded to the nearest float32 (what an f32 attribute holds)."""
    return struct.unpack("f", struct.pack("f", x))[0]


def dim(n):
    return "?" if n is None else str(n)


def op_source(name, c):
    """The MLIR function holding one sigattn.attention op written as `c` says."""
    b, nq, nk = dim(c["batch"]), dim(c["seq_q"]), dim(c["seq_k"])
    dt, hq, hkv, d, dv = c["dtype"], c["hq"], c["hkv"], c["d"], c["dv"]
    qt = "tensor<%sx%sx%dx%dx%s>" % (b, nq, hq, d, dt)
    kt = "tensor<%sx%sx%dx%dx%s>" % (b, nk, hkv, d, dt)
    vt = "tensor<%sx%sx%dx%dx%s>" % (b, nk, hkv, dv, dt)
    ot = "tensor<%sx%sx%dx%dx%s>" % (b, nq, hq, dv, dt)
    slopes_arg, attrs = "", ""
    if c["alibi"] != "none":
        st = ("tensor<%dxf32>" % hq if c["alibi"] == "head"
              else "tensor<%sx%dxf32>" % (b, hq))
        slopes_arg = ", %%s: %s" % st
        attrs += " alibi(%%s : %s)" % st
    runtime = c.get("runtime", [])
    for scalar in runtime:
        slopes_arg += ", %%%s_value: f32" % scalar
    if c["causal"]:
        attrs += " causal"
    if c["window"] is not None:
        attrs += " window = [%d, %d]" % tuple(c["window"])
    if "scale" in runtime:
        attrs += " scale(%scale_value : f32)"
    elif c["scale"] is not None:
        attrs += " scale = %r" % c["scale"]
    if "bias" in runtime:
        attrs += " bias(%bias_value : f32)"
    else:
        attrs += " bias = %r" % c["bias"]
    return ("func.func @{n}(%q: {qt}, %k: {kt}, %v: {vt}{sa}) -> {ot} {{\n"
            "  %o = sigattn.attention %q, %k, %v{attrs}\n"
            "      : {qt}, {kt}, {vt}\n"
            "      -> {ot}\n"
            "  return %o : {ot}\n"
            "}}\n").format(n=name, qt=qt, kt=kt, vt=vt, ot=ot, sa=slopes_arg,
                           attrs=attrs)


def pipeline_settings(text):
    """The sigattn-gpu-pipeline options given with --pipeline-options."""
    out = {}
    for item in text.split():
        key, _, value = item.partition("=")
        out[key] = value
    return out


def expected_description(name, c, pipeline):
    """Every field of the kernel's JSON description, from the op as written
    and the pipeline's documented defaults (README, docs/KernelABI.md)."""
    d, dv = c["d"], c["dv"]
    left = c["window"][0] if c["window"] is not None else -1
    right = c["window"][1] if c["window"] is not None else -1
    if c["causal"]:
        right = 0  # causal sets the right side to 0
    scale = c["scale"] if c["scale"] is not None else 1.0 / math.sqrt(d)
    # mma=auto (the default) is wgmma for sm_90a (the default chip), sync
    # for other chips. Default tiles: mma.sync 128 x 32 for max(D, Dv) <= 128,
    # 64 x 16 for 256, 4 warps; wgmma by max(D, Dv): 64 x 96 (64), 128 x 64
    # (128 and 256), one warp per 16 query rows.
    mma = pipeline.get("mma", "auto")
    if mma == "auto":
        mma = "wgmma" if pipeline.get("chip", "sm_90a") == "sm_90a" else "sync"
    if mma == "wgmma":
        dmax = max(d, dv)
        tile = (64, 96) if dmax <= 64 else (128, 64)
    else:
        tile = (128, 32) if max(d, dv) <= 128 else (64, 16)
    block_q = int(pipeline.get("block-q", "0")) or tile[0]
    block_k = int(pipeline.get("block-k", "0")) or tile[1]
    default_warps = min(max(block_q // 16, 4), 32) if mma == "wgmma" else 4
    warps = int(pipeline.get("num-warps", "0")) or default_warps
    # loads=auto is tma for wgmma (three 8-byte mbarriers more), cp.async
    # for sync.
    loads = pipeline.get("loads", "auto")
    if loads == "auto":
        loads = "tma" if mma == "wgmma" else "cp.async"
    # stores=auto: TMA stores (a fourth tensor map, O staged where Q was)
    # where the kernel has TMA loads and Dv <= D, direct stores elsewhere.
    stores = pipeline.get("stores", "auto")
    if stores == "auto":
        stores = "tma" if loads == "tma" and dv <= d else "direct"
    # schedule=auto is cooperative; specialized adds a producer warpgroup
    # (4 warps after the computing ones) and takes kv-stages (default 2;
    # 3 with a producer where the 227 KiB of shared memory hold them).
    # mbarriers (TMA): Q's, one per stage, and one more per stage with a
    # producer.
    producer = 4 if pipeline.get("schedule", "auto") == "specialized" else 0

    def shared(stages):
        barriers = (1 + stages * (2 if producer else 1)) if loads == "tma" else 0
        return (block_q * d + stages * block_k * (d + dv)) * 2 + 8 * barriers

    stages = int(pipeline.get("kv-stages", "0"))
    if not stages:
        stages = 3 if producer and shared(3) <= 227 * 1024 else 2
    return {
        "name": name + "_sigattn",
        # The kernel ABI of this sigattn: strides after the sizes, "kind".
        "abi_version": 3,
        "kind": "attention",
        "element_type": c["dtype"],
        "head_dim": d,
        "value_dim": dv,
        "num_query_heads": c["hq"],
        "num_kv_heads": c["hkv"],
        "alibi": c["alibi"],
        "window_left": left,
        "window_right": right,
        # A run-time scale or bias is a kernel parameter: "param".
        "scale": "param" if "scale" in c.get("runtime", []) else f32(scale),
        "bias": "param" if "bias" in c.get("runtime", []) else f32(c["bias"]),
        "block_q": block_q,
        "block_k": block_k,
        "num_warps": warps,
        "block_threads": 32 * (warps + producer),
        "producer_warps": producer,
        "kv_stages": stages,
        # The Q tile and kv-stages stages each of the K and V tiles, 2-byte
        # elements, then TMA's 8-byte mbarriers.
        "dynamic_shared_memory": shared(stages),
        "mma": mma,
        "loads": loads,
        "stores": stores,
        # B, Nq, Nk: the op's static size, -1 where the op leaves it dynamic
        # ('?'); a static size is baked into the kernel.
        "batch": -1 if c["batch"] is None else c["batch"],
        "seq_q": -1 if c["seq_q"] is None else c["seq_q"],
        "seq_k": -1 if c["seq_k"] is None else c["seq_k"],
    }


def config(dtype, d, hkv, alibi, bias, dv=None, causal=False, window=None,
           scale=None, batch=None, seq_q=None, seq_k=None, runtime=()):
    """One op. `runtime` names what the op takes as an f32 operand ("scale",
    "bias"); `scale` is then the value passed at run time, and a run-time
    bias is -log(Nk) of each call."""
    return dict(dtype=dtype, d=d, dv=d if dv is None else dv, hq=HQ, hkv=hkv,
                alibi=alibi, causal=causal, window=window, scale=scale,
                bias=bias, batch=batch, seq_q=seq_q, seq_k=seq_k,
                runtime=list(runtime))


def configs(rng, quick):
    bias = lambda: round(rng.uniform(-10.0, 2.0), 4)
    scale = lambda: f32(round(rng.uniform(0.02, 0.25), 5))
    variants = [("none", HQ), ("head", HQ // 3), ("batch_head", 1)]

    # The matrix (D = Dv, default scale). Drawn first, in the same order as
    # before, so its kernels keep their numbers and values.
    dims = [64, 128] if quick else [64, 128, 256]
    dtypes = ["bf16"] if quick else ["bf16", "f16"]
    for dt in dtypes:
        for d in dims:
            for mask in ["none", "causal", "window"]:
                vs = variants
                if quick:
                    vs = [variants[(d // 64 + len(mask)) % 3]]
                for alibi, hkv in vs:
                    c = config(dt, d, hkv, alibi, bias())
                    if mask == "causal":
                        c["causal"] = True
                    elif mask == "window":
                        left = rng.choice([-1, rng.randrange(0, 300)])
                        right = (rng.randrange(0, 300) if left != -1
                                 else rng.randrange(0, 64))
                        c["window"] = [left, right]
                    yield c

    # D != Dv (the default scale is 1/sqrt(D), not 1/sqrt(Dv)).
    yield config("bf16", 64, 2, "head", bias(), dv=128, causal=True)
    yield config("bf16", 128, 6, "none", bias(), dv=64,
                 window=[rng.randrange(0, 300), rng.randrange(0, 300)])
    if not quick:
        yield config("f16", 64, 1, "batch_head", bias(), dv=128,
                     window=[-1, rng.randrange(0, 64)], scale=scale())
        yield config("f16", 128, 2, "none", bias(), dv=64, causal=True,
                     scale=scale())

    # The mask's written forms, with explicit scales.
    yield config("bf16", 128, 2, "none", bias(), causal=True,
                 window=[rng.randrange(0, 300), rng.randrange(1, 300)],
                 scale=scale())
    if not quick:
        yield config("f16", 64, 6, "head", bias(), causal=True,
                     window=[-1, -1], scale=scale())
        yield config("bf16", 64, 1, "none", bias(), window=[-1, 0])
        yield config("f16", 256, 2, "batch_head", bias(), window=[-1, -1],
                     scale=scale())

    # Static B, Nq and/or Nk.
    yield config("bf16", 64, 2, "head", bias(), causal=True,
                 batch=2, seq_q=113, seq_k=203)
    yield config("bf16", 128, 1, "none", bias(), seq_q=1)
    yield config("bf16", 64, 6, "none", bias(), window=[20, 5], seq_k=1)
    yield config("bf16", 128, 2, "batch_head", bias(), dv=64, causal=True,
                 seq_k=33)
    if not quick:
        yield config("f16", 256, 1, "batch_head", bias(), causal=True,
                     seq_q=128, seq_k=128)
        yield config("f16", 64, 2, "batch_head", bias(), batch=3)
        yield config("bf16", 128, 6, "head", bias(), window=[70, 20],
                     batch=1, seq_q=128, seq_k=128)
        yield config("f16", 64, 1, "none", bias(), batch=1, seq_q=1, seq_k=1)

    # Scale and/or bias given at run time (drawn last: the kernels above keep
    # their numbers and values).
    yield config("bf16", 128, 2, "none", 0.0, causal=True, scale=scale(),
                 runtime=("scale", "bias"))
    yield config("bf16", 64, 2, "head", 0.0, dv=128, causal=True,
                 scale=scale(), runtime=("scale", "bias"))
    if not quick:
        yield config("f16", 64, 6, "head", 0.0,
                     window=[rng.randrange(0, 300), rng.randrange(0, 64)],
                     runtime=("bias",))
        yield config("bf16", 256, 1, "batch_head", bias(), scale=scale(),
                     runtime=("scale",))
        yield config("f16", 128, 6, "none", 0.0, seq_q=1, scale=scale(),
                     runtime=("scale", "bias"))


def describe(c):
    mask = (" causal" if c["causal"] else "") + (
        " window=[%d,%d]" % tuple(c["window"]) if c["window"] else "")
    static = ""
    for key, label in (("batch", "B"), ("seq_q", "Nq"), ("seq_k", "Nk")):
        if c[key] is not None:
            static += " %s=%d" % (label, c[key])
    runtime = c.get("runtime", [])
    return "%-5s D=%-3d Dv=%-3d Hkv=%d alibi=%-10s%-24s%s%s bias=%s" % (
        c["dtype"], c["d"], c["dv"], c["hkv"], c["alibi"], mask,
        " scale=%g%s" % (c["scale"], " (run time)" if "scale" in runtime
                         else "") if c["scale"] is not None else "",
        static, "-log(Nk) (run time)" if "bias" in runtime
        else "%g" % c["bias"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--sigattn-opt", default="build/bin/sigattn-opt")
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--quick", action="store_true", help="a few kernels only")
    ap.add_argument("--pipeline-options", default="",
                    help="extra sigattn-gpu-pipeline options, e.g. 'block-k=32'")
    ap.add_argument("--allow-compile-failures", action="store_true",
                    help="report kernels sigattn-opt refuses and go on "
                         "(testing only; run-suite.sh counts them as failed)")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    rng = random.Random(args.seed)
    pipeline = pipeline_settings(args.pipeline_options)
    manifest, failures = [], []
    for i, c in enumerate(configs(rng, args.quick)):
        name = "k%d" % i
        mlir = os.path.join(args.out, name + ".mlir")
        ptx = os.path.join(args.out, name + ".ptx")
        with open(mlir, "w") as f:
            f.write(op_source(name, c))
        opts = "ptx-output=" + ptx
        if args.pipeline_options:
            opts += " " + args.pipeline_options
        r = subprocess.run([args.sigattn_opt, mlir,
                            "--sigattn-gpu-pipeline=" + opts, "-o", os.devnull],
                           capture_output=True, text=True)
        error = None
        if r.returncode != 0:
            error = (r.stderr.strip() or "exit status %d" % r.returncode)
        elif not os.path.exists(ptx) or not os.path.exists(ptx + ".json"):
            error = "no PTX or no JSON description written"
        if error is not None:
            print("%-4s %s  COMPILE FAILED" % (name, describe(c)))
            lines = error.splitlines()
            for line in ([l for l in lines if "error" in l] or lines)[:3]:
                print("       " + line[:300])
            if not args.allow_compile_failures:
                sys.exit("make_kernels: sigattn-opt failed on %s (%s); "
                         "--allow-compile-failures to go on" % (mlir, describe(c)))
            failures.append({"mlir": name + ".mlir", "op": c,
                             "error": error.splitlines()[0][:300]})
            continue
        manifest.append({"ptx": name + ".ptx", "op": c,
                         "expected": expected_description(name, c, pipeline)})
        print("%-4s %s" % (name, describe(c)))
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    failures_path = os.path.join(args.out, "compile_failures.json")
    if failures:
        with open(failures_path, "w") as f:
            json.dump(failures, f, indent=1)
    elif os.path.exists(failures_path):
        os.remove(failures_path)
    print("%d kernels in %s%s" % (
        len(manifest), args.out,
        ", %d failed to compile: %s" % (
            len(failures), " ".join(x["mlir"] for x in failures))
        if failures else ""))


if __name__ == "__main__":
    main()
