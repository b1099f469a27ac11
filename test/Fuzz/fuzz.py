#!/usr/bin/env python3
"""Deterministic, structure-aware mutation fuzzer for sigattn-opt.

Takes the .mlir files of the test suite and the examples as a corpus (split on
`// -----`, comment lines dropped), derives a few later pipeline stages from
them (tiled, peeled, outlined, NVVM with `sigattn.kernel`, PTX binary), then
runs `sigattn-opt` on mutated cases with randomly chosen passes and options:

  - shapes and element types of tensor/memref/vector types (one occurrence,
    one type everywhere, or one dimension value everywhere),
  - the attributes of sigattn ops (scale, bias, window, causal, block_k,
    masked): new values (nan, inf, -0.0, 1e39, 2^62, ...), dropped or added,
  - function names (`@"a-b"`, `@"1a"`, very long names), renamed everywhere,
  - sigattn.attention chained (one op's result is the next op's query),
  - `known_block_size` of kernels and entries of `sigattn.kernel`,
  - lines deleted, duplicated or swapped, and, at a low rate, bytes
    (truncation, a flipped character);
  - the pass: `--sigattn-gpu-pipeline` with options (chip, features, mma,
    tile sizes, num-warps, ptx-output), a single sigattn pass with options,
    or a short chain of them.

A run is a failure when sigattn-opt dies by a signal, prints an LLVM fatal
error, an assertion, an UNREACHABLE or a stack dump, or runs past the
timeout (hang). Exiting non-zero with ordinary `error:` diagnostics is the
desired behaviour ("diagnosed"). Each distinct failure (by signature: the
fatal message, or the signal and the innermost meaningful stack frame) is
written to the crash directory as a reproducer (input.mlir, cmd.sh,
stderr.txt, info.txt); `--reduce` also shrinks it (reduced.mlir,
reduced.sh). Input i depends only on the seed, i and the corpus, so a run
with a given seed and `--max-inputs` is reproducible.

The last line reads
  fuzz: N inputs in T s: C crashes, H hangs (ok A, diagnosed B)
and the exit status is 1 when there was any crash or hang.

Python 3.11, standard library only.
"""

import argparse
import concurrent.futures
import hashlib
import os
import random
import re
import resource
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CORPUS = ["test/Dialect", "test/Conversion", "test/Transforms",
                  "test/Pipelines", "test/Target", "examples"]
TMP = "@TMP@"  # stands for the per-run scratch directory in commands

# ---------------------------------------------------------------------------
# Corpus.
# ---------------------------------------------------------------------------

SPLIT_RE = re.compile(r"^// -----\s*$", re.M)


@dataclass
class Case:
    name: str   # file[:index] or derived:<stage>:<seed>
    text: str
    stage: str  # attention | tiles | kernels | nvvm | binary | other


def classify(text):
    if "gpu.binary" in text:
        return "binary"
    if "sigattn.kernel" in text:
        return "nvvm"
    if "gpu.func" in text and "sigattn." in text:
        return "kernels"
    if "sigattn.tile_step" in text or "sigattn.load_tile" in text:
        return "tiles"
    if "sigattn.attention" in text:
        return "attention"
    return "other"


def split_functions(text):
    """Top-level func.func blocks of a case that holds nothing else, or
    [text]. A case with many kernels takes the GPU pipeline ~1.5 s each."""
    blocks, cur = [], None
    for line in text.splitlines(keepends=True):
        if cur is None:
            if line.startswith("func.func "):
                cur = [line]
            elif line.strip():
                return [text]
        else:
            cur.append(line)
            if line.startswith("}"):
                blocks.append("".join(cur))
                cur = None
    if cur is not None or len(blocks) <= 2:
        return [text]
    return blocks


def load_corpus(dirs):
    cases, seen = [], set()
    for d in dirs:
        d = Path(d)
        if not d.is_absolute():
            d = ROOT / d
        if not d.is_dir():
            continue
        for f in sorted(d.rglob("*.mlir")):
            rel = os.path.relpath(f, ROOT)
            parts = SPLIT_RE.split(f.read_text(errors="replace"))
            for i, part in enumerate(parts):
                # Comment lines (RUN, CHECK, expected-error, prose) go.
                lines = [l for l in part.splitlines()
                         if not l.lstrip().startswith("//")]
                text = "\n".join(lines).strip("\n") + "\n"
                if not text.strip():
                    continue
                funcs = split_functions(text)
                for j, t in enumerate(funcs):
                    if t in seen:
                        continue
                    seen.add(t)
                    name = f"{rel}:{i}" + (f":{j}" if len(funcs) > 1 else "")
                    cases.append(Case(name, t, classify(t)))
    return cases


# Later stages of the GPU pipeline, derived from a few valid seeds: they carry
# the IR the later passes see (tile ops, gpu.func with known_block_size,
# launches with sigattn.kernel, gpu.binary).
DERIVE_STAGES = [
    ("tiles", ["--sigattn-tile"]),
    ("peeled", ["--sigattn-tile=block-q=64 block-k=32",
                "--sigattn-peel-boundary-tiles", "--canonicalize", "--cse"]),
    ("kernels", ["--sigattn-tile=block-q=64 block-k=32",
                 "--sigattn-peel-boundary-tiles", "--canonicalize", "--cse",
                 "--sigattn-outline-gpu-kernels=num-warps=4"]),
    ("nvvm", ["--sigattn-tile=block-q=64 block-k=32",
              "--sigattn-peel-boundary-tiles", "--canonicalize", "--cse",
              "--sigattn-outline-gpu-kernels=num-warps=4",
              "--convert-sigattn-tiles-to-nvvm", "--canonicalize", "--cse"]),
    ("binary", ["--sigattn-gpu-pipeline"]),
]
DERIVE_PRIORITY = ["examples/", "test/Target/", "test/Conversion/",
                   "test/Pipelines/", "test/Dialect/"]
DERIVE_FEATURES = ["causal", "window", "alibi", "xf16>", "xbf16>", "x64x",
                   "x128x", "x256x"]


