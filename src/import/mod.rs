//! Importers: LinkedIn exports, mbox, eml and Rapport backups into model values.
//!
//! Every importer is pure Rust and push-driven, because the same code runs natively in
//! the CLI and as wasm in the options page, where a multi-gigabyte Google Takeout mbox
//! arrives as `Blob.slice` chunks and must never be held whole:
//!
//! ```
//! use rapport::import::{Importer, Me};
//! let me = Me::parse(["me@example.com"]);
//! let mbox = b"From a@x Mon Jan  1 00:00:00 2024\nFrom: Ann <ann@example.com>\nTo: me@example.com\nDate: Mon, 1 Jan 2024 09:00:00 +0000\nMessage-ID: <1@x>\n\nHello\n";
//! let mut importer = Importer::new("inbox.mbox", &mbox[..], me).unwrap();
//! let mut batches = importer.push(&mbox[..20]).unwrap();
//! batches.extend(importer.push(&mbox[20..]).unwrap());
//! let (rest, report) = importer.finish().unwrap();
//! batches.extend(rest);
//! assert_eq!(report.messages, 1);
//! assert_eq!(batches.iter().map(|b| b.messages.len()).sum::<usize>(), 1);
//! ```
//!
//! Batches are bounded (messages and text bytes) so the background writes each in one
//! IndexedDB transaction. Problems are values: a fatal one (`Err`) rejects the whole file
//! and names file, place and problem; a recoverable one is listed in the report with
//! what was done about it. Because a fatal problem can surface late in a huge file (a
//! truncated mbox shows only at its end), callers that must not half-write run a file
//! through twice: a scan pass that only counts (and infers the owner, see
//! [`infer_owner`]) and, once the scan is clean and the user has confirmed, the import
//! pass. Ids are stable across runs (source ids, else xxh3 fingerprints), so importing
//! the same file again adds nothing.

pub mod archive;
pub mod backup;
mod csv_stream;
pub mod linkedin;
pub mod mail;

use crate::identity::{name_key, parse_identity};
use crate::model::{Channel, Contact, Identity, Message, Millis, Party};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};
use std::fmt;

pub use backup::{Backup, BackupKind, ContactHistory};

/// What an importer hands the store in one go; written in one transaction, so a
/// failure keeps none of it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ImportBatch {
    pub contacts: Vec<Contact>,
    pub messages: Vec<Message>,
    /// Per-contact counts and dates without bodies, from a shared relationship book.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub histories: Vec<ContactHistory>,
    #[serde(default)]
    pub stats: BatchStats,
}

/// Progress facts travelling with a batch, so the options page can show throughput
/// and time left without asking the importer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BatchStats {
    /// Bytes of the file consumed when the batch was closed.
    pub bytes_read: u64,
    /// Records (rows, messages) skipped while filling this batch; reasons are in the report.
    pub skipped: u64,
}

impl ImportBatch {
    pub fn is_empty(&self) -> bool {
        self.contacts.is_empty() && self.messages.is_empty() && self.histories.is_empty()
    }
}

/// The kinds of file Rapport reads, told apart by content, never by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    LinkedinMessages,
    LinkedinConnections,
    LinkedinInvitations,
    LinkedinArchive,
    Mbox,
    Eml,
    Backup,
}

impl Format {
    pub fn describe(self) -> &'static str {
        match self {
            Format::LinkedinMessages => "LinkedIn messages.csv",
            Format::LinkedinConnections => "LinkedIn Connections.csv",
            Format::LinkedinInvitations => "LinkedIn Invitations.csv",
            Format::LinkedinArchive => "LinkedIn export archive",
            Format::Mbox => "mbox",
            Format::Eml => "email message (.eml)",
            Format::Backup => "Rapport backup",
        }
    }
}

/// Where in a file a problem is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "at", rename_all = "lowercase")]
pub enum Place {
    /// The file as a whole (its type, its end).
    File,
    /// 1-based physical line of a text file.
    Line(u64),
    /// 1-based message number in a mailbox.
    Message(u64),
    /// Byte offset from the start of the file.
    Byte(u64),
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::File => Ok(()),
            Place::Line(n) => write!(f, "line {n}"),
            Place::Message(n) => write!(f, "message {n}"),
            Place::Byte(n) => write!(f, "byte {n}"),
        }
    }
}

