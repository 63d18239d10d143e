#!/usr/bin/env bash
# A/B of two relusim builds on the Kong grid (examples/kong-table1.toml), interleaved in one
# script run so both see the same machine: A, B, A, B, ... Prints each run's wall seconds, the
# median of each build and the ratio A/B (above 1: B is faster), then compares the outcome
# counts of every cell between the builds' last runs.
#
#   bash bench/kong-ab.sh OLD_RELUSIM NEW_RELUSIM [ROUNDS=3] [THREADS=0] [TRIALS]
#
# Build the old revision elsewhere, e.g.
#   git worktree add /tmp/old REV && cmake -S /tmp/old -B /tmp/old/build -G Ninja \
#     -DCMAKE_BUILD_TYPE=Release -DRELUSIM_ENABLE_CUDA=OFF -DRELUSIM_ENABLE_MPI=OFF \
#     -DRELUSIM_BUILD_TESTS=OFF -DRELUSIM_BUILD_BENCH=OFF && ninja -C /tmp/old/build relusim
# Writes out/bench/kong-ab.csv (build,round,seconds) and out/bench/kong-ab-cells.csv (the cells
# whose counts differ).
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { sed -n '2,15p' "$0" >&2; exit 2; }
a="$1"; b="$2"; rounds="${3:-3}"; threads="${4:-0}"; trials="${5:-}"
for bin in "$a" "$b"; do
  [ -x "$bin" ] || { echo "kong-ab: $bin is not an executable" >&2; exit 2; }
done
grid=examples/kong-table1.toml
out=out/bench/kong-ab
mkdir -p "$out"
extra=()
[ -n "$trials" ] && extra=(--trials "$trials")
echo "build,round,seconds" > "$out.csv.partial"
run() {  # run LABEL BIN ROUND
  local t0 t1
  t0=$(date +%s.%N)
  "$2" sweep "$grid" --threads "$threads" --progress never --out "$out/$1" "${extra[@]}" \
    > /dev/null 2> "$out/$1.log"
  t1=$(date +%s.%N)
  local sec
  sec=$(echo "$t1 - $t0" | bc -l)
  printf '%s round %d: %.2f s\n' "$1" "$3" "$sec"
  echo "$1,$3,$sec" >> "$out.csv.partial"
}
for ((k = 1; k <= rounds; ++k)); do
  run A "$a" "$k"
  run B "$b" "$k"
done
mv "$out.csv.partial" "$out.csv"
/usr/bin/env python3 - "$out" << 'EOF'
import csv, statistics, sys
out = sys.argv[1]
rows = list(csv.DictReader(open(out + ".csv")))
med = {k: statistics.median(float(r["seconds"]) for r in rows if r["build"] == k) for k in "AB"}
print(f"median A {med['A']:.2f} s, B {med['B']:.2f} s: A/B = {med['A'] / med['B']:.2f}x")
keys = ["converged", "diverged", "dead", "stuck", "undecided"]
a = list(csv.DictReader(open(out + "/A/summary.csv")))
b = list(csv.DictReader(open(out + "/B/summary.csv")))
if len(a) != len(b):
    sys.exit(f"kong-ab: the builds ran {len(a)} and {len(b)} cells")
labels = ["N", "d", "regularizer", "lambda", "convention"]
diff = [(x, y) for x, y in zip(a, b) if any(x[k] != y[k] for k in keys)]
with open(out + "-cells.csv", "w") as f:
    f.write(",".join(labels + [f"{k}_A" for k in keys] + [f"{k}_B" for k in keys]) + "\n")
    for x, y in diff:
        f.write(",".join([x[k] for k in labels] + [x[k] for k in keys] + [y[k] for k in keys]) + "\n")
moved = sum(max(abs(int(x[k]) - int(y[k])) for k in keys) for x, y in diff)
print(f"outcome counts: {len(a) - len(diff)} of {len(a)} cells identical", end="")
print(f"; {len(diff)} differ (largest move per cell summed: {moved} trajectories)" if diff else "")
for x, y in diff:
    print("  " + " ".join(f"{k}={x[k]}" for k in labels) + ": " +
          ", ".join(f"{k} {x[k]} -> {y[k]}" for k in keys if x[k] != y[k]))
EOF
