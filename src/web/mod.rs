//! Web glue (wasm only): the IndexedDB store, the background service, page helpers.
//! The `worker` and `pages` features pick which of them a wasm module carries.
//!
//! Thin on purpose: decisions live in the pure modules (engine, import, protocol);
//! this layer moves values between them and the browser.

// The pages use only the session-storage part; the rest is the worker's.
#[cfg_attr(not(feature = "worker"), allow(dead_code))]
mod chrome;
#[cfg(feature = "worker")]
pub mod service;
#[cfg(feature = "worker")]
pub mod store;
#[cfg(feature = "pages")]
pub mod ui;
