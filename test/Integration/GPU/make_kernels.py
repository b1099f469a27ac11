#!/usr/bin/env python3
"""Compiles the GPU correctness suite's kernels with sigattn-opt.

For each configuration (element type x head dim x mask, each with one of the
ALiBi / GQA variants) it writes an example op, runs sigattn-gpu-pipeline on
it, and collects the PTX and its JSON description in a bundle folder, with a
manifest.json that check_kernels.py reads on the GPU machine. Scale is the
op's default, the bias is drawn from U(-10, 2), windows at random.

    python3 test/Integration/GPU/make_kernels.py --out .gpu-bundle \
        [--sigattn-opt build/bin/sigattn-opt] [--quick]
"""

import argparse
import json
import os
import random
import subprocess
import sys

HQ = 6  # query heads: Hkv = 6 (MHA), 2 (GQA, Hq/3), 1 (MQA)

OP = """func.func @{name}(%q: tensor<?x?x{hq}x{d}x{dt}>, %k: tensor<?x?x{hkv}x{d}x{dt}>,
    %v: tensor<?x?x{hkv}x{d}x{dt}>{slopes_arg}) -> tensor<?x?x{hq}x{d}x{dt}> {{
  %o = sigattn.attention %q, %k, %v{alibi}{mask} bias = {bias!r}
      : tensor<?x?x{hq}x{d}x{dt}>, tensor<?x?x{hkv}x{d}x{dt}>, tensor<?x?x{hkv}x{d}x{dt}>
      -> tensor<?x?x{hq}x{d}x{dt}>
  return %o : tensor<?x?x{hq}x{d}x{dt}>
}}
"""


def configs(rng, quick):
    dims = [64, 128] if quick else [64, 128, 256]
    dtypes = ["bf16"] if quick else ["bf16", "f16"]
    for dt in dtypes:
        for d in dims:
            for mask in ["none", "causal", "window"]:
                variants = [("none", HQ), ("head", HQ // 3), ("batch_head", 1)]
                if quick:
                    variants = [variants[(d // 64 + len(mask)) % 3]]
                for alibi, hkv in variants:
                    c = dict(dt=dt, d=d, hq=HQ, hkv=hkv, alibi=alibi, mask="",
                             bias=round(rng.uniform(-10.0, 2.0), 4))
                    if mask == "causal":
                        c["mask"] = " causal"
                    elif mask == "window":
                        left = rng.choice([-1, rng.randrange(0, 300)])
                        right = rng.randrange(0, 300) if left != -1 else rng.randrange(0, 64)
                        c["mask"] = " window = [%d, %d]" % (left, right)
                    yield c


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--sigattn-opt", default="build/bin/sigattn-opt")
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--quick", action="store_true", help="a few kernels only")
    ap.add_argument("--pipeline-options", default="",
                    help="extra sigattn-gpu-pipeline options, e.g. 'block-k=32'")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    rng = random.Random(args.seed)
    manifest = []
    for i, c in enumerate(configs(rng, args.quick)):
        name = "k%d" % i
        slopes_arg, alibi = "", ""
        if c["alibi"] == "head":
            slopes_arg = ", %%s: tensor<%dxf32>" % c["hq"]
            alibi = " alibi(%%s : tensor<%dxf32>)" % c["hq"]
        elif c["alibi"] == "batch_head":
            slopes_arg = ", %%s: tensor<?x%dxf32>" % c["hq"]
            alibi = " alibi(%%s : tensor<?x%dxf32>)" % c["hq"]
        src = OP.format(name=name, hq=c["hq"], hkv=c["hkv"], d=c["d"], dt=c["dt"],
                        slopes_arg=slopes_arg, alibi=alibi, mask=c["mask"],
                        bias=c["bias"])
        mlir = os.path.join(args.out, name + ".mlir")
        ptx = os.path.join(args.out, name + ".ptx")
        with open(mlir, "w") as f:
            f.write(src)
        opts = "ptx-output=" + ptx
        if args.pipeline_options:
            opts += " " + args.pipeline_options
        r = subprocess.run([args.sigattn_opt, mlir,
                            "--sigattn-gpu-pipeline=" + opts, "-o", os.devnull],
                           capture_output=True, text=True)
        if r.returncode != 0:
            sys.stderr.write(r.stderr)
            sys.exit("make_kernels: sigattn-opt failed on " + mlir)
        with open(ptx + ".json") as f:
            info = json.load(f)["kernels"][0]
        info["ptx"] = name + ".ptx"
        manifest.append(info)
        print("%-4s %-5s D=%-3d Hkv=%d alibi=%-10s%-22s bias=%g" % (
            name, c["dt"], c["d"], c["hkv"], c["alibi"], c["mask"], c["bias"]))
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    print("%d kernels in %s" % (len(manifest), args.out))


if __name__ == "__main__":
    main()
