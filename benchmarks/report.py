#!/usr/bin/env python3
"""Table and plots from bench_attention.py's CSV files.

    python3 benchmarks/report.py OUT_DIR bench_a.csv [bench_b.csv ...]

Writes OUT_DIR/results.md (TFLOP/s and ms per shape, the ratios ours/FA2,
ours/cuDNN, ours/Triton, a one-line summary last) and one PNG per (D, mask)
with TFLOP/s against N for every implementation.
"""

import csv
import os
import sys
from collections import defaultdict

ORDER = ["sigattn", "fa2", "cudnn", "flex", "triton", "naive_tc", "naive"]
LABEL = {"sigattn": "sigattn (ours, sigmoid)", "fa2": "SDPA flash / FA2 (softmax)",
         "cudnn": "SDPA cuDNN (softmax)", "flex": "FlexAttention (softmax)",
         "triton": "Triton sigmoid (tutorial-style)", "naive_tc": "naive sigmoid, torch.compile",
         "naive": "naive sigmoid, eager"}


def main():
    out_dir, paths = sys.argv[1], sys.argv[2:]
    rows = []
    for p in paths:
        with open(p) as f:
            rows += list(csv.DictReader(f))
    tf = {}
    ms = {}
    for r in rows:
        if r["ok"] != "True":
            continue
        key = (int(r["d"]), r["mask"], int(r["n"]), r["impl"])
        tf[key] = float(r["tflops"])
        ms[key] = float(r["ms"])
    dims = sorted({k[0] for k in tf})
    masks = [m for m in ["full", "causal", "window", "alibi_causal"] if any(k[1] == m for k in tf)]
    seqs = sorted({k[2] for k in tf})
    lines = ["| D | mask | N | " + " | ".join(i for i in ORDER) +
             " | ours/FA2 | ours/cuDNN | ours/Triton |",
             "|---|---|---|" + "---|" * (len(ORDER) + 3)]
    ratios = defaultdict(list)
    for d in dims:
        for m in masks:
            for n in seqs:
                if (d, m, n, "sigattn") not in tf:
                    continue
                cells = []
                for i in ORDER:
                    k = (d, m, n, i)
                    cells.append("%.0f (%.3f ms)" % (tf[k], ms[k]) if k in tf else "-")
                ours = tf[(d, m, n, "sigattn")]
                rat = []
                for peer in ("fa2", "cudnn", "triton"):
                    k = (d, m, n, peer)
                    if k in tf:
                        rat.append("%.2fx" % (ours / tf[k]))
                        if n >= 2048:
                            ratios[(d, m, peer)].append(ours / tf[k])
                    else:
                        rat.append("-")
                lines.append("| %d | %s | %d | %s | %s |" % (d, m, n, " | ".join(cells), " | ".join(rat)))
    summary = []
    for (d, m, peer), rs in sorted(ratios.items()):
        if peer == "fa2" and m in ("full", "causal"):
            summary.append("D=%d %s: %.2f-%.2fx FA2" % (d, m, min(rs), max(rs)))
    text = ["TFLOP/s (median ms) per implementation; FLOPs = 4 B H N^2 D, half for causal; "
            "window counts the visible band only.", ""] + lines + ["",
            "Summary (N >= 2048, ours / SDPA-flash): " + "; ".join(summary)]
    with open(os.path.join(out_dir, "results.md"), "w") as f:
        f.write("\n".join(text) + "\n")
    print("\n".join(text))

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    for d in dims:
        for m in masks:
            fig, ax = plt.subplots(figsize=(7, 4.5))
            for i in ORDER:
                xs = [n for n in seqs if (d, m, n, i) in tf]
                if not xs:
                    continue
                ax.plot(xs, [tf[(d, m, n, i)] for n in xs], marker="o",
                        linewidth=2.5 if i == "sigattn" else 1.2, label=LABEL[i])
            ax.set_xscale("log", base=2)
            ax.set_xticks(seqs)
            ax.set_xticklabels([str(n) for n in seqs])
            ax.set_xlabel("sequence length N (B = 16384 / N, H = %d)" % (2048 // d))
            ax.set_ylabel("TFLOP/s")
            ax.set_title("Forward, bf16, D = %d, %s (H100 SXM5)" % (d, m))
            ax.grid(alpha=0.3)
            ax.legend(fontsize=7)
            fig.tight_layout()
            fig.savefig(os.path.join(out_dir, "bench-d%d-%s.png" % (d, m)), dpi=110)
            plt.close(fig)


if __name__ == "__main__":
    main()
