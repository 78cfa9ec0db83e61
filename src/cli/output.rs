//! How results look: warnings as text or the JSON contract, and the import summary.

use super::history::{read_history, FileOutcome, HistorySink};
use super::{CheckFormat, FailOn, Failure, ImportArgs, Outcome};
use crate::import::{infer_owner, Me};
use crate::model::{Channel, Direction, Millis, Party, Warning};
use std::collections::HashSet;

/// The public shape of one warning in `--format json`.
pub(super) fn warning_json(warning: &Warning) -> serde_json::Value {
    serde_json::json!({
        "rule": warning.rule,
        "severity": warning.severity,
        "message": warning.message,
        "spans": warning.spans.iter().map(|&(s, e)| [s, e]).collect::<Vec<_>>(),
        "evidence": warning.evidence,
    })
}

pub(super) fn warnings_json(warnings: &[Warning]) -> serde_json::Value {
    serde_json::json!({ "warnings": warnings.iter().map(warning_json).collect::<Vec<_>>() })
}

/// One block per warning: severity, rule and sentence, then where in the draft and
/// what to do.
pub(super) fn print_warnings(warnings: &[Warning], text: &str, indent: &str) {
    if warnings.is_empty() {
        say!("{indent}No warnings.");
        return;
    }
    let chars: Vec<char> = text.chars().collect();
    for warning in warnings {
        let severity = warning.severity.as_str().to_uppercase();
        say!(
            "{indent}{severity:<8} {}: {}",
            warning.rule,
            warning.message
        );
        for &(start, end) in warning.spans.iter().take(3) {
            let quoted: String = chars
                .get(start..end.min(chars.len()))
                .unwrap_or_default()
                .iter()
                .collect();
            let quoted: String = quoted.split_whitespace().collect::<Vec<_>>().join(" ");
            let short: String = quoted.chars().take(60).collect();
            let more = if short.len() < quoted.len() {
                "..."
            } else {
                ""
            };
            say!("{indent}         at {start}-{end}: \"{short}{more}\"");
        }
        for suggestion in &warning.suggestions {
            say!("{indent}         try: {suggestion}");
        }
    }
}

fn day(millis: Millis) -> String {
    chrono::DateTime::from_timestamp_millis(millis)
        .map_or_else(|| millis.to_string(), |t| t.format("%Y-%m-%d").to_string())
}

fn describe_party(party: &Party) -> String {
    match (&party.name, &party.identity) {
        (Some(name), Some(identity)) => format!("{name} <{identity}>"),
        (None, Some(identity)) => identity.to_string(),
        (Some(name), None) => name.clone(),
        (None, None) => "(unknown)".into(),
    }
}

/// Counts across files; a rejected file's share is staged and dropped, and only ids
/// are kept, so a multi-gigabyte mbox is summarized in little memory.
#[derive(Default)]
struct Totals {
    message_ids: HashSet<String>,
    contact_ids: HashSet<String>,
    sent: u64,
    received: u64,
    histories: u64,
    file: Totals1,
}

/// What the file being read added so far.
#[derive(Default)]
struct Totals1 {
    message_ids: HashSet<String>,
    contact_ids: Vec<String>,
    sent: u64,
    received: u64,
    histories: u64,
}

impl HistorySink for Totals {
    fn batch(&mut self, batch: crate::import::ImportBatch) {
        let file = &mut self.file;
        file.histories += batch.histories.len() as u64;
        file.contact_ids
            .extend(batch.contacts.into_iter().map(|c| c.id));
        for message in batch.messages {
            if self.message_ids.contains(&message.id) || file.message_ids.contains(&message.id) {
                continue;
            }
            match message.direction {
                Direction::Sent => file.sent += 1,
                Direction::Received => file.received += 1,
            }
            file.message_ids.insert(message.id);
        }
    }

