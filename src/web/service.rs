//! The background service: every request from the extension's contexts arrives here
//! as `(json, sender kind, tab)` from `background.js`, which established the sender
//! kind from Chrome's own `sender` object. Validation happens here, once, in Rust.
//!
//! The worker can be stopped at any moment, so nothing here is relied on across a
//! stop: the database and settings are reopened lazily, and the caches (a recipient's
//! slice of history and the engine index built from it) only save work.

use super::chrome;
use super::store::{self, KnownMessage, Store, StoreError};
use crate::engine::{self, Index};
use crate::import::{Backup, BackupKind, ImportBatch};
use crate::model::{Channel, Direction, Draft, Identity, Message, Millis, Party, Recipient, DAY};
use crate::protocol::{
    ActiveDraftReply, AnalyzeReply, ContactSummaryReply, ErrorReply, ImportBatchReply, LastReply,
    RelationshipSummary, Request, SeenMessage, SenderKind, Site, MAX_CONTENT_REQUEST_BYTES,
    MAX_PAGE_REQUEST_BYTES,
};
use crate::settings::Settings;
use serde::Serialize;
use serde_json::{json, Value};
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// How many recipients' indexes stay built (a user rarely juggles more composes).
const CACHED_INDEXES: usize = 8;
/// Restores are written in batches of this many messages, one transaction each.
const RESTORE_BATCH: usize = 2_000;

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
    let request =
        Request::from_json(json).map_err(|e| Refusal(format!("malformed request: {e}")))?;
    if !request.allowed_from(sender) {
        return Err(Refusal(format!(
            "'{}' is only answered for this extension's own pages",
            request.name()
        )));
    }
    Ok(request)
}

fn ok_reply<T: Serialize>(body: &T) -> String {
    let mut value = serde_json::to_value(body).unwrap_or(Value::Null);
    match value.as_object_mut() {
        Some(map) => {
            map.insert("ok".into(), Value::Bool(true));
        }
        None => {
            value = json!({ "ok": true, "value": value });
        }
    }
    value.to_string()
}

fn error_reply(message: impl Into<String>) -> String {
    serde_json::to_string(&ErrorReply::new(message)).unwrap_or_default()
}

fn refused(reason: &str) -> String {
    json!({ "ok": false, "refused": true, "error": reason }).to_string()
}

/// The entry point `background.js` calls for every message. Always resolves to a JSON
/// reply (`{"ok":true,...}` or `{"ok":false,"error":...}`, plus `"refused":true` when the
/// sender was not allowed or the request was malformed), never rejects. `tab` is the
/// sender's tab id (content scripts), or -1.
#[wasm_bindgen(js_name = handleRequest)]
pub async fn handle_request(json: String, sender: String, tab: i32) -> String {
    let sender = match sender.as_str() {
        "content" => SenderKind::Content,
        "page" => SenderKind::Page,
        other => return refused(&format!("unknown sender kind '{other}'")),
    };
    let request = match admit(&json, sender) {
        Ok(request) => request,
        Err(Refusal(reason)) => return refused(&reason),
    };
    let tab = (tab >= 0).then_some(tab);
    match serve(request, tab).await {
        Ok(reply) => reply,
        Err(message) => error_reply(message),
    }
}

// ---------------------------------------------------------------- worker state

/// What one verdict for a recipient needs, loaded once per worker life.
type Slice = store::RecipientSlice;

#[derive(Default)]
struct State {
    store: Option<Store>,
    settings: Option<Rc<Settings>>,
    operator: Option<Option<String>>,
    slices: HashMap<String, Rc<Slice>>,
    /// Sent messages per band key, since the window start they were loaded for.
    bands: HashMap<String, (Millis, Rc<Vec<KnownMessage>>)>,
    /// Built indexes by (slice key + band-matched message ids), most recent last.
    indexes: Vec<(String, Rc<Index>)>,
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State::default());
}

/// Called when the database closes under us (a newer version wants it).
pub fn forget_store() {
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        s.store = None;
        forget_history(&mut s);
    });
}

