#!/usr/bin/env python3
"""Writes execute-raise.mlir: unfused sigmoid attention in the forms
sigattn-raise-attention accepts, each run on the CPU as written and after
raising (through the op's reference lowering), both checked against a
float64 evaluation of sigmoid(scale * q.k + bias) . v on the same inputs.

    python3 test/Integration/CPU/gen_raise_test.py > test/Integration/CPU/execute-raise.mlir
"""

import math
import random

B, H, N, D = 1, 2, 5, 8  # [B, H, N, D]


def rand(shape, rng):
    n = 1
    for s in shape:
        n *= s
    # Multiples of 1/8 in [-1, 1]: exact in bf16 and f16.
    return [rng.randint(-8, 8) / 8.0 for _ in range(n)]


def at(x, shape, idx):
    off = 0
    for s, i in zip(shape, idx):
        off = off * s + i
    return x[off]


def expected(q, k, v, scale, bias, visible=lambda i, j: True, slopes=None):
    shape = [B, H, N, D]
    out = []
    for b in range(B):
        for h in range(H):
            for i in range(N):
                p = []
                for j in range(N):
                    s = sum(at(q, shape, (b, h, i, d)) * at(k, shape, (b, h, j, d))
                            for d in range(D))
                    x = scale * s + bias
                    if slopes:
                        x -= slopes[h] * abs(i - j)
                    p.append(1.0 / (1.0 + math.exp(-x)) if visible(i, j) else 0.0)
                for d in range(D):
                    out.append(sum(p[j] * at(v, shape, (b, h, j, d)) for j in range(N)))
    return out


def dense(values, dtype, shape=None):
    def fmt(x):
        return repr(float(x))
    shape = shape or [B, H, N, D]

    def rec(dim, off):
        if dim == len(shape):
            return fmt(values[off])
        stride = 1
        for s in shape[dim + 1:]:
            stride *= s
        return "[" + ", ".join(rec(dim + 1, off + i * stride) for i in range(shape[dim])) + "]"
    return "dense<" + rec(0, 0) + ">"


T = lambda e: f"tensor<{B}x{H}x{N}x{D}x{e}>"
TS = lambda e: f"tensor<{B}x{H}x{N}x{N}x{e}>"
ID = "affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>"
PAR4 = '["parallel", "parallel", "parallel", "parallel"]'


# 1 / (1 + exp(-%x)) into %r, with %one defined.
SIGMOID_OF_X = ["%n = arith.negf %x : f32", "%ex = math.exp %n : f32",
                "%den = arith.addf %one, %ex : f32", "%r = arith.divf %one, %den : f32"]


def elementwise(name, src, stype, body, result_e="f32"):
    """An elementwise linalg.generic on one input with `body` (a list of
    lines using %x, ending in a value %r)."""
    lines = [f"  %{name}_init = tensor.empty() : {TS(result_e)}",
             f"  %{name} = linalg.generic {{indexing_maps = [{ID}, {ID}], iterator_types = {PAR4}}}"
             f" ins(%{src} : {stype}) outs(%{name}_init : {TS(result_e)}) {{",
             f"  ^bb0(%x: {stype.split('x')[-1][:-1]}, %unused: {result_e}):"]
    lines += ["    " + l for l in body]
    lines += [f"    linalg.yield %r : {result_e}", f"  }} -> {TS(result_e)}"]
    return lines


def bmm(name, lhs, rhs, lshape, rshape, oshape, e="f32"):
    """linalg.batch_matmul on collapsed 4-D tensors, expanded back."""
    def t(shape):
        return "tensor<" + "x".join(str(s) for s in shape) + f"x{e}>"

    def c(shape):
        return [shape[0] * shape[1]] + shape[2:]
    return [
        f"  %{name}_l = tensor.collapse_shape %{lhs} [[0, 1], [2], [3]] : {t(lshape)} into {t(c(lshape))}",
        f"  %{name}_r = tensor.collapse_shape %{rhs} [[0, 1], [2], [3]] : {t(rshape)} into {t(c(rshape))}",
        f"  %{name}_e = tensor.empty() : {t(c(oshape))}",
        f"  %{name}_z = linalg.fill ins(%zero : {e}) outs(%{name}_e : {t(c(oshape))}) -> {t(c(oshape))}",
        f"  %{name}_m = linalg.batch_matmul ins(%{name}_l, %{name}_r : {t(c(lshape))}, {t(c(rshape))})"
        f" outs(%{name}_z : {t(c(oshape))}) -> {t(c(oshape))}",
        f"  %{name} = tensor.expand_shape %{name}_m [[0, 1], [2], [3]] output_shape {oshape} : {t(c(oshape))} into {t(oshape)}",
    ]


