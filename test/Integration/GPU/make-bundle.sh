#!/usr/bin/env bash
# Prepares what the GPU suite needs, on the build machine (it has MLIR; the
# GPU machine does not): builds sigattn-opt and sigattn-run, compiles the
# kernel matrix and the backward ops (grad/), and puts both in one folder to carry to the GPU machine.
#   test/Integration/GPU/make-bundle.sh [bundle-dir] [make_kernels.py options]
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
bundle=${1:-$root/.gpu-bundle}
shift || true
"$root/scripts/build.sh"
rm -rf "$bundle"
python3 "$root/test/Integration/GPU/make_kernels.py" --out "$bundle" \
  --sigattn-opt "$root/build/bin/sigattn-opt" "$@"
python3 "$root/test/Integration/GPU/make_grad_kernels.py" --out "$bundle/grad" \
  --sigattn-opt "$root/build/bin/sigattn-opt"
cp "$root/build/bin/sigattn-run" "$bundle/"
echo "bundle ready: $bundle ($(du -sh "$bundle" | cut -f1))"