/// A problem in an input file, worded for the person who chose the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportError {
    pub file: String,
    pub place: Place,
    /// One sentence: what is wrong and, where we know it, how to fix it.
    pub problem: String,
    /// For a recoverable problem, what the importer did (e.g. "skipped the row").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
}

impl ImportError {
    pub fn new(file: &str, place: Place, problem: impl Into<String>) -> Self {
        ImportError {
            file: file.to_string(),
            place,
            problem: problem.into(),
            action: None,
        }
    }

    fn done(mut self, action: &str) -> Self {
        self.action = Some(action.to_string());
        self
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.place {
            Place::File => write!(f, "{}: {}", self.file, self.problem)?,
            ref place => write!(f, "{} {}: {}", self.file, place, self.problem)?,
        }
        if let Some(action) = &self.action {
            write!(f, " ({action})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ImportError {}

/// The account owner as the importer recognizes them: messages from these are `Sent`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Me {
    identities: BTreeSet<Identity>,
    name_keys: BTreeSet<String>,
}

impl Me {
    /// Reads `--me` style values: email addresses, LinkedIn profile URLs, or names.
    pub fn parse<S: AsRef<str>>(values: impl IntoIterator<Item = S>) -> Me {
        let mut me = Me::default();
        for value in values {
            let value = value.as_ref().trim();
            match parse_identity(value) {
                Some(identity) => {
                    me.identities.insert(identity);
                }
                None if !value.is_empty() => {
                    me.name_keys.insert(name_key(value));
                }
                None => {}
            }
        }
        me
    }

    pub fn from_owner(owner: &crate::settings::Owner) -> Me {
        let mut me = Me::default();
        me.identities.extend(owner.identities.iter().cloned());
        if !owner.name.trim().is_empty() {
            me.name_keys.insert(name_key(&owner.name));
        }
        me
    }

    pub fn is_empty(&self) -> bool {
        self.identities.is_empty() && self.name_keys.is_empty()
    }

    pub fn identities(&self) -> impl Iterator<Item = &Identity> {
        self.identities.iter()
    }

    /// An email address decides on its own; LinkedIn exports name people and only
    /// sometimes link their profile, so there a name match counts too.
    pub fn is_me(&self, party: &Party, channel: Channel) -> bool {
        if let Some(identity) = &party.identity {
            if self.identities.contains(identity) {
                return true;
            }
            // A profile URL decides too once the owner's own profile is known.
            let owner_profile_known = || {
                self.identities
                    .iter()
                    .any(|i| matches!(i, Identity::Linkedin(_)))
            };
            if channel == Channel::Email
                || (matches!(identity, Identity::Linkedin(_)) && owner_profile_known())
            {
                return false;
            }
        }
        party
            .name
            .as_deref()
            .is_some_and(|n| self.name_keys.contains(&name_key(n)))
    }
}

/// How often someone sent a message in the files read, for guessing the owner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SenderCount {
    pub party: Party,
    pub messages: u64,
}

/// What reading one file produced, for the result summary and `rapport import`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    pub file: String,
    pub format: Format,
    pub bytes: u64,
    pub contacts: u64,
    pub messages: u64,
    pub histories: u64,
    /// Records left out (drafts, rows without a date, ...): each kind is in `problems`.
    pub skipped: u64,
    pub problems: Vec<ImportError>,
    /// The most frequent senders, most first (at most ten).
    pub senders: Vec<SenderCount>,
    pub first: Option<Millis>,
    pub last: Option<Millis>,
}

/// The owner is whoever sent the most messages across the files; the UI confirms it.
pub fn infer_owner<'a>(reports: impl IntoIterator<Item = &'a ImportReport>) -> Option<Party> {
    let mut tally: HashMap<String, (Party, u64)> = HashMap::new();
    for report in reports {
        for sender in &report.senders {
            let entry = tally
                .entry(party_key(&sender.party))
                .or_insert_with(|| (sender.party.clone(), 0));
            entry.1 += sender.messages;
        }
    }
    tally
        .into_iter()
        .max_by(|a, b| a.1 .1.cmp(&b.1 .1).then_with(|| b.0.cmp(&a.0)))
        .map(|(_, (party, _))| party)
}

