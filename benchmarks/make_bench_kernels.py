#!/usr/bin/env python3
"""Compiles sigattn kernels for the benchmark shapes (bf16, H = 2048 / D,
Hkv = H, scale 1/sqrt(D), bias -log N baked in): for each D and N, a full,
a causal, sliding-window [256, 0] and [1024, 0] and a causal ALiBi kernel. Writes PTX,
descriptions and manifest.json (with bench_n, bench_mask) into --out, and
copies sigattn-run there for C++ timing.

    python3 benchmarks/make_bench_kernels.py --out .bench-bundle \
        [--pipeline-options "block-q=128 num-warps=8"]
"""

import argparse
import json
import math
import os
import shutil
import subprocess
import sys

OP = """func.func @{name}(%q: tensor<?x?x{h}x{d}xbf16>, %k: tensor<?x?x{h}x{d}xbf16>,
    %v: tensor<?x?x{h}x{d}xbf16>{sarg}) -> tensor<?x?x{h}x{d}xbf16> {{
  %o = sigattn.attention %q, %k, %v{alibi}{mask} bias = {bias!r}
      : tensor<?x?x{h}x{d}xbf16>, tensor<?x?x{h}x{d}xbf16>, tensor<?x?x{h}x{d}xbf16>
      -> tensor<?x?x{h}x{d}xbf16>
  return %o : tensor<?x?x{h}x{d}xbf16>
}}
"""

MASKS = {"full": "", "causal": " causal", "window": " window = [256, 0]",
         "window1024": " window = [1024, 0]", "alibi_causal": " causal"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--sigattn-opt", default="build/bin/sigattn-opt")
    ap.add_argument("--dims", type=int, nargs="+", default=[64, 128])
    ap.add_argument("--seqs", type=int, nargs="+",
                    default=[512, 1024, 2048, 4096, 8192, 16384])
    ap.add_argument("--pipeline-options", default="")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    manifest = []
    for d in args.dims:
        h = 2048 // d
        for n in args.seqs:
            for mask, text in MASKS.items():
                name = "d%d_n%d_%s" % (d, n, mask)
                alibi = mask.startswith("alibi")
                src = OP.format(name=name, h=h, d=d, bias=-math.log(n), mask=text,
                                sarg=", %%s: tensor<%dxf32>" % h if alibi else "",
                                alibi=" alibi(%%s : tensor<%dxf32>)" % h if alibi else "")
                mlir = os.path.join(args.out, name + ".mlir")
                ptx = os.path.join(args.out, name + ".ptx")
                with open(mlir, "w") as f:
                    f.write(src)
                opts = ("ptx-output=%s %s" % (ptx, args.pipeline_options)).strip()
                r = subprocess.run([args.sigattn_opt, mlir, "--sigattn-gpu-pipeline=" + opts,
                                    "-o", os.devnull], capture_output=True, text=True)
                if r.returncode:
                    sys.stderr.write(r.stderr)
                    sys.exit("make_bench_kernels: sigattn-opt failed on " + mlir)
                with open(ptx + ".json") as f:
                    info = json.load(f)["kernels"][0]
                info.update(ptx=name + ".ptx", bench_n=n, bench_mask=mask)
                manifest.append(info)
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    run = os.path.join(os.path.dirname(args.sigattn_opt), "sigattn-run")
    if os.path.exists(run):
        shutil.copy(run, args.out)
    print("%d kernels in %s (pipeline options: %s)" % (len(manifest), args.out,
                                                       args.pipeline_options or "defaults"))


if __name__ == "__main__":
    main()