def pick_derive_seeds(cases, n):
    """Up to n valid-looking sigattn.attention cases, greedily covering
    masks, ALiBi, element types and head dims."""
    pool = [c for c in cases if c.stage == "attention" and
            c.text.count("sigattn.attention") == 1 and
            any(c.name.startswith(p) for p in DERIVE_PRIORITY[:3])]
    pool.sort(key=lambda c: next(i for i, p in enumerate(DERIVE_PRIORITY)
                                 if c.name.startswith(p)))
    covered, picked = set(), []
    while pool and len(picked) < n:
        best = max(pool, key=lambda c: len(
            {f for f in DERIVE_FEATURES if f in c.text} - covered))
        pool.remove(best)
        picked.append(best)
        covered |= {f for f in DERIVE_FEATURES if f in best.text}
    return picked

# ---------------------------------------------------------------------------
# Mutations of the IR.
# ---------------------------------------------------------------------------

DIMS = ["0", "1", "15", "16", "17", "31", "32", "33", "63", "64", "65", "127",
        "128", "129", "256", "1000", "65536", str(2**31), str(2**62),
        str(2**63 - 1), "18446744073709551617", "?"]
VECTOR_DIMS = [d for d in DIMS if d == "?" or int(d) <= 65536]
ELEMS = ["bf16", "f16", "f32", "i8"]
RARE_ELEMS = ["f64", "i32", "i1", "f8E4M3FN", "index", "complex<f32>"]
FLOATS = ["0.0", "-0.0", "1.0", "-1.0", "0.125", "-8.0", "1e39", "-1e39",
          "1.0e-45", "3.4028235e38", "0x7FC00000", "0x7F800000", "0xFF800000",
          "0x80000000", "nan", "inf", "-inf", "1e308", "2", "\"x\""]
WINDOW_VALUES = [-1, 0, 1, 2, 3, 15, 16, 17, 127, 128, 4096, 2**31, 2**62,
                 2**63 - 1, -2, -(2**63), 2**63]
BLOCK_K = [0, 1, 8, 15, 16, 17, 32, 64, 128, 65536, 2**31, 2**62, 2**63 - 1,
           -16, -1]
NAMES = ['"a-b"', '"a.b"', '"1a"', '"$x"', '"a b"', '"a\\"b"', '""', '"\\0A"',
         '"a/b"', '"a::b"', '"%d%s"', '"\u00fc"', 'a.b', 'a$b', '_', 'main',
         'sigattn_kernels', 'x_sigattn', 'a' * 300, 'b' * 5000,
         '"' + 'c-' * 2000 + '"']
BLOCK_SIZES = [128, 1, 1, 0, -1, -32, 31, 32, 33, 64, 96, 160, 256, 1024,
               2048, 2**31 - 1, -(2**31), 2**31]
KERNEL_VALUES = ['0 : i64', '-1 : i64', '1 : i64', '9223372036854775807 : i64',
                 '-9223372036854775808 : i64', '64 : i32', '64 : i8',
                 '128 : index', '"64"', '6.4e+01 : f32', 'true', 'unit',
                 '[64]', 'array<i64: 64>', '{}', '"zz"', '""', '"\\22"',
                 '"a\\0Ab"', '-2.0 : f64', '0x7FC00000 : f32',
                 '0x7F800000 : f32', '"none"', '"head"', '"batch_head"',
                 '"bf16"', '"f16"', '"f32"', '"sync"', '"wgmma"',
                 '170141183460469231731687303715884105727 : i128',
                 '-1 : i1', '1.0e+300 : f64', '#gpu<dim x>', 'dense<1> : '
                 'vector<2xi64>', '@sym']
KERNEL_FIELDS = ["alibi", "bias", "block_k", "block_q", "block_threads",
                 "dynamic_shared_memory", "element_type", "head_dim", "mma",
                 "name", "num_kv_heads", "num_query_heads", "num_warps",
                 "scale", "value_dim", "window_left", "window_right",
                 "batch", "seq_q", "seq_k"]

SHAPED_RE = re.compile(
    r"\b(tensor|memref|vector)<((?:(?:\?|\d+)x)+)"
    r"(bf16|f16|f32|f64|i1|i8|i16|i32|i64|index)\b")
SYMBOL_DEF_RE = re.compile(r"\b(?:func\.func|gpu\.func|gpu\.module|"
                           r"gpu\.binary)\s+(?:private\s+)?"
                           r"@([A-Za-z_][\w$.]*|\"[^\"]*\")")
SIGATTN_OP_RE = re.compile(r"(?:\"?)sigattn\.(attention|tile_step)\b")
ATTR_RANK = {"alibi": 0, "causal": 1, "masked": 1, "block_k": 2,
             "window": 3, "scale": 4, "bias": 5}


def op_span(text, m):
    """The attribute part of a custom-form sigattn op starting at match m:
    from the op name to the ':' (at paren depth 0) before its types."""
    depth = 0
    i = m.end()
    while i < len(text):
        c = text[i]
        if c in "([{<":
            depth += 1
        elif c in ")]}>":
            depth -= 1
        elif c == ":" and depth <= 0:
            return m.end(), i
        i += 1
    return m.end(), len(text)


def rand_window(rng):
    return f"[{rng.choice(WINDOW_VALUES)}, {rng.choice(WINDOW_VALUES)}]"


def attr_text(rng, name):
    if name in ("causal", "masked"):
        return name
    if name == "window":
        return "window = " + rand_window(rng)
    if name == "block_k":
        return f"block_k = {rng.choice(BLOCK_K)}"
    if name == "alibi":
        return "alibi(%" + rng.choice(["s", "slope", "q", "0"]) + \
            rng.choice([" : tensor<4xf32>)", " : tensor<?x4xf32>)", ")"])
    return f"{name} = {rng.choice(FLOATS)}"


