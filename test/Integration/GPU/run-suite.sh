#!/usr/bin/env bash
# The GPU correctness suite, one command on an H100 (PyTorch, CuPy and
# compute-sanitizer there):
#   test/Integration/GPU/run-suite.sh BUNDLE [--quick]
# BUNDLE is made by make-bundle.sh (or make_kernels.py plus a sigattn-run).
# 0. kernels that did not compile (make_kernels.py --allow-compile-failures);
# 1. every kernel of the bundle (full log to $SIGATTN_SUITE_LOG if set): its
#    JSON against the op as written, then
#    FlashSigmoid's (Nq, Nk) grid against PyTorch, with guard zones around
#    the output (check_kernels.py);
# 2. the C++ runner on every kernel at odd sizes, against its own fp32
#    reference on the GPU, guard zones around the output; bad arguments
#    refused with no launch;
# 3. compute-sanitizer memcheck, racecheck and synccheck on odd sizes, every mask,
#    D != Dv and static shapes;
# 4. the accuracy of the tanh.approx.f32 sigmoid (informational, not counted);
# 5. when the bundle has grad/ (make_grad_kernels.py): the backward kernels
#    against PyTorch autograd (check_grad.py), the C++ runner's launchGrad
#    on every pair at odd sizes against its own references (bitwise
#    determinism, bad arguments), and compute-sanitizer on two pairs.
# Kernels with static B, Nq or Nk run only at those sizes.
# Last line: "N passed, N failed".
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bundle=${1:?usage: run-suite.sh BUNDLE [--quick]}
quick=${2:-}
run=$bundle/sigattn-run
passed=0
failed=0
tally() { # tally NAME STATUS
  if [ "$2" -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $1"; fi
}
# fit "B NQ NK" STATIC_B STATIC_NQ STATIC_NK: the sizes with the static ones
# ("-" where dynamic) put in.
fit() {
  local b nq nk
  read -r b nq nk <<< "$1"
  echo "$([ "$2" = - ] && echo "$b" || echo "$2") $([ "$3" = - ] && echo "$nq" || echo "$3") $([ "$4" = - ] && echo "$nk" || echo "$4")"
}

echo "== 0. compile failures in the bundle"
if [ -f "$bundle/compile_failures.json" ]; then
  while read -r line; do
    tally "compile: $line" 1
  done < <(python3 -c "import json,sys; [print(x['mlir'], x['error']) for x in json.load(open(sys.argv[1]))]" "$bundle/compile_failures.json")
else
  echo "none"
fi

echo "== 1. descriptions against the ops, PyTorch reference over the shape grid"
start=$SECONDS
log=${SIGATTN_SUITE_LOG:-$(mktemp)} # part 1's full log (per-kernel lines)
python3 "$here/check_kernels.py" "$bundle" $quick > "$log" 2>&1
summary=$(tail -n 1 "$log")
if [[ "$summary" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
  grep -v '^FAIL' "$log" | tail -n 3
  grep '^FAIL' "$log" | head -20
  # The worst error / tolerance ratio over every kernel and shape.
  sed -n 's/.* worst err\/bound \([0-9.naN]*\) over.*/\1/p' "$log" |
    sort -g | tail -n 1 | sed 's/^/worst err\/bound over all kernels: /'
  passed=$((passed + BASH_REMATCH[1]))
  failed=$((failed + BASH_REMATCH[2]))
else
  tail -n 20 "$log"
  tally "check_kernels.py did not finish" 1
fi
echo "full log: $log"
echo "part 1: $((SECONDS - start)) s"

# ptx alibi window_left window_right static_B static_Nq static_Nk D Dv
# runtime (1: scale and/or bias given at run time), from the manifest (the
# op as written, not the kernel's JSON).
kernels=$(python3 -c "
import json, sys
for k in json.load(open(sys.argv[1] + '/manifest.json')):
    e, op = k['expected'], k['op']
    s = lambda x: '-' if x is None else x
    print(k['ptx'], e['alibi'], e['window_left'], e['window_right'],
          s(op['batch']), s(op['seq_q']), s(op['seq_k']), e['head_dim'], e['value_dim'],
          int(bool(op.get('runtime'))))
" "$bundle")

echo "== 2. C++ runner (runtime + GPU fp32 reference, output guard zones)"
start=$SECONDS
while read -r ptx alibi left right sb sq sk d dv rt; do
  shapes=$(for shape in "2 113 203" "1 1023 1024" "3 77 1"; do fit "$shape" "$sb" "$sq" "$sk"; done | awk '!seen[$0]++')
  while read -r b nq nk; do
    out=$("$run" --ptx "$bundle/$ptx" --batch "$b" --seq-q "$nq" --seq-k "$nk" --seed "$nq" 2>&1)
    status=$?
    tally "sigattn-run $ptx B=$b Nq=$nq Nk=$nk: $(echo "$out" | grep -E 'FAIL|rror' | head -n 3 | tr '\n' ' ')" $status
  done <<< "$shapes"
done <<< "$kernels"
echo "runner: done, $((SECONDS - start)) s"

echo "== 2b. bad arguments are refused, nothing launched, guards intact"
first_alibi=$(echo "$kernels" | awk '$2 != "none" && ($5 $6 $7) == "---" {print $1; exit}')
first_plain=$(echo "$kernels" | awk '$2 == "none" && ($5 $6 $7) == "---" {print $1; exit}')
# A kernel with a run-time scale and bias: refuses a call without them.
first_runtime=$(echo "$kernels" | awk '$10 == 1 && ($5 $6 $7) == "---" {print $1; exit}')
for ptx in $first_plain $first_alibi $first_runtime; do
  "$run" --ptx "$bundle/$ptx" --batch 2 --seq-q 100 --seq-k 130 --bad-args | grep 'bad-args\|check:\|guard:'
  tally "bad-args $ptx" ${PIPESTATUS[0]}
done
# A kernel with static sizes, run at them (the runner's defaults), refuses
# launches at any other size.
first_static=$(echo "$kernels" | awk '($5 $6 $7) != "---" {print $1; exit}')
if [ -n "$first_static" ]; then
  "$run" --ptx "$bundle/$first_static" --bad-args | grep 'bad-args\|check:\|guard:\|compiled for'
  tally "bad-args (static sizes) $first_static" ${PIPESTATUS[0]}
fi

echo "== 3. compute-sanitizer (memcheck, racecheck, synccheck) on odd sizes, every mask, D != Dv, static shapes, run-time scale/bias"
start=$SECONDS
if command -v compute-sanitizer >/dev/null; then
  # One kernel per (mask, ALiBi) kind, then the first with D != Dv and the
  # first with static sizes.
  subset=$( (echo "$kernels" | awk '($5 $6 $7) == "---" {key = ($3 < 0 ? "L" : "l") ($4 < 0 ? "R" : ($4 == 0 ? "C" : "r")) $2} ($5 $6 $7) == "---" && !seen[key]++' | head -n 8
             echo "$kernels" | awk '$8 != $9 && ($5 $6 $7) == "---"' | head -n 1
             echo "$kernels" | awk '($5 $6 $7) != "---"' | head -n 1
             echo "$kernels" | awk '$10 == 1' | head -n 1) | awk '!seen[$1]++')
  while read -r ptx alibi left right sb sq sk d dv rt; do
    read -r b nq nk <<< "$(fit "1 113 203" "$sb" "$sq" "$sk")"
    for tool in memcheck racecheck synccheck; do
      out=$(compute-sanitizer --tool $tool --error-exitcode 9 "$run" --ptx "$bundle/$ptx" --batch "$b" --seq-q "$nq" --seq-k "$nk" --no-check 2>&1)
      status=$?
      summary=$(echo "$out" | grep -E "ERROR SUMMARY|RACECHECK SUMMARY|SYNCCHECK SUMMARY" | tail -n 1)
      echo "$tool $ptx B=$b Nq=$nq Nk=$nk: ${summary:-no summary} (exit $status)"
      tally "$tool $ptx: $(echo "$out" | grep -E 'FAIL' | head -n 2 | tr '\n' ' ')" $status
    done
  done <<< "$subset"
else
  echo "compute-sanitizer not found: skipped"
fi
echo "sanitizer: $((SECONDS - start)) s"

echo "== 4. tanh.approx.f32 sigmoid accuracy (informational, not counted)"
python3 "$here/measure_sigmoid.py" || echo "measure_sigmoid.py failed (not counted)"

grad=$bundle/grad
if [ -f "$grad/grad_manifest.json" ]; then
  echo "== 5. backward kernels (sigattn.attention_grad)"
  start=$SECONDS
  glog=$(mktemp)
  python3 "$here/check_grad.py" "$grad" $quick > "$glog" 2>&1
  summary=$(tail -n 1 "$glog")
  if [[ "$summary" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
    grep -E '^FAIL|worst' "$glog" | head -20
    passed=$((passed + BASH_REMATCH[1]))
    failed=$((failed + BASH_REMATCH[2]))
  else
    tail -n 20 "$glog"
    tally "check_grad.py did not finish" 1
  fi
  # ptx and its static B Nq Nk ("- - -" where dynamic).
  ops=$(python3 -c "
import json, sys
for op in json.load(open(sys.argv[1] + '/grad_manifest.json')):
    print(op['ptx'], *(op.get('static') or ['-', '-', '-']))
" "$grad")
  first=1
  while read -r ptx sb sq sk; do
    shapes=$(for shape in "2 203 77" "1 77 203" "1 1 1"; do fit "$shape" "$sb" "$sq" "$sk"; done | awk '!seen[$0]++')
    bad=""
    # Bad arguments at the first shape of the first two ops and of every
    # op with static sizes.
    if [ $first -le 2 ] || [ "$sb" != - ]; then bad=--bad-args; fi
    while read -r b nq nk; do
      extra=$bad
      bad=""
      out=$("$run" --ptx "$grad/$ptx" --batch "$b" --seq-q "$nq" --seq-k "$nk" --seed "$nq" $extra 2>&1)
      status=$?
      tally "sigattn-run (grad) $ptx B=$b Nq=$nq Nk=$nk $extra: $(echo "$out" | grep -E 'FAIL|rror|ACCEPTED' | head -n 3 | tr '\n' ' ')" $status
    done <<< "$shapes"
    first=$((first + 1))
  done <<< "$ops"
  if command -v compute-sanitizer >/dev/null; then
    # GQA with ALiBi (the dk/dv kernel's head loop) and MQA with a window,
    # first of each generation in the manifest.
    subset=$( (echo "$ops" | grep '_h6_2_' | head -n 1; echo "$ops" | grep '_h4_1_' | tail -n 1) | awk '!seen[$1]++ {print $1}')
    while read -r ptx; do
      for tool in memcheck racecheck synccheck; do
        out=$(compute-sanitizer --tool $tool --error-exitcode 9 "$run" --ptx "$grad/$ptx" --batch 1 --seq-q 113 --seq-k 203 --no-check 2>&1)
        status=$?
        summary=$(echo "$out" | grep -E "ERROR SUMMARY|RACECHECK SUMMARY|SYNCCHECK SUMMARY" | tail -n 1)
        echo "$tool $ptx: ${summary:-no summary} (exit $status)"
        tally "$tool $ptx" $status
      done
    done <<< "$subset"
  fi
  echo "backward: $((SECONDS - start)) s"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
