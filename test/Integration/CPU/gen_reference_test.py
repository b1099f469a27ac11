#!/usr/bin/env python3
"""Writes the CPU execution tests of sigattn.attention and
sigattn.attention_grad, checked against outputs computed here, independently,
in float64:

- execute-reference.mlir: the reference lowering (convert-sigattn-to-linalg)
  on small hand-sized cases;
- execute-tiled.mlir: odd sizes and every mask through the tiled loops
  (sigattn-tile, sigattn-peel-boundary-tiles, the portable tile lowering)
  at several tile sizes, and through the reference lowering;
- execute-grad.mlir: sigattn.attention_grad through the reference lowering,
  against analytic float64 gradients that are checked here by central
  finite differences of the forward definition;
- execute-tiled-grad.mlir: sigattn.attention_grad through the tiled loops
  (its two grids, peeling, the portable lowering) at several tile sizes.

The inputs are multiples of 1/8 in [-1, 1], exact in bf16 and f16. The
expected output of each case is the op's definition evaluated in float64,
rounded to the result type (round to nearest even) and printed the way
printMemrefF32 prints a float (6 significant digits).

    python3 test/Integration/CPU/gen_reference_test.py reference \
        > test/Integration/CPU/execute-reference.mlir
    python3 test/Integration/CPU/gen_reference_test.py tiled \
        > test/Integration/CPU/execute-tiled.mlir
    python3 test/Integration/CPU/gen_reference_test.py grad \
        > test/Integration/CPU/execute-grad.mlir
    python3 test/Integration/CPU/gen_reference_test.py tiled-grad \
        > test/Integration/CPU/execute-tiled-grad.mlir
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


def params(case):
    """Sizes, scalars and mask of a case, as the op's definition uses them."""
    B, Nq, Hq, D = case["q"][1]
    _, Nk, Hkv, _ = case["k"][1]
    left, right = case.get("window", (-1, -1))
    if case.get("causal"):
        right = 0
    return dict(B=B, Nq=Nq, Nk=Nk, Hq=Hq, Hkv=Hkv, D=D, Dv=case["v"][1][3],
                g=Hq // Hkv, scale=case.get("scale", 1.0 / math.sqrt(D)),
                bias=case.get("bias", 0.0), left=left, right=right,
                off=Nk - Nq, slopes=case.get("alibi"))


