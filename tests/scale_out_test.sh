#!/usr/bin/env bash
# Scale-out tests (docs/scale-out.md), run by ctest: a sweep split over MPI ranks, over shards
# merged afterwards, or killed and resumed ends with the summary one uninterrupted process
# writes, byte for byte (summary.json less its timing and host fields: seconds, command_line,
# backend); bad splits and foreign journals are refused with exit code 2.
#
#   scale_out_test.sh RELUSIM GRID PART [MPIEXEC]
#
# PART: mpi (needs MPIEXEC; exit 77 = skipped when the build has no MPI), shards, resume, auto
# (a grid of trials = "auto" cells: resume, shards and, with MPIEXEC, ranks).
set -uo pipefail
relusim="$1"
grid="$2"
part="$3"
mpiexec="${4:-}"
work="$(mktemp -d "${TMPDIR:-/tmp}/relusim-scale-out.XXXXXX")"
trap 'rm -rf "$work"' EXIT
failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}
sweep() { "$relusim" sweep "$grid" --batch-trajectories 16 --progress never "$@"; }
json_core() { grep -v -E '^  "(seconds|command_line|backend)":' "$1"; }
# same DIR LABEL: DIR's summary equals the reference, byte for byte.
same() {
  if ! cmp -s "$work/ref/summary.csv" "$1/summary.csv"; then
    fail "$2: summary.csv differs from one process"
    diff "$work/ref/summary.csv" "$1/summary.csv" | head -5
  elif ! diff <(json_core "$work/ref/summary.json") <(json_core "$1/summary.json") >/dev/null; then
    fail "$2: summary.json differs from one process"
  else
    echo "ok: $2"
  fi
}
# refused EXPECTED-TEXT LABEL COMMAND...: the command exits 2 and says EXPECTED-TEXT.
refused() {
  local want="$1" label="$2"
  shift 2
  local err rc
  err="$("$@" 2>&1 >/dev/null)"
  rc=$?
  if [ "$rc" -ne 2 ]; then
    fail "$label: exit $rc, expected 2 ($err)"
  elif ! grep -q -- "$want" <<<"$err"; then
    fail "$label: message lacks '$want': $err"
  else
    echo "ok: $label refused: $(grep -- "$want" <<<"$err" | head -1)"
  fi
}

sweep --out "$work/ref" >/dev/null 2>&1 || { echo "FAIL: the reference sweep"; exit 1; }
batches="$(grep -c . "$work/ref/summary.csv")"
echo "reference: $((batches - 1)) cells"

