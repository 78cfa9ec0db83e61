#!/usr/bin/env bash
# Builds, tests and demonstrates Rapport from a fresh clone.
#
#   ./build.sh          install what is missing, build the extension into dist/
#   ./build.sh test     build, then every check CI runs (fmt, clippy, native tests,
#                       wasm tests in headless Chromium, JS lint, browser end-to-end)
#   ./build.sh demo     build, then show a warning on the bundled demo compose box
#   ./build.sh bench    build, then run the benchmarks
#   ./build.sh fuzz [SECONDS [TARGET...]]  fuzz every parser and the engine (300 s each)
#   ./build.sh lint [DIR...]  only the markup-sink/eval lint (default: extension/ src/web/)
#
# Idempotent: every step checks first and only installs or rebuilds what is missing.
# Honours CARGO_TARGET_DIR.
set -euo pipefail

cd "$(dirname "$0")"
ROOT=$(pwd)
DIST="$ROOT/dist"
WASM_TARGET=wasm32-unknown-unknown

say() { printf '\n==> %s\n' "$*"; }
die() { printf 'build.sh: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

package_version() {
  sed -n 's/^version *= *"\([^"]*\)".*/\1/p' Cargo.toml | head -n1
}

# The wasm-bindgen crate is pinned with `=`; the CLI must be exactly that version or
# the generated glue and the wasm disagree at load time.
pinned_wasm_bindgen() {
  sed -n 's/^wasm-bindgen *= *"=\([0-9][^"]*\)".*/\1/p' Cargo.toml | head -n1
}

target_dir() {
  cargo metadata --format-version 1 --no-deps \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])'
}

