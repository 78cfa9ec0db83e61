//! Streams import files through the pure-Rust importers and into the background.
//!
//! Files are read in `Blob.slice` chunks, so a multi-gigabyte Takeout mbox never sits
//! in memory whole. Each file goes through twice: a scan that only counts (a fatal
//! problem such as a truncated mbox may surface at the very end, and by then nothing
//! must have been written) and proposes the owner, then, once the user confirmed, the
//! import proper, whose batches the background writes one transaction each.

use super::bridge::{js_error, send, Sent};
use crate::import::{ImportError, ImportReport, Importer, Me, Place, DETECT_BYTES};
use crate::protocol::{ImportBatchReply, Request};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen_futures::JsFuture;
use web_sys::File;

/// Bytes read per slice. Measured on a 130 MB mbox in Chromium: 1 MiB slices kept
/// frames at 16 ms median / 106 ms worst during the import, where 4 MiB slices blocked
/// the page for up to half a second, and were no faster.
const CHUNK_BYTES: f64 = (1 << 20) as f64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Checking,
    Importing,
}

/// Where an import stands, for the progress bar.
#[derive(Debug, Clone)]
pub struct Progress {
    pub phase: Phase,
    pub file: String,
    pub bytes_done: f64,
    pub bytes_total: f64,
    pub messages: u64,
    pub contacts: u64,
    /// `performance.now()` when the phase started.
    pub started: f64,
}

/// Why a file or an import stopped.
#[derive(Debug, Clone)]
pub enum Stop {
    /// The file is malformed; nothing of it was kept.
    Failed(ImportError),
    Cancelled,
    /// The background refused or failed to store a batch.
    Store(String),
}

/// What one file added, once written.
#[derive(Debug, Clone, Default)]
pub struct FileResult {
    pub file: String,
    pub written: ImportBatchReply,
    pub report: Option<ImportReport>,
}

pub fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or_else(js_sys::Date::now)
}

async fn read_slice(file: &File, start: f64, end: f64) -> Result<Vec<u8>, String> {
    let blob = file.slice_with_f64_and_f64(start, end).map_err(js_error)?;
    let buffer = JsFuture::from(blob.array_buffer())
        .await
        .map_err(js_error)?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// Lets the page paint and handle clicks (Cancel) between slices.
async fn breathe() {
    super::dom::sleep(0).await;
}

fn unreadable(name: &str, start: f64, error: String) -> Stop {
    Stop::Failed(ImportError::new(
        name,
        Place::Byte(start as u64),
        format!("the browser could not read the file ({error})"),
    ))
}

/// Runs one file through an importer, slice by slice, handing each finished batch to
/// `deliver`. Returns the importer's report.
async fn stream<F, Fut>(
    file: &File,
    me: Me,
    phase: Phase,
    base: &mut Progress,
    cancel: &Rc<Cell<bool>>,
    on_progress: &dyn Fn(&Progress),
    mut deliver: F,
) -> Result<ImportReport, Stop>
where
    F: FnMut(crate::import::ImportBatch) -> Fut,
    Fut: std::future::Future<Output = Result<(), Stop>>,
{
    let name = file.name();
    let size = file.size();
    let head = read_slice(file, 0.0, size.min(DETECT_BYTES as f64))
        .await
        .map_err(|e| unreadable(&name, 0.0, e))?;
    let mut importer = Importer::new(&name, &head, me).map_err(Stop::Failed)?;
    drop(head);
    base.phase = phase;
    base.file = name.clone();
    let mut start = 0.0;
    let file_base = base.bytes_done;
    while start < size {
        if cancel.get() {
            return Err(Stop::Cancelled);
        }
        let end = (start + CHUNK_BYTES).min(size);
        let chunk = read_slice(file, start, end)
            .await
            .map_err(|e| unreadable(&name, start, e))?;
        for batch in importer.push(&chunk).map_err(Stop::Failed)? {
            base.messages += batch.messages.len() as u64;
            base.contacts += batch.contacts.len() as u64;
            deliver(batch).await?;
        }
        start = end;
        base.bytes_done = file_base + start;
        on_progress(base);
        breathe().await;
    }
    let (rest, report) = importer.finish().map_err(Stop::Failed)?;
    for batch in rest {
        base.messages += batch.messages.len() as u64;
        base.contacts += batch.contacts.len() as u64;
        deliver(batch).await?;
    }
    base.bytes_done = file_base + size;
    on_progress(base);
    Ok(report)
}

/// The scan pass: format, counts, senders and any fatal problem, writing nothing.
pub async fn scan(
    file: &File,
    base: &mut Progress,
    cancel: &Rc<Cell<bool>>,
    on_progress: &dyn Fn(&Progress),
) -> Result<ImportReport, Stop> {
    stream(
        file,
        Me::default(),
        Phase::Checking,
        base,
        cancel,
        on_progress,
        |_| async { Ok(()) },
    )
    .await
}

/// The import pass: every batch goes to the background under `import_id`.
///
/// One batch stays in flight: the next is sent before the previous reply is awaited,
/// so this page parses while the background writes (the background keeps them in
/// order). Whatever ends the pass, the batch in flight is answered before this
/// returns, so a Cancel sent afterwards comes after it.
pub async fn import(
    file: &File,
    me: Me,
    import_id: &str,
    base: &mut Progress,
    cancel: &Rc<Cell<bool>>,
    on_progress: &dyn Fn(&Progress),
) -> Result<FileResult, Stop> {
    let name = file.name();
    let written = Cell::new(ImportBatchReply::default());
    let in_flight: RefCell<Option<Sent>> = RefCell::new(None);
    let streamed = stream(
        file,
        me,
        Phase::Importing,
        base,
        cancel,
        on_progress,
        |batch| {
            let sent = send(&Request::ImportBatch {
                import_id: import_id.to_owned(),
                file: name.clone(),
                batch,
            });
            let previous = sent.map(|sent| in_flight.borrow_mut().replace(sent));
            let written = &written;
            async move {
                match previous.map_err(Stop::Store)? {
                    Some(previous) => tally(previous, written).await,
                    None => Ok(()),
                }
            }
        },
    )
    .await;
    let last = in_flight.borrow_mut().take();
    let settled = match last {
        Some(sent) => tally(sent, &written).await,
        None => Ok(()),
    };
    let report = streamed?;
    settled?;
    Ok(FileResult {
        file: name,
        written: written.get(),
        report: Some(report),
    })
}

/// Awaits a batch's reply and adds it to the file's total.
async fn tally(sent: Sent, written: &Cell<ImportBatchReply>) -> Result<(), Stop> {
    let reply: ImportBatchReply = sent.reply_as().await.map_err(Stop::Store)?;
    let mut total = written.get();
    total.contacts_added += reply.contacts_added;
    total.messages_added += reply.messages_added;
    total.duplicates += reply.duplicates;
    written.set(total);
    Ok(())
}

/// Throughput in bytes per second and the seconds left, once there is enough to tell.
pub fn rates(progress: &Progress) -> Option<(f64, f64)> {
    let elapsed = (now_ms() - progress.started) / 1000.0;
    if elapsed < 0.2 || progress.bytes_done <= 0.0 {
        return None;
    }
    let per_second = progress.bytes_done / elapsed;
    let left = (progress.bytes_total - progress.bytes_done).max(0.0) / per_second;
    Some((per_second, left))
}
