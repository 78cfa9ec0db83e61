//! The vocabulary every part of Rapport shares: people, messages, drafts and warnings.
//!
//! Everything here is plain data (serde, no web dependency) so the same values flow
//! between the importers, the engine, the IndexedDB store, the CLI and the extension's
//! messaging without conversion layers.

use serde::{Deserialize, Serialize};

/// Milliseconds since the Unix epoch, UTC. One integer type for time everywhere keeps
/// IndexedDB keys, JSON and comparisons trivial; formatting happens at the edges.
pub type Millis = i64;

pub const DAY: Millis = 24 * 60 * 60 * 1000;

/// Where a message travels. History on one channel counts on the other: four years of
/// email make a LinkedIn pitch to the same person a mistake.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Linkedin,
    Email,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Linkedin => "linkedin",
            Channel::Email => "email",
        }
    }
}

/// Seen from the account owner: `Sent` covers the owner and their delegates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Sent,
    Received,
}

/// Ordered so `max()` gives the worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Caution,
    Stop,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Caution => "caution",
            Severity::Stop => "stop",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s.trim().to_ascii_lowercase().as_str() {
            "info" => Some(Severity::Info),
            "caution" => Some(Severity::Caution),
            "stop" => Some(Severity::Stop),
            _ => None,
        }
    }
}

/// A way to reach a person. Values are stored normalized (see [`crate::identity`]),
/// so equality of identities is equality of people's addresses.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "lowercase")]
pub enum Identity {
    /// Lowercased address, e.g. `brian@example.com`.
    Email(String),
    /// The profile slug of `linkedin.com/in/<slug>`, lowercased and URL-decoded.
    Linkedin(String),
}

/// How the owner knows someone, as the user tagged it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RelationshipKind {
    MetInPerson,
    Client,
    Colleague,
    Friend,
    Family,
    Referral,
    Prospect,
    Other,
}

impl RelationshipKind {
    pub const ALL: [RelationshipKind; 8] = [
        RelationshipKind::MetInPerson,
        RelationshipKind::Client,
        RelationshipKind::Colleague,
        RelationshipKind::Friend,
        RelationshipKind::Family,
        RelationshipKind::Referral,
        RelationshipKind::Prospect,
        RelationshipKind::Other,
    ];

    /// A prospect is someone you hope to know; every other kind means you already do.
    pub fn is_established(self) -> bool {
        !matches!(self, RelationshipKind::Prospect)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DoNotPitch {
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub since: Option<Millis>,
}

/// What the user told Rapport about a person that no page or export shows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Tags {
    pub kind: Option<RelationshipKind>,
    pub do_not_pitch: Option<DoNotPitch>,
    /// Other names this person goes by; `greeting-mismatch` accepts them.
    pub nicknames: Vec<String>,
    pub preferred_name: Option<String>,
    pub notes: String,
}

/// A per-person "this is fine": the rule stays on for everyone else.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleException {
    pub rule: String,
    pub since: Millis,
}

/// Stable, opaque contact key. Minted by whoever creates the contact (store or
/// in-memory index); never derived from a name, because names change and collide.
pub type ContactId = String;

/// One person, however many addresses and profiles they have.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Contact {
    pub id: ContactId,
    pub identities: Vec<Identity>,
    /// Names as seen in exports, headers and pages, most recent first.
    pub names: Vec<String>,
    pub company: Option<String>,
    pub position: Option<String>,
    /// When the LinkedIn connection was accepted, if known.
    pub connected_on: Option<Millis>,
    pub tags: Tags,
    pub exceptions: Vec<RuleException>,
}

impl Contact {
    pub fn display_name(&self) -> &str {
        self.tags
            .preferred_name
            .as_deref()
            .or(self.names.first().map(String::as_str))
            .unwrap_or("")
    }

    pub fn has_exception(&self, rule: &str) -> bool {
        self.exceptions.iter().any(|e| e.rule == rule)
    }
}

/// One side of a message as its source showed it: a name, an identity, or both.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default)]
pub struct Party {
    pub name: Option<String>,
    pub identity: Option<Identity>,
}

/// A message in the history, sent or received, on any channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// The source's own id (Message-ID, LinkedIn conversation id plus date) or, when it
    /// has none, a content fingerprint; re-importing the same file dedupes on it.
    pub id: String,
    pub channel: Channel,
    pub direction: Direction,
    pub from: Party,
    pub to: Vec<Party>,
    pub time: Millis,
    #[serde(default)]
    pub subject: Option<String>,
    /// Plain text; HTML is converted by the importer, quoted history kept.
    pub text: String,
    #[serde(default)]
    pub conversation: Option<String>,
    /// Who actually wrote it when known: the owner (`None`) or a delegate's name.
    #[serde(default)]
    pub operator: Option<String>,
}

/// A recipient as the compose box or command line gave it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Recipient {
    pub name: Option<String>,
    pub identity: Option<Identity>,
}

/// What the user is about to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    /// The text the user wrote, as read from the page (line breaks kept).
    pub text: String,
    /// Quoted earlier messages the page keeps apart from the new text, if it does.
    #[serde(default)]
    pub quoted: Option<String>,
    #[serde(default)]
    pub subject: Option<String>,
    pub channel: Channel,
    pub recipients: Vec<Recipient>,
    /// The delegate writing, by name; `None` is the owner.
    #[serde(default)]
    pub operator: Option<String>,
    pub time: Millis,
    /// The conversation the draft belongs to, when the page shows one.
    #[serde(default)]
    pub conversation: Option<String>,
}

/// A range of the draft, in Unicode scalar values (Rust `char`s, JS code points) of
/// the text as given, end exclusive.
pub type Span = (usize, usize);

/// One thing the user should know before sending.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Warning {
    /// Stable rule id (`known-contact-pitch`, ...): a public contract.
    pub rule: String,
    pub severity: Severity,
    /// One plain sentence naming the evidence.
    pub message: String,
    pub spans: Vec<Span>,
    /// Counts, dates and message ids behind the sentence, for the UI and `--format json`.
    pub evidence: serde_json::Value,
    /// What the user can do about it, in plain words.
    #[serde(default)]
    pub suggestions: Vec<String>,
}

/// The engine's answer for one draft.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    pub warnings: Vec<Warning>,
    /// True when the draft was longer than the analysis cap and only its start was read.
    #[serde(default)]
    pub truncated: bool,
}

impl Verdict {
    pub fn worst(&self) -> Option<Severity> {
        self.warnings.iter().map(|w| w.severity).max()
    }
}