fn forget_history(s: &mut State) {
    s.slices.clear();
    s.bands.clear();
    s.indexes.clear();
}

fn history_changed() {
    STATE.with(|s| forget_history(&mut s.borrow_mut()));
}

async fn store() -> Result<Store, String> {
    if let Some(store) = STATE.with(|s| s.borrow().store.clone()) {
        return Ok(store);
    }
    let store = Store::open(store::DB_NAME).await.map_err(|e| e.message)?;
    STATE.with(|s| s.borrow_mut().store = Some(store.clone()));
    Ok(store)
}

fn user_error(e: StoreError) -> String {
    e.message
}

// ---------------------------------------------------------------- settings

const SETTINGS_KEY: &str = "settings";
const SETTINGS_PLACE_KEY: &str = "settingsStoredIn";
const OPERATOR_KEY: &str = "operator";

async fn settings() -> Rc<Settings> {
    if let Some(s) = STATE.with(|s| s.borrow().settings.clone()) {
        return s;
    }
    let settings = Rc::new(load_settings().await.unwrap_or_default());
    STATE.with(|s| s.borrow_mut().settings = Some(settings.clone()));
    settings
}

async fn load_settings() -> Option<Settings> {
    let place = chrome::local_get(SETTINGS_PLACE_KEY).await.ok().flatten();
    let value = if place.as_ref().and_then(Value::as_str) == Some("local") {
        chrome::local_get(SETTINGS_KEY).await.ok().flatten()
    } else {
        chrome::sync_get(SETTINGS_KEY).await.ok().flatten()
    }?;
    crate::protocol::from_value(&value).ok()
}

/// Saves to `chrome.storage.sync` (follows the user across browsers) while it fits
/// the sync quota, else to local storage. History never goes to sync.
async fn save_settings(settings: &Settings) -> Result<&'static str, String> {
    let value = serde_json::to_value(settings).map_err(|e| e.to_string())?;
    let place = match chrome::sync_set(SETTINGS_KEY, &value).await {
        Ok(()) => "sync",
        Err(reason) => {
            web_sys::console::warn_1(
                &format!("Rapport: settings do not fit sync storage ({reason}); keeping them on this computer").into(),
            );
            chrome::local_set(SETTINGS_KEY, &value).await?;
            "local"
        }
    };
    chrome::local_set(SETTINGS_PLACE_KEY, &Value::from(place)).await?;
    STATE.with(|s| s.borrow_mut().settings = Some(Rc::new(settings.clone())));
    Ok(place)
}

async fn operator() -> Option<String> {
    if let Some(op) = STATE.with(|s| s.borrow().operator.clone()) {
        return op;
    }
    let op = chrome::local_get(OPERATOR_KEY)
        .await
        .ok()
        .flatten()
        .and_then(|v| v.as_str().map(str::to_owned));
    STATE.with(|s| s.borrow_mut().operator = Some(op.clone()));
    op
}

// ---------------------------------------------------------------- analysis

fn slice_cache_key(keys: &engine::SliceKeys) -> String {
    let mut ids = keys.identity_keys.clone();
    ids.sort();
    let mut names = keys.name_keys.clone();
    names.sort();
    format!("{}|{}", ids.join(","), names.join(","))
}

async fn recipient_slice(
    store: &Store,
    keys: &engine::SliceKeys,
) -> Result<(String, Rc<Slice>), String> {
    let cache_key = slice_cache_key(keys);
    if let Some(slice) = STATE.with(|s| s.borrow().slices.get(&cache_key).cloned()) {
        return Ok((cache_key, slice));
    }
    let slice = Rc::new(
        store
            .recipient_slice(&keys.identity_keys, &keys.name_keys)
            .await
            .map_err(user_error)?,
    );
    STATE.with(|s| {
        s.borrow_mut()
            .slices
            .insert(cache_key.clone(), slice.clone())
    });
    Ok((cache_key, slice))
}