def generic_contraction(name, lhs, rhs, ltype, rtype, otype, rhs_map, e, acc_e):
    """C[b,h,m,n] = sum_k A[b,h,m,k] * B[.., rhs_map]: a 5-loop generic."""
    ext = e != acc_e
    body = []
    a, b_ = "%a", "%b"
    if ext:
        body += [f"    %ae = arith.extf %a : {e} to {acc_e}", f"    %be = arith.extf %b : {e} to {acc_e}"]
        a, b_ = "%ae", "%be"
    body += [f"    %{name}_mul = arith.mulf {a}, {b_} : {acc_e}",
             f"    %{name}_sum = arith.addf %acc, %{name}_mul : {acc_e}",
             f"    linalg.yield %{name}_sum : {acc_e}"]
    return [
        f"  %{name}_e = tensor.empty() : {otype}",
        f"  %{name}_z = linalg.fill ins(%zero : {acc_e}) outs(%{name}_e : {otype}) -> {otype}",
        f"  %{name} = linalg.generic {{indexing_maps = [affine_map<(b, h, m, n, k) -> (b, h, m, k)>, "
        f"affine_map<(b, h, m, n, k) -> {rhs_map}>, affine_map<(b, h, m, n, k) -> (b, h, m, n)>], "
        f'iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}}'
        f" ins(%{lhs}, %{rhs} : {ltype}, {rtype}) outs(%{name}_z : {otype}) {{",
        f"  ^bb0(%a: {e}, %b: {e}, %acc: {acc_e}):",
    ] + body + [f"  }} -> {otype}"]


def truncate_generic(name, src, src_type, dst_type):
    """An elementwise generic that truncates f32 to bf16."""
    return [f"  %{name}_e = tensor.empty() : {dst_type}",
            f"  %{name} = linalg.generic {{indexing_maps = [{ID}, {ID}], iterator_types = {PAR4}}}"
            f" ins(%{src} : {src_type}) outs(%{name}_e : {dst_type}) {{",
            "  ^bb0(%x: f32, %unused: bf16):", "    %r = arith.truncf %x : f32 to bf16",
            "    linalg.yield %r : bf16", f"  }} -> {dst_type}"]


def header(name, consts, e="bf16"):
    """The case function's signature and its scalar constants."""
    return ([f"func.func @{name}(%q: {T(e)}, %k: {T(e)}, %v: {T(e)}) -> {T(e)} {{"]
            + [f"  %{n} = arith.constant {c} : f32" for n, c in consts])


def generic_tail():
    """P (f32, %p) truncated to bf16, O = P.V by a generic contraction in f32,
    truncated, returned."""
    return (truncate_generic("pb", "p", TS("f32"), TS("bf16"))
            + generic_contraction("o", "pb", "v", TS("bf16"), T("bf16"), T("f32"),
                                  "(b, h, k, n)", "bf16", "f32")
            + truncate_generic("ob", "o", T("f32"), T("bf16"))
            + [f"  return %ob : {T('bf16')}", "}"])


def extended_prelude(name, scale, bias):
    """The case function's signature, constants %zero, %one, %scale, %bias,
    q, k, v extended to f32 (%qf, %kf, %vf) and K^T (%kt) by a
    linalg.transpose."""
    kt = f"tensor<{B}x{H}x{D}x{N}xf32>"
    return [
        f"func.func @{name}(%q: {T('bf16')}, %k: {T('bf16')}, %v: {T('bf16')}) -> {T('bf16')} {{",
        "  %zero = arith.constant 0.0 : f32",
        "  %one = arith.constant 1.0 : f32",
        f"  %scale = arith.constant {scale} : f32",
        f"  %bias = arith.constant {bias} : f32",
        f"  %qf = arith.extf %q : {T('bf16')} to {T('f32')}",
        f"  %kf = arith.extf %k : {T('bf16')} to {T('f32')}",
        f"  %vf = arith.extf %v : {T('bf16')} to {T('f32')}",
        f"  %kt_e = tensor.empty() : {kt}",
        f"  %kt = linalg.transpose ins(%kf : {T('f32')}) outs(%kt_e : {kt}) permutation = [0, 1, 3, 2]",
    ]


def torch_form():
    """torch-mlir's shape: extf, K^T by linalg.transpose, batch_matmul
    between collapse/expand, scale, bias and 1 / (1 + exp(-x)) as three
    generics, truncf at the end."""
    scale, bias = 0.25, -1.5
    lines = extended_prelude("torch_form", scale, bias)
    lines += bmm("s", "qf", "kt", [B, H, N, D], [B, H, D, N], [B, H, N, N])
    lines += elementwise("scaled", "s", TS("f32"), ["%r = arith.mulf %x, %scale : f32"])
    lines += elementwise("biased", "scaled", TS("f32"), ["%r = arith.addf %x, %bias : f32"])
    lines += elementwise("p", "biased", TS("f32"), SIGMOID_OF_X)
    lines += bmm("o", "p", "vf", [B, H, N, N], [B, H, N, D], [B, H, N, D])
    lines += [f"  %ob = arith.truncf %o : {T('f32')} to {T('bf16')}",
              f"  return %ob : {T('bf16')}", "}"]
    return "torch_form", "bf16", scale, bias, lines


