//! Reading `--history` files into an engine index, with one report per file.

use super::Failure;
use crate::engine::Index;
use crate::import::{ImportBatch, ImportError, ImportReport, Importer, Me, DETECT_BYTES};
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

/// Everything the history files held, fed to `sink` batch by batch.
pub fn read_history(
    paths: &[PathBuf],
    me: &Me,
    sink: &mut dyn FnMut(ImportBatch),
) -> Result<Vec<FileOutcome>, Failure> {
    let mut outcomes = Vec::new();
    for path in expand(paths)? {
        let result = read_file(&path, me, sink)?;
        outcomes.push(FileOutcome { path, result });
    }
    Ok(outcomes)
}

/// Loads history into an index, refusing the run if any file is unreadable: a check
/// against half the history would give false comfort.
pub fn load_index(paths: &[PathBuf], me: &Me) -> Result<(Index, Vec<ImportReport>), Failure> {
    let mut index = Index::new();
    let outcomes = read_history(paths, me, &mut |batch| add_batch(&mut index, batch))?;
    let mut reports = Vec::new();
    for outcome in outcomes {
        match outcome.result {
            Ok(report) => reports.push(report),
            Err(error) => return Err(Failure::Import(error)),
        }
    }
    Ok((index, reports))
}

pub fn add_batch(index: &mut Index, batch: ImportBatch) {
    for contact in batch.contacts {
        index.add_contact(contact);
    }
    for message in batch.messages {
        index.add_message(message);
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
    sink: &mut dyn FnMut(ImportBatch),
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
    // Batches of a file are held until the file is known to be whole: nothing of a
    // file with a fatal problem reaches the index.
    let mut held = Vec::new();
    let mut next = filled;
    loop {
        match importer.push(&chunk[..next]) {
            Ok(batches) => held.extend(batches),
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
            for batch in held.into_iter().chain(batches) {
                sink(batch);
            }
            Ok(Ok(report))
        }
        Err(error) => Ok(Err(error)),
    }
}
