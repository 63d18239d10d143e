#!/usr/bin/env bash
# CUDA compiler launcher: runs the nvcc command given after the report path, passes its output
# through, and keeps the ptxas register/spill lines (-Xptxas -v) in the report file.
set -uo pipefail
report="$1"
shift
tmp="$(mktemp)"
"$@" 2> >(tee "$tmp" >&2)
status=$?
wait
grep -E "ptxas info|bytes stack frame" "$tmp" >"$report" || true
rm -f "$tmp"
exit "$status"
