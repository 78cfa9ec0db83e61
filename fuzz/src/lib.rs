//! What every fuzz target shares: feeding a file to an importer the way the options
//! page does (arbitrary `Blob.slice` chunks) and checking that chunking changes nothing.

use rapport::engine::{analyze, Index};
use rapport::import::backup::Backup;
use rapport::import::{
    import_bytes, Format, ImportBatch, ImportError, ImportReport, Importer, Me, DETECT_BYTES,
};
use rapport::model::*;
use rapport::protocol::{Request, SenderKind};
use rapport::settings::{Delegate, Settings};

/// Everything an import produced, batch boundaries flattened away.
#[derive(Debug, PartialEq)]
pub struct Outcome {
    pub contacts: Vec<Contact>,
    pub messages: Vec<Message>,
    pub report: ImportReport,
}

pub fn me() -> Me {
    Me::parse(["owner@example.com", "Olga Owner"])
}

fn flatten(batches: Vec<ImportBatch>, report: ImportReport) -> Outcome {
    let mut outcome = Outcome {
        contacts: Vec::new(),
        messages: Vec::new(),
        report,
    };
    for batch in batches {
        outcome.contacts.extend(batch.contacts);
        outcome.messages.extend(batch.messages);
    }
    outcome
}

/// Feeds `file` in chunks of `chunk` bytes (0: in one piece).
pub fn import(format: Format, file: &[u8], chunk: usize) -> Result<Outcome, ImportError> {
    let mut importer = Importer::with_format("fuzz-input", format, me());
    let mut batches = Vec::new();
    if chunk == 0 {
        batches.extend(importer.push(file)?);
    } else {
        for piece in file.chunks(chunk) {
            batches.extend(importer.push(piece)?);
        }
    }
    let (rest, report) = importer.finish()?;
    batches.extend(rest);
    Ok(flatten(batches, report))
}

/// The fuzz input's first byte picks a chunk size; the rest is the file. A streamed
/// import must not crash, and must read exactly what the whole file reads: a chunk
/// boundary landing inside a quote, a header or a UTF-8 sequence changes nothing.
pub fn import_both_ways(format: Format, data: &[u8]) {
    let Some((&selector, file)) = data.split_first() else {
        return;
    };
    let chunk = usize::from(selector % 64) + 1;
    let whole = import(format, file, 0);
    let streamed = import(format, file, chunk);
    match (&whole, &streamed) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "chunks of {chunk} bytes read differently"),
        (Err(_), Err(_)) => {}
        _ => panic!("chunks of {chunk} bytes: whole {whole:?} but streamed {streamed:?}"),
    }
    if let Ok(outcome) = whole {
        for message in &outcome.messages {
            // The store persists these; they must be computable for anything imported.
            let _ = rapport::engine::message_band_keys(message);
            assert!(
                !message.id.is_empty(),
                "a message without an id cannot be deduplicated"
            );
        }
    }
}

/// messages.csv, Connections.csv and Invitations.csv, streamed in random chunks.
pub fn linkedin_csv(data: &[u8]) {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let format = match which % 3 {
        0 => Format::LinkedinMessages,
        1 => Format::LinkedinConnections,
        _ => Format::LinkedinInvitations,
    };
    import_both_ways(format, rest);
}

/// The LinkedIn export .zip (a zip of the CSVs).
pub fn archive(data: &[u8]) {
    let _ = import(rapport::import::Format::LinkedinArchive, data, 0);
}

/// Backups and relationship books: parse, import, and the canonical form round-trips.
pub fn backup(data: &[u8]) {
    let _ = import(rapport::import::Format::Backup, data, 0);
    if let Ok(mut backup) = Backup::from_json(data) {
        backup.canonicalize();
        let json = backup.to_canonical_json();
        let mut again = Backup::from_json(json.as_bytes())
            .unwrap_or_else(|e| panic!("a backup Rapport wrote does not read back: {e}"));
        again.canonicalize();
        assert_eq!(
            json,
            again.to_canonical_json(),
            "export, restore, export differs"
        );
    }
}

/// Any file a user might pick: format detection, then whatever importer it chose.
pub fn detect(data: &[u8]) {
    let head = &data[..data.len().min(DETECT_BYTES)];
    if let Ok(importer) = Importer::new("picked-file", head, me()) {
        let format = importer.format();
        let result = import_bytes("picked-file", data, me());
        if let Err(error) = result {
            assert!(
                !error.to_string().is_empty(),
                "{format:?}: an error with no message"
            );
        }
    }
}

fn party(name: &str, email: &str) -> Party {
    Party {
        name: Some(name.to_string()),
        identity: Some(Identity::Email(email.to_string())),
    }
}