/// Sent messages sharing a band with the draft. Each band key is read from
/// IndexedDB once per worker life; later keystrokes with known keys touch only memory.
async fn band_matches(
    store: &Store,
    bands: &[String],
    since: Millis,
) -> Result<Vec<Rc<Vec<KnownMessage>>>, String> {
    let mut found = Vec::new();
    let mut missing = Vec::new();
    STATE.with(|s| {
        let s = s.borrow();
        for b in bands {
            match s.bands.get(b) {
                Some((loaded_since, msgs)) if *loaded_since <= since => found.push(msgs.clone()),
                _ => missing.push(b.clone()),
            }
        }
    });
    if !missing.is_empty() {
        let loaded = store
            .known_by_band(&missing, since)
            .await
            .map_err(user_error)?;
        STATE.with(|s| {
            let mut s = s.borrow_mut();
            for (band, msgs) in missing.into_iter().zip(loaded) {
                let msgs = Rc::new(msgs);
                found.push(msgs.clone());
                s.bands.insert(band, (since, msgs));
            }
        });
    }
    Ok(found)
}

async fn analyze(mut draft: Draft) -> Result<AnalyzeReply, String> {
    let settings = settings().await;
    if draft.operator.is_none() {
        draft.operator = operator().await;
    }
    let keys = engine::slice_keys(&draft, &settings);
    let store = store().await?;
    let (slice_key, slice) = recipient_slice(&store, &keys).await?;
    let since = draft.time - Millis::from(keys.window_days) * DAY;
    let bands = band_matches(&store, &keys.band_keys, since).await?;

    let mut extra: Vec<&KnownMessage> = Vec::new();
    let mut seen: HashSet<&str> = slice
        .messages
        .iter()
        .map(|m| m.message.id.as_str())
        .collect();
    for list in &bands {
        for m in list.iter() {
            if seen.insert(m.message.id.as_str()) {
                extra.push(m);
            }
        }
    }
    let mut extra_ids: Vec<&str> = extra.iter().map(|m| m.message.id.as_str()).collect();
    extra_ids.sort_unstable();
    let index_key = format!("{slice_key}#{}", extra_ids.join(","));
    let cached = STATE.with(|s| {
        s.borrow()
            .indexes
            .iter()
            .find(|(k, _)| *k == index_key)
            .map(|(_, i)| i.clone())
    });
    let index = match cached {
        Some(index) => index,
        None => {
            let mut index = Index::new();
            for c in &slice.contacts {
                index.add_contact(c.clone());
            }
            for h in &slice.histories {
                index.add_history(h.clone());
            }
            let mut all: Vec<&KnownMessage> = slice.messages.iter().chain(extra).collect();
            all.sort_by_key(|m| m.message.time);
            for m in all {
                index.add_message_with_facts(&m.message, &m.facts);
            }
            let index = Rc::new(index);
            STATE.with(|s| {
                let mut s = s.borrow_mut();
                s.indexes.push((index_key, index.clone()));
                if s.indexes.len() > CACHED_INDEXES {
                    s.indexes.remove(0);
                }
            });
            index
        }
    };
    let verdict = engine::analyze(&index, &draft, &settings);
    let worst = verdict.worst();
    Ok(AnalyzeReply {
        verdict,
        worst,
        send_gate: settings.send_gate,
    })
}

// ---------------------------------------------------------------- recording

fn owner_party(settings: &Settings, channel: Channel, operator: &Option<String>) -> Party {
    Party {
        name: operator
            .clone()
            .or_else(|| (!settings.owner.name.is_empty()).then(|| settings.owner.name.clone())),
        identity: settings
            .owner
            .identities
            .iter()
            .find(|i| i.channel() == channel)
            .cloned(),
    }
}

fn recipient_party(r: &Recipient) -> Party {
    Party {
        name: r.name.clone(),
        identity: r.identity.clone(),
    }
}

fn page_message_id(prefix: &str, parts: &[&str]) -> String {
    let bytes: Vec<&[u8]> = parts.iter().map(|p| p.as_bytes()).collect();
    format!("{prefix}:{}", crate::import::fingerprint(&bytes))
}

