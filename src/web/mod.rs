//! Web glue (wasm only): the IndexedDB store, the background service, page helpers.
pub mod ui;