def mm(name, lhs, rhs, lshape, rshape, oshape, e="f32"):
    """linalg.matmul on [1, 1, M, K] x [1, 1, K, N] collapsed to 2-D,
    expanded back (one batch, one head)."""
    def t(shape):
        return "tensor<" + "x".join(str(s) for s in shape) + f"x{e}>"
    return [
        f"  %{name}_l = tensor.collapse_shape %{lhs} [[0, 1, 2], [3]] : {t(lshape)} into {t(lshape[2:])}",
        f"  %{name}_r = tensor.collapse_shape %{rhs} [[0, 1, 2], [3]] : {t(rshape)} into {t(rshape[2:])}",
        f"  %{name}_e = tensor.empty() : {t(oshape[2:])}",
        f"  %{name}_z = linalg.fill ins(%zero : {e}) outs(%{name}_e : {t(oshape[2:])}) -> {t(oshape[2:])}",
        f"  %{name}_m = linalg.matmul ins(%{name}_l, %{name}_r : {t(lshape[2:])}, {t(rshape[2:])})"
        f" outs(%{name}_z : {t(oshape[2:])}) -> {t(oshape[2:])}",
        f"  %{name} = tensor.expand_shape %{name}_m [[0, 1, 2], [3]] output_shape {oshape} : {t(oshape[2:])} into {t(oshape)}",
    ]


def one_generic_tail(contract):
    """S = qf . kt and O = P . vf by `contract` (bmm or mm), with
    1 / (1 + exp(-(s * %scale + %bias))) in one generic between them, the
    result truncated to bf16 and returned."""
    lines = contract("s", "qf", "kt", [B, H, N, D], [B, H, D, N], [B, H, N, N])
    lines += elementwise("p", "s", TS("f32"), [
        "%y = arith.mulf %x, %scale : f32", "%z = arith.addf %y, %bias : f32",
        "%n = arith.negf %z : f32", "%ex = math.exp %n : f32",
        "%den = arith.addf %one, %ex : f32", "%r = arith.divf %one, %den : f32"])
    lines += contract("o", "p", "vf", [B, H, N, N], [B, H, N, D], [B, H, N, D])
    return lines + [f"  %ob = arith.truncf %o : {T('f32')} to {T('bf16')}",
                    f"  return %ob : {T('bf16')}", "}"]


# Cases with other head counts than H (set while they are built and run).
CASE_HEADS = {"matmul_form": 1}


def matmul_form():
    """One batch and one head: torch's shape with 2-D linalg.matmul between
    collapse_shape / expand_shape of the [1, 1, N, D] tensors."""
    global H
    saved, H = H, CASE_HEADS["matmul_form"]
    try:
        scale, bias = 0.375, -0.5
        lines = extended_prelude("matmul_form", scale, bias)
        lines += one_generic_tail(mm)
        return "matmul_form", "bf16", scale, bias, lines
    finally:
        H = saved


def generic_form():
    """One 4-D generic per matmul (K^T in the indexing map, bf16 extended in
    the body), scale as a divide, bias added on the left, the tanh form in
    one generic, the truncation as a generic."""
    scale, bias = 1.0 / 4.0, 0.75
    lines = header("generic_form", [("zero", "0.0"), ("half", "0.5"), ("four", "4.0"), ("bias", bias)])
    lines += generic_contraction("s", "q", "k", T("bf16"), T("bf16"), TS("f32"),
                                 "(b, h, n, k)", "bf16", "f32")
    lines += elementwise("p", "s", TS("f32"), [
        "%d = arith.divf %x, %four : f32", "%y = arith.addf %bias, %d : f32",
        "%hy = arith.mulf %y, %half : f32", "%t = math.tanh %hy : f32",
        "%ht = arith.mulf %half, %t : f32", "%r = arith.addf %ht, %half : f32"])
    lines += generic_tail()
    return "generic_form", "bf16", scale, bias, lines


def f16_form():
    """Everything in f16 (no casts): exp(x) / (1 + exp(x)) with the scale
    after the bias: (s + b') * a."""
    scale, bias = 0.5, -0.25  # (s - 0.5) * 0.5
    lines = [
        f"func.func @f16_form(%q: {T('f16')}, %k: {T('f16')}, %v: {T('f16')}) -> {T('f16')} {{",
        "  %zero = arith.constant 0.0 : f16",
        "  %one = arith.constant 1.0 : f16",
        "  %shift = arith.constant 0.5 : f16",
        "  %scale = arith.constant 0.5 : f16",
    ]
    lines += generic_contraction("s", "q", "k", T("f16"), T("f16"), TS("f16"),
                                 "(b, h, n, k)", "f16", "f16")
    lines += [l.replace("f32", "f16") for l in elementwise("p", "s", TS("f16"), [
        "%y = arith.subf %x, %shift : f32", "%z = arith.mulf %y, %scale : f32",
        "%e1 = math.exp %z : f32", "%den = arith.addf %e1, %one : f32",
        "%e2 = math.exp %z : f32", "%r = arith.divf %e2, %den : f32"], result_e="f32")]
    lines += generic_contraction("o", "p", "v", TS("f16"), T("f16"), T("f16"),
                                 "(b, h, k, n)", "f16", "f16")
    lines += [f"  return %o : {T('f16')}", "}"]
    return "f16_form", "f16", scale, bias, lines


