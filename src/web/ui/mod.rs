//! The popup and options pages: static HTML driven from Rust.
//!
//! The pages are plain markup with ids; this module fills them with text (never
//! markup: every page-derived or stored string goes through `textContent`), wires
//! their events and talks to the background service, which alone owns IndexedDB.

mod bridge;
mod dom;
mod import_driver;
mod options;
mod popup;

use wasm_bindgen::prelude::*;

/// Entry point of `popup/popup.html`.
#[wasm_bindgen(js_name = startPopup)]
pub fn start_popup() {
    dom::localize_page();
    popup::start();
}

/// Entry point of `options/options.html`.
#[wasm_bindgen(js_name = startOptions)]
pub fn start_options() {
    dom::localize_page();
    options::start();
}