fn party_key(party: &Party) -> String {
    match (&party.identity, &party.name) {
        (Some(identity), _) => identity.key(),
        (None, Some(name)) => format!("name:{}", name_key(name)),
        (None, None) => String::new(),
    }
}

/// Batch bounds: one IndexedDB transaction each, small enough to keep the page fluid.
const BATCH_MESSAGES: usize = 500;
const BATCH_TEXT_BYTES: usize = 4 << 20;

/// Where parsers put what they find; rolls full batches and keeps the report's counts.
pub(crate) struct Sink {
    file: String,
    pending: ImportBatch,
    pending_bytes: usize,
    ready: Vec<ImportBatch>,
    bytes_read: u64,
    report_contacts: u64,
    report_messages: u64,
    report_histories: u64,
    skipped: u64,
    problems: Vec<ImportError>,
    senders: HashMap<String, SenderCount>,
    first: Option<Millis>,
    last: Option<Millis>,
}

/// Recoverable problems beyond this many are counted, not listed: a broken file must
/// not produce a report bigger than itself.
const MAX_LISTED_PROBLEMS: usize = 200;

impl Sink {
    fn new(file: &str) -> Self {
        Sink {
            file: file.to_string(),
            pending: ImportBatch::default(),
            pending_bytes: 0,
            ready: Vec::new(),
            bytes_read: 0,
            report_contacts: 0,
            report_messages: 0,
            report_histories: 0,
            skipped: 0,
            problems: Vec::new(),
            senders: HashMap::new(),
            first: None,
            last: None,
        }
    }

    pub(crate) fn file(&self) -> &str {
        &self.file
    }

    pub(crate) fn contact(&mut self, contact: Contact) {
        self.report_contacts += 1;
        self.pending.contacts.push(contact);
        self.roll_if_full();
    }

    pub(crate) fn history(&mut self, history: ContactHistory) {
        self.report_histories += 1;
        self.pending.histories.push(history);
        self.roll_if_full();
    }

    pub(crate) fn message(&mut self, message: Message) {
        let key = party_key(&message.from);
        self.message_from(message, key);
    }

    /// [`Sink::message`] for a caller that already holds `party_key(&message.from)`.
    pub(crate) fn message_from(&mut self, message: Message, key: String) {
        debug_assert_eq!(key, party_key(&message.from));
        self.report_messages += 1;
        self.first = Some(self.first.map_or(message.time, |t| t.min(message.time)));
        self.last = Some(self.last.map_or(message.time, |t| t.max(message.time)));
        if !key.is_empty() {
            self.senders
                .entry(key)
                .or_insert_with(|| SenderCount {
                    party: message.from.clone(),
                    messages: 0,
                })
                .messages += 1;
        }
        self.pending_bytes += message.text.len() + 200;
        if self.pending.messages.capacity() == 0 {
            // A batch usually fills up: growing it by doubling copied every message
            // several times.
            self.pending.messages.reserve_exact(BATCH_MESSAGES);
        }
        self.pending.messages.push(message);
        self.roll_if_full();
    }

    /// A recoverable problem: the record is left out and the report says why.
    pub(crate) fn skip(&mut self, place: Place, problem: impl Into<String>, action: &str) {
        self.skipped += 1;
        self.pending.stats.skipped += 1;
        self.note(place, problem, action);
    }

    /// A recoverable problem that did not cost a record.
    pub(crate) fn note(&mut self, place: Place, problem: impl Into<String>, action: &str) {
        if self.problems.len() < MAX_LISTED_PROBLEMS {
            self.problems
                .push(ImportError::new(&self.file, place, problem).done(action));
        }
    }

    pub(crate) fn fatal(&self, place: Place, problem: impl Into<String>) -> ImportError {
        ImportError::new(&self.file, place, problem)
    }

    fn roll_if_full(&mut self) {
        let items = self.pending.messages.len()
            + self.pending.contacts.len()
            + self.pending.histories.len();
        if items >= BATCH_MESSAGES || self.pending_bytes >= BATCH_TEXT_BYTES {
            self.roll();
        }
    }

    fn roll(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let mut batch = std::mem::take(&mut self.pending);
        batch.stats.bytes_read = self.bytes_read;
        self.pending_bytes = 0;
        self.ready.push(batch);
    }

