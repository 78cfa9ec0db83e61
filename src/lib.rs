//! Rapport: remembers who you know and speaks up before a message damages a relationship.
//!
//! One crate, two builds. Natively it is the `rapport` CLI and the test and benchmark
//! target; compiled to wasm it is the core of the browser extension, running only in
//! the extension's own origin (service worker and extension pages), because the
//! supported sites' Content-Security-Policy forbids compiling wasm in content scripts.
//!
//! The folders are the architecture:
//! - [`model`], [`identity`]: the shared vocabulary (people, messages, drafts, warnings).
//! - [`text`]: text analysis with no knowledge of people (normalization, phrases,
//!   quotes and signatures, greetings, near-duplicate signatures).
//! - [`engine`]: the relationship rules; pure functions of a draft, an [`engine::Index`]
//!   of history and [`settings::Settings`].
//! - [`import`]: LinkedIn exports, mbox, eml and Rapport backups into model values.
//! - [`protocol`]: the messages the extension's contexts exchange, validated on receipt.
//! - [`search`]: the keys contacts are searched by, and how matches rank.
//! - `cli` (native only): the `rapport` command.
//! - `web` (wasm only): IndexedDB store, background service and page glue. Thin.

pub mod engine;
pub mod identity;
pub mod import;
pub mod model;
pub mod protocol;
pub mod search;
pub mod settings;
pub mod text;

#[cfg(not(target_arch = "wasm32"))]
pub mod cli;

#[cfg(target_arch = "wasm32")]
pub mod web;
