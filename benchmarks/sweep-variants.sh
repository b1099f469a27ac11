#!/usr/bin/env bash
# Tile-configuration sweep with the C++ runner (no Python on the GPU side).
#   here:  benchmarks/sweep-variants.sh make .sweep-bundle
#   GPU:   benchmarks/sweep-variants.sh run .sweep-bundle
# Each variant is a set of sigattn-gpu-pipeline options; it is compiled for
# D = 128 and 64, full and causal (bf16, H = 2048 / D), checked once at
# N = 2048 against the GPU fp32 reference, then timed at N = 2048 and 8192
# with B = 16384 / N.
set -euo pipefail
mode=${1:?make or run}
bundle=${2:?bundle folder}
root=$(cd "$(dirname "$0")/.." && pwd)
# Variant sets: the first sweep (one K/V stage, 2026-11-22), the sweep
# after two K/V stages (SWEEP=2, the default) and the first wgmma sweep
# (SWEEP=3: one warpgroup per 64 query rows, cp.async loads).
if [ "${SWEEP:-2}" = 3 ]; then
  variants=(
    "w0|"
    "g0|mma=wgmma block-q=128 block-k=64 num-warps=8"
    "g1|mma=wgmma block-q=128 block-k=128 num-warps=8"
    "g2|mma=wgmma block-q=64 block-k=128 num-warps=4"
    "g3|mma=wgmma block-q=192 block-k=96 num-warps=12"
    "g4|mma=wgmma block-q=64 block-k=64 num-warps=4"
    "g5|mma=wgmma block-q=256 block-k=64 num-warps=16"
  )
elif [ "${SWEEP:-2}" = 4 ]; then
  # More resident warpgroups per SM with one warpgroup per block: smaller
  # key tiles let 3-4 blocks share an SM (2026-12-02).
  variants=(
    "h0|"
    "h1|mma=wgmma block-q=64 block-k=48 num-warps=4"
    "h2|mma=wgmma block-q=64 block-k=32 num-warps=4"
    "h3|mma=wgmma block-q=128 block-k=32 num-warps=8"
    "h4|mma=wgmma block-q=64 block-k=96 num-warps=4"
    "h5|mma=wgmma block-q=256 block-k=64 num-warps=16"
  )
elif [ "${SWEEP:-2}" = 5 ]; then
  # Several warpgroups sharing K/V after the descriptor change made the
  # 16-warp tile spill-free (2026-12-03).
  variants=(
    "x0|"
    "x1|mma=wgmma block-q=256 block-k=64 num-warps=16"
    "x3|mma=wgmma block-q=192 block-k=48 num-warps=12"
    "x4|mma=wgmma block-q=192 block-k=96 num-warps=12"
    "x5|mma=wgmma block-q=128 block-k=96 num-warps=8"
  )
elif [ "${SWEEP:-2}" = 6 ]; then
  # TMA loads against cp.async, same schedule (2026-12-03).
  variants=(
    "t0|"
    "t1|loads=tma"
    "t2|loads=tma block-q=128 block-k=64 num-warps=8"
    "t3|loads=tma block-q=256 block-k=64 num-warps=16"
    "t4|loads=tma block-q=192 block-k=64 num-warps=12"
    "t5|block-q=128 block-k=64 num-warps=8"
  )
elif [ "${SWEEP:-2}" = 7 ]; then
  # Warp specialization: a producer warpgroup and a K/V ring (2026-12-02, stop 15).
  variants=(
    "s0|"
    "s1|schedule=specialized"
    "s2|schedule=specialized kv-stages=3"
    "s3|schedule=specialized block-q=128 block-k=128 num-warps=8"
    "s4|schedule=specialized block-q=128 block-k=96 num-warps=8 kv-stages=3"
    "s5|schedule=specialized block-q=192 block-k=64 num-warps=12"
    "s6|schedule=specialized block-q=128 block-k=128 num-warps=8 kv-stages=3"
  )
elif [ "${SWEEP:-2}" = 8 ]; then
  # Warp specialization with S(t + 1) issued before the sigmoid of t
  # (2026-12-02, stop 15).
  variants=(
    "o0|"
    "o1|schedule=specialized"
    "o2|schedule=specialized kv-stages=3"
    "o3|schedule=specialized kv-stages=4"
    "o4|schedule=specialized block-q=128 block-k=128 num-warps=8 kv-stages=3"
    "o5|schedule=specialized block-q=192 block-k=64 num-warps=12 kv-stages=3"
  )