    fn report(&mut self, format: Format) -> ImportReport {
        // Sorted by the map's own keys: computing party keys inside the comparison
        // allocated two strings per comparison.
        let mut senders: Vec<(String, SenderCount)> = self.senders.drain().collect();
        senders.sort_unstable_by(|(a_key, a), (b_key, b)| {
            b.messages.cmp(&a.messages).then_with(|| a_key.cmp(b_key))
        });
        let senders: Vec<SenderCount> = senders.into_iter().take(10).map(|(_, s)| s).collect();
        let unlisted = self.problems.len() == MAX_LISTED_PROBLEMS;
        let mut problems = std::mem::take(&mut self.problems);
        if unlisted {
            problems.push(
                ImportError::new(
                    &self.file,
                    Place::File,
                    "more problems than are listed here",
                )
                .done("the rest were handled the same way"),
            );
        }
        ImportReport {
            file: self.file.clone(),
            format,
            bytes: self.bytes_read,
            contacts: self.report_contacts,
            messages: self.report_messages,
            histories: self.report_histories,
            skipped: self.skipped,
            problems,
            senders,
            first: self.first,
            last: self.last,
        }
    }
}

/// How many leading bytes [`detect`] wants to see (it copes with fewer).
pub const DETECT_BYTES: usize = 64 * 1024;

/// Tells what a file is from its first bytes ([`DETECT_BYTES`] is plenty).
pub fn detect(file: &str, head: &[u8]) -> Result<Format, ImportError> {
    let fail = |problem: String| Err(ImportError::new(file, Place::File, problem));
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    if head.is_empty() {
        return fail("the file is empty".into());
    }
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        return Ok(Format::LinkedinArchive);
    }
    if let Some(kind) = binary_kind(head) {
        return fail(format!(
            "this is a binary file ({kind}), not an export Rapport reads: choose the LinkedIn export (.zip or its .csv files), an mbox, .eml files or a Rapport backup"
        ));
    }
    let text = head.trim_ascii_start();
    if text.starts_with(b"{") {
        return if backup::looks_like_backup(text) {
            Ok(Format::Backup)
        } else {
            fail("this JSON file is not a Rapport backup or relationship book (it has no \"format\": \"rapport-backup\" or \"rapport-book\")".into())
        };
    }
    if head.starts_with(b"From ") {
        return Ok(Format::Mbox);
    }
    if let Some(format) = linkedin::detect_csv(head) {
        return Ok(format);
    }
    if mail::looks_like_eml(head) {
        return Ok(Format::Eml);
    }
    if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
        return fail("this text is UTF-16; LinkedIn exports are UTF-8, so it was re-saved by another program: export it again or save it as UTF-8".into());
    }
    fail("not a format Rapport reads: expected a LinkedIn export (messages.csv, Connections.csv, Invitations.csv or the .zip), an mbox, an .eml message or a Rapport backup".into())
}

/// Known binary signatures first, then a NUL/control-byte heuristic: text never has NULs.
fn binary_kind(head: &[u8]) -> Option<&'static str> {
    const MAGIC: [(&[u8], &str); 8] = [
        (b"%PDF", "PDF"),
        (b"\x89PNG", "PNG image"),
        (b"\xFF\xD8\xFF", "JPEG image"),
        (b"GIF8", "GIF image"),
        (b"\x1F\x8B", "gzip archive"),
        (b"\xD0\xCF\x11\xE0", "Office document"),
        (b"SQLite format", "SQLite database"),
        (b"\x7FELF", "program"),
    ];
    if let Some((_, kind)) = MAGIC.iter().find(|(magic, _)| head.starts_with(magic)) {
        return Some(kind);
    }
    let sample = &head[..head.len().min(8192)];
    let controls = sample
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0C))
        .count();
    let utf16 = head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF");
    (!utf16 && (sample.contains(&0) || controls * 20 > sample.len()))
        .then_some("unknown binary data")
}

enum Parser {
    Csv(Box<linkedin::CsvImport>),
    Mbox(mail::MboxImport),
    /// Small formats parsed whole at `finish`: one message, a zip archive, a backup.
    Whole(Vec<u8>),
}

