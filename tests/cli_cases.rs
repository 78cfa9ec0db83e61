//! The engine's labeled case corpus (tests/cases, format in its README), run through
//! the `rapport check` binary: each case's history becomes a Rapport backup file, its
//! settings a settings file, its draft a text file. The rules the CLI reports must be
//! exactly the case's `expect`, spans must lie inside the draft, and `--fail-on` must
//! agree with the severities printed.

mod common;

use common::{party, Case, DEFAULT_NOW};
use rapport::import::Backup;
use rapport::model::{Contact, Direction, Message, Millis, Party, DAY};
use std::path::{Path, PathBuf};
use std::process::Command;

struct Written {
    history: PathBuf,
    settings: PathBuf,
    draft: PathBuf,
    now: String,
    me: Vec<String>,
}

fn write_case(case: &Case, dir: &Path) -> Written {
    std::fs::create_dir_all(dir).unwrap();
    let now_text = case.now.clone().unwrap_or_else(|| DEFAULT_NOW.into());
    let now: Millis = chrono::DateTime::parse_from_rfc3339(&now_text)
        .unwrap()
        .timestamp_millis();
    let ago = |d: f64| now - (d * DAY as f64) as Millis;
    let settings: rapport::settings::Settings =
        serde_json::from_value(case.settings.clone()).unwrap_or_default();
    let me_party = Party {
        name: Some(settings.owner.name.clone()).filter(|n| !n.is_empty()),
        identity: settings.owner.identities.first().cloned(),
    };
    let contacts = case
        .contacts
        .iter()
        .map(|c| Contact {
            connected_on: c.connected_days_ago.map(ago).or(c.contact.connected_on),
            ..c.contact.clone()
        })
        .collect();
    let messages = case
        .history
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let others: Vec<Party> = m.with.iter().map(|w| party(w)).collect();
            let (from, to) = match m.direction {
                Direction::Sent => (me_party.clone(), others),
                Direction::Received => (others[0].clone(), vec![me_party.clone()]),
            };
            Message {
                id: m.id.clone().unwrap_or_else(|| format!("m{i}")),
                channel: m.channel,
                direction: m.direction,
                from,
                to,
                time: ago(m.days_ago),
                subject: None,
                text: m.text.clone(),
                conversation: None,
                operator: None,
            }
        })
        .collect();
    let mut backup = Backup::full(case.settings.clone(), contacts, messages);
    backup.histories = case.histories.iter().map(|h| h.to_history(ago)).collect();
    backup.canonicalize();
    let history = dir.join("history.json");
    std::fs::write(&history, backup.to_canonical_json()).unwrap();
    let settings_path = dir.join("settings.json");
    let settings_json = if case.settings.is_null() {
        serde_json::json!({})
    } else {
        case.settings.clone()
    };
    std::fs::write(&settings_path, settings_json.to_string()).unwrap();
    let draft = dir.join("draft.txt");
    std::fs::write(&draft, &case.draft.text).unwrap();
    let mut me: Vec<String> = settings
        .owner
        .identities
        .iter()
        .map(|i| i.to_string())
        .collect();
    if !settings.owner.name.is_empty() {
        me.push(settings.owner.name.clone());
    }
    if me.is_empty() {
        me.push("owner@example.invalid".into());
    }
    Written {
        history,
        settings: settings_path,
        draft,
        now: now_text,
        me,
    }
}

#[test]
fn the_cli_agrees_with_every_labeled_case() {
    let cases_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&cases_dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    assert!(
        paths.len() >= 20,
        "the case corpus is missing: {}",
        cases_dir.display()
    );
    let scratch = std::env::temp_dir().join(format!("rapport-cli-cases-{}", std::process::id()));
    let mut failures = Vec::new();
    for path in &paths {
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        let case: Case = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let written = write_case(&case, &scratch.join(&name));
        let mut args: Vec<String> = vec![
            "check".into(),
            "--history".into(),
            written.history.display().to_string(),
        ];
        for me in &written.me {
            args.extend(["--me".into(), me.clone()]);
        }
        for to in &case.draft.to {
            args.extend(["--to".into(), to.clone()]);
        }
        args.extend(["--channel".into(), case.draft.channel.as_str().into()]);
        if let Some(operator) = &case.draft.operator {
            args.extend(["--as".into(), operator.clone()]);
        }
        args.extend(["--settings".into(), written.settings.display().to_string()]);
        args.extend([
            "--now".into(),
            written.now.clone(),
            "--format".into(),
            "json".into(),
            "--fail-on".into(),
            "stop".into(),
        ]);
        args.push(written.draft.display().to_string());
        let out = Command::new(env!("CARGO_BIN_EXE_rapport"))
            .args(&args)
            .output()
            .unwrap();
        let code = out.status.code();
        if code == Some(2) {
            failures.push(format!(
                "{name}: exit 2: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
            continue;
        }
        let json: serde_json::Value = match serde_json::from_slice(&out.stdout) {
            Ok(json) => json,
            Err(e) => {
                failures.push(format!("{name}: output is not JSON ({e})"));
                continue;
            }
        };
        let warnings = json["warnings"].as_array().cloned().unwrap_or_default();
        let mut got: Vec<String> = warnings
            .iter()
            .map(|w| w["rule"].as_str().unwrap_or("").to_string())
            .collect();
        got.sort();
        got.dedup();
        let mut expected = case.expect.clone();
        expected.sort();
        if got != expected {
            failures.push(format!(
                "{name}: expected {expected:?}, the CLI reported {got:?}"
            ));
        }
        let length = case.draft.text.chars().count() as u64;
        for w in &warnings {
            for span in w["spans"].as_array().unwrap() {
                let (s, e) = (span[0].as_u64().unwrap(), span[1].as_u64().unwrap());
                if s > e || e > length {
                    failures.push(format!(
                        "{name}: span [{s},{e}] outside a draft of {length} characters"
                    ));
                }
            }
        }
        let has_stop = warnings.iter().any(|w| w["severity"] == "stop");
        if (code == Some(1)) != has_stop {
            failures.push(format!(
                "{name}: --fail-on stop exited {code:?} with stop warnings: {has_stop}"
            ));
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
    assert!(
        failures.is_empty(),
        "{} of {} cases disagree:\n{}",
        failures.len(),
        paths.len(),
        failures.join("\n")
    );
}