def gqa_form():
    """Grouped queries: one K/V head repeated for the H query heads, K by
    linalg.broadcast after its extf, V by a broadcasting generic before its
    extf, each collapsed into the heads (torch's repeat_interleave)."""
    scale, bias = 0.25, -0.5
    kv = f"tensor<{B}x1x{N}x{D}x"
    k5 = f"tensor<{B}x1x{H}x{N}x{D}x"
    kt = f"tensor<{B}x{H}x{D}x{N}xf32>"
    lines = [
        f"func.func @gqa_form(%q: {T('bf16')}, %k: {kv}bf16>, %v: {kv}bf16>) -> {T('bf16')} {{",
        "  %zero = arith.constant 0.0 : f32",
        "  %one = arith.constant 1.0 : f32",
        f"  %scale = arith.constant {scale} : f32",
        f"  %bias = arith.constant {bias} : f32",
        f"  %qf = arith.extf %q : {T('bf16')} to {T('f32')}",
        f"  %kf1 = arith.extf %k : {kv}bf16> to {kv}f32>",
        f"  %k5_e = tensor.empty() : {k5}f32>",
        f"  %k5 = linalg.broadcast ins(%kf1 : {kv}f32>) outs(%k5_e : {k5}f32>) dimensions = [2]",
        f"  %kf = tensor.collapse_shape %k5 [[0], [1, 2], [3], [4]] : {k5}f32> into {T('f32')}",
        f"  %v5_e = tensor.empty() : {k5}bf16>",
        f"  %v5 = linalg.generic {{indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d3, d4)>, "
        f"affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>], iterator_types = "
        f'["parallel", "parallel", "parallel", "parallel", "parallel"]}} ins(%v : {kv}bf16>) outs(%v5_e : {k5}bf16>) {{',
        "  ^bb0(%x: bf16, %unused: bf16):", "    linalg.yield %x : bf16", f"  }} -> {k5}bf16>",
        f"  %vb = tensor.collapse_shape %v5 [[0], [1, 2], [3], [4]] : {k5}bf16> into {T('bf16')}",
        f"  %vf = arith.extf %vb : {T('bf16')} to {T('f32')}",
        f"  %kt_e = tensor.empty() : {kt}",
        f"  %kt = linalg.transpose ins(%kf : {T('f32')}) outs(%kt_e : {kt}) permutation = [0, 1, 3, 2]",
    ]
    lines += one_generic_tail(bmm)
    return "gqa_form", "bf16", scale, bias, lines


def causal_form():
    """Causal: the sigmoid and select(j <= i, P, 0) in one generic, the
    indices compared unsigned."""
    scale, bias = 0.25, -0.5
    lines = header("causal_form", [("zero", "0.0"), ("one", "1.0"), ("scale", scale), ("bias", bias)])
    lines += generic_contraction("s", "q", "k", T("bf16"), T("bf16"), TS("f32"),
                                 "(b, h, n, k)", "bf16", "f32")
    lines += elementwise("p", "s", TS("f32"), [
        "%y = arith.mulf %x, %scale : f32", "%z = arith.addf %y, %bias : f32",
        "%n = arith.negf %z : f32", "%ex = math.exp %n : f32",
        "%den = arith.addf %one, %ex : f32", "%sig = arith.divf %one, %den : f32",
        "%i = linalg.index 2 : index", "%j = linalg.index 3 : index",
        "%vis = arith.cmpi ule, %j, %i : index",
        "%r = arith.select %vis, %sig, %zero : f32"])
    lines += truncate_generic("pb", "p", TS("f32"), TS("bf16"))
    lines += generic_contraction("o", "pb", "v", TS("bf16"), T("bf16"), T("f32"),
                                 "(b, h, k, n)", "bf16", "f32")
    lines += [f"  %ob = arith.truncf %o : {T('f32')} to {T('bf16')}",
              f"  return %ob : {T('bf16')}", "}"]
    return "causal_form", "bf16", scale, bias, lines