/// Whole-file formats beyond this are refused rather than exhausting the page's memory.
const MAX_WHOLE_BYTES: usize = 1 << 30;

/// One file being imported: feed it chunks, collect batches, then `finish`.
pub struct Importer {
    format: Format,
    me: Me,
    parser: Parser,
    sink: Sink,
    failed: Option<ImportError>,
}

impl Importer {
    /// Detects the format from `head` (the file's first bytes, at least what the caller
    /// has; [`DETECT_BYTES`] is plenty). `head` is only looked at: feed the whole file,
    /// from its first byte, through [`Importer::push`].
    pub fn new(file: &str, head: &[u8], me: Me) -> Result<Importer, ImportError> {
        let format = detect(file, head)?;
        Ok(Importer::with_format(file, format, me))
    }

    pub fn with_format(file: &str, format: Format, me: Me) -> Importer {
        let parser = match format {
            Format::LinkedinMessages
            | Format::LinkedinConnections
            | Format::LinkedinInvitations => {
                Parser::Csv(Box::new(linkedin::CsvImport::new(format)))
            }
            Format::Mbox => Parser::Mbox(mail::MboxImport::new()),
            Format::Eml | Format::LinkedinArchive | Format::Backup => Parser::Whole(Vec::new()),
        };
        Importer {
            format,
            me,
            parser,
            sink: Sink::new(file),
            failed: None,
        }
    }

    pub fn format(&self) -> Format {
        self.format
    }

    /// Feeds the next chunk; returns the batches that filled up. After an `Err` the
    /// file is rejected and every later call repeats the error.
    pub fn push(&mut self, chunk: &[u8]) -> Result<Vec<ImportBatch>, ImportError> {
        if let Some(error) = &self.failed {
            return Err(error.clone());
        }
        self.sink.bytes_read += chunk.len() as u64;
        let result = match &mut self.parser {
            Parser::Csv(csv) => csv.push(chunk, &self.me, &mut self.sink),
            Parser::Mbox(mbox) => mbox.push(chunk, &self.me, &mut self.sink),
            Parser::Whole(buffer) => {
                if buffer.len() + chunk.len() > MAX_WHOLE_BYTES {
                    Err(self.sink.fatal(
                        Place::Byte(buffer.len() as u64),
                        format!(
                            "a {} larger than 1 GB is not something Rapport can read in one piece",
                            self.format.describe()
                        ),
                    ))
                } else {
                    buffer.extend_from_slice(chunk);
                    Ok(())
                }
            }
        };
        if let Err(error) = result {
            self.failed = Some(error.clone());
            return Err(error);
        }
        Ok(std::mem::take(&mut self.sink.ready))
    }

    /// Ends the file: the remaining batches and the report, or the fatal problem (a
    /// truncated mbox, an unbalanced quote at the end, a corrupt archive).
    pub fn finish(mut self) -> Result<(Vec<ImportBatch>, ImportReport), ImportError> {
        if let Some(error) = self.failed {
            return Err(error);
        }
        match std::mem::replace(&mut self.parser, Parser::Whole(Vec::new())) {
            Parser::Csv(csv) => csv.finish(&self.me, &mut self.sink)?,
            Parser::Mbox(mbox) => mbox.finish(&self.me, &mut self.sink)?,
            Parser::Whole(bytes) => match self.format {
                Format::Eml => mail::import_eml(&bytes, &self.me, &mut self.sink)?,
                Format::LinkedinArchive => archive::import_zip(&bytes, &self.me, &mut self.sink)?,
                Format::Backup => backup::import_backup(&bytes, &mut self.sink)?,
                _ => unreachable!("streamed formats have their own parser"),
            },
        }
        self.sink.roll();
        let report = self.sink.report(self.format);
        Ok((std::mem::take(&mut self.sink.ready), report))
    }
}

/// Reads a whole in-memory file: for tests, the CLI and small files.
pub fn import_bytes(
    file: &str,
    bytes: &[u8],
    me: Me,
) -> Result<(Vec<ImportBatch>, ImportReport), ImportError> {
    let mut importer = Importer::new(file, &bytes[..bytes.len().min(DETECT_BYTES)], me)?;
    let mut batches = importer.push(bytes)?;
    let (rest, report) = importer.finish()?;
    batches.extend(rest);
    Ok((batches, report))
}

