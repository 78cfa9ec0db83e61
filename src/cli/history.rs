//! Reading `--history` files into an engine index, with one report per file.

use super::Failure;
use crate::engine::{message_band_keys, slice_keys, Index};
use crate::identity::name_key;
use crate::import::{
    ContactHistory, ImportBatch, ImportError, ImportReport, Importer, Me, DETECT_BYTES,
};
use crate::model::{Contact, Direction, Draft, Identity, Message, Millis, Party, DAY};
use crate::settings::Settings;
use std::collections::HashSet;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Files are read in slices of this size, as the options page does with `Blob.slice`.
const CHUNK_BYTES: usize = 1 << 20;

/// One `--history` file: what it held, or why it was refused.
pub struct FileOutcome {
    pub path: PathBuf,
    pub result: Result<ImportReport, ImportError>,
}

/// Receives what the files hold, batch by batch as each file is read (a multi-GB
/// mbox is never held whole), then learns whether the file was whole: a file with a
/// fatal problem must leave nothing behind, so its batches are staged until then.
pub trait HistorySink {
    fn batch(&mut self, batch: ImportBatch);
    /// `true`: keep what this file gave; `false`: drop it.
    fn file_done(&mut self, whole: bool);
}

/// Everything the history files held, fed to `sink` batch by batch.
pub fn read_history(
    paths: &[PathBuf],
    me: &Me,
    sink: &mut dyn HistorySink,
) -> Result<Vec<FileOutcome>, Failure> {
    let mut outcomes = Vec::new();
    for path in expand(paths)? {
        let result = read_file(&path, me, sink)?;
        outcomes.push(FileOutcome { path, result });
    }
    Ok(outcomes)
}

/// What the drafts being checked can depend on, per the engine's slice contract
/// ([`crate::engine::slice_keys`]): the recipients' messages (by identity, and by
/// name for same-name suggestions) and the owner's recent sent messages (near
/// duplicates). The extension's service worker loads the same slice from IndexedDB;
/// here it spares indexing years of unrelated mail.
pub struct Slice {
    identity_keys: HashSet<String>,
    name_keys: HashSet<String>,
    band_keys: HashSet<String>,
    sent_since: Millis,
    folded: std::cell::RefCell<std::collections::HashMap<String, bool>>,
}

impl Slice {
    pub fn for_drafts(drafts: &[Draft], settings: &Settings) -> Slice {
        let mut slice = Slice {
            identity_keys: HashSet::new(),
            name_keys: HashSet::new(),
            band_keys: HashSet::new(),
            sent_since: Millis::MAX,
            folded: Default::default(),
        };
        for draft in drafts {
            let keys = slice_keys(draft, settings);
            slice.identity_keys.extend(keys.identity_keys);
            slice.name_keys.extend(keys.name_keys);
            slice.band_keys.extend(keys.band_keys);
            let window = Millis::from(keys.window_days) * DAY;
            slice.sent_since = slice.sent_since.min(draft.time.saturating_sub(window));
        }
        slice
    }

    /// Folding a name (Unicode decomposition) costs more than everything else done per
    /// message here, and a history repeats the same few thousand names: fold each once.
    fn named(&self, party: &Party) -> bool {
        let Some(name) = party.name.as_deref() else {
            return false;
        };
        let mut seen = self.folded.borrow_mut();
        if let Some(&hit) = seen.get(name) {
            return hit;
        }
        let hit = self.name_keys.contains(&name_key(name));
        seen.insert(name.to_string(), hit);
        hit
    }

    fn involves(&self, party: &Party) -> bool {
        party
            .identity
            .as_ref()
            .is_some_and(|i| self.identity_keys.contains(&i.key()))
            || self.named(party)
    }

    /// Grows the identity set to everyone the recipients may be: a contact holding one
    /// of their identities or their name (Connections.csv ties a profile to an email),
    /// and parties of messages who carry their name.
    fn widen(&mut self, contacts: &[Contact], messages: &[Message]) {
        for contact in contacts {
            let linked = contact
                .identities
                .iter()
                .any(|i| self.identity_keys.contains(&i.key()))
                || contact
                    .names
                    .iter()
                    .any(|n| self.name_keys.contains(&name_key(n)));
            if linked {
                self.identity_keys
                    .extend(contact.identities.iter().map(Identity::key));
            }
        }
        for message in messages {
            for party in std::iter::once(&message.from).chain(&message.to) {
                if let (true, Some(identity)) = (self.named(party), &party.identity) {
                    self.identity_keys.insert(identity.key());
                }
            }
        }
    }

    fn keeps(&self, message: &Message) -> bool {
        if self.involves(&message.from) || message.to.iter().any(|p| self.involves(p)) {
            return true;
        }
        // A recent sent message matters only as a near-duplicate of a draft.
        message.direction == Direction::Sent
            && message.time >= self.sent_since
            && message_band_keys(message)
                .iter()
                .any(|k| self.band_keys.contains(k))
    }
}

