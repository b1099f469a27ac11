#!/usr/bin/env python3
"""GPU correctness suite for sigattn kernels (needs an NVIDIA GPU, PyTorch
and CuPy; run on the H100 machine).

For every kernel of a bundle made by make_kernels.py:

1. its JSON description (written by the compiler) must match, field by
   field, what the manifest says the op was written with (make_kernels.py
   derives it from the op's definition, not from the compiler): one check
   per kernel. If a field that fixes the tensors' layout differs (element
   type, head counts or dims, ALiBi) the kernel is not launched and each of
   its shapes counts as failed.
2. for every (Nq, Nk) of FlashSigmoid's grid (only the static sizes where the
   op has static B, Nq or Nk), it draws fresh inputs, poisons the output with
   NaN inside a larger buffer whose 4 KiB before and after the output hold a
   sentinel NaN pattern, launches the kernel through its ABI
   (docs/KernelABI.md) with a pointer into the middle of that buffer, and
   compares with the op's definition evaluated by PyTorch from the
   manifest's record (never from the kernel's JSON). q, k, v and out are
   laid out three ways (--layouts): contiguous [B, N, H, D] over the whole
   grid; over the quick grid, "transposed" (each a [B, H, N, D] tensor
   viewed as [B, N, H, D], PyTorch's usual layout) and "packed" (q, k, v
   sliced out of one [B, N, Hq + 2 Hkv, D] tensor where Nq = Nk and
   D = Dv, else k and v out of one [B, Nk, 2 Hkv, D] tensor or rows padded
   by 16 elements, and out's rows padded by 8). Every element of the
   output's buffer outside the output view is a guard:

       max|out - ref_fp32| <= 2 * max|ref_lowp - ref_fp32| + atol

   where ref_lowp is the same computation done in the input precision
   (FlashAttention's rule) and atol = 2**-12 * max|ref_fp32| +
   SIGMOID_ABS_ERROR * max|v| covers the tanh.approx.f32 sigmoid, which
   the reference does not make: the first term its relative error where
   outputs are sums of many keys, the second the absolute error of one
   approximated P (at most 2**-17.93 over [-40, 40], measure_sigmoid.py)
   times one value, which decides rows of a single visible key whose P
   are all tiny (a strongly negative bias). The case also fails if an
   output element is left unwritten, a guard element changed, or an input
   changed; and a strided case if its output differs in any bit from the
   same kernel's on contiguous copies of its inputs (the layout changes
   addresses only).

    python3 test/Integration/GPU/check_kernels.py .gpu-bundle [--quick]
        [--layouts contiguous,transposed,packed]
    python3 test/Integration/GPU/check_kernels.py .gpu-bundle --descriptions-only

--descriptions-only runs step 1 alone and needs no GPU. Negative controls
(every case must fail): --perturb-bias 0.5 (the reference), --shift-output 8
(the guards).
"""

import argparse
import json
import math
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tensor_maps  # noqa: E402

SHAPES = [(113, 203), (128, 217), (113, 211), (108, 256), (256, 512),
          (512, 256), (1024, 1024), (1023, 1024), (1024, 1023), (2048, 2048),
          (1, 77), (1, 1), (77, 1)]
BATCH = 2
# Fields of the JSON description that fix the tensors a launch needs.
LAYOUT_FIELDS = ("element_type", "head_dim", "value_dim", "num_query_heads",
                 "num_kv_heads", "alibi")
GUARD_ELEMENTS = 4096 // 2  # 4 KiB on each side of the output
# Largest absolute error of p = 0.5 * tanh.approx.f32(0.5 x) + 0.5 against
# the sigmoid, measured over 49 million points of [-40, 40] on the H100
# machine (measure_sigmoid.py: 3.99e-06 = 2^-17.93), rounded up.
SIGMOID_ABS_ERROR = 2.0 ** -17.9
GUARD_BITS = 0xFFF1         # a NaN in bf16 and in f16, never a kernel result
POISON_BITS = {"bf16": 0x7FC0, "f16": 0x7E00}  # canonical quiet NaNs