case "$part" in
  mpi)
    if [ -z "$mpiexec" ]; then
      echo "skipped: this build has no MPI (configure with Open MPI: scripts/setup.sh installs it)"
      # CI builds with MPI: there a skip is a failure.
      [ "${RELUSIM_REQUIRE_MPI:-0}" = 1 ] && exit 1
      exit 77
    fi
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
    for p in 1 2 3; do
      "$mpiexec" -n "$p" "$relusim" sweep "$grid" --batch-trajectories 16 --progress never \
        --out "$work/mpi$p" >/dev/null 2>"$work/mpi$p.err" || { fail "mpiexec -n $p"; cat "$work/mpi$p.err"; continue; }
      same "$work/mpi$p" "mpiexec -n $p"
    done
    # Shards on 2 ranks each, merged; a sweep killed under 3 ranks and resumed on 2.
    for k in 1 2 3; do
      "$mpiexec" -n 2 "$relusim" sweep "$grid" --batch-trajectories 16 --progress never \
        --shard "$k/3" --out "$work/ms$k" >/dev/null 2>&1 || fail "mpiexec -n 2 shard $k/3"
    done
    "$relusim" merge "$work/ms1" "$work/ms2" "$work/ms3" --out "$work/msm" >/dev/null 2>&1 ||
      fail "merge of MPI shards"
    same "$work/msm" "shards 1/3..3/3 on 2 ranks each, merged"
    RELUSIM_TEST_KILL_AFTER_BATCHES=7 "$mpiexec" -n 3 "$relusim" sweep "$grid" \
      --batch-trajectories 16 --progress never --out "$work/mk" >/dev/null 2>&1
    [ -f "$work/mk/summary.csv" ] && fail "a killed MPI sweep wrote a summary"
    "$mpiexec" -n 2 "$relusim" sweep "$grid" --batch-trajectories 16 --progress never \
      --out "$work/mk" --resume >/dev/null 2>&1 || fail "MPI resume"
    same "$work/mk" "killed on 3 ranks after 7 batches, resumed on 2"
    ;;
  shards)
    for k in 1 2 3; do
      sweep --shard "$k/3" --out "$work/s$k" >/dev/null 2>&1 || fail "shard $k/3"
      [ -f "$work/s$k/summary.csv" ] && fail "shard $k/3 wrote a summary of its part"
    done
    "$relusim" merge "$work/s1" "$work/s2" "$work/s3" --out "$work/merged" >/dev/null 2>&1 ||
      fail "merge"
    same "$work/merged" "shards 1/3, 2/3, 3/3 merged"
    "$relusim" merge "$work/s3" "$work/s1" "$work/s2" --out "$work/merged2" >/dev/null 2>&1 ||
      fail "merge in another order"
    same "$work/merged2" "shards merged in another order"
    # One shard of one is a shard too (an array of one task): merged alone, the same summary.
    sweep --shard 1/1 --out "$work/only" >/dev/null 2>&1 || fail "shard 1/1"
    "$relusim" merge "$work/only" --out "$work/only-merged" >/dev/null 2>&1 || fail "merge of 1/1"
    same "$work/only-merged" "shard 1/1 merged alone"
    # The Slurm array's variables stand for --shard k/N (ids counted from the array's minimum).
    SLURM_ARRAY_TASK_ID=4 SLURM_ARRAY_TASK_MIN=3 SLURM_ARRAY_TASK_COUNT=3 \
      sweep --shard --out "$work/slurm2" >/dev/null 2>&1 || fail "shard from Slurm's variables"
    if cmp -s "$work/s2/journal.rsj" "$work/slurm2/journal.rsj"; then
      echo "ok: SLURM_ARRAY_TASK_ID 4 of 3..5 is shard 2/3"
    else
      fail "the Slurm task's journal differs from shard 2/3's"
    fi
    refused "missing shard(s): 2/3" "a missing shard" \
      "$relusim" merge "$work/s1" "$work/s3" --out "$work/x"
    refused "given twice" "a duplicated shard" \
      "$relusim" merge "$work/s1" "$work/s2" "$work/s2" "$work/s3" --out "$work/x"
    sed 's/^eta = .*/eta = 0.04/' "$grid" >"$work/other.toml"
    "$relusim" sweep "$work/other.toml" --batch-trajectories 16 --progress never --shard 2/3 \
      --out "$work/foreign" >/dev/null 2>&1 || fail "foreign shard run"
    refused "every cell, eta: 0.05" "a foreign shard (another eta)" \
      "$relusim" merge "$work/s1" "$work/foreign" "$work/s3" --out "$work/x"
    sweep --shard 2/4 --out "$work/four" >/dev/null 2>&1 || fail "shard 2/4"
    refused "split the sweep differently" "a shard of another split" \
      "$relusim" merge "$work/s1" "$work/four" "$work/s3" --out "$work/x"
    RELUSIM_TEST_KILL_AFTER_BATCHES=2 sweep --shard 2/3 --out "$work/torn" >/dev/null 2>&1
    refused "is incomplete" "an incomplete shard" \
      "$relusim" merge "$work/s1" "$work/torn" "$work/s3" --out "$work/x"
    sweep --shard 2/3 --out "$work/torn" --resume >/dev/null 2>&1 || fail "shard resume"
    "$relusim" merge "$work/s1" "$work/torn" "$work/s3" --out "$work/merged3" >/dev/null 2>&1 ||
      fail "merge after a shard's resume"
    same "$work/merged3" "a shard killed after 2 batches, resumed, merged"
    refused "no journal.rsj" "a directory that is no shard" \
      "$relusim" merge "$work/s1" "$work/ref" "$work/s3" --out "$work/x"
    [ -e "$work/x/summary.csv" ] && fail "a refused merge wrote a summary"
    ;;
  resume)
    # SIGKILL after 0, 1 and many batches; resume; the same summary each time.
    for n in 0 1 25; do
      RELUSIM_TEST_KILL_AFTER_BATCHES=$n sweep --out "$work/k$n" >/dev/null 2>&1
      rc=$?
      [ "$rc" -eq 137 ] || fail "kill after $n batches: exit $rc, expected 137 (SIGKILL)"
      [ -e "$work/k$n/summary.csv" ] && fail "a killed sweep wrote summary.csv"
      refused "add --resume" "running into a journal without --resume" sweep --out "$work/k$n"
      sweep --out "$work/k$n" --resume >/dev/null 2>&1 || fail "resume after $n batches"
      same "$work/k$n" "SIGKILL after $n batches, resumed"
      [ -e "$work/k$n/journal.rsj" ] && fail "the journal outlived the summary"
    done
    # With --trajectories the journal keeps the records: trajectories.csv is whole after a resume.
    sweep --out "$work/tref" --trajectories >/dev/null 2>&1 || fail "reference with --trajectories"
    RELUSIM_TEST_KILL_AFTER_BATCHES=13 sweep --out "$work/tk" --trajectories >/dev/null 2>&1
    sweep --out "$work/tk" --trajectories --resume >/dev/null 2>&1 || fail "resume with --trajectories"
    if cmp -s "$work/tref/trajectories.csv" "$work/tk/trajectories.csv"; then
      echo "ok: trajectories.csv after SIGKILL after 13 batches and resume"
    else
      fail "trajectories.csv differs after a resume"
    fi
    # A write cut off in the middle of the last record (the file truncated inside it), and a
    # last record whose bytes were damaged: detected and the batch redone.
    for how in truncate corrupt; do
      RELUSIM_TEST_KILL_AFTER_BATCHES=9 sweep --out "$work/$how" >/dev/null 2>&1
      size="$(stat -c %s "$work/$how/journal.rsj")"
      if [ "$how" = truncate ]; then
        truncate -s $((size - 11)) "$work/$how/journal.rsj"
      else
        printf '\x5a' | dd of="$work/$how/journal.rsj" bs=1 seek=$((size - 30)) conv=notrunc 2>/dev/null
      fi
      err="$(sweep --out "$work/$how" --resume 2>&1 >/dev/null)" || fail "resume after $how"
      grep -q "run again" <<<"$err" || fail "$how: the damaged record went unreported: $err"
      grep -q "resuming: 8 batch" <<<"$err" || fail "$how: expected 8 whole batches: $err"
      same "$work/$how" "last journal record: $how, resumed"
    done
    # SIGTERM: the batch in flight finishes, the journal is flushed, exit 143 and the resume
    # command is printed; running it finishes the sweep.
    err="$(RELUSIM_TEST_TERM_AFTER_BATCHES=5 sweep --out "$work/term" 2>&1 >/dev/null)"
    rc=$?
    [ "$rc" -eq 143 ] || fail "SIGTERM: exit $rc, expected 143"
    grep -q -- "--resume" <<<"$err" || fail "SIGTERM: no resume command printed: $err"
    resume_cmd="$(grep -A1 "resume with" <<<"$err" | tail -1)"
    RELUSIM_TEST_TERM_AFTER_BATCHES= eval "$resume_cmd" >/dev/null 2>&1 || fail "the printed resume command"
    same "$work/term" "SIGTERM after 5 batches, resumed with the printed command"
    # A changed configuration is refused, naming what differs.
    RELUSIM_TEST_KILL_AFTER_BATCHES=3 sweep --out "$work/changed" >/dev/null 2>&1
    sed 's/^steps = .*/steps = 2999/' "$grid" >"$work/changed.toml"
    refused "every cell, steps: 2999 in this run, 3000 in the journal" "resume with other steps" \
      "$relusim" sweep "$work/changed.toml" --batch-trajectories 16 --progress never \
      --out "$work/changed" --resume
    refused "batch_trajectories: 17 in this run, 16 in the journal" "resume with another batch size" \
      "$relusim" sweep "$grid" --batch-trajectories 17 --progress never --out "$work/changed" --resume
    refused "keeps_trajectory_records" "resume asking for trajectories.csv" \
      sweep --out "$work/changed" --resume --trajectories
    printf 'not a journal' >"$work/changed/journal.rsj"
    refused "not a relusim journal" "resume from a file that is no journal" \
      sweep --out "$work/changed" --resume
    ;;
  auto)
    # A grid of trials = "auto" cells (tests/data/auto.toml): the stopping rule sees whole steps
    # in plan order, so ranks, shards and kill -9 + resume stop each cell at the same step.
    grep -q 'trials = "auto"' "$grid" || { echo "FAIL: $grid has no trials = \"auto\""; exit 1; }
    grep -q ',auto,' "$work/ref/summary.csv" || fail "the reference is not an auto sweep"
    tail -n +2 "$work/ref/summary.csv" | grep -q -v ',max_trials,' || fail "every cell ran to max_trials"
    for n in 0 3; do
      RELUSIM_TEST_KILL_AFTER_BATCHES=$n sweep --out "$work/ak$n" >/dev/null 2>&1
      [ -e "$work/ak$n/summary.csv" ] && fail "a killed auto sweep wrote summary.csv"
      sweep --out "$work/ak$n" --resume >/dev/null 2>&1 || fail "auto resume after $n batches"
      same "$work/ak$n" "auto: SIGKILL after $n batches, resumed"
    done
    for k in 1 2; do
      sweep --shard "$k/2" --out "$work/as$k" >/dev/null 2>&1 || fail "auto shard $k/2"
    done
    "$relusim" merge "$work/as1" "$work/as2" --out "$work/asm" >/dev/null 2>&1 || fail "auto merge"
    same "$work/asm" "auto: shards 1/2, 2/2 merged"
    if [ -n "$mpiexec" ]; then
      export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
      for p in 2 4; do
        "$mpiexec" -n "$p" "$relusim" sweep "$grid" --batch-trajectories 16 --progress never \
          --out "$work/ampi$p" >/dev/null 2>"$work/ampi$p.err" || { fail "auto mpiexec -n $p"; cat "$work/ampi$p.err"; continue; }
        same "$work/ampi$p" "auto: mpiexec -n $p"
      done
      RELUSIM_TEST_KILL_AFTER_BATCHES=4 "$mpiexec" -n 3 "$relusim" sweep "$grid" \
        --batch-trajectories 16 --progress never --out "$work/amk" >/dev/null 2>&1
      "$mpiexec" -n 2 "$relusim" sweep "$grid" --batch-trajectories 16 --progress never \
        --out "$work/amk" --resume >/dev/null 2>&1 || fail "auto MPI resume"
      same "$work/amk" "auto: killed on 3 ranks after 4 batches, resumed on 2"
    elif [ "${RELUSIM_REQUIRE_MPI:-0}" = 1 ]; then
      fail "this build has no MPI"
    else
      echo "note: no MPI in this build: the ranks part of the auto test did not run"
    fi
    ;;
  *)
    echo "unknown part $part"
    exit 2
    ;;
esac
if [ "$failures" -ne 0 ]; then
  echo "$failures failure(s)"
  exit 1
fi
echo "all passed"
