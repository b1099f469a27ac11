#!/usr/bin/env bash
# The GPU correctness suite, one command on an H100 (PyTorch, CuPy and
# compute-sanitizer there):
#   test/Integration/GPU/run-suite.sh .gpu-bundle [--quick]
# 1. every kernel of the bundle over FlashSigmoid's (Nq, Nk) grid against
#    PyTorch (check_kernels.py);
# 2. the C++ runner on every kernel at odd sizes, against its own fp32
#    reference on the GPU; bad arguments refused with no launch;
# 3. compute-sanitizer memcheck and racecheck on odd sizes, every mask.
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

echo "== 1. PyTorch reference over the shape grid"
log=$(mktemp)
python3 "$here/check_kernels.py" "$bundle" $quick | tee "$log" | grep -v '^FAIL' | tail -n 3
grep '^FAIL' "$log" | head -20
read -r p f < <(tail -n 1 "$log" | awk '{print $1, $3}')
passed=$((passed + ${p:-0}))
failed=$((failed + ${f:-1}))

kernels=$(python3 -c "import json,sys; [print(k['ptx'], k['alibi'], k['window_left'], k['window_right']) for k in json.load(open(sys.argv[1]+'/manifest.json'))]" "$bundle")

echo "== 2. C++ runner (runtime + GPU fp32 reference)"
while read -r ptx alibi left right; do
  for shape in "2 113 203" "1 1023 1024" "3 77 1"; do
    set -- $shape
    out=$("$run" --ptx "$bundle/$ptx" --batch "$1" --seq-q "$2" --seq-k "$3" --seed "$2" 2>&1)
    status=$?
    tally "sigattn-run $ptx B=$1 Nq=$2 Nk=$3: $(echo "$out" | tail -n 1)" $status
  done
done <<< "$kernels"
echo "runner: done"

echo "== 2b. bad arguments are refused, nothing launched"
first_alibi=$(echo "$kernels" | awk '$2 != "none" {print $1; exit}')
first_plain=$(echo "$kernels" | awk '$2 == "none" {print $1; exit}')
for ptx in $first_plain $first_alibi; do
  "$run" --ptx "$bundle/$ptx" --batch 2 --seq-q 100 --seq-k 130 --bad-args | grep 'bad-args\|check:'
  tally "bad-args $ptx" ${PIPESTATUS[0]}
done

echo "== 3. compute-sanitizer (memcheck, racecheck) on odd sizes, every mask"
if command -v compute-sanitizer >/dev/null; then
  subset=$(echo "$kernels" | awk '{key = ($3 < 0 ? "L" : "l") ($4 < 0 ? "R" : ($4 == 0 ? "C" : "r")) $2} !seen[key]++ {print $1}' | head -n 8)
  for ptx in $subset; do
    for tool in memcheck racecheck; do
      out=$(compute-sanitizer --tool $tool --error-exitcode 9 "$run" --ptx "$bundle/$ptx" --batch 1 --seq-q 113 --seq-k 203 --no-check 2>&1)
      status=$?
      summary=$(echo "$out" | grep -E "ERROR SUMMARY|RACECHECK SUMMARY" | tail -n 1)
      echo "$tool $ptx: ${summary:-no summary} (exit $status)"
      tally "$tool $ptx" $status
    done
  done
else
  echo "compute-sanitizer not found: skipped"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
