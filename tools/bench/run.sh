#!/usr/bin/env bash
# Runs every benchmark and rewrites BENCHMARKS.md. Called by `./build.sh bench` after
# the extension is built into dist/ (sizes and the browser figures read it).
#
#   tools/bench/run.sh                       everything (budget: 15 minutes on the shared 2 cores)
#   RAPPORT_BENCH_SIZES="1k 10k" tools/bench/run.sh      a quick run on small histories
#   RAPPORT_BENCH_ONLY="worker" tools/bench/run.sh        re-run steps, keep the other figures
#
# Each step appends JSON lines to bench/data/results/results.jsonl; a step that fails
# is recorded with its log's tail, so the report shows the gap instead of stopping.
# Generated data lives in bench/data/ (gitignored), never committed.
set -uo pipefail

cd "$(dirname "$0")/../.."
ROOT=$(pwd)
DATA="$ROOT/bench/data"
RESULTS="$DATA/results"
SIZES=${RAPPORT_BENCH_SIZES:-"1k 10k 100k 1m"}
# Browser analysis stops at 100k: building a 1M-message index inside the page takes
# minutes of the budget and the service worker never holds one (it loads per-draft slices).
BROWSER_SIZES=$(for s in $SIZES; do [ "$s" = 1m ] || printf '%s ' "$s"; done)
# Import and near-duplicate comparisons run on the largest history up to 100k.
CMP_SIZE=$(for s in $SIZES; do [ "$s" = 1m ] || echo "$s"; done | tail -n1)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
TARGET="$CARGO_TARGET_DIR"
STARTED=$(date +%s)
# `./build.sh bench` sets this before building the extension: the budget covers both.
BUILD_STARTED=${RAPPORT_BENCH_BUILD_STARTED:-}

say() { printf '\n==> %s\n' "$*"; }
mkdir -p "$RESULTS"
# RAPPORT_BENCH_ONLY="worker typing": re-run those steps only, replacing their rows.
ONLY=${RAPPORT_BENCH_ONLY:-}
if [ -z "$ONLY" ]; then
  : >"$RESULTS/results.jsonl"
else
  python3 - "$RESULTS/results.jsonl" $ONLY <<'PY'
import json, sys
path, only = sys.argv[1], set(sys.argv[2:])
rows = [json.loads(l) for l in open(path) if l.strip()]
def stale(r):
    if r["bench"] == "rerun":  # an earlier re-run of the same steps: its note goes too
        return set(r["steps"].split()) <= only
    return r.get("_step") in only or r.get("step") in only or r["bench"].split("-")[0] in only
open(path, "w").write("".join(json.dumps(r) + "\n" for r in rows if not stale(r)))
PY
  printf '{"bench":"rerun","steps":"%s","date":"%s","load_average":"%s","commit":"%s"}\n' "$ONLY" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    "$(cut -d' ' -f1-3 /proc/loadavg)" "$(git rev-parse --short HEAD 2>/dev/null)" >>"$RESULTS/results.jsonl"
fi

# step NAME COMMAND...: its JSON lines go to the results, everything else to NAME.log.
step() {
  local name=$1 t0 rc
  shift
  if [ -n "$ONLY" ] && [[ " $ONLY " != *" $name "* ]]; then return 0; fi
  say "$name"
  t0=$(date +%s)
  "$@" >"$RESULTS/$name.out" 2>"$RESULTS/$name.log"
  rc=$?
  grep '^{' "$RESULTS/$name.out" | sed "s/^{/{\"_step\":\"$name\",/" >>"$RESULTS/results.jsonl"
  grep -v '^{' "$RESULTS/$name.out" >>"$RESULTS/$name.log"
  tail -n 3 "$RESULTS/$name.out"
  if [ $rc -ne 0 ]; then
    echo "   failed ($rc), see $RESULTS/$name.log"
    python3 - "$name" "$rc" "$RESULTS/$name.log" >>"$RESULTS/results.jsonl" <<'EOF'
import json, sys
name, rc, log = sys.argv[1], int(sys.argv[2]), sys.argv[3]
tail = open(log, errors="replace").read().strip().splitlines()[-6:]
print(json.dumps({"bench": "error", "step": name, "status": rc, "log": "\n".join(tail)}))
EOF
  fi
  printf '{"bench":"step","step":"%s","seconds":%d,"status":%d}\n' "$name" $(($(date +%s) - t0)) $rc >>"$RESULTS/results.jsonl"
}