def window_form():
    """A sliding window [2, 1] as an i1 mask tensor from its own generic
    (i - j <= 2 and j <= i + 1, as i64), applied by select(mask, 0, P)
    negated: select(not visible, 0, P)."""
    scale, bias = 0.5, 0.25
    mi1 = f"tensor<{B}x{H}x{N}x{N}xi1>"
    lines = [
        f"func.func @window_form(%q: {T('bf16')}, %k: {T('bf16')}, %v: {T('bf16')}) -> {T('bf16')} {{",
        "  %zero = arith.constant 0.0 : f32",
        "  %one = arith.constant 1.0 : f32",
        f"  %scale = arith.constant {scale} : f32",
        f"  %bias = arith.constant {bias} : f32",
        f"  %qf = arith.extf %q : {T('bf16')} to {T('f32')}",
        f"  %kf = arith.extf %k : {T('bf16')} to {T('f32')}",
        f"  %vf = arith.extf %v : {T('bf16')} to {T('f32')}",
        f"  %kt_e = tensor.empty() : tensor<{B}x{H}x{D}x{N}xf32>",
        f"  %kt = linalg.transpose ins(%kf : {T('f32')}) outs(%kt_e : tensor<{B}x{H}x{D}x{N}xf32>) permutation = [0, 1, 3, 2]",
        f"  %m_e = tensor.empty() : {mi1}",
        f"  %hidden = linalg.generic {{indexing_maps = [{ID}], iterator_types = {PAR4}}} outs(%m_e : {mi1}) {{",
        "  ^bb0(%unused: i1):",
        "    %i = linalg.index 2 : index", "    %j = linalg.index 3 : index",
        "    %i64 = arith.index_cast %i : index to i64", "    %j64 = arith.index_cast %j : index to i64",
        "    %two = arith.constant 2 : i64", "    %c1 = arith.constant 1 : i64",
        "    %d = arith.subi %i64, %j64 : i64", "    %far = arith.cmpi sgt, %d, %two : i64",
        "    %i1 = arith.addi %i64, %c1 : i64", "    %ahead = arith.cmpi sgt, %j64, %i1 : i64",
        "    %inside = arith.cmpi sle, %d, %two : i64", "    %before = arith.cmpi sle, %j64, %i1 : i64",
        "    %vis = arith.andi %inside, %before : i1",
        "    %true = arith.constant true", "    %hid = arith.xori %vis, %true : i1",
        "    %vis2 = arith.andi %inside, %before : i1",
        "    linalg.yield %vis2 : i1",
        f"  }} -> {mi1}",
    ]
    lines += bmm("s", "qf", "kt", [B, H, N, D], [B, H, D, N], [B, H, N, N])
    lines += elementwise("sig", "s", TS("f32"), [
        "%y = arith.mulf %x, %scale : f32", "%z = arith.addf %y, %bias : f32",
        "%h = arith.mulf %z, %half : f32", "%t = math.tanh %h : f32",
        "%ht = arith.mulf %t, %half : f32", "%r = arith.addf %ht, %half : f32"])
    lines.insert(3, "  %half = arith.constant 0.5 : f32")
    lines += [f"  %p_e = tensor.empty() : {TS('f32')}",
              f"  %p = linalg.generic {{indexing_maps = [{ID}, {ID}, {ID}], iterator_types = {PAR4}}}"
              f" ins(%sig, %hidden : {TS('f32')}, {mi1}) outs(%p_e : {TS('f32')}) {{",
              "  ^bb0(%x: f32, %vis: i1, %unused: f32):",
              "    %true = arith.constant true", "    %masked = arith.xori %vis, %true : i1",
              "    %r = arith.select %masked, %zero, %x : f32",
              "    linalg.yield %r : f32", f"  }} -> {TS('f32')}"]
    lines += bmm("o", "p", "vf", [B, H, N, N], [B, H, N, D], [B, H, N, D])
    lines += [f"  %ob = arith.truncf %o : {T('f32')} to {T('bf16')}",
              f"  return %ob : {T('bf16')}", "}"]
    return "window_form", "bf16", scale, bias, lines


def neg_inf_form():
    """A window [3, 1] applied before the sigmoid: select(visible, x, -inf)
    on the scaled, biased score, then 1 / (1 + exp(-x))."""
    scale, bias = 0.25, 0.5
    lines = header("neg_inf_form", [("zero", "0.0"), ("one", "1.0"), ("ninf", "0xFF800000"), ("scale", scale), ("bias", bias)])
    lines += generic_contraction("s", "q", "k", T("bf16"), T("bf16"), TS("f32"),
                                 "(b, h, n, k)", "bf16", "f32")
    lines += elementwise("masked", "s", TS("f32"), [
        "%y = arith.mulf %x, %scale : f32", "%z = arith.addf %y, %bias : f32",
        "%i = linalg.index 2 : index", "%j = linalg.index 3 : index",
        "%c1 = arith.constant 1 : index", "%c3 = arith.constant 3 : index",
        "%i1 = arith.addi %i, %c1 : index", "%before = arith.cmpi sle, %j, %i1 : index",
        "%j3 = arith.addi %j, %c3 : index", "%inside = arith.cmpi sge, %j3, %i : index",
        "%vis = arith.andi %before, %inside : i1",
        "%r = arith.select %vis, %z, %ninf : f32"])
    lines += elementwise("p", "masked", TS("f32"), SIGMOID_OF_X)
    lines += generic_tail()
    return "neg_inf_form", "bf16", scale, bias, lines


def additive_form():
    """Causal as an additive mask before the sigmoid, x + select(j > i,
    -inf, 0), with the tanh form."""
    scale, bias = 0.5, -1.0
    lines = header("additive_form", [("zero", "0.0"), ("half", "0.5"), ("ninf", "0xFF800000"), ("scale", scale), ("bias", bias)])
    lines += generic_contraction("s", "q", "k", T("bf16"), T("bf16"), TS("f32"),
                                 "(b, h, n, k)", "bf16", "f32")
    lines += elementwise("p", "s", TS("f32"), [
        "%i = linalg.index 2 : index", "%j = linalg.index 3 : index",
        "%ahead = arith.cmpi ugt, %j, %i : index",
        "%m = arith.select %ahead, %ninf, %zero : f32",
        "%y = arith.mulf %x, %scale : f32", "%z = arith.addf %y, %bias : f32",
        "%zm = arith.addf %z, %m : f32",
        "%hz = arith.mulf %zm, %half : f32", "%t = math.tanh %hz : f32",
        "%ht = arith.mulf %t, %half : f32", "%r = arith.addf %ht, %half : f32"])
    lines += generic_tail()
    return "additive_form", "bf16", scale, bias, lines


