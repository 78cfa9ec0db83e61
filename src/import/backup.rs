//! Rapport's own files: the full backup and the shared relationship book.
//!
//! A backup holds everything (settings, contacts with their identities, tags and
//! exceptions, messages) so export, erase, restore gives the same data back. A
//! relationship book is what an owner hands a delegate: contacts, identities, tags and
//! per-contact counts and dates, but no message bodies. The assistant learns whom the
//! boss already knows without reading the boss's mail, so `known-contact-pitch` fires
//! in the assistant's browser too.
//!
//! Both serialize canonically ([`Backup::to_canonical_json`]): collections sorted,
//! struct fields in declaration order, JSON objects (settings, evidence) with sorted
//! keys, one record per line, no timestamp of the export itself. Two exports of the
//! same data are byte-for-byte equal, which is how export-erase-restore is tested.

use super::{ImportError, Place, Sink};
use crate::model::{Channel, Contact, ContactId, Direction, Identity, Message, Millis};
use crate::settings::Owner;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

pub const BACKUP_VERSION: u32 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BackupKind {
    /// Everything, bodies included.
    #[serde(rename = "rapport-backup")]
    Backup,
    /// The shared relationship book: no bodies, no settings.
    #[serde(rename = "rapport-book")]
    Book,
}

/// What a book says about one contact in place of the messages themselves.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ContactHistory {
    pub contact: ContactId,
    /// Messages the owner (or a delegate) sent them.
    pub sent: u64,
    /// Messages they sent the owner.
    pub received: u64,
    pub first: Option<Millis>,
    pub last: Option<Millis>,
    pub last_sent: Option<Millis>,
    pub last_received: Option<Millis>,
    /// Channels the conversation happened on, sorted.
    pub channels: Vec<Channel>,
}

/// A Rapport backup or relationship book, version [`BACKUP_VERSION`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Backup {
    pub format: BackupKind,
    pub version: u32,
    /// The options page's settings as they were exported; `null` in a book.
    #[serde(default)]
    pub settings: serde_json::Value,
    /// Whose relationships these are (a book carries it; a backup has it in settings).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<Owner>,
    #[serde(default)]
    pub contacts: Vec<Contact>,
    #[serde(default)]
    pub messages: Vec<Message>,
    #[serde(default)]
    pub histories: Vec<ContactHistory>,
}

impl Backup {
    /// A full backup, canonicalized.
    pub fn full(
        settings: serde_json::Value,
        contacts: Vec<Contact>,
        messages: Vec<Message>,
    ) -> Backup {
        let mut backup = Backup {
            format: BackupKind::Backup,
            version: BACKUP_VERSION,
            settings,
            owner: None,
            contacts,
            messages,
            histories: Vec::new(),
        };
        backup.canonicalize();
        backup
    }

    /// A relationship book: message bodies are reduced to per-contact counts and dates.
    /// Parties resolve to contacts by identity; messages to people with no contact are
    /// not in the book (there is nobody to attach them to).
    pub fn book(owner: Owner, contacts: Vec<Contact>, messages: &[Message]) -> Backup {
        let by_identity: HashMap<&Identity, &ContactId> = contacts
            .iter()
            .flat_map(|c| c.identities.iter().map(move |i| (i, &c.id)))
            .collect();
        let mut histories: BTreeMap<ContactId, ContactHistory> = BTreeMap::new();
        for message in messages {
            let others: Vec<&crate::model::Party> = match message.direction {
                Direction::Sent => message.to.iter().collect(),
                Direction::Received => vec![&message.from],
            };
            let mut seen: Vec<&ContactId> = Vec::new();
            for party in others {
                let Some(id) = party.identity.as_ref().and_then(|i| by_identity.get(i)) else {
                    continue;
                };
                if seen.contains(id) {
                    continue;
                }
                seen.push(id);
                let h = histories
                    .entry((*id).clone())
                    .or_insert_with(|| ContactHistory {
                        contact: (*id).clone(),
                        ..Default::default()
                    });
                let t = message.time;
                h.first = Some(h.first.map_or(t, |f| f.min(t)));
                h.last = Some(h.last.map_or(t, |l| l.max(t)));
                match message.direction {
                    Direction::Sent => {
                        h.sent += 1;
                        h.last_sent = Some(h.last_sent.map_or(t, |l| l.max(t)));
                    }
                    Direction::Received => {
                        h.received += 1;
                        h.last_received = Some(h.last_received.map_or(t, |l| l.max(t)));
                    }
                }
                if !h.channels.contains(&message.channel) {
                    h.channels.push(message.channel);
                    h.channels.sort();
                }
            }
        }
        let mut book = Backup {
            format: BackupKind::Book,
            version: BACKUP_VERSION,
            settings: serde_json::Value::Null,
            owner: Some(owner),
            contacts,
            messages: Vec::new(),
            histories: histories.into_values().collect(),
        };
        book.canonicalize();
        book
    }

