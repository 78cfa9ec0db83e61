//! The messages the extension's contexts send the background service, defined once.
//!
//! Every request arrives as JSON through `chrome.runtime` messaging. `background.js`
//! classifies the sender from what Chrome (not the message) says: a content script
//! on a supported host, or one of this extension's own pages. The service then checks
//! the request against that authority before doing anything: a content script may
//! only ask for the verdict on the draft in front of it and report that page's
//! conversation; reading or changing data is for extension pages.

use crate::model::{Channel, Draft, Millis, Party, Severity, Tags, Verdict};
use serde::de::value::StrDeserializer;
use serde::de::{DeserializeSeed, EnumAccess, IgnoredAny, VariantAccess, Visitor};
use serde::{Deserialize, Serialize};

/// Requests above this many bytes of JSON are refused unread: a compose box plus its
/// visible thread fits comfortably; anything larger is a bug or an attack. Import
/// batches come from extension pages and have their own, larger limit.
pub const MAX_CONTENT_REQUEST_BYTES: usize = 2 * 1024 * 1024;
pub const MAX_PAGE_REQUEST_BYTES: usize = 16 * 1024 * 1024;
/// An export page's messages: at most this many, and they stop once their JSON passes
/// this many bytes, far under Chrome's 64 MiB cap on one message.
pub const EXPORT_PAGE_MESSAGES: usize = 5_000;
pub const EXPORT_PAGE_BYTES: usize = 8 * 1024 * 1024;

/// Reads a `T` out of a JSON value through its text. The wasm modules read every JSON
/// from text (requests, replies, stored records); `serde_json::from_value` would compile
/// a second deserializer for every type it reads (about 100 KB per module).
pub fn from_value<T: serde::de::DeserializeOwned>(
    value: &serde_json::Value,
) -> serde_json::Result<T> {
    serde_json::from_str(&value.to_string())
}

/// Who sent a request, as established by the browser, never by the payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SenderKind {
    /// A content script of this extension on one of the supported sites.
    Content,
    /// A page of this extension: popup, options, the overlay frame.
    Page,
}

/// Which site adapter read a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Site {
    Linkedin,
    Gmail,
    Outlook,
    /// The bundled demo page.
    Demo,
}

/// A message visible in the conversation on the page, as the adapter read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeenMessage {
    pub from: Party,
    /// True when the page marks it as the signed-in user's own.
    pub mine: bool,
    #[serde(default)]
    pub time: Option<Millis>,
    pub text: String,
}