SLOPES = [0.5, 0.125]


def alibi_case(name, argument):
    """A case with ALiBi: a slopes tensor [H] read per head (map (d1)) and
    the distance |i - j| from the indices as %pen = slope * |i - j|;
    `argument` computes the sigmoid's argument %z from the score %x and
    %pen (scale 0.25 and bias 0.5 defined)."""
    scale, bias = 0.25, 0.5
    lines = [f"func.func @{name}(%q: {T('bf16')}, %k: {T('bf16')}, %v: {T('bf16')}, "
             f"%slopes: tensor<{H}xf32>) -> {T('bf16')} {{"]
    lines += [f"  %{n} = arith.constant {c} : f32" for n, c in
              [("zero", "0.0"), ("one", "1.0"), ("scale", scale), ("bias", bias)]]
    lines += generic_contraction("s", "q", "k", T("bf16"), T("bf16"), TS("f32"),
                                 "(b, h, n, k)", "bf16", "f32")
    lines += [f"  %p_e = tensor.empty() : {TS('f32')}",
              f"  %p = linalg.generic {{indexing_maps = [{ID}, affine_map<(d0, d1, d2, d3) -> (d1)>, {ID}], "
              f"iterator_types = {PAR4}}} ins(%s, %slopes : {TS('f32')}, tensor<{H}xf32>) outs(%p_e : {TS('f32')}) {{",
              "  ^bb0(%x: f32, %m: f32, %unused: f32):",
              "    %i = linalg.index 2 : index", "    %j = linalg.index 3 : index",
              "    %d = arith.subi %i, %j : index", "    %d64 = arith.index_cast %d : index to i64",
              "    %a = math.absi %d64 : i64", "    %dist = arith.sitofp %a : i64 to f32",
              "    %pen = arith.mulf %m, %dist : f32"]
    lines += ["    " + l for l in argument]
    lines += ["    " + l.replace("%x", "%z") for l in SIGMOID_OF_X]
    lines += ["    linalg.yield %r : f32", f"  }} -> {TS('f32')}"]
    lines += generic_tail()
    return name, "bf16", scale, bias, lines


def alibi_form():
    """ALiBi subtracted after scale and bias."""
    return alibi_case("alibi_form", [
        "%y = arith.mulf %x, %scale : f32", "%z0 = arith.addf %y, %bias : f32",
        "%z = arith.subf %z0, %pen : f32"])


def alibi_scaled_form():
    """ALiBi inside the scaled part: (s - slope[h] * |i - j|) * 0.25 + 0.5,
    so the slopes' factor is -0.25, not -1 (the op gets 0.25 * slopes)."""
    return alibi_case("alibi_scaled_form", [
        "%y = arith.subf %x, %pen : f32", "%z0 = arith.mulf %y, %scale : f32",
        "%z = arith.addf %z0, %bias : f32"])


RUNTIME_SCALE, RUNTIME_BIAS = 0.125, -0.75
TENSOR_BIAS = 0.5


def runtime_form():
    """Scale and bias known only at run time (f32 function arguments, used
    inside the generics' bodies), with constants around them:
    (s * %scale) * 2 + %bias - 0.5, torch-mlir's three-generic shape."""
    scale, bias = 2.0 * RUNTIME_SCALE, RUNTIME_BIAS - 0.5
    lines = [f"func.func @runtime_form(%q: {T('bf16')}, %k: {T('bf16')}, %v: {T('bf16')}, "
             f"%rs: f32, %rb: f32) -> {T('bf16')} {{"]
    lines += [f"  %{n} = arith.constant {c} : f32" for n, c in
              [("zero", "0.0"), ("one", "1.0"), ("two", "2.0"), ("half", "0.5")]]
    lines += generic_contraction("s", "q", "k", T("bf16"), T("bf16"), TS("f32"),
                                 "(b, h, n, k)", "bf16", "f32")
    lines += elementwise("scaled", "s", TS("f32"), [
        "%y = arith.mulf %x, %rs : f32", "%r = arith.mulf %y, %two : f32"])
    lines += elementwise("biased", "scaled", TS("f32"), [
        "%y = arith.addf %x, %rb : f32", "%r = arith.subf %y, %half : f32"])
    lines += elementwise("p", "biased", TS("f32"), SIGMOID_OF_X)
    lines += generic_tail()
    return "runtime_form", "bf16", scale, bias, lines


RUNTIME_DIVISOR = 8.0


def divisor_form():
    """A score divided by a scalar known only at run time, a constant
    subtracted first: (s - 2) / %rd, so scale = 1 / %rd and
    bias = -2 / %rd (torch's q @ k.T / d, d a run-time value)."""
    scale, bias = 1.0 / RUNTIME_DIVISOR, -2.0 / RUNTIME_DIVISOR
    lines = [f"func.func @divisor_form(%q: {T('bf16')}, %k: {T('bf16')}, %v: {T('bf16')}, "
             f"%rd: f32) -> {T('bf16')} {{"]
    lines += [f"  %{n} = arith.constant {c} : f32" for n, c in
              [("zero", "0.0"), ("one", "1.0"), ("two", "2.0")]]
    lines += generic_contraction("s", "q", "k", T("bf16"), T("bf16"), TS("f32"),
                                 "(b, h, n, k)", "bf16", "f32")
    lines += elementwise("scaled", "s", TS("f32"), [
        "%y = arith.subf %x, %two : f32", "%r = arith.divf %y, %rd : f32"])
    lines += elementwise("p", "scaled", TS("f32"), SIGMOID_OF_X)
    lines += generic_tail()
    return "divisor_form", "bf16", scale, bias, lines


