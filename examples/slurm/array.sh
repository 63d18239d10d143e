#!/bin/bash
# A sweep split into the tasks of a Slurm job array, one shard per task, merged at the end.
#
#   sbatch examples/slurm/array.sh                      # the Kong grid in 8 shards
#   SWEEP=my.toml SHARDS=32 sbatch --array=1-32 examples/slurm/array.sh
#
# Each task runs `relusim sweep FILE --shard` (k and N from SLURM_ARRAY_TASK_ID and
# SLURM_ARRAY_TASK_COUNT) into its own directory. A task killed at its wall-time limit, or
# requeued, continues where it stopped (--resume; a fresh directory simply starts). When every
# task is done, a dependent job merges the shards into the summary one process would have
# written (docs/scale-out.md):
#
#   sbatch --dependency=afterok:<array job id> --wrap \
#     "relusim merge out/kong/shard-* --out out/kong/merged"
#
# The array must be 1..N or 0..N-1 without steps (--array=1-8, not 1-15:2): relusim counts the
# task from SLURM_ARRAY_TASK_MIN.
#SBATCH --job-name=relusim-shards
#SBATCH --array=1-8
#SBATCH --ntasks=1
#SBATCH --cpus-per-task=16
#SBATCH --time=02:00:00
#SBATCH --requeue
#SBATCH --output=relusim-%A_%a.log
## For the CUDA backend, ask for one GPU per task instead (and --backend cuda below):
##SBATCH --gres=gpu:1
set -euo pipefail
RELUSIM="${RELUSIM:-build/relusim}"
SWEEP="${SWEEP:-examples/kong-table1.toml}"
OUT="${OUT:-out/$(basename "$SWEEP" .toml)}"
dir="$OUT/shard-$SLURM_ARRAY_TASK_ID"
mkdir -p "$dir"
# --resume continues a journal left by an earlier attempt of this task and starts afresh when
# there is none; --threads uses the CPUs Slurm gave the task.
exec "$RELUSIM" sweep "$SWEEP" --shard --out "$dir" --resume \
  --threads "${SLURM_CPUS_PER_TASK:-0}" --backend "${BACKEND:-auto}" --progress never
