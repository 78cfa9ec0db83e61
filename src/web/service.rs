//! The background service: every request from the extension's contexts arrives here
//! as `(json, sender kind)` from `background.js`, which established the sender kind from
//! Chrome's own `sender` object. Validation happens here, once, in Rust.

use crate::engine::{self, Index};
use crate::protocol::{
    AnalyzeReply, ErrorReply, Request, SenderKind, MAX_CONTENT_REQUEST_BYTES,
    MAX_PAGE_REQUEST_BYTES,
};
use crate::settings::Settings;
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// The largest request a sender of this kind may send, in bytes of JSON.
pub fn request_cap(sender: SenderKind) -> usize {
    match sender {
        SenderKind::Content => MAX_CONTENT_REQUEST_BYTES,
        SenderKind::Page => MAX_PAGE_REQUEST_BYTES,
    }
}

/// Why a request was turned away; logged by `background.js` and returned to the sender.
#[derive(Debug)]
pub struct Refusal(pub String);

/// Checks a raw request against its sender's authority, before any work is done.
pub fn admit(json: &str, sender: SenderKind) -> Result<Request, Refusal> {
    let cap = request_cap(sender);
    if json.len() > cap {
        return Err(Refusal(format!(
            "request of {} bytes exceeds the {} byte limit for this sender",
            json.len(),
            cap
        )));
    }
    let request: Request =
        serde_json::from_str(json).map_err(|e| Refusal(format!("malformed request: {e}")))?;
    if !request.allowed_from(sender) {
        return Err(Refusal(format!(
            "'{}' is only answered for this extension's own pages",
            request.name()
        )));
    }
    Ok(request)
}

fn ok_reply<T: Serialize>(body: &T) -> String {
    let mut value = serde_json::to_value(body).unwrap_or(serde_json::Value::Null);
    match value.as_object_mut() {
        Some(map) => {
            map.insert("ok".into(), serde_json::Value::Bool(true));
        }
        None => {
            value = serde_json::json!({ "ok": true, "value": value });
        }
    }
    value.to_string()
}

fn error_reply(message: impl Into<String>) -> String {
    serde_json::to_string(&ErrorReply::new(message)).unwrap_or_default()
}

/// The entry point `background.js` calls for every message. Always resolves to a JSON
/// reply (`{"ok":true,...}` or `{"ok":false,"error":...}`, plus `"refused":true` when the
/// sender was not allowed or the request was malformed), never rejects.
#[wasm_bindgen(js_name = handleRequest)]
pub async fn handle_request(json: String, sender: String) -> String {
    let sender = match sender.as_str() {
        "content" => SenderKind::Content,
        "page" => SenderKind::Page,
        other => return refused(&format!("unknown sender kind '{other}'")),
    };
    let request = match admit(&json, sender) {
        Ok(request) => request,
        Err(Refusal(reason)) => return refused(&reason),
    };
    match serve(request).await {
        Ok(reply) => reply,
        Err(message) => error_reply(message),
    }
}

fn refused(reason: &str) -> String {
    serde_json::json!({ "ok": false, "refused": true, "error": reason }).to_string()
}

async fn serve(request: Request) -> Result<String, String> {
    match request {
        Request::Analyze { draft, .. } => {
            let index = Index::new();
            let verdict = engine::analyze(&index, &draft, &Settings::default());
            let worst = verdict.worst();
            Ok(ok_reply(&AnalyzeReply { verdict, worst }))
        }
        other => Err(format!("'{}' is not served yet", other.name())),
    }
}
