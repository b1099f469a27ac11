#!/usr/bin/env bash
# The main job: set up, build, and compile the example op.
# Today it prints the op's reference expansion (convert-sigattn-to-linalg);
# the GPU pipeline takes its place once it lands.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
input=${1:-$root/examples/attention.mlir}

"$root/scripts/bootstrap.sh"
"$root/scripts/build.sh"
"$build/bin/sigattn-opt" "$input" -convert-sigattn-to-linalg -canonicalize -cse
