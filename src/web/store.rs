//! The history store: the extension origin's IndexedDB, reached through `idb`.
//!
//! Only the background service opens it. Layout (schema version [`SCHEMA_VERSION`]):
//! - `contacts` (key `id`): a [`Contact`] without its user-entered tags, plus
//!   `identity_keys` (unique, multi-entry index `identity`: one person per address or
//!   profile), `name_keys` (multi-entry index `name`, for name-match suggestions and
//!   search) and `search_keys` (multi-entry index `search`: [`crate::search::contact_keys`], so a
//!   search is a few key-range lookups, never a read of every contact).
//! - `notes` (key `contact`): tags and per-rule exceptions. Kept apart from `contacts`
//!   so no import can overwrite what the user typed. `search_keys` (multi-entry index
//!   `search`): the preferred name and nicknames, [`crate::search::tag_keys`].
//! - `messages` (key `id`: the source's own id or a content fingerprint) with indexes
//!   `party_time` (multi-entry `[identity key, time]`: a person's thread in time
//!   order), `conversation`, `fingerprint` (cross-source dedupe: the same message
//!   recorded from the page and later imported), `band_time` (multi-entry
//!   `[band key, time]` of sent messages: the near-duplicate lookup the engine's
//!   `slice_keys` asks for, without reading every message) and `import` (what one
//!   import added, so Cancel can take it back).
//!   Each message record also holds `facts` (v3): what the engine derives from its text
//!   ([`MessageFacts`]), so a verdict indexes a thread without re-reading the texts.
//! - `recency` (key `[time, identity key]`, value `{ import }` with index `import`):
//!   when a batch last exchanged a message with someone, for "recent contacts". Kept
//!   out of `contacts` because a batch of messages touches hundreds of people: bumping
//!   a time inside each contact rewrote every one of its index entries (measured:
//!   a quarter of a message batch's commit). Entries are only ever added; the newest
//!   per person counts.
//! - `imports` (key `import_id`): the import log.
//! - `meta` (key `key`): `data_version`, the version the records were migrated to.
//!
//! Every write is one transaction, and nothing but IndexedDB requests is awaited
//! inside it: the transaction auto-commits as soon as the event loop turns with no
//! request pending. A batch reads everything it needs first (all requests issued at
//! once, then one await), computes, then issues its writes and awaits the commit. Any
//! failure aborts the transaction, so a batch is written entirely or not at all.