def visible_score(case, pr, q, k, b, i, h, j):
    """X(i, j) of the definition for query head h, or None where key j is
    hidden from query i."""
    off, left, right = pr["off"], pr["left"], pr["right"]
    if left != -1 and j < i + off - left:
        return None
    if right != -1 and j > i + off + right:
        return None
    qs, ks = case["q"][1], case["k"][1]
    s = sum(q[index(qs, (b, i, h, d))] * k[index(ks, (b, j, h // pr["g"], d))]
            for d in range(pr["D"]))
    x = pr["scale"] * s + pr["bias"]
    if pr["slopes"] is not None:
        sv, ss = pr["slopes"]
        slope = sv[index(ss, (b, h) if len(ss) == 2 else (h,))]
        x -= slope * abs(i + off - j)
    return x


def attention64(case, q, k, v):
    """The op's definition, term by term, in float64 (not rounded)."""
    pr = params(case)
    vs = case["v"][1]
    B, Nq, Hq, Nk, Dv, g = pr["B"], pr["Nq"], pr["Hq"], pr["Nk"], pr["Dv"], pr["g"]
    out = [0.0] * (B * Nq * Hq * Dv)
    for b in range(B):
        for i in range(Nq):
            for h in range(Hq):
                acc = [0.0] * Dv
                for j in range(Nk):
                    x = visible_score(case, pr, q, k, b, i, h, j)
                    if x is None:
                        continue
                    p = 1.0 / (1.0 + math.exp(-x))
                    for e in range(Dv):
                        acc[e] += p * v[index(vs, (b, j, h // g, e))]
                for e in range(Dv):
                    out[index((B, Nq, Hq, Dv), (b, i, h, e))] = acc[e]
    return out


def rounder(case):
    return round_bf16 if case["dtype"] == "bf16" else round_f16


def reference(case):
    """The op's definition in float64, rounded to the result type."""
    out = attention64(case, case["q"][0], case["k"][0], case["v"][0])
    pr = params(case)
    rnd = rounder(case)
    return [rnd(x) for x in out], [pr["B"] * pr["Nq"] * pr["Hq"], pr["Dv"]]


def gradients64(case, magnitude=False):
    """dq, dk, dv of sigattn.attention_grad from their analytic formulas in
    float64: dV = P^T dO, dP = dO V^T, dS = scale dP P (1 - P), dQ = dS K,
    dK = dS^T Q. With `magnitude`, every term is replaced by its absolute
    value: a bound on what f32 rounding can move each gradient by."""
    pr = params(case)
    q, qs = case["q"]
    k, ks = case["k"]
    v, vs = case["v"]
    do, dos = case["do"]
    B, Nq, Hq, Nk, D, Dv, g = (pr[n] for n in ("B", "Nq", "Hq", "Nk", "D", "Dv", "g"))
    f = abs if magnitude else (lambda x: x)
    dq = [0.0] * len(q)
    dk = [0.0] * len(k)
    dv = [0.0] * len(v)
    for b in range(B):
        for h in range(Hq):
            kh = h // g
            for i in range(Nq):
                for j in range(Nk):
                    x = visible_score(case, pr, q, k, b, i, h, j)
                    if x is None:
                        continue
                    p = 1.0 / (1.0 + math.exp(-x))
                    dp = 0.0
                    for e in range(Dv):
                        o = do[index(dos, (b, i, h, e))]
                        dv[index(vs, (b, j, kh, e))] += f(p * o)
                        dp += f(o * v[index(vs, (b, j, kh, e))])
                    ds = f(pr["scale"] * dp * p * (1.0 - p))
                    for d in range(D):
                        dq[index(qs, (b, i, h, d))] += f(ds * k[index(ks, (b, j, kh, d))])
                        dk[index(ks, (b, j, kh, d))] += f(ds * q[index(qs, (b, i, h, d))])
    return dq, dk, dv


def check_finite_differences(case, grads):
    """The analytic gradients are those of L(q, k, v) = sum(O * dO): checked
    coordinate by coordinate against central differences of the float64
    forward definition."""
    do = case["do"][0]

    def loss(q, k, v):
        return sum(o * w for o, w in zip(attention64(case, q, k, v), do))

    step = 1e-4
    for which, grad in zip(("q", "k", "v"), grads):
        # Every coordinate of small tensors, an even spread of 48 of larger
        # ones (the analytic formulas are the same for every case).
        stride = max(1, len(grad) // 48)
        for n in range(0, len(grad), stride):
            args = {name: list(case[name][0]) for name in ("q", "k", "v")}
            args[which][n] += step
            up = loss(args["q"], args["k"], args["v"])
            args[which][n] -= 2 * step
            down = loss(args["q"], args["k"], args["v"])
            fd = (up - down) / (2 * step)
            if abs(fd - grad[n]) > 1e-7 * (1.0 + abs(grad[n])):
                sys.exit("case %s: d%s[%d] is %r analytically, %r by finite "
                         "differences" % (case["name"], which, n, grad[n], fd))


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


SUITES = {"reference": [], "tiled": [], "grad": [], "tiled-grad": []}
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


# Gradients (sigattn.attention_grad through the reference lowering): every
# mask, ALiBi shape and head grouping, with dO drawn after q, k, v from a
# generator of their own.
CASES = SUITES["grad"]
rng = random.Random(20261203)


def grad_case(name, dtype, B, Nq, Nk, Hq, Hkv, D, Dv, **kw):
    case(name, dtype, B, Nq, Nk, Hq, Hkv, D, Dv, **kw)
    CASES[-1]["do"] = rand_tensor((B, Nq, Hq, Dv))


# Causal with Nq < Nk.
grad_case("causal_nq_lt_nk", "bf16", 1, 3, 5, 2, 2, 4, 3, causal=True)
# Causal with Nq > Nk: the first Nq - Nk query rows see no key, their dq is 0.
grad_case("causal_nq_gt_nk_masked_rows", "f16", 1, 5, 3, 1, 1, 4, 4, causal=True)
# A causal band with Nk > Nq: keys 0 .. 2 are seen by no query, their dk
# and dv are 0.
grad_case("unseen_keys", "bf16", 1, 3, 7, 1, 1, 4, 3, causal=True, window=(1, 0))
# Sliding window, both sides bounded, Nq != Nk.
grad_case("window_2_1", "f16", 1, 4, 6, 2, 2, 4, 2, window=(2, 1))
# Window bounded on the right only.
grad_case("window_right_only", "bf16", 1, 4, 4, 1, 1, 4, 2, window=(-1, 1))
# ALiBi slopes per head, no mask.
grad_case("alibi_per_head", "bf16", 1, 3, 4, 2, 2, 4, 2, alibi="head")
# ALiBi slopes per (batch, head), with causal.
grad_case("alibi_per_batch_head", "f16", 2, 3, 3, 2, 2, 4, 2, alibi="batch_head",
          causal=True)
# GQA: 4 query heads share 2 key/value heads; dk and dv sum over a group.
grad_case("gqa", "bf16", 1, 3, 4, 4, 2, 4, 2)
# MQA: 3 query heads share one key/value head, with a window.
grad_case("mqa_window", "f16", 1, 4, 3, 3, 1, 2, 2, window=(1, 1))
# Explicit scale and bias (bias = -log Nk).
grad_case("scale_bias", "bf16", 1, 3, 4, 1, 1, 4, 2, scale=0.75, bias=-math.log(4))
# Dynamic B, Nq, Nk, with GQA, window and batched ALiBi together.
grad_case("dynamic", "bf16", 2, 3, 5, 2, 1, 4, 2, window=(1, 1), alibi="batch_head",
          bias=-0.5, dynamic=True)
# Scale and bias as f32 values given at run time.
grad_case("runtime_scale_bias", "f16", 1, 3, 5, 2, 1, 4, 2, causal=True,
          scale=0.625, bias=-math.log(5), runtime=("scale", "bias"))


# Gradients through the tiled loops: odd sizes and every mask, so that both
# backward grids (dK and dV over key tiles, dQ over query tiles) have
# partial tiles, skipped tiles and boundary tiles in both orientations.
CASES = SUITES["tiled-grad"]
rng = random.Random(20261204)
grad_case("full_gqa", "bf16", 1, 13, 21, 2, 1, 8, 4)
grad_case("causal_nq_lt_nk", "f16", 1, 13, 21, 1, 1, 8, 4, causal=True)
grad_case("causal_nq_gt_nk", "bf16", 1, 21, 13, 1, 1, 8, 4, causal=True)
grad_case("window_both", "bf16", 1, 17, 11, 1, 1, 8, 4, window=(3, 2))
grad_case("window_left", "f16", 1, 11, 19, 1, 1, 8, 4, window=(4, -1))
grad_case("window_right", "bf16", 1, 9, 9, 1, 1, 8, 4, window=(-1, 3))
grad_case("causal_band_alibi", "bf16", 1, 19, 19, 2, 2, 8, 4, causal=True,
          window=(5, -1), alibi="head")
grad_case("alibi_batch_head", "f16", 2, 7, 10, 2, 2, 8, 4, alibi="batch_head")
grad_case("gqa_causal_dynamic", "bf16", 2, 9, 23, 4, 2, 8, 4, causal=True,
          scale=0.5, bias=-math.log(23), dynamic=True)
# Keys 0 .. 13 are seen by no query: whole key tiles with no query tile.
grad_case("unseen_keys", "bf16", 1, 5, 19, 1, 1, 8, 4, causal=True, window=(2, 0))
grad_case("runtime_scale_bias_window", "bf16", 1, 15, 19, 2, 1, 8, 4,
          window=(4, 2), scale=0.375, bias=-math.log(19),
          runtime=("scale", "bias"))


def emit_operands(c, operands):
    """The case function's header and constant operands (`operands` names
    tensors of the case, in order), cast to dynamic B and N when the case
    says so. Returns the lines, the SSA names and types of the operands and
    the alibi and attribute text of the op."""
    dt = c["dtype"]
    # A run-time scale or bias is an f32 argument of the case's function.
    runtime = c.get("runtime", ())
    params = ", ".join(f"%{n}_value: f32" for n in runtime)
    lines = [f"func.func @{c['name']}({params}) {{"]
    for name in operands:
        vals, shape = c[name]
        lines.append(f"  %{name}0 = arith.constant dense<{dense(vals, shape)}> : "
                     f"{tensor_type(shape, dt)}")
    types = [tensor_type(c[n][1], dt) for n in operands]
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
    names = [f"%{n}0" for n in operands]
    if c.get("dynamic"):
        dyn_types = []
        for n, t in zip(operands, types):
            d = tensor_type(["?", "?"] + list(c[n][1][2:]), dt)
            lines.append(f"  %{n}1 = tensor.cast %{n}0 : {t} to {d}")
            dyn_types.append(d)
        types = dyn_types
        names = [f"%{n}1" for n in operands]
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
    return lines, names, types, alibi + attrs


def emit_print(c, res, shape, rows, prefix):
    """Prints result `res` of static `shape` (dynamic B and N when the case
    says so) as a 2-D f32 memref of `rows` rows."""
    dt = c["dtype"]
    static_r = tensor_type(shape, dt)
    lines = []
    if c.get("dynamic"):
        dyn = tensor_type(["?", "?"] + list(shape[2:]), dt)
        cast = f"{res}s"
        lines.append(f"  {cast} = tensor.cast {res} : {dyn} to {static_r}")
        res = cast
    f32r = tensor_type(shape, "f32")
    flat = tensor_type([rows, shape[-1]], "f32")
    lines.append(f"  %{prefix}e = arith.extf {res} : {static_r} to {f32r}")
    lines.append(f"  %{prefix}c = tensor.collapse_shape %{prefix}e [[0, 1, 2], [3]] : {f32r} into {flat}")
    lines.append(f"  %{prefix}u = tensor.cast %{prefix}c : {flat} to tensor<*xf32>")
    lines.append(f"  call @printMemrefF32(%{prefix}u) : (tensor<*xf32>) -> ()")
    return lines


def emit_case(c):
    dt = c["dtype"]
    B, Nq, Hq, _ = c["q"][1]
    Dv = c["v"][1][3]
    rs = [B, Nq, Hq, Dv]
    lines, names, types, attrs = emit_operands(c, ("q", "k", "v"))
    rtype = tensor_type(["?", "?", Hq, Dv] if c.get("dynamic") else rs, dt)
    lines.append(f"  %o = sigattn.attention {', '.join(names)}{attrs}")
    lines.append(f"      : {', '.join(types)} -> {rtype}")
    lines += emit_print(c, "%o", rs, B * Nq * Hq, "")
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


GRADS = (("dq", "q"), ("dk", "k"), ("dv", "v"))


def emit_grad_case(c):
    dt = c["dtype"]
    lines, names, types, attrs = emit_operands(c, ("q", "k", "v", "do"))
    rtypes = types[:3]
    lines.append(f"  %dq, %dk, %dv = sigattn.attention_grad {', '.join(names)}{attrs}")
    lines.append(f"      : {', '.join(types)}")
    lines.append(f"      -> {', '.join(rtypes)}")
    for grad, like in GRADS:
        shape = c[like][1]
        lines.append(f'  vector.print str "grad {grad}\\n"')
        lines += emit_print(c, "%" + grad, shape, math.prod(shape[:3]), grad)
    lines.append("  return")
    lines.append("}")
    return lines


def check_value(x, slack, rnd):
    """A FileCheck pattern for exact value x rounded by rnd, where the
    kernel's f32 arithmetic may be off by up to `slack`: the rounded value,
    or a regex of every rounding within reach when x is that close to a
    rounding boundary."""
    candidates = []
    for y in (x - slack, x, x + slack):
        text = fmt(rnd(y))
        if text not in candidates:
            candidates.append(text)
    if len(candidates) == 1:
        return candidates[0]
    escaped = [t.replace(".", "\\.").replace("+", "\\+") for t in candidates]
    return "{{(" + "|".join(escaped) + ")}}"


def emit_grad_checks(c):
    grads = gradients64(c)
    check_finite_differences(c, grads)
    bounds = gradients64(c, magnitude=True)
    rnd = rounder(c)
    lines = [f"// CHECK-LABEL: case {c['name']}"]
    for (grad, like), values, bound in zip(GRADS, grads, bounds):
        shape = c[like][1]
        rows, cols = math.prod(shape[:3]), shape[3]
        # f32 keeps ~7 digits of each term; 2e-6 of the terms' magnitudes
        # bounds what the reference lowering's rounding can move a sum by.
        cells = [check_value(x, 2e-6 * m, rnd) for x, m in zip(values, bound)]
        lines.append(f"// CHECK: grad {grad}")
        lines.append(f"// CHECK: sizes = [{rows}, {cols}]")
        for r in range(rows):
            row = ", ".join(cells[r * cols:(r + 1) * cols])
            # {{\[}}: FileCheck reads a bare "[[" as a variable.
            start = "{{\\[}}[" if r == 0 else "["
            end = "]]" if r == rows - 1 else "],"
            lines.append(f"// CHECK-NEXT: {start}{row}{end}")
    return lines


REFERENCE = "-convert-sigattn-to-linalg"
TILED = ("-sigattn-tile=\"block-q=%d block-k=%d\" -sigattn-peel-boundary-tiles "
         "-convert-sigattn-tiles-to-vector")

EVALUATION = ("checked against a float64\n"
              "// evaluation of the op's definition rounded to the result type.")
TILED_REDUCE = TILED.replace('block-k=%d"', 'block-k=%d dq=reduce"')
HEADERS = {
    "reference": ("CPU execution of the reference lowering, " + EVALUATION,
                  [REFERENCE], emit_checks, emit_case),
    "tiled": ("CPU execution of the tiled loops (tiling, boundary peeling, the\n"
              "// portable tile lowering) at several tile sizes, and of the reference\n"
              "// lowering, " + EVALUATION,
              [TILED % (4, 3), TILED % (5, 8), TILED % (1, 1), TILED % (16, 32),
               REFERENCE], emit_checks, emit_case),
    "grad": ("CPU execution of the reference lowering of sigattn.attention_grad,\n"
             "// checked against float64 gradients: the analytic formulas, each value\n"
             "// checked by central finite differences of the forward definition when\n"
             "// this file was generated, rounded to the result type (a value that\n"
             "// f32 arithmetic can move across a rounding boundary accepts both).",
             [REFERENCE], emit_grad_checks, emit_grad_case),
    "tiled-grad": ("CPU execution of sigattn.attention_grad through the tiled loops\n"
                   "// (tiling into the dK/dV and dQ grids, boundary peeling, the portable\n"
                   "// tile lowering) at several tile sizes, with dQ from its own grid and\n"
                   "// reduced from the dK/dV steps (dq=reduce), and of its reference lowering,\n"
                   "// checked against float64 gradients (analytic, sampled by central finite\n"
                   "// differences when this file was generated) rounded to the result type\n"
                   "// (a value that f32 arithmetic can move across a rounding boundary\n"
                   "// accepts both).",
                   [TILED % (4, 3), TILED % (5, 8), TILED % (1, 1), TILED % (16, 32),
                    TILED % (3, 7), TILED_REDUCE % (4, 3), TILED_REDUCE % (1, 1),
                    TILED_REDUCE % (16, 32), REFERENCE], emit_grad_checks,
                   emit_grad_case),
}


def main():
    global CASES
    suite = sys.argv[1] if len(sys.argv) > 1 else "reference"
    CASES = SUITES[suite]
    what, pipelines, checks, body = HEADERS[suite]
    print("// Generated by gen_reference_test.py; do not edit by hand.")
    print("// " + what)
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
        for line in checks(c):
            print(line)
        for line in body(c):
            print(line)


if __name__ == "__main__":
    main()
