//! Web glue (wasm only): the IndexedDB store, the background service, page helpers.
//!
//! Thin on purpose: decisions live in the pure modules (engine, import, protocol);
//! this layer moves values between them and the browser.

mod chrome;
pub mod service;
pub mod store;
pub mod ui;
