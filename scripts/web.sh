#!/usr/bin/env bash
# The web build: `scripts/web.sh build` writes a static site to dist/ (index.html, the .wasm,
# its JS glue, the service worker that keeps it offline); `scripts/web.sh serve [PORT]` builds
# it and serves dist/ on http://localhost:PORT (8080).
#
# Two toolchains work, found in this order (WEB_ROUTE=rustup|debian picks one):
# - rustup with the wasm32 target (`rustup target add wasm32-unknown-unknown`): stable cargo;
# - Debian 12's rustc-web, cargo-web, rust-web-src and lld-22 (apt): that rustc ships no
#   wasm32 standard library, so cargo builds it from rust-web-src (-Zbuild-std, allowed on a
#   stable compiler by RUSTC_BOOTSTRAP) and links with lld-22's wasm-ld.
# The wasm-bindgen CLI must be the version of the wasm-bindgen crate in Cargo.lock; it is
# installed (cargo install) under ~/.cache/surrogate-lab/bin when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

cache="$HOME/.cache/surrogate-lab"
# The native build's (README, .ci/run): its binary evaluates the weights the page downloads.
native_target="${CARGO_TARGET_DIR:-$cache/target}"
export CARGO_TARGET_DIR="${WEB_TARGET_DIR:-$cache/target-web}"
dist="${WEB_DIST:-dist}"
target=wasm32-unknown-unknown
# The page trains on flex, which ran Randman 1.4x faster there than ndarray (BENCHMARKS.md,
# "In the page"); WEB_FEATURES=ndarray adds ndarray to the backend menu (and 8 MB, minutes of
# build). It draws with WebGPU where the browser has it, else WebGL.
features="${WEB_FEATURES-}"

die() { echo "web.sh: $*" >&2; exit 1; }

bindgen_version=$(awk '$0 == "name = \"wasm-bindgen\"" {getline; sub(/^version = /, ""); gsub(/"/, ""); print}' Cargo.lock)
[ -n "$bindgen_version" ] || die "no wasm-bindgen in Cargo.lock"

pick_route() {
  if [ -n "${WEB_ROUTE:-}" ]; then echo "$WEB_ROUTE"; return; fi
  if command -v rustup >/dev/null 2>&1 \
     && rustup target list --installed 2>/dev/null | grep -qx "$target"; then
    echo rustup
  elif [ -x /usr/bin/rustc ] && [ -x /usr/bin/cargo ] && command -v wasm-ld-22 >/dev/null 2>&1; then
    echo debian
  else
    die "no toolchain for $target: run \`rustup target add $target\`, or on Debian 12 \`apt-get install rustc-web cargo-web rust-web-src lld-22\`"
  fi
}