    /// Sorts every collection and drops exact duplicate ids, so equal data serializes
    /// to equal bytes whatever order the store returned it in.
    pub fn canonicalize(&mut self) {
        self.contacts.sort_by(|a, b| a.id.cmp(&b.id));
        self.contacts.dedup_by(|a, b| a.id == b.id);
        self.messages
            .sort_by(|a, b| a.time.cmp(&b.time).then_with(|| a.id.cmp(&b.id)));
        self.messages.dedup_by(|a, b| a.id == b.id);
        self.histories.sort_by(|a, b| a.contact.cmp(&b.contact));
        self.histories.dedup_by(|a, b| a.contact == b.contact);
    }

    /// The canonical text of this document: valid JSON, one record per line.
    pub fn to_canonical_json(&self) -> String {
        let mut copy;
        let this = if self.is_canonical() {
            self
        } else {
            copy = self.clone();
            copy.canonicalize();
            &copy
        };
        let mut out = String::new();
        out.push_str("{\"format\":");
        out.push_str(&json(&this.format));
        out.push_str(",\"version\":");
        out.push_str(&this.version.to_string());
        out.push_str(",\n\"settings\":");
        out.push_str(&json(&this.settings));
        if let Some(owner) = &this.owner {
            out.push_str(",\n\"owner\":");
            out.push_str(&json(owner));
        }
        write_list(&mut out, "contacts", &this.contacts);
        write_list(&mut out, "messages", &this.messages);
        write_list(&mut out, "histories", &this.histories);
        out.push_str("}\n");
        out
    }

    fn is_canonical(&self) -> bool {
        self.contacts.windows(2).all(|w| w[0].id < w[1].id)
            && self
                .messages
                .windows(2)
                .all(|w| (w[0].time, &w[0].id) < (w[1].time, &w[1].id))
            && self
                .histories
                .windows(2)
                .all(|w| w[0].contact < w[1].contact)
    }

    /// Reads a backup or book, refusing versions this Rapport does not know.
    pub fn from_json(bytes: &[u8]) -> Result<Backup, String> {
        #[derive(Deserialize)]
        struct Header {
            format: Option<String>,
            version: Option<u64>,
        }
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        // Read as text (`from_str`, like every JSON the wasm reads): one deserializer
        // per type in the extension's wasm instead of one per input kind.
        let text = std::str::from_utf8(bytes).map_err(|e| {
            let line = bytes[..e.valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1;
            format!("not valid backup JSON at line {line}: the file is not UTF-8 text")
        })?;
        let header: Header =
            serde_json::from_str(text).map_err(|e| describe_json_error(bytes, &e))?;
        match header.format.as_deref() {
            Some("rapport-backup" | "rapport-book") => {}
            _ => return Err("this JSON is not a Rapport backup (its \"format\" is not \"rapport-backup\" or \"rapport-book\")".into()),
        }
        match header.version {
            Some(v) if v == u64::from(BACKUP_VERSION) => {}
            Some(v) if v > u64::from(BACKUP_VERSION) => {
                return Err(format!(
                "this backup is version {v}, made by a newer Rapport; update Rapport to restore it"
            ))
            }
            _ => return Err("this backup has no valid \"version\"".into()),
        }
        serde_json::from_str(text).map_err(|e| describe_json_error(bytes, &e))
    }
}

fn write_list<T: Serialize>(out: &mut String, key: &str, items: &[T]) {
    out.push_str(",\n\"");
    out.push_str(key);
    out.push_str("\":[");
    for (i, item) in items.iter().enumerate() {
        out.push_str(if i == 0 { "\n" } else { ",\n" });
        out.push_str(&json(item));
    }
    if !items.is_empty() {
        out.push('\n');
    }
    out.push(']');
}

fn json<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).expect("model values always serialize")
}

fn describe_json_error(bytes: &[u8], error: &serde_json::Error) -> String {
    let _ = bytes;
    match error.classify() {
        serde_json::error::Category::Eof => format!(
            "the file ends early (line {}): the backup was cut off; export it again",
            error.line()
        ),
        _ => format!(
            "not valid backup JSON at line {} column {}: {error}",
            error.line(),
            error.column()
        ),
    }
}

/// Cheap check on the first bytes: a JSON object naming one of our formats.
pub(crate) fn looks_like_backup(head: &[u8]) -> bool {
    let window = &head[..head.len().min(4096)];
    let text = String::from_utf8_lossy(window);
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    compact.contains("\"format\":\"rapport-backup\"")
        || compact.contains("\"format\":\"rapport-book\"")
}

