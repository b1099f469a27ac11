#!/usr/bin/env python3
"""Table and plots from bench_attention.py's CSV files.

    python3 benchmarks/report.py OUT_DIR bench_a.csv [bench_b.csv ...]

Writes OUT_DIR/results.md (TFLOP/s and ms per shape; the same run's bf16 GEMM
rate as the ceiling column; the ratios ours/FA2, ours/cuDNN, ours/best Triton,
ours/GEMM; the Triton autotuner's choices and FlexAttention's compile notes;
a summary last) and one PNG per (D, mask) with TFLOP/s against N for every
implementation. The card's name comes from meta*.json beside the CSV files.
"""

import csv
import glob
import json
import os
import statistics
import sys
from collections import defaultdict

ORDER = ["sigattn", "sigattn_bhnd", "sigattn_packed", "sigattn_sync", "fa2", "cudnn", "flex", "triton", "triton_desc", "triton_exp",
         "naive_tc", "naive"]
TRITON = ("triton", "triton_desc")
LABEL = {"sigattn": "sigattn (ours, sigmoid; the bundle's generation)",
         "sigattn_bhnd": "sigattn on [B, H, N, D] tensors (strided)",
         "sigattn_packed": "sigattn on q, k, v packed in one tensor (strided)",
         "sigattn_sync": "sigattn mma.sync (ours, first generation)", "fa2": "SDPA flash / FA2 (softmax)",
         "cudnn": "SDPA cuDNN (softmax)", "flex": "FlexAttention (softmax)",
         "triton": "Triton sigmoid, tanh.approx, autotuned",
         "triton_desc": "Triton sigmoid, TMA descriptors (+ warp spec.), autotuned",
         "triton_exp": "Triton sigmoid, tl.sigmoid, triton's config",
         "naive_tc": "naive sigmoid, torch.compile", "naive": "naive sigmoid, eager"}


def main():
    out_dir, paths = sys.argv[1], sys.argv[2:]
    rows = []
    for p in paths:
        with open(p) as f:
            rows += list(csv.DictReader(f))
    device = None
    for p in paths:
        for m in sorted(glob.glob(os.path.join(os.path.dirname(p) or ".", "meta*.json"))):
            with open(m) as f:
                device = device or json.load(f).get("device")
    tf, ms, note = {}, {}, {}
    gemm = []
    failed = []
    for r in rows:
        if r["impl"] == "gemm":
            if r["ok"] == "True":
                gemm.append((r["mask"], float(r["tflops"])))
            continue
        key = (int(r["d"]), r["mask"], int(r["n"]), r["impl"])
        note[key] = r.get("note", "")
        if r["ok"] != "True":
            failed.append(key)
            continue
        tf[key] = float(r["tflops"])
        ms[key] = float(r["ms"])
    ceiling = statistics.mean(g for _, g in gemm) if gemm else None
    order = [i for i in ORDER if any(k[3] == i for k in list(tf) + failed)]
    keys = list(tf) + failed
    dims = sorted({k[0] for k in keys}, reverse=True)
    masks = [m for m in ["full", "causal", "window", "window1024", "alibi_causal"] if any(k[1] == m for k in keys)]
    seqs = sorted({k[2] for k in keys})
    lines = ["| D | mask | N | " + " | ".join(order) + " | bf16 GEMM"
             " | ours/FA2 | ours/cuDNN | ours/best Triton | ours/GEMM |",
             "|---|---|---|" + "---|" * (len(order) + 5)]
    ratios = defaultdict(list)
    for d in dims:
        for m in masks:
            for n in seqs:
                if not any((d, m, n, i) in tf or (d, m, n, i) in failed for i in order):
                    continue
                cells = []
                for i in order:
                    k = (d, m, n, i)
                    cells.append("%.0f (%.3f ms)" % (tf[k], ms[k]) if k in tf
                                 else ("FAILED" if k in failed else "-"))
                cells.append("%.0f" % ceiling if ceiling else "-")
                ours = tf.get((d, m, n, "sigattn"))
                rat = []
                peers = {"fa2": tf.get((d, m, n, "fa2")), "cudnn": tf.get((d, m, n, "cudnn")),
                         "triton": max([tf[(d, m, n, t)] for t in TRITON if (d, m, n, t) in tf],
                                       default=None),
                         "gemm": ceiling}
                for peer, val in peers.items():
                    if ours and val:
                        rat.append("%.2fx" % (ours / val))
                        ratios[(d, m, peer)].append(ours / val)
                    else:
                        rat.append("-")
                lines.append("| %d | %s | %d | %s | %s |" % (d, m, n, " | ".join(cells),
                                                           " | ".join(rat)))
    summary = []
    for (d, m, peer), rs in sorted(ratios.items(), key=lambda x: (-x[0][0], x[0][1], x[0][2])):
        if m in ("full", "causal"):
            summary.append("D=%d %s: %.2f-%.2fx %s" % (d, m, min(rs), max(rs), peer))
    text = ["TFLOP/s (median ms) per implementation%s; FLOPs = 4 B H N^2 D, half for causal; "
            "window counts the visible band only. bf16 GEMM: torch.matmul 8192^3 in the same "
            "run (the ceiling)." % (" on " + device if device else ""), ""] + lines
    if gemm:
        text += ["", "bf16 GEMM (8192^3, L2 flushed): " +
                 ", ".join("%s %.0f TFLOP/s" % (t.replace("gemm_", ""), g) for t, g in gemm)]
    tnotes = [(k, v) for k, v in sorted(note.items(), key=lambda x: (-x[0][0], x[0][1], x[0][2]))
              if v and (k[3] in TRITON or k[3] in ("triton_exp", "flex"))]
    if tnotes:
        text += ["", "Triton autotuner's choices, tl.sigmoid comparison, FlexAttention compile notes:", ""]
        for (d, m, n, impl), v in tnotes:
            text.append("- D=%d %s N=%d %s: %s" % (d, m, n, impl, v))
    text += ["", "Summary (ours / peer, range over N): " + "; ".join(summary)]
    with open(os.path.join(out_dir, "results.md"), "w") as f:
        f.write("\n".join(text) + "\n")
    print("\n".join(text))

    try:
        import matplotlib
    except ImportError:
        print("(matplotlib missing: no plots)")
        return
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    for d in dims:
        for m in masks:
            fig, ax = plt.subplots(figsize=(7, 4.5))
            for i in order:
                xs = [n for n in seqs if (d, m, n, i) in tf]
                if not xs:
                    continue
                ax.plot(xs, [tf[(d, m, n, i)] for n in xs], marker="o",
                        linewidth=2.5 if i == "sigattn" else 1.2, label=LABEL[i])
            if ceiling:
                ax.axhline(ceiling, color="gray", linestyle="--", linewidth=1,
                           label="bf16 GEMM 8192^3 (same run)")
            ax.set_xscale("log", base=2)
            ax.set_xticks(seqs)
            ax.set_xticklabels([str(n) for n in seqs])
            ax.set_xlabel("sequence length N (B = 16384 / N, H = %d)" % (2048 // d))
            ax.set_ylabel("TFLOP/s")
            ax.set_title("Forward, bf16, D = %d, %s (%s)" % (d, m, device or "GPU"))
            ax.grid(alpha=0.3)
            ax.legend(fontsize=7)
            fig.tight_layout()
            fig.savefig(os.path.join(out_dir, "bench-d%d-%s.png" % (d, m)), dpi=110)
            plt.close(fig)


if __name__ == "__main__":
    main()
