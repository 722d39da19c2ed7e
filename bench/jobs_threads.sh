#!/usr/bin/env bash
# Studies at full use of the machine (BENCHMARKS.md "Studies: jobs × threads"): the same
# paper-size sweep run as one job on the shared pool, two jobs sharing it, and two jobs on a
# one-thread pool each, interleaved REPEATS times; prints the wall time of each whole sweep.
# Run by hand on a quiet machine:  bash bench/jobs_threads.sh [EPOCHS] [REPEATS]
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/surrogate-lab/target}"
epochs="${1:-5}"
repeats="${2:-3}"
cargo build --release --features ndarray --bins >/dev/null
lab="$CARGO_TARGET_DIR/release/surrogate-lab"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
uptime
# Four points of the shape study's grid at the paper's size (Randman 1,000 per class,
# batch 250: the program's defaults), without the stopping rule so every run is the same length.
grid=(--grid surrogate.beta=3,10 --grid optim.lr=0.003,0.03 --epochs "$epochs")
for r in $(seq 1 "$repeats"); do
  for setup in "1 shared" "2 shared" "2 1"; do
    set -- $setup
    jobs=$1; threads=$2
    extra=(); [ "$threads" != shared ] && extra=(--threads "$threads")
    out="$scratch/$r-$jobs-$threads.csv"
    start=$(date +%s.%N)
    RAYON_NUM_THREADS=2 "$lab" sweep "${grid[@]}" --jobs "$jobs" "${extra[@]}" --out "$out" \
      --quiet >/dev/null 2>&1
    end=$(date +%s.%N)
    printf 'repeat %s  jobs %s  threads %-6s  %6.1f s\n' "$r" "$jobs" "$threads" \
      "$(echo "$end - $start" | bc)"
  done
done