def mut_dims(rng, text):
    shapes = list(SHAPED_RE.finditer(text))
    if not shapes:
        return None
    mode = rng.random()
    if mode < 0.4:
        # One dimension value replaced in every tensor and memref (keeps q,
        # k, v, result consistent, so the input gets past the verifier).
        # Vectors of the derived stages are left alone: upstream ops (e.g.
        # vector.from_elements) allocate per element while parsing.
        new = rng.choice(DIMS)
        old = rng.choice(rng.choice(shapes).group(2).split("x")[:-1])

        def sub(m):
            if m.group(1) == "vector":
                return m.group(0)
            dims = ["" if d == "" else (new if d == old else d)
                    for d in m.group(2).split("x")]
            return f"{m.group(1)}<{'x'.join(dims)}{m.group(3)}"
        return SHAPED_RE.sub(sub, text), f"dim {old}->{new} everywhere"
    m = rng.choice(shapes)
    new = rng.choice(VECTOR_DIMS if m.group(1) == "vector" else DIMS)
    dims = m.group(2).split("x")[:-1]
    if mode < 0.5:  # change the rank
        if len(dims) > 1 and rng.random() < 0.5:
            dims.pop(rng.randrange(len(dims)))
        else:
            dims.insert(rng.randrange(len(dims) + 1), new)
    else:
        dims[rng.randrange(len(dims))] = new
    repl = f"{m.group(1)}<{'x'.join(dims)}x{m.group(3)}"
    if mode < 0.75:
        # Every occurrence of this type.
        old = m.group(0)
        return text.replace(old, repl), f"type {old}->{repl} everywhere"
    return text[:m.start()] + repl + text[m.end():], f"type {m.group(0)}->{repl}"


def mut_elem(rng, text):
    present = [e for e in ELEMS + RARE_ELEMS[:3]
               if re.search(rf"\b{re.escape(e)}\b", text)]
    if not present:
        return None
    old = rng.choice(present)
    new = rng.choice(ELEMS if rng.random() < 0.8 else RARE_ELEMS)
    if new == old:
        return None
    # Upstream's parser of linalg.batch_matmul dies on index operands (a bug
    # of MLIR 22, not of sigattn: the input never reaches sigattn's code).
    if new == "index" and "linalg.batch_matmul" in text:
        return None
    mode = rng.random()
    if mode < 0.5:
        # Everywhere, scalars and constants too, but not the element type
        # of dense arrays (`array<i32: ...>`): upstream's parser crashes on
        # `array<index: ...>` (a bug of MLIR 22, not of sigattn).
        return (re.sub(rf"\b{re.escape(old)}\b(?!:)", new, text),
                f"elem {old}->{new} everywhere")
    if mode < 0.8:
        return (re.sub(rf"x{re.escape(old)}>", f"x{new}>", text),
                f"shaped elem {old}->{new}")
    shapes = [m for m in SHAPED_RE.finditer(text) if m.group(3) == old]
    if not shapes:
        return None
    m = rng.choice(shapes)
    return (text[:m.start(3)] + new + text[m.end(3):],
            f"elem {old}->{new} once")


def mut_sigattn_attr(rng, text):
    ops = list(SIGATTN_OP_RE.finditer(text))
    if not ops:
        return None
    m = rng.choice(ops)
    if text[m.start()] == '"':
        return mut_generic_attrs(rng, text, m)
    lo, hi = op_span(text, m)
    span = text[lo:hi]
    kind = m.group(1)
    names = (["alibi", "causal", "window", "scale", "bias"]
             if kind == "attention" else
             ["alibi", "masked", "block_k", "window", "scale", "bias"])
    present = []
    for n in names:
        pat = (rf"\b{n}\b(?!\s*=)" if n in ("causal", "masked") else
               r"\balibi\([^)]*\)" if n == "alibi" else
               r"\bwindow\s*=\s*\[[^\]]*\]" if n == "window" else
               rf"\b{n}\s*=\s*[^\s:,]+")
        for a in re.finditer(pat, span):
            present.append((n, a))
    r = rng.random()
    if present and r < 0.45:
        n, a = rng.choice(present)
        new = attr_text(rng, n)
        desc = f"{kind}: {a.group(0)!r}->{new!r}"
    elif present and r < 0.65:
        n, a = rng.choice(present)
        new = ""
        desc = f"{kind}: drop {a.group(0)!r}"
    else:
        absent = [n for n in names if n not in {p for p, _ in present}]
        n = rng.choice(absent if absent and rng.random() < 0.85 else names)
        new = attr_text(rng, n)
        # Insert before the first attribute that comes after it in the
        # custom syntax, so most insertions still parse.
        pos = len(span)
        for pn, a in present:
            if ATTR_RANK[pn] > ATTR_RANK[n] and a.start() < pos:
                pos = a.start()
        span = span[:pos].rstrip() + " " + new + " " + span[pos:].lstrip()
        return text[:lo] + span + text[hi:], f"{kind}: add {new!r}"
    span = span[:a.start()] + new + span[a.end():]
    return text[:lo] + span + text[hi:], desc


def dict_span(text, start):
    """Index of the '}' closing the '{' at text[start]."""
    depth = 0
    instr = False
    i = start
    while i < len(text):
        c = text[i]
        if instr:
            if c == "\\":
                i += 1
            elif c == '"':
                instr = False
        elif c == '"':
            instr = True
        elif c in "{[<(":
            depth += 1
        elif c in "}]>)":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return None


def split_entries(body):
    entries, depth, instr, cur, i = [], 0, False, "", 0
    while i < len(body):
        c = body[i]
        if instr:
            if c == "\\" and i + 1 < len(body):
                cur += c
                i += 1
                c = body[i]
            elif c == '"':
                instr = False
        elif c == '"':
            instr = True
        elif c in "{[<(":
            depth += 1
        elif c in "}]>)":
            depth -= 1
        elif c == "," and depth == 0:
            entries.append(cur.strip())
            cur = ""
            i += 1
            continue
        cur += c
        i += 1
    if cur.strip():
        entries.append(cur.strip())
    return entries


