#!/usr/bin/env bash
# `relusim bench`, run by ctest: --only runs exactly the workloads it names and counts every
# update (W4 quick: 64 trajectories x 1000 steps, no early stop); a misspelt or empty name and
# an unreadable --kong file named by --only are bad input (exit 2), not an empty success.
#
#   bench_cli_test.sh RELUSIM
set -uo pipefail
relusim="$1"
work="$(mktemp -d "${TMPDIR:-/tmp}/relusim-bench-cli.XXXXXX")"
trap 'rm -rf "$work"' EXIT
failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}
# refused EXPECTED-TEXT ARGS...: `relusim bench ARGS` exits 2 and says EXPECTED-TEXT.
refused() {
  local want="$1" err rc
  shift
  err="$("$relusim" bench --backend cpu "$@" 2>&1 >/dev/null)"
  rc=$?
  if [ "$rc" -ne 2 ]; then
    fail "bench $*: exit $rc, expected 2 ($err)"
  elif ! grep -q -- "$want" <<<"$err"; then
    fail "bench $*: message lacks '$want': $err"
  else
    echo "ok: bench $* refused: $err"
  fi
}
refused "unknown workload 'W9'" --only W9
refused "unknown workload 'w1'" --only W2,w1
refused "unknown workload ''" --only ,W1
refused "cannot read $work/none.toml" --only Kong --kong "$work/none.toml"

if "$relusim" bench --backend cpu --threads 2 --quick --only W4 --out "$work/w4" >"$work/w4.txt" \
  2>"$work/w4.err"; then
  rows="$(tail -n +2 "$work/w4/bench.csv")"
  if [ "$(grep -c . <<<"$rows")" -ne 1 ]; then
    fail "--only W4 wrote $(grep -c . <<<"$rows") rows: $rows"
  elif ! grep -q '^W4,double,64,64000,' <<<"$rows"; then
    fail "--only W4: expected 64 trajectories and 64000 steps, got: $rows"
  else
    echo "ok: --only W4 ran W4 alone, 64 x 1000 steps"
  fi
else
  fail "bench --quick --only W4: $(cat "$work/w4.err")"
fi
[ "$failures" -eq 0 ] || exit 1
