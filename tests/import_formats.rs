//! Every importer on the fixture exports in tests/fixtures/exports, good and malformed.

use rapport::import::{
    import_bytes, Backup, Format, ImportBatch, ImportReport, Importer, Me, Place,
};
use rapport::model::{Contact, Direction, Identity, Message};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/exports/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn me() -> Me {
    Me::parse([
        "Dana Whitfield",
        "dana@whitfield.io",
        "https://www.linkedin.com/in/dana-whitfield",
    ])
}

fn read(name: &str) -> (Vec<Message>, Vec<Contact>, ImportReport) {
    let (batches, report) =
        import_bytes(name, &fixture(name), me()).unwrap_or_else(|e| panic!("{e}"));
    split(batches, report)
}

fn split(
    batches: Vec<ImportBatch>,
    report: ImportReport,
) -> (Vec<Message>, Vec<Contact>, ImportReport) {
    let messages = batches.iter().flat_map(|b| b.messages.clone()).collect();
    let contacts = batches.iter().flat_map(|b| b.contacts.clone()).collect();
    (messages, contacts, report)
}

#[test]
fn linkedin_messages_new_columns_bom_crlf_html_drafts() {
    let (messages, _, report) = read("messages.csv");
    assert_eq!(report.format, Format::LinkedinMessages);
    assert_eq!(messages.len(), 3, "the draft row is skipped");
    assert_eq!(report.skipped, 1);
    assert_eq!(
        report.problems[0].place,
        Place::Line(5),
        "the first row spans lines 2-3"
    );
    assert_eq!(
        messages[0].text,
        "Hi Brian, thanks for \"the\" intro,\nreally appreciated."
    );
    assert_eq!(messages[0].direction, Direction::Sent);
    assert_eq!(messages[1].text, "Any time, Dana.\nBrian");
    assert_eq!(messages[1].direction, Direction::Received);
    assert_eq!(messages[2].text, "Café next week? こんにちは");
    assert_eq!(messages[2].subject.as_deref(), Some("Hello"));
    assert_eq!(
        report.senders.len(),
        3,
        "one message each from three senders: {:?}",
        report.senders
    );
}

#[test]
fn linkedin_messages_old_columns() {
    let (messages, _, _) = read("messages_old.csv");
    assert_eq!(messages.len(), 2);
    assert_eq!(
        messages[0].direction,
        Direction::Sent,
        "owner recognized by name"
    );
    assert_eq!(messages[1].from.name.as_deref(), Some("Brian Miller"));
    assert_eq!(messages[1].from.identity, None);
}

#[test]
fn unbalanced_quote_is_fatal_with_line_column_and_excerpt() {
    let err = import_bytes("messages.csv", &fixture("messages_unbalanced.csv"), me()).unwrap_err();
    assert_eq!(
        err.to_string().split(':').take(2).collect::<Vec<_>>().join(":"),
        "messages.csv line 14: unbalanced quote in CONTENT (the field starting \"Hi Brian, this quote nev...\")"
    );
}

#[test]
fn wrong_encoding_is_fatal_and_says_how_to_fix_it() {
    let err = import_bytes("messages.csv", &fixture("messages_latin1.csv"), me()).unwrap_err();
    assert_eq!(err.place, Place::Line(2));
    assert!(
        err.problem
            .contains("FROM is not UTF-8 text (byte 0xE9 after \"Jos\")"),
        "{err}"
    );
    assert!(err.problem.contains("save it as UTF-8"), "{err}");
}

#[test]
fn connections_link_linkedin_profiles_to_email() {
    let (_, contacts, report) = read("Connections.csv");
    assert_eq!(report.format, Format::LinkedinConnections);
    assert_eq!(contacts.len(), 3);
    assert_eq!(
        contacts[0].identities,
        [
            Identity::Linkedin("brian-miller".into()),
            Identity::Email("brian@millerconsulting.com".into())
        ]
    );
    assert_eq!(contacts[0].company.as_deref(), Some("Miller Consulting"));
    assert!(contacts[0].connected_on.is_some());
    assert!(contacts[2].identities.is_empty());
}

#[test]
fn invitations_give_contacts_and_notes() {
    let (messages, contacts, _) = read("Invitations.csv");
    assert_eq!(contacts.len(), 2);
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].direction, Direction::Received);
    assert_eq!(
        messages[0].from.identity,
        Some(Identity::Linkedin("samlee".into()))
    );
}

#[test]
fn linkedin_archive_reads_its_members_and_rejects_damage() {
    let (messages, contacts, report) = read("linkedin_export.zip");
    assert_eq!(report.format, Format::LinkedinArchive);
    assert_eq!((messages.len(), contacts.len()), (4, 5));
    let err = import_bytes("damaged.zip", &fixture("damaged.zip"), me()).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("damaged.zip: this zip archive is damaged"),
        "{err}"
    );
}