def mutate_entries(rng, entries, fields):
    r = rng.random()
    if entries and r < 0.3:
        e = entries.pop(rng.randrange(len(entries)))
        return f"drop {e.split('=')[0].strip()}"
    if entries and r < 0.75:
        i = rng.randrange(len(entries))
        key = entries[i].split("=")[0].strip()
        entries[i] = f"{key} = {rng.choice(KERNEL_VALUES)}"
        return f"set {entries[i]}"
    if entries and r < 0.85:
        e = rng.choice(entries)
        entries.insert(rng.randrange(len(entries) + 1), e)
        return f"duplicate {e.split('=')[0].strip()}"
    e = f"{rng.choice(fields + ['extra'])} = {rng.choice(KERNEL_VALUES)}"
    entries.insert(rng.randrange(len(entries) + 1), e)
    return f"add {e}"


def mut_generic_attrs(rng, text, m):
    o = text.find("<{", m.end())
    if o < 0 or o > m.end() + 200:
        return None
    close = dict_span(text, o + 1)
    if close is None:
        return None
    entries = split_entries(text[o + 2:close])
    desc = mutate_entries(rng, entries,
                          ["bias", "scale", "causal", "window", "block_k",
                           "masked", "operandSegmentSizes"])
    return (text[:o + 2] + ", ".join(entries) + text[close:],
            f"generic sigattn attrs: {desc}")


def mut_kernel_dict(rng, text):
    ms = list(re.finditer(r"sigattn\.kernel\s*=\s*\{", text))
    if not ms:
        return None
    m = rng.choice(ms)
    o = m.end() - 1
    close = dict_span(text, o)
    if close is None:
        return None
    r = rng.random()
    if r < 0.1:
        return (text[:m.start()] + "sigattn.kernelx = {" + text[o + 1:],
                "sigattn.kernel renamed (missing)")
    if r < 0.2:
        return (text[:o] + rng.choice(KERNEL_VALUES) + text[close + 1:],
                "sigattn.kernel not a dictionary")
    entries = split_entries(text[o + 1:close])
    desc = mutate_entries(rng, entries, KERNEL_FIELDS)
    return (text[:o + 1] + ", ".join(entries) + text[close:],
            f"sigattn.kernel: {desc}")


def mut_block_size(rng, text):
    ms = list(re.finditer(r"known_block_size\s*=\s*array<i32:[^>]*>", text))
    if not ms:
        return None
    m = rng.choice(ms)
    r = rng.random()
    if r < 0.6:
        vals = [rng.choice(BLOCK_SIZES) if rng.random() < 0.6 else d
                for d in (128, 1, 1)]
        new = f"known_block_size = array<i32: {', '.join(map(str, vals))}>"
    elif r < 0.75:
        n = rng.choice([0, 1, 2, 4])
        new = "known_block_size = array<i32" + (
            ": " + ", ".join(str(rng.choice(BLOCK_SIZES)) for _ in range(n))
            if n else "") + ">"
    elif r < 0.9:
        new = rng.choice(["known_block_size = array<i64: 128, 1, 1>",
                          "known_block_size = dense<[128, 1, 1]> : "
                          "vector<3xi32>",
                          'known_block_size = "128"',
                          "known_block_size = 128 : i32",
                          "known_block_size = unit"])
    else:
        new = "known_block_sizex = array<i32: 128, 1, 1>"
    return text[:m.start()] + new + text[m.end():], f"{new}"


def mut_rename(rng, text):
    defs = list(SYMBOL_DEF_RE.finditer(text))
    if not defs:
        return None
    old = rng.choice(defs).group(1)
    new = rng.choice(NAMES)
    pat = re.compile("@" + re.escape(old) + r"(?![\w$.\"])")
    if rng.random() < 0.85:
        return pat.sub(lambda _: "@" + new, text), \
            f"rename @{old[:40]} -> @{new[:40]} everywhere"
    return pat.sub(lambda _: "@" + new, text, count=1), \
        f"rename @{old[:40]} -> @{new[:40]} once"


def mut_chain(rng, text):
    """Feed a sigattn.attention result as the query of a copy of the op."""
    ms = list(re.finditer(
        r"^([ \t]*)%([\w.$-]+) = sigattn\.attention (%[\w.$-]+)", text, re.M))
    if not ms:
        return None
    m = rng.choice(ms)
    _, colon = op_span(text, re.compile(r"sigattn\.attention").search(
        text, m.start()))
    arrow = text.find("->", colon)
    if arrow < 0:
        return None
    end = text.find("\n", arrow)
    end = len(text) if end < 0 else end + 1
    stmt = text[m.start():end]
    res = m.group(2)
    out, cur = [], res
    for n in range(rng.choice([1, 1, 2, 3])):
        new = f"{res}_c{n}"
        s = stmt.replace(f"%{res} = sigattn.attention {m.group(3)}",
                         f"%{new} = sigattn.attention %{cur}", 1)
        out.append(s)
        cur = new
    rest = re.sub(rf"%{re.escape(res)}(?![\w.$-])", f"%{cur}", text[end:])
    return text[:end] + "".join(out) + rest, f"chain x{len(out)} on %{res}"


def mut_lines(rng, text):
    lines = text.splitlines(keepends=True)
    if len(lines) < 2:
        return None
    i = rng.randrange(len(lines))
    r = rng.random()
    if r < 0.4:
        n = rng.choice([1, 1, 1, 2, 3, 5])
        del lines[i:i + n]
        return "".join(lines), f"delete {n} line(s) at {i}"
    if r < 0.75:
        lines.insert(i, lines[i])
        return "".join(lines), f"duplicate line {i}"
    j = rng.randrange(len(lines))
    lines[i], lines[j] = lines[j], lines[i]
    return "".join(lines), f"swap lines {i}, {j}"


BYTE_CHARS = "{}()<>[],:%@\"=x0123456789?-.\n !#^"


def mut_bytes(rng, text):
    if not text:
        return None
    r = rng.random()
    i = rng.randrange(len(text))
    if r < 0.35:
        return text[:i], f"truncate at {i}"
    if r < 0.8:
        return text[:i] + rng.choice(BYTE_CHARS) + text[i + 1:], \
            f"flip char at {i}"
    n = rng.randrange(1, 20)
    return text[:i] + text[i + n:], f"delete {n} chars at {i}"


