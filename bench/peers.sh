#!/usr/bin/env bash
# relusim against the peers of bench/peers/, side by side in one run (issue: CPU speed):
#   W1  Model A fixed, N = 100, d = 5, l2, TRAJ x STEPS (10^4 x 10^3), double and float
#   W2  Model A fixed, N = 4096, d = 256, l2, 200 x 10^3, double, setup included
# relusim's seconds are its own report of the run ("N trajectories in S s": setup, targets and
# dynamics, not the process start); each peer prints the wall seconds of its whole run (setup
# included, interpreter start excluded). W1 runs in RELUSIM_PEERS_ROUNDS rounds (default 3), each
# round every program once, one after another, and each program's rate is the median of its
# rounds: every program is timed the same way, and a change of the shared machine's load
# reaches all of them. W2 (minutes) runs once. Ratios are relusim's trajectory-steps/s over the
# peer's: above 1, relusim is faster. Writes out/bench/peers.csv.
#
#   bash bench/peers.sh [W1_TRAJ] [W1_STEPS] [W2_TRAJ] [W2_STEPS]   (smaller for a smoke run)
# Needs a build (scripts/build.sh), g++ with OpenMP, Debian's python3 with python3-numpy and
# python3-torch, and JAX from PyPI in .venv-peers (all: scripts/setup.sh --peers); a missing
# peer is skipped and says so. JAX's seconds include its compilation (jit), as a user pays it.
set -euo pipefail
cd "$(dirname "$0")/.."
t1="${1:-10000}"; s1="${2:-1000}"; t2="${3:-200}"; s2="${4:-1000}"
relusim="${RELUSIM_BUILD_DIR:-build}/relusim"
python=/usr/bin/python3
[ -x "$relusim" ] || { echo "peers: $relusim not found; run scripts/build.sh first" >&2; exit 1; }
mkdir -p out/bench
loop=out/bench/w1_loop
g++ -O3 -march=native -fopenmp -std=c++17 -o "$loop" bench/peers/w1_loop.cpp
rounds="${RELUSIM_PEERS_ROUNDS:-3}"
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || { echo "peers: RELUSIM_PEERS_ROUNDS must be a positive integer" >&2; exit 2; }
relusim_sec() {  # relusim_sec TRAJ STEPS N D PRECISION -> seconds of relusim's own report
  "$relusim" run --model A --mode fixed --N "$3" --d "$4" --regularizer l2 \
    --lambda 0.001 --teacher random --init gaussian --early_stop false --steps "$2" \
    --trials "$1" --precision "$5" 2>&1 > /dev/null |
    sed -n 's/.* trajectories in \([0-9.e+-]*\) s.*/\1/p'
}
median() {  # median SECONDS... -> the middle one (the upper middle of an even count)
  printf '%s\n' "$@" | sort -g | sed -n "$(($# / 2 + 1))p"
}
peer_rate() {  # peer_rate TRAJ STEPS SECONDS
  echo "$1 * $2 / $3" | bc -l
}
jax_python=.venv-peers/bin/python
have_numpy=0 have_torch=0 have_jax=0
"$python" -c "import numpy" 2> /dev/null && have_numpy=1 || echo "peers: numpy not found for $python; skipped" >&2
"$python" -c "import torch" 2> /dev/null && have_torch=1 || echo "peers: torch not found for $python; skipped" >&2
"$jax_python" -c "import jax" 2> /dev/null && have_jax=1 || echo "peers: jax not found in .venv-peers (scripts/setup.sh --peers); skipped" >&2
echo "workload,precision,program,traj_steps_per_s,relusim_over_peer" > out/bench/peers.csv.partial
printf '%-4s %-7s %-10s %16s %12s\n' load prec program "traj-steps/s" "relusim/x"
row() {  # row WORKLOAD PRECISION PROGRAM RATE RELUSIM_RATE
  local ratio
  ratio=$(echo "$5 / $4" | bc -l)
  printf '%-4s %-7s %-10s %16.4g %12.2f\n' "$1" "$2" "$3" "$4" "$ratio"
  echo "$1,$2,$3,$4,$ratio" >> out/bench/peers.csv.partial
}
for prec in double float; do
  s_rel=() s_loop=() s_np=() s_torch=() s_jax=()
  for ((k = 1; k <= rounds; k++)); do
    s_rel+=("$(relusim_sec "$t1" "$s1" 100 5 "$prec")")
    s_loop+=("$(OMP_NUM_THREADS=$(nproc) "$loop" "$t1" 100 5 "$s1" "$prec")")
    if ((have_numpy)); then s_np+=("$("$python" bench/peers/w1_numpy.py "$t1" 100 5 "$s1" "$prec")"); fi
    if ((have_torch)); then s_torch+=("$("$python" bench/peers/w1_torch.py "$t1" 100 5 "$s1" "$prec")"); fi
    if ((have_jax)); then s_jax+=("$("$jax_python" bench/peers/w1_jax.py "$t1" 100 5 "$s1" "$prec")"); fi
  done
  r=$(peer_rate "$t1" "$s1" "$(median "${s_rel[@]}")")
  row W1 "$prec" relusim "$r" "$r"
  row W1 "$prec" cpp-loop "$(peer_rate "$t1" "$s1" "$(median "${s_loop[@]}")")" "$r"
  if ((have_numpy)); then
    row W1 "$prec" numpy "$(peer_rate "$t1" "$s1" "$(median "${s_np[@]}")")" "$r"
  fi
  if ((have_torch)); then
    row W1 "$prec" pytorch "$(peer_rate "$t1" "$s1" "$(median "${s_torch[@]}")")" "$r"
  fi
  if ((have_jax)); then
    row W1 "$prec" jax "$(peer_rate "$t1" "$s1" "$(median "${s_jax[@]}")")" "$r"
  fi
done
r=$(peer_rate "$t2" "$s2" "$(relusim_sec "$t2" "$s2" 4096 256 double)")
row W2 double relusim "$r" "$r"
sec=$(OMP_NUM_THREADS=$(nproc) "$loop" "$t2" 4096 256 "$s2" double)
row W2 double cpp-loop "$(peer_rate "$t2" "$s2" "$sec")" "$r"
mv out/bench/peers.csv.partial out/bench/peers.csv
echo "peers: wrote out/bench/peers.csv ($(date -u +%Y-%m-%d), $(nproc) cores)"
