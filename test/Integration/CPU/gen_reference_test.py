#!/usr/bin/env python3
"""Writes the CPU execution tests of sigattn.attention, checked against
outputs computed here, independently, in float64:

- execute-reference.mlir: the reference lowering (convert-sigattn-to-linalg)
  on small hand-sized cases;
- execute-tiled.mlir: odd sizes and every mask through the tiled loops
  (sigattn-tile, sigattn-peel-boundary-tiles, the portable tile lowering)
  at several tile sizes, and through the reference lowering.

The inputs are multiples of 1/8 in [-1, 1], exact in bf16 and f16. The
expected output of each case is the op's definition evaluated in float64,
rounded to the result type (round to nearest even) and printed the way
printMemrefF32 prints a float (6 significant digits).

    python3 test/Integration/CPU/gen_reference_test.py reference \
        > test/Integration/CPU/execute-reference.mlir
    python3 test/Integration/CPU/gen_reference_test.py tiled \
        > test/Integration/CPU/execute-tiled.mlir
"""

import math
import random
import struct
import sys

rng = random.Random(20261122)


def rand_tensor(shape, lo=-8, hi=8, den=8.0):
    n = math.prod(shape)
    return [rng.randint(lo, hi) / den for _ in range(n)], list(shape)


def index(shape, idx):
    flat = 0
    for s, i in zip(shape, idx):
        flat = flat * s + i
    return flat


def round_bf16(x):
    bits = struct.unpack("<I", struct.pack("<f", x))[0]
    # round to nearest even on the 16 dropped bits (x is finite here)
    bits += 0x7FFF + ((bits >> 16) & 1)
    return struct.unpack("<f", struct.pack("<I", (bits >> 16) << 16))[0]


def round_f16(x):
    return struct.unpack("<e", struct.pack("<e", x))[0]


