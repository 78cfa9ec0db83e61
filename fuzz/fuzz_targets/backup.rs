#![no_main]
//! Backups and relationship books: parse, import, and the canonical form round-trips.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| rapport_fuzz::backup(data));