def tensor_scalar_form():
    """A bias known at run time as a 0-d f32 tensor, read by the generic
    with the map () -> (), subtracted; a compiled-in scale."""
    scale, bias = 0.25, -TENSOR_BIAS
    lines = [f"func.func @tensor_scalar_form(%q: {T('bf16')}, %k: {T('bf16')}, %v: {T('bf16')}, "
             f"%bt: tensor<f32>) -> {T('bf16')} {{"]
    lines += [f"  %{n} = arith.constant {c} : f32" for n, c in
              [("zero", "0.0"), ("one", "1.0"), ("scale", scale)]]
    lines += generic_contraction("s", "q", "k", T("bf16"), T("bf16"), TS("f32"),
                                 "(b, h, n, k)", "bf16", "f32")
    lines += [f"  %p_e = tensor.empty() : {TS('f32')}",
              f"  %p = linalg.generic {{indexing_maps = [{ID}, affine_map<(d0, d1, d2, d3) -> ()>, {ID}], "
              f"iterator_types = {PAR4}}} ins(%s, %bt : {TS('f32')}, tensor<f32>) outs(%p_e : {TS('f32')}) {{",
              "  ^bb0(%x: f32, %c: f32, %unused: f32):",
              "    %y = arith.mulf %x, %scale : f32", "    %z = arith.subf %y, %c : f32",
              "    %n = arith.negf %z : f32", "    %ex = math.exp %n : f32",
              "    %den = arith.addf %one, %ex : f32", "    %r = arith.divf %one, %den : f32",
              "    linalg.yield %r : f32", f"  }} -> {TS('f32')}"]
    lines += generic_tail()
    return "tensor_scalar_form", "bf16", scale, bias, lines


VISIBLE = {"causal_form": lambda i, j: j <= i,
           "window_form": lambda i, j: i - j <= 2 and j <= i + 1,
           "neg_inf_form": lambda i, j: j <= i + 1 and j + 3 >= i,
           "additive_form": lambda i, j: j <= i}


def repeat_heads(x):
    """[B, 1, N, D] -> [B, H, N, D]."""
    per = N * D
    out = []
    for b in range(B):
        for _ in range(H):
            out += x[b * per:(b + 1) * per]
    return out