STRUCT_MUTATORS = [
    (mut_dims, 14), (mut_elem, 7), (mut_sigattn_attr, 20), (mut_rename, 6),
    (mut_lines, 4), (mut_chain, 6), (mut_block_size, 8),
    (mut_kernel_dict, 10),
]
BYTE_RATE = 0.04  # share of inputs that get one byte-level mutation


def mutate(rng, text):
    applied = []
    n = 0 if rng.random() < 0.08 else 1
    while n and n < 4 and rng.random() < 0.45:
        n += 1
    funcs, weights = zip(*STRUCT_MUTATORS)
    for _ in range(n):
        for _try in range(8):
            f = rng.choices(funcs, weights)[0]
            r = f(rng, text)
            if r:
                text, desc = r
                applied.append(desc)
                break
    if rng.random() < BYTE_RATE:
        r = mut_bytes(rng, text)
        if r:
            text, desc = r
            applied.append(desc)
    return text, applied

# ---------------------------------------------------------------------------
# Passes and options.
# ---------------------------------------------------------------------------

INTS = ["16", "32", "64", "128", "0", "1", "2", "4", "8", "-1", "3", "17",
        "33", "63", "65", "127", "129", "256", "1000", "65536", str(2**31),
        str(2**61), str(2**62), str(2**62 + 16), str(2**63 - 1),
        str(-(2**63)), str(2**63), "abc", "1.5", ""]
WARPS = ["4", "8", "1", "2", "0", "-1", "3", "64", str(2**31), str(2**62),
         str(2**63 - 1), "16", "32", "x"]
# ptx-output: a file, a directory, a path under a missing directory, a name
# too long, and a full disk: full.ptx (and json-full.ptx.json) are symlinks
# to /dev/full in each run's scratch directory, so nothing is ever written
# next to /dev/full itself.
PIPELINE_OPTS = {
    "chip": ["sm_90a", "sm_90a", "sm_80", "sm_90", "sm_100a", "sm_50",
             "sm_75", "", "sm_9000", "garbage", "sm_90a}", "'sm_90a'"],
    "features": ["+ptx80", "+ptx81", "+ptx82", "+ptx83", "+ptx84", "+ptx85",
                 "+ptx86", "+ptx87", "+ptx88", "+ptx90", "+ptx60", "+ptx10",
                 "+ptx999", "", "ptx80", "+garbage", "+ptx80,-ptx80",
                 "+ptx80,+sm_90a"],
    "mma": ["sync", "sync", "wgmma", "foo", ""],
    "loads": ["auto", "tma", "cp.async", "ldg", ""],
    "stores": ["auto", "tma", "direct", "stmatrix", ""],
    "schedule": ["auto", "specialized", "specialized", "cooperative",
                 "pingpong", ""],
    "kv-stages": ["0", "2", "3", "4", "5", "1", "-1", str(2**63), "x"],
    "pingpong": ["true", "false", "1", "maybe", None],
    "poly-sigmoid": ["0", "2", "8", "9", "-1", str(2**63), "x", ""],
    "block-q": INTS,
    "block-k": INTS,
    "num-warps": WARPS,
    "short-shared-pointers": ["true", "false", "1", "yes", None],
    "ptx-output": [f"{TMP}/out.ptx", f"{TMP}/out.ptx", TMP,
                   f"{TMP}/full.ptx", f"{TMP}/json-full.ptx",
                   f"{TMP}/missing/dir/out.ptx", f"{TMP}/" + "p" * 300, ""],
}


def opt_string(rng, table, p):
    parts = []
    for k, vals in table.items():
        if rng.random() < p:
            v = vals[0] if rng.random() < 0.3 else rng.choice(vals)
            parts.append(k if v is None else f"{k}={v}")
    return " ".join(parts)


def with_opts(flag, opts):
    return f"{flag}={opts}" if opts else flag


def pass_tile(rng):
    return with_opts("--sigattn-tile", opt_string(
        rng, {"block-q": INTS, "block-k": INTS}, 0.5))


def pass_outline(rng):
    return with_opts("--sigattn-outline-gpu-kernels", opt_string(
        rng, {"num-warps": WARPS, "mma": PIPELINE_OPTS["mma"],
              "loads": PIPELINE_OPTS["loads"],
              "stores": PIPELINE_OPTS["stores"],
              "schedule": PIPELINE_OPTS["schedule"],
              "kv-stages": PIPELINE_OPTS["kv-stages"]}, 0.5))


def pass_nvvm(rng):
    return with_opts("--convert-sigattn-tiles-to-nvvm",
                     opt_string(rng, {"mma": PIPELINE_OPTS["mma"],
                                      "pingpong": PIPELINE_OPTS["pingpong"],
                                      "poly-sigmoid":
                                          PIPELINE_OPTS["poly-sigmoid"]},
                                0.4))


def pass_write_ptx(rng):
    return with_opts("--sigattn-write-ptx", opt_string(
        rng, {"output": PIPELINE_OPTS["ptx-output"]}, 0.9))


SINGLE = [
    (pass_tile, 4), (lambda r: "--sigattn-peel-boundary-tiles", 3),
    (pass_outline, 3), (pass_nvvm, 3),
    (lambda r: "--convert-sigattn-to-linalg", 3),
    (lambda r: "--sigattn-raise-attention", 2),
    (lambda r: "--convert-sigattn-tiles-to-vector", 3),
    (lambda r: "--canonicalize", 2), (lambda r: "--cse", 1),
    (lambda r: "--resolve-ranked-shaped-type-result-dims", 1),
    (pass_write_ptx, 1), (lambda r: "--mlir-print-op-generic", 1),
    (lambda r: None, 1),  # parse, verify and print only
]
CHAIN = [pass_tile, lambda r: "--sigattn-peel-boundary-tiles",
         lambda r: "--canonicalize", lambda r: "--cse", pass_outline,
         pass_nvvm, lambda r: "--canonicalize"]
# What each derived stage is fed to, besides the general mix.
STAGE_CHAIN_START = {"tiles": 1, "kernels": 5, "nvvm": 6}