#[test]
fn mbox_lf_and_crlf_give_the_same_messages() {
    let (lf, _, report) = read("inbox.mbox");
    let (crlf, _, _) = read("inbox_crlf.mbox");
    assert_eq!(report.format, Format::Mbox);
    assert_eq!(lf.len(), 4);
    assert_eq!(lf, crlf);
    assert_eq!(
        lf[0].subject.as_deref(),
        Some("Pricing workshop – proposal")
    );
    assert_eq!(
        lf[0].text,
        "Hi Dana,\nFrom the notes: two days on site.\nBrian\n\n"
    );
    assert_eq!(lf[1].direction, Direction::Sent);
    assert_eq!(lf[1].text.trim(), "Looks great. Grüße, Dana");
    assert_eq!(
        lf[1].conversation.as_deref(),
        Some("<w1@millerconsulting.com>")
    );
    assert_eq!(lf[2].from.name.as_deref(), Some("田中"));
    assert_eq!(lf[2].text.trim(), "こんにちは");
    assert!(
        report.problems.iter().any(|p| p.place == Place::Message(4)),
        "{:?}",
        report.problems
    );
}

#[test]
fn truncated_mbox_is_rejected() {
    let err = import_bytes("truncated.mbox", &fixture("truncated.mbox"), me()).unwrap_err();
    assert_eq!(err.place, Place::Message(4));
    assert!(err.problem.contains("cut off"), "{err}");
}

#[test]
fn eml_with_encoded_words_and_html() {
    let (messages, _, report) = read("message.eml");
    assert_eq!(report.format, Format::Eml);
    assert_eq!(messages[0].from.name.as_deref(), Some("André"));
    assert_eq!(messages[0].subject.as_deref(), Some("Bonjour 👋"));
    assert_eq!(messages[0].text.trim(), "Bonjour Dana,\nà bientôt.");
    assert_eq!(messages[0].id, "<eml-1@example.fr>");
}

#[test]
fn binary_empty_and_foreign_files_are_refused_by_content() {
    for (name, expected) in [
        ("photo.png", "binary file (PNG image)"),
        ("random.bin", "binary file"),
        ("empty.csv", "the file is empty"),
        ("notes.txt", "not a format Rapport reads"),
    ] {
        let err = import_bytes(name, &fixture(name), me()).unwrap_err();
        assert!(err.problem.contains(expected), "{name}: {err}");
        assert_eq!(err.file, name);
    }
}

#[test]
fn reimporting_gives_identical_ids_whatever_the_chunking() {
    for name in [
        "messages.csv",
        "inbox.mbox",
        "linkedin_export.zip",
        "Connections.csv",
        "message.eml",
    ] {
        let bytes = fixture(name);
        let (first, contacts, _) = read(name);
        let mut importer = Importer::new(name, &bytes, me()).unwrap();
        let mut batches = Vec::new();
        for chunk in bytes.chunks(13) {
            batches.extend(importer.push(chunk).unwrap());
        }
        let (rest, report) = importer.finish().unwrap();
        batches.extend(rest);
        let (again, again_contacts, _) = split(batches, report);
        let ids = |m: &[Message]| m.iter().map(|m| m.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&first), ids(&again), "{name}");
        assert_eq!(first, again, "{name}");
        assert_eq!(contacts, again_contacts, "{name}");
    }
}

#[test]
fn backup_export_restore_is_byte_identical() {
    let (mut messages, contacts, _) = read("linkedin_export.zip");
    messages.extend(read("inbox.mbox").0);
    let settings = serde_json::json!({"send_gate": "stop", "owner": {"name": "Dana Whitfield"}});
    let backup = Backup::full(settings, contacts.clone(), messages.clone());
    let text = backup.to_canonical_json();
    // Restore through the importer, as the options page does, then export again.
    let (batches, report) = import_bytes("backup.json", text.as_bytes(), Me::default()).unwrap();
    assert_eq!(report.format, Format::Backup);
    let (restored_messages, restored_contacts, _) = split(batches, report);
    let again = Backup::full(
        backup.settings.clone(),
        restored_contacts,
        restored_messages,
    );
    assert_eq!(again.to_canonical_json(), text);
    // A book carries no bodies but keeps counts for the contacts.
    let owner = rapport::settings::Owner {
        name: "Dana Whitfield".into(),
        identities: vec![Identity::Email("dana@whitfield.io".into())],
    };
    let book = Backup::book(owner, contacts, &messages);
    let book_text = book.to_canonical_json();
    let (batches, report) = import_bytes("book.json", book_text.as_bytes(), Me::default()).unwrap();
    assert_eq!(report.messages, 0);
    let brian = batches
        .iter()
        .flat_map(|b| &b.histories)
        .find(|h| h.contact == "linkedin:brian-miller")
        .expect("Brian is in the book");
    assert_eq!(
        (brian.sent, brian.received),
        (2, 2),
        "LinkedIn and email history both count"
    );
}