/// Loads history into an index, refusing the run if any file is unreadable: a check
/// against half the history would give false comfort. With a slice, only what the
/// drafts can depend on is indexed.
pub fn load_index(
    paths: &[PathBuf],
    me: &Me,
    slice: Option<Slice>,
) -> Result<(Index, Vec<ImportReport>), Failure> {
    let mut staged = Staged::default();
    let outcomes = read_history(paths, me, &mut staged)?;
    let (contacts, histories, mut messages) = (staged.contacts, staged.histories, staged.messages);
    let mut reports = Vec::new();
    for outcome in outcomes {
        match outcome.result {
            Ok(report) => reports.push(report),
            Err(error) => return Err(Failure::Import(error)),
        }
    }
    if let Some(mut slice) = slice {
        slice.widen(&contacts, &messages);
        messages.retain(|m| slice.keeps(m));
    }
    let mut index = Index::new();
    for contact in contacts {
        index.add_contact(contact);
    }
    // A relationship book's counts: a few per contact, so kept whole even in a slice.
    for history in histories {
        index.add_history(history);
    }
    for message in messages {
        index.add_message(message);
    }
    Ok((index, reports))
}

/// Contacts, book histories and messages of the files read so far; a rejected file's
/// are cut off again.
#[derive(Default)]
struct Staged {
    contacts: Vec<Contact>,
    histories: Vec<ContactHistory>,
    messages: Vec<Message>,
    file_start: (usize, usize, usize),
}

impl HistorySink for Staged {
    fn batch(&mut self, batch: ImportBatch) {
        self.contacts.extend(batch.contacts);
        self.histories.extend(batch.histories);
        self.messages.extend(batch.messages);
    }

    fn file_done(&mut self, whole: bool) {
        if !whole {
            self.contacts.truncate(self.file_start.0);
            self.histories.truncate(self.file_start.1);
            self.messages.truncate(self.file_start.2);
        }
        self.file_start = (
            self.contacts.len(),
            self.histories.len(),
            self.messages.len(),
        );
    }
}

/// Directories (an unpacked LinkedIn export) stand for the files directly inside them.
fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Failure> {
    let mut files = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|e| Failure::unreadable(path, &e))?;
        if !meta.is_dir() {
            files.push(path.clone());
            continue;
        }
        let mut inside: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| Failure::unreadable(path, &e))?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| p.is_file() && is_history_file(p))
            .collect();
        inside.sort();
        if inside.is_empty() {
            return Err(Failure::Usage(format!(
                "{}: this folder holds no export Rapport reads; pass the files themselves (messages.csv, an .mbox, ...)",
                path.display()
            )));
        }
        files.extend(inside);
    }
    Ok(files)
}

/// Inside a folder, only files whose first bytes say they are an export count (the
/// LinkedIn archive has dozens of CSVs Rapport does not use).
fn is_history_file(path: &Path) -> bool {
    let mut head = vec![0; 8192];
    let Ok(mut file) = File::open(path) else {
        return false;
    };
    let n = file.read(&mut head).unwrap_or(0);
    crate::import::detect("", &head[..n]).is_ok()
}

fn read_file(
    path: &Path,
    me: &Me,
    sink: &mut dyn HistorySink,
) -> Result<Result<ImportReport, ImportError>, Failure> {
    let result = stream_file(path, me, sink);
    sink.file_done(matches!(result, Ok(Ok(_))));
    result
}

fn stream_file(
    path: &Path,
    me: &Me,
    sink: &mut dyn HistorySink,
) -> Result<Result<ImportReport, ImportError>, Failure> {
    let name = path.display().to_string();
    let mut file = File::open(path).map_err(|e| Failure::unreadable(path, &e))?;
    let mut chunk = vec![0; CHUNK_BYTES];
    let mut filled = 0;
    // The first chunk doubles as the detection window.
    while filled < DETECT_BYTES.min(CHUNK_BYTES) {
        let n = file
            .read(&mut chunk[filled..])
            .map_err(|e| Failure::unreadable(path, &e))?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    let mut importer = match Importer::new(&name, &chunk[..filled], me.clone()) {
        Ok(importer) => importer,
        Err(error) => return Ok(Err(error)),
    };
    let mut next = filled;
    loop {
        match importer.push(&chunk[..next]) {
            Ok(batches) => batches.into_iter().for_each(|b| sink.batch(b)),
            Err(error) => return Ok(Err(error)),
        }
        next = file
            .read(&mut chunk)
            .map_err(|e| Failure::unreadable(path, &e))?;
        if next == 0 {
            break;
        }
    }
    match importer.finish() {
        Ok((batches, report)) => {
            batches.into_iter().for_each(|b| sink.batch(b));
            Ok(Ok(report))
        }
        Err(error) => Ok(Err(error)),
    }
}
