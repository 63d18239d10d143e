#!/usr/bin/env bash
# The Kong grid (examples/kong-table1.toml) with its fixed 500 trials per cell against
# trials = "auto", until = "verdict", max_trials = 500: the same trajectories (trajectory i of a
# cell is the same in both), each auto cell cut short once its 95% Wilson interval is clear of
# the bound. Interleaved runs (fixed, auto, fixed, auto, ...) so both see the same machine.
# Prints the wall seconds of each run and their medians, the trajectories and trajectory-steps
# each used, the trajectories the auto run ran (its steps past a decision included), and the
# verdicts compared cell by cell.
#
#   bash bench/kong-auto.sh [RELUSIM=build/relusim] [ROUNDS=3] [TRIALS_STEP=50] [THREADS=0]
#
# Writes out/bench/kong-auto.csv (run,round,seconds,trajectories_ran) and the two summaries.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-build/relusim}"; rounds="${2:-3}"; step="${3:-50}"; threads="${4:-0}"
[ -x "$bin" ] || { echo "kong-auto: $bin is not an executable" >&2; exit 2; }
out=out/bench/kong-auto
mkdir -p "$out"
grid=examples/kong-table1.toml
auto="$out/kong-table1-auto.toml"
sed -e "s/^trials = 500.*/trials = \"auto\"\nmax_trials = 500\ntrials_step = $step\nuntil = \"verdict\"/" \
  "$grid" >"$auto"
grep -q '^until = "verdict"' "$auto" || { echo "kong-auto: $grid has no 'trials = 500' line" >&2; exit 1; }
echo "run,round,seconds,trajectories_ran" >"$out.csv.partial"
run() {  # run LABEL FILE ROUND
  local t0 t1 log
  t0=$(date +%s.%N)
  log="$("$bin" sweep "$2" --backend cpu --threads "$threads" --trajectories --progress never \
    --force --out "$out/$1" 2>&1 >/dev/null)"
  t1=$(date +%s.%N)
  ran="$(sed -n 's/^relusim: \([0-9]*\) trajectories in .*/\1/p' <<<"$log")"
  echo "$1,$3,$(echo "$t1 - $t0" | bc),$ran" >>"$out.csv.partial"
}
for r in $(seq 1 "$rounds"); do
  run fixed "$grid" "$r"
  run auto "$auto" "$r"
done
mv "$out.csv.partial" "$out.csv"
python3 - "$out" <<'EOF'
import csv, statistics, sys
out = sys.argv[1]
runs = list(csv.DictReader(open(out + ".csv")))
def rows(name):
    return list(csv.DictReader(open(f"{out}/{name}/summary.csv")))
def steps(name):
    total = {}
    for t in csv.DictReader(open(f"{out}/{name}/trajectories.csv")):
        total[t["cell"]] = total.get(t["cell"], 0) + int(t["steps"])
    return total
med = {}
for name in ("fixed", "auto"):
    secs = [float(r["seconds"]) for r in runs if r["run"] == name]
    med[name] = statistics.median(secs)
    ran = [int(r["trajectories_ran"]) for r in runs if r["run"] == name][-1]
    print(f"{name:5s}: seconds {' '.join(f'{s:.2f}' for s in secs)}  median {med[name]:.2f}  "
          f"trajectories ran {ran}")
f, a = rows("fixed"), rows("auto")
sf, sa = steps("fixed"), steps("auto")
assert len(f) == len(a)
used_f = sum(int(r["trials_used"]) for r in f)
used_a = sum(int(r["trials_used"]) for r in a)
steps_f, steps_a = sum(sf.values()), sum(sa.values())
same = sum(1 for x, y in zip(f, a) if x["verdict"] == y["verdict"])
why = {}
for r in a:
    why[r["stopped_by"]] = why.get(r["stopped_by"], 0) + 1
print(f"cells {len(f)}; verdicts equal in {same}")
for x, y in zip(f, a):
    if x["verdict"] != y["verdict"]:
        print(f"  cell {x['cell']}: fixed {x['verdict']} (rate {float(x['rate']):.3f}, "
              f"{x['trials_used']} trials), auto {y['verdict']} (rate {float(y['rate']):.3f}, "
              f"{y['trials_used']} trials), bound {float(x['bound']):.3f}")
print(f"trajectories used: fixed {used_f}, auto {used_a} ({used_a / used_f:.3f})")
print(f"trajectory-steps used: fixed {steps_f:.4g}, auto {steps_a:.4g} ({steps_a / steps_f:.3f})")
print("auto cells stopped by: " + ", ".join(f"{k} {v}" for k, v in sorted(why.items())))
print(f"wall time auto / fixed (medians): {med['auto'] / med['fixed']:.3f}")
EOF
