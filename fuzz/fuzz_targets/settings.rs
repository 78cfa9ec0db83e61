#![no_main]
//! Settings as the options page, sync storage or a backup hand them over: parse,
//! validate, and a valid one drives the engine without a panic.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| rapport_fuzz::settings(data));