async fn record_sent(site: Site, draft: Draft) -> Result<ImportBatchReply, String> {
    let settings = settings().await;
    let operator = match draft.operator.clone() {
        Some(op) => Some(op),
        None => operator().await,
    };
    let time = draft.time.to_string();
    let message = Message {
        id: page_message_id(
            "sent",
            &[
                draft.conversation.as_deref().unwrap_or(""),
                &time,
                &draft.text,
            ],
        ),
        channel: draft.channel,
        direction: Direction::Sent,
        from: owner_party(&settings, draft.channel, &operator),
        to: draft.recipients.iter().map(recipient_party).collect(),
        time: draft.time,
        subject: draft.subject.clone(),
        text: draft.text.clone(),
        conversation: draft.conversation.clone(),
        operator,
    };
    record(&format!("page-{site:?}").to_lowercase(), vec![message]).await
}

async fn record_seen(
    site: Site,
    channel: Channel,
    conversation: Option<String>,
    with: Party,
    seen: Vec<SeenMessage>,
) -> Result<ImportBatchReply, String> {
    let settings = settings().await;
    let now = js_sys::Date::now() as Millis;
    let me = owner_party(&settings, channel, &None);
    // Which messages are the user's own is the page's say-so, and a page script can
    // forge one styled as theirs: the user's sent mail comes only from a real Send
    // (`record_sent`) and from imports, never from what a page shows.
    let messages = seen
        .into_iter()
        .filter(|m| !m.mine)
        .map(|m| {
            let time = m.time.unwrap_or(now);
            let stamp = m.time.map(|t| t.to_string()).unwrap_or_default();
            let from = if m.from.identity.is_some() {
                m.from.clone()
            } else {
                Party {
                    name: m.from.name.clone().or(with.name.clone()),
                    identity: with.identity.clone(),
                }
            };
            Message {
                id: page_message_id(
                    "seen",
                    &[
                        conversation.as_deref().unwrap_or(""),
                        &with
                            .identity
                            .as_ref()
                            .map(Identity::key)
                            .unwrap_or_default(),
                        // Kept in the id so messages recorded before "mine" was
                        // dropped still dedupe.
                        "theirs",
                        &stamp,
                        &m.text,
                    ],
                ),
                channel,
                direction: Direction::Received,
                from,
                to: vec![me.clone()],
                time,
                subject: None,
                text: m.text,
                conversation: conversation.clone(),
                operator: None,
            }
        })
        .collect();
    record(&format!("page-{site:?}").to_lowercase(), messages).await
}

async fn record(import_id: &str, messages: Vec<Message>) -> Result<ImportBatchReply, String> {
    let store = store().await?;
    let batch = ImportBatch {
        messages,
        ..Default::default()
    };
    let reply = store
        .write_recorded(import_id, &batch)
        .await
        .map_err(user_error)?;
    if reply.messages_added > 0 {
        history_changed();
    }
    Ok(reply)
}

// ---------------------------------------------------------------- pages

/// The relationship at a glance: the stored messages, widened by any relationship
/// book's figures for the contact. The book and the stored messages overlap (a
/// delegate's copies of the owner's mail are in the book's counts too), so, as in
/// [`Index::add_history`], each direction takes the larger figure, never the sum.
fn summarize(
    messages: &[Message],
    books: &[crate::import::ContactHistory],
    settings: &Settings,
) -> RelationshipSummary {
    let mut s = RelationshipSummary::default();
    for m in messages {
        match m.direction {
            Direction::Sent => s.sent += 1,
            Direction::Received => s.received += 1,
        }
        s.first = Some(s.first.map_or(m.time, |f| f.min(m.time)));
        s.last = Some(s.last.map_or(m.time, |l| l.max(m.time)));
        if !s.channels.contains(&m.channel) {
            s.channels.push(m.channel);
        }
    }
    let clamp = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
    for book in books.iter().filter(|b| b.sent + b.received > 0) {
        s.sent = s.sent.max(clamp(book.sent));
        s.received = s.received.max(clamp(book.received));
        s.first = match (s.first, book.first) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        s.last = s.last.max(book.last);
        for channel in &book.channels {
            if !s.channels.contains(channel) {
                s.channels.push(*channel);
            }
        }
    }
    s.channels.sort();
    if let Some(reply) = messages
        .iter()
        .filter(|m| m.direction == Direction::Received)
        .max_by_key(|m| m.time)
    {
        let chars: Vec<char> = reply.text.chars().collect();
        let layout = crate::text::structure::layout(&chars);
        let own: String = layout
            .content
            .iter()
            .map(|&(a, b)| chars[a..b].iter().collect::<String>())
            .collect::<Vec<_>>()
            .join(" ");
        let excerpt: String = own.split_whitespace().collect::<Vec<_>>().join(" ");
        s.last_reply = Some(LastReply {
            time: reply.time,
            excerpt: excerpt.chars().take(280).collect(),
            declined: engine::is_decline(&reply.text, settings),
        });
    }
    s
}

