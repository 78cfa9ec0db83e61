#![no_main]
//! messages.csv, Connections.csv and Invitations.csv, streamed in random chunks.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| rapport_fuzz::linkedin_csv(data));
