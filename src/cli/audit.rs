//! `rapport audit`: every row of an outreach list, before any of it is sent.
//!
//! Rows are checked in order, each as if the rows before it had gone out: that is
//! what the recipients will experience, and it is how a template pasted down the list
//! or two rows to one person get caught.

use super::check::{default_channel, recipient};
use super::history::{load_index, Slice};
use super::output::{print_warnings, warning_json};
use super::{
    load_settings, now_or_clock, operator, owner_matcher, AuditArgs, AuditFormat, FailOn, Failure,
    Outcome,
};
use crate::engine::analyze;
use crate::model::{Channel, Direction, Draft, Message, Party, Warning};
use std::collections::BTreeMap;

struct Row {
    line: u64,
    fields: csv::StringRecord,
    draft: Draft,
    warnings: Vec<Warning>,
}

pub(super) fn run(args: AuditArgs) -> Result<(Outcome, Option<FailOn>), Failure> {
    let mut settings = load_settings(args.common.settings.as_deref(), &args.me.me)?;
    let me = owner_matcher(&settings, &args.me.me);
    let now = now_or_clock(args.common.now);
    let name = args.campaign.display().to_string();
    let bytes = std::fs::read(&args.campaign)
        .map_err(|e| super::Failure::unreadable(&args.campaign, &e))?;
    let bytes = bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(&bytes)
        .to_vec();
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(&bytes[..]);
    let headers = reader
        .headers()
        .map_err(|e| {
            Failure::Usage(format!(
                "{name} line 1: the header row cannot be read ({e})"
            ))
        })?
        .clone();
    let column = |wanted: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(wanted))
    };
    let (Some(to_col), Some(message_col)) = (column("to"), column("message")) else {
        return Err(Failure::Usage(format!(
            "{name} line 1: the header row needs a \"to\" and a \"message\" column (found: {}); add them, e.g. `to,name,message`",
            headers.iter().collect::<Vec<_>>().join(", ")
        )));
    };
    let (name_col, channel_col, as_col) = (column("name"), column("channel"), column("as"));

    let owner_party = Party {
        name: (!settings.owner.name.is_empty()).then(|| settings.owner.name.clone()),
        identity: settings.owner.identities.first().cloned(),
    };
    let mut rows = Vec::new();
    for record in reader.records() {
        let fields = record.map_err(|e| csv_failure(&name, &e))?;
        let line = fields.position().map_or(0, |p| p.line());
        let get = |col: Option<usize>| col.and_then(|c| fields.get(c)).unwrap_or("").trim();
        if get(Some(to_col)).is_empty() {
            return Err(Failure::Usage(format!("{name} line {line}: the \"to\" column is empty; give an email address, a LinkedIn profile URL or a name")));
        }
        let to = recipient(get(Some(to_col)), Some(get(name_col)));
        let channel = match get(channel_col).to_ascii_lowercase().as_str() {
            "" => default_channel(std::slice::from_ref(&to)),
            "linkedin" => Channel::Linkedin,
            "email" => Channel::Email,
            other => {
                return Err(Failure::Usage(format!(
                    "{name} line {line}: channel \"{other}\" is neither linkedin nor email; leave it empty to decide from \"to\""
                )))
            }
        };
        let as_name = get(as_col);
        let operator = operator(
            &mut settings,
            &me,
            (!as_name.is_empty()).then_some(as_name),
            None,
        );
        let draft = Draft {
            text: fields.get(message_col).unwrap_or("").to_string(),
            quoted: None,
            subject: None,
            channel,
            recipients: vec![to.clone()],
            operator,
            time: now,
            conversation: None,
        };
        rows.push(Row {
            line,
            fields,
            draft,
            warnings: Vec::new(),
        });
    }
    let drafts: Vec<Draft> = rows.iter().map(|r| r.draft.clone()).collect();
    let slice = Slice::for_drafts(&drafts, &settings);
    let (mut index, _) = load_index(&args.history.history, &me, Some(slice))?;
    for row in &mut rows {
        row.warnings = analyze(&index, &row.draft, &settings).warnings;
        let to = &row.draft.recipients[0];
        index.add_message(Message {
            id: format!("campaign:{name}:{}", row.line),
            channel: row.draft.channel,
            direction: Direction::Sent,
            from: owner_party.clone(),
            to: vec![Party {
                name: to.name.clone(),
                identity: to.identity.clone(),
            }],
            time: now,
            subject: None,
            text: row.draft.text.clone(),
            conversation: None,
            operator: row.draft.operator.clone(),
        });
    }
    let worst = rows
        .iter()
        .flat_map(|r| r.warnings.iter().map(|w| w.severity))
        .max();
    match args.format {
        AuditFormat::Text => print_text(&rows),
        AuditFormat::Json => say!("{}", json(&rows)),
        AuditFormat::Csv => print_csv(&headers, &rows)?,
    }
    Ok((Outcome { worst }, args.common.fail_on))
}

