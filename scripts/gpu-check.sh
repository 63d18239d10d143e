#!/usr/bin/env bash
# GPU acceptance, one command for a machine with an NVIDIA GPU and the CUDA toolkit:
#   1. builds relusim with its CUDA backend (warnings are errors) into build-gpu/;
#   2. runs the whole test suite with RELUSIM_REQUIRE_GPU=1 (a GPU test that cannot find the
#      device fails instead of skipping);
#   3. runs the Kong grid (Model A) and two Model B grids on the CPU and the CUDA backend and
#      compares them cell by cell (scripts/compare_summaries.py);
#   4. runs the Kong grid on the GPU as 3 shards merged (and over 2 MPI ranks when mpirun is
#      present) and checks its summary.csv is byte-identical to one process's;
#   5. runs `relusim bench --backend cuda` (the bench table on the GPU) and the CPU benchmarks
#      (bench/) once, briefly;
#   6. prints one table: each check's pass/fail and each grid's trajectory-steps per second per
#      backend (measured here, end to end, from the trajectories' step counts and wall time).
# Everything is written under out/gpu-check/ (logs, summaries, the table as gpu-check.txt).
#
#   bash scripts/gpu-check.sh            # the full check
#   bash scripts/gpu-check.sh --quick    # 100 trajectories per cell instead of the files' counts
#
# Dependencies: scripts/setup.sh installs them where apt-get works. On a machine without a
# package registry, put the Debian packages' .deb files in a folder and set RELUSIM_DEBS to it:
# they are unpacked into $RELUSIM_DEPS_DIR (default /tmp/relusim-deps) and found from there.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
build="${RELUSIM_BUILD_DIR:-$root/build-gpu}"
out="$root/out/gpu-check"
trials=()
[ "${1:-}" = "--quick" ] && trials=(--trials 100)
mkdir -p "$out"
rows=()
failed=0
row() { rows+=("$1|$2|$3|$4|$5"); [ "$2" = "pass" ] || failed=1; }

echo "== device"
if command -v nvidia-smi >/dev/null 2>&1; then nvidia-smi -L | tee "$out/device.txt"; else
  echo "nvidia-smi not found" | tee "$out/device.txt"; fi

echo "== dependencies"
extra=()
if [ -n "${RELUSIM_DEBS:-}" ]; then
  # Outside the source tree: CMake refuses an exported include directory inside it.
  deps="${RELUSIM_DEPS_DIR:-${TMPDIR:-/tmp}/relusim-deps}"
  lib="$deps/usr/lib/x86_64-linux-gnu"
  mkdir -p "$deps"
  for f in "$RELUSIM_DEBS"/*.deb; do dpkg -x "$f" "$deps"; done
  extra+=(-DCMAKE_PREFIX_PATH="$deps/usr" -DCMAKE_INCLUDE_PATH="$deps/usr/include")
  # Debian's OpenBLAS config names absolute /usr paths, which its alternatives link into place
  # on install; unpacked, they must point into $deps, and CMake must be told where it is.
  for config in "$lib"/openblas-*/cmake/openblas/OpenBLASConfig.cmake; do
    [ -f "$config" ] || continue
    sed -i "s#/usr/#$deps/usr/#g" "$config"
    extra+=(-DOpenBLAS_DIR="$(dirname "$config")")
    export LD_LIBRARY_PATH="$(dirname "$(dirname "$(dirname "$config")")")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    break
  done
  export PATH="$deps/usr/bin:$PATH"
  export CPATH="$deps/usr/include${CPATH:+:$CPATH}"
  export LIBRARY_PATH="$lib${LIBRARY_PATH:+:$LIBRARY_PATH}"
  export LD_LIBRARY_PATH="$lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
elif command -v apt-get >/dev/null 2>&1; then
  bash scripts/setup.sh || echo "setup.sh failed; trying the build with what is installed"
fi

echo "== build ($build)"
if RELUSIM_BUILD_DIR="$build" bash scripts/build.sh "${extra[@]}" >"$out/build.log" 2>&1; then
  row "build (CUDA backend, -Werror)" pass "" "" "build.log"
else
  tail -30 "$out/build.log"
  row "build (CUDA backend, -Werror)" FAIL "" "" "build.log"
fi
relusim="$build/relusim"
cat "$build"/kernels/ptxas-*.txt >"$out/ptxas.txt" 2>/dev/null || true
if grep -qE "[1-9][0-9]* bytes spill (stores|loads)" "$out/ptxas.txt"; then
  row "kernels without register spills" FAIL "" "" "ptxas.txt"
else
  row "kernels without register spills" pass "" "" "ptxas.txt"
fi

echo "== tests (RELUSIM_REQUIRE_GPU=1)"
if (cd "$build" && RELUSIM_REQUIRE_GPU=1 ctest --output-on-failure --parallel "$(nproc)") \
  >"$out/ctest.log" 2>&1; then
  row "test suite, GPU tests required" pass "" "" "$(grep -E 'tests passed' "$out/ctest.log")"