/// Declares [`Request`] and, from the same variant list, `ByType`: the variants
/// externally tagged, which [`Request::from_json`] reads without buffering.
macro_rules! request_enum {
    ($(#[$attr:meta])* pub enum Request { $($variants:tt)* }) => {
        $(#[$attr])*
        pub enum Request { $($variants)* }

        #[derive(Deserialize)]
        #[serde(remote = "Request", rename_all = "snake_case")]
        #[allow(dead_code)] // only its derived `deserialize` is used
        enum ByType { $($variants)* }
    };
}

request_enum! {
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Request {
    // ---- allowed from content scripts ----
    /// The verdict on the draft in front of the user.
    Analyze {
        site: Site,
        draft: Draft,
    },
    /// The user pressed Send: remember the message.
    RecordSent {
        site: Site,
        draft: Draft,
    },
    /// Messages of the open conversation, so history grows without imports.
    RecordSeen {
        site: Site,
        channel: Channel,
        conversation: Option<String>,
        /// The other party of the conversation as the page names them.
        with: Party,
        messages: Vec<SeenMessage>,
    },

    // ---- extension pages only ----
    /// What the popup shows about a recipient (or the contact with this id).
    /// Reply: [`ContactSummaryReply`].
    ContactSummary {
        recipient: crate::model::Recipient,
        /// Set when the popup opens a contact from search or recent contacts.
        #[serde(default)]
        contact: Option<String>,
    },
    /// The draft last analyzed in this browser tab, so the popup can show its
    /// recipient. Reply: [`ActiveDraftReply`].
    ActiveDraft {
        tab: i64,
    },
    /// Contacts with a name, address or company word starting with the query (case and
    /// accents folded; see [`crate::search`]), best first, at most `limit` (and 1,000).
    /// Reply: `{ "ok": true, "contacts": [Contact] }`. An empty query finds nothing;
    /// the popup sends one now and then to keep the worker awake while it is open.
    Search {
        query: String,
        limit: usize,
    },
    /// Contacts by latest message, newest first. Reply: `{ "ok": true, "contacts": [Contact] }`.
    RecentContacts {
        limit: usize,
    },
    /// Replaces the contact's tags. Every change below replies `{ "ok": true, "contact": Contact }`
    /// (the contact after the change).
    SetTags {
        contact: String,
        tags: Tags,
    },
    Merge {
        keep: String,
        absorb: String,
    },
    /// Moves one identity (and its messages) out into a new contact; the reply's
    /// `contact` is the NEW one, so the popup can undo by merging it back.
    Split {
        contact: String,
        identity: crate::model::Identity,
    },
    /// Adds an identity (the recipient's address or profile) to a stored contact:
    /// "this LinkedIn profile is the person I email". Merges if it belongs to another.
    Link {
        contact: String,
        identity: crate::model::Identity,
    },
    AddException {
        contact: String,
        rule: String,
    },
    RemoveException {
        contact: String,
        rule: String,
    },
    /// Reply: `{ "ok": true, "settings": ..., "operator": <name or null> }`.
    GetSettings,
    /// Who is typing on this browser: `None` is the owner, else a delegate's name.
    /// Kept per browser (not in backups or shared books): the boss's and the
    /// assistant's browsers differ in exactly this.
    SetOperator {
        operator: Option<String>,
    },
    SetSettings {
        settings: serde_json::Value,
    },
    /// One batch of an import the options page is streaming; one transaction.
    ImportBatch {
        import_id: String,
        file: String,
        batch: crate::import::ImportBatch,
    },
    /// Removes what the import with this id added (Cancel, or a file that failed
    /// half-way through streaming): a stopped import leaves nothing half-written.
    CancelImport {
        import_id: String,
    },
    /// One page of an export: Chrome drops a reply over 64 MiB, and a large history's
    /// backup is far bigger, so messages come in pages the options page assembles.
    /// Without `after`, reply `{ "ok": true, "backup": Backup, "next": cursor|null }`:
    /// a full backup with `bodies` (settings, contacts and the first page of messages),
    /// else the whole relationship book (no bodies, no settings, never a second page).
    /// With `after` (the previous reply's `next`), reply `{ "ok": true, "messages":
    /// [Message], "next": cursor|null }`. `limit` lowers the page's message count (at
    /// most [`EXPORT_PAGE_MESSAGES`]); a page also stops at [`EXPORT_PAGE_BYTES`].
    Export {
        bodies: bool,
        #[serde(default)]
        after: Option<String>,
        #[serde(default)]
        limit: Option<usize>,
    },
    /// Merges a backup or a relationship book (idempotent). Reply: [`ImportBatchReply`].
    Restore {
        backup: serde_json::Value,
    },
    Erase,
    /// Reply: `{ "ok": true, "contacts": n, "messages": n, "bytes": storage used }`.
    Stats,
}
}

impl Request {
    /// Reads a request as the derived `Deserialize` does (`{"type": "<variant>", ...its
    /// fields}`), in two passes over the text: the `type`, then the variant's fields
    /// straight from the text. The derived impl of an internally tagged enum buffers the
    /// whole object in serde's `Content` first, which compiles a second deserializer for
    /// every type a request carries into the service worker's wasm (about 100 KB).
    pub fn from_json(text: &str) -> serde_json::Result<Request> {
        #[derive(Deserialize)]
        struct Type<'a> {
            #[serde(rename = "type", borrow)]
            name: std::borrow::Cow<'a, str>,
        }
        let Type { name } = serde_json::from_str(text)?;
        let mut fields = serde_json::Deserializer::from_str(text);
        let request = ByType::deserialize(ByTypeDeserializer {
            name: &name,
            fields: &mut fields,
        })?;
        fields.end()?;
        Ok(request)
    }

    pub fn allowed_from(&self, sender: SenderKind) -> bool {
        match sender {
            SenderKind::Page => true,
            SenderKind::Content => matches!(
                self,
                Request::Analyze { .. } | Request::RecordSent { .. } | Request::RecordSeen { .. }
            ),
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Request::Analyze { .. } => "analyze",
            Request::RecordSent { .. } => "record_sent",
            Request::RecordSeen { .. } => "record_seen",
            Request::ContactSummary { .. } => "contact_summary",
            Request::ActiveDraft { .. } => "active_draft",
            Request::Search { .. } => "search",
            Request::RecentContacts { .. } => "recent_contacts",
            Request::SetTags { .. } => "set_tags",
            Request::Merge { .. } => "merge",
            Request::Split { .. } => "split",
            Request::Link { .. } => "link",
            Request::AddException { .. } => "add_exception",
            Request::RemoveException { .. } => "remove_exception",
            Request::GetSettings => "get_settings",
            Request::SetOperator { .. } => "set_operator",
            Request::SetSettings { .. } => "set_settings",
            Request::ImportBatch { .. } => "import_batch",
            Request::CancelImport { .. } => "cancel_import",
            Request::Export { .. } => "export",
            Request::Restore { .. } => "restore",
            Request::Erase => "erase",
            Request::Stats => "stats",
        }
    }
}

/// The relationship at a glance, as the popup shows it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RelationshipSummary {
    pub sent: u32,
    pub received: u32,
    pub first: Option<Millis>,
    pub last: Option<Millis>,
    pub channels: Vec<Channel>,
    pub last_reply: Option<LastReply>,
}

