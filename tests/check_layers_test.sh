#!/usr/bin/env bash
# scripts/check-layers.py on the tree (no include runs the wrong way), and on a copy of it with
# one planted wrong-way include in core/ and one stale entry in its list (both must fail).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python3 "$root/scripts/check-layers.py" "$root"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cp -r "$root/include" "$root/src" "$root/kernels" "$tmp/"
echo '#include "relusim/app/job.hpp"' >> "$tmp/include/relusim/core/team.hpp"
if python3 "$root/scripts/check-layers.py" "$tmp" > "$tmp/out.txt"; then
  echo "check-layers.py passed a core header that includes app/job.hpp"; exit 1
fi
grep -q 'include/relusim/core/team.hpp (core) includes relusim/app/job.hpp (app)' "$tmp/out.txt" ||
  { cat "$tmp/out.txt"; echo "the planted include is not named"; exit 1; }
# An arrow on the known list that is gone must be taken off the list.
sed 's#^KNOWN = set()#KNOWN = {("include/relusim/core/team.hpp", "relusim/models/registry.hpp")}#' \
  "$root/scripts/check-layers.py" > "$tmp/check-layers.py"
grep -q 'relusim/models/registry.hpp")}' "$tmp/check-layers.py" || { echo "KNOWN not planted"; exit 1; }
python3 "$tmp/check-layers.py" "$root" > "$tmp/out.txt" || true
grep -q 'no longer includes relusim/models/registry.hpp' "$tmp/out.txt" ||
  { cat "$tmp/out.txt"; echo "a stale known arrow is not reported"; exit 1; }
echo "check-layers: the tree passes, a planted wrong-way include and a stale entry fail"