def choose_args(rng, stage):
    r = rng.random()
    if stage == "binary" and r < 0.5:
        return [pass_write_ptx(rng)]
    if stage in STAGE_CHAIN_START and r < 0.4:
        start = STAGE_CHAIN_START[stage]
        end = rng.randrange(start + 1, len(CHAIN) + 1)
        return [p(rng) for p in CHAIN[start:end]]
    r = rng.random()
    if r < 0.35:
        return ["--sigattn-gpu-pipeline" + (
            "=" + s if (s := opt_string(rng, PIPELINE_OPTS, 0.3)) else "")]
    if r < 0.75:
        funcs, weights = zip(*SINGLE)
        a = rng.choices(funcs, weights)[0](rng)
        return [a] if a else []
    if r < 0.9:
        end = rng.randrange(2, len(CHAIN) + 1)
        return [p(rng) for p in CHAIN[:end]]
    funcs, _ = zip(*SINGLE)
    return [a for a in (rng.choice(funcs)(rng)
                        for _ in range(rng.randrange(2, 5))) if a]

# ---------------------------------------------------------------------------
# Running and classifying.
# ---------------------------------------------------------------------------

CRASH_PATTERNS = [
    re.compile(r"^LLVM ERROR:.*$", re.M),
    re.compile(r"^.*Assertion .* failed.*$", re.M),
    re.compile(r"^.*UNREACHABLE executed.*$", re.M),
    re.compile(r"PLEASE submit a bug report"),
    re.compile(r"^Stack dump:", re.M),
]
FRAME_RE = re.compile(r"^\s*#\d+ 0x[0-9a-f]+ (.*)$", re.M)
NOISE_FRAMES = re.compile(
    r"llvm::sys::|SignalHandler|__restore_rt|\braise\b|\babort\b|pthread_kill"
    r"|report_fatal_error|reportFatal|llvm_unreachable_internal|__assert_fail"
    r"|\bterminate\b|__cxa_|__gnu_cxx|handleErrorImpl|^\(|^0x"
    r"|llvm::llvm_unreachable|libc\.so|libstdc\+\+")
DRIVER_FRAMES = re.compile(r"OpToOpPassAdaptor|PassManager::run|MlirOptMain"
                           r"|splitAndProcessBuffer|__libc_start|^main$")


@dataclass
class Result:
    outcome: str  # ok | diagnosed | crash | hang
    rc: int
    stderr: str
    seconds: float
    signature: str = ""
    origin: str = ""
    frame: str = ""


def short_symbol(s):
    s = re.sub(r"\s*\(/[^)]*\)\s*$", "", s)        # (module+0x..)
    s = re.sub(r"\s+/\S+:\d+:\d+$", "", s)         # file:line:col
    s = re.sub(r"\s+\S+\.(?:cpp|h|c|inc):\d+(?::\d+)?$", "", s)
    s = s.replace("(anonymous namespace)::", "")
    # Drop argument lists and template arguments.
    for _ in range(6):
        t = re.sub(r"\([^()]*\)", "", s)
        t = re.sub(r"<[^<>]*>", "", t)
        if t == s:
            break
        s = t
    return s.strip()


def analyse_stack(stderr):
    """(origin, innermost meaningful frame) from a stack dump."""
    frames = FRAME_RE.findall(stderr)
    first = ""
    sig_frame = ""
    for f in frames:
        m = re.match(r"^(.*?)\s*\((/[^)]*)\)\s*$", f)
        sym, module = (m.group(1), m.group(2)) if m else (f, "")
        sym = short_symbol(sym)
        if DRIVER_FRAMES.search(sym):
            break
        ours = "sigattn" in sym or "sigattn-opt" in module
        if not ours and (not sym or NOISE_FRAMES.search(sym) or
                         "libc.so" in module):
            continue
        if not first:
            first = sym or f
        if ours and not sig_frame:
            sig_frame = sym or f
    if sig_frame:
        return "sigattn", first, sig_frame
    return ("upstream" if frames else "unknown"), first, ""


def normalise(line):
    line = re.sub(r"0x[0-9a-fA-F]+", "0x?", line)
    line = re.sub(r"/tmp/\S+", "<tmp>", line)
    line = re.sub(r"\d+", "N", line)
    return line.strip()[:200]


def classify_result(rc, stderr, timed_out, seconds, args):
    if timed_out:
        passes = " ".join(a.split("=")[0] for a in args)
        origin, first, sig_frame = analyse_stack(stderr)
        return Result("hang", rc, stderr, seconds,
                      f"hang: {passes or 'parse only'}"
                      + (f" in {sig_frame}" if sig_frame else ""),
                      origin, sig_frame or first)
    hits = [p for p in CRASH_PATTERNS if p.search(stderr)]
    if rc >= 0 and not hits:
        return Result("ok" if rc == 0 else "diagnosed", rc, stderr, seconds)
    origin, first, sig_frame = analyse_stack(stderr)
    msg = ""
    for p in CRASH_PATTERNS[:3]:
        m = p.search(stderr)
        if m:
            msg = m.group(0)
            break
    if rc < 0:
        try:
            sig = signal.Signals(-rc).name
        except ValueError:
            sig = f"signal {-rc}"
    else:
        sig = f"exit {rc}"
    if msg:
        signature = normalise(msg)
    else:
        signature = f"{sig} in {first or '?'}"
    return Result("crash", rc, stderr, seconds, signature, origin,
                  sig_frame or first)


