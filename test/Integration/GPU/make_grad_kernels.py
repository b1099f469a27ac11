#!/usr/bin/env python3
"""Compiles sigattn.attention_grad ops for the backward GPU check
(check_grad.py): one op per configuration (mma generation, element type,
head dim, mask, ALiBi, compiled-in or run-time scale and bias), each into a
PTX file with its two kernels (kinds attention_grad_kv and attention_grad_q,
partners) and their JSON. Writes manifest.json with what each op is, as
written here, so that the checker does not trust the descriptions.

    python3 test/Integration/GPU/make_grad_kernels.py --out DIR \\
        [--sigattn-opt build/bin/sigattn-opt] [--quick]
"""

import argparse
import json
import math
import os
import subprocess
import sys

# Query heads, and kv heads as many (MHA) unless a configuration says
# "heads" and "hkv" (GQA, MQA).
HQ = 2

OP = """func.func @{name}(%q: tensor<{bq}x{hq}x{d}x{t}>, %k: tensor<{bk}x{hkv}x{d}x{t}>,
    %v: tensor<{bk}x{hkv}x{dv}x{t}>, %do: tensor<{bq}x{hq}x{dv}x{t}>{extra})
    -> (tensor<{bq}x{hq}x{d}x{t}>, tensor<{bk}x{hkv}x{d}x{t}>, tensor<{bk}x{hkv}x{dv}x{t}>) {{
  %dq, %dk, %dv = sigattn.attention_grad %q, %k, %v, %do{alibi}{mask}{scale}{bias}
      : tensor<{bq}x{hq}x{d}x{t}>, tensor<{bk}x{hkv}x{d}x{t}>, tensor<{bk}x{hkv}x{dv}x{t}>,
        tensor<{bq}x{hq}x{dv}x{t}>
      -> tensor<{bq}x{hq}x{d}x{t}>, tensor<{bk}x{hkv}x{d}x{t}>, tensor<{bk}x{hkv}x{dv}x{t}>
  return %dq, %dk, %dv : tensor<{bq}x{hq}x{d}x{t}>, tensor<{bk}x{hkv}x{d}x{t}>, tensor<{bk}x{hkv}x{dv}x{t}>
}}
"""

# The forward op of a --bench configuration (run-time scale and bias, the
# pipeline's default forward kernel): benchmarks/bench_backward.py times
# forward + backward with it.
FORWARD_OP = """func.func @{name}(%q: tensor<?x?x{hq}x{d}x{t}>, %k: tensor<?x?x{hkv}x{d}x{t}>,
    %v: tensor<?x?x{hkv}x{dv}x{t}>, %scale: f32, %bias: f32) -> tensor<?x?x{hq}x{dv}x{t}> {{
  %o = sigattn.attention %q, %k, %v{mask} scale(%scale : f32) bias(%bias : f32)
      : tensor<?x?x{hq}x{d}x{t}>, tensor<?x?x{hkv}x{d}x{t}>, tensor<?x?x{hkv}x{dv}x{t}>
      -> tensor<?x?x{hq}x{dv}x{t}>
  return %o : tensor<?x?x{hq}x{dv}x{t}>
}}
"""

MASKS = {"none": ("", -1, -1), "causal": (" causal", -1, 0),
         "window": (" window = [37, 5]", 37, 5)}


