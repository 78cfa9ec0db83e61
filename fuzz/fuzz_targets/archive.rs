#![no_main]
//! The LinkedIn export .zip (a zip of the CSVs).
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| rapport_fuzz::archive(data));
