//! The `rapport` binary itself: flags, formats, exit statuses and error messages.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(name: &str) -> String {
    root()
        .join("tests/fixtures/exports")
        .join(name)
        .display()
        .to_string()
}

fn sample(name: &str) -> String {
    root().join("samples").join(name).display().to_string()
}

fn rapport(args: &[&str]) -> Output {
    rapport_with_stdin(args, "")
}

fn rapport_with_stdin(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_rapport"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    // A run that fails before reading its input closes the pipe early: that is fine.
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    child.wait_with_output().unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

fn temp_file(name: &str, content: &[u8]) -> String {
    let dir = std::env::temp_dir().join(format!("rapport-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path.display().to_string()
}

const ME: [&str; 4] = [
    "--me",
    "dana@whitfield.io",
    "--me",
    "https://www.linkedin.com/in/dana-whitfield",
];

#[test]
fn help_has_an_example_for_every_command() {
    let top = rapport(&["--help"]);
    assert_eq!(top.status.code(), Some(0));
    assert!(stdout(&top).contains("Exit status: 0 when it ran"));
    for command in ["check", "audit", "import"] {
        let out = rapport(&[command, "--help"]);
        assert_eq!(out.status.code(), Some(0), "{command}");
        let text = stdout(&out);
        assert!(
            text.contains("Example:\n  rapport "),
            "{command} help lacks an example:\n{text}"
        );
        assert!(text.contains("--history <PATH>"), "{command}");
    }
}

#[test]
fn bad_usage_exits_2_and_says_what_is_missing() {
    let out = rapport(&["check", "--me", "dana@whitfield.io"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--history <PATH>"),
        "{}",
        stderr(&out)
    );
    let out = rapport(&[
        "check",
        "--history",
        &fixture("inbox.mbox"),
        "--me",
        "x@y.io",
        "--now",
        "last tuesday",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("expected RFC 3339"),
        "{}",
        stderr(&out)
    );
    let out = rapport(&[
        "check",
        "--history",
        &fixture("inbox.mbox"),
        "--me",
        "x@y.io",
        "--fail-on",
        "info",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let out = rapport(&[
        "check",
        "--history",
        &fixture("inbox.mbox"),
        "--me",
        "x@y.io",
        "--as-role",
        "Assistant",
    ]);
    assert_eq!(out.status.code(), Some(2), "--as-role needs --as");
}

#[test]
fn unreadable_history_exits_2_naming_file_place_and_problem() {
    let cases = [
        ("messages_unbalanced.csv", "line 14: unbalanced quote in CONTENT (the field starting \"Hi Brian, this quote nev...\")"),
        ("messages_latin1.csv", "line 2: FROM is not UTF-8 text"),
        ("truncated.mbox", "message 4: the file ends in the middle of message 4"),
        ("photo.png", "this is a binary file (PNG image)"),
        ("damaged.zip", "this zip archive is damaged"),
        ("empty.csv", "the file is empty"),
    ];
    for (name, expected) in cases {
        let path = fixture(name);
        let out = rapport_with_stdin(
            &[
                "check",
                "--history",
                &path,
                "--me",
                "dana@whitfield.io",
                "-",
            ],
            "Hello",
        );
        assert_eq!(out.status.code(), Some(2), "{name}");
        let err = stderr(&out);
        assert!(
            err.starts_with(&format!("rapport: {path}")),
            "{name}: {err}"
        );
        assert!(err.contains(expected), "{name}: {err}");
        assert!(
            stdout(&out).is_empty(),
            "{name}: nothing printed as if it had worked"
        );
    }
    let out = rapport(&["import", "--history", "/no/such/export.zip"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("/no/such/export.zip: cannot be read")
            && stderr(&out).contains("check the path")
    );
}

#[test]
fn check_reads_the_draft_from_a_file_or_stdin_and_prints_the_json_contract() {
    let draft = temp_file("draft.txt", "Thanks Brian, see you Thursday.\n".as_bytes());
    let history = [
        "--history",
        &fixture("linkedin_export.zip"),
        "--history",
        &fixture("inbox.mbox"),
    ];
    let base: Vec<&str> = ["check"].iter().copied().chain(history).chain(ME).collect();
    let mut args = base.clone();
    args.extend([
        "--to",
        "brian@millerconsulting.com",
        "--now",
        "2026-11-23",
        "--format",
        "json",
        &draft,
    ]);
    let out = rapport(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let warnings = json["warnings"].as_array().expect("{\"warnings\":[...]}");
    for w in warnings {
        let keys: Vec<&str> = w.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, ["evidence", "message", "rule", "severity", "spans"]);
    }
    let mut args = base.clone();
    args.extend([
        "--to",
        "Brian Miller",
        "--channel",
        "linkedin",
        "--now",
        "2026-11-23T09:00:00Z",
        "-",
    ]);
    let out = rapport_with_stdin(&args, "Thanks Brian, see you Thursday.");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let mut args = base;
    args.extend(["--to", "brian@millerconsulting.com", "--format", "json"]);
    let out = rapport_with_stdin(&args, "Thanks");
    assert_eq!(
        out.status.code(),
        Some(0),
        "no DRAFT_FILE reads stdin: {}",
        stderr(&out)
    );
    assert!(stdout(&out).starts_with("{\"warnings\":"));
}

#[test]
fn a_draft_that_is_not_utf8_is_refused() {
    let draft = temp_file("latin1.txt", b"Gr\xFC\xDFe");
    let out = rapport(&[
        "check",
        "--history",
        &fixture("inbox.mbox"),
        "--me",
        "dana@whitfield.io",
        &draft,
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("byte 2: the draft is not UTF-8 text; save it as UTF-8"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn settings_file_is_validated_and_backups_are_accepted() {
    let history = fixture("inbox.mbox");
    let bad = temp_file(
        "bad-settings.json",
        br#"{"delegates":[{"name":"","role":""}]}"#,
    );
    let out = rapport_with_stdin(
        &[
            "check",
            "--history",
            &history,
            "--me",
            "dana@whitfield.io",
            "--settings",
            &bad,
        ],
        "Hi",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("invalid settings: delegates.0.name"),
        "{}",
        stderr(&out)
    );
    let broken = temp_file("broken.json", b"{\"owner\": ");
    let out = rapport_with_stdin(
        &[
            "check",
            "--history",
            &history,
            "--me",
            "dana@whitfield.io",
            "--settings",
            &broken,
        ],
        "Hi",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not valid JSON"), "{}", stderr(&out));
    let out = rapport_with_stdin(
        &[
            "check",
            "--history",
            &history,
            "--me",
            "dana@whitfield.io",
            "--settings",
            &sample("settings.json"),
            "--as",
            "Alex Kim",
        ],
        "Hi",
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let backup = temp_file("backup.json", br#"{"format":"rapport-backup","version":1,"settings":{"owner":{"name":"Dana Whitfield"}},"contacts":[],"messages":[]}"#);
    let out = rapport_with_stdin(
        &[
            "check",
            "--history",
            &history,
            "--history",
            &backup,
            "--me",
            "dana@whitfield.io",
            "--settings",
            &backup,
        ],
        "Hi",
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn import_summarizes_every_file_and_guesses_the_owner() {
    let out = rapport(&[
        "import",
        "--history",
        &fixture("linkedin_export.zip"),
        "--history",
        &fixture("inbox.mbox"),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["total"]["messages"], 8);
    assert_eq!(json["total"]["contacts"], 5);
    assert_eq!(json["files"][0]["report"]["format"], "linkedin-archive");
    assert_eq!(
        json["files"][1]["report"]["problems"][0]["place"],
        serde_json::json!({"kind": "message", "at": 4})
    );
    assert_eq!(json["owner_guess_is_me"], false);

    let out = rapport(&[
        "import",
        "--history",
        &fixture("inbox.mbox"),
        "--me",
        "dana@whitfield.io",
    ]);
    let text = stdout(&out);
    assert!(text.contains("inbox.mbox: mbox, 1375 bytes: 4 messages, 0 contacts, 0 skipped, 2022-10-03 to 2022-10-06"), "{text}");
    assert!(
        text.contains("message 4: its body is not valid base64"),
        "{text}"
    );
    assert!(
        text.contains("Total: 4 messages (1 sent by you, 3 received), 0 contacts."),
        "{text}"
    );

    // A rejected file is listed with the others, and the run exits 2.
    let out = rapport(&[
        "import",
        "--history",
        &fixture("inbox.mbox"),
        "--history",
        &fixture("truncated.mbox"),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stdout(&out).contains("truncated.mbox: REJECTED, nothing from it was used"),
        "{}",
        stdout(&out)
    );
    assert!(
        stderr(&out).contains("truncated.mbox message 4"),
        "{}",
        stderr(&out)
    );
    // ... and counts for nothing: the totals are the good file's alone.
    let out = rapport(&[
        "import",
        "--history",
        &fixture("inbox.mbox"),
        "--history",
        &fixture("truncated.mbox"),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["total"]["messages"], 4);
    assert_eq!(
        json["files"][1]["error"]["place"],
        serde_json::json!({"kind": "message", "at": 4})
    );
}

#[test]
fn a_folder_stands_for_the_exports_inside_it() {
    let out = rapport(&[
        "import",
        "--history",
        &root().join("samples/linkedin").display().to_string(),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["files"].as_array().unwrap().len(), 3);
}

#[test]
fn audit_formats_and_campaign_errors() {
    let campaign = sample("campaign.csv");
    let history = [
        "--history",
        &sample("linkedin"),
        "--history",
        &sample("mail.mbox"),
    ];
    let base: Vec<&str> = ["audit"]
        .iter()
        .copied()
        .chain(history)
        .chain(ME)
        .chain(["--now", "2026-11-23"])
        .collect();
    let mut args = base.clone();
    args.extend(["--format", "csv", &campaign]);
    let out = rapport(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        [
            "to",
            "name",
            "channel",
            "as",
            "message",
            "rules",
            "worst_severity"
        ]
    );
    let input_rows = csv::Reader::from_path(sample("campaign.csv"))
        .unwrap()
        .records()
        .count();
    assert_eq!(reader.records().count(), input_rows);

    let mut args = base.clone();
    args.extend(["--format", "json", &campaign]);
    let out = rapport(&args);
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["rows"].as_array().unwrap().len(), input_rows);
    assert_eq!(json["rows"][0]["line"], 2);
    assert!(json["summary"].is_object());

    for (content, expected) in [
        (
            &b"email,text\na@b.io,hi\n"[..],
            "line 1: the header row needs a \"to\" and a \"message\" column (found: email, text)",
        ),
        (
            b"to,message\na@b.io,hi,extra\n",
            "line 2: this row has 3 fields where the header has 2",
        ),
        (b"to,message\n,hi\n", "line 2: the \"to\" column is empty"),
        (
            b"to,message,channel\na@b.io,hi,fax\n",
            "line 2: channel \"fax\" is neither linkedin nor email",
        ),
    ] {
        let campaign = temp_file("campaign-bad.csv", content);
        let mut args = base.clone();
        args.push(&campaign);
        let out = rapport(&args);
        assert_eq!(out.status.code(), Some(2));
        assert!(stderr(&out).contains(expected), "{}", stderr(&out));
    }
}

#[test]
fn fail_on_sets_exit_status_1_only_at_or_above_the_threshold() {
    let history = [
        "--history",
        &fixture("linkedin_export.zip"),
        "--history",
        &fixture("inbox.mbox"),
    ];
    let base: Vec<&str> = ["check"]
        .iter()
        .copied()
        .chain(history)
        .chain(ME)
        .chain(["--now", "2026-11-23"])
        .collect();
    // A cold pitch on LinkedIn to someone known from four emails.
    let pitch = "Hi Brian,\n\nI'm reaching out because we help consultancies grow. Would you be open to a quick call?\n\nDana";
    let mut args = base.clone();
    args.extend([
        "--to",
        "https://www.linkedin.com/in/brian-miller",
        "--format",
        "json",
        "--fail-on",
        "stop",
        "-",
    ]);
    let out = rapport_with_stdin(&args, pitch);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["warnings"][0]["rule"], "known-contact-pitch");
    assert_eq!(json["warnings"][0]["severity"], "stop");
    let span = &json["warnings"][0]["spans"][0];
    let quoted: String = pitch
        .chars()
        .skip(span[0].as_u64().unwrap() as usize)
        .take((span[1].as_u64().unwrap() - span[0].as_u64().unwrap()) as usize)
        .collect();
    assert!(!quoted.trim().is_empty());
    // The same run without --fail-on exits 0: warnings are output, not failure.
    let without: Vec<&str> = args
        .iter()
        .copied()
        .filter(|a| *a != "--fail-on" && *a != "stop")
        .collect();
    assert_eq!(rapport_with_stdin(&without, pitch).status.code(), Some(0));
    // A warm note raises nothing, so even --fail-on caution passes.
    let mut args = base.clone();
    args.extend([
        "--to",
        "brian@millerconsulting.com",
        "--fail-on",
        "caution",
        "-",
    ]);
    let out = rapport_with_stdin(&args, "Thanks Brian, see you Thursday.\n\nDana");
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("No warnings."));
}

#[test]
fn audit_of_the_sample_campaign_finds_the_known_contact_and_the_rest() {
    let campaign = sample("campaign.csv");
    let settings = sample("settings.json");
    let args = [
        "audit",
        "--history",
        &sample("linkedin"),
        "--history",
        &sample("mail.mbox"),
        "--me",
        "dana@whitfield.io",
        "--me",
        "https://www.linkedin.com/in/dana-whitfield",
        "--settings",
        &settings,
        "--now",
        "2026-11-23",
        "--fail-on",
        "caution",
        &campaign,
    ];
    let out = rapport(&args);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("line 2: Brian Miller <https://www.linkedin.com/in/brian-miller-consulting/> (linkedin):\n  STOP     known-contact-pitch: You and Brian Miller have exchanged 9 emails"), "{text}");
    for rule in [
        "after-decline",
        "greeting-mismatch",
        "merge-field",
        "unsigned-delegate",
    ] {
        assert!(
            text.contains(&format!("  {rule}: 1")),
            "{rule} missing from the summary:\n{text}"
        );
    }
}

#[test]
fn as_and_as_role_apply_delegate_rules_only_to_a_delegate() {
    let history = fixture("inbox.mbox");
    let note =
        "Hi Brian,\n\nThanks for the notes from the review, they helped a lot.\n\nBest,\nDana";
    let base = [
        "check",
        "--history",
        &history,
        "--me",
        "dana@whitfield.io",
        "--me",
        "Dana Whitfield",
    ];
    let mut args: Vec<&str> = base.to_vec();
    args.extend([
        "--to",
        "brian@millerconsulting.com",
        "--as",
        "Alex Kim",
        "--as-role",
        "Assistant to Dana Whitfield",
    ]);
    args.extend(["--format", "json", "--fail-on", "stop", "-"]);
    let out = rapport_with_stdin(&args, note);
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let rules: Vec<&str> = json["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["rule"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"unsigned-delegate"), "{rules:?}");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("Assistant to Dana Whitfield"),
        "the role is what the signature must state"
    );
    // Signed as the role says: nothing to report.
    let signed = "Hi Brian,\n\nThanks for the notes from the review, they helped a lot.\n\nBest,\nAlex Kim\nAssistant to Dana Whitfield";
    let out = rapport_with_stdin(&args, signed);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    // --as naming the owner is the owner writing: no delegate rules.
    let mut args: Vec<&str> = base.to_vec();
    args.extend([
        "--to",
        "brian@millerconsulting.com",
        "--as",
        "Dana Whitfield",
        "--format",
        "json",
        "-",
    ]);
    let out = rapport_with_stdin(&args, note);
    assert_eq!(stdout(&out).trim(), "{\"warnings\":[]}");
}

#[test]
fn a_relationship_book_is_read_as_history() {
    use rapport::import::Backup;
    use rapport::model::{Channel, Contact, Direction, Identity, Message, Party};
    let brian = Identity::Email("brian@millerconsulting.com".into());
    let contact = Contact {
        id: "c-brian".into(),
        identities: vec![brian.clone()],
        names: vec!["Brian Miller".into()],
        ..Default::default()
    };
    let me = Party {
        name: Some("Dana Whitfield".into()),
        identity: Some(Identity::Email("dana@whitfield.io".into())),
    };
    let messages: Vec<Message> = (0..3)
        .map(|i| Message {
            id: format!("m{i}"),
            channel: Channel::Email,
            direction: if i % 2 == 0 {
                Direction::Sent
            } else {
                Direction::Received
            },
            from: if i % 2 == 0 {
                me.clone()
            } else {
                Party {
                    name: None,
                    identity: Some(brian.clone()),
                }
            },
            to: vec![if i % 2 == 0 {
                Party {
                    name: None,
                    identity: Some(brian.clone()),
                }
            } else {
                me.clone()
            }],
            time: 1_700_000_000_000 + i * 86_400_000,
            subject: None,
            text: "private body".into(),
            conversation: None,
            operator: None,
        })
        .collect();
    let owner = rapport::settings::Owner {
        name: "Dana Whitfield".into(),
        identities: vec![],
    };
    let book = Backup::book(owner, vec![contact], &messages).to_canonical_json();
    assert!(!book.contains("private body"));
    let path = temp_file("book.json", book.as_bytes());
    let out = rapport(&["import", "--history", &path]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("Rapport backup, "),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("0 messages, 1 contacts, 1 contact histories"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_delegate_with_only_the_book_is_warned_before_pitching_the_owners_contact() {
    let book = fixture("relationship-book.json");
    let pitch = "Hi {name},\n\nI came across your profile and wanted to reach out. My name is Anna and I work with Okafor Ventures. We help companies like yours scale their operations with our platform.\n\nWould you be open to a quick call next week?\n\nBest,\nAnna Lee\nPersonal Assistant to Dana Okafor";
    let check = |to: &str, name: &str| {
        let args = [
            "check",
            "--history",
            &book,
            "--me",
            "dana@okafor.co",
            "--me",
            "Dana Okafor",
            "--to",
            to,
            "--channel",
            "linkedin",
            "--as",
            "Anna Lee",
            "--as-role",
            "Personal Assistant to Dana Okafor",
            "--now",
            "2026-11-23T10:00:00Z",
            "--format",
            "json",
            "-",
        ];
        let out = rapport_with_stdin(&args, &pitch.replace("{name}", name));
        assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
        let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        json["warnings"].as_array().unwrap().clone()
    };
    // The book holds counts and dates, no bodies: they are the evidence.
    let brian = check(
        "Brian Miller <https://www.linkedin.com/in/brian-miller-consulting/>",
        "Brian",
    );
    let kcp = brian
        .iter()
        .find(|w| w["rule"] == "known-contact-pitch")
        .unwrap_or_else(|| panic!("no known-contact-pitch: {brian:?}"));
    assert_eq!(
        kcp["message"],
        "You and Brian Miller have exchanged 57 emails since March 2022, the last on 3 October. This reads like a cold introduction."
    );
    assert_eq!(kcp["evidence"]["from_book"], true);
    assert_eq!(kcp["evidence"]["sent"], 30);
    assert_eq!(kcp["evidence"]["received"], 27);
    // A prospect the book lists with no messages is not someone the owner knows.
    let priya = check(
        "Priya Raman <https://www.linkedin.com/in/priya-raman/>",
        "Priya",
    );
    assert!(
        priya.iter().all(|w| w["rule"] != "known-contact-pitch"),
        "{priya:?}"
    );
}
