#![no_main]
//! Any file a user might pick: format detection, then whatever importer it chose.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| rapport_fuzz::detect(data));
