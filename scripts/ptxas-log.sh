#!/usr/bin/env bash
# CUDA compiler launcher: runs the nvcc command given after the report directory, passes its
# output through, and keeps the ptxas register/spill lines (-Xptxas -v) of each source file in
# DIR/ptxas-<source>.txt (one file per model's kernels).
set -uo pipefail
report_dir="$1"
shift
source_name="unknown"
for arg in "$@"; do
  case "$arg" in *.cu) source_name="$(basename "$arg" .cu)" ;; esac
done
mkdir -p "$report_dir"
tmp="$(mktemp)"
"$@" 2> >(tee "$tmp" >&2)
status=$?
wait
grep -E "ptxas info|bytes stack frame" "$tmp" >"$report_dir/ptxas-$source_name.txt" || true
rm -f "$tmp"
exit "$status"