def configs(quick, bench):
    if bench:
        # benchmarks/bench_backward.py: bf16, H = 2048 / D, run-time scale and
        # bias (one kernel per shape class).
        return [dict(mma="wgmma", d=d, dv=d, dtype="bf16", mask=mask,
                     alibi=False, runtime=True, heads=2048 // d)
                for d in (128, 64) for mask in ("none", "causal")]
    out = []
    for mma in ("wgmma", "sync"):
        for d in (64, 128):
            for mask in MASKS:
                out.append(dict(mma=mma, d=d, dv=d, dtype="bf16", mask=mask,
                                alibi=False, runtime=False))
            out.append(dict(mma=mma, d=d, dv=d, dtype="f16", mask="causal",
                            alibi=True, runtime=False))
        out.append(dict(mma=mma, d=64, dv=128, dtype="bf16", mask="window",
                        alibi=False, runtime=True))
        # GQA (3 query heads per kv head) and MQA: the dk/dv kernel loops
        # over a group's query heads.
        out.append(dict(mma=mma, d=128, dv=128, dtype="bf16", mask="causal",
                        alibi=True, runtime=False, heads=6, hkv=2))
        out.append(dict(mma=mma, d=64, dv=64, dtype="f16", mask="window",
                        alibi=False, runtime=False, heads=4, hkv=1))
        # Static B, Nq, Nk (baked into the kernels): Nq > Nk with wgmma,
        # Nq < Nk with mma.sync.
        out.append(dict(mma=mma, d=64, dv=64, dtype="bf16", mask="causal",
                        alibi=False, runtime=False,
                        static=(2, 203, 77) if mma == "wgmma" else (1, 77, 203)))
    if quick:
        out = [c for c in out if c["d"] == 64 or c["mask"] == "causal"]
    return out


def compile_op(args, name, src, options):
    """Writes `src` to NAME.mlir and compiles it into NAME.ptx (+ .json)."""
    mlir = os.path.join(args.out, name + ".mlir")
    ptx = os.path.join(args.out, name + ".ptx")
    with open(mlir, "w") as f:
        f.write(src)
    opts = "ptx-output=%s %s" % (ptx, options)
    r = subprocess.run([args.sigattn_opt, mlir,
                        "--sigattn-gpu-pipeline=" + opts.strip(),
                        "-o", os.devnull], capture_output=True, text=True)
    if r.returncode:
        sys.exit("%s failed to compile:\n%s" % (name, r.stderr))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--sigattn-opt", default="build/bin/sigattn-opt")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--bench", action="store_true",
                    help="the benchmark's ops (bf16, H = 2048 / D, wgmma), "
                    "each with its forward op (manifest: forward_ptx)")
    ap.add_argument("--pipeline-options", default="")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    manifest = []
    for c in configs(args.quick, args.bench):
        hq = c.get("heads", HQ)
        hkv = c.get("hkv", hq)
        static = c.get("static")
        name = "grad_%s_%s_d%d_dv%d_h%d_%d_%s%s%s%s" % (
            c["mma"], c["dtype"], c["d"], c["dv"], c.get("heads", HQ),
            c.get("hkv", c.get("heads", HQ)), c["mask"],
            "_alibi" if c["alibi"] else "", "_runtime" if c["runtime"] else "",
            "_static%dx%dx%d" % static if static else "")
        text, left, right = MASKS[c["mask"]]
        scale = 1.0 / math.sqrt(c["d"])
        bias = -2.0
        extra = ""
        if c["alibi"]:
            extra += ", %%slopes: tensor<%dxf32>" % hq
        if c["runtime"]:
            extra += ", %scale: f32, %bias: f32"
        src = OP.format(
            name=name, hq=hq, hkv=hkv, d=c["d"], dv=c["dv"], t=c["dtype"],
            bq="%dx%d" % static[:2] if static else "?x?",
            bk="%dx%d" % (static[0], static[2]) if static else "?x?",
            extra=extra,
            alibi=" alibi(%%slopes : tensor<%dxf32>)" % hq if c["alibi"] else "",
            mask=text,
            scale=" scale(%scale : f32)" if c["runtime"] else " scale = %r" % scale,
            bias=" bias(%bias : f32)" if c["runtime"] else " bias = %r" % bias)
        compile_op(args, name, src, "mma=%s %s" % (c["mma"],
                                                   args.pipeline_options))
        entry = dict(name=name, ptx=name + ".ptx", hq=hq, hkv=hkv,
                     d=c["d"], dv=c["dv"], dtype=c["dtype"],
                     window_left=left, window_right=right,
                     alibi=c["alibi"], runtime=c["runtime"],
                     scale=scale, bias=bias, mma=c["mma"],
                     static=list(static) if static else None)
        if args.bench:
            fwd = "fwd_" + name[len("grad_"):]
            compile_op(args, fwd, FORWARD_OP.format(
                name=fwd, hq=hq, hkv=hkv, d=c["d"], dv=c["dv"], t=c["dtype"],
                mask=text), "mma=%s" % c["mma"])
            entry["forward_ptx"] = fwd + ".ptx"
        manifest.append(entry)
    with open(os.path.join(args.out, "grad_manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    print("%d ops compiled into %s" % (len(manifest), args.out))


if __name__ == "__main__":
    main()