elif [ "${SWEEP:-2}" = 9 ]; then
  # Turns between the computing warpgroups (pingpong), the sigmoid partly on
  # the FMA pipe (poly-sigmoid), FMA contraction of the score arithmetic
  # (2026-12-02, stop 16). "c0" is made by the previous sigattn-opt
  # (SIGATTN_OPT_BEFORE), without contraction.
  variants=(
    "p0|"
    "p1|schedule=specialized block-q=128 block-k=128 num-warps=8 kv-stages=3"
    "p2|schedule=specialized block-q=128 block-k=128 num-warps=8 kv-stages=3 pingpong=true"
    "p3|schedule=specialized block-q=128 block-k=64 num-warps=8 kv-stages=4 pingpong=true"
    "p4|schedule=specialized block-q=192 block-k=64 num-warps=12 kv-stages=3 pingpong=true"
    "p5|poly-sigmoid=1"
    "p6|poly-sigmoid=2"
    "p7|poly-sigmoid=3"
    "p8|schedule=specialized block-q=128 block-k=128 num-warps=8 kv-stages=3 pingpong=true poly-sigmoid=2"
  )
elif [ "${SWEEP:-2}" = 10 ]; then
  # O by stmatrix + TMA stores (stores=auto, now the default where Dv <= D)
  # against each thread's direct stores, cooperative and with turns
  # (2026-12-02, stop 17).
  variants=(
    "e0|"
    "e1|stores=direct"
    "e2|schedule=specialized block-q=128 block-k=128 num-warps=8 kv-stages=3 pingpong=true"
    "e3|schedule=specialized block-q=128 block-k=128 num-warps=8 kv-stages=3 pingpong=true stores=direct"
  )
elif [ "${SWEEP:-2}" = 1 ]; then
  variants=(
    "v0|block-q=64 block-k=64 short-shared-pointers=false"
    "v1|block-q=64 block-k=64"
    "v2|block-q=64 block-k=32"
    "v3|block-q=128 block-k=64 num-warps=8"
    "v4|block-q=128 block-k=32 num-warps=4"
    "v5|block-q=128 block-k=32 num-warps=8"
  )
else
  variants=(
    "w0|"
    "w1|block-q=64 block-k=64"
    "w2|block-q=64 block-k=32"
    "w3|block-q=128 block-k=64 num-warps=8"
    "w4|block-q=128 block-k=32 num-warps=8"
    "w5|block-q=128 block-k=16"
  )
fi
if [ "$mode" = make ]; then
  rm -rf "$bundle"; mkdir -p "$bundle"
  for v in "${variants[@]}"; do
    name=${v%%|*}; opts=${v#*|}
    python3 "$root/benchmarks/make_bench_kernels.py" --out "$bundle/$name" \
      --sigattn-opt "$root/build/bin/sigattn-opt" --seqs 2048 \
      --pipeline-options "$opts" | tail -n 1
  done
  if [ -n "${SIGATTN_OPT_BEFORE:-}" ]; then
    # The defaults compiled by an earlier sigattn-opt, for a before/after.
    python3 "$root/benchmarks/make_bench_kernels.py" --out "$bundle/c0" \
      --sigattn-opt "$SIGATTN_OPT_BEFORE" --seqs 2048 | tail -n 1
    variants+=("c0|")
  fi
  cp "$root/build/bin/sigattn-run" "$bundle/"
  printf '%s\n' "${variants[@]}" > "$bundle/variants.txt"
  exit 0
fi
run=$bundle/sigattn-run
printf '%-4s %-38s %-4s %-7s %-6s %-9s %s\n' var options D mask N check TFLOP/s
while IFS='|' read -r name opts; do
  for d in 128 64; do
    for mask in full causal; do
      ptx=$bundle/$name/d${d}_n2048_${mask}.ptx
      check=$("$run" --ptx "$ptx" --batch 2 --seq-q 2048 --seq-k 2048 | grep -o 'PASS\|FAIL' | head -n 1)
      for n in ${SWEEP_NS:-2048 8192}; do
        tf=$("$run" --ptx "$ptx" --batch $((16384 / n)) --seq-q $n --seq-k $n --no-check --time 20 |
             sed -n 's/.*, \([0-9.]*\) TFLOP\/s.*/\1/p')
        printf '%-4s %-38s %-4s %-7s %-6s %-9s %s\n' "$name" "${opts:-defaults}" $d $mask $n "$check" "$tf"
      done
    done
  done
done < "$bundle/variants.txt"
