#!/bin/sh
# Stands in for sigattn-opt in fuzz-detects.test; FAKE_MODE picks the outcome.
case "$FAKE_MODE" in
  diagnose) echo "input.mlir:1:1: error: expected operation name" >&2; exit 1 ;;
  fatal) echo "LLVM ERROR: cannot select" >&2; exit 1 ;;
  segv) kill -SEGV $$ ;;
  hang) sleep 60 ;;
esac
exit 0
