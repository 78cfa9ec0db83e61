//! Runs every labeled case in `tests/cases/` (format: `tests/cases/README.md`) and
//! reports per-rule precision and recall. Any mismatch fails.

mod common;

use common::{party, Case, DEFAULT_NOW};
use rapport::engine::{analyze, Index, MessageFacts};
use rapport::model::{Direction, Draft, Message, Millis, Party, Recipient, DAY};
use rapport::settings::{Settings, RULE_IDS};
use std::collections::BTreeMap;
use std::path::Path;

fn run_case(path: &Path) -> Result<(Vec<String>, Case), String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let case: Case = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let now: Millis =
        chrono::DateTime::parse_from_rfc3339(case.now.as_deref().unwrap_or(DEFAULT_NOW))
            .map_err(|e| e.to_string())?
            .timestamp_millis();
    let ago = |d: f64| now - (d * DAY as f64) as Millis;
    let settings: Settings = if case.settings.is_null() {
        Settings::default()
    } else {
        serde_json::from_value(case.settings.clone()).map_err(|e| format!("settings: {e}"))?
    };
    settings
        .validate()
        .map_err(|e| format!("settings invalid: {e:?}"))?;
    let mut index = Index::new();
    // The same history as the service worker indexes it: each message's facts persisted
    // as JSON when stored, its text never read again.
    let mut from_store = Index::new();
    for c in &case.contacts {
        let mut contact = c.contact.clone();
        if let Some(d) = c.connected_days_ago {
            contact.connected_on = Some(ago(d));
        }
        from_store.add_contact(contact.clone());
        index.add_contact(contact);
    }
    for h in &case.histories {
        from_store.add_history(h.to_history(ago));
        index.add_history(h.to_history(ago));
    }
    let me = Party {
        name: Some(settings.owner.name.clone()),
        identity: settings.owner.identities.first().cloned(),
    };
    for (i, m) in case.history.iter().enumerate() {
        let others: Vec<Party> = m.with.iter().map(|w| party(w)).collect();
        let (from, to) = match m.direction {
            Direction::Sent => (me.clone(), others),
            Direction::Received => (others[0].clone(), vec![me.clone()]),
        };
        let message = Message {
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
        };
        let persisted = serde_json::to_string(&MessageFacts::of(&message)).unwrap();
        let facts: MessageFacts = serde_json::from_str(&persisted).unwrap();
        let without_text = Message {
            text: String::new(),
            ..message.clone()
        };
        from_store.add_message_with_facts(&without_text, &facts);
        index.add_message(message);
    }
    let draft = Draft {
        text: case.draft.text.clone(),
        quoted: None,
        subject: None,
        channel: case.draft.channel,
        recipients: case
            .draft
            .to
            .iter()
            .map(|t| {
                let p = party(t);
                Recipient {
                    name: p.name,
                    identity: p.identity,
                }
            })
            .collect(),
        operator: case.draft.operator.clone(),
        time: now,
        conversation: None,
    };
    let verdict = analyze(&index, &draft, &settings);
    let stored_verdict = analyze(&from_store, &draft, &settings);
    if serde_json::to_value(&verdict).unwrap() != serde_json::to_value(&stored_verdict).unwrap() {
        return Err(format!(
            "{}: the index built from persisted facts disagrees",
            path.display()
        ));
    }
    for w in &verdict.warnings {
        let n = draft.text.chars().count();
        for s in &w.spans {
            if s.0 > s.1 || s.1 > n {
                return Err(format!(
                    "{}: span {s:?} out of range in {}",
                    path.display(),
                    w.rule
                ));
            }
        }
        if w.message.trim().is_empty() {
            return Err(format!("{}: empty message for {}", path.display(), w.rule));
        }
    }
    Ok((
        verdict
            .warnings
            .iter()
            .map(|w| format!("{}\t{}", w.rule, w.message))
            .collect(),
        case,
    ))
}

#[test]
fn labeled_cases() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/cases exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 100,
        "need at least 100 cases, found {}",
        files.len()
    );
    // rule → (true positives, false positives, false negatives, positive cases, negative cases)
    let mut table: BTreeMap<&str, [u32; 5]> = RULE_IDS.iter().map(|r| (*r, [0; 5])).collect();
    let mut failures = Vec::new();
    for path in &files {
        let (fired, case) = match run_case(path) {
            Ok(x) => x,
            Err(e) => {
                failures.push(e);
                continue;
            }
        };
        if std::env::var_os("RAPPORT_CASES_VERBOSE").is_some() {
            println!("{}:", path.file_name().unwrap().to_string_lossy());
            for f in &fired {
                println!("    {}", f.replace('\t', ": "));
            }
        }
        let fired_ids: Vec<&str> = fired
            .iter()
            .map(|f| f.split('\t').next().unwrap_or(""))
            .collect();
        for r in case.expect.iter().chain(&case.absent) {
            assert!(
                RULE_IDS.contains(&r.as_str()),
                "{}: unknown rule {r}",
                path.display()
            );
        }
        let _ = &case.description;
        for rule in RULE_IDS {
            let expected = case.expect.iter().any(|e| e == rule);
            let got = fired_ids.contains(&rule);
            let row = table.get_mut(rule).unwrap();
            if expected {
                row[3] += 1;
            }
            if case.absent.iter().any(|a| a == rule) {
                row[4] += 1;
            }
            match (expected, got) {
                (true, true) => row[0] += 1,
                (false, true) => row[1] += 1,
                (true, false) => row[2] += 1,
                _ => {}
            }
            if expected != got {
                failures.push(format!(
                    "{}: {rule} expected {} but {}\n    fired: {fired:?}",
                    path.file_name().unwrap().to_string_lossy(),
                    if expected { "present" } else { "absent" },
                    if got { "fired" } else { "did not fire" }
                ));
            }
        }
    }
    println!("{} cases", files.len());
    println!(
        "{:<22} {:>4} {:>4} {:>4} {:>6} {:>6} {:>9} {:>6}",
        "rule", "tp", "fp", "fn", "pos", "neg", "precision", "recall"
    );
    for (rule, [tp, fp, fnn, pos, neg]) in &table {
        let p = if tp + fp == 0 {
            1.0
        } else {
            *tp as f64 / (tp + fp) as f64
        };
        let r = if tp + fnn == 0 {
            1.0
        } else {
            *tp as f64 / (tp + fnn) as f64
        };
        println!("{rule:<22} {tp:>4} {fp:>4} {fnn:>4} {pos:>6} {neg:>6} {p:>9.2} {r:>6.2}");
        assert!(*pos >= 2 && *neg >= 2, "{rule} needs positive and negative cases (has {pos} positive, {neg} explicit negative)");
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