async fn contact_summary(
    recipient: Recipient,
    id: Option<String>,
) -> Result<ContactSummaryReply, String> {
    let store = store().await?;
    let contact = match (&id, &recipient.identity) {
        (Some(id), _) => store.contact(id).await.map_err(user_error)?,
        (None, Some(identity)) => store
            .contacts_by_identity(&[identity.key()])
            .await
            .map_err(user_error)?
            .into_iter()
            .next(),
        (None, None) => None,
    };
    let mut keys: Vec<String> = contact
        .as_ref()
        .map(|c| c.identities.iter().map(Identity::key).collect())
        .unwrap_or_default();
    if let Some(i) = &recipient.identity {
        if !keys.contains(&i.key()) {
            keys.push(i.key());
        }
    }
    let messages = store.messages_with(&keys).await.map_err(user_error)?;
    let ids: Vec<String> = contact.iter().map(|c| c.id.clone()).collect();
    let books = store.histories(&ids).await.map_err(user_error)?;
    let settings = settings().await;
    Ok(ContactSummaryReply {
        summary: summarize(&messages, &books, &settings),
        contact,
    })
}

/// One page of an export ([`Request::Export`]): each page is read in its own
/// transaction and stays far under Chrome's cap on one message.
async fn export(
    bodies: bool,
    after: Option<String>,
    limit: Option<usize>,
) -> Result<Value, String> {
    use crate::protocol::{export_page_len, EXPORT_PAGE_BYTES, EXPORT_PAGE_MESSAGES};
    let store = store().await?;
    if !bodies {
        // A book is counts and dates per contact: small whatever the history, one page.
        let owner = settings().await.owner.clone();
        let contacts = store.all_contacts().await.map_err(user_error)?;
        let messages = store.all_messages().await.map_err(user_error)?;
        let book = Backup::book(owner, contacts, &messages);
        return Ok(json!({ "backup": book, "next": null }));
    }
    let limit = limit
        .unwrap_or(EXPORT_PAGE_MESSAGES)
        .clamp(1, EXPORT_PAGE_MESSAGES);
    let mut page = store
        .messages_page(after.as_deref(), limit as u32)
        .await
        .map_err(user_error)?;
    let fetched = page.len();
    let sizes = page
        .iter()
        .map(|(_, m)| serde_json::to_vec(m).map_or(0, |json| json.len()));
    page.truncate(export_page_len(sizes, EXPORT_PAGE_BYTES));
    let next = if page.len() < fetched || fetched == limit {
        page.last().map(|(key, _)| key.clone())
    } else {
        None
    };
    let messages: Vec<Message> = page.into_iter().map(|(_, m)| m).collect();
    if after.is_some() {
        return Ok(json!({ "messages": messages, "next": next }));
    }
    let settings = serde_json::to_value(&*settings().await).map_err(|e| e.to_string())?;
    let contacts = store.all_contacts().await.map_err(user_error)?;
    let backup = Backup::full(settings, contacts, messages);
    Ok(json!({ "backup": backup, "next": next }))
}

