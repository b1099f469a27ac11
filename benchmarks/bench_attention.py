#!/usr/bin/env python3
"""Forward attention on one GPU, every implementation in one process and run:

  sigattn   our generated sigmoid kernel (PTX from make-bundle.sh, launched
            through its ABI with CuPy)
  fa2       torch SDPA, FLASH backend (FlashAttention-2; softmax)
  cudnn     torch SDPA, CUDNN backend (softmax)
  flex      FlexAttention, torch.compile'd (softmax)
  naive     sigmoid attention in eager PyTorch
  naive_tc  the same under torch.compile
  triton    benchmarks/triton_sigmoid.py, pointer-load kernel, sigmoid as
            0.5 tanh.approx(x/2) + 0.5, autotuned (BLOCK_M 64/128, BLOCK_N
            32/64/128, 4/8 warps, 2-5 stages)
  triton_desc  the same sigmoid with TMA tensor descriptors and Triton's
            automatic warp specialisation as an autotuned option
  triton_exp   the pointer kernel with tl.sigmoid (exp + divide) at the
            configuration the autotuner chose for `triton`
  gemm      bf16 torch.matmul 8192^3 (the ceiling; timed at the start and the
            end of the run, L2 flushed like the others)

Compilation stays out of the timed region: Triton configurations are
compiled in parallel before anything is timed and autotuned on the first
(checked) call; FlexAttention is compiled with dynamic=False per shape and
block mask on that call, with a recompile limit high enough for every shape,
and timed under torch._dynamo's error_on_recompile, with dynamo's counters
compared before and after (printed as "recompiles during timing").

Shapes follow FlashAttention's benchmark: bf16, layout [B, N, H, D],
B * N = 16384, H = 2048 / D. FLOPs = 4 B H N^2 D, half for causal. Each
implementation's output is checked against an fp32 reference (on 64 query
rows of every head of batch 0) before it is timed; timing is CUDA events
around one call, L2 flushed before each, median of --reps runs after warm-up,
queued back to back (no host synchronisation between runs).

  python3 benchmarks/bench_attention.py --bundle .bench-bundle --out results/ \
      [--dims 64 128] [--seqs 512 ... 16384] [--impls ...]
"""

import argparse
import csv
import json
import math
import os
import sys
import time

import cupy
import torch
import torch._dynamo  # noqa: F401 - its counters are read in dynamo_counts()
import torch.nn.functional as F
from torch.nn.attention import SDPBackend, sdpa_kernel

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import triton_sigmoid  # noqa: E402
from bench_common import allow_many_compiled_shapes, flush_l2, time_fn  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "test", "Integration", "GPU"))
import tensor_maps  # noqa: E402

IMPLS = ["gemm", "sigattn", "sigattn_bhnd", "sigattn_packed", "fa2", "cudnn", "flex",
         "triton", "triton_desc", "triton_exp", "naive", "naive_tc"]
SIGMOID = {"sigattn", "sigattn_bhnd", "sigattn_packed", "naive", "naive_tc", "triton",
           "triton_desc", "triton_exp"}
# Our kernels on strided tensors (issue 10): q, k, v and out as PyTorch's
# [B, H, N, D] viewed as [B, N, H, D] ("bhnd"), or q, k, v sliced out of
# one [B, N, 3H, D] tensor ("packed"), against the same kernel on
# contiguous tensors ("sigattn").
SIGATTN_LAYOUTS = {"sigattn": "contiguous", "sigattn_bhnd": "bhnd",
                   "sigattn_packed": "packed"}
TRITON_VARIANT = {"triton": "ptr", "triton_desc": "desc"}

def reference_rows(q, k, v, rows, scale, bias, causal, kind, window=None,
                   slopes=None):
    """fp32 reference for query rows `rows` of batch 0, all heads."""
    B, N, H, D = q.shape
    qf = q[0, rows].float()                    # [R, H, D]
    kf, vf = k[0].float(), v[0].float()        # [N, H, D]
    s = torch.einsum("rhd,jhd->hrj", qf, kf) * scale
    j = torch.arange(N, device=q.device)[None, :]
    i = rows[:, None]
    visible = torch.ones(len(rows), N, dtype=torch.bool, device=q.device)
    if causal:
        visible &= j <= i
    if window is not None:
        visible &= (j >= i - window[0]) & (j <= i + window[1])
    if kind == "softmax":
        p = torch.softmax(s.masked_fill(~visible, float("-inf")), dim=-1)
    else:
        s = s + bias
        if slopes is not None:
            s = s - slopes[:, None, None] * (i - j).abs()[None].float()
        p = torch.sigmoid(s) * visible
    return torch.einsum("hrj,jhd->rhd", p, vf)


