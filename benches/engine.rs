//! `./build.sh bench` (or `cargo bench --bench engine`): one 2 KB draft against
//! seeded synthetic histories of 1k, 10k and 100k messages (one contact per five
//! messages), plus the index's memory measured with a counting allocator.
//! Targets: median <= 1 ms and p99 <= 3 ms at 100k; memory <= 64 MB.
//! `tools/bench/run.sh` parses the "history N messages ... analyze median X ms, p99 Y ms"
//! summary lines: keep that wording.
//!
//! Criterion, the counting allocator and thread CPU clocks are native-only; on wasm32
//! this target is an empty program so `cargo clippy --all-targets --target wasm32`
//! still checks everything else.

#[cfg(not(target_arch = "wasm32"))]
#[path = "engine/native.rs"]
mod native;

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    native::main();
}

#[cfg(target_arch = "wasm32")]
fn main() {}