use crate::engine::MessageFacts;
use crate::identity::name_key;
use crate::import::{ContactHistory, ImportBatch};
use crate::model::{Contact, Direction, Identity, Message, Millis, RuleException, Tags};
use crate::protocol::ImportBatchReply;
use idb::{
    CursorDirection, Database, Factory, IndexParams, KeyPath, KeyRange, ObjectStoreParams, Query,
    Request as _, Transaction, TransactionMode,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::cell::Cell;
use std::collections::{BTreeSet, HashMap, HashSet};
use wasm_bindgen::prelude::*;
use web_sys::{IdbDatabase, IdbTransaction};

/// The result of a finished request, whatever its kind.
trait ResultOf {
    fn result_value(&self) -> Result<JsValue, idb::Error>;
}

impl<R: idb::Request> ResultOf for R {
    fn result_value(&self) -> Result<JsValue, idb::Error> {
        self.result()
    }
}

pub const DB_NAME: &str = "rapport";
/// Bump with a new step in [`upgrade_schema`] and, when records change shape, in
/// [`migrate_records`]. Every version ever shipped must keep upgrading.
pub const SCHEMA_VERSION: u32 = 3;

const CONTACTS: &str = "contacts";
const NOTES: &str = "notes";
const MESSAGES: &str = "messages";
const IMPORTS: &str = "imports";
const RECENCY: &str = "recency";
const META: &str = "meta";

/// Records read and rewritten at a time by a migration (one transaction throughout).
const MIGRATE_PAGE: u32 = 1_000;

/// The most contacts one search returns.
pub const SEARCH_MAX: usize = 1_000;

/// How many times an upgrade blocked by an old connection is retried.
const BLOCKED_RETRIES: u32 = 5;

/// Free disk space a write must leave besides what taking its import back needs
/// (Chromium's own writes: compaction, the service worker's files).
const DISK_RESERVE_BYTES: u64 = 16 << 20;
/// [`ImportLog::status`] of an import taken back.
const CANCELLED: &str = "cancelled";

/// Whether a write's import may be taken back as a whole, which needs disk room.
#[derive(Clone, Copy)]
enum Takeback {
    Possible,
    Never,
}

/// An error worth showing the user: one plain sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError {
    pub message: String,
    /// The browser refused to store more (quota): the batch was not written.
    pub quota: bool,
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

pub const QUOTA_MESSAGE: &str = "The browser refused to store more history: the disk quota for Rapport is \
     full. Nothing from this batch was saved. Free disk space or erase old history, then import again.";

impl StoreError {
    fn new(message: impl Into<String>) -> Self {
        StoreError {
            message: message.into(),
            quota: false,
        }
    }

    fn quota() -> Self {
        StoreError {
            message: QUOTA_MESSAGE.into(),
            quota: true,
        }
    }

    /// Names the DOMException when there is one: `QuotaExceededError` becomes the
    /// quota sentence, anything else says what failed.
    fn from_dom(what: &str, name: &str, detail: &str) -> Self {
        if name == "QuotaExceededError" || detail.contains("QuotaExceeded") {
            return StoreError::quota();
        }
        StoreError::new(format!(
            "Rapport could not {what}: {name} {detail}. Nothing was changed."
        ))
    }
}

fn idb_err(what: &'static str) -> impl Fn(idb::Error) -> StoreError {
    move |e| {
        let text = e.to_string();
        StoreError::from_dom(what, "IndexedDB error", &text)
    }
}

thread_local! {
    /// A fault the next write transaction raises after issuing its writes, as the
    /// browser would: only the wasm tests set it (there is no portable way to fill a
    /// disk quota in a test).
    static INJECTED_FAULT: Cell<Option<&'static str>> = const { Cell::new(None) };
}

/// Makes the next batch write fail with this DOMException name (e.g.
/// `"QuotaExceededError"`) after its writes were issued. For tests.
#[doc(hidden)]
pub fn inject_fault_for_tests(name: &'static str) {
    INJECTED_FAULT.with(|f| f.set(Some(name)));
}

// ---------------------------------------------------------------- records

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ContactRecord {
    pub id: String,
    /// Tags and exceptions are always empty here (they live in `notes`).
    pub contact: Contact,
    pub identity_keys: Vec<String>,
    pub name_keys: Vec<String>,
    pub search_keys: Vec<String>,
    /// Counts and dates from a shared relationship book, when that is all we have.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<ContactHistory>,
    /// v2's time of the latest message, read only to carry it into `recency` (v3).
    #[serde(rename = "last", default, skip_serializing)]
    legacy_last: Millis,
    /// The import that created the record (Cancel removes it if nothing else touched it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
}

impl ContactRecord {
    fn new(contact: Contact) -> Self {
        let mut record = ContactRecord {
            id: contact.id.clone(),
            contact,
            ..Default::default()
        };
        record.contact.tags = Tags::default();
        record.contact.exceptions.clear();
        record.reindex();
        record
    }

    fn reindex(&mut self) {
        self.contact.id = self.id.clone();
        self.identity_keys = self.contact.identities.iter().map(Identity::key).collect();
        let mut names: Vec<String> = Vec::new();
        for n in &self.contact.names {
            let k = name_key(n);
            if !k.is_empty() && !names.contains(&k) {
                names.push(k);
            }
        }
        self.name_keys = names;
        self.search_keys = crate::search::contact_keys(&self.contact);
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NotesRecord {
    pub contact: String,
    pub tags: Tags,
    pub exceptions: Vec<RuleException>,
    pub search_keys: Vec<String>,
}

impl NotesRecord {
    /// Recomputes the search keys from the tags: call before every write.
    fn reindex(&mut self) {
        self.search_keys = crate::search::tag_keys(&self.tags);
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MessageRecord {
    pub id: String,
    pub message: Message,
    pub party_time: Vec<(String, Millis)>,
    #[serde(default)]
    pub band_time: Vec<(String, Millis)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation: Option<String>,
    pub fingerprint: String,
    #[serde(default)]
    pub import: String,
    pub time: Millis,
    /// What the engine reads from the text, derived once when stored (v3): a woken
    /// service worker indexes a thread from these without re-reading every text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facts: Option<MessageFacts>,
}

/// The identity keys of the other side: recipients of a sent message, the sender of a
/// received one.
pub fn party_keys(message: &Message) -> Vec<String> {
    let parties: Vec<&crate::model::Party> = match message.direction {
        Direction::Sent => message.to.iter().collect(),
        Direction::Received => vec![&message.from],
    };
    let mut keys: Vec<String> = Vec::new();
    for p in parties {
        if let Some(i) = &p.identity {
            let k = i.key();
            if !keys.contains(&k) {
                keys.push(k);
            }
        }
    }
    keys
}

/// Same message, whatever the source: direction, channel, minute, other side and the
/// text with line endings and spacing folded.
pub fn message_fingerprint(message: &Message) -> String {
    let text: String = message
        .text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let mut parties = party_keys(message);
    parties.sort();
    let minute = (message.time / 60_000).to_string();
    crate::import::fingerprint(&[
        if message.direction == Direction::Sent {
            b"s"
        } else {
            b"r"
        },
        message.channel.as_str().as_bytes(),
        minute.as_bytes(),
        parties.join(",").as_bytes(),
        text.as_bytes(),
    ])
}

impl MessageRecord {
    pub fn new(message: Message, import: &str) -> Self {
        let time = message.time;
        let party_time = party_keys(&message)
            .into_iter()
            .map(|k| (k, time))
            .collect();
        let facts = MessageFacts::of(&message);
        let band_time = facts.band_keys().into_iter().map(|b| (b, time)).collect();
        MessageRecord {
            id: message.id.clone(),
            fingerprint: message_fingerprint(&message),
            conversation: message.conversation.clone(),
            party_time,
            band_time,
            import: import.to_owned(),
            time,
            message,
            facts: Some(facts),
        }
    }

    /// The message with its facts, derived again when missing or from another engine
    /// version.
    fn into_known(self) -> KnownMessage {
        let facts = match self.facts {
            Some(f) if f.is_current() => f,
            _ => MessageFacts::of(&self.message),
        };
        KnownMessage {
            message: self.message,
            facts,
        }
    }
}

/// A stored message with what the engine derived from its text
/// ([`crate::engine::Index::add_message_with_facts`]).
#[derive(Debug, Clone)]
pub struct KnownMessage {
    pub message: Message,
    pub facts: MessageFacts,
}

/// What one verdict needs ([`crate::engine::slice_keys`]), read in one transaction.
#[derive(Debug, Default)]
pub struct RecipientSlice {
    pub contacts: Vec<Contact>,
    pub histories: Vec<ContactHistory>,
    /// Every message exchanged with any identity of those contacts, oldest first.
    pub messages: Vec<KnownMessage>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ImportLog {
    pub import_id: String,
    pub file: String,
    pub started: Millis,
    pub updated: Millis,
    pub batches: u64,
    pub contacts_added: u64,
    pub messages_added: u64,
    pub duplicates: u64,
    pub skipped: u64,
    pub bytes_read: u64,
    /// About how much this import stored (its batches' JSON size): what taking it
    /// back will need free on disk.
    pub bytes_written: u64,
    /// `running`, `cancelled`.
    pub status: String,
}

// ---------------------------------------------------------------- JS bridging

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, StoreError> {
    let json = serde_json::to_string(value).map_err(|e| StoreError::new(e.to_string()))?;
    js_sys::JSON::parse(&json).map_err(|_| StoreError::new("could not encode a record"))
}

fn from_js<T: DeserializeOwned>(value: &JsValue) -> Result<T, StoreError> {
    let json: String = js_sys::JSON::stringify(value)
        .map_err(|_| StoreError::new("could not read a stored record"))?
        .into();
    serde_json::from_str(&json)
        .map_err(|e| StoreError::new(format!("a stored record is unreadable: {e}")))
}

fn from_js_opt<T: DeserializeOwned>(value: &JsValue) -> Result<Option<T>, StoreError> {
    if value.is_undefined() || value.is_null() {
        Ok(None)
    } else {
        from_js(value).map(Some)
    }
}

fn from_js_array<T: DeserializeOwned>(values: Vec<JsValue>) -> Result<Vec<T>, StoreError> {
    // One stringify and one parse for the whole list: crossing the JS boundary per
    // record costs more than the bytes.
    let array: js_sys::Array = values.into_iter().collect();
    from_js(&array)
}

/// Many records to JS objects with one serialize and one parse.
fn to_js_all<T: Serialize>(values: &[T]) -> Result<js_sys::Array, StoreError> {
    to_js(&values)?
        .dyn_into::<js_sys::Array>()
        .map_err(|_| StoreError::new("could not encode records"))
}

fn messages_of(values: Vec<JsValue>) -> Result<Vec<Message>, StoreError> {
    Ok(from_js_array::<MessageRecord>(values)?
        .into_iter()
        .map(|r| r.message)
        .collect())
}

fn now() -> Millis {
    js_sys::Date::now() as Millis
}

/// `[key, from] ..= [key, to]` over a compound `[string, number]` index.
fn pair_range(key: &str, from: f64, to: f64) -> Result<Query, StoreError> {
    let lower = js_sys::Array::of2(&JsValue::from_str(key), &JsValue::from_f64(from));
    let upper = js_sys::Array::of2(&JsValue::from_str(key), &JsValue::from_f64(to));
    KeyRange::bound(&lower, &upper, Some(false), Some(false))
        .map(Query::from)
        .map_err(idb_err("build a key range"))
}

fn key_of(s: &str) -> Query {
    Query::from(JsValue::from_str(s))
}

// ---------------------------------------------------------------- schema

/// Structural changes, run inside the browser's versionchange transaction. Records
/// are rewritten afterwards by [`migrate_records`], in an ordinary transaction, so
/// every step here is synchronous.
fn upgrade_schema(
    db: &Database,
    tx: &Transaction,
    old: u32,
    target: u32,
) -> Result<(), idb::Error> {
    let params = |key: &str| {
        let mut p = ObjectStoreParams::new();
        p.key_path(Some(KeyPath::new_single(key)));
        p
    };
    let multi = |unique: bool| {
        let mut p = IndexParams::new();
        p.multi_entry(true);
        p.unique(unique);
        p
    };
    if old < 1 && target >= 1 {
        let contacts = db.create_object_store(CONTACTS, params("id"))?;
        contacts.create_index(
            "identity",
            KeyPath::new_single("identity_keys"),
            Some(multi(true)),
        )?;
        contacts.create_index("name", KeyPath::new_single("name_keys"), Some(multi(false)))?;
        let messages = db.create_object_store(MESSAGES, params("id"))?;
        messages.create_index("party", KeyPath::new_single("parties"), Some(multi(false)))?;
        messages.create_index("conversation", KeyPath::new_single("conversation"), None)?;
        messages.create_index("fingerprint", KeyPath::new_single("fingerprint"), None)?;
        db.create_object_store(IMPORTS, params("import_id"))?;
        db.create_object_store(META, params("key"))?;
    }
    if old < 2 && target >= 2 {
        // v2: tags move to their own store, threads are read in time order, and sent
        // messages carry band keys so near-duplicates are found without a scan.
        db.create_object_store(NOTES, params("contact"))?;
        let contacts = tx.object_store(CONTACTS)?;
        contacts.create_index("last", KeyPath::new_single("last"), None)?;
        let messages = tx.object_store(MESSAGES)?;
        messages.delete_index("party")?;
        messages.create_index(
            "party_time",
            KeyPath::new_single("party_time"),
            Some(multi(false)),
        )?;
        messages.create_index(
            "band_time",
            KeyPath::new_single("band_time"),
            Some(multi(false)),
        )?;
        messages.create_index("import", KeyPath::new_single("import"), None)?;
    }
    if old < 3 && target >= 3 {
        // v3: search by key ranges over persisted keys, not a scan of every contact.
        let search = || KeyPath::new_single("search_keys");
        tx.object_store(CONTACTS)?
            .create_index("search", search(), Some(multi(false)))?;
        tx.object_store(NOTES)?
            .create_index("search", search(), Some(multi(false)))?;
        // "Recent" moves from a time inside each contact to its own store (see the
        // module docs); `migrate_records` carries the times over.
        tx.object_store(CONTACTS)?.delete_index("last")?;
        db.create_object_store(RECENCY, ObjectStoreParams::new())?
            .create_index("import", KeyPath::new_single("import"), None)?;
        // Message records also carry the engine's facts ([`MessageFacts`]), added by
        // `migrate_records`.
    }
    Ok(())
}

async fn data_version(db: &Database) -> Result<u32, StoreError> {
    let tx = db
        .transaction(&[META], TransactionMode::ReadOnly)
        .map_err(idb_err("open its database"))?;
    let value = tx
        .object_store(META)
        .map_err(idb_err("open its database"))?
        .get(key_of("data_version"))
        .map_err(idb_err("open its database"))?
        .await
        .map_err(idb_err("open its database"))?;
    let meta: Option<MetaRecord> = from_js_opt(&value.unwrap_or(JsValue::UNDEFINED))?;
    Ok(meta.and_then(|m| m.value.as_u64()).map_or(0, |v| v as u32))
}

#[derive(Serialize, Deserialize)]
struct MetaRecord {
    key: String,
    value: serde_json::Value,
}

/// Version-1 records, as v1 wrote them: tags and exceptions inside the contact, the
/// other side of a message as `parties` (no time), no band keys, no import id.
#[derive(Deserialize)]
struct V1Message {
    message: Message,
}

/// Rewrites records written by older versions, in one transaction: either all of
/// them move to the new shape or none do (and the next open tries again).
async fn migrate_records(db: &Database) -> Result<(), StoreError> {
    // Every wake checks; a read-only look keeps the usual case cheap and unblocking.
    if data_version(db).await? >= SCHEMA_VERSION {
        return Ok(());
    }
    let tx = db
        .transaction(
            &[META, CONTACTS, NOTES, MESSAGES, RECENCY],
            TransactionMode::ReadWrite,
        )
        .map_err(idb_err("open a migration"))?;
    let recency = tx.object_store(RECENCY).map_err(idb_err("migrate"))?;
    let meta = tx.object_store(META).map_err(idb_err("migrate"))?;
    let current: Option<MetaRecord> = from_js_opt(
        &meta
            .get(key_of("data_version"))
            .map_err(idb_err("migrate"))?
            .await
            .map_err(idb_err("migrate"))?
            .unwrap_or(JsValue::UNDEFINED),
    )?;
    let version = current
        .and_then(|m| m.value.as_u64())
        .map(|v| v as u32)
        // A database that never recorded a data version was created by v1 if it has
        // anything in it; an empty one needs no migration.
        .unwrap_or(1);
    if version >= SCHEMA_VERSION {
        return Ok(());
    }
    if version < 2 {
        let contacts = tx.object_store(CONTACTS).map_err(idb_err("migrate"))?;
        let notes = tx.object_store(NOTES).map_err(idb_err("migrate"))?;
        let messages = tx.object_store(MESSAGES).map_err(idb_err("migrate"))?;
        let all_contacts = contacts
            .get_all(None, None)
            .map_err(idb_err("migrate"))?
            .await
            .map_err(idb_err("migrate"))?;
        let all_messages = messages
            .get_all(None, None)
            .map_err(idb_err("migrate"))?
            .await
            .map_err(idb_err("migrate"))?;
        let mut records: Vec<ContactRecord> = from_js_array(all_contacts)?;
        let mut last: HashMap<String, Millis> = HashMap::new();
        for value in &all_messages {
            let old: V1Message = from_js(value)?;
            let record = MessageRecord::new(old.message, "");
            for (k, t) in &record.party_time {
                let e = last.entry(k.clone()).or_insert(0);
                *e = (*e).max(*t);
            }
            messages
                .put(&to_js(&record)?, None)
                .map_err(idb_err("migrate"))?;
        }
        for (party, time) in &last {
            put_recency(&recency, *time, party, "")?;
        }
        for record in &mut records {
            let tags = std::mem::take(&mut record.contact.tags);
            let exceptions = std::mem::take(&mut record.contact.exceptions);
            if tags != Tags::default() || !exceptions.is_empty() {
                let mut note = NotesRecord {
                    contact: record.id.clone(),
                    tags,
                    exceptions,
                    ..Default::default()
                };
                note.reindex();
                notes
                    .put(&to_js(&note)?, None)
                    .map_err(idb_err("migrate"))?;
            }
            record.reindex();
            contacts
                .put(&to_js(record)?, None)
                .map_err(idb_err("migrate"))?;
        }
    }
    if version < 3 {
        // Search keys for every contact and every set of tags, and v2's "latest
        // message" times into `recency`. Reads here see the writes of the step above
        // (same transaction).
        let contacts = tx.object_store(CONTACTS).map_err(idb_err("migrate"))?;
        rewrite_pages(
            &contacts,
            |r: &ContactRecord| r.id.clone(),
            |r: &mut ContactRecord| {
                r.reindex();
                for k in &r.identity_keys {
                    put_recency(&recency, r.legacy_last, k, "")?;
                }
                Ok(())
            },
        )
        .await?;
        let notes = tx.object_store(NOTES).map_err(idb_err("migrate"))?;
        rewrite_pages(
            &notes,
            |n: &NotesRecord| n.contact.clone(),
            |n: &mut NotesRecord| {
                n.reindex();
                Ok(())
            },
        )
        .await?;
    }
    if version == 2 {
        // Each message's engine facts (v1 records got theirs when rewritten above).
        let messages = tx.object_store(MESSAGES).map_err(idb_err("migrate"))?;
        rewrite_pages(
            &messages,
            |r: &MessageRecord| r.id.clone(),
            |r: &mut MessageRecord| {
                if !r.facts.as_ref().is_some_and(MessageFacts::is_current) {
                    r.facts = Some(MessageFacts::of(&r.message));
                }
                Ok(())
            },
        )
        .await?;
    }
    let done = MetaRecord {
        key: "data_version".into(),
        value: SCHEMA_VERSION.into(),
    };
    meta.put(&to_js(&done)?, None).map_err(idb_err("migrate"))?;
    commit(tx, "migrate stored history").await
}

/// Rewrites every record of `store` through `edit`, a page at a time in key order, so
/// a large history is never all in memory; the caller's transaction spans every page.
async fn rewrite_pages<T: Serialize + DeserializeOwned>(
    store: &idb::ObjectStore,
    key: impl Fn(&T) -> String,
    edit: impl Fn(&mut T) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let e = idb_err("migrate");
    let mut after: Option<String> = None;
    loop {
        let range = match &after {
            Some(k) => Some(Query::from(
                KeyRange::lower_bound(&JsValue::from_str(k), Some(true)).map_err(&e)?,
            )),
            None => None,
        };
        let values = store
            .get_all(range, Some(MIGRATE_PAGE))
            .map_err(&e)?
            .await
            .map_err(&e)?;
        let full_page = values.len() == MIGRATE_PAGE as usize;
        let mut records: Vec<T> = from_js_array(values)?;
        records.iter_mut().try_for_each(&edit)?;
        for record in to_js_all(&records)?.iter() {
            store.put(&record, None).map_err(&e)?;
        }
        match records.last() {
            Some(last) if full_page => after = Some(key(last)),
            _ => return Ok(()),
        }
    }
}

/// A second handle on the same transaction, to read its error after `commit` or
/// `abort` consumed the first.
fn handle(tx: Transaction) -> (Transaction, IdbTransaction) {
    let raw: IdbTransaction = tx.into();
    (Transaction::from(raw.clone()), raw)
}

async fn commit(tx: Transaction, what: &'static str) -> Result<(), StoreError> {
    let (tx, raw) = handle(tx);
    let result = tx.commit().map_err(idb_err(what))?.await;
    match result {
        Ok(r) if r.is_committed() => Ok(()),
        Ok(_) => Err(transaction_failure(&raw, what, None)),
        Err(e) => Err(transaction_failure(&raw, what, Some(e))),
    }
}

fn transaction_failure(raw: &IdbTransaction, what: &str, e: Option<idb::Error>) -> StoreError {
    match raw.error() {
        Some(dom) => StoreError::from_dom(what, &dom.name(), &dom.message()),
        None => match e {
            Some(e) => StoreError::from_dom(what, "IndexedDB error", &e.to_string()),
            None => StoreError::new(format!(
                "Rapport could not {what}: the write was cancelled. Nothing was changed."
            )),
        },
    }
}

// ---------------------------------------------------------------- the store

/// An open connection. Cheap to clone (a handle).
#[derive(Clone)]
pub struct Store {
    raw: IdbDatabase,
}

impl Store {
    /// Opens (creating or upgrading) the database at the current schema version.
    pub async fn open(name: &str) -> Result<Store, StoreError> {
        let store = Store::open_at(name, SCHEMA_VERSION).await?;
        migrate_records(&store.db()).await?;
        Ok(store)
    }

    /// Opens at a given schema version without migrating records: how the upgrade
    /// tests write real data in an older layout.
    pub async fn open_at(name: &str, version: u32) -> Result<Store, StoreError> {
        let mut attempt = 0;
        loop {
            match open_once(name, version).await {
                Ok(raw) => return Ok(Store { raw }),
                Err(OpenError::Blocked) if attempt < BLOCKED_RETRIES => {
                    attempt += 1;
                    web_sys::console::warn_1(
                        &format!(
                            "Rapport: database upgrade blocked by an open tab; retry {attempt}"
                        )
                        .into(),
                    );
                    sleep(200 * attempt as i32).await;
                }
                Err(OpenError::Blocked) => {
                    return Err(StoreError::new(
                        "Rapport's database upgrade is blocked by another open Rapport page. \
                         Close other Rapport tabs (options, popup) and try again.",
                    ))
                }
                Err(OpenError::Failed(e)) => return Err(e),
            }
        }
    }

    fn db(&self) -> Database {
        Database::from(self.raw.clone())
    }

    pub fn close(&self) {
        self.raw.close();
    }

    pub fn version(&self) -> u32 {
        self.raw.version() as u32
    }

    fn tx(&self, stores: &[&str], mode: TransactionMode) -> Result<Transaction, StoreError> {
        self.db()
            .transaction(stores, mode)
            .map_err(idb_err("start a transaction"))
    }

    /// Writes one batch of an import in one transaction; re-writing the same batch adds
    /// nothing. The disk must keep room to take the whole import back (Cancel).
    pub async fn write_batch(
        &self,
        import_id: &str,
        file: &str,
        batch: &ImportBatch,
    ) -> Result<ImportBatchReply, StoreError> {
        self.write(import_id, file, batch, Takeback::Possible).await
    }

    /// Writes messages recorded from a page (sent, seen) under that site's standing
    /// import. Nobody takes those back as a whole, so they need room for themselves
    /// only: otherwise the reserve would grow with everything ever recorded.
    pub async fn write_recorded(
        &self,
        import_id: &str,
        batch: &ImportBatch,
    ) -> Result<ImportBatchReply, StoreError> {
        self.write(import_id, "page", batch, Takeback::Never).await
    }

    async fn write(
        &self,
        import_id: &str,
        file: &str,
        batch: &ImportBatch,
        takeback: Takeback,
    ) -> Result<ImportBatchReply, StoreError> {
        // Everything that needs no database comes first, before this batch takes its
        // turn: while an import's previous batch commits (the browser's work), the
        // next one is parsed, its facts derived and its records encoded.
        let batch_bytes = serde_json::to_string(batch).map_or(0, |json| json.len()) as u64;
        let prepared = PreparedMessages::new(&batch.messages, import_id)?;
        let turn = WriteTurn::take().await;
        let room = RoomCheck {
            free: storage_room().await,
            batch_bytes,
            takeback,
        };
        let tx = self.tx(
            &[CONTACTS, NOTES, MESSAGES, IMPORTS, RECENCY],
            TransactionMode::ReadWrite,
        )?;
        // Transactions over the same stores run in the order they were created, so the
        // next batch may go on: its transaction starts only when this one is done.
        drop(turn);
        let written = write_in(&tx, import_id, file, batch, prepared, &room).await;
        let failure = match written {
            Ok(reply) => {
                if let Some(fault) = INJECTED_FAULT.with(|f| f.take()) {
                    let _ = tx.abort();
                    return Err(StoreError::from_dom("save the import", fault, ""));
                }
                match commit(tx, "save the import").await {
                    Ok(()) => return Ok(reply),
                    Err(e) => e,
                }
            }
            Err(e) => {
                let (tx, raw) = handle(tx);
                let _ = tx.abort();
                // The browser's own reason (quota, constraint) is better than ours.
                match raw.error() {
                    Some(dom) => {
                        StoreError::from_dom("save the import", &dom.name(), &dom.message())
                    }
                    None => e,
                }
            }
        };
        Err(disk_full_is_quota(failure, batch_bytes).await)
    }

    /// Takes back everything one import added (its messages, and the contacts it
    /// created), in one transaction.
    pub async fn cancel_import(&self, import_id: &str) -> Result<u64, StoreError> {
        // Taking an import back writes an undo log about its size (see `check_room`):
        // on a disk without that room Chromium would meet a full disk mid-transaction.
        let written = self
            .import_log(import_id)
            .await?
            .map_or(0, |log| log.bytes_written);
        if let Some(room) = storage_room().await {
            if room < (2 * written) as f64 {
                return Err(StoreError::new(format!(
                    "There is not enough free disk space to take this import back safely \
                     (Rapport needs about {} MB). Nothing was changed; free disk space, then \
                     cancel again.",
                    (2 * written).div_ceil(1 << 20)
                )));
            }
        }
        let tx = self.tx(
            &[CONTACTS, NOTES, MESSAGES, IMPORTS, RECENCY],
            TransactionMode::ReadWrite,
        )?;
        let e = idb_err("cancel the import");
        let messages = tx.object_store(MESSAGES).map_err(&e)?;
        let contacts = tx.object_store(CONTACTS).map_err(&e)?;
        let all = contacts
            .get_all(None, None)
            .map_err(&e)?
            .await
            .map_err(&e)?;
        let records: Vec<ContactRecord> = from_js_array(all)?;
        let removed = delete_by_import(&messages, import_id, &e).await?;
        for r in records
            .iter()
            .filter(|r| r.created_by.as_deref() == Some(import_id))
        {
            contacts.delete(key_of(&r.id)).map_err(&e)?;
        }
        let recency = tx.object_store(RECENCY).map_err(&e)?;
        delete_by_import(&recency, import_id, &e).await?;
        let imports = tx.object_store(IMPORTS).map_err(&e)?;
        let log: Option<ImportLog> = from_js_opt(
            &imports
                .get(key_of(import_id))
                .map_err(&e)?
                .await
                .map_err(&e)?
                .unwrap_or(JsValue::UNDEFINED),
        )?;
        if let Some(mut log) = log {
            log.status = CANCELLED.into();
            log.updated = now();
            log.messages_added = 0;
            log.contacts_added = 0;
            imports.put(&to_js(&log)?, None).map_err(&e)?;
        }
        commit(tx, "cancel the import").await?;
        Ok(removed)
    }

    pub async fn import_log(&self, import_id: &str) -> Result<Option<ImportLog>, StoreError> {
        let tx = self.tx(&[IMPORTS], TransactionMode::ReadOnly)?;
        let e = idb_err("read the import log");
        let value = tx
            .object_store(IMPORTS)
            .map_err(&e)?
            .get(key_of(import_id))
            .map_err(&e)?
            .await
            .map_err(&e)?;
        from_js_opt(&value.unwrap_or(JsValue::UNDEFINED))
    }

    /// Contacts holding any of these identity keys, with their notes applied.
    pub async fn contacts_by_identity(&self, keys: &[String]) -> Result<Vec<Contact>, StoreError> {
        self.contacts_by_index("identity", keys).await
    }

    /// Contacts whose names fold to any of these name keys, with notes applied.
    pub async fn contacts_by_name(&self, keys: &[String]) -> Result<Vec<Contact>, StoreError> {
        self.contacts_by_index("name", keys).await
    }

    async fn contacts_by_index(
        &self,
        index: &str,
        keys: &[String],
    ) -> Result<Vec<Contact>, StoreError> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let tx = self.tx(&[CONTACTS, NOTES], TransactionMode::ReadOnly)?;
        let e = idb_err("read contacts");
        let idx = tx
            .object_store(CONTACTS)
            .map_err(&e)?
            .index(index)
            .map_err(&e)?;
        let mut requests = Vec::new();
        for k in keys {
            requests.push(idx.get_all(Some(key_of(k)), None).map_err(&e)?);
        }
        let mut seen = HashSet::new();
        let mut records = Vec::new();
        for r in requests {
            for value in r.await.map_err(&e)? {
                let record: ContactRecord = from_js(&value)?;
                if seen.insert(record.id.clone()) {
                    records.push(record);
                }
            }
        }
        with_notes(&tx, records).await
    }

    /// Contacts matching a search, best first (see [`crate::search`]): a few key-range
    /// lookups on the `search` indexes, each with a limit, then only the candidates
    /// are read, all in one transaction. Within a rank, the first `limit` in key order
    /// are the ones ranked. At most [`SEARCH_MAX`] results.
    pub async fn search(&self, query: &str, limit: usize) -> Result<Vec<Contact>, StoreError> {
        let query = crate::search::SearchQuery::new(query);
        let limit = limit.min(SEARCH_MAX);
        if query.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let tx = self.tx(&[CONTACTS, NOTES], TransactionMode::ReadOnly)?;
        let e = idb_err("search contacts");
        // A contact has several keys under one prefix (two names, a nickname): read
        // more keys than needed, and read again with more when that was not enough.
        let mut per_prefix = limit * 4;
        let ids = loop {
            match search_ids(&tx, &query, limit, per_prefix).await? {
                (ids, true) => break ids,
                _ => per_prefix = per_prefix.saturating_mul(4),
            }
        };
        // Each candidate's record and tags, all requested at once; ranked by their
        // stored keys, so no name is folded again.
        let contacts = tx.object_store(CONTACTS).map_err(&e)?;
        let notes = tx.object_store(NOTES).map_err(&e)?;
        let requests = ids
            .iter()
            .map(|id| {
                Ok((
                    contacts.get(key_of(id)).map_err(&e)?,
                    notes.get(key_of(id)).map_err(&e)?,
                ))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let mut candidates = Vec::with_capacity(ids.len());
        for (record, note) in requests {
            let record: Option<ContactRecord> =
                from_js_opt(&record.await.map_err(&e)?.unwrap_or(JsValue::UNDEFINED))?;
            let note: Option<NotesRecord> =
                from_js_opt(&note.await.map_err(&e)?.unwrap_or(JsValue::UNDEFINED))?;
            if let Some(mut record) = record {
                let mut keys = std::mem::take(&mut record.search_keys);
                if let Some(note) = &note {
                    keys.extend(note.search_keys.iter().cloned());
                }
                candidates.push((apply_notes(record, note), keys));
            }
        }
        Ok(query.rank_all(candidates, limit))
    }

    /// The relationship-book histories stored with these contacts.
    pub async fn histories(&self, ids: &[String]) -> Result<Vec<ContactHistory>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let tx = self.tx(&[CONTACTS], TransactionMode::ReadOnly)?;
        let e = idb_err("read contacts");
        let store = tx.object_store(CONTACTS).map_err(&e)?;
        let mut requests = Vec::new();
        for id in ids {
            requests.push(store.get(key_of(id)).map_err(&e)?);
        }
        let mut out = Vec::new();
        for r in requests {
            let record: Option<ContactRecord> =
                from_js_opt(&r.await.map_err(&e)?.unwrap_or(JsValue::UNDEFINED))?;
            if let Some(h) = record.and_then(|r| r.history) {
                out.push(h);
            }
        }
        Ok(out)
    }

    pub async fn contact(&self, id: &str) -> Result<Option<Contact>, StoreError> {
        Ok(self
            .contact_record(id)
            .await?
            .map(|(r, n)| apply_notes(r, n)))
    }

    async fn contact_record(
        &self,
        id: &str,
    ) -> Result<Option<(ContactRecord, Option<NotesRecord>)>, StoreError> {
        let tx = self.tx(&[CONTACTS, NOTES], TransactionMode::ReadOnly)?;
        let e = idb_err("read a contact");
        let c = tx
            .object_store(CONTACTS)
            .map_err(&e)?
            .get(key_of(id))
            .map_err(&e)?;
        let n = tx
            .object_store(NOTES)
            .map_err(&e)?
            .get(key_of(id))
            .map_err(&e)?;
        let c: Option<ContactRecord> =
            from_js_opt(&c.await.map_err(&e)?.unwrap_or(JsValue::UNDEFINED))?;
        let n: Option<NotesRecord> =
            from_js_opt(&n.await.map_err(&e)?.unwrap_or(JsValue::UNDEFINED))?;
        Ok(c.map(|c| (c, n)))
    }

    /// Every message exchanged with these identity keys, oldest first.
    pub async fn messages_with(&self, keys: &[String]) -> Result<Vec<Message>, StoreError> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let tx = self.tx(&[MESSAGES], TransactionMode::ReadOnly)?;
        let e = idb_err("read messages");
        let idx = tx
            .object_store(MESSAGES)
            .map_err(&e)?
            .index("party_time")
            .map_err(&e)?;
        let mut requests = Vec::new();
        for k in keys {
            requests.push(
                idx.get_all(Some(pair_range(k, f64::NEG_INFINITY, f64::INFINITY)?), None)
                    .map_err(&e)?,
            );
        }
        collect_messages(requests, &e).await
    }

    /// The contacts holding `identity_keys` or whose names fold to `name_keys`, their
    /// relationship-book histories, and every message exchanged with any of their
    /// identities with its facts: what one verdict needs, in one transaction.
    pub async fn recipient_slice(
        &self,
        identity_keys: &[String],
        name_keys: &[String],
    ) -> Result<RecipientSlice, StoreError> {
        if identity_keys.is_empty() && name_keys.is_empty() {
            return Ok(RecipientSlice::default());
        }
        let tx = self.tx(&[CONTACTS, NOTES, MESSAGES], TransactionMode::ReadOnly)?;
        let e = idb_err("read history");
        let contacts = tx.object_store(CONTACTS).map_err(&e)?;
        let by_identity = contacts.index("identity").map_err(&e)?;
        let by_name = contacts.index("name").map_err(&e)?;
        let threads = tx
            .object_store(MESSAGES)
            .map_err(&e)?
            .index("party_time")
            .map_err(&e)?;
        let thread = |key: &str| -> Result<_, StoreError> {
            threads
                .get_all(
                    Some(pair_range(key, f64::NEG_INFINITY, f64::INFINITY)?),
                    None,
                )
                .map_err(&e)
        };
        // Everything known up front at once: the recipients' own threads need not wait
        // for their contact records.
        let mut contact_reqs = Vec::new();
        for k in identity_keys {
            contact_reqs.push(by_identity.get_all(Some(key_of(k)), None).map_err(&e)?);
        }
        for k in name_keys {
            contact_reqs.push(by_name.get_all(Some(key_of(k)), None).map_err(&e)?);
        }
        let asked_contacts = contact_reqs.len();
        for k in identity_keys {
            contact_reqs.push(thread(k)?);
        }
        let mut thread_results = all_results(contact_reqs, &e).await?;
        let contact_results: Vec<JsValue> = thread_results.drain(..asked_contacts).collect();
        let mut seen = HashSet::new();
        let mut records: Vec<ContactRecord> = Vec::new();
        for list in &contact_results {
            for record in from_js::<Vec<ContactRecord>>(list)? {
                if seen.insert(record.id.clone()) {
                    records.push(record);
                }
            }
        }
        let notes = tx.object_store(NOTES).map_err(&e)?;
        let mut note_reqs: Vec<_> = records
            .iter()
            .map(|r| notes.get(key_of(&r.id)).map_err(&e))
            .collect::<Result<_, _>>()?;
        let mut asked: HashSet<&str> = identity_keys.iter().map(String::as_str).collect();
        let mut more_threads = Vec::new();
        for record in &records {
            for k in &record.identity_keys {
                if asked.insert(k) {
                    more_threads.push(thread(k)?);
                }
            }
        }
        // Whichever was issued last is awaited; the others are done by then.
        let last_note = if more_threads.is_empty() {
            match note_reqs.pop() {
                Some(r) => Some(r.await.map_err(&e)?.unwrap_or(JsValue::UNDEFINED)),
                None => None,
            }
        } else {
            thread_results.extend(all_results(more_threads, &e).await?);
            None
        };
        let mut note_values: Vec<JsValue> = note_reqs
            .iter()
            .map(|r| r.result_value().map_err(&e))
            .collect::<Result<_, _>>()?;
        note_values.extend(last_note);
        let histories = records.iter().filter_map(|r| r.history.clone()).collect();
        let mut contacts = Vec::with_capacity(records.len());
        for (record, note) in records.into_iter().zip(&note_values) {
            let note: Option<NotesRecord> = from_js_opt(note)?;
            contacts.push(apply_notes(record, note));
        }
        let mut seen = HashSet::new();
        let mut messages = Vec::new();
        for list in &thread_results {
            for record in from_js::<Vec<MessageRecord>>(list)? {
                if seen.insert(record.id.clone()) {
                    messages.push(record.into_known());
                }
            }
        }
        messages.sort_by_key(|m: &KnownMessage| m.message.time);
        Ok(RecipientSlice {
            contacts,
            histories,
            messages,
        })
    }

    /// Per band key: the sent messages since `since` carrying it, with their facts.
    pub async fn known_by_band(
        &self,
        bands: &[String],
        since: Millis,
    ) -> Result<Vec<Vec<KnownMessage>>, StoreError> {
        if bands.is_empty() {
            return Ok(Vec::new());
        }
        let tx = self.tx(&[MESSAGES], TransactionMode::ReadOnly)?;
        let e = idb_err("read messages");
        let idx = tx
            .object_store(MESSAGES)
            .map_err(&e)?
            .index("band_time")
            .map_err(&e)?;
        let mut requests = Vec::new();
        for b in bands {
            requests.push(
                idx.get_all(Some(pair_range(b, since as f64, f64::INFINITY)?), None)
                    .map_err(&e)?,
            );
        }
        let mut out = Vec::new();
        for list in all_results(requests, &e).await? {
            let records: Vec<MessageRecord> = from_js(&list)?;
            out.push(records.into_iter().map(MessageRecord::into_known).collect());
        }
        Ok(out)
    }

    pub async fn messages_in_conversation(
        &self,
        conversation: &str,
    ) -> Result<Vec<Message>, StoreError> {
        let tx = self.tx(&[MESSAGES], TransactionMode::ReadOnly)?;
        let e = idb_err("read messages");
        let values = tx
            .object_store(MESSAGES)
            .map_err(&e)?
            .index("conversation")
            .map_err(&e)?
            .get_all(Some(key_of(conversation)), None)
            .map_err(&e)?
            .await
            .map_err(&e)?;
        let mut out = messages_of(values)?;
        out.sort_by_key(|m| m.time);
        Ok(out)
    }

    pub async fn has_fingerprint(&self, fingerprint: &str) -> Result<bool, StoreError> {
        let tx = self.tx(&[MESSAGES], TransactionMode::ReadOnly)?;
        let e = idb_err("read messages");
        let n = tx
            .object_store(MESSAGES)
            .map_err(&e)?
            .index("fingerprint")
            .map_err(&e)?
            .count(Some(key_of(fingerprint)))
            .map_err(&e)?
            .await
            .map_err(&e)?;
        Ok(n > 0)
    }

    /// Contacts with the most recent messages first: the newest `recency` entries,
    /// each person once, read until `limit` contacts are found. Contacts without any
    /// message (a LinkedIn export's connections) have no entry and are never walked.
    pub async fn recent_contacts(&self, limit: usize) -> Result<Vec<Contact>, StoreError> {
        let tx = self.tx(&[CONTACTS, NOTES, RECENCY], TransactionMode::ReadOnly)?;
        let e = idb_err("read contacts");
        let by_identity = tx
            .object_store(CONTACTS)
            .map_err(&e)?
            .index("identity")
            .map_err(&e)?;
        let cursor = tx
            .object_store(RECENCY)
            .map_err(&e)?
            .open_key_cursor(None, Some(CursorDirection::Prev))
            .map_err(&e)?
            .await
            .map_err(&e)?;
        let mut records: Vec<ContactRecord> = Vec::new();
        let Some(cursor) = cursor else {
            return Ok(Vec::new());
        };
        let mut cursor = cursor.into_managed();
        let mut parties_seen: HashSet<String> = HashSet::new();
        let mut contacts_seen: HashSet<String> = HashSet::new();
        let mut exhausted = false;
        while records.len() < limit && !exhausted {
            // The next people, newest first; their contacts are looked up together.
            let mut parties: Vec<String> = Vec::new();
            while parties.len() < limit - records.len() {
                let Some(key) = cursor.key().map_err(&e)? else {
                    exhausted = true;
                    break;
                };
                if let Some(party) = js_sys::Array::from(&key).get(1).as_string() {
                    if parties_seen.insert(party.clone()) {
                        parties.push(party);
                    }
                }
                cursor.next(None).await.map_err(&e)?;
            }
            let requests = parties
                .iter()
                .map(|p| by_identity.get(key_of(p)).map_err(&e))
                .collect::<Result<Vec<_>, _>>()?;
            for value in get_results(requests, &e).await? {
                // A person whose contact was erased or merged away has none, or the
                // contact of someone already listed.
                if let Some(record) = from_js_opt::<ContactRecord>(&value)? {
                    if contacts_seen.insert(record.id.clone()) && records.len() < limit {
                        records.push(record);
                    }
                }
            }
        }
        with_notes(&tx, records).await
    }

    /// Every contact with notes applied (search, export): two reads, joined here.
    pub async fn all_contacts(&self) -> Result<Vec<Contact>, StoreError> {
        let tx = self.tx(&[CONTACTS, NOTES], TransactionMode::ReadOnly)?;
        let e = idb_err("read contacts");
        let contacts = tx
            .object_store(CONTACTS)
            .map_err(&e)?
            .get_all(None, None)
            .map_err(&e)?;
        let notes = tx
            .object_store(NOTES)
            .map_err(&e)?
            .get_all(None, None)
            .map_err(&e)?;
        let records: Vec<ContactRecord> = from_js_array(contacts.await.map_err(&e)?)?;
        let notes: Vec<NotesRecord> = from_js_array(notes.await.map_err(&e)?)?;
        let mut notes: HashMap<String, NotesRecord> =
            notes.into_iter().map(|n| (n.contact.clone(), n)).collect();
        Ok(records
            .into_iter()
            .map(|r| {
                let note = notes.remove(&r.id);
                apply_notes(r, note)
            })
            .collect())
    }

    pub async fn all_contact_records(&self) -> Result<Vec<ContactRecord>, StoreError> {
        let tx = self.tx(&[CONTACTS], TransactionMode::ReadOnly)?;
        let e = idb_err("read contacts");
        let values = tx
            .object_store(CONTACTS)
            .map_err(&e)?
            .get_all(None, None)
            .map_err(&e)?
            .await
            .map_err(&e)?;
        from_js_array(values)
    }

    pub async fn all_messages(&self) -> Result<Vec<Message>, StoreError> {
        let tx = self.tx(&[MESSAGES], TransactionMode::ReadOnly)?;
        let e = idb_err("read messages");
        let values = tx
            .object_store(MESSAGES)
            .map_err(&e)?
            .get_all(None, None)
            .map_err(&e)?
            .await
            .map_err(&e)?;
        messages_of(values)
    }

    /// Up to `limit` messages after the record key `after`, in key order, with their
    /// keys: one page of an export, read in its own transaction.
    pub async fn messages_page(
        &self,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<(String, Message)>, StoreError> {
        let tx = self.tx(&[MESSAGES], TransactionMode::ReadOnly)?;
        let e = idb_err("read messages");
        let range = match after {
            Some(key) => Some(Query::from(
                KeyRange::lower_bound(&JsValue::from_str(key), Some(true)).map_err(&e)?,
            )),
            None => None,
        };
        let values = tx
            .object_store(MESSAGES)
            .map_err(&e)?
            .get_all(range, Some(limit))
            .map_err(&e)?
            .await
            .map_err(&e)?;
        Ok(from_js_array::<MessageRecord>(values)?
            .into_iter()
            .map(|r| (r.id, r.message))
            .collect())
    }

    pub async fn counts(&self) -> Result<(u64, u64), StoreError> {
        let tx = self.tx(&[CONTACTS, MESSAGES], TransactionMode::ReadOnly)?;
        let e = idb_err("count history");
        let c = tx
            .object_store(CONTACTS)
            .map_err(&e)?
            .count(None)
            .map_err(&e)?;
        let m = tx
            .object_store(MESSAGES)
            .map_err(&e)?
            .count(None)
            .map_err(&e)?;
        Ok((
            u64::from(c.await.map_err(&e)?),
            u64::from(m.await.map_err(&e)?),
        ))
    }

    /// Deletes all history, tags and the import log, in one transaction.
    pub async fn erase(&self) -> Result<(), StoreError> {
        let tx = self.tx(
            &[CONTACTS, NOTES, MESSAGES, IMPORTS, RECENCY],
            TransactionMode::ReadWrite,
        )?;
        let e = idb_err("erase history");
        for s in [CONTACTS, NOTES, MESSAGES, IMPORTS, RECENCY] {
            tx.object_store(s).map_err(&e)?.clear().map_err(&e)?;
        }
        commit(tx, "erase history").await
    }

    /// Replaces a contact's tags (`tags`) or edits its exceptions.
    pub async fn edit_notes(
        &self,
        contact: &str,
        edit: impl FnOnce(&mut NotesRecord),
    ) -> Result<Contact, StoreError> {
        let tx = self.tx(&[CONTACTS, NOTES], TransactionMode::ReadWrite)?;
        let e = idb_err("save the contact");
        let contacts = tx.object_store(CONTACTS).map_err(&e)?;
        let notes = tx.object_store(NOTES).map_err(&e)?;
        let c = contacts.get(key_of(contact)).map_err(&e)?;
        let n = notes.get(key_of(contact)).map_err(&e)?;
        let record: Option<ContactRecord> =
            from_js_opt(&c.await.map_err(&e)?.unwrap_or(JsValue::UNDEFINED))?;
        let mut note: NotesRecord = from_js_opt(
            &n.await.map_err(&e)?.unwrap_or(JsValue::UNDEFINED),
        )?
        .unwrap_or_else(|| NotesRecord {
            contact: contact.to_owned(),
            ..Default::default()
        });
        let Some(record) = record else {
            let _ = tx.abort();
            return Err(StoreError::new(format!("There is no contact '{contact}'.")));
        };
        edit(&mut note);
        note.reindex();
        notes.put(&to_js(&note)?, None).map_err(&e)?;
        commit(tx, "save the contact").await?;
        Ok(apply_notes(record, Some(note)))
    }

    /// Folds `absorb` into `keep`: identities, names, notes. Messages follow by identity.
    pub async fn merge(&self, keep: &str, absorb: &str) -> Result<Contact, StoreError> {
        if keep == absorb {
            return Err(StoreError::new("A contact cannot be merged with itself."));
        }
        let tx = self.tx(&[CONTACTS, NOTES], TransactionMode::ReadWrite)?;
        let e = idb_err("merge the contacts");
        let contacts = tx.object_store(CONTACTS).map_err(&e)?;
        let notes = tx.object_store(NOTES).map_err(&e)?;
        let reqs = [
            contacts.get(key_of(keep)).map_err(&e)?,
            contacts.get(key_of(absorb)).map_err(&e)?,
        ];
        let nreqs = [
            notes.get(key_of(keep)).map_err(&e)?,
            notes.get(key_of(absorb)).map_err(&e)?,
        ];
        let [k, a] = reqs;
        let [kn, an] = nreqs;
        let k: Option<ContactRecord> =
            from_js_opt(&k.await.map_err(&e)?.unwrap_or(JsValue::UNDEFINED))?;
        let a: Option<ContactRecord> =
            from_js_opt(&a.await.map_err(&e)?.unwrap_or(JsValue::UNDEFINED))?;
        let kn: Option<NotesRecord> =
            from_js_opt(&kn.await.map_err(&e)?.unwrap_or(JsValue::UNDEFINED))?;
        let an: Option<NotesRecord> =
            from_js_opt(&an.await.map_err(&e)?.unwrap_or(JsValue::UNDEFINED))?;
        let (Some(mut k), Some(a)) = (k, a) else {
            let _ = tx.abort();
            return Err(StoreError::new(
                "One of the contacts to merge no longer exists.",
            ));
        };
        merge_into(&mut k, &a.contact, &HashMap::new());
        let mut note = kn.unwrap_or_else(|| NotesRecord {
            contact: keep.to_owned(),
            ..Default::default()
        });
        if let Some(an) = an {
            merge_notes(&mut note, an);
            notes.delete(key_of(absorb)).map_err(&e)?;
        }
        note.reindex();
        // Delete first: the unique identity index must never see both.
        contacts.delete(key_of(absorb)).map_err(&e)?;
        contacts.put(&to_js(&k)?, None).map_err(&e)?;
        notes.put(&to_js(&note)?, None).map_err(&e)?;
        commit(tx, "merge the contacts").await?;
        Ok(apply_notes(k, Some(note)))
    }

    /// Moves one identity out of a contact into a new contact; returns the new one.
    pub async fn split(&self, contact: &str, identity: &Identity) -> Result<Contact, StoreError> {
        let tx = self.tx(&[CONTACTS], TransactionMode::ReadWrite)?;
        let e = idb_err("split the contact");
        let contacts = tx.object_store(CONTACTS).map_err(&e)?;
        let c: Option<ContactRecord> = from_js_opt(
            &contacts
                .get(key_of(contact))
                .map_err(&e)?
                .await
                .map_err(&e)?
                .unwrap_or(JsValue::UNDEFINED),
        )?;
        let Some(mut c) = c else {
            let _ = tx.abort();
            return Err(StoreError::new(format!("There is no contact '{contact}'.")));
        };
        if !c.contact.identities.contains(identity) || c.contact.identities.len() < 2 {
            let _ = tx.abort();
            return Err(StoreError::new(
                "Only an identity of a contact that has several can be split off.",
            ));
        }
        c.contact.identities.retain(|i| i != identity);
        c.reindex();
        let fresh = ContactRecord::new(Contact {
            id: mint_id(&[identity.key()], now()),
            identities: vec![identity.clone()],
            names: c.contact.names.first().cloned().into_iter().collect(),
            ..Default::default()
        });
        contacts.put(&to_js(&c)?, None).map_err(&e)?;
        contacts.put(&to_js(&fresh)?, None).map_err(&e)?;
        commit(tx, "split the contact").await?;
        Ok(apply_notes(fresh, None))
    }

    /// Adds an identity to a contact; if another contact holds it, merges that one in.
    pub async fn link(&self, contact: &str, identity: &Identity) -> Result<Contact, StoreError> {
        let owner = self.contacts_by_identity(&[identity.key()]).await?;
        if let Some(other) = owner.first() {
            if other.id == contact {
                return self
                    .contact(contact)
                    .await?
                    .ok_or_else(|| StoreError::new("The contact no longer exists."));
            }
            return self.merge(contact, &other.id).await;
        }
        let tx = self.tx(&[CONTACTS, NOTES], TransactionMode::ReadWrite)?;
        let e = idb_err("link the identity");
        let contacts = tx.object_store(CONTACTS).map_err(&e)?;
        let n = tx
            .object_store(NOTES)
            .map_err(&e)?
            .get(key_of(contact))
            .map_err(&e)?;
        let c = contacts.get(key_of(contact)).map_err(&e)?;
        let note: Option<NotesRecord> =
            from_js_opt(&n.await.map_err(&e)?.unwrap_or(JsValue::UNDEFINED))?;
        let c: Option<ContactRecord> =
            from_js_opt(&c.await.map_err(&e)?.unwrap_or(JsValue::UNDEFINED))?;
        let Some(mut c) = c else {
            let _ = tx.abort();
            return Err(StoreError::new(format!("There is no contact '{contact}'.")));
        };
        c.contact.identities.push(identity.clone());
        c.reindex();
        contacts.put(&to_js(&c)?, None).map_err(&e)?;
        commit(tx, "link the identity").await?;
        Ok(apply_notes(c, note))
    }
}

/// Waits without holding anything open (setTimeout works in pages and workers).
async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let set_timeout = js_sys::Reflect::get(&js_sys::global(), &"setTimeout".into())
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
        match set_timeout {
            Some(f) => {
                let _ = f.call2(&JsValue::NULL, &resolve, &JsValue::from(ms));
            }
            None => {
                let _ = resolve.call0(&JsValue::NULL);
            }
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

enum OpenError {
    Blocked,
    Failed(StoreError),
}

async fn open_once(name: &str, version: u32) -> Result<IdbDatabase, OpenError> {
    let fail = |e: idb::Error| OpenError::Failed(idb_err("open its database")(e));
    let factory = Factory::new().map_err(fail)?;
    let mut request = factory.open(name, Some(version)).map_err(fail)?;
    let upgrade_error: std::rc::Rc<Cell<bool>> = Default::default();
    let flag = upgrade_error.clone();
    request.on_upgrade_needed(move |event| {
        use idb::Event as _;
        let result = (|| -> Result<(), idb::Error> {
            let db = idb::DatabaseEvent::database(&event)?;
            let tx = event
                .target()?
                .transaction()
                .ok_or(idb::Error::TransactionNotFound)?;
            let old = event.old_version()?;
            upgrade_schema(&db, &tx, old, version)
        })();
        if let Err(e) = result {
            web_sys::console::error_1(&format!("Rapport: database upgrade failed: {e}").into());
            flag.set(true);
        }
    });
    let blocked: std::rc::Rc<Cell<bool>> = Default::default();
    let was_blocked = blocked.clone();
    request.on_blocked(move |_| was_blocked.set(true));
    let result = request.await;
    if blocked.get() && result.is_err() {
        return Err(OpenError::Blocked);
    }
    let db = result.map_err(fail)?;
    let raw: IdbDatabase = db.into();
    if upgrade_error.get() {
        raw.close();
        return Err(OpenError::Failed(StoreError::new(
            "Rapport could not upgrade its database; your history is unchanged.",
        )));
    }
    // A newer version is being opened elsewhere (an updated extension, a test): close
    // so it is not blocked; this worker reopens lazily on its next request.
    let handle = raw.clone();
    let on_change = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
        handle.close();
        crate::web::service::forget_store();
    });
    raw.set_onversionchange(Some(on_change.as_ref().unchecked_ref()));
    on_change.forget();
    // Chromium closes the connection itself after an IO error (a full disk): without
    // this, every later request would fail on the dead handle until the worker stops.
    let on_close = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
        crate::web::service::forget_store();
    });
    raw.set_onclose(Some(on_close.as_ref().unchecked_ref()));
    on_close.forget();
    Ok(raw)
}

/// The results of requests issued together in one transaction, in order. Only the
/// last is awaited (`last_value` turns its output into the same JS value the others
/// hold): requests complete in order, and `idb` attaches its handlers when a request
/// is awaited, so awaiting one that already completed would never resolve.
async fn settled<R, T>(
    mut requests: Vec<R>,
    e: &impl Fn(idb::Error) -> StoreError,
    last_value: impl FnOnce(T) -> JsValue,
) -> Result<Vec<JsValue>, StoreError>
where
    R: ResultOf + std::future::IntoFuture<Output = Result<T, idb::Error>>,
{
    let Some(last) = requests.pop() else {
        return Ok(Vec::new());
    };
    let last = last_value(last.await.map_err(e)?);
    let mut out: Vec<JsValue> = requests
        .iter()
        .map(|r| r.result_value().map_err(e))
        .collect::<Result<_, _>>()?;
    out.push(last);
    Ok(out)
}

/// [`settled`] for `getAll` requests: one JS array each.
async fn all_results(
    requests: Vec<idb::request::GetAllStoreRequest>,
    e: &impl Fn(idb::Error) -> StoreError,
) -> Result<Vec<JsValue>, StoreError> {
    settled(requests, e, |values: Vec<JsValue>| {
        values.into_iter().collect::<js_sys::Array>().into()
    })
    .await
}

/// [`settled`] for `get` requests: the value found, or `undefined`.
async fn get_results(
    requests: Vec<idb::request::GetStoreRequest>,
    e: &impl Fn(idb::Error) -> StoreError,
) -> Result<Vec<JsValue>, StoreError> {
    settled(requests, e, |value: Option<JsValue>| {
        value.unwrap_or(JsValue::UNDEFINED)
    })
    .await
}

/// The ids of the candidates, best prefix first, until `limit` are found, reading
/// at most `per_prefix` keys per prefix and index; `false` when a lookup was cut
/// short before `limit` distinct contacts were found.
async fn search_ids(
    tx: &Transaction,
    query: &crate::search::SearchQuery,
    limit: usize,
    per_prefix: usize,
) -> Result<(Vec<String>, bool), StoreError> {
    let e = idb_err("search contacts");
    let indexes = [
        tx.object_store(CONTACTS)
            .map_err(&e)?
            .index("search")
            .map_err(&e)?,
        tx.object_store(NOTES)
            .map_err(&e)?
            .index("search")
            .map_err(&e)?,
    ];
    // Every lookup is issued at once; answers come back in order.
    let mut lookups = Vec::new();
    for prefix in query.prefixes() {
        let lower = JsValue::from_str(&prefix);
        // U+FFFF sorts after every character a folded key holds.
        let upper = JsValue::from_str(&format!("{prefix}\u{ffff}"));
        let range = KeyRange::bound(&lower, &upper, Some(false), Some(false)).map_err(&e)?;
        let mut pair = Vec::new();
        for index in &indexes {
            pair.push(
                index
                    .get_all_keys(Some(Query::from(range.clone())), Some(per_prefix as u32))
                    .map_err(&e)?,
            );
        }
        lookups.push(pair);
    }
    let mut ids: Vec<String> = Vec::new();
    let mut seen = HashSet::new();
    // A prefix's two indexes are read together, so a nickname ranks with the names.
    for pair in lookups {
        let mut cut_short = false;
        let wanted = limit.saturating_sub(ids.len());
        for request in pair {
            let keys = request.await.map_err(&e)?;
            cut_short |= keys.len() >= per_prefix;
            let fresh: Vec<String> = keys
                .iter()
                .filter_map(JsValue::as_string)
                .filter(|id| seen.insert(id.clone()))
                .take(wanted)
                .collect();
            ids.extend(fresh);
        }
        if ids.len() >= limit {
            return Ok((ids, true));
        }
        if cut_short {
            return Ok((ids, false));
        }
    }
    Ok((ids, true))
}

async fn collect_messages(
    requests: Vec<idb::request::GetAllStoreRequest>,
    e: &impl Fn(idb::Error) -> StoreError,
) -> Result<Vec<Message>, StoreError> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for r in requests {
        for message in messages_of(r.await.map_err(e)?)? {
            if seen.insert(message.id.clone()) {
                out.push(message);
            }
        }
    }
    out.sort_by_key(|m| m.time);
    Ok(out)
}

async fn with_notes(
    tx: &Transaction,
    records: Vec<ContactRecord>,
) -> Result<Vec<Contact>, StoreError> {
    let e = idb_err("read tags");
    let notes = tx.object_store(NOTES).map_err(&e)?;
    let mut requests = Vec::new();
    for r in &records {
        requests.push(notes.get(key_of(&r.id)).map_err(&e)?);
    }
    let mut out = Vec::with_capacity(records.len());
    for (record, request) in records.into_iter().zip(requests) {
        let note: Option<NotesRecord> =
            from_js_opt(&request.await.map_err(&e)?.unwrap_or(JsValue::UNDEFINED))?;
        out.push(apply_notes(record, note));
    }
    Ok(out)
}

fn apply_notes(record: ContactRecord, note: Option<NotesRecord>) -> Contact {
    let mut contact = record.contact;
    contact.id = record.id;
    if let Some(note) = note {
        contact.tags = note.tags;
        contact.exceptions = note.exceptions;
    }
    contact
}

fn merge_notes(into: &mut NotesRecord, from: NotesRecord) {
    let t = &mut into.tags;
    let f = from.tags;
    if t.kind.is_none() {
        t.kind = f.kind;
    }
    if t.do_not_pitch.is_none() {
        t.do_not_pitch = f.do_not_pitch;
    }
    if t.preferred_name.is_none() {
        t.preferred_name = f.preferred_name;
    }
    for n in f.nicknames {
        if !t.nicknames.contains(&n) {
            t.nicknames.push(n);
        }
    }
    if t.notes.is_empty() {
        t.notes = f.notes;
    } else if !f.notes.is_empty() && !t.notes.contains(&f.notes) {
        t.notes = format!("{}\n{}", t.notes, f.notes);
    }
    for x in from.exceptions {
        if !into.exceptions.iter().any(|e| e.rule == x.rule) {
            into.exceptions.push(x);
        }
    }
}

/// Folds `incoming` into `record`, skipping identities another contact owns
/// (`owners`): the unique identity index would refuse them, and joining two stored
/// people is the user's decision (merge), not an import's.
fn merge_into(record: &mut ContactRecord, incoming: &Contact, owners: &HashMap<String, String>) {
    for i in &incoming.identities {
        let key = i.key();
        let owned_elsewhere = owners.get(&key).is_some_and(|o| *o != record.id);
        if !owned_elsewhere && !record.contact.identities.contains(i) {
            record.contact.identities.push(i.clone());
        }
    }
    for n in &incoming.names {
        if !record.contact.names.contains(n) {
            record.contact.names.push(n.clone());
        }
    }
    let c = &mut record.contact;
    if c.company.is_none() {
        c.company = incoming.company.clone();
    }
    if c.position.is_none() {
        c.position = incoming.position.clone();
    }
    if c.connected_on.is_none() {
        c.connected_on = incoming.connected_on;
    }
    record.reindex();
}

fn mint_id(identity_keys: &[String], salt: Millis) -> String {
    let joined = identity_keys.join("\n");
    format!(
        "c-{}",
        crate::import::fingerprint(&[joined.as_bytes(), salt.to_string().as_bytes()])
    )
}

/// Deletes the records of `store` that `import_id` added (its `import` index); returns
/// how many.
async fn delete_by_import(
    store: &idb::ObjectStore,
    import_id: &str,
    e: &impl Fn(idb::Error) -> StoreError,
) -> Result<u64, StoreError> {
    let keys = store
        .index("import")
        .map_err(e)?
        .get_all_keys(Some(key_of(import_id)), None)
        .map_err(e)?
        .await
        .map_err(e)?;
    for key in &keys {
        store.delete(Query::from(key.clone())).map_err(e)?;
    }
    Ok(keys.len() as u64)
}

/// Notes that a message or book entry with `party` (an identity key) is dated
/// `time`, for "recent contacts": an entry only ever added, the newest counting.
fn put_recency(
    store: &idb::ObjectStore,
    time: Millis,
    party: &str,
    import: &str,
) -> Result<(), StoreError> {
    if time <= 0 {
        return Ok(());
    }
    let key = js_sys::Array::of2(&JsValue::from_f64(time as f64), &JsValue::from_str(party));
    let value = js_sys::Object::new();
    js_sys::Reflect::set(&value, &"import".into(), &JsValue::from_str(import))
        .map_err(|_| StoreError::new("could not encode a record"))?;
    store
        .put(&value, Some(&key))
        .map_err(idb_err("save the import"))?;
    Ok(())
}

/// Batches take their turn in the order they arrived, whatever order the awaits
/// before their transactions finish in: contacts stay ahead of the messages that
/// refer to them, and a batch never lands before one sent earlier.
struct WriteTurn(js_sys::Function);

thread_local! {
    /// Settles when the latest batch to ask has created its transaction.
    static LAST_TURN: std::cell::RefCell<js_sys::Promise> =
        std::cell::RefCell::new(js_sys::Promise::resolve(&JsValue::UNDEFINED));
}

impl WriteTurn {
    async fn take() -> WriteTurn {
        let mut release = None;
        let mine = js_sys::Promise::new(&mut |resolve, _reject| release = Some(resolve));
        let before = LAST_TURN.with(|last| last.replace(mine));
        // A turn's promise only ever resolves.
        let _ = wasm_bindgen_futures::JsFuture::from(before).await;
        WriteTurn(release.expect("the Promise executor runs at once"))
    }
}

impl Drop for WriteTurn {
    fn drop(&mut self) {
        let _ = self.0.call0(&JsValue::UNDEFINED);
    }
}

/// A batch's messages made ready outside any transaction: their records, with the
/// facts derived from their texts, already encoded for IndexedDB (same order).
struct PreparedMessages {
    records: Vec<MessageRecord>,
    encoded: js_sys::Array,
}

impl PreparedMessages {
    fn new(messages: &[Message], import_id: &str) -> Result<Self, StoreError> {
        let records: Vec<MessageRecord> = messages
            .iter()
            .map(|m| MessageRecord::new(m.clone(), import_id))
            .collect();
        let encoded = to_js_all(&records)?;
        Ok(PreparedMessages { records, encoded })
    }
}

/// Whether the disk can safely take a batch. Chromium meets a full disk with IO
/// errors that close the database, and in one measured run (tests/e2e/quota.test.mjs,
/// profile on a full tmpfs) it came back empty: the whole history gone. So Rapport
/// never fills the disk itself: a batch is written only while the browser's estimate
/// leaves room for it and for taking the whole import back (Chromium keeps an undo
/// log of deleted values: cancelling 14 MB needed 24 MB), plus a reserve.
struct RoomCheck {
    /// `quota - usage` before the batch's transaction; `None` when the browser cannot
    /// tell, and then nothing is refused.
    free: Option<f64>,
    batch_bytes: u64,
    takeback: Takeback,
}

impl RoomCheck {
    /// `written_so_far`: what the import's earlier batches stored, from its log, read
    /// in the batch's own transaction (an estimate read before it could miss the
    /// batch committed just ahead).
    fn check(&self, written_so_far: u64) -> Result<(), StoreError> {
        let Some(free) = self.free else {
            return Ok(());
        };
        let wanted = match self.takeback {
            Takeback::Never => self.batch_bytes,
            Takeback::Possible => 2 * (written_so_far + self.batch_bytes),
        } + DISK_RESERVE_BYTES;
        if free < wanted as f64 {
            return Err(StoreError::quota());
        }
        Ok(())
    }
}

/// The body of [`Store::write_batch`]: reads first, then writes, all in `tx`.
async fn write_in(
    tx: &Transaction,
    import_id: &str,
    file: &str,
    batch: &ImportBatch,
    prepared: PreparedMessages,
    room: &RoomCheck,
) -> Result<ImportBatchReply, StoreError> {
    let e = idb_err("save the import");
    let contacts = tx.object_store(CONTACTS).map_err(&e)?;
    let notes = tx.object_store(NOTES).map_err(&e)?;
    let messages = tx.object_store(MESSAGES).map_err(&e)?;
    let imports = tx.object_store(IMPORTS).map_err(&e)?;
    let recency = tx.object_store(RECENCY).map_err(&e)?;
    let by_identity = contacts.index("identity").map_err(&e)?;
    let by_fingerprint = messages.index("fingerprint").map_err(&e)?;

    // ---- phase 1: issue every read at once; IndexedDB answers them in order.
    let PreparedMessages {
        records: incoming_records,
        encoded,
    } = prepared;
    let mut identity_keys: BTreeSet<String> = BTreeSet::new();
    for c in &batch.contacts {
        identity_keys.extend(c.identities.iter().map(Identity::key));
    }
    let contact_ids: BTreeSet<&str> = batch
        .contacts
        .iter()
        .map(|c| c.id.as_str())
        .chain(batch.histories.iter().map(|h| h.contact.as_str()))
        .filter(|id| !id.is_empty())
        .collect();

    let identity_reqs: Vec<(String, _)> = identity_keys
        .iter()
        .map(|k| Ok((k.clone(), by_identity.get(key_of(k)).map_err(&e)?)))
        .collect::<Result<_, StoreError>>()?;
    let id_reqs: Vec<(String, _)> = contact_ids
        .iter()
        .map(|id| Ok((id.to_string(), contacts.get(key_of(id)).map_err(&e)?)))
        .collect::<Result<_, StoreError>>()?;
    let note_reqs: Vec<(String, _)> = contact_ids
        .iter()
        .map(|id| Ok((id.to_string(), notes.get(key_of(id)).map_err(&e)?)))
        .collect::<Result<_, StoreError>>()?;
    let message_reqs: Vec<_> = incoming_records
        .iter()
        .map(|r| {
            Ok((
                messages.get_key(key_of(&r.id)).map_err(&e)?,
                by_fingerprint.get_key(key_of(&r.fingerprint)).map_err(&e)?,
            ))
        })
        .collect::<Result<_, StoreError>>()?;
    let log_req = imports.get(key_of(import_id)).map_err(&e)?;
    // Requests of one transaction complete in order: when the last is done, all are.
    let log_value = log_req.await.map_err(&e)?;
    let stored_log: Option<ImportLog> = from_js_opt(&log_value.unwrap_or(JsValue::UNDEFINED))?;
    if stored_log
        .as_ref()
        .is_some_and(|log| log.status == CANCELLED)
    {
        // A batch sent before the user's Cancel arrived after it.
        return Err(StoreError::new(
            "This import was cancelled, so this part of it was not saved.",
        ));
    }
    room.check(stored_log.as_ref().map_or(0, |log| log.bytes_written))?;

    let result_of =
        |r: &dyn ResultOf| -> Result<JsValue, StoreError> { r.result_value().map_err(&e) };

    // ---- phase 2: compute in memory.
    let mut records: HashMap<String, ContactRecord> = HashMap::new();
    let mut owners: HashMap<String, String> = HashMap::new();
    for (key, req) in &identity_reqs {
        if let Some(r) = from_js_opt::<ContactRecord>(&result_of(req)?)? {
            owners.insert(key.clone(), r.id.clone());
            records.entry(r.id.clone()).or_insert(r);
        }
    }
    let mut by_id: HashMap<String, ContactRecord> = HashMap::new();
    for (id, req) in &id_reqs {
        if let Some(r) = from_js_opt::<ContactRecord>(&result_of(req)?)? {
            by_id.insert(id.clone(), r);
        }
    }
    let mut stored_notes: HashMap<String, NotesRecord> = HashMap::new();
    for (id, req) in &note_reqs {
        if let Some(n) = from_js_opt::<NotesRecord>(&result_of(req)?)? {
            stored_notes.insert(id.clone(), n);
        }
    }

    let mut reply = ImportBatchReply::default();
    // The batch's contact ids to the stored ones (an identity match keeps the stored id).
    let mut final_ids: HashMap<String, String> = HashMap::new();
    let mut touched: BTreeSet<String> = BTreeSet::new();
    let mut note_writes: HashMap<String, NotesRecord> = HashMap::new();
    let stamp = now();
    for (n, incoming) in batch.contacts.iter().enumerate() {
        let keys: Vec<String> = incoming.identities.iter().map(Identity::key).collect();
        // The stored person holding one of these identities; else the same id, unless
        // that record belongs to somebody else (other identities).
        let target = keys
            .iter()
            .find_map(|k| owners.get(k).cloned())
            .or_else(|| {
                let same = by_id
                    .get(&incoming.id)
                    .or_else(|| records.get(&incoming.id))?;
                let compatible = same.identity_keys.is_empty()
                    || keys.is_empty()
                    || keys.iter().any(|k| same.identity_keys.contains(k));
                compatible.then(|| same.id.clone())
            });
        let id = match target {
            Some(id) => {
                let mut record = records
                    .remove(&id)
                    .or_else(|| by_id.get(&id).cloned())
                    .unwrap_or_else(|| {
                        ContactRecord::new(Contact {
                            id: id.clone(),
                            ..Default::default()
                        })
                    });
                let before = serde_json::to_string(&record.contact).unwrap_or_default();
                merge_into(&mut record, incoming, &owners);
                if serde_json::to_string(&record.contact).unwrap_or_default() != before {
                    touched.insert(id.clone());
                }
                records.insert(id.clone(), record);
                id
            }
            None => {
                let taken = incoming.id.is_empty()
                    || by_id.contains_key(&incoming.id)
                    || records.contains_key(&incoming.id);
                let id = if taken {
                    mint_id(&keys, stamp + n as Millis)
                } else {
                    incoming.id.clone()
                };
                let mut fresh = Contact {
                    id: id.clone(),
                    ..incoming.clone()
                };
                fresh.identities.retain(|i| !owners.contains_key(&i.key()));
                let mut record = ContactRecord::new(fresh);
                record.created_by = Some(import_id.to_owned());
                records.insert(id.clone(), record);
                touched.insert(id.clone());
                reply.contacts_added += 1;
                id
            }
        };
        for k in &keys {
            owners.entry(k.clone()).or_insert_with(|| id.clone());
        }
        final_ids.insert(incoming.id.clone(), id.clone());
        if incoming.tags != Tags::default() || !incoming.exceptions.is_empty() {
            let mut note = note_writes
                .remove(&id)
                .or_else(|| stored_notes.get(&id).cloned())
                .unwrap_or_else(|| NotesRecord {
                    contact: id.clone(),
                    ..Default::default()
                });
            merge_notes(
                &mut note,
                NotesRecord {
                    contact: id.clone(),
                    tags: incoming.tags.clone(),
                    exceptions: incoming.exceptions.clone(),
                    ..Default::default()
                },
            );
            note_writes.insert(id.clone(), note);
        }
    }
    // Per identity key, the newest message or book date this batch brings.
    let mut recent: HashMap<String, Millis> = HashMap::new();
    for h in &batch.histories {
        let id = final_ids
            .get(&h.contact)
            .cloned()
            .unwrap_or_else(|| h.contact.clone());
        if !records.contains_key(&id) {
            if let Some(r) = by_id.remove(&id) {
                records.insert(id.clone(), r);
            }
        }
        if let Some(record) = records.get_mut(&id) {
            record.history = Some(ContactHistory {
                contact: id.clone(),
                ..h.clone()
            });
            for k in &record.identity_keys {
                let newest = recent.entry(k.clone()).or_insert(0);
                *newest = (*newest).max(h.last.unwrap_or(0));
            }
            touched.insert(id);
        }
    }

    let mut seen_in_batch: HashSet<String> = HashSet::new();
    let mut new_messages: Vec<u32> = Vec::new();
    for (n, (record, (by_key, by_fp))) in incoming_records.iter().zip(&message_reqs).enumerate() {
        let stored = !result_of(by_key)?.is_undefined() || !result_of(by_fp)?.is_undefined();
        if stored
            || !seen_in_batch.insert(record.id.clone())
            || !seen_in_batch.insert(format!("fp:{}", record.fingerprint))
        {
            reply.duplicates += 1;
            continue;
        }
        for (k, t) in &record.party_time {
            let newest = recent.entry(k.clone()).or_insert(0);
            *newest = (*newest).max(*t);
        }
        new_messages.push(n as u32);
    }
    reply.messages_added = new_messages.len() as u64;

    // ---- phase 3: issue every write; the caller awaits the commit.
    let touched_records: Vec<&ContactRecord> =
        touched.iter().filter_map(|id| records.get(id)).collect();
    for record in to_js_all(&touched_records)?.iter() {
        contacts.put(&record, None).map_err(&e)?;
    }
    note_writes.values_mut().for_each(NotesRecord::reindex);
    let notes_list: Vec<&NotesRecord> = note_writes.values().collect();
    for note in to_js_all(&notes_list)?.iter() {
        notes.put(&note, None).map_err(&e)?;
    }
    for n in new_messages {
        messages.put(&encoded.get(n), None).map_err(&e)?;
    }
    for (party, time) in &recent {
        put_recency(&recency, *time, party, import_id)?;
    }
    let mut log: ImportLog = stored_log.unwrap_or_else(|| ImportLog {
        import_id: import_id.to_owned(),
        file: file.to_owned(),
        started: stamp,
        status: "running".into(),
        ..Default::default()
    });
    log.updated = stamp;
    log.batches += 1;
    log.contacts_added += reply.contacts_added;
    log.messages_added += reply.messages_added;
    log.duplicates += reply.duplicates;
    log.skipped += batch.stats.skipped;
    log.bytes_read = log.bytes_read.max(batch.stats.bytes_read);
    if reply.messages_added + reply.contacts_added > 0 {
        log.bytes_written += room.batch_bytes;
    }
    imports.put(&to_js(&log)?, None).map_err(&e)?;
    Ok(reply)
}

/// With `unlimitedStorage` the only limit is the disk, and a full disk does not
/// surface as `QuotaExceededError`: Chromium reports an IO error in words of its own
/// ("Failed to write blobs", "FILE_ERROR_NO_SPACE", measured on a full tmpfs by
/// tests/e2e/quota.test.mjs). When the browser's estimate leaves less room than the
/// batch needs, that is what the user must hear.
async fn disk_full_is_quota(failure: StoreError, needed: u64) -> StoreError {
    if failure.quota {
        return failure;
    }
    match storage_room().await {
        Some(room) if room < needed as f64 => StoreError::quota(),
        _ => failure,
    }
}

/// `quota - usage` from `navigator.storage.estimate()`: what this origin may still add.
async fn storage_room() -> Option<f64> {
    let value = storage_estimate().await?;
    let field = |name: &str| js_sys::Reflect::get(&value, &name.into()).ok()?.as_f64();
    Some(field("quota")? - field("usage")?)
}

async fn storage_estimate() -> Option<JsValue> {
    let navigator = js_sys::Reflect::get(&js_sys::global(), &"navigator".into()).ok()?;
    let storage = js_sys::Reflect::get(&navigator, &"storage".into()).ok()?;
    let estimate = js_sys::Reflect::get(&storage, &"estimate".into()).ok()?;
    let f = estimate.dyn_ref::<js_sys::Function>()?;
    let promise: js_sys::Promise = f.call0(&storage).ok()?.dyn_into().ok()?;
    wasm_bindgen_futures::JsFuture::from(promise).await.ok()
}

/// Bytes used by this origin, from `navigator.storage.estimate()`.
pub async fn storage_used() -> Option<f64> {
    let value = storage_estimate().await?;
    js_sys::Reflect::get(&value, &"usage".into()).ok()?.as_f64()
}
