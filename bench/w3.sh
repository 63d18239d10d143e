#!/usr/bin/env bash
# Benchmark W3 (issue 8): ResLink online, d = 100, B = 200, 10^3 steps, 10^2 trajectories, in
# relusim (CPU backend, all cores) and, in the same run, the same workload as a researcher would
# write it in PyTorch on the CPU (autograd, bmm over all trajectories, every thread) and in NumPy
# (batched matmul, gradient by hand). Each program times its dynamics; relusim's time is its
# whole run (setup, end-of-run diagnostics and |W - W*|_2 included). Prints a table and writes
# out/bench/w3.csv (peer seconds / relusim seconds: above 1 means relusim is faster).
#
#   bash bench/w3.sh [TRAJECTORIES] [STEPS]      defaults 100 1000 (W3); smaller for a smoke run
# Needs a build (scripts/build.sh) and Debian's python3 with python3-numpy and python3-torch
# (scripts/setup.sh --peers); a missing peer is skipped and says so.
set -euo pipefail
cd "$(dirname "$0")/.."
traj="${1:-100}"
steps="${2:-1000}"
d=100
b=200
relusim="${RELUSIM_BUILD_DIR:-build}/relusim"
python=/usr/bin/python3
[ -x "$relusim" ] || { echo "w3: $relusim not found; run scripts/build.sh first" >&2; exit 1; }
mkdir -p out/bench
csv=out/bench/w3.csv
echo "program,precision,trajectories,steps,seconds,ratio_to_relusim" > "$csv.partial"
printf '%-8s %-9s %10s %16s\n' program precision seconds "vs relusim"
for precision in float double; do
  start=$(date +%s.%N)
  "$relusim" run --model C --d "$d" --B "$b" --N "$b" --steps "$steps" --trials "$traj" \
    --mode online --identity true --early_stop false --diagnostics_every 0 --eta 0.001 \
    --teacher spectrum --teacher_spectral 0.6 --teacher_frobenius 5.7 --init gaussian \
    --init_spectral 0.1 --precision "$precision" > /dev/null 2>&1
  base=$(echo "$(date +%s.%N) - $start" | bc -l)
  printf '%-8s %-9s %10.2f %16s\n' relusim "$precision" "$base" "1.00"
  echo "relusim,$precision,$traj,$steps,$base,1" >> "$csv.partial"
  for peer in numpy torch; do
    module=$peer
    if ! "$python" -c "import $module" 2>/dev/null; then
      printf '%-8s %-9s %10s %16s\n' "$peer" "$precision" skipped "(no $module)"
      continue
    fi
    secs=$("$python" "bench/peers/w3_$peer.py" "$traj" "$d" "$b" "$steps" "$precision" | cut -d' ' -f1)
    ratio=$(echo "$secs / $base" | bc -l)
    printf '%-8s %-9s %10.2f %15.2fx\n' "$peer" "$precision" "$secs" "$ratio"
    echo "$peer,$precision,$traj,$steps,$secs,$ratio" >> "$csv.partial"
  done
done
mv "$csv.partial" "$csv"
echo "w3: wrote $csv"