/// Their most recent message to the owner.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LastReply {
    pub time: Millis,
    /// The start of the reply's own text (quotes and signature removed).
    pub excerpt: String,
    /// True when the reply reads as a polite "no" (what `after-decline` looks for).
    pub declined: bool,
}

/// `{ "ok": true, "contact": ..., "summary": ... }`; `contact` is null for a
/// recipient Rapport has never seen.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ContactSummaryReply {
    pub contact: Option<crate::model::Contact>,
    pub summary: RelationshipSummary,
}

/// `{ "ok": true, "site": ..., "draft": ..., "verdict": ... }`; all null when the
/// tab has no compose box Rapport has read.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ActiveDraftReply {
    pub site: Option<Site>,
    pub draft: Option<Draft>,
    pub verdict: Option<Verdict>,
}

/// `{ "ok": true, ... }` for one `ImportBatch` (and for `Restore`): what was new and what was already there
/// (re-importing a file reports everything as duplicates and adds nothing).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ImportBatchReply {
    pub contacts_added: u64,
    pub messages_added: u64,
    pub duplicates: u64,
}

/// What a content script gets back for `Analyze`: the verdict, and how eager the send
/// gate is (the one setting the page must act on). Nothing else.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AnalyzeReply {
    pub verdict: Verdict,
    pub worst: Option<Severity>,
    /// Ask before sending while a warning at or above this is open; `None` never asks.
    #[serde(default)]
    pub send_gate: Option<Severity>,
}

/// Every reply is `{ "ok": true, ... }` or `{ "ok": false, "error": "<sentence>" }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorReply {
    pub ok: bool,
    pub error: String,
}

impl ErrorReply {
    pub fn new(error: impl Into<String>) -> Self {
        ErrorReply {
            ok: false,
            error: error.into(),
        }
    }
}

/// How many leading messages, of these JSON sizes, make one export page: as many as
/// fit in `max_bytes`, but always one, so a single huge message still moves on.
pub fn export_page_len(sizes: impl IntoIterator<Item = usize>, max_bytes: usize) -> usize {
    let mut total = 0usize;
    let mut len = 0;
    for size in sizes {
        total = total.saturating_add(size);
        if len > 0 && total > max_bytes {
            break;
        }
        len += 1;
    }
    len
}

/// Presents `{"type": name, ...fields}` to an externally tagged enum's derived
/// visitor as the variant `name` with those fields (the `type` key among them is
/// ignored like any unknown field).
struct ByTypeDeserializer<'a, 'de> {
    name: &'a str,
    fields: &'a mut serde_json::Deserializer<serde_json::de::StrRead<'de>>,
}

impl<'de> serde::Deserializer<'de> for ByTypeDeserializer<'_, 'de> {
    type Error = serde_json::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> serde_json::Result<V::Value> {
        visitor.visit_enum(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
        byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct map struct
        enum identifier ignored_any
    }
}

impl<'de> EnumAccess<'de> for ByTypeDeserializer<'_, 'de> {
    type Error = serde_json::Error;
    type Variant = Self;