def main():
    rng = random.Random(2026)
    global H
    cases = [torch_form(), matmul_form(), generic_form(), f16_form(), gqa_form(),
             causal_form(), window_form(), neg_inf_form(), additive_form(),
             alibi_form(), runtime_form(), divisor_form(), tensor_scalar_form(),
             alibi_scaled_form()]
    print("// Generated by gen_raise_test.py; do not edit by hand.")
    print("// Unfused sigmoid attention in the forms sigattn-raise-attention accepts,")
    print("// run on the CPU as written and after raising (the op's reference")
    print("// lowering), each checked against float64 sigmoid(scale * q.k + bias) . v")
    print("// on the same inputs: \"ok 1\" when the largest error is within 4 ulps of")
    print("// the result type at the output's magnitude.")
    print("//")
    print("// REQUIRES: mlir-runner")
    print("// RUN: sigattn-opt %s | mlir-opt %lower-to-cpu \\")
    print("// RUN: | mlir-runner -e main -entry-point-result=void \\")
    print("// RUN:     -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils \\")
    print("// RUN: | FileCheck %s")
    print("// RUN: sigattn-opt %s -sigattn-raise-attention -convert-sigattn-to-linalg \\")
    print("// RUN: | mlir-opt %lower-to-cpu \\")
    print("// RUN: | mlir-runner -e main -entry-point-result=void \\")
    print("// RUN:     -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils \\")
    print("// RUN: | FileCheck %s")
    print("// Raised: one sigattn.attention per case, no matmul left.")
    print("// RUN: sigattn-opt %s -sigattn-raise-attention | FileCheck %s --check-prefix=RAISED")
    print()
    main_lines = ["func.func @main() {"]
    heads = H
    for name, e, scale, bias, lines in cases:
        H = CASE_HEADS.get(name, heads)
        kv_heads = 1 if name == "gqa_form" else H
        kv_shape = [B, kv_heads, N, D]
        q, k, v = rand([B, H, N, D], rng), rand(kv_shape, rng), rand(kv_shape, rng)
        if kv_heads == 1:
            want = expected(q, repeat_heads(k), repeat_heads(v), scale, bias)
        else:
            want = expected(q, k, v, scale, bias,
                            VISIBLE.get(name, lambda i, j: True),
                            SLOPES if name == "alibi_form" else
                            [0.25 * x for x in SLOPES] if name == "alibi_scaled_form"
                            else None)
        KV = f"tensor<{B}x{kv_heads}x{N}x{D}x{e}>"
        ulp = 2.0 ** (-7 if e == "bf16" else -10)
        tol = 4 * ulp * max(1.0, max(abs(x) for x in want))
        # Arguments after q, k, v: (definition in main, type).
        extra = {
            "alibi_form": [(f"dense<{SLOPES}> : tensor<{H}xf32>", f"tensor<{H}xf32>")],
            "alibi_scaled_form": [(f"dense<{SLOPES}> : tensor<{H}xf32>", f"tensor<{H}xf32>")],
            "runtime_form": [(f"{RUNTIME_SCALE!r} : f32", "f32"),
                             (f"{RUNTIME_BIAS!r} : f32", "f32")],
            "divisor_form": [(f"{RUNTIME_DIVISOR!r} : f32", "f32")],
            "tensor_scalar_form": [(f"dense<{TENSOR_BIAS!r}> : tensor<f32>", "tensor<f32>")],
        }.get(name, [])
        extra_defs = [f"  %{name}_x{i} = arith.constant {d}" for i, (d, _) in enumerate(extra)]
        extra_args = "".join(f", %{name}_x{i}" for i in range(len(extra)))
        extra_types = "".join(f", {t}" for _, t in extra)
        main_lines += [
            f'  vector.print str "case {name}\\n"',
            f"  %{name}_q = arith.constant {dense(q, e)} : {T(e)}",
            f"  %{name}_k = arith.constant {dense(k, e, kv_shape)} : {KV}",
            f"  %{name}_v = arith.constant {dense(v, e, kv_shape)} : {KV}",
            f"  %{name}_want = arith.constant {dense(want, 'f32')} : {T('f32')}",
        ] + extra_defs + [
            f"  %{name}_o = call @{name}(%{name}_q, %{name}_k, %{name}_v{extra_args}) : "
            f"({T(e)}, {KV}, {KV}{extra_types}) -> {T(e)}",
            f"  %{name}_of = arith.extf %{name}_o : {T(e)} to {T('f32')}",
            f"  %{name}_d = arith.subf %{name}_of, %{name}_want : {T('f32')}",
            f"  %{name}_a = math.absf %{name}_d : {T('f32')}",
            f"  %{name}_i = tensor.empty() : tensor<f32>",
            f"  %{name}_f = linalg.fill ins(%c0 : f32) outs(%{name}_i : tensor<f32>) -> tensor<f32>",
            f"  %{name}_m = linalg.reduce ins(%{name}_a : {T('f32')}) outs(%{name}_f : tensor<f32>) dimensions = [0, 1, 2, 3]",
            f"    (%in: f32, %init: f32) {{",
            f"      %mx = arith.maximumf %in, %init : f32",
            f"      linalg.yield %mx : f32",
            f"    }}",
            f"  %{name}_x = tensor.extract %{name}_m[] : tensor<f32>",
            f"  %{name}_ok = arith.cmpf ole, %{name}_x, %tol_{name} : f32",
            f'  vector.print str "ok "',
            f"  vector.print %{name}_ok : i1",
        ]
        main_lines.insert(1, f"  %tol_{name} = arith.constant {tol!r} : f32")
        print(f"// CHECK-LABEL: case {name}")
        print("// CHECK-NEXT: ok 1")
        print(f"// RAISED-LABEL: func.func @{name}")
        print("// RAISED-NOT: linalg.{{(batch_)?}}matmul")
        print("// RAISED: sigattn.attention")
        if name in ("causal_form", "additive_form"):
            print("// RAISED-SAME: causal")
        if name == "window_form":
            print("// RAISED-SAME: window = [2, 1]")
        if name == "neg_inf_form":
            print("// RAISED-SAME: window = [3, 1]")
        if name == "alibi_form":
            print("// RAISED-SAME: alibi(")
        if name == "alibi_scaled_form":
            # The op's slopes: 0.25 * the front end's, computed before it.
            print("// RAISED-SAME: alibi(")
        if name in ("runtime_form", "divisor_form"):
            # 2 * %rs and %rb + (-0.5), or 1 / %rd and -2 * (1 / %rd),
            # computed before the op.
            print("// RAISED-SAME: scale(%{{.+}} : f32) bias(%{{.+}} : f32)")
        elif name == "tensor_scalar_form":
            # -1 * the 0-d tensor's element.
            print(f"// RAISED-SAME: scale = {scale_text(scale)} bias(%{{{{.+}}}} : f32)")
        else:
            print(f"// RAISED-SAME: scale = {scale_text(scale)} bias = {scale_text(bias)}")
        if kv_heads != H:
            print(f"// RAISED-SAME: {KV.replace(f'x{kv_heads}x{N}x', f'x{N}x{kv_heads}x')},")
        print("// RAISED-NOT: linalg.{{(batch_)?}}matmul")
        print("// RAISED: return")
        print()
        print("\n".join(lines))
        print()
    H = heads
    main_lines.insert(1, "  %c0 = arith.constant 0.0 : f32")
    main_lines += ["  return", "}"]
    print("\n".join(main_lines))


def scale_text(x):
    # How MLIR prints an f32 attribute.
    return f"{x:.6e}".replace("e-0", "e-0").replace("e+0", "e+0")


if __name__ == "__main__":
    main()
