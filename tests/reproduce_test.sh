#!/usr/bin/env bash
# `relusim reproduce all --quick` (or the experiments named after the binary) into a temporary
# directory, then tests/check_reproduce.py on what it wrote.
set -euo pipefail
relusim="$1"
shift
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
if [ $# -eq 0 ]; then
  "$relusim" reproduce all --quick --out "$out" --progress never --backend cpu
  names=$("$relusim" reproduce list | awk 'NR > 3 { print $1 }')
else
  for n in "$@"; do
    "$relusim" reproduce "$n" --quick --out "$out/$n" --progress never --backend cpu
  done
  names="$*"
  : > "$out/index.md"
fi
python3 "$here/check_reproduce.py" "$out" $names

# The figure scripts as the install lays them out (share/relusim/figures/NAME/STEM.py, the module
# one folder up), run from the source tree against each experiment's data: they redraw its PNGs.
py="${RELUSIM_PYTHON:-/usr/bin/python3}"
if "$py" -c "import matplotlib" 2>/dev/null; then
  figures="$here/../src/reproduce/figures"
  for n in $names; do
    for script in "$figures/$n"/*.py; do
      stem="$(basename "$script" .py)"
      rm -f "$out/$n/$stem.png"
      "$py" "$script" "$out/$n" > /dev/null
      test -s "$out/$n/$stem.png" || { echo "$script drew no $stem.png"; exit 1; }
    done
  done
  echo "ok: the source figure scripts draw from the experiments' data"
fi

# Without matplotlib the data and the scripts are still written, and the report says how to draw.
RELUSIM_PYTHON=/bin/false "$relusim" reproduce kong-fig2 --quick --out "$out/nompl" \
  --progress never --backend cpu 2> "$out/nompl.err"
grep -q '"figures_drawn": false' "$out/nompl/verdicts.json"
test -s "$out/nompl/fig2.py" && test -s "$out/nompl/fig2_l2.csv" && test ! -e "$out/nompl/fig2.png"
grep -q "no matplotlib" "$out/nompl.err"
grep -q "not drawn: run" "$out/nompl/report.md"
echo "ok without matplotlib"