class Runner:
    def __init__(self, opt, timeout):
        self.opt = opt
        self.timeout = timeout
        self.scratch = Path(tempfile.mkdtemp(prefix="sigattn-fuzz-"))
        self.counter = 0
        self.lock = threading.Lock()

    def run(self, text, args, output="/dev/null"):
        with self.lock:
            self.counter += 1
            work = self.scratch / f"r{self.counter}"
        work.mkdir()
        try:
            (work / "full.ptx").symlink_to("/dev/full")
            (work / "json-full.ptx.json").symlink_to("/dev/full")
            inp = work / "input.mlir"
            inp.write_text(text, errors="surrogateescape")
            real = [a.replace(TMP, str(work)) for a in args]
            cmd = [self.opt, str(inp), *real, "-o", output]
            env = dict(os.environ, LLVM_DISABLE_CRASH_REPORT="1")
            for attempt in range(20):
                try:
                    t0 = time.monotonic()
                    proc = subprocess.Popen(
                        cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE, start_new_session=True,
                        env=env)
                    break
                except (FileNotFoundError, PermissionError, OSError):
                    # The binary may be in the middle of a relink.
                    if attempt == 19:
                        raise
                    time.sleep(1)
            timed_out = False
            err = b""
            try:
                _, err = proc.communicate(timeout=self.timeout)
            except subprocess.TimeoutExpired:
                timed_out = True
                # SIGABRT first: LLVM's handler prints where it was stuck.
                try:
                    os.kill(proc.pid, signal.SIGABRT)
                except ProcessLookupError:
                    pass
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    pass
                try:  # it, and whatever it started (llvm-symbolizer)
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                _, err = proc.communicate()
            seconds = time.monotonic() - t0
            err = err.decode(errors="replace")
            return classify_result(proc.returncode, err, timed_out, seconds,
                                   args)
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def close(self):
        shutil.rmtree(self.scratch, ignore_errors=True)

# ---------------------------------------------------------------------------
# Reproducers.
# ---------------------------------------------------------------------------


def shell_args(args):
    q = []
    for a in args:
        s = shlex.quote(a)
        if TMP in a:
            s = s.replace(TMP, "'\"$tmp\"'") if s.startswith("'") else \
                s.replace(TMP, '"$tmp"')
        q.append(s)
    return " ".join(q)


def script(opt, input_name, args):
    return (
        "#!/bin/sh\n"
        "# Reproducer written by test/Fuzz/fuzz.py.\n"
        'here=$(cd "$(dirname "$0")" && pwd)\n'
        'tmp=$(mktemp -d)\n'
        'ln -s /dev/full "$tmp/full.ptx"\n'
        'ln -s /dev/full "$tmp/json-full.ptx.json"\n'
        f'"${{SIGATTN_OPT:-{opt}}}" "$here/{input_name}" '
        f"{shell_args(args)} -o /dev/null\n"
        'rc=$?\nrm -rf "$tmp"\nexit $rc\n')


@dataclass
class Failure:
    result: Result
    text: str
    args: list
    where: str  # input index or derivation
    mutations: list
    count: int = 1
    dir: Path = None


def record(crash_dir, opt, fail):
    h = hashlib.sha1(fail.result.signature.encode()).hexdigest()[:10]
    d = crash_dir / f"{fail.result.outcome}-{h}"
    d.mkdir(parents=True, exist_ok=True)
    (d / "input.mlir").write_text(fail.text, errors="surrogateescape")
    sh = d / "cmd.sh"
    sh.write_text(script(opt, "input.mlir", fail.args))
    sh.chmod(0o755)
    (d / "stderr.txt").write_text(fail.result.stderr[:200000])
    (d / "info.txt").write_text(
        f"signature: {fail.result.signature}\n"
        f"origin: {fail.result.origin}\n"
        f"frame: {fail.result.frame}\n"
        f"outcome: {fail.result.outcome} (rc {fail.result.rc}, "
        f"{fail.result.seconds:.1f} s)\n"
        f"from: {fail.where}\n"
        f"mutations: {fail.mutations}\n"
        f"command: sigattn-opt input.mlir {shell_args(fail.args)} "
        f"-o /dev/null\n")
    fail.dir = d