    fn file_done(&mut self, whole: bool) {
        let file = std::mem::take(&mut self.file);
        if !whole {
            return;
        }
        self.histories += file.histories;
        self.contact_ids.extend(file.contact_ids);
        self.message_ids.extend(file.message_ids);
        self.sent += file.sent;
        self.received += file.received;
    }
}

/// `rapport import`: what the files hold, per file and in total.
pub(super) fn import(args: ImportArgs) -> Result<(Outcome, Option<FailOn>), Failure> {
    let me = Me::parse(&args.me);
    let mut totals = Totals::default();
    let outcomes = read_history(&args.history.history, &me, &mut totals)?;
    let reports: Vec<_> = outcomes
        .iter()
        .filter_map(|o| o.result.as_ref().ok())
        .collect();
    let guess = infer_owner(reports.iter().copied());
    let guess_is_me = guess.as_ref().is_some_and(|p| {
        let channel = if matches!(p.identity, Some(crate::model::Identity::Email(_))) {
            Channel::Email
        } else {
            Channel::Linkedin
        };
        me.is_me(p, channel)
    });
    match args.format {
        CheckFormat::Json => say!(
            "{}",
            import_json(&outcomes, &totals, guess.as_ref(), guess_is_me)
        ),
        CheckFormat::Text => print_import(
            &outcomes,
            &totals,
            guess.as_ref(),
            guess_is_me,
            me.is_empty(),
        ),
    }
    match outcomes.into_iter().find_map(|o| o.result.err()) {
        Some(error) => Err(Failure::Import(error)),
        None => Ok((Outcome { worst: None }, None)),
    }
}

fn print_import(
    outcomes: &[FileOutcome],
    totals: &Totals,
    guess: Option<&Party>,
    guess_is_me: bool,
    no_me: bool,
) {
    for outcome in outcomes {
        match &outcome.result {
            Ok(r) => {
                let span = match (r.first, r.last) {
                    (Some(a), Some(b)) => format!(", {} to {}", day(a), day(b)),
                    _ => String::new(),
                };
                let histories = if r.histories > 0 {
                    format!(", {} contact histories", r.histories)
                } else {
                    String::new()
                };
                say!(
                    "{}: {}, {} bytes: {} messages, {} contacts{histories}, {} skipped{span}",
                    outcome.path.display(),
                    r.format.describe(),
                    r.bytes,
                    r.messages,
                    r.contacts,
                    r.skipped
                );
                for problem in &r.problems {
                    say!("  {problem}");
                }
            }
            Err(error) => say!(
                "{}: REJECTED, nothing from it was used: {error}",
                outcome.path.display()
            ),
        }
    }
    say!();
    say!(
        "Total: {} messages ({} sent by you, {} received), {} contacts.",
        totals.message_ids.len(),
        totals.sent,
        totals.received,
        totals.contact_ids.len()
    );
    if let Some(party) = guess {
        let verdict = if guess_is_me {
            "that is you (--me)".to_string()
        } else if no_me {
            "if that is you, pass it as --me".to_string()
        } else {
            "not one of your --me identities: check that --me lists all your addresses".to_string()
        };
        say!(
            "Most frequent sender: {}; {verdict}.",
            describe_party(party)
        );
    }
}

fn import_json(
    outcomes: &[FileOutcome],
    totals: &Totals,
    guess: Option<&Party>,
    guess_is_me: bool,
) -> serde_json::Value {
    let files: Vec<serde_json::Value> = outcomes
        .iter()
        .map(|o| match &o.result {
            Ok(report) => serde_json::json!({ "path": o.path.display().to_string(), "report": report }),
            Err(error) => serde_json::json!({ "path": o.path.display().to_string(), "error": error, "message": error.to_string() }),
        })
        .collect();
    serde_json::json!({
        "files": files,
        "total": {
            "messages": totals.message_ids.len(),
            "sent": totals.sent,
            "received": totals.received,
            "contacts": totals.contact_ids.len(),
            "histories": totals.histories,
        },
        "owner_guess": guess,
        "owner_guess_is_me": guess_is_me,
    })
}
