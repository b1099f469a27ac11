#!/usr/bin/env bash
# Installs what is missing, builds, and runs the lit suite (check-sigattn).
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
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