machine() {
  python3 - <<'EOF'
import json, os, subprocess
def run(*cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout.strip()
    except Exception:
        return ""
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "")
mem = next((int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal")), 0)
print(json.dumps({
    "bench": "machine",
    "cpu": cpu,
    "cores": os.cpu_count(),
    "memory_gb": round(mem / 1048576, 1),
    "load_average": open("/proc/loadavg").read().split()[:3],
    "chromium": run("chromium", "--version"),
    "rustc": run("rustc", "--version"),
    "python": run("python3", "--version"),
    "node": run("node", "--version"),
    "commit": run("git", "rev-parse", "--short", "HEAD"),
    "date": run("date", "-u", "+%Y-%m-%dT%H:%M:%SZ"),
}))
EOF
}

datasketch() {
  if ! bench/venv/bin/python -c 'import datasketch' 2>/dev/null; then
    echo "installing datasketch into bench/venv"
    python3 -m venv bench/venv && bench/venv/bin/pip install --quiet datasketch || return 1
  fi
  bench/venv/bin/python tools/bench/neardup_datasketch.py "$DATA/$CMP_SIZE"
}

wasm_bench() {
  # The bench crate resolves the same dependency versions as the extension.
  cp Cargo.lock tools/bench/wasm/Cargo.lock
  cargo build --release --target wasm32-unknown-unknown --manifest-path tools/bench/wasm/Cargo.toml || return 1
  # Same pipeline as the extension's wasm (see build.sh): wasm-opt first, then wasm-bindgen.
  wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types \
    "$TARGET/wasm32-unknown-unknown/release/rapport_bench_wasm.wasm" -o "$TARGET/rapport_bench.opt.wasm" || return 1
  wasm-bindgen --target web --no-typescript --out-name rapport_bench --out-dir "$DATA/wasm-pkg" \
    "$TARGET/rapport_bench.opt.wasm"
}

sizes() {
  python3 - "$ROOT/dist" <<'EOF'
import glob, gzip, json, os, sys
dist = sys.argv[1]
def entry(name, path):
    raw = open(path, "rb").read()
    return {"bench": "size", "artifact": name, "path": os.path.relpath(path), "bytes": len(raw),
            "gzip_bytes": len(gzip.compress(raw, 9))}
# One wasm module and one JS glue file per build.sh module (worker, pages).
for wasm in sorted(glob.glob(os.path.join(dist, "pkg", "*_bg.wasm"))):
    module = os.path.basename(wasm)[:-len("_bg.wasm")]
    print(json.dumps({**entry("wasm", wasm), "module": module}))
    print(json.dumps({**entry("wasm JS glue", os.path.join(dist, "pkg", module + ".js")), "module": module}))
for z in sorted(glob.glob(os.path.join(dist, "*.zip"))):
    e = entry("extension zip", z)
    print(json.dumps(e))
EOF
}

engine_criterion() {
  # The engine engineer's criterion bench (its own synthetic history), built by
  # build-tools with the native profile (the bench profile's settings: release +
  # opt-level 3) and run directly: `cargo bench` would compile the library a second
  # time in its own mode. Ten samples in short windows keep it inside the budget; its
  # summary lines are kept.
  local exe
  exe=$(cargo build --profile native --bench engine --message-format=json 2>/dev/null | python3 -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "engine" and m.get("executable"):
        print(m["executable"])
') || return 1
  [ -x "$exe" ] || { echo "no engine bench executable"; return 1; }
  "$exe" --bench --warm-up-time 0.3 --measurement-time 1 --sample-size 10 --noplot |
    python3 -c '
import json, re, sys
for line in sys.stdin:
    sys.stderr.write(line)
    m = re.search(r"history\s+(\d+) messages.*?analyze median ([\d.]+) ms, p99 ([\d.]+) ms", line)
    cpu = re.search(r"thread CPU median ([\d.]+) ms, p99 ([\d.]+) ms", line)
    if m:
        print(json.dumps({"bench": "analyze-native-criterion", "messages": int(m[1]),
                          "p50_ms": float(m[2]), "p99_ms": float(m[3]), "line": line.strip(),
                          "cpu_p50_ms": float(cpu[1]) if cpu else None, "cpu_p99_ms": float(cpu[2]) if cpu else None}))
'
}

# step_alongside NAME COMMAND...: a step that only builds, run while the next steps go
# on; `joined NAME` waits for it. The wasm bench's cargo locks the wasm32 build
# directory, build-tools' the native one, so the two compile at once; the measuring
# steps it overlaps report CPU time (throughput per CPU-second), which another process
# on the other core leaves nearly unchanged.
declare -A ALONGSIDE
step_alongside() {
  local name=$1
  step "$@" &
  ALONGSIDE[$name]=$!
}
joined() {
  if [ -n "${ALONGSIDE[$1]:-}" ]; then wait "${ALONGSIDE[$1]}"; fi
}

step machine machine
step_alongside wasm-bench wasm_bench
step build-tools cargo build --profile native --example gen_history --example bench_native --bench engine
# shellcheck disable=SC2086
step generate "$TARGET/native/examples/gen_history" --out "$DATA" $SIZES
step import-native "$TARGET/native/examples/bench_native" import "$DATA/$CMP_SIZE"
case " $SIZES " in *" 1m "*) step import-native-1m "$TARGET/native/examples/bench_native" import "$DATA/1m" ;; esac
step import-python python3 tools/bench/python_import.py "$DATA/$CMP_SIZE"
joined wasm-bench
# Wall-clock latencies from here on: nothing else of the benchmark runs alongside.
# shellcheck disable=SC2086
step analyze-native "$TARGET/native/examples/bench_native" analyze $SIZES
step neardup-rapport "$TARGET/native/examples/bench_native" neardup "$DATA/$CMP_SIZE"
step neardup-datasketch datasketch
# shellcheck disable=SC2086
step analyze-browser node tools/bench/browser.mjs analyze $BROWSER_SIZES
step import-browser node tools/bench/browser.mjs import "$DATA/$CMP_SIZE"
step typing node tools/bench/typing.mjs
step worker node tools/bench/worker.mjs "$DATA/$CMP_SIZE"
step sizes sizes
[ -f benches/engine.rs ] && step engine-criterion engine_criterion

if [ -z "$ONLY" ]; then
  if [ -n "$BUILD_STARTED" ]; then
    printf '{"bench":"total","seconds":%d,"build_seconds":%d}\n' $(($(date +%s) - BUILD_STARTED)) $((STARTED - BUILD_STARTED))
  else
    printf '{"bench":"total","seconds":%d}\n' $(($(date +%s) - STARTED))
  fi >>"$RESULTS/results.jsonl"
fi
say "Writing BENCHMARKS.md"
node tools/bench/report.mjs "$RESULTS/results.jsonl" BENCHMARKS.md
