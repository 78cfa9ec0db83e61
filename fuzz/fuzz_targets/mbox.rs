#![no_main]
//! mbox files (MIME inside each message), streamed in random chunks.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| rapport_fuzz::mbox(data));
