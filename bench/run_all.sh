#!/usr/bin/env bash
# Every figure of BENCHMARKS.md in one sitting on one machine (run by hand, on a quiet machine):
# ours on each backend and path, the PyTorch reference, and the window's frame times.
#   bash bench/run_all.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/surrogate-lab/target}"
cargo build --release --features ndarray --bins --example bench
bench="$CARGO_TARGET_DIR/release/examples/bench"
echo "== machine"; nproc; lscpu | grep -m1 'Model name' || true; uptime
echo "== surrogate-lab"
"$bench" --backend flex
"$bench" --backend ndarray
"$bench" --backend flex --per-step
"$bench" --backend ndarray --per-step
if "$CARGO_TARGET_DIR/release/surrogate-lab" train --backend wgpu --epochs 0 >/dev/null 2>&1; then
  # wgpu runs per step; on lavapipe (no GPU) it is for correctness, so few batches.
  "$bench" --backend wgpu --batches 2
fi
echo "== PyTorch reference"
if python3 -c "import torch" 2>/dev/null; then
  python3 bench/torch_reference.py
  TORCH_THREADS=1 python3 bench/torch_reference.py
else
  echo "torch not installed: pip install torch"
fi
echo "== window frame times while training (under Xvfb)"
if command -v xvfb-run >/dev/null; then
  xvfb-run -a -s "-screen 0 1920x1080x24" "$CARGO_TARGET_DIR/release/surrogate-lab" \
    --screenshot /tmp/surrogate-lab-bench.png --train-secs 20 --frame-stats
fi
