#!/usr/bin/env bash
# Installs what is missing, builds, runs the lit suite (check-sigattn) and a
# short fuzzing run of sigattn-opt.
# The last line is "N passed, N failed, N skipped"; skipped tests are the
# ones whose requirements (a GPU, ptxas, mlir-runner) this machine lacks.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
llvm=${LLVM_PREFIX:-/usr/lib/llvm-22}

"$root/scripts/bootstrap.sh" || { echo "0 passed, 1 failed"; exit 1; }
"$root/scripts/build.sh" || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }

log=$(mktemp)
"$llvm/bin/lit" -sv "$build/test" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# lit's summary lines read "  <Result>: N (P%)", the colons aligned with
# spaces when several results are listed ("  Passed     : 23 (95.83%)").
count() {
  sed -n "s/^ *$1 *: *\([0-9][0-9]*\) .*/\1/p" "$log" | awk '{n += $1} END {print n + 0}'
}
passed=$(( $(count Passed) + $(count "Expectedly Failed") ))
failed=$(( $(count Failed) + $(count Unresolved) + $(count "Timed Out") + $(count "Unexpectedly Passed") ))
skipped=$(( $(count Unsupported) + $(count Excluded) + $(count Skipped) ))
rm -f "$log"
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1 # lit failed without a test result (bad config): count it
fi
if [ $((passed + failed + skipped)) -eq 0 ]; then
  echo "test.sh: no lit result could be read from lit's summary" >&2
  failed=1
fi

# Mutation fuzzing of sigattn-opt (test/Fuzz/fuzz.py), counted as one test:
# it fails on any crash or hang. SIGATTN_FUZZ_SECONDS is its time budget
# (default 30, .ci/run uses 180; 0 skips it), SIGATTN_FUZZ_SEED its seed.
# Reproducers of failures go to $build/fuzz-crashes.
fuzz_seconds=${SIGATTN_FUZZ_SECONDS:-30}
if ! [[ "$fuzz_seconds" =~ ^[0-9]+$ ]]; then
  echo "test.sh: SIGATTN_FUZZ_SECONDS must be a number of seconds, got '$fuzz_seconds'" >&2
  failed=$((failed + 1))
elif [ "$fuzz_seconds" -gt 0 ]; then
  rm -rf "$build/fuzz-crashes"
  if python3 "$root/test/Fuzz/fuzz.py" --seconds "$fuzz_seconds" \
       --seed "${SIGATTN_FUZZ_SEED:-1}" --sigattn-opt "$build/bin/sigattn-opt" \
       --crash-dir "$build/fuzz-crashes" 2>&1; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
  fi
else
  skipped=$((skipped + 1))
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
