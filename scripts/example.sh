#!/usr/bin/env bash
# The main job: set up, build, and compile the example op to PTX for H100.
#   ./scripts/example.sh [input.mlir [output.ptx]]
# writes the PTX (default build/attention.ptx) and its JSON description next
# to it, then checks it with ptxas when the CUDA toolkit is installed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
input=${1:-$root/examples/attention.mlir}
output=${2:-$build/attention.ptx}

"$root/scripts/bootstrap.sh"
"$root/scripts/build.sh"
"$build/bin/sigattn-opt" "$input" \
  --sigattn-gpu-pipeline="chip=sm_90a ptx-output=$output" -o /dev/null
echo "wrote $output and $output.json"
for pattern in '.target' '.entry' 'mma.sync.aligned' 'ldmatrix' 'cp.async.cg' 'tanh.approx.f32'; do
  printf '  %-18s %s\n' "$pattern" "$(grep -cF -- "$pattern" "$output")"
done
ptxas=${CUDA_HOME:-/usr/local/cuda}/bin/ptxas
if [ -x "$ptxas" ]; then
  "$ptxas" -arch=sm_90a -v "$output" -o /dev/null
fi