class SigattnKernels:
    """The bundle's kernels, launched through the sigattn ABI with CuPy."""

    def __init__(self, bundle):
        with open(os.path.join(bundle, "manifest.json")) as f:
            self.entries = json.load(f)
        self.bundle = bundle
        self.loaded = {}

    def find(self, d, n, mask, alibi=False):
        for e in self.entries:
            if (e["head_dim"] == d and e["bench_n"] == n and e["bench_mask"] == mask
                    and (e["alibi"] != "none") == alibi):
                return e
        return None

    def launcher(self, e, q, k, v, out, slopes=None):
        if e["ptx"] not in self.loaded:
            mod = cupy.RawModule(path=os.path.join(self.bundle, e["ptx"]))
            fn = mod.get_function(e["name"])
            fn.max_dynamic_shared_size_bytes = e["dynamic_shared_memory"]
            self.loaded[e["ptx"]] = (mod, fn)
        fn = self.loaded[e["ptx"]][1]
        B, N, H, _ = q.shape
        # Pointers, sizes, the tensors' strides (any layout the ABI takes),
        # then the tensor maps of TMA kernels.
        args = tensor_maps.launch_args(e, q, k, v, out, slopes)
        grid = ((N + e["block_q"] - 1) // e["block_q"], H, B)
        block = (e["block_threads"], 1, 1)
        smem = e["dynamic_shared_memory"]
        args = tuple(args)
        # The launch holds raw addresses: keep the tensors alive with it.
        keep = (q, k, v, out, slopes)
        return lambda keep=keep: fn(grid, block, args, shared_mem=smem)


def naive_sigmoid(q, k, v, scale, bias, causal):
    qt, kt, vt = (t.transpose(1, 2) for t in (q, k, v))
    s = torch.matmul(qt, kt.transpose(-1, -2)) * scale + bias
    p = torch.sigmoid(s)
    if causal:
        n = q.shape[1]
        p = p.masked_fill(torch.ones(n, n, dtype=torch.bool, device=q.device).triu(1), 0)
    return torch.matmul(p, vt).transpose(1, 2)


def dynamo_counts():
    """A snapshot of torch._dynamo's compile counters (frames, graphs, recompiles)."""
    from torch._dynamo.utils import counters
    snap = {}
    for group in ("frames", "stats", "recompiles"):
        for k, v in counters.get(group, {}).items():
            snap[group + "." + str(k)] = v
    return snap


def triton_api_facts():
    """What this Triton offers for Hopper tuning (printed, and kept in meta)."""
    import inspect
    import triton
    import triton.language as tl
    facts = {"triton": triton.__version__}
    try:
        facts["Config"] = str(inspect.signature(triton.Config.__init__))
    except (TypeError, ValueError) as ex:
        facts["Config"] = repr(ex)
    try:
        facts["tl.range"] = str(inspect.signature(tl.range.__init__))
    except (TypeError, ValueError) as ex:
        facts["tl.range"] = repr(ex)
    facts["tl.make_tensor_descriptor"] = hasattr(tl, "make_tensor_descriptor")
    facts["triton.set_allocator"] = hasattr(triton, "set_allocator")
    try:
        import triton.knobs as knobs
        facts["knobs.nvidia"] = sorted(k for k in dir(knobs.nvidia) if not k.startswith("_"))
    except Exception as ex:  # noqa: BLE001
        facts["knobs.nvidia"] = repr(ex)
    return facts


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bundle", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--dims", type=int, nargs="+", default=[128, 64])
    ap.add_argument("--seqs", type=int, nargs="+",
                    default=[512, 1024, 2048, 4096, 8192, 16384])
    ap.add_argument("--impls", nargs="+", default=[i for i in IMPLS if not i.startswith("naive")])
    ap.add_argument("--reps", type=int, default=30)
    ap.add_argument("--tokens", type=int, default=16384)
    ap.add_argument("--precompile-workers", type=int, default=0,
                    help="processes compiling Triton configurations (0: one per CPU)")
    ap.add_argument("--tag", default="")
    args = ap.parse_args()
    t_start = time.time()
    os.makedirs(args.out, exist_ok=True)
    torch.manual_seed(0)
    dev = torch.cuda.get_device_name(0)
    print("device:", dev, "| torch", torch.__version__, "| cudnn",
          torch.backends.cudnn.version(), flush=True)
    facts = triton_api_facts()
    for k, v in facts.items():
        print("triton api:", k, "=", v, flush=True)
    kernels = SigattnKernels(args.bundle)

    allow_many_compiled_shapes()
    from torch.nn.attention.flex_attention import create_block_mask, flex_attention
    flex_c = torch.compile(flex_attention, dynamic=False)
    naive_c = torch.compile(naive_sigmoid)

    path = os.path.join(args.out, f"bench{args.tag}.csv")
    fields = ["impl", "d", "n", "b", "h", "mask", "ms", "tflops", "check_err", "ok", "note"]
    csv_file = open(path, "w", newline="")
    writer = csv.DictWriter(csv_file, fieldnames=fields)
    writer.writeheader()
    tlog = open(os.path.join(args.out, f"triton-autotune{args.tag}.txt"), "w")

    class Rows(list):
        def append(self, row):
            row.setdefault("note", "")
            super().append(row)
            writer.writerow(row)
            csv_file.flush()

    rows_out = Rows()
    best = {}  # (d, n, mask, impl) -> the autotuner's Triton config

    def gemm(tag):
        m = 8192
        a, b_ = (torch.randn(m, m, device="cuda", dtype=torch.bfloat16) for _ in range(2))
        c = torch.empty(m, m, device="cuda", dtype=torch.bfloat16)
        call = lambda: torch.matmul(a, b_, out=c)  # noqa: E731
        call()
        torch.cuda.synchronize()
        ref = a[:64].float() @ b_.float()
        err = ((c[:64].float() - ref).norm() / ref.norm()).item()
        ms = time_fn(call, args.reps)
        tf = 2.0 * m ** 3 / (ms * 1e-3) / 1e12
        rows_out.append(dict(impl="gemm", d=0, n=m, b=1, h=1, mask="gemm_" + tag, ms=ms,
                             tflops=tf, check_err=err, ok=err < 1e-2,
                             note="bf16 torch.matmul %dx%dx%d" % (m, m, m)))
        print(f"gemm      {m}^3 bf16 ({tag:5s})          {ms:8.3f} ms {tf:7.1f} TFLOP/s  "
              f"(rel err {err:.2e})", flush=True)
        del a, b_, c

    if "gemm" in args.impls:
        gemm("start")

    # Compile every Triton configuration of every shape class up front, in
    # parallel; the autotuner then finds them in Triton's cache.
    jobs = []
    for impl, variant in TRITON_VARIANT.items():
        if impl not in args.impls:
            continue
        # Triton specialises integer arguments on == 1 and % 16 only: one
        # shape per class of (B == 1, N % 16 == 0, N % 128 == 0) compiles all.
        classes = {}
        for n in args.seqs:
            b = max(args.tokens // n, 1)
            classes.setdefault((b == 1, n % 16 == 0, n % 128 == 0), (b, n))
        for d in args.dims:
            h = 2048 // d
            for b, n in classes.values():
                for causal in (False, True):
                    for cfg in triton_sigmoid._space(variant):
                        jobs.append(dict(variant=variant, sigmoid="tanh", b=b, n=n, h=h,
                                         d=d, causal=causal, cfg=cfg))
    if jobs:
        t0 = time.time()
        st = triton_sigmoid.precompile(jobs, workers=args.precompile_workers or None,
                                       log_dir=args.out)
        bad = [(jobs[i], s_) for i, s_ in sorted(st.items()) if s_ != "ok"]
        print(f"triton precompile: {len(jobs)} configurations in {time.time() - t0:.0f} s, "
              f"{len(bad)} failed", flush=True)
        tlog.write(f"precompile: {len(jobs)} configurations, {time.time() - t0:.0f} s\n")
        for j, s_ in bad:
            line = (f"  failed: {j['variant']} D={j['d']} causal={j['causal']} "
                    f"{triton_sigmoid.cfg_str(j['cfg'])}: {s_[:200]}")
            tlog.write(line + "\n")
        kinds = {}
        for j, s_ in bad:
            k = (j["variant"], s_.split(":")[0] if s_.startswith("err") else s_[:5],
                 s_[5:80] if s_.startswith("err") else "")
            kinds[k] = kinds.get(k, 0) + 1
        for k, c in sorted(kinds.items()):
            print(f"  {c:3d} x {k[0]} {k[1]} {k[2]}", flush=True)
        tlog.flush()

    for d in args.dims:
        h = 2048 // d
        for n in args.seqs:
            b = max(args.tokens // n, 1)
            scale, bias = 1.0 / math.sqrt(d), -math.log(n)
            q, k, v = (torch.randn(b, n, h, d, device="cuda", dtype=torch.bfloat16)
                       for _ in range(3))
            rows = torch.randperm(n, device="cuda")[:64].sort().values
            variants = [("full", False, None, False), ("causal", True, None, False)]
            if any(i in SIGATTN_LAYOUTS for i in args.impls):
                # Issue 9's window goal names windows of 1024 or more.
                variants += [("window", False, (256, 0), False),
                             ("window1024", False, (1024, 0), False),
                             ("alibi_causal", True, None, True)]
            for mask, causal, window, alibi in variants:
                flops = 4.0 * b * h * n * n * d * (0.5 if causal else 1.0)
                if window is not None:
                    # visible keys per row: up to left + right + 1
                    flops = 4.0 * b * h * n * d * min(n, window[0] + window[1] + 1)
                refs = {}
                slopes = None
                if alibi:
                    slopes = torch.rand(h, device="cuda") * 0.3
                for impl in args.impls:
                    if impl == "gemm":
                        continue
                    if (mask in ("window", "window1024", "alibi_causal")
                            and impl not in SIGATTN_LAYOUTS):
                        continue
                    kind = "sigmoid" if impl in SIGMOID else "softmax"
                    note = ""
                    guard = None
                    try:
                        t_first = time.time()
                        if impl in SIGATTN_LAYOUTS:
                            e = kernels.find(d, n, mask, alibi)
                            if e is None:
                                continue
                            layout = SIGATTN_LAYOUTS[impl]
                            qs, ks, vs = q, k, v
                            out = torch.full_like(q, float("nan"))
                            if layout == "bhnd":
                                qs, ks, vs, out = (
                                    t.transpose(1, 2).contiguous().transpose(1, 2)
                                    for t in (q, k, v, out))
                            elif layout == "packed":
                                qkv = torch.cat([q, k, v], dim=2)
                                qs, ks, vs = (qkv[:, :, i * h:(i + 1) * h]
                                              for i in range(3))
                            fn = kernels.launcher(e, qs, ks, vs, out, slopes)
                            note = "" if layout == "contiguous" else layout + " layout"
                            call = fn
                            get = lambda out=out: out
                        elif impl in ("fa2", "cudnn"):
                            backend = (SDPBackend.FLASH_ATTENTION if impl == "fa2"
                                       else SDPBackend.CUDNN_ATTENTION)
                            qt, kt, vt = (t.transpose(1, 2) for t in (q, k, v))
                            holder = {}

                            def call(qt=qt, kt=kt, vt=vt, backend=backend, holder=holder):
                                with sdpa_kernel(backend):
                                    holder["o"] = F.scaled_dot_product_attention(
                                        qt, kt, vt, is_causal=causal, scale=scale)
                            get = lambda holder=holder: holder["o"].transpose(1, 2)
                        elif impl == "flex":
                            qt, kt, vt = (t.transpose(1, 2) for t in (q, k, v))
                            bm = None
                            if causal:  # built here, outside the timed region
                                bm = create_block_mask(lambda b_, h_, qi, ki: ki <= qi,
                                                       None, None, n, n, device="cuda")
                            holder = {}

                            def call(qt=qt, kt=kt, vt=vt, bm=bm, holder=holder):
                                holder["o"] = flex_c(qt, kt, vt, block_mask=bm, scale=scale)
                            get = lambda holder=holder: holder["o"].transpose(1, 2)
                            guard = "flex"
                        elif impl in ("naive", "naive_tc"):
                            f = naive_sigmoid if impl == "naive" else naive_c
                            holder = {}

                            def call(f=f, holder=holder):
                                holder["o"] = f(q, k, v, scale, bias, causal)
                            get = lambda holder=holder: holder["o"]
                            guard = "flex" if impl == "naive_tc" else None
                        elif impl in TRITON_VARIANT:
                            variant = TRITON_VARIANT[impl]
                            out = torch.full_like(q, float("nan"))

                            def call(variant=variant, out=out):
                                triton_sigmoid.sigmoid_attention(
                                    q, k, v, scale, bias, causal, variant=variant, out=out)
                            get = lambda out=out: out
                        elif impl == "triton_exp":
                            cfg = best.get((d, n, mask, "triton"))
                            if cfg is None:
                                continue
                            out = torch.full_like(q, float("nan"))

                            def call(cfg=cfg, out=out):
                                triton_sigmoid.sigmoid_attention(
                                    q, k, v, scale, bias, causal, variant="ptr",
                                    sigmoid="exp", config=cfg, out=out)
                            get = lambda out=out: out
                            note = "tl.sigmoid at " + triton_sigmoid.cfg_str(cfg)
                        before = dynamo_counts()
                        call()  # compiles / autotunes: outside the timed region
                        torch.cuda.synchronize()
                        first_s = time.time() - t_first
                        if impl in TRITON_VARIANT:
                            variant = TRITON_VARIANT[impl]
                            cfg = triton_sigmoid.best_config(variant)
                            best[(d, n, mask, impl)] = cfg
                            timings = triton_sigmoid.config_timings(variant)
                            note = "best " + triton_sigmoid.cfg_str(cfg)
                            tlog.write(f"{impl} D={d} N={n} {mask}: autotune+first call "
                                       f"{first_s:.1f} s, {len(timings)} configs timed; "
                                       f"{note}\n")
                            for ms_, c_ in timings[:8]:
                                tlog.write(f"    {ms_:8.3f} ms {flops / (ms_ * 1e-3) / 1e12:6.1f}"
                                           f" TFLOP/s  {c_}\n")
                            tlog.flush()
                        if kind not in refs or alibi:
                            refs[kind] = reference_rows(q, k, v, rows, scale, bias,
                                                        causal, kind, window, slopes)
                        got = get()[0, rows].float()
                        ref = refs[kind]
                        err = (got - ref).abs().max().item()
                        tol = 0.02 * ref.abs().max().item() + 1e-3
                        ok = bool(torch.isfinite(get()).all()) and err <= tol
                        if not ok:
                            print(f"CHECK FAILED {impl} D={d} N={n} {mask}: err={err:.3g} tol={tol:.3g}",
                                  flush=True)
                            rows_out.append(dict(impl=impl, d=d, n=n, b=b, h=h, mask=mask,
                                                 ms=float("nan"), tflops=float("nan"),
                                                 check_err=err, ok=False, note=note))
                            continue
                        if guard:
                            compiled = {k_: v_ - before.get(k_, 0)
                                        for k_, v_ in dynamo_counts().items()
                                        if v_ != before.get(k_, 0)}
                            mid = dynamo_counts()
                            with torch._dynamo.config.patch(error_on_recompile=True):
                                ms = time_fn(call, args.reps)
                            during = {k_: v_ - mid.get(k_, 0)
                                      for k_, v_ in dynamo_counts().items()
                                      if v_ != mid.get(k_, 0)}
                            note = (f"first call {first_s:.1f} s (dynamo: "
                                    f"{compiled.get('stats.unique_graphs', 0)} graph(s) compiled); "
                                    f"recompiles during timing: {during if during else 0}")
                            if during:
                                print(f"WARNING {impl} D={d} N={n} {mask}: dynamo counters "
                                      f"moved during timing: {during}", flush=True)
                        else:
                            ms = time_fn(call, args.reps)
                        tf = flops / (ms * 1e-3) / 1e12
                        rows_out.append(dict(impl=impl, d=d, n=n, b=b, h=h, mask=mask,
                                             ms=ms, tflops=tf, check_err=err, ok=True,
                                             note=note))
                        print(f"{impl:11s} D={d:3d} N={n:5d} B={b:2d} H={h:2d} {mask:12s} "
                              f"{ms:8.3f} ms {tf:7.1f} TFLOP/s  (check err {err:.2e})"
                              + (f"  [{note}]" if note else ""), flush=True)
                    except Exception as ex:  # a peer that cannot run a shape
                        msg = str(ex).strip().splitlines()
                        print(f"ERROR {impl} D={d} N={n} {mask}: {type(ex).__name__}: "
                              + " | ".join(msg[-6:])[:600], flush=True)
                        rows_out.append(dict(impl=impl, d=d, n=n, b=b, h=h, mask=mask,
                                             ms=float("nan"), tflops=float("nan"),
                                             check_err=float("nan"), ok=False,
                                             note=type(ex).__name__))
                    torch.cuda.empty_cache()
            del q, k, v
    if "gemm" in args.impls:
        gemm("end")
    csv_file.close()
    tlog.close()
    with open(os.path.join(args.out, f"meta{args.tag}.json"), "w") as f:
        json.dump({"device": dev, "torch": torch.__version__,
                   "cudnn": torch.backends.cudnn.version(),
                   "triton": __import__("triton").__version__,
                   "triton_api": facts,
                   "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                   "wall_s": round(time.time() - t_start),
                   "argv": sys.argv}, f, indent=1)
    print("wrote", path, "in %.0f s" % (time.time() - t_start))


if __name__ == "__main__":
    main()