pub(crate) fn import_backup(bytes: &[u8], sink: &mut Sink) -> Result<(), ImportError> {
    let backup = Backup::from_json(bytes).map_err(|problem| sink.fatal(Place::File, problem))?;
    for contact in backup.contacts {
        sink.contact(contact);
    }
    for message in backup.messages {
        sink.message(message);
    }
    for history in backup.histories {
        sink.history(history);
    }
    if !backup.settings.is_null() {
        sink.note(
            Place::File,
            "the backup's settings are not part of a history import",
            "restore the backup from the options page to bring the settings back",
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Party, Tags};

    fn contact(id: &str, email: &str) -> Contact {
        Contact {
            id: id.into(),
            identities: vec![Identity::Email(email.into())],
            names: vec![id.to_uppercase()],
            tags: Tags {
                notes: "met at \"RustConf\"".into(),
                ..Default::default()
            },
            ..Default::default()
        }
    }

    fn message(id: &str, time: Millis, direction: Direction, other: &str) -> Message {
        let me = Party {
            name: Some("Me".into()),
            identity: Some(Identity::Email("me@x.io".into())),
        };
        let them = Party {
            name: None,
            identity: Some(Identity::Email(other.into())),
        };
        let (from, to) = match direction {
            Direction::Sent => (me, vec![them]),
            Direction::Received => (them, vec![me]),
        };
        Message {
            id: id.into(),
            channel: Channel::Email,
            direction,
            from,
            to,
            time,
            subject: None,
            text: format!("body of {id}"),
            conversation: None,
            operator: None,
        }
    }

    #[test]
    fn canonical_json_is_independent_of_input_order_and_round_trips() {
        let settings = serde_json::json!({"zeta": 1, "alpha": {"b": 2, "a": 1}});
        let a = Backup::full(
            settings.clone(),
            vec![contact("b", "b@x.io"), contact("a", "a@x.io")],
            vec![
                message("m2", 20, Direction::Sent, "a@x.io"),
                message("m1", 10, Direction::Received, "a@x.io"),
            ],
        );
        let b = Backup::full(
            settings,
            vec![contact("a", "a@x.io"), contact("b", "b@x.io")],
            vec![
                message("m1", 10, Direction::Received, "a@x.io"),
                message("m2", 20, Direction::Sent, "a@x.io"),
            ],
        );
        let text = a.to_canonical_json();
        assert_eq!(text, b.to_canonical_json());
        assert!(text.starts_with("{\"format\":\"rapport-backup\",\"version\":1,\n\"settings\":{\"alpha\":{\"a\":1,\"b\":2},\"zeta\":1}"));
        let back = Backup::from_json(text.as_bytes()).unwrap();
        assert_eq!(back, a);
        assert_eq!(back.to_canonical_json(), text);
    }

    #[test]
    fn book_keeps_counts_and_dates_but_no_bodies() {
        let messages = [
            message("m1", 10, Direction::Received, "a@x.io"),
            message("m2", 20, Direction::Sent, "a@x.io"),
            message("m3", 30, Direction::Sent, "a@x.io"),
            message("m4", 40, Direction::Sent, "stranger@y.io"),
        ];
        let owner = Owner {
            name: "Me".into(),
            identities: vec![Identity::Email("me@x.io".into())],
        };
        let book = Backup::book(
            owner,
            vec![contact("a", "a@x.io"), contact("b", "b@x.io")],
            &messages,
        );
        assert!(book.messages.is_empty());
        assert_eq!(
            book.histories,
            vec![ContactHistory {
                contact: "a".into(),
                sent: 2,
                received: 1,
                first: Some(10),
                last: Some(30),
                last_sent: Some(30),
                last_received: Some(10),
                channels: vec![Channel::Email],
            }]
        );
        let text = book.to_canonical_json();
        assert!(!text.contains("body of"));
        assert!(text.starts_with("{\"format\":\"rapport-book\""));
        assert_eq!(Backup::from_json(text.as_bytes()).unwrap(), book);
    }

    #[test]
    fn refuses_newer_versions_and_cut_off_files() {
        let newer = br#"{"format":"rapport-backup","version":2,"contacts":[]}"#;
        assert!(Backup::from_json(newer)
            .unwrap_err()
            .contains("newer Rapport"));
        let text = Backup::full(
            serde_json::Value::Null,
            vec![contact("a", "a@x.io")],
            vec![],
        )
        .to_canonical_json();
        let cut = &text.as_bytes()[..text.len() / 2];
        assert!(Backup::from_json(cut).unwrap_err().contains("cut off"));
    }
}