build() {
  local route cargo
  route=$(pick_route)
  # SIMD128 runs in every current browser (Chrome 91, Firefox 89, Safari 16.4) and speeds up
  # the CPU backends' loops.
  export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-C target-feature=+simd128 ${WEB_RUSTFLAGS:-}"
  local args=(build --profile web --target "$target" --bin surrogate-lab --locked)
  if [ -n "$features" ]; then args+=(--features "$features"); fi
  case "$route" in
    rustup)
      cargo=cargo
      ;;
    debian)
      cargo=/usr/bin/cargo
      export RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1
      export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=wasm-ld-22
      local src
      src="$(/usr/bin/rustc --print sysroot)/lib/rustlib/src/rust"
      if [ ! -d "$src/library" ]; then
        # rust-web-src installs the sources under /usr/src/rustc-VERSION; build-std looks in
        # the sysroot.
        local found
        found=$(ls -d /usr/src/rustc-*/library 2>/dev/null | sort -V | tail -n 1)
        [ -n "$found" ] || die "no Rust standard library sources: apt-get install rust-web-src"
        mkdir -p "$(dirname "$src")" && ln -sfn "$(dirname "$found")" "$src" \
          || die "cannot link $src to $(dirname "$found") (run once as root)"
      fi
      args+=(-Zbuild-std=std,panic_abort)
      ;;
    *) die "WEB_ROUTE must be rustup or debian, not $route" ;;
  esac
  echo "web.sh: building with the $route toolchain into $CARGO_TARGET_DIR" >&2
  # WEB_DRY_RUN=1 names the route and the build command and stops (tests/runs/cli.rs checks the
  # route choice on a machine whose rustup has no wasm32 target).
  if [ -n "${WEB_DRY_RUN:-}" ]; then
    echo "route $route: $cargo ${args[*]}"
    return
  fi
  "$cargo" "${args[@]}"

  local bindgen="$cache/bin/bin/wasm-bindgen"
  if ! [ -x "$bindgen" ] || ! "$bindgen" --version | grep -qF " $bindgen_version"; then
    echo "web.sh: installing wasm-bindgen-cli $bindgen_version into $cache/bin" >&2
    local installer=cargo
    command -v cargo >/dev/null 2>&1 || installer=/usr/bin/cargo
    # Its own target dir, so the web build's is not rebuilt for the host.
    CARGO_TARGET_DIR="$cache/target-bindgen" RUSTFLAGS= \
      "$installer" install wasm-bindgen-cli --version "$bindgen_version" --root "$cache/bin"
  fi

  rm -rf "$dist"
  mkdir -p "$dist"
  # The names section (function names for stack traces) is a third of the file.
  "$bindgen" --target web --no-typescript --remove-name-section --remove-producers-section --out-dir "$dist" --out-name surrogate_lab \
    "$CARGO_TARGET_DIR/$target/web/surrogate-lab.wasm"
  cp web/index.html web/sw.js web/manifest.json "$dist/"
  # The service worker's cache name changes with the build, so a new build replaces the old.
  local stamp
  stamp=$(cat "$dist"/surrogate_lab_bg.wasm "$dist"/surrogate_lab.js "$dist"/index.html | sha256sum | cut -c1-16)
  sed -i "s/@BUILD@/$stamp/" "$dist/sw.js"
  local size gz
  size=$(stat -c %s "$dist/surrogate_lab_bg.wasm")
  gz=$(cat "$dist"/* | gzip -9 | wc -c)
  echo "web.sh: $dist/ ready: wasm $((size / 1024)) KiB, whole site $((gz / 1024)) KiB gzipped" >&2
}

serve() {
  local port="${1:-8080}"
  [ -f "$dist/index.html" ] || die "no $dist/index.html: run \`scripts/web.sh build\` first"
  echo "web.sh: serving $dist/ on http://localhost:$port/" >&2
  exec python3 -m http.server "$port" --bind 127.0.0.1 --directory "$dist"
}

# Builds the site, serves it, and drives it in Debian's headless Chromium (scripts/web_test.py):
# loads without a console error, trains on a click of ▶, takes β live, pauses and resumes,
# downloads weights (checked by the native `eval`) and a PNG, copies and opens links. The screenshot
# taken mid-training goes to screenshots/web.png (WEB_SCREENSHOT).
browser_test() {
  command -v chromedriver >/dev/null 2>&1 && [ -x /usr/bin/chromium ] \
    || die "the browser test needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)"
  local port=${WEB_PORT:-8765} driver_port=${WEB_DRIVER_PORT:-9515}
  local shot=${WEB_SCREENSHOT:-screenshots/web.png}
  local evaluator=${WEB_EVAL:-$native_target/release/surrogate-lab}
  [ -x "$evaluator" ] || die "the browser test checks the page's weights with the native binary, \
not found at $evaluator: build it (cargo build --release --features ndarray) or set WEB_EVAL"
  local logs
  logs=$(mktemp -d)
  python3 -m http.server "$port" --bind 127.0.0.1 --directory "$dist" >"$logs/http.log" 2>&1 &
  local http=$!
  chromedriver --port="$driver_port" >"$logs/chromedriver.log" 2>&1 &
  local driver=$!
  # shellcheck disable=SC2064
  trap "kill $http $driver 2>/dev/null; rm -rf '$logs'" EXIT
  local i
  for i in $(seq 50); do
    curl -sf "http://127.0.0.1:$driver_port/status" >/dev/null 2>&1 \
      && curl -sf "http://127.0.0.1:$port/index.html" >/dev/null 2>&1 && break
    sleep 0.2
  done
  python3 scripts/web_test.py "http://127.0.0.1:$port/index.html" "$shot" \
    --driver "http://127.0.0.1:$driver_port" --eval "$evaluator"
}

case "${1:-}" in
  build) build ;;
  serve) shift; [ -f "$dist/index.html" ] || build; serve "$@" ;;
  test) build; browser_test ;;
  *) die "usage: scripts/web.sh build | serve [PORT] | test" ;;
esac
