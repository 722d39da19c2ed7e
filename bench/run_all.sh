#!/usr/bin/env bash
# BENCHMARKS.md in one sitting on one machine (run by hand, on a quiet machine; ≈ 10 minutes):
# ours, every peer of bench/peers.py that is installed, the old PyTorch reference, the limit
# (examples/limit.rs), and the window's frame times and training speed, then one markdown table.
#   bash bench/run_all.sh                       # PYTHON=/path/to/venv/bin/python to pick Python
# Peers: pip install torch snntorch norse jax optax spyx (any subset; a missing one is skipped).
set -uo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/surrogate-lab/target}"
PY="${PYTHON:-python3}"
cargo build --release --features ndarray --bins --example bench --example limit || exit 1
bench="$CARGO_TARGET_DIR/release/examples/bench"
lab="$CARGO_TARGET_DIR/release/surrogate-lab"
results="$(mktemp)"
trap 'rm -f "$results"' EXIT

echo "== machine"
echo "$(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(free -g | awk '/Mem:/ {print $2}') GiB"
uname -sr; uptime; rustc --version
"$PY" - <<'EOF' 2>/dev/null || echo "python: $PY not usable"
import importlib, sys
print("python", sys.version.split()[0])
for m in ["torch", "jax", "optax", "spyx", "flax", "snntorch", "norse"]:
    try:
        print(f"  {m} {importlib.import_module(m).__version__}")
    except Exception:
        print(f"  {m}: not installed")
EOF

# One line per measurement into $results: name<TAB>config<TAB>samples/s<TAB>MiB<TAB>compile s.
ours() { # label, bench args...
  local label="$1"; shift
  for cfg in randman shd; do
    local line
    line="$("$bench" "$cfg" "$@")" || { echo "$label $cfg failed"; continue; }
    echo "$line"
    awk -v l="$label" -v c="$cfg" '{for (i = 1; i <= NF; i++) { if ($(i+1) == "training") r = $i;
      if ($i == "RSS") m = $(i+1) } } END { printf "%s\t%s\t%s\t%s\t\n", l, c, r, m }' \
      <<<"$line" >>"$results"
  done
}
echo "== surrogate-lab (2 threads: RAYON_NUM_THREADS=2)"
export RAYON_NUM_THREADS=2
ours "**surrogate-lab, flex, fused (default)**" --backend flex
ours "surrogate-lab, ndarray, fused" --backend ndarray
ours "surrogate-lab, flex, per-step graph" --backend flex --per-step

echo "== peers (2 threads each)"
declare -A needs=([torch-eager]=torch [torch-compile]=torch [jax]="jax, optax"
  [spyx]="spyx, optax" [snntorch]=snntorch [norse]=norse)
declare -A label=([torch-eager]="PyTorch eager (expert)" [torch-compile]="PyTorch torch.compile"
  [jax]="JAX jit + lax.scan, custom_vjp" [spyx]="Spyx (JAX, flax.nnx)" [snntorch]="snnTorch"
  [norse]="Norse")
for peer in torch-eager torch-compile jax spyx snntorch norse; do
  if ! "$PY" -c "import ${needs[$peer]}" 2>/dev/null; then
    echo "skip $peer: python module ${needs[$peer]} not installed"
    continue
  fi
  for cfg in randman shd; do
    out="$(timeout 600 "$PY" bench/peers.py "$peer" "$cfg" 2>&1)"
    line="$(grep '^RESULT' <<<"$out")"
    if [[ -z $line ]]; then echo "$peer $cfg failed: $(tail -1 <<<"$out")"; continue; fi
    echo "$line"
    compile=""
    [[ $peer == torch-compile || $peer == jax || $peer == spyx ]] && compile="$(cut -f6 <<<"$line")"
    printf '%s\t%s\t%s\t%s\t%s\n' "${label[$peer]}" "$cfg" "$(cut -f4 <<<"$line")" \
      "$(cut -f5 <<<"$line")" "$compile" >>"$results"
  done
done
if "$PY" -c "import torch" 2>/dev/null; then
  for cfg in randman shd; do
    line="$("$PY" bench/torch_reference.py "$cfg")" || continue
    echo "$line"
    awk -v c="$cfg" '{for (i = 1; i <= NF; i++) { if ($(i+1) == "training") r = $i;
      if ($i == "RSS") m = $(i+1) } } END { printf "PyTorch eager, bench/torch_reference.py\t%s\t%s\t%s\t\n", c, r, m }' \
      <<<"$line" >>"$results"
  done
fi

echo "== table (× = samples/s over the fastest peer's)"
awk -F'\t' '
  { key = $1; if (!(key in seen)) { seen[key] = 1; order[++n] = key }
    rate[key, $2] = $3; mem[key, $2] = $4; if ($5 != "") comp[key] = comp[key] " " $2 " " $5 " s"
    if ($1 !~ /surrogate-lab/ && $1 !~ /torch_reference/ && $3 > best[$2]) best[$2] = $3 }
  function cell(k, c) { return (k, c) in rate ? sprintf("%d", rate[k, c]) : "—" }
  function ratio(k, c) { return ((k, c) in rate && best[c] > 0) ? sprintf("%.2f×", rate[k, c] / best[c]) : "" }
  function mib(k, c) { return (k, c) in mem ? sprintf("%d", mem[k, c]) : "—" }
  END {
    print "| implementation | Randman samples/s | × fastest peer | SHD-sized samples/s | × fastest peer | peak RSS MiB (Randman / SHD) | compile (warm-up) |"
    print "| --- | ---: | ---: | ---: | ---: | ---: | --- |"
    for (i = 1; i <= n; i++) { k = order[i]
      printf "| %s | %s | %s | %s | %s | %s / %s | %s |\n", k, cell(k, "randman"), ratio(k, "randman"),
        cell(k, "shd"), ratio(k, "shd"), mib(k, "randman"), mib(k, "shd"), comp[k] }
  }' "$results"
ours_r="$(awk -F'\t' 'NR == 1 && $2 == "randman" {print $3}' "$results")"
ours_s="$(awk -F'\t' 'NR == 2 && $2 == "shd" {print $3}' "$results")"

echo "== the limit (examples/limit.rs: gemm and triad probes on 2 threads, work per batch)"
"$CARGO_TARGET_DIR/release/examples/limit" --randman "${ours_r:-0}" --shd "${ours_s:-0}"

echo "== the window while training (Xvfb, default Randman), against the command line"
"$lab" train --epochs 2 | grep -E '^epoch' || true
if command -v xvfb-run >/dev/null; then
  xvfb-run -a -s "-screen 0 1920x1080x24" "$lab" \
    --screenshot /tmp/surrogate-lab-bench.png --train-secs 20 --frame-stats 2>&1 |
    grep -E 'drawn by|frame times|training while drawn' || true
else
  echo "skip the window: xvfb-run not installed"
fi
