//! The labeled case format (`tests/cases/README.md`), read by both runners: the engine
//! natively (`engine_cases.rs`) and the CLI binary (`cli_cases.rs`).

// Each test binary includes this module and uses a different part of it.
#![allow(dead_code)]

use rapport::identity::parse_identity;
use rapport::import::ContactHistory;
use rapport::model::{Channel, Contact, Direction, Millis, Party};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    pub description: String,
    #[serde(default)]
    pub now: Option<String>,
    #[serde(default)]
    pub settings: serde_json::Value,
    #[serde(default)]
    pub contacts: Vec<CaseContact>,
    #[serde(default)]
    pub history: Vec<CaseMessage>,
    /// Relationship-book entries (counts and dates without bodies).
    #[serde(default)]
    pub histories: Vec<CaseHistory>,
    pub draft: CaseDraft,
    pub expect: Vec<String>,
    #[serde(default)]
    pub absent: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseContact {
    #[serde(flatten)]
    pub contact: Contact,
    #[serde(default)]
    pub connected_days_ago: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseMessage {
    pub days_ago: f64,
    pub direction: Direction,
    #[serde(default = "email")]
    pub channel: Channel,
    /// The other side: an address or profile URL, optionally "Name <address>".
    pub with: Vec<String>,
    pub text: String,
    #[serde(default)]
    pub id: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseHistory {
    pub contact: String,
    #[serde(default)]
    pub sent: u64,
    #[serde(default)]
    pub received: u64,
    #[serde(default)]
    pub first_days_ago: Option<f64>,
    #[serde(default)]
    pub last_days_ago: Option<f64>,
    #[serde(default)]
    pub last_sent_days_ago: Option<f64>,
    #[serde(default)]
    pub last_received_days_ago: Option<f64>,
    #[serde(default)]
    pub channels: Vec<Channel>,
}

impl CaseHistory {
    pub fn to_history(&self, ago: impl Fn(f64) -> Millis) -> ContactHistory {
        ContactHistory {
            contact: self.contact.clone(),
            sent: self.sent,
            received: self.received,
            first: self.first_days_ago.map(&ago),
            last: self.last_days_ago.map(&ago),
            last_sent: self.last_sent_days_ago.map(&ago),
            last_received: self.last_received_days_ago.map(&ago),
            channels: self.channels.clone(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseDraft {
    pub text: String,
    #[serde(default = "email")]
    pub channel: Channel,
    pub to: Vec<String>,
    #[serde(default)]
    pub operator: Option<String>,
}

pub fn email() -> Channel {
    Channel::Email
}

pub const DEFAULT_NOW: &str = "2026-11-23T10:00:00Z";

/// "Brian Miller <brian@acme.com>" → party; a bare name (no address) is name-only.
pub fn party(raw: &str) -> Party {
    let raw = raw.trim();
    let (name, addr) = match (raw.rfind('<'), raw.ends_with('>')) {
        (Some(i), true) => (
            Some(raw[..i].trim().to_string()),
            raw[i + 1..raw.len() - 1].to_string(),
        ),
        _ => (None, raw.to_string()),
    };
    match parse_identity(&addr) {
        Some(identity) => Party {
            name: name.filter(|n| !n.is_empty()),
            identity: Some(identity),
        },
        None => Party {
            name: Some(raw.to_string()),
            identity: None,
        },
    }
}