def f32(x):
    return struct.unpack("f", struct.pack("f", x))[0]


def as_int16(bits):
    return bits - 0x10000 if bits >= 0x8000 else bits


def compare_description(actual, expected):
    """The fields where the kernel's JSON differs from the expectation, as
    messages naming each field."""
    problems = []
    for key in sorted(set(expected) | set(actual)):
        if key not in actual:
            problems.append("JSON lacks field '%s' (expected %r)"
                            % (key, expected[key]))
        elif key not in expected:
            problems.append("JSON field '%s' = %r has no independent "
                            "expectation in make_kernels.py" % (key, actual[key]))
        else:
            a, e = actual[key], expected[key]
            if isinstance(e, float):
                same = isinstance(a, (int, float)) and f32(a) == f32(e)
            else:
                same = type(a) is type(e) and a == e
            if not same:
                problems.append("JSON field '%s' = %r, expected %r"
                                % (key, a, e))
    return problems


def read_description(bundle, entry):
    """The kernel's JSON description and problems reading it."""
    path = os.path.join(bundle, entry["ptx"] + ".json")
    try:
        with open(path) as f:
            kernels = json.load(f)["kernels"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        return None, ["cannot read %s: %s" % (path, e)]
    if len(kernels) != 1:
        return None, ["%s describes %d kernels, expected 1" % (path, len(kernels))]
    return kernels[0], []


def shapes_for(op, quick):
    """(B, Nq, Nk) to run: the grid with the op's static sizes put in."""
    grid = SHAPES[:4] + SHAPES[-3:] if quick else SHAPES
    out = []
    for nq, nk in grid:
        s = (op["batch"] or BATCH, op["seq_q"] or nq, op["seq_k"] or nk)
        if s not in out:
            out.append(s)
    return out


def reference(q, k, v, exp, slopes, dtype):
    """The op's definition, computed in `dtype` (q, k, v already in it), with
    scale, bias, mask and heads from `exp` (the independent record)."""
    import torch
    B, Nq, Hq, D = q.shape
    Nk, Hkv = k.shape[1], k.shape[2]
    g = Hq // Hkv
    k = k.repeat_interleave(g, dim=2)
    v = v.repeat_interleave(g, dim=2)
    s = torch.einsum("bihd,bjhd->bhij", q, k)
    s = s * exp["scale"] + exp["bias"]
    i = torch.arange(Nq, device=q.device)[:, None]
    j = torch.arange(Nk, device=q.device)[None, :]
    diag = i + Nk - Nq
    if slopes is not None:
        sl = slopes if slopes.dim() == 2 else slopes[None, :].expand(B, Hq)
        dist = (diag - j).abs().to(dtype)
        s = s - sl.to(dtype)[:, :, None, None] * dist
    p = torch.sigmoid(s)
    visible = torch.ones(Nq, Nk, dtype=torch.bool, device=q.device)
    if exp["window_left"] >= 0:
        visible &= j >= diag - exp["window_left"]
    if exp["window_right"] >= 0:
        visible &= j <= diag + exp["window_right"]
    p = p * visible.to(dtype)
    return torch.einsum("bhij,bjhd->bihd", p, v)


def call_scalars(entry, nk):
    """The scale and bias of a call at Nk = nk: the op's attributes, or for a
    kernel that takes them at run time the value the manifest records
    (scale) and -log(Nk) (bias), f32."""
    op, exp = entry["op"], entry["expected"]
    runtime = op.get("runtime", [])
    scale = f32(op["scale"]) if "scale" in runtime else exp["scale"]
    bias = f32(-math.log(nk)) if "bias" in runtime else exp["bias"]
    return scale, bias


LAYOUTS = ("contiguous", "transposed", "packed")


def make_inputs(layout, batch, nq, nk, hq, hkv, d, dv, gen, dtype, dev):
    """q, k, v ([B, N, H, dim] views) in `layout`, N(0, 1) values."""
    import torch

    def randn(*shape):
        return torch.randn(*shape, generator=gen, device=dev).to(dtype)
    if layout == "contiguous":
        return (randn(batch, nq, hq, d), randn(batch, nk, hkv, d),
                randn(batch, nk, hkv, dv))
    if layout == "transposed":
        return (randn(batch, hq, nq, d).transpose(1, 2),
                randn(batch, hkv, nk, d).transpose(1, 2),
                randn(batch, hkv, nk, dv).transpose(1, 2))
    assert layout == "packed"
    if nq == nk and d == dv:
        qkv = randn(batch, nq, hq + 2 * hkv, d)
        return (qkv[:, :, :hq], qkv[:, :, hq:hq + hkv], qkv[:, :, hq + hkv:])
    q = randn(batch, nq, hq, d + 16)[..., :d]
    if d == dv:
        kv = randn(batch, nk, 2 * hkv, d)
        return q, kv[:, :, :hkv], kv[:, :, hkv:]
    return (q, randn(batch, nk, hkv, d + 16)[..., :d],
            randn(batch, nk, hkv, dv + 16)[..., :dv])


def storage_elements(layout, batch, nq, hq, dv):
    """Elements of out's storage in `layout` (rows padded by 8 when
    packed)."""
    return batch * nq * hq * (dv + 8 if layout == "packed" else dv)


def output_view(layout, raw, batch, nq, hq, dv, dtype):
    """out ([B, Nq, Hq, Dv]) in `layout` over the int16 buffer `raw` after
    its first GUARD_ELEMENTS."""
    g = GUARD_ELEMENTS
    store = raw[g:g + storage_elements(layout, batch, nq, hq, dv)].view(dtype)
    if layout == "transposed":
        return store.view(batch, hq, nq, dv).transpose(1, 2)
    if layout == "packed":
        return store.view(batch, nq, hq, dv + 8)[..., :dv]
    return store.view(batch, nq, hq, dv)


def run_case(fn, launch, exp, ref_exp, batch, nq, nk, gen, shift=0,
             layout="contiguous"):
    """One launch and its checks. `launch` (the kernel's JSON) gives the
    launch geometry; `exp` (the manifest) the tensors; `ref_exp` the
    reference's scale, bias and mask, and what the launch passes for a
    scale or bias the kernel takes at run time (`call_scale`,
    `call_bias`); `layout` how q, k, v and out lie in memory."""
    import cupy
    import torch
    dtype = {"bf16": torch.bfloat16, "f16": torch.float16}[exp["element_type"]]
    hq, hkv = exp["num_query_heads"], exp["num_kv_heads"]
    d, dv = exp["head_dim"], exp["value_dim"]
    dev = "cuda"
    q, k, v = make_inputs(layout, batch, nq, nk, hq, hkv, d, dv, gen, dtype,
                          dev)
    slopes = None
    if exp["alibi"] == "head":
        slopes = torch.rand(hq, generator=gen, device=dev) * 0.3
    elif exp["alibi"] == "batch_head":
        slopes = torch.rand(batch, hq, generator=gen, device=dev) * 0.3
    inputs = [t for t in (q, k, v, slopes) if t is not None]
    saved = [t.clone() for t in inputs]

    # The output inside a larger buffer: guard, out's storage, guard; every
    # element but the output's is a guard, the output is NaN-poisoned.
    n = storage_elements(layout, batch, nq, hq, dv)
    raw = torch.full((GUARD_ELEMENTS + n + GUARD_ELEMENTS,),
                     as_int16(GUARD_BITS), dtype=torch.int16, device=dev)
    out = output_view(layout, raw, batch, nq, hq, dv, dtype)
    out.view(torch.int16).fill_(as_int16(POISON_BITS[exp["element_type"]]))
    assert out.data_ptr() % 16 == 0 and raw.data_ptr() % 16 == 0

    out_ptr = out.data_ptr() + 2 * shift
    args = tensor_maps.launch_args(launch, q, k, v, out, slopes,
                                   ref_exp["call_scale"],
                                   ref_exp["call_bias"], out_ptr=out_ptr)
    grid = ((nq + launch["block_q"] - 1) // launch["block_q"], hq, batch)
    torch.cuda.synchronize()
    fn(grid, (launch["block_threads"], 1, 1), tuple(args),
       shared_mem=launch["dynamic_shared_memory"])
    cupy.cuda.runtime.deviceSynchronize()
    # A strided layout: the same kernel on contiguous copies must give the
    # same bits.
    differs = 0
    if layout != "contiguous":
        qc, kc, vc = (t.contiguous() for t in (q, k, v))
        outc = torch.empty(batch, nq, hq, dv, dtype=dtype, device=dev)
        fn(grid, (launch["block_threads"], 1, 1),
           tuple(tensor_maps.launch_args(launch, qc, kc, vc, outc, slopes,
                                         ref_exp["call_scale"],
                                         ref_exp["call_bias"])),
           shared_mem=launch["dynamic_shared_memory"])
        cupy.cuda.runtime.deviceSynchronize()
        differs = int((out.contiguous().view(torch.int16)
                       != outc.view(torch.int16)).sum())

    # Guards: the buffer with the output's elements overwritten by the
    # guard pattern must be all guard.
    guarded = raw.clone()
    guarded.as_strided(out.shape, out.stride(),
                       out.storage_offset()).fill_(as_int16(GUARD_BITS))
    guard_changed = int((guarded != as_int16(GUARD_BITS)).sum())
    inputs_changed = sum(not torch.equal(a, b) for a, b in zip(inputs, saved))
    ref32 = reference(q.float(), k.float(), v.float(), ref_exp, slopes,
                      torch.float32)
    reflp = reference(q, k, v, ref_exp, slopes, dtype).float()
    outf = out.float()
    unwritten = int(torch.isnan(outf).sum())
    err = (outf - ref32).abs().max().item() if unwritten == 0 else float("nan")
    err_lp = (reflp - ref32).abs().max().item()
    atol = (2.0 ** -12 * ref32.abs().max().item()
            + SIGMOID_ABS_ERROR * v.float().abs().max().item())
    bound = 2 * err_lp + atol
    ok = (unwritten == 0 and err <= bound and guard_changed == 0
          and inputs_changed == 0 and differs == 0)
    return dict(ok=ok, ratio=err / bound, err=err, err_lp=err_lp, atol=atol,
                unwritten=unwritten, guard_changed=guard_changed,
                inputs_changed=inputs_changed, differs=differs)


def label(entry):
    e, op = entry["expected"], entry["op"]
    static = "".join(" %s=%d" % (name, op[key]) for key, name in
                     (("batch", "B"), ("seq_q", "Nq"), ("seq_k", "Nk"))
                     if op[key] is not None)
    scalar = lambda x: x if isinstance(x, str) else "%.4g" % x
    return ("%-7s %-5s D=%-3d Dv=%-3d Hkv=%d alibi=%-10s window=[%d,%d] "
            "scale=%-8s bias=%-8s%s"
            % (entry["ptx"], e["element_type"], e["head_dim"], e["value_dim"],
               e["num_kv_heads"], e["alibi"], e["window_left"],
               e["window_right"], scalar(e["scale"]), scalar(e["bias"]),
               static))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bundle")
    ap.add_argument("--quick", action="store_true", help="fewer shapes")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--layouts", default=",".join(LAYOUTS),
                    help="comma-separated layouts of q, k, v and out: "
                         "contiguous (every shape), transposed and packed "
                         "(the quick shapes)")
    ap.add_argument("--descriptions-only", action="store_true",
                    help="only compare each kernel's JSON with the manifest "
                         "(no GPU needed)")
    ap.add_argument("--perturb-bias", type=float, default=0.0,
                    help="negative control: check against a reference whose "
                         "bias is off by this much (every case must fail)")
    ap.add_argument("--shift-output", type=int, default=0,
                    help="negative control: give the kernel the output "
                         "pointer moved by this many elements (a multiple of "
                         "8 up to 2048 either way); every case must fail, "
                         "its writes landing in a guard")
    args = ap.parse_args()
    layouts = args.layouts.split(",")
    if not layouts or any(l not in LAYOUTS for l in layouts):
        ap.error("--layouts takes a comma-separated subset of %s"
                 % ",".join(LAYOUTS))
    if args.shift_output % 8 or abs(args.shift_output) > GUARD_ELEMENTS:
        ap.error("--shift-output must be a multiple of 8 within +-%d"
                 % GUARD_ELEMENTS)
    with open(os.path.join(args.bundle, "manifest.json")) as f:
        manifest = json.load(f)
    if not args.descriptions_only:
        import cupy
        import torch
        gen = torch.Generator(device="cuda")
        gen.manual_seed(args.seed)
        print("device:", torch.cuda.get_device_name(0))
    passed = failed = 0
    for entry in manifest:
        exp = entry["expected"]
        shapes = shapes_for(entry["op"], args.quick)
        launch, problems = read_description(args.bundle, entry)
        if launch is not None:
            problems = compare_description(launch, exp)
        for p in problems:
            print("FAIL %s description: %s" % (entry["ptx"], p))
        passed += not problems
        failed += bool(problems)
        if args.descriptions_only:
            print("%s description %s" % (label(entry),
                                         "FAIL" if problems else "ok"))
            continue
        if launch is None or any(launch.get(k) != exp[k] for k in LAYOUT_FIELDS):
            cases = sum(len(shapes if layout == "contiguous"
                            else shapes_for(entry["op"], True))
                        for layout in layouts)
            print("FAIL %s: not launched (its description does not match the "
                  "op's tensors): %d cases failed" % (entry["ptx"], cases))
            failed += cases
            continue
        mod = cupy.RawModule(path=os.path.join(args.bundle, entry["ptx"]))
        fn = mod.get_function(launch["name"])
        fn.max_dynamic_shared_size_bytes = launch["dynamic_shared_memory"]
        worst = 0.0
        cases = [(layout, shape) for layout in layouts
                 for shape in (shapes if layout == "contiguous"
                               else shapes_for(entry["op"], True))]
        for layout, (batch, nq, nk) in cases:
            scale, bias = call_scalars(entry, nk)
            ref_exp = dict(exp, scale=scale,
                           bias=f32(bias + args.perturb_bias),
                           call_scale=scale, call_bias=bias)
            r = run_case(fn, launch, exp, ref_exp, batch, nq, nk, gen,
                         args.shift_output, layout)
            ratio = r["ratio"]
            worst = max(worst, ratio) if not math.isnan(ratio) else float("nan")
            passed += r["ok"]
            failed += not r["ok"]
            if not r["ok"]:
                print("FAIL %s %s B=%d Nq=%d Nk=%d: err=%.3g "
                      "ref_lowp_err=%.3g atol=%.3g unwritten=%d "
                      "guard_changed=%d inputs_changed=%d "
                      "bits_differing_from_contiguous=%d"
                      % (label(entry), layout, batch, nq, nk, r["err"],
                         r["err_lp"], r["atol"], r["unwritten"],
                         r["guard_changed"], r["inputs_changed"],
                         r["differs"]))
        print("%s worst err/bound %.3f over %d cases (%s)"
              % (label(entry), worst, len(cases), ",".join(layouts)))
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(0 if failed == 0 else 1)


if __name__ == "__main__":
    main()
