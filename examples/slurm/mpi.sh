#!/bin/bash
# A sweep over MPI ranks: one rank per GPU (or per group of cores), results reduced on rank 0
# into the summary one process would have written, byte for byte (docs/scale-out.md).
#
#   sbatch examples/slurm/mpi.sh
#   SWEEP=my.toml sbatch --nodes=4 examples/slurm/mpi.sh
#
# relusim must be built with MPI (scripts/setup.sh installs Open MPI; CMake finds it). A rank
# uses GPU (local rank mod GPUs on its node); on CPUs the cores of a node are shared among its
# ranks. The journal in --out makes the job resumable: when the wall-time limit stops it,
# submit it again with the same command (--resume continues; a fresh directory simply starts).
#SBATCH --job-name=relusim-mpi
#SBATCH --nodes=2
#SBATCH --ntasks-per-node=4
#SBATCH --cpus-per-task=4
#SBATCH --time=04:00:00
#SBATCH --output=relusim-mpi-%j.log
## One rank per GPU on GPU nodes:
##SBATCH --gres=gpu:4
set -euo pipefail
RELUSIM="${RELUSIM:-build/relusim}"
SWEEP="${SWEEP:-examples/kong-table1.toml}"
OUT="${OUT:-out/$(basename "$SWEEP" .toml)-mpi}"
mkdir -p "$OUT"
# SIGTERM (scancel, or the wall-time limit's warning) lets every rank finish its batch in flight;
# rank 0 flushes the journal and prints the command that resumes.
mpirun -n "$SLURM_NTASKS" "$RELUSIM" sweep "$SWEEP" --out "$OUT" --resume \
  --threads "${SLURM_CPUS_PER_TASK:-0}" --backend "${BACKEND:-auto}" --progress never