else
  grep -E "Failed|\*\*\*" "$out/ctest.log" | head -20
  row "test suite, GPU tests required" FAIL "" "" "ctest.log"
fi

# Trajectory-steps per second of a finished run: sum of (steps + 1) over trajectories.csv
# divided by the seconds summary.json records.
steps_per_second() {
  python3 - "$1" <<'PY'
import csv, json, sys
d = sys.argv[1]
steps = sum(int(r["steps"]) + 1 for r in csv.DictReader(open(d + "/trajectories.csv")))
seconds = json.load(open(d + "/summary.json"))["seconds"]
print(f"{steps / seconds:.3g}" if seconds > 0 else "n/a")
PY
}

for grid in kong-table1 committee-modes tian-fig5 prelu-zero-init; do
  echo "== $grid on both backends"
  rates=()
  ok=1
  for backend in cpu cuda; do
    dir="$out/$grid-$backend"
    if "$relusim" sweep "examples/$grid.toml" "${trials[@]}" --backend "$backend" --trajectories \
      --progress never --out "$dir" >"$dir.log" 2>&1; then
      rates+=("$(steps_per_second "$dir")")
    else
      tail -5 "$dir.log"
      rates+=("failed")
      ok=0
    fi
  done
  if [ "$ok" = 1 ] && python3 scripts/compare_summaries.py "$out/$grid-cpu/summary.csv" \
    "$out/$grid-cuda/summary.csv" >"$out/$grid-compare.txt" 2>&1; then
    row "$grid: CPU == GPU cell by cell" pass "${rates[0]}" "${rates[1]}" \
      "$(tail -1 "$out/$grid-compare.txt")"
  else
    cat "$out/$grid-compare.txt" 2>/dev/null | tail -5
    row "$grid: CPU == GPU cell by cell" FAIL "${rates[0]}" "${rates[1]:-}" \
      "$(tail -1 "$out/$grid-compare.txt" 2>/dev/null)"
  fi
done

# Scale-out on the GPU (docs/scale-out.md): the Kong grid as 3 shards merged, and over 2 MPI
# ranks sharing the device when mpirun is here, against the one-process CUDA run above.
echo "== kong-table1 on the GPU: shards and MPI ranks against one process"
ref="$out/kong-table1-cuda/summary.csv"
ok=1
for k in 1 2 3; do
  rm -rf "$out/shard-$k"
  "$relusim" sweep examples/kong-table1.toml "${trials[@]}" --backend cuda --progress never \
    --shard "$k/3" --out "$out/shard-$k" >"$out/shard-$k.log" 2>&1 || ok=0
done
rm -rf "$out/shards-merged"
"$relusim" merge "$out"/shard-{1,2,3} --out "$out/shards-merged" >"$out/merge.log" 2>&1 || ok=0
if [ "$ok" = 1 ] && cmp -s "$ref" "$out/shards-merged/summary.csv"; then
  row "kong-table1: 3 GPU shards merged == one" pass "" "" "summary.csv byte-identical"
else
  row "kong-table1: 3 GPU shards merged == one" FAIL "" "" "merge.log"
fi
if command -v mpirun >/dev/null 2>&1; then
  rm -rf "$out/mpi2"
  if OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 mpirun --oversubscribe -n 2 \
    "$relusim" sweep examples/kong-table1.toml "${trials[@]}" --backend cuda --progress never \
    --out "$out/mpi2" >"$out/mpi2.log" 2>&1 && cmp -s "$ref" "$out/mpi2/summary.csv"; then
    row "kong-table1: 2 MPI ranks on the GPU == one" pass "" "" "summary.csv byte-identical"
  else
    row "kong-table1: 2 MPI ranks on the GPU == one" FAIL "" "" "mpi2.log"
  fi
fi

echo "== relusim bench on the GPU (W1, W2, W3, W4, the Kong grid)"
if "$relusim" bench --backend cuda --out "$out/bench-gpu" >"$out/bench-gpu.txt" 2>&1; then
  row "relusim bench --backend cuda" pass "" "" "bench-gpu.txt"
  cat "$out/bench-gpu.txt"
else
  row "relusim bench --backend cuda" FAIL "" "" "bench-gpu.txt"
fi

echo "== benchmarks (CPU, bench/)"
if "$build/bench/relusim_bench" --benchmark_min_time=0.05 >"$out/bench.txt" 2>&1; then
  row "benchmarks run" pass "" "" "bench.txt"
else
  row "benchmarks run" FAIL "" "" "bench.txt"
fi

{
  echo
  echo "relusim GPU check, $(date -u +%Y-%m-%d), $(head -1 "$out/device.txt")"
  printf '%-44s %-6s %16s %16s  %s\n' "check" "result" "CPU traj-steps/s" "GPU traj-steps/s" \
    "detail"
  for r in "${rows[@]}"; do
    IFS='|' read -r name status cpu gpu detail <<<"$r"
    printf '%-44s %-6s %16s %16s  %s\n' "$name" "$status" "$cpu" "$gpu" "$detail"
  done
} | tee "$out/gpu-check.txt"
exit "$failed"