ensure_toolchain() {
  command -v cargo >/dev/null || die "cargo is not installed: install Rust from https://rustup.rs first"
  command -v python3 >/dev/null || die "python3 is required (used to read cargo metadata and zip dist/)"

  if ! rustup target list --installed 2>/dev/null | grep -qx "$WASM_TARGET"; then
    say "Adding the $WASM_TARGET Rust target"
    rustup target add "$WASM_TARGET"
  fi
  if ! rustup component list --installed 2>/dev/null | grep -q '^clippy'; then
    say "Adding clippy"; rustup component add clippy
  fi
  if ! rustup component list --installed 2>/dev/null | grep -q '^rustfmt'; then
    say "Adding rustfmt"; rustup component add rustfmt
  fi

  local want have
  want=$(pinned_wasm_bindgen)
  [ -n "$want" ] || die "Cargo.toml must pin wasm-bindgen with \"=X.Y.Z\""
  have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
  if [ "$have" != "$want" ]; then
    say "Installing wasm-bindgen-cli $want (found: ${have:-none}); takes a few minutes"
    # Without --locked: a yanked transitive dependency once broke the locked install.
    cargo install wasm-bindgen-cli --version "$want" --force
  fi

  local missing=()
  command -v chromium >/dev/null || missing+=(chromium)
  command -v chromedriver >/dev/null || missing+=(chromium-driver)
  command -v wasm-opt >/dev/null || missing+=(binaryen)
  command -v node >/dev/null || missing+=(nodejs)
  command -v npm >/dev/null || missing+=(npm)
  if [ ${#missing[@]} -gt 0 ]; then
    say "Installing Debian packages: ${missing[*]}"
    as_root apt-get update
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
  fi

  # node_modules is stale when the lockfile changed since the last `npm ci`.
  local lock_sum stamp="node_modules/.rapport-lock-sha256"
  lock_sum=$(sha256sum package-lock.json | awk '{print $1}')
  if [ ! -d node_modules ] || [ "$(cat "$stamp" 2>/dev/null)" != "$lock_sum" ]; then
    say "Installing test tools with npm ci"
    npm ci --no-audit --no-fund
    echo "$lock_sum" >"$stamp"
  fi
}

# Debian's wasm-opt 108 predates features rustc now emits by default; enabling them
# lets it read the module and keep those instructions as they are.
WASM_OPT_FEATURES=(--enable-bulk-memory --enable-nontrapping-float-to-int
  --enable-sign-ext --enable-mutable-globals --enable-reference-types)

# The extension ships two wasm modules built from the one crate with Cargo features
# (see Cargo.toml): `worker` for the background service worker (engine, IndexedDB
# store, protocol) and `pages` for the popup and options pages (their UI and the
# importers). Neither context loads code it never runs, and the worker, which starts
# again after every idle stop, instantiates only the smaller engine half.
WASM_MODULES=(worker pages)

# Gzipped bytes each module may weigh: the product target (issue 9, 400 KB). Measured
# on 2026-11-23: worker 372,172 bytes (363 KB), pages 394,111 bytes (385 KB).
WASM_GZ_BUDGET=409600

sizes() {
  local f
  for f in "$@"; do
    printf '  %-40s %9s bytes raw %9s bytes gzipped\n' "${f#"$ROOT"/}" \
      "$(stat -c %s "$f")" "$(gzip -9c "$f" | wc -c)"
  done
}

build() {
  ensure_toolchain
  local target version wasm
  target=$(target_dir)
  version=$(package_version)

  say "Assembling $DIST"
  rm -rf "$DIST"
  mkdir -p "$DIST/pkg"
  local module
  for module in "${WASM_MODULES[@]}"; do
    say "Building the $module wasm module (release, size-tuned) in $target"
    cargo build --lib --release --target "$WASM_TARGET" --no-default-features --features "$module"
    wasm="$target/$WASM_TARGET/release/rapport.wasm"
    # wasm-opt runs BEFORE wasm-bindgen: binaryen 108 rewrites the externref table
    # wasm-bindgen adds, and the result fails at load ("WebAssembly.Table.set():
    # Argument 1 is invalid for table"). Optimizing rustc's output keeps 98% of the gain.
    # Its warning about the missing target_features section (strip = true) is expected.
    say "Shrinking the $module module with wasm-opt -Oz, then generating its JS glue"
    wasm-opt -Oz "${WASM_OPT_FEATURES[@]}" "$wasm" -o "$target/rapport-$module.opt.wasm"
    wasm-bindgen --target web --no-typescript --out-name "$module" --out-dir "$DIST/pkg" \
      "$target/rapport-$module.opt.wasm"
  done
  cp manifest.json "$DIST/"
  # Everything under extension/ sits at the root of the package, next to pkg/.
  cp -R extension/. "$DIST/"

  local zip="$DIST/rapport-$version.zip"
  python3 - "$DIST" "$zip" <<'EOF'
import os, sys, zipfile
dist, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
    for base, dirs, files in os.walk(dist):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(base, name)
            if os.path.abspath(path) != os.path.abspath(out):
                z.write(path, os.path.relpath(path, dist))
EOF

  say "Artifacts"
  sizes "$DIST"/pkg/*.wasm "$DIST"/pkg/*.js "$DIST/background.js" "$zip"
  local zip_bytes wasm_gz f
  zip_bytes=$(stat -c %s "$zip")
  [ "$zip_bytes" -lt 1048576 ] || die "the zipped extension is $zip_bytes bytes; it must stay under 1 MB"
  for f in "$DIST"/pkg/*.wasm; do
    wasm_gz=$(gzip -9c "$f" | wc -c)
    [ "$wasm_gz" -le "$WASM_GZ_BUDGET" ] \
      || die "${f#"$ROOT"/} is $wasm_gz bytes gzipped, over the $WASM_GZ_BUDGET budget: see where the bytes go with tools/bench/wasm_sizes.py (or twiggy) on a CARGO_PROFILE_RELEASE_STRIP=false build of that module and trim before raising it"
  done
  echo "  each wasm module is within its budget of $WASM_GZ_BUDGET bytes gzipped"
  cat <<EOF

Load it in Chromium or Chrome: open chrome://extensions, switch on Developer mode,
click "Load unpacked" and choose $DIST
(the store package is $zip)
EOF
}

# Page-derived text must never become markup, and nothing may evaluate strings: in the
# extension's JavaScript and in the Rust that drives the DOM (web-sys names). Takes the
# folders to scan (tests plant a sink in a temp folder to prove the lint catches it).
lint_js() {
  local dirs=("$@")
  [ ${#dirs[@]} -gt 0 ] || dirs=(extension/ src/web/)
  say "Linting ${dirs[*]} for markup sinks and eval"
  local hits
  hits=$(grep -rnE --include='*.js' --include='*.mjs' --include='*.html' --include='*.rs' \
    'innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\s*\(|\bFunction\s*\(|set(Timeout|Interval)\s*\(\s*['"'"'"`]|srcdoc|createContextualFragment|HTMLUnsafe|(inner|outer)_html|insert_adjacent_html|js_sys::eval' \
    "${dirs[@]}" || true)
  if [ -n "$hits" ]; then
    printf '%s\n' "$hits"
    die "forbidden markup sink or eval in ${dirs[*]} (see above)"
  fi
  echo "lint: no markup sinks or eval in ${dirs[*]}"
}

ensure_cargo_fuzz() {
  if ! cargo fuzz --version >/dev/null 2>&1; then
    say "Installing cargo-fuzz (takes a few minutes)"
    # Without --locked, like wasm-bindgen-cli above: a yanked dependency breaks locked installs.
    cargo install cargo-fuzz --version 0.13.2
  fi
}

# Coverage-guided fuzzing of every parser, the engine, settings and the protocol
# (fuzz/fuzz_targets/) for $1 seconds each, or only the targets named after it.
# Stable Rust: RUSTC_BOOTSTRAP lets cargo-fuzz pass its -Z flags; no sanitizer (needs
# nightly's std), so a crash is a panic, an abort, a timeout or the RSS limit. The
# corpus grows in fuzz/corpus/ (not committed) from the committed fuzz/seeds/.
run_fuzz() {
  local seconds=$1; shift
  ensure_cargo_fuzz
  local targets=("$@")
  [ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(RUSTC_BOOTSTRAP=1 cargo fuzz list)
  export RUSTC_BOOTSTRAP=1
  # Its own target dir: instrumented builds must not evict the shared release ones.
  local fuzz_target_dir="${RAPPORT_FUZZ_TARGET_DIR:-$ROOT/fuzz/target}"
  say "Building ${#targets[@]} fuzz targets"
  CARGO_TARGET_DIR="$fuzz_target_dir" cargo fuzz build -O --sanitizer none
  local target log runs total=0 failed=()
  for target in "${targets[@]}"; do
    mkdir -p "fuzz/corpus/$target"
    log="fuzz/target-$target.log"
    if CARGO_TARGET_DIR="$fuzz_target_dir" cargo fuzz run -O --sanitizer none "$target" \
      "fuzz/corpus/$target" "fuzz/seeds/$target" -- \
      -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
      -print_final_stats=1 >"$log" 2>&1; then
      runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
      printf '  %-14s %10s executions, no crash\n' "$target" "${runs:-?}"
      total=$((total + ${runs:-0}))
    else
      tail -n 40 "$log"
      failed+=("$target")
    fi
  done
  rm -f fuzz/target-*.log
  [ ${#failed[@]} -eq 0 ] || die "fuzzing found a crash in: ${failed[*]} (reproducer in fuzz/artifacts/; add it to fuzz/regressions/ when fixed)"
  echo "fuzz: $total executions over ${#targets[@]} targets, ${seconds}s each, zero crashes"
}

run_tests() {
  build
  say "cargo fmt --check"
  cargo fmt --all -- --check
  say "clippy (native)"
  cargo clippy --all-targets -- -D warnings
  say "clippy (wasm32)"
  # The benchmarks compile to an empty program on wasm32 (criterion is native-only), so
  # every target is checked here too.
  cargo clippy --all-targets --target "$WASM_TARGET" -- -D warnings
  # Each shipped module alone: code only one feature uses must not warn in the other.
  local module
  for module in "${WASM_MODULES[@]}"; do
    cargo clippy --lib --target "$WASM_TARGET" --no-default-features --features "$module" -- -D warnings
  done
  say "Native tests"
  cargo test
  say "wasm tests in headless Chromium"
  if compgen -G "tests/web_*.rs" >/dev/null; then
    CHROMEDRIVER=/usr/bin/chromedriver \
      CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
      cargo test --target "$WASM_TARGET" --test 'web_*'
  else
    echo "no wasm tests (tests/web_*.rs) yet"
  fi
  lint_js
  say "Bounded fuzzing (${RAPPORT_FUZZ_SECONDS:-20}s per target; ./build.sh fuzz runs longer)"
  run_fuzz "${RAPPORT_FUZZ_SECONDS:-20}"
  say "Browser end-to-end tests (node --test tests/e2e/)"
  node --test tests/e2e/
}

case "${1:-build}" in
  build) build ;;
  test) run_tests ;;
  demo)
    build
    if [ -f tools/demo.mjs ]; then
      node tools/demo.mjs
    else
      die "the demo (tools/demo.mjs) is not there yet"
    fi
    ;;
  bench)
    # The benchmarks' 15-minute budget includes this build (tools/bench/run.sh reports it).
    RAPPORT_BENCH_BUILD_STARTED=$(date +%s)
    export RAPPORT_BENCH_BUILD_STARTED
    build
    # Every figure of BENCHMARKS.md (native, browser, baselines); see tools/bench/run.sh.
    bash tools/bench/run.sh
    ;;
  fuzz) run_fuzz "${2:-300}" "${@:3}" ;;
  lint) lint_js "${@:2}" ;;
  *) die "unknown command '$1' (use: build, test, demo, bench, fuzz, lint)" ;;
esac
