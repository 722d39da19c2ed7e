#!/usr/bin/env bash
# The long-run memory check of RELIABILITY.md: the real window, under Xvfb, trains EPOCHS
# epochs (`--screenshot` mode logs each epoch on stderr); the window's resident memory (VmRSS)
# is read as each epoch is logged and printed as `epoch,vmrss_kib`. Stops after the last epoch.
#
#   scripts/memcheck.sh BINARY [EPOCHS] [-- more window flags]
#
# The default data are small enough for 200 epochs in well under an hour on one core, with
# enough batches (about 25,000) that the loss curve is halved twice (history::MAX_STORED).
set -euo pipefail

bin=${1:?usage: scripts/memcheck.sh BINARY [EPOCHS] [-- window flags]}
epochs=${2:-200}
shift $(( $# >= 2 ? 2 : 1 ))
[[ ${1:-} == -- ]] && shift

work=$(mktemp -d)
display=":$(( 200 + RANDOM % 500 ))"
Xvfb "$display" -screen 0 1920x1080x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
xvfb=$!
window=
cleanup() {
  [[ -n $window ]] && kill "$window" 2>/dev/null || true
  kill "$xvfb" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
sleep 2

DISPLAY=$display "$bin" --screenshot "$work/window.png" --train-secs 86400 \
  --set "optim.epochs=$epochs" \
  --set data.randman.samples_per_class=250 \
  --set optim.batch_size=16 \
  "$@" 2>"$work/window.log" &
window=$!

started=$(date +%s)
seen=0
echo "epoch,vmrss_kib,seconds"
while kill -0 "$window" 2>/dev/null; do
  last=$(grep -o '^epoch [0-9]*' "$work/window.log" | tail -n 1 | cut -d' ' -f2 || true)
  if [[ -n $last && $last != "$seen" ]]; then
    rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$window/status")
    echo "$last,$rss,$(( $(date +%s) - started ))"
    seen=$last
    (( last >= epochs )) && break
  fi
  sleep 0.5
done
if (( seen < epochs )); then
  echo "the window stopped at epoch $seen:" >&2
  cat "$work/window.log" >&2
  exit 1
fi