fn csv_failure(name: &str, error: &csv::Error) -> Failure {
    let line = error.position().map_or(0, |p| p.line());
    let problem = match error.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => format!(
            "this row has {len} fields where the header has {expected_len}; quote any message that contains commas or line breaks (\"...\")"
        ),
        csv::ErrorKind::Utf8 { .. } => "not UTF-8 text; save the list as UTF-8 (CSV UTF-8 in spreadsheet programs)".to_string(),
        _ => error.to_string(),
    };
    Failure::Usage(format!("{name} line {line}: {problem}"))
}

fn rule_counts(rows: &[Row]) -> BTreeMap<&str, usize> {
    let mut counts = BTreeMap::new();
    for warning in rows.iter().flat_map(|r| &r.warnings) {
        *counts.entry(warning.rule.as_str()).or_insert(0) += 1;
    }
    counts
}

fn describe_recipient(draft: &Draft) -> String {
    let r = &draft.recipients[0];
    match (&r.name, &r.identity) {
        (Some(name), Some(identity)) => format!("{name} <{identity}>"),
        (None, Some(identity)) => identity.to_string(),
        (Some(name), None) => name.clone(),
        (None, None) => String::new(),
    }
}

fn print_text(rows: &[Row]) {
    for row in rows {
        let who = describe_recipient(&row.draft);
        if row.warnings.is_empty() {
            say!(
                "line {}: {who} ({}): no warnings",
                row.line,
                row.draft.channel.as_str()
            );
        } else {
            say!("line {}: {who} ({}):", row.line, row.draft.channel.as_str());
            print_warnings(&row.warnings, &row.draft.text, "  ");
        }
    }
    let flagged = rows.iter().filter(|r| !r.warnings.is_empty()).count();
    say!();
    say!("{} rows checked, {flagged} with warnings.", rows.len());
    for (rule, count) in rule_counts(rows) {
        say!("  {rule}: {count}");
    }
}

fn json(rows: &[Row]) -> serde_json::Value {
    let list: Vec<serde_json::Value> = rows
        .iter()
        .map(|row| {
            serde_json::json!({
                "line": row.line,
                "to": describe_recipient(&row.draft),
                "channel": row.draft.channel.as_str(),
                "warnings": row.warnings.iter().map(warning_json).collect::<Vec<_>>(),
            })
        })
        .collect();
    serde_json::json!({ "rows": list, "summary": rule_counts(rows) })
}

fn print_csv(headers: &csv::StringRecord, rows: &[Row]) -> Result<(), Failure> {
    let mut out = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| Failure::Usage(format!("writing the CSV output: {e}"));
    let mut header: Vec<&str> = headers.iter().collect();
    header.extend(["rules", "worst_severity"]);
    out.write_record(header).map_err(fail)?;
    for row in rows {
        let mut rules: Vec<&str> = Vec::new();
        for warning in &row.warnings {
            if !rules.contains(&warning.rule.as_str()) {
                rules.push(&warning.rule);
            }
        }
        let rules = rules.join(";");
        let worst = row
            .warnings
            .iter()
            .map(|w| w.severity)
            .max()
            .map_or("", |s| s.as_str());
        let mut record: Vec<&str> = row.fields.iter().collect();
        record.extend([rules.as_str(), worst]);
        out.write_record(record).map_err(fail)?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| Failure::Usage(format!("writing the CSV output: {e}")))?;
    super::say_raw(&String::from_utf8_lossy(&bytes));
    Ok(())
}