def reference(case):
    """The op's definition, term by term, in float64."""
    q, qs = case["q"]
    k, ks = case["k"]
    v, vs = case["v"]
    B, Nq, Hq, D = qs
    _, Nk, Hkv, _ = ks
    Dv = vs[3]
    g = Hq // Hkv
    scale = case.get("scale", 1.0 / math.sqrt(D))
    bias = case.get("bias", 0.0)
    left, right = case.get("window", (-1, -1))
    if case.get("causal"):
        right = 0
    slopes = case.get("alibi")
    off = Nk - Nq
    out = [0.0] * (B * Nq * Hq * Dv)
    for b in range(B):
        for i in range(Nq):
            for h in range(Hq):
                acc = [0.0] * Dv
                for j in range(Nk):
                    if left != -1 and j < i + off - left:
                        continue
                    if right != -1 and j > i + off + right:
                        continue
                    s = sum(q[index(qs, (b, i, h, d))] * k[index(ks, (b, j, h // g, d))]
                            for d in range(D))
                    x = scale * s + bias
                    if slopes is not None:
                        sv, ss = slopes
                        slope = sv[index(ss, (b, h) if len(ss) == 2 else (h,))]
                        x -= slope * abs(i + off - j)
                    p = 1.0 / (1.0 + math.exp(-x))
                    for e in range(Dv):
                        acc[e] += p * v[index(vs, (b, j, h // g, e))]
                for e in range(Dv):
                    out[index((B, Nq, Hq, Dv), (b, i, h, e))] = acc[e]
    rnd = round_bf16 if case["dtype"] == "bf16" else round_f16
    return [rnd(x) for x in out], [B * Nq * Hq, Dv]


def tensor_type(shape, dtype):
    return "tensor<" + "x".join(str(s) for s in shape) + "x" + dtype + ">"


def dense(values, shape):
    def rec(dim, off):
        if dim == len(shape):
            return repr(values[off])
        stride = math.prod(shape[dim + 1:])
        return "[" + ", ".join(rec(dim + 1, off + i * stride) for i in range(shape[dim])) + "]"
    return rec(0, 0)


def fmt(x):
    s = "%g" % x
    return "0" if s == "-0" else s


SUITES = {"reference": [], "tiled": []}
CASES = SUITES["reference"]


def case(name, dtype, B, Nq, Nk, Hq, Hkv, D, Dv, **kw):
    c = dict(name=name, dtype=dtype, **kw)
    c["q"] = rand_tensor((B, Nq, Hq, D))
    c["k"] = rand_tensor((B, Nk, Hkv, D))
    c["v"] = rand_tensor((B, Nk, Hkv, Dv))
    if kw.get("alibi") == "head":
        c["alibi"] = rand_tensor((Hq,), 0, 4, 8.0)
    elif kw.get("alibi") == "batch_head":
        c["alibi"] = rand_tensor((B, Hq), 0, 4, 8.0)
    CASES.append(c)


# Causal with Nq < Nk: query i sees keys 0 .. i + Nk - Nq.
case("causal_nq_lt_nk", "bf16", 1, 3, 5, 2, 2, 4, 3, causal=True)
# Causal with Nq > Nk: the first Nq - Nk query rows see no key and are 0.
case("causal_nq_gt_nk_masked_rows", "f16", 1, 5, 3, 1, 1, 4, 4, causal=True)
# Sliding window, both sides bounded, Nq != Nk.
case("window_2_1", "bf16", 1, 4, 6, 2, 2, 4, 2, window=(2, 1))
# Window bounded on the left only; with causal it is a causal band.
case("window_left_causal", "f16", 1, 5, 5, 1, 1, 4, 3, window=(1, -1), causal=True)
# Window bounded on the right only.
case("window_right_only", "bf16", 1, 4, 4, 1, 1, 2, 2, window=(-1, 1))
# ALiBi slopes per head, no mask: |i + off - j| on both sides.
case("alibi_per_head", "bf16", 1, 3, 4, 2, 2, 4, 2, alibi="head")
# ALiBi slopes per (batch, head), with causal.
case("alibi_per_batch_head", "f16", 2, 3, 3, 2, 2, 4, 2, alibi="batch_head", causal=True)
# GQA: 4 query heads share 2 key/value heads.
case("gqa", "bf16", 1, 2, 3, 4, 2, 4, 2)
# MQA: 3 query heads share one key/value head.
case("mqa", "f16", 1, 2, 3, 3, 1, 2, 2)
# Explicit scale and bias (bias = -log Nk).
case("scale_bias", "bf16", 1, 3, 4, 1, 1, 4, 2, scale=0.75, bias=-math.log(4))
# Dynamic B, Nq, Nk, with GQA, window and batched ALiBi together.
case("dynamic", "bf16", 2, 3, 5, 2, 1, 4, 2, window=(1, 1), alibi="batch_head",
     bias=-0.5, dynamic=True)
# Scale and bias as f32 values given at run time (function arguments),
# drawn from their own generator: the cases after them keep their inputs.
main_rng, rng = rng, random.Random(20261202)
case("runtime_scale_bias", "f16", 1, 3, 5, 2, 1, 4, 2, causal=True,
     scale=0.625, bias=-math.log(5), runtime=("scale", "bias"))
case("runtime_bias_alibi", "bf16", 1, 4, 4, 2, 2, 4, 2, alibi="head",
     bias=-1.25, runtime=("bias",))
rng = main_rng

# Odd sizes (never a multiple of the tile sizes) and every mask: several
# query and key/value tiles per head, partial last tiles, fully masked tiles
# that must be skipped and boundary tiles that must be masked.
CASES = SUITES["tiled"]
case("full_gqa", "bf16", 1, 13, 21, 2, 1, 8, 4)
case("causal_nq_lt_nk", "f16", 1, 13, 21, 1, 1, 8, 4, causal=True)
case("causal_nq_gt_nk", "bf16", 1, 21, 13, 1, 1, 8, 4, causal=True)
case("window_both", "bf16", 1, 17, 11, 1, 1, 8, 4, window=(3, 2))
case("window_left", "f16", 1, 11, 19, 1, 1, 8, 4, window=(4, -1))
case("window_right", "bf16", 1, 9, 9, 1, 1, 8, 4, window=(-1, 3))
case("causal_band_alibi", "bf16", 1, 19, 19, 2, 2, 8, 4, causal=True,
     window=(5, -1), alibi="head")
case("alibi_batch_head", "f16", 2, 7, 10, 2, 2, 8, 4, alibi="batch_head")
case("gqa_causal_dynamic", "bf16", 2, 9, 23, 4, 2, 8, 4, causal=True,
     scale=0.5, bias=-math.log(23), dynamic=True)
case("one_query", "bf16", 1, 1, 15, 2, 2, 8, 4, causal=True)
case("one_key_causal", "f16", 1, 5, 1, 1, 1, 8, 4, causal=True)
case("runtime_scale_bias_window", "bf16", 1, 15, 19, 2, 1, 8, 4,
     window=(4, 2), scale=0.375, bias=-math.log(19),
     runtime=("scale", "bias"))


def emit_case(c):
    dt = c["dtype"]
    qv, qs = c["q"]
    kv, ks = c["k"]
    vv, vs = c["v"]
    B, Nq, Hq, _ = qs
    Dv = vs[3]
    rs = [B, Nq, Hq, Dv]
    # A run-time scale or bias is an f32 argument of the case's function.
    runtime = c.get("runtime", ())
    params = ", ".join(f"%{n}_value: f32" for n in runtime)
    lines = [f"func.func @{c['name']}({params}) {{"]
    for name, (vals, shape) in (("q", c["q"]), ("k", c["k"]), ("v", c["v"])):
        lines.append(f"  %{name}0 = arith.constant dense<{dense(vals, shape)}> : "
                     f"{tensor_type(shape, dt)}")
    types = [tensor_type(qs, dt), tensor_type(ks, dt), tensor_type(vs, dt)]
    rtype = tensor_type(rs, dt)
    alibi = ""
    if isinstance(c.get("alibi"), tuple):
        sv, ss = c["alibi"]
        stype = tensor_type(ss, "f32")
        lines.append(f"  %s0 = arith.constant dense<{dense(sv, ss)}> : {stype}")
        salias = "%s0"
        if c.get("dynamic") and len(ss) == 2:
            dyn = tensor_type(["?", ss[1]], "f32")
            lines.append(f"  %s1 = tensor.cast %s0 : {stype} to {dyn}")
            salias, stype = "%s1", dyn
        alibi = f" alibi({salias} : {stype})"
    names = ["%q0", "%k0", "%v0"]
    if c.get("dynamic"):
        dyn_types = []
        for n, (_, shape), t in zip(("q", "k", "v"), (c["q"], c["k"], c["v"]), types):
            d = tensor_type(["?", "?"] + list(shape[2:]), dt)
            lines.append(f"  %{n}1 = tensor.cast %{n}0 : {t} to {d}")
            dyn_types.append(d)
        types = dyn_types
        names = ["%q1", "%k1", "%v1"]
        rtype = tensor_type(["?", "?", Hq, Dv], dt)
    attrs = ""
    if c.get("causal"):
        attrs += " causal"
    if "window" in c:
        attrs += " window = [%d, %d]" % c["window"]
    for n in ("scale", "bias"):
        if n in runtime:
            attrs += f" {n}(%{n}_value : f32)"
        elif n in c:
            attrs += " %s = %r" % (n, c[n])
    lines.append(f"  %o = sigattn.attention {', '.join(names)}{alibi}{attrs}")
    lines.append(f"      : {', '.join(types)} -> {rtype}")
    static_r = tensor_type(rs, dt)
    res = "%o"
    if c.get("dynamic"):
        lines.append(f"  %os = tensor.cast %o : {rtype} to {static_r}")
        res = "%os"
    f32r = tensor_type(rs, "f32")
    flat = tensor_type([B * Nq * Hq, Dv], "f32")
    lines.append(f"  %e = arith.extf {res} : {static_r} to {f32r}")
    lines.append(f"  %c = tensor.collapse_shape %e [[0, 1, 2], [3]] : {f32r} into {flat}")
    lines.append(f"  %u = tensor.cast %c : {flat} to tensor<*xf32>")
    lines.append("  call @printMemrefF32(%u) : (tensor<*xf32>) -> ()")
    lines.append("  return")
    lines.append("}")
    return lines


def emit_checks(c):
    out, (rows, cols) = reference(c)
    lines = [f"// CHECK-LABEL: case {c['name']}",
             f"// CHECK: sizes = [{rows}, {cols}]",
             # {{\[}}: FileCheck reads a bare "[[" as a variable.
             "// CHECK-NEXT: {{\\[}}[" +
             ", ".join(fmt(x) for x in out[0:cols]) + "],"]
    for r in range(1, rows):
        row = ", ".join(fmt(x) for x in out[r * cols:(r + 1) * cols])
        end = "]]" if r == rows - 1 else "],"
        lines.append(f"// CHECK-NEXT: [{row}{end}")
    return lines


REFERENCE = "-convert-sigattn-to-linalg"
TILED = ("-sigattn-tile=\"block-q=%d block-k=%d\" -sigattn-peel-boundary-tiles "
         "-convert-sigattn-tiles-to-vector")

HEADERS = {
    "reference": ("CPU execution of the reference lowering", [REFERENCE]),
    "tiled": ("CPU execution of the tiled loops (tiling, boundary peeling, the\n"
              "// portable tile lowering) at several tile sizes, and of the reference\n"
              "// lowering",
              [TILED % (4, 3), TILED % (5, 8), TILED % (1, 1), TILED % (16, 32),
               REFERENCE]),
}


def main():
    global CASES
    suite = sys.argv[1] if len(sys.argv) > 1 else "reference"
    CASES = SUITES[suite]
    what, pipelines = HEADERS[suite]
    print("// Generated by gen_reference_test.py; do not edit by hand.")
    print("// " + what + ", checked against a float64")
    print("// evaluation of the op's definition rounded to the result type.")
    print("//")
    print("// REQUIRES: mlir-runner")
    for passes in pipelines:
        print("// RUN: sigattn-opt %s " + passes + " \\")
        print("// RUN: | mlir-opt %lower-to-cpu \\")
        print("// RUN: | mlir-runner -e main -entry-point-result=void \\")
        print("// RUN:     -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils \\")
        print("// RUN: | FileCheck %s")
    print()
    print("func.func private @printMemrefF32(tensor<*xf32>)")
    print()
    print("func.func @main() {")
    for c in CASES:
        print(f'  vector.print str "case {c["name"]}\\n"')
        runtime = c.get("runtime", ())
        for n in runtime:
            print(f"  %{c['name']}_{n} = arith.constant {c[n]!r} : f32")
        args = ", ".join(f"%{c['name']}_{n}" for n in runtime)
        types = ", ".join("f32" for _ in runtime)
        print(f"  call @{c['name']}({args}) : ({types}) -> ()")
    print("  return")
    print("}")
    for c in CASES:
        print()
        for line in emit_checks(c):
            print(line)
        for line in emit_case(c):
            print(line)


if __name__ == "__main__":
    main()