def reduce_failure(runner, fail, budget_s, max_runs):
    """Greedy shrinking that keeps the signature: pass options, passes,
    then chunks of lines (ddmin), then single lines."""
    sig = fail.result.signature
    t0 = time.monotonic()
    runs = 0

    def same(text, args):
        nonlocal runs
        if runs >= max_runs or time.monotonic() - t0 > budget_s:
            return False
        runs += 1
        r = runner.run(text, args)
        return r.outcome == fail.result.outcome and r.signature == sig

    text, args = fail.text, list(fail.args)
    # Options inside each pass.
    for i in range(len(args)):
        if "=" not in args[i]:
            continue
        flag, opts = args[i].split("=", 1)
        parts = opts.split(" ")
        j = 0
        while j < len(parts):
            trial = parts[:j] + parts[j + 1:]
            a = args[:i] + [with_opts(flag, " ".join(trial))] + args[i + 1:]
            if same(text, a):
                parts, args = trial, a
            else:
                j += 1
    # Whole passes.
    i = 0
    while i < len(args):
        a = args[:i] + args[i + 1:]
        if same(text, a):
            args = a
        else:
            i += 1
    # Lines.
    lines = text.splitlines(keepends=True)
    n = max(1, len(lines) // 2)
    while n >= 1:
        i = 0
        while i < len(lines):
            trial = lines[:i] + lines[i + n:]
            if trial and same("".join(trial), args):
                lines = trial
            else:
                i += n
        n //= 2
    return "".join(lines), args, runs

# ---------------------------------------------------------------------------
# Driver.
# ---------------------------------------------------------------------------


def make_input(seed, index, cases):
    rng = random.Random(f"sigattn-fuzz:{seed}:{index}")
    weights = [3 if c.name.startswith("derived:") else 1 for c in cases]
    case = rng.choices(cases, weights)[0]
    text, muts = mutate(rng, case.text)
    args = choose_args(rng, case.stage)
    return case, text, muts, args


def main(argv=None):
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=None,
                    help="time budget (default 60 unless --max-inputs)")
    ap.add_argument("--max-inputs", type=int, default=None)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--sigattn-opt", default=str(ROOT / "build/bin/sigattn-opt"))
    ap.add_argument("--corpus", nargs="+", default=DEFAULT_CORPUS,
                    help="directories of .mlir files (relative to the repo)")
    ap.add_argument("--crash-dir", default=None,
                    help="where reproducers go (default: a new temp dir)")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=20.0,
                    help="seconds per input before it counts as a hang")
    ap.add_argument("--memory-mb", type=int, default=8192,
                    help="address-space limit of each sigattn-opt run")
    ap.add_argument("--derive", type=int, default=None,
                    help="seeds from which later pipeline stages are derived "
                         "(default 3; 1 for budgets under a minute)")
    ap.add_argument("--reduce", action="store_true",
                    help="shrink each distinct failure (reduced.mlir/.sh)")
    ap.add_argument("--reduce-seconds", type=float, default=60)
    ap.add_argument("--no-byte-mutations", action="store_true")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="print every input's outcome")
    a = ap.parse_args(argv)

    global BYTE_RATE
    if a.memory_mb > 0:
        # Inherited by every sigattn-opt run: a runaway allocation ends as
        # "LLVM ERROR: out of memory" with a stack instead of swapping.
        lim = a.memory_mb << 20
        resource.setrlimit(resource.RLIMIT_AS, (lim, lim))
    if a.no_byte_mutations:
        BYTE_RATE = 0.0
    if a.seconds is None and a.max_inputs is None:
        a.seconds = 60
    if a.derive is None:
        a.derive = 1 if a.seconds is not None and a.seconds < 60 else 3
    opt = shutil.which(a.sigattn_opt) or a.sigattn_opt
    opt = os.path.abspath(opt) if os.path.exists(opt) else opt
    for _ in range(30):
        if os.access(opt, os.X_OK):
            break
        time.sleep(1)
    else:
        print(f"fuzz: cannot run {opt}", file=sys.stderr)
        return 2
    cases = load_corpus(a.corpus)
    if not cases:
        print("fuzz: empty corpus", file=sys.stderr)
        return 2
    crash_dir = Path(a.crash_dir) if a.crash_dir else \
        Path(tempfile.mkdtemp(prefix="sigattn-fuzz-crashes-"))
    crash_dir.mkdir(parents=True, exist_ok=True)

    t0 = time.monotonic()
    runner = Runner(opt, a.timeout)
    failures = {}  # signature -> Failure
    counts = {"ok": 0, "diagnosed": 0, "crash": 0, "hang": 0}

    def note(res, text, args, where, muts):
        if res.outcome not in ("crash", "hang"):
            return
        f = failures.get(res.signature)
        if f is None:
            f = failures[res.signature] = Failure(res, text, args, where, muts)
            record(crash_dir, opt, f)
            print(f"fuzz: new {res.outcome} [{res.origin}] {res.signature}"
                  f"\n      {f.dir}/cmd.sh", flush=True)
        else:
            f.count += 1
            if len(text) < len(f.text):  # keep the smallest reproducer
                f.result, f.text, f.args, f.where, f.mutations = \
                    res, text, args, where, muts
                record(crash_dir, opt, f)

    # Derived stages (not counted as inputs; failures are recorded).
    derived = []
    for c in pick_derive_seeds(cases, a.derive):
        for stage, args in DERIVE_STAGES:
            # sigattn-opt removes its output file when it fails: a directory
            # of our own, not a file the temp machinery deletes again.
            with tempfile.TemporaryDirectory() as scratch:
                out = Path(scratch) / "derived.mlir"
                r = runner.run(c.text, args, output=str(out))
                note(r, c.text, args, f"derive {stage} from {c.name}", [])
                if r.outcome in ("crash", "hang"):
                    counts[r.outcome] += 1
                if r.outcome != "ok":
                    if stage == "tiles":
                        break
                    continue
                text = out.read_text() if out.exists() else ""
            if text.strip():
                derived.append(Case(f"derived:{stage}:{c.name}", text,
                                    classify(text)))
    cases = cases + derived
    print(f"fuzz: corpus {len(cases)} cases ({len(derived)} derived) "
          f"in {time.monotonic() - t0:.1f} s; seed {a.seed}; sigattn-opt "
          f"{opt}", flush=True)

    def budget_left():
        return a.seconds is None or time.monotonic() - t0 < a.seconds

    n = 0
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=max(1, a.jobs))
    pending = []
    index = 0
    try:
        while True:
            while (len(pending) < max(1, a.jobs) and budget_left() and
                   (a.max_inputs is None or index < a.max_inputs)):
                case, text, muts, args = make_input(a.seed, index, cases)
                fut = pool.submit(runner.run, text, args)
                pending.append((index, case, text, muts, args, fut))
                index += 1
            if not pending:
                break
            i, case, text, muts, args, fut = pending.pop(0)
            res = fut.result()
            n += 1
            counts[res.outcome] += 1
            if a.verbose:
                first = next((l for l in res.stderr.splitlines()
                              if "error:" in l), "")
                print(f"[{i}] {res.outcome} {res.seconds:.2f}s {case.name} "
                      f"{muts} {args}\n    {first[:200]}", flush=True)
            note(res, text, args, f"seed {a.seed} input {i} from {case.name}",
                 muts)
    except KeyboardInterrupt:
        print("fuzz: interrupted", flush=True)
    pool.shutdown(wait=True)
    elapsed = time.monotonic() - t0

    if a.reduce:
        for f in failures.values():
            if f.result.outcome != "crash":
                continue
            text, args, runs = reduce_failure(runner, f, a.reduce_seconds, 400)
            (f.dir / "reduced.mlir").write_text(text, errors="surrogateescape")
            sh = f.dir / "reduced.sh"
            sh.write_text(script(opt, "reduced.mlir", args))
            sh.chmod(0o755)
            print(f"fuzz: reduced {f.dir.name}: {len(f.text)} -> {len(text)} "
                  f"bytes, {shell_args(args)} ({runs} runs)", flush=True)
    runner.close()

    if failures:
        print(f"fuzz: {len(failures)} distinct failure(s), reproducers in "
              f"{crash_dir}:")
        for f in sorted(failures.values(), key=lambda f: -f.count):
            print(f"  {f.count:5d}x {f.result.outcome} [{f.result.origin}] "
                  f"{f.result.signature}  ({f.dir.name})")
    print(f"fuzz: {n} inputs in {elapsed:.0f} s: {counts['crash']} crashes, "
          f"{counts['hang']} hangs (ok {counts['ok']}, diagnosed "
          f"{counts['diagnosed']})", flush=True)
    return 1 if counts["crash"] or counts["hang"] else 0


if __name__ == "__main__":
    sys.exit(main())