/// The engine on arbitrary history and an arbitrary draft: never a panic, and every
/// verdict is well formed (known rule ids, spans inside the draft, serializable).
pub fn engine(data: &[u8]) {
    // Long inputs only slow the search down; the engine caps drafts itself.
    let data = &data[..data.len().min(16 * 1024)];
    // Fields separated by NUL: control bytes, draft, recipient name, subject, history...
    let mut fields = data.split(|&b| b == 0);
    let control = fields.next().unwrap_or_default();
    let flag = |i: usize| control.get(i).copied().unwrap_or(0);
    let text = |f: Option<&[u8]>| String::from_utf8_lossy(f.unwrap_or_default()).into_owned();
    let draft_text = text(fields.next());
    let recipient_name = text(fields.next());
    let subject = text(fields.next());
    let channel = if flag(0) & 1 == 0 {
        Channel::Email
    } else {
        Channel::Linkedin
    };
    let day = 86_400_000i64;
    let now = 1_700_000_000_000i64 + i64::from(flag(1)) * day;

    let mut settings = Settings::default();
    settings.owner.name = "Olga Owner".into();
    settings.owner.identities = vec![Identity::Email("owner@example.com".into())];
    settings.delegates = vec![Delegate {
        name: "Ada Assistant".into(),
        ..Delegate::default()
    }];
    if flag(2) & 1 == 1 {
        settings.max_draft_chars = usize::from(flag(3)) * 40;
    }

    let mut index = Index::new();
    index.add_contact(Contact {
        id: "c1".into(),
        identities: vec![Identity::Email("brad@example.com".into())],
        names: vec![recipient_name.clone(), "Brad Pitt".into()],
        connected_on: (flag(4) & 1 == 1).then_some(now - day),
        tags: Tags {
            nicknames: vec![text(fields.clone().next_back())],
            ..Tags::default()
        },
        ..Contact::default()
    });
    for (i, body) in fields.enumerate().take(40) {
        let i64i = i as i64;
        let sent = flag(5 + i % 8) & 1 == 0;
        let other = match flag(13 + i % 4) % 3 {
            0 => party(&recipient_name, "brad@example.com"),
            1 => party("Brаd Pitt", "brad.pitt@example.org"),
            _ => Party {
                name: Some(recipient_name.clone()),
                identity: None,
            },
        };
        let me = party("Olga Owner", "owner@example.com");
        let (from, to) = if sent {
            (me, vec![other])
        } else {
            (other, vec![me])
        };
        index.add_message(Message {
            id: format!("m{i}"),
            channel,
            direction: if sent {
                Direction::Sent
            } else {
                Direction::Received
            },
            from,
            to,
            time: now - (40 - i64i) * day / 3 + i64::from(flag(17 + i % 4)) * 60_000,
            subject: None,
            text: String::from_utf8_lossy(body).into_owned(),
            conversation: Some("thread".into()),
            operator: (flag(21) & 1 == 1).then(|| "Ada Assistant".into()),
        });
    }
    let draft = Draft {
        text: draft_text,
        quoted: None,
        subject: Some(subject),
        channel,
        recipients: vec![Recipient {
            name: Some(recipient_name),
            identity: Some(Identity::Email("brad@example.com".into())),
        }],
        operator: (flag(22) & 1 == 1).then(|| "Ada Assistant".into()),
        time: now,
        conversation: Some("thread".into()),
    };
    let verdict = analyze(&index, &draft, &settings);
    let chars = draft.text.chars().count();
    for warning in &verdict.warnings {
        assert!(
            rapport::settings::RULE_IDS.contains(&warning.rule.as_str()),
            "unknown rule {}",
            warning.rule
        );
        assert!(
            !warning.message.is_empty(),
            "{}: a warning without words",
            warning.rule
        );
        for &(start, end) in &warning.spans {
            assert!(
                start <= end && end <= chars,
                "{}: span {start}..{end} outside {chars} chars",
                warning.rule
            );
        }
    }
    serde_json::to_string(&verdict).expect("a verdict always serializes");
}

/// Settings as the options page, sync storage or a backup hand them over: parse,
/// validate, and a valid one drives the engine without a panic.
pub fn settings(data: &[u8]) {
    let Ok(settings) = serde_json::from_slice::<Settings>(data) else {
        return;
    };
    if settings.validate().is_err() {
        return;
    }
    let round = serde_json::to_string(&settings).expect("settings serialize");
    let again: Settings = serde_json::from_str(&round).expect("settings read back");
    assert_eq!(settings, again, "settings change through a save");
    let draft = Draft {
        text: "Hi {first_name}, quick favor: could you endorse me? Act now, offer ends today!"
            .into(),
        quoted: None,
        subject: None,
        channel: Channel::Linkedin,
        recipients: vec![Recipient {
            name: Some("Brad Pitt".into()),
            identity: Some(Identity::Linkedin("brad".into())),
        }],
        operator: settings.delegates.first().map(|d| d.name.clone()),
        time: 1_700_000_000_000,
        conversation: None,
    };
    let _ = analyze(&Index::new(), &draft, &settings);
}

/// Whatever reaches the background over chrome.runtime messaging: a request either
/// parses into the closed set of types or is refused; a content script is never
/// allowed a data-reading or data-changing one.
pub fn protocol(data: &[u8]) {
    // The service reads requests with `Request::from_json` (no buffering): it must accept
    // nothing the derived impl refuses, and read the same value.
    if let Some(read) = std::str::from_utf8(data)
        .ok()
        .and_then(|text| Request::from_json(text).ok())
    {
        assert_eq!(serde_json::from_slice::<Request>(data).ok(), Some(read));
    }
    let Ok(request) = serde_json::from_slice::<Request>(data) else {
        return;
    };
    let content_may = matches!(request.name(), "analyze" | "record_sent" | "record_seen");
    assert_eq!(
        request.allowed_from(SenderKind::Content),
        content_may,
        "{}",
        request.name()
    );
    assert!(request.allowed_from(SenderKind::Page));
}

/// mbox files (MIME inside each message), streamed in random chunks.
pub fn mbox(data: &[u8]) {
    import_both_ways(Format::Mbox, data);
}

/// A single .eml message: headers, MIME parts, charsets, transfer encodings.
pub fn eml(data: &[u8]) {
    import_both_ways(Format::Eml, data);
}