async fn restore(backup: Value) -> Result<ImportBatchReply, String> {
    let backup: Backup = crate::protocol::from_value(&backup)
        .map_err(|e| format!("This is not a Rapport backup: {e}"))?;
    if backup.format == BackupKind::Backup && !backup.settings.is_null() {
        let settings: Settings = crate::protocol::from_value(&backup.settings)
            .map_err(|e| format!("The backup's settings are unreadable: {e}"))?;
        save_settings(&settings).await?;
    }
    let store = store().await?;
    let import_id = format!("restore-{}", js_sys::Date::now() as i64);
    let mut total = ImportBatchReply::default();
    let mut first = ImportBatch {
        contacts: backup.contacts,
        histories: backup.histories,
        ..Default::default()
    };
    let mut chunks = backup.messages.chunks(RESTORE_BATCH);
    first.messages = chunks.next().map(<[Message]>::to_vec).unwrap_or_default();
    let mut batches = vec![first];
    batches.extend(chunks.map(|c| ImportBatch {
        messages: c.to_vec(),
        ..Default::default()
    }));
    for batch in &batches {
        match store.write_batch(&import_id, "backup", batch).await {
            Ok(r) => {
                total.contacts_added += r.contacts_added;
                total.messages_added += r.messages_added;
                total.duplicates += r.duplicates;
            }
            Err(e) => {
                // Nothing half-restored: take back the batches already written.
                let _ = store.cancel_import(&import_id).await;
                history_changed();
                return Err(e.message);
            }
        }
    }
    history_changed();
    Ok(total)
}

