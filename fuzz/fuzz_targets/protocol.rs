#![no_main]
//! Whatever reaches the background over chrome.runtime messaging: a request either
//! parses into the closed set of types or is refused; a content script is never
//! allowed a data-reading or data-changing one.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| rapport_fuzz::protocol(data));