/// A stable content fingerprint for records whose source gives no id.
pub(crate) fn fingerprint(parts: &[&[u8]]) -> String {
    format!("{:016x}", fingerprint_u64(parts))
}

/// [`fingerprint`] as a number, for ids that show only part of it.
pub(crate) fn fingerprint_u64(parts: &[&[u8]]) -> u64 {
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    for part in parts {
        hasher.update(&(part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    hasher.digest()
}

/// The first characters of a field, for error messages that show the user where to look.
pub(crate) fn excerpt(text: &str) -> String {
    let line: String = text
        .split(['\n', '\r'])
        .next()
        .unwrap_or("")
        .chars()
        .take(24)
        .collect();
    if line.len() < text.len() {
        format!("{line}...")
    } else {
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_formats_from_content() {
        let f = "x";
        assert_eq!(
            detect(f, b"From a@b Mon Jan 1 00:00:00 2024\n").unwrap(),
            Format::Mbox
        );
        assert_eq!(
            detect(f, b"PK\x03\x04rest").unwrap(),
            Format::LinkedinArchive
        );
        assert_eq!(detect(f, b"\xEF\xBB\xBFCONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,DATE,SUBJECT,CONTENT,FOLDER\r\n").unwrap(), Format::LinkedinMessages);
        assert_eq!(detect(f, b"Notes:\n\"When exporting...\"\n\nFirst Name,Last Name,URL,Email Address,Company,Position,Connected On\n").unwrap(), Format::LinkedinConnections);
        assert_eq!(
            detect(f, b"From,To,Sent At,Message,Direction\n").unwrap(),
            Format::LinkedinInvitations
        );
        assert_eq!(
            detect(f, b"Return-Path: <a@b.c>\nFrom: a@b.c\nSubject: x\n\nbody").unwrap(),
            Format::Eml
        );
        assert_eq!(
            detect(f, b"{\"format\":\"rapport-backup\",\"version\":1}").unwrap(),
            Format::Backup
        );
        let png = detect(f, b"\x89PNG\r\n\x1a\n\0\0\0").unwrap_err();
        assert!(png.problem.contains("binary file (PNG image)"), "{png}");
        assert!(detect(f, b"\0\x01\x02\x03garbage")
            .unwrap_err()
            .problem
            .contains("binary"));
        assert!(detect(f, b"").unwrap_err().problem.contains("empty"));
        assert!(detect(f, b"name,age\nbob,3\n")
            .unwrap_err()
            .problem
            .contains("not a format"));
        assert!(detect(f, b"{\"a\":1}")
            .unwrap_err()
            .problem
            .contains("not a Rapport backup"));
    }

    #[test]
    fn owner_matching_uses_identities_and_linkedin_names() {
        let me = Me::parse([
            "Dana Whitfield",
            "dana@whitfield.io",
            "https://www.linkedin.com/in/dana-whitfield/",
        ]);
        let email = |a: &str| Party {
            name: None,
            identity: parse_identity(a),
        };
        assert!(me.is_me(&email("Dana@Whitfield.io"), Channel::Email));
        assert!(!me.is_me(&email("other@whitfield.io"), Channel::Email));
        let named = Party {
            name: Some("DANA  Whitfield".into()),
            identity: None,
        };
        assert!(me.is_me(&named, Channel::Linkedin));
        // A namesake with their own profile is not the owner once the owner's is known.
        let namesake = Party {
            name: Some("Dana Whitfield".into()),
            identity: parse_identity("https://www.linkedin.com/in/dana-whitfield-42"),
        };
        assert!(!me.is_me(&namesake, Channel::Linkedin));
        assert!(Me::parse(["Dana Whitfield"]).is_me(&namesake, Channel::Linkedin));
    }

    #[test]
    fn error_messages_name_file_place_and_action() {
        let e = ImportError::new("messages.csv", Place::Line(14), "unbalanced quote")
            .done("skipped the row");
        assert_eq!(
            e.to_string(),
            "messages.csv line 14: unbalanced quote (skipped the row)"
        );
        assert_eq!(
            ImportError::new("a.zip", Place::File, "corrupt").to_string(),
            "a.zip: corrupt"
        );
    }
}
