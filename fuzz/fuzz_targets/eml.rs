#![no_main]
//! A single .eml message: headers, MIME parts, charsets, transfer encodings.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| rapport_fuzz::eml(data));
