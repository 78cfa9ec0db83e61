//! `chrome.storage` for the background service: settings (sync, with a local
//! fallback), the operator of this browser (local) and the popup's view of each tab
//! (session: in memory, survives the worker stopping, gone when the browser closes),
//! and for the popup its undo list (session too).

use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = ["chrome", "storage", "sync"], js_name = get)]
    fn sync_get_js(key: &str) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "storage", "sync"], js_name = set)]
    fn sync_set_js(items: &JsValue) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "storage", "local"], js_name = get)]
    fn local_get_js(key: &str) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "storage", "local"], js_name = set)]
    fn local_set_js(items: &JsValue) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "storage", "session"], js_name = get)]
    fn session_get_js(key: &str) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(catch, js_namespace = ["chrome", "storage", "session"], js_name = set)]
    fn session_set_js(items: &JsValue) -> Result<js_sys::Promise, JsValue>;
}

/// Where the popup's undo list outlives the popup: `chrome.storage.session` is in
/// memory, gone when the browser closes, and readable by extension pages and the
/// worker only (content scripts are not trusted with it unless `setAccessLevel` says
/// so; Rapport never does).
pub const POPUP_UNDO_KEY: &str = "popupUndo";

fn describe(e: JsValue) -> String {
    js_sys::Reflect::get(&e, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "chrome.storage is unavailable".into())
}

async fn get(
    call: fn(&str) -> Result<js_sys::Promise, JsValue>,
    key: &str,
) -> Result<Option<Value>, String> {
    let items = JsFuture::from(call(key).map_err(describe)?)
        .await
        .map_err(describe)?;
    let value = js_sys::Reflect::get(&items, &key.into()).map_err(describe)?;
    if value.is_undefined() {
        return Ok(None);
    }
    let json: String = js_sys::JSON::stringify(&value).map_err(describe)?.into();
    serde_json::from_str(&json)
        .map(Some)
        .map_err(|e| e.to_string())
}

async fn set(
    call: fn(&JsValue) -> Result<js_sys::Promise, JsValue>,
    key: &str,
    value: &Value,
) -> Result<(), String> {
    let items = js_sys::Object::new();
    let js = js_sys::JSON::parse(&value.to_string()).map_err(describe)?;
    js_sys::Reflect::set(&items, &key.into(), &js).map_err(describe)?;
    JsFuture::from(call(&items).map_err(describe)?)
        .await
        .map(|_| ())
        .map_err(describe)
}

pub async fn sync_get(key: &str) -> Result<Option<Value>, String> {
    get(sync_get_js, key).await
}
pub async fn sync_set(key: &str, value: &Value) -> Result<(), String> {
    set(sync_set_js, key, value).await
}
pub async fn local_get(key: &str) -> Result<Option<Value>, String> {
    get(local_get_js, key).await
}
pub async fn local_set(key: &str, value: &Value) -> Result<(), String> {
    set(local_set_js, key, value).await
}
pub async fn session_get(key: &str) -> Result<Option<Value>, String> {
    get(session_get_js, key).await
}
pub async fn session_set(key: &str, value: &Value) -> Result<(), String> {
    set(session_set_js, key, value).await
}