async fn serve(request: Request, tab: Option<i32>) -> Result<String, String> {
    match request {
        Request::Analyze { site, draft } => {
            let reply = analyze(draft.clone()).await?;
            if let Some(tab) = tab {
                let active = ActiveDraftReply {
                    site: Some(site),
                    draft: Some(draft),
                    verdict: Some(reply.verdict.clone()),
                };
                // The popup's view of this tab; session storage survives worker stops.
                // Not awaited: the verdict should not wait for a storage write.
                if let Ok(value) = serde_json::to_value(&active) {
                    wasm_bindgen_futures::spawn_local(async move {
                        let _ = chrome::session_set(&format!("draft:{tab}"), &value).await;
                    });
                }
            }
            // The compose box's send gate asks first at or above this severity (null:
            // never); content scripts may not read settings, so the verdict carries it.
            let mut body = serde_json::to_value(&reply).map_err(|e| e.to_string())?;
            body["send_gate"] =
                serde_json::to_value(settings().await.send_gate).map_err(|e| e.to_string())?;
            Ok(ok_reply(&body))
        }
        Request::RecordSent { site, draft } => Ok(ok_reply(&record_sent(site, draft).await?)),
        Request::RecordSeen {
            site,
            channel,
            conversation,
            with,
            messages,
        } => Ok(ok_reply(
            &record_seen(site, channel, conversation, with, messages).await?,
        )),
        Request::ContactSummary { recipient, contact } => {
            Ok(ok_reply(&contact_summary(recipient, contact).await?))
        }
        Request::ActiveDraft { tab } => {
            let value = chrome::session_get(&format!("draft:{tab}"))
                .await
                .ok()
                .flatten()
                .unwrap_or(Value::Null);
            let reply: ActiveDraftReply = crate::protocol::from_value(&value).unwrap_or_default();
            Ok(ok_reply(&reply))
        }
        Request::Search { query, limit } => {
            let contacts = store()
                .await?
                .search(&query, limit)
                .await
                .map_err(user_error)?;
            Ok(ok_reply(&json!({ "contacts": contacts })))
        }
        Request::RecentContacts { limit } => {
            let contacts = store()
                .await?
                .recent_contacts(limit)
                .await
                .map_err(user_error)?;
            Ok(ok_reply(&json!({ "contacts": contacts })))
        }
        Request::SetTags { contact, tags } => {
            let c = store()
                .await?
                .edit_notes(&contact, |n| n.tags = tags)
                .await
                .map_err(user_error)?;
            history_changed();
            Ok(ok_reply(&json!({ "contact": c })))
        }
        Request::AddException { contact, rule } => {
            if !crate::settings::RULE_IDS.contains(&rule.as_str()) {
                return Err(format!("There is no rule '{rule}'."));
            }
            let since = js_sys::Date::now() as Millis;
            let c = store()
                .await?
                .edit_notes(&contact, |n| {
                    if !n.exceptions.iter().any(|e| e.rule == rule) {
                        n.exceptions
                            .push(crate::model::RuleException { rule, since });
                    }
                })
                .await
                .map_err(user_error)?;
            history_changed();
            Ok(ok_reply(&json!({ "contact": c })))
        }
        Request::RemoveException { contact, rule } => {
            let c = store()
                .await?
                .edit_notes(&contact, |n| n.exceptions.retain(|e| e.rule != rule))
                .await
                .map_err(user_error)?;
            history_changed();
            Ok(ok_reply(&json!({ "contact": c })))
        }
        Request::Merge { keep, absorb } => {
            let c = store()
                .await?
                .merge(&keep, &absorb)
                .await
                .map_err(user_error)?;
            history_changed();
            Ok(ok_reply(&json!({ "contact": c })))
        }
        Request::Split { contact, identity } => {
            let c = store()
                .await?
                .split(&contact, &identity)
                .await
                .map_err(user_error)?;
            history_changed();
            Ok(ok_reply(&json!({ "contact": c })))
        }
        Request::Link { contact, identity } => {
            let c = store()
                .await?
                .link(&contact, &identity)
                .await
                .map_err(user_error)?;
            history_changed();
            Ok(ok_reply(&json!({ "contact": c })))
        }
        Request::GetSettings => {
            let settings = settings().await;
            let place = chrome::local_get(SETTINGS_PLACE_KEY)
                .await
                .ok()
                .flatten()
                .unwrap_or(Value::from("sync"));
            Ok(ok_reply(&json!({
                "settings": &*settings,
                "operator": operator().await,
                "stored_in": place,
            })))
        }
        Request::SetOperator { operator } => {
            let value = operator.clone().map(Value::from).unwrap_or(Value::Null);
            chrome::local_set(OPERATOR_KEY, &value).await?;
            STATE.with(|s| s.borrow_mut().operator = Some(operator.clone()));
            Ok(ok_reply(&json!({ "operator": operator })))
        }
        Request::SetSettings { settings } => {
            let parsed: Settings = crate::protocol::from_value(&settings)
                .map_err(|e| format!("These settings are unreadable: {e}"))?;
            if let Err(errors) = parsed.validate() {
                return Ok(json!({
                    "ok": false,
                    "error": errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "),
                    "fields": errors,
                })
                .to_string());
            }
            let place = save_settings(&parsed).await?;
            history_changed();
            Ok(ok_reply(&json!({ "settings": parsed, "stored_in": place })))
        }
        Request::ImportBatch {
            import_id,
            file,
            batch,
        } => {
            let reply = store()
                .await?
                .write_batch(&import_id, &file, &batch)
                .await
                .map_err(user_error)?;
            history_changed();
            Ok(ok_reply(&reply))
        }
        Request::CancelImport { import_id } => {
            let removed = store()
                .await?
                .cancel_import(&import_id)
                .await
                .map_err(user_error)?;
            history_changed();
            Ok(ok_reply(&json!({ "messages_removed": removed })))
        }
        Request::Export {
            bodies,
            after,
            limit,
        } => Ok(ok_reply(&export(bodies, after, limit).await?)),
        Request::Restore { backup } => Ok(ok_reply(&restore(backup).await?)),
        Request::Erase => {
            store().await?.erase().await.map_err(user_error)?;
            history_changed();
            // The popup's undo list names contacts that no longer exist.
            let _ = chrome::session_set(chrome::POPUP_UNDO_KEY, &json!([])).await;
            Ok(ok_reply(&json!({})))
        }
        Request::Stats => {
            let (contacts, messages) = store().await?.counts().await.map_err(user_error)?;
            let bytes = store::storage_used().await;
            Ok(ok_reply(
                &json!({ "contacts": contacts, "messages": messages, "bytes": bytes }),
            ))
        }
    }
}
