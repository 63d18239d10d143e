#!/usr/bin/env bash
# Start-up costs: `relusim --version`, `python -c "import relusim"` and a small run from the shell
# and from Python, each the median of R runs (default 11), wall clock. The MPI build's figure
# before lazy initialisation is reproduced with RELUSIM_MPI=1 (MPI_Init_thread as before).
#   RELUSIM_BUILD_DIR=build bash bench/startup.sh [R]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${RELUSIM_BUILD_DIR:-$root/build}"
py="${RELUSIM_BENCH_PYTHON:-$root/.venv/bin/python}"
reps="${1:-11}"
median() {  # median wall seconds of a command, run $reps times
  local times=()
  for _ in $(seq "$reps"); do
    local t0 t1
    t0=$(date +%s.%N)
    "$@" >/dev/null 2>&1
    t1=$(date +%s.%N)
    times+=("$(echo "$t1 - $t0" | bc -l)")
  done
  printf '%s\n' "${times[@]}" | sort -g | sed -n "$(((reps + 1) / 2))p"
}
cell=(--model A --N 20 --d 3 --trials 2000 --backend cpu --progress never)
printf '%-52s %s\n' "what" "median s"
printf '%-52s %.4f\n' "relusim --version" "$(median "$build/relusim" --version)"
printf '%-52s %.4f\n' "RELUSIM_MPI=1 relusim --version (MPI started)" \
  "$(median env RELUSIM_MPI=1 "$build/relusim" --version)"
printf '%-52s %.4f\n' "relusim run (2000 trajectories)" "$(median "$build/relusim" run "${cell[@]}")"
if [ -d "$build/python/relusim" ]; then
  export PYTHONPATH="$build/python"
  printf '%-52s %.4f\n' "python -c pass" "$(median "$py" -c pass)"
  printf '%-52s %.4f\n' "python -c 'import relusim'" "$(median "$py" -c 'import relusim')"
  printf '%-52s %.4f\n' "python: import relusim, run (same cell)" "$(median "$py" -c \
    'import relusim; relusim.run(model="A", N=20, d=3, trials=2000, backend="cpu", progress=False)')"
  printf '%-52s %.4f\n' "python -c 'import pandas'" "$(median "$py" -c 'import pandas')"
  printf '%-52s %.4f\n' "python: import relusim, run (same cell), .summary" "$(median "$py" -c \
    'import relusim; relusim.run(model="A", N=20, d=3, trials=2000, backend="cpu", progress=False).summary')"
fi
