#![no_main]
//! The engine on arbitrary history and an arbitrary draft: never a panic, and every
//! verdict is well formed (known rule ids, spans inside the draft, serializable).
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| rapport_fuzz::engine(data));
