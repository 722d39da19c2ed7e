#!/bin/bash
# A sweep spread over a SLURM job array: each array task runs every N-th grid point (its
# shard) into its own CSV; a last job joins them. Submit from a folder holding experiment.toml:
#
#   jid=$(sbatch --parsable examples/sweep_slurm.sh)
#   sbatch --dependency=afterok:$jid --wrap \
#       "surrogate-lab sweep-merge results/shard_*.csv --out results/all.csv"
#
# A task that is cut off (time limit, preemption) resumes where it stopped when run again: rows
# already in its CSV are skipped. Any batch system works the same way: give task K of N
# `--shard K/N` and its own `--out`.
#
#SBATCH --job-name=surrogate-sweep
#SBATCH --array=0-7
#SBATCH --cpus-per-task=4
#SBATCH --time=04:00:00
#SBATCH --requeue
#SBATCH --output=results/sweep_%A_%a.log
set -euo pipefail

K=${SLURM_ARRAY_TASK_ID:?submit with sbatch as a job array}
N=${SLURM_ARRAY_TASK_COUNT:-$((SLURM_ARRAY_TASK_MAX - SLURM_ARRAY_TASK_MIN + 1))}
BIN=${SURROGATE_LAB:-surrogate-lab}

# The fused CPU op and burn's CPU backend share one rayon pool; how many threads it has sets
# the order of floating-point sums. Fix it, so that every machine (and a rerun) gives the same
# rows as an unsharded run with the same setting.
export RAYON_NUM_THREADS=${SLURM_CPUS_PER_TASK:-4}

mkdir -p results
"$BIN" sweep --config experiment.toml \
    --grid surrogate.shape=super_spike,sigmoid,esser \
    --grid surrogate.beta=0.1,1,3,10,30,100,1000 \
    --grid optim.lr=0.002,0.005,0.02 \
    --seeds 5 \
    --shard "$K/$N" \
    --out "results/shard_$K.csv"