    fn variant_seed<S: DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> serde_json::Result<(S::Value, Self)> {
        let variant = seed.deserialize(StrDeserializer::<serde_json::Error>::new(self.name))?;
        Ok((variant, self))
    }
}

impl<'de> VariantAccess<'de> for ByTypeDeserializer<'_, 'de> {
    type Error = serde_json::Error;

    fn unit_variant(self) -> serde_json::Result<()> {
        IgnoredAny::deserialize(self.fields).map(|_| ())
    }

    fn newtype_variant_seed<S: DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> serde_json::Result<S::Value> {
        seed.deserialize(self.fields)
    }

    fn tuple_variant<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> serde_json::Result<V::Value> {
        serde::Deserializer::deserialize_seq(self.fields, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> serde_json::Result<V::Value> {
        serde::Deserializer::deserialize_struct(self.fields, "Request", fields, visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::{export_page_len, Request};

    /// `Request::from_json` reads what the derived (internally tagged) impl reads,
    /// including fields before the `type`, and fails where it fails.
    #[test]
    fn from_json_reads_requests_like_the_derived_impl() {
        let draft = r#"{"text":"Hi Brian","channel":"email","recipients":[{"name":"Brian","identity":{"kind":"email","value":"b@x.com"}}],"time":5}"#;
        let accepted = [
            format!(r#"{{"type":"analyze","site":"gmail","draft":{draft}}}"#),
            format!(r#"{{"draft":{draft},"site":"linkedin","type":"record_sent","extra":[1,{{}}]}}"#),
            r#"{"type":"record_seen","site":"outlook","channel":"email","conversation":null,"with":{},"messages":[{"from":{"name":"A"},"mine":false,"text":"hi"}]}"#.into(),
            r#"{"type":"contact_summary","recipient":{"identity":{"value":"slug","kind":"linkedin"}}}"#.into(),
            r#"{"type":"active_draft","tab":7}"#.into(),
            r#"{"limit":3,"type":"search","query":"bri"}"#.into(),
            r#"{"type":"set_tags","contact":"c1","tags":{"kind":"client","nicknames":["B"]}}"#.into(),
            r#"{"type":"split","contact":"c1","identity":{"kind":"email","value":"a@b.co"}}"#.into(),
            r#"{"type":"set_operator","operator":null}"#.into(),
            r#"{"type":"set_settings","settings":{"owner":{"name":"Ann"},"x":[1.5,"\u00e9"]}}"#.into(),
            r#"{"type":"import_batch","import_id":"i","file":"f.csv","batch":{"contacts":[],"messages":[]}}"#.into(),
            r#"{"type":"export","bodies":true}"#.into(),
            r#"{"type":"restore","backup":{"format":"rapport-book"}}"#.into(),
            r#"{"type":"erase"}"#.into(),
            r#" {"type" : "stats", "ignored": {"deep": [true]}} "#.into(),
        ];
        for text in &accepted {
            let derived: Request = serde_json::from_str(text).unwrap();
            assert_eq!(Request::from_json(text).unwrap(), derived, "{text}");
        }
        let refused = [
            r#"{"type":"format_disk"}"#,
            r#"{"type":"analyze","site":"gmail"}"#,
            r#"{"site":"gmail"}"#,
            r#"{"type":"stats"} x"#,
            r#"{"type":"search","query":"a","limit":-1}"#,
            r#"{"type":"stats""#,
            "[]",
            "",
        ];
        for text in refused {
            assert!(serde_json::from_str::<Request>(text).is_err(), "{text}");
            assert!(Request::from_json(text).is_err(), "{text}");
        }
        let unknown = Request::from_json(refused[0]).unwrap_err().to_string();
        assert!(
            unknown.starts_with("unknown variant `format_disk`"),
            "{unknown}"
        );
        let missing = Request::from_json(refused[1]).unwrap_err().to_string();
        assert!(missing.starts_with("missing field `draft`"), "{missing}");
    }

    #[test]
    fn an_export_page_stops_at_its_byte_budget_but_always_moves_on() {
        assert_eq!(export_page_len([], 10), 0);
        assert_eq!(export_page_len([4, 4, 2], 10), 3);
        assert_eq!(export_page_len([4, 4, 3], 10), 2);
        assert_eq!(export_page_len([25, 1], 10), 1);
        assert_eq!(export_page_len([3; 100], 10), 3);
    }
}
