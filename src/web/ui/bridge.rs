//! The pages' only ways out: `chrome.runtime` messaging to the background service,
//! `chrome.i18n` for strings and `chrome.tabs` to learn which tab the popup is over.

use crate::protocol::Request;
use serde::de::DeserializeOwned;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = ["chrome", "runtime"], js_name = sendMessage)]
    fn send_message(message: &JsValue) -> Result<js_sys::Promise, JsValue>;

    #[wasm_bindgen(js_namespace = ["chrome", "i18n"], js_name = getMessage)]
    fn get_message(key: &str, substitutions: &JsValue) -> String;

    #[wasm_bindgen(catch, js_namespace = ["chrome", "tabs"], js_name = query)]
    fn tabs_query(query: &JsValue) -> Result<js_sys::Promise, JsValue>;

    #[wasm_bindgen(catch, js_namespace = ["chrome", "runtime"], js_name = openOptionsPage)]
    fn open_options_page_js() -> Result<JsValue, JsValue>;
}

/// Sends a request and returns the reply's JSON when it says `ok: true`, or the
/// service's own sentence when it says `ok: false`.
pub async fn call(request: &Request) -> Result<serde_json::Value, String> {
    send(request)?.reply().await
}

/// A request already on its way, whose reply is awaited later: a page can prepare
/// its next request while the background works on this one.
pub struct Sent(JsFuture);

/// Sends a request now; [`Sent::reply`] awaits the answer.
pub fn send(request: &Request) -> Result<Sent, String> {
    // As text: the background reads JSON text, and a batch of a thousand messages
    // would otherwise be parsed here only to be stringified again there.
    let json = serde_json::to_string(request).map_err(|e| e.to_string())?;
    let promise = send_message(&JsValue::from_str(&json)).map_err(js_error)?;
    Ok(Sent(JsFuture::from(promise)))
}

impl Sent {
    /// `reply`, read as `T`.
    pub async fn reply_as<T: DeserializeOwned>(self) -> Result<T, String> {
        let value = self.reply().await?;
        crate::protocol::from_value(&value).map_err(|e| e.to_string())
    }

    /// The reply's JSON when it says `ok: true`, else the service's own sentence.
    pub async fn reply(self) -> Result<serde_json::Value, String> {
        let reply = self.0.await.map_err(js_error)?;
        if reply.is_undefined() || reply.is_null() {
            return Err(t("errorNoReply"));
        }
        let text: String = js_sys::JSON::stringify(&reply).map_err(js_error)?.into();
        let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
        if value.get("ok").and_then(|ok| ok.as_bool()) == Some(true) {
            Ok(value)
        } else {
            Err(value
                .get("error")
                .and_then(|e| e.as_str())
                .map(str::to_owned)
                .unwrap_or_else(|| t("errorNoReply")))
        }
    }
}

/// `call`, then reads the whole reply as `T` (the reply structs ignore `ok`).
pub async fn call_as<T: DeserializeOwned>(request: &Request) -> Result<T, String> {
    send(request)?.reply_as().await
}

/// `call`, then reads one field of the reply as `T`.
pub async fn call_field<T: DeserializeOwned>(request: &Request, field: &str) -> Result<T, String> {
    let mut value = call(request).await?;
    let field = value
        .get_mut(field)
        .map(serde_json::Value::take)
        .unwrap_or(serde_json::Value::Null);
    crate::protocol::from_value(&field).map_err(|e| e.to_string())
}

/// The localized string for `key`; the key itself when the catalogue lacks it, so a
/// missing string shows up in review instead of as an empty label.
pub fn t(key: &str) -> String {
    let text = get_message(key, &JsValue::UNDEFINED);
    if text.is_empty() {
        key.to_owned()
    } else {
        text
    }
}

/// `t` with `$1`, `$2`, ... placeholders filled.
pub fn t_with(key: &str, substitutions: &[&str]) -> String {
    let list = js_sys::Array::new();
    for s in substitutions {
        list.push(&JsValue::from_str(s));
    }
    let text = get_message(key, &list);
    if text.is_empty() {
        format!("{key} {}", substitutions.join(" "))
    } else {
        text
    }
}

/// The id of the tab the popup was opened over. `popup.html?tab=<id>` names it
/// explicitly: opened in a tab of its own (tests, keyboard users who pin it), the
/// popup would otherwise find itself as the active tab.
pub async fn active_tab_id() -> Option<i64> {
    let search = web_sys::window()?.location().search().unwrap_or_default();
    let named = search
        .trim_start_matches('?')
        .split('&')
        .find_map(|pair| pair.strip_prefix("tab="))
        .and_then(|id| id.parse::<i64>().ok());
    if named.is_some() {
        return named;
    }
    let query = js_sys::Object::new();
    js_sys::Reflect::set(&query, &"active".into(), &true.into()).ok()?;
    js_sys::Reflect::set(&query, &"currentWindow".into(), &true.into()).ok()?;
    let tabs = JsFuture::from(tabs_query(&query).ok()?).await.ok()?;
    let first = js_sys::Array::from(&tabs).get(0);
    js_sys::Reflect::get(&first, &"id".into())
        .ok()?
        .as_f64()
        .map(|id| id as i64)
}

pub fn open_options_page() {
    let _ = open_options_page_js();
}

pub fn js_error(value: JsValue) -> String {
    value
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| value.as_string())
        .unwrap_or_else(|| format!("{value:?}"))
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = ["chrome", "tabs"], js_name = sendMessage)]
    fn tabs_send_message(tab: f64, message: &JsValue) -> Result<js_sys::Promise, JsValue>;
}

/// Tells the tab's content script that tags or exceptions changed, so the warnings in
/// the open compose box update now rather than at the next keystroke. A tab without
/// Rapport's content script has nobody listening; that is fine.
pub fn ask_tab_to_reanalyze(tab: i64) {
    let message = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&message, &"type".into(), &"rapport_reanalyze".into());
    if let Ok(promise) = tabs_send_message(tab as f64, &message) {
        wasm_bindgen_futures::spawn_local(async move {
            let _ = JsFuture::from(promise).await;
        });
    }
}
