//! LinkedIn's data export: `messages.csv`, `Connections.csv`, `Invitations.csv`.
//!
//! Columns are found by header name (case-insensitive), so old exports without the
//! profile-URL columns and new ones with extra columns read alike. Connections.csv
//! carries a `Notes:` preamble before its header; it is skipped. `Email Address` in
//! Connections.csv is what ties a LinkedIn profile to an email address, so years of
//! email count when pitching the same person on LinkedIn.

use super::csv_stream::{CsvProblem, CsvStream, Record, TextRecord};
use super::{excerpt, fingerprint, fingerprint_u64, Format, ImportError, Me, Place, Sink};
use crate::identity::{linkedin_slug, normalize_email};
use crate::model::{Channel, Contact, Direction, Identity, Message, Millis, Party};
use chrono::format::{parse, Item, Parsed, StrftimeItems};
use std::sync::OnceLock;

const MESSAGES_REQUIRED: &[&str] = &["conversation id", "from", "date", "content"];
const CONNECTIONS_REQUIRED: &[&str] = &["first name", "last name", "connected on"];
const INVITATIONS_REQUIRED: &[&str] = &["from", "to", "sent at", "direction"];

fn required(format: Format) -> &'static [&'static str] {
    match format {
        Format::LinkedinMessages => MESSAGES_REQUIRED,
        Format::LinkedinConnections => CONNECTIONS_REQUIRED,
        _ => INVITATIONS_REQUIRED,
    }
}

fn normalize_header(field: &str) -> String {
    field.trim().trim_matches('"').trim().to_ascii_lowercase()
}

/// Which LinkedIn CSV this is, from its header row (within the first lines, because
/// Connections.csv opens with notes).
pub(crate) fn detect_csv(head: &[u8]) -> Option<Format> {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let text = String::from_utf8_lossy(&head[..head.len().min(8192)]);
    for line in text.lines().take(12) {
        let columns: Vec<String> = line.split(',').map(normalize_header).collect();
        for format in [
            Format::LinkedinMessages,
            Format::LinkedinConnections,
            Format::LinkedinInvitations,
        ] {
            if required(format)
                .iter()
                .all(|c| columns.iter().any(|h| h == c))
            {
                return Some(format);
            }
        }
    }
    None
}

/// Column positions by lowercase header name.
struct Columns {
    names: Vec<String>,
    messages: MessageColumns,
}

impl Columns {
    fn new(names: Vec<String>) -> Self {
        let index = |name: &str| names.iter().position(|n| n == name);
        let messages = MessageColumns {
            draft: index("is message draft"),
            date: index("date"),
            content: index("content"),
            from: index("from"),
            sender_url: index("sender profile url"),
            to: index("to"),
            recipient_urls: index("recipient profile urls"),
            conversation: index("conversation id"),
            subject: index("subject"),
        };
        Columns { names, messages }
    }

    fn index(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }
}

/// messages.csv's columns found once from the header, not by name on every row of
/// what can be a million-row file.
struct MessageColumns {
    draft: Option<usize>,
    date: Option<usize>,
    content: Option<usize>,
    from: Option<usize>,
    sender_url: Option<usize>,
    to: Option<usize>,
    recipient_urls: Option<usize>,
    conversation: Option<usize>,
    subject: Option<usize>,
}

struct Row<'r, 'a> {
    record: &'r Record<'a>,
    text: TextRecord<'a>,
    columns: &'r Columns,
}

impl<'a> Row<'_, 'a> {
    fn get(&self, name: &str) -> &'a str {
        self.at(self.columns.index(name))
    }

    fn at(&self, column: Option<usize>) -> &'a str {
        column.and_then(|i| self.text.get(i)).unwrap_or("").trim()
    }
}

pub struct CsvImport {
    format: Format,
    stream: CsvStream,
    columns: Option<Columns>,
}

impl CsvImport {
    pub(crate) fn new(format: Format) -> Self {
        CsvImport {
            format,
            stream: CsvStream::new(),
            columns: None,
        }
    }

    pub(crate) fn push(
        &mut self,
        chunk: &[u8],
        me: &Me,
        sink: &mut Sink,
    ) -> Result<(), ImportError> {
        let (format, columns) = (self.format, &mut self.columns);
        let result = self.stream.push(chunk, &mut |record| {
            on_record(format, columns, record, me, sink)
        });
        lift(result, self.format, sink)
    }

    pub(crate) fn finish(mut self, me: &Me, sink: &mut Sink) -> Result<(), ImportError> {
        let (format, columns) = (self.format, &mut self.columns);
        let result = self
            .stream
            .finish(&mut |record| on_record(format, columns, record, me, sink));
        lift(result, self.format, sink)?;
        if self.columns.is_none() {
            return Err(sink.fatal(
                Place::File,
                format!(
                    "no header row found: a {} starts with {}",
                    self.format.describe(),
                    required(self.format).join(", ").to_uppercase()
                ),
            ));
        }
        Ok(())
    }
}

fn lift(
    result: Result<(), CsvProblem<ImportError>>,
    format: Format,
    sink: &Sink,
) -> Result<(), ImportError> {
    match result {
        Ok(()) => Ok(()),
        Err(CsvProblem::Consumer(error)) => Err(error),
        Err(CsvProblem::Runaway(line)) => Err(sink.fatal(
            Place::Line(line),
            format!("a field runs on for more than 32 MB: there is an unbalanced quote in this row of the {}; export it again", format.describe()),
        )),
    }
}

fn on_record(
    format: Format,
    columns: &mut Option<Columns>,
    record: &Record,
    me: &Me,
    sink: &mut Sink,
) -> Result<(), ImportError> {
    let Some(cols) = columns.as_ref() else {
        let names: Vec<String> = record
            .iter()
            .map(|f| normalize_header(&String::from_utf8_lossy(f)))
            .collect();
        if required(format)
            .iter()
            .all(|c| names.iter().any(|n| n == c))
        {
            *columns = Some(Columns::new(names));
            return Ok(());
        }
        if format == Format::LinkedinConnections {
            return Ok(()); // the "Notes:" preamble
        }
        return Err(sink.fatal(
            Place::Line(record.line),
            format!(
                "expected the header row ({}), found something else",
                required(format).join(", ").to_uppercase()
            ),
        ));
    };
    let text = check_shape(format, cols, record, sink)?;
    let row = Row {
        record,
        text,
        columns: cols,
    };
    match format {
        Format::LinkedinMessages => message_row(&row, me, sink),
        Format::LinkedinConnections => connection_row(&row, sink),
        _ => invitation_row(&row, sink),
    }
    Ok(())
}

/// Unbalanced quotes and foreign encodings are fatal for the file: everything after
/// them would be read wrong, and the user can fix them by exporting again.
fn check_shape<'a>(
    format: Format,
    cols: &Columns,
    record: &Record<'a>,
    sink: &mut Sink,
) -> Result<TextRecord<'a>, ImportError> {
    let column_name = |i: usize| {
        cols.names
            .get(i)
            .map_or_else(|| format!("column {}", i + 1), |n| n.to_uppercase())
    };
    if record.odd_quotes || record.len() > cols.names.len() {
        // The runaway field is the one that swallowed a line break and what looks like
        // the next row's commas.
        let suspect = (0..record.len())
            .find(|&i| {
                record
                    .get(i)
                    .is_some_and(|f| f.contains(&b'\n') && f.contains(&b','))
            })
            .or_else(|| {
                (0..record.len()).find(|&i| record.get(i).is_some_and(|f| f.contains(&b'\n')))
            });
        let problem = match suspect {
            Some(i) => format!(
                "unbalanced quote in {} (the field starting \"{}\"): a quote opened there is never closed, so later rows run into it; export the file again from LinkedIn or fix that quote",
                column_name(i),
                excerpt(&String::from_utf8_lossy(record.get(i).unwrap_or_default()))
            ),
            None => format!(
                "unbalanced quote: this row has {} fields where the header has {}; export the file again from LinkedIn or fix the quote",
                record.len(),
                cols.names.len()
            ),
        };
        return Err(sink.fatal(Place::Line(record.line), problem));
    }
    if let Some(text) = record.text() {
        return Ok(text);
    }
    // Only a row that is not UTF-8 gets here: find the field to name it.
    let bad = record.iter().enumerate().find_map(|(i, field)| {
        std::str::from_utf8(field)
            .err()
            .map(|e| (i, field, e.valid_up_to()))
    });
    let problem = match bad {
        Some((i, field, valid)) => format!(
            "{} is not UTF-8 text (byte 0x{:02X} after \"{}\"): LinkedIn exports are UTF-8, so the {} was re-saved in another encoding such as Latin-1 or Shift-JIS; export it again or save it as UTF-8",
            column_name(i),
            field[valid],
            excerpt(&String::from_utf8_lossy(&field[..valid])),
            format.describe()
        ),
        // Fields that are each UTF-8 join into UTF-8 text, so this is not reached.
        None => format!("this row of the {} is not UTF-8 text", format.describe()),
    };
    Err(sink.fatal(Place::Line(record.line), problem))
}

/// Formats as chrono's parsed items, read once: `parse_from_str` re-reads the format
/// string on every call, which showed in profiles of large imports.
fn compiled(
    cell: &'static OnceLock<Vec<Vec<Item<'static>>>>,
    formats: &[&'static str],
) -> &'static [Vec<Item<'static>>] {
    cell.get_or_init(|| {
        formats
            .iter()
            .map(|f| {
                StrftimeItems::new(f)
                    .parse()
                    .expect("the date formats are valid strftime")
            })
            .collect()
    })
}

/// `2026-09-19 13:28:00 UTC` (messages), `9/25/26, 8:52 AM` (invitations).
pub(crate) fn parse_time(text: &str) -> Option<Millis> {
    static FORMATS: OnceLock<Vec<Vec<Item<'static>>>> = OnceLock::new();
    let text = text.trim();
    // `trim_end_matches` with a string pattern builds a substring searcher per call.
    let mut bare = text;
    while let Some(shorter) = bare.strip_suffix(" UTC") {
        bare = shorter;
    }
    while let Some(shorter) = bare.strip_suffix(" GMT") {
        bare = shorter;
    }
    let formats = compiled(
        &FORMATS,
        &[
            "%Y-%m-%d %H:%M:%S",
            "%Y-%m-%d %H:%M",
            "%m/%d/%y, %I:%M %p",
            "%m/%d/%Y, %I:%M %p",
            "%m/%d/%y, %H:%M",
        ],
    );
    for items in formats {
        let mut parsed = Parsed::new();
        if parse(&mut parsed, bare, items.iter()).is_ok() {
            if let Ok(t) = parsed.to_naive_datetime_with_offset(0) {
                return Some(t.and_utc().timestamp_millis());
            }
        }
    }
    chrono::DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.timestamp_millis())
}

/// `12 Mar 2019` (Connections.csv).
pub(crate) fn parse_day(text: &str) -> Option<Millis> {
    static FORMATS: OnceLock<Vec<Vec<Item<'static>>>> = OnceLock::new();
    let text = text.trim();
    compiled(&FORMATS, &["%d %b %Y", "%Y-%m-%d", "%b %d, %Y", "%m/%d/%y"])
        .iter()
        .find_map(|items| {
            let mut parsed = Parsed::new();
            parse(&mut parsed, text, items.iter()).ok()?;
            parsed.to_naive_date().ok()
        })
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc().timestamp_millis())
}

fn looks_like_html(text: &str) -> bool {
    // Every marker starts with `<` or `&`: only those places are compared (ASCII case
    // ignored), instead of a lowercased copy of the text searched seven times.
    const MARKERS: [&[u8]; 7] = [
        b"<p>", b"<p ", b"<br", b"<div", b"</", b"<a href", b"&nbsp;",
    ];
    let bytes = text.as_bytes();
    memchr::memchr2_iter(b'<', b'&', bytes).any(|at| {
        MARKERS.iter().any(|marker| {
            bytes[at..]
                .get(..marker.len())
                .is_some_and(|start| start.eq_ignore_ascii_case(marker))
        })
    })
}

pub(crate) fn plain_text(text: &str) -> String {
    if looks_like_html(text) {
        mail_parser::decoders::html::html_to_text(text)
            .trim()
            .to_string()
    } else {
        // Trimming first is the same text (CR and LF are both trimmed) and most
        // exports use bare LF, so most fields are copied once.
        let text = text.trim();
        if text.contains('\r') {
            text.replace("\r\n", "\n")
        } else {
            text.to_string()
        }
    }
}

fn linkedin_party(name: &str, url: &str) -> Party {
    Party {
        name: (!name.is_empty()).then(|| name.to_string()),
        identity: linkedin_slug(url).map(Identity::Linkedin),
    }
}

/// Recipients: URLs are `;`-separated; names pair up with them when the counts agree.
fn recipients(names: &str, urls: &str) -> Vec<Party> {
    // Iterated twice (count, then build) rather than collected: one allocation per row.
    let urls = || urls.split(';').map(str::trim).filter(|u| !u.is_empty());
    let split = || {
        names
            .split([';', ','])
            .map(str::trim)
            .filter(|n| !n.is_empty())
    };
    let url_count = urls().count();
    if url_count > 1 && split().count() == url_count {
        return split()
            .zip(urls())
            .map(|(n, u)| linkedin_party(n, u))
            .collect();
    }
    match url_count {
        0 if names.is_empty() => Vec::new(),
        0 => vec![linkedin_party(names, "")],
        1 => urls().map(|u| linkedin_party(names, u)).collect(),
        _ => urls().map(|u| linkedin_party("", u)).collect(),
    }
}

fn message_row(row: &Row, me: &Me, sink: &mut Sink) {
    let line = row.record.line;
    let c = &row.columns.messages;
    let draft = row.at(c.draft);
    if draft.eq_ignore_ascii_case("yes") || draft.eq_ignore_ascii_case("true") {
        sink.skip(Place::Line(line), "an unsent draft", "skipped the row");
        return;
    }
    let Some(time) = parse_time(row.at(c.date)) else {
        sink.skip(
            Place::Line(line),
            format!(
                "DATE \"{}\" is not a date Rapport knows (expected like 2026-09-19 13:28:00 UTC)",
                row.at(c.date)
            ),
            "skipped the row",
        );
        return;
    };
    let text = plain_text(row.at(c.content));
    if text.is_empty() {
        sink.skip(
            Place::Line(line),
            "a message with no text (an attachment or a system notice)",
            "skipped the row",
        );
        return;
    }
    let from = linkedin_party(row.at(c.from), row.at(c.sender_url));
    let to = recipients(row.at(c.to), row.at(c.recipient_urls));
    let conversation = row.at(c.conversation);
    let direction = if me.is_me(&from, Channel::Linkedin) {
        Direction::Sent
    } else {
        Direction::Received
    };
    // The identity's key is also the sender's key in the import report.
    let identity_key = from.identity.as_ref().map(Identity::key);
    let from_key = identity_key.as_deref().unwrap_or(row.at(c.from));
    let print = fingerprint_u64(&[from_key.as_bytes(), text.as_bytes()]);
    let subject = row.at(c.subject);
    let message = Message {
        // The first 8 of the fingerprint's 16 hex digits.
        id: format!("li:{conversation}:{time}:{:08x}", print >> 32),
        channel: Channel::Linkedin,
        direction,
        from,
        to,
        time,
        subject: (!subject.is_empty()).then(|| subject.to_string()),
        text,
        conversation: (!conversation.is_empty()).then(|| conversation.to_string()),
        operator: None,
    };
    match identity_key {
        Some(key) => sink.message_from(message, key),
        None => sink.message(message),
    }
}

fn connection_row(row: &Row, sink: &mut Sink) {
    let line = row.record.line;
    let name = format!("{} {}", row.get("first name"), row.get("last name"))
        .trim()
        .to_string();
    let mut identities = Vec::new();
    if let Some(slug) = linkedin_slug(row.get("url")) {
        identities.push(Identity::Linkedin(slug));
    }
    let email = row.get("email address");
    match normalize_email(email) {
        Some(address) => identities.push(Identity::Email(address)),
        None if !email.is_empty() => sink.note(
            Place::Line(line),
            format!("Email Address \"{email}\" is not an email address"),
            "kept the connection without it",
        ),
        None => {}
    }
    if name.is_empty() && identities.is_empty() {
        sink.skip(
            Place::Line(line),
            "a connection with no name, profile or email",
            "skipped the row",
        );
        return;
    }
    let connected = row.get("connected on");
    let connected_on = parse_day(connected);
    if connected_on.is_none() && !connected.is_empty() {
        sink.note(
            Place::Line(line),
            format!("Connected On \"{connected}\" is not a date (expected like 12 Mar 2019)"),
            "kept the connection without a date",
        );
    }
    let id = match identities.first() {
        Some(identity) => identity.key(),
        // Old exports have neither URL nor email: a fingerprint of the whole row keeps
        // re-imports idempotent without pretending the name is an identity.
        None => format!(
            "conn:{}",
            fingerprint(&row.record.iter().collect::<Vec<_>>())
        ),
    };
    let optional = |s: &str| (!s.is_empty()).then(|| s.to_string());
    sink.contact(Contact {
        id,
        identities,
        names: optional(&name).into_iter().collect(),
        company: optional(row.get("company")),
        position: optional(row.get("position")),
        connected_on,
        ..Default::default()
    });
}

fn invitation_row(row: &Row, sink: &mut Sink) {
    let line = row.record.line;
    let direction = match row.get("direction").to_ascii_uppercase().as_str() {
        "OUTGOING" => Direction::Sent,
        "INCOMING" => Direction::Received,
        other => {
            sink.skip(
                Place::Line(line),
                format!("Direction \"{other}\" is neither OUTGOING nor INCOMING"),
                "skipped the row",
            );
            return;
        }
    };
    let from = linkedin_party(row.get("from"), row.get("inviterprofileurl"));
    let to = linkedin_party(row.get("to"), row.get("inviteeprofileurl"));
    let other = if direction == Direction::Sent {
        &to
    } else {
        &from
    };
    if let Some(identity) = &other.identity {
        sink.contact(Contact {
            id: identity.key(),
            identities: vec![identity.clone()],
            names: other.name.clone().into_iter().collect(),
            ..Default::default()
        });
    }
    let note = plain_text(row.get("message"));
    if note.is_empty() {
        return;
    }
    let Some(time) = parse_time(row.get("sent at")) else {
        sink.skip(
            Place::Line(line),
            format!(
                "Sent At \"{}\" is not a date Rapport knows (expected like 9/25/26, 8:52 AM)",
                row.get("sent at")
            ),
            "skipped the invitation note",
        );
        return;
    };
    let print = fingerprint(&[
        row.get("from").as_bytes(),
        row.get("to").as_bytes(),
        note.as_bytes(),
    ]);
    sink.message(Message {
        id: format!("li-invitation:{time}:{}", &print[..12]),
        channel: Channel::Linkedin,
        direction,
        from,
        to: vec![to],
        time,
        subject: None,
        text: note,
        conversation: None,
        operator: None,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::{import_bytes, ImportBatch};

    const HEADER: &str = "CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,DATE,SUBJECT,CONTENT,FOLDER\r\n";

    fn messages(batches: &[ImportBatch]) -> Vec<Message> {
        batches.iter().flat_map(|b| b.messages.clone()).collect()
    }

    #[test]
    fn dates_in_every_export_shape() {
        assert_eq!(
            parse_time("2026-09-19 13:28:00 UTC"),
            Some(1_789_824_480_000)
        );
        assert_eq!(parse_time("9/25/26, 8:52 AM"), Some(1_790_326_320_000));
        assert_eq!(parse_time("9/25/26, 8:52 PM"), Some(1_790_369_520_000));
        assert_eq!(parse_day("12 Mar 2019"), Some(1_552_348_800_000));
        assert_eq!(parse_time("yesterday"), None);
    }

    #[test]
    fn markup_is_recognized_in_any_case_and_only_as_markup() {
        assert!(looks_like_html("Hi<BR>there"));
        assert!(looks_like_html("a&NBSP;b"));
        assert!(looks_like_html("see <A HREF=\"x\">"));
        assert!(!looks_like_html("R&D <3 you, a < b &"));
        assert!(!looks_like_html("ends with <"));
        assert_eq!(plain_text("  a\r\nb \r\n"), "a\nb");
        assert_eq!(
            parse_time("2026-09-19 13:28:00 UTC UTC"),
            Some(1_789_824_480_000)
        );
    }

    #[test]
    fn messages_csv_with_bom_crlf_html_and_owner_direction() {
        let csv = format!(
            "\u{feff}{HEADER}2-abc,,Dana Whitfield,https://www.linkedin.com/in/dana-whitfield,Brian Miller,https://www.linkedin.com/in/brian-miller,2026-09-19 13:28:00 UTC,,\"<p>Hi Brian, good to \"\"see\"\" you</p>\",INBOX\r\n2-abc,,Brian Miller,https://www.linkedin.com/in/brian-miller,Dana Whitfield,https://www.linkedin.com/in/dana-whitfield,2026-09-20 08:00:00 UTC,,\"Likewise,\r\nDana\",INBOX\r\n"
        );
        let me = Me::parse(["https://www.linkedin.com/in/dana-whitfield/"]);
        let (batches, report) = import_bytes("messages.csv", csv.as_bytes(), me.clone()).unwrap();
        assert_eq!(report.format, Format::LinkedinMessages);
        let got = messages(&batches);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].text, "Hi Brian, good to \"see\" you");
        assert_eq!(got[0].direction, Direction::Sent);
        assert_eq!(
            got[0].to[0].identity,
            Some(Identity::Linkedin("brian-miller".into()))
        );
        assert_eq!(got[1].direction, Direction::Received);
        assert_eq!(got[1].text, "Likewise,\nDana");
        assert_eq!(got[0].conversation.as_deref(), Some("2-abc"));
        // Idempotent: the same file again yields the same ids.
        let (again, _) = import_bytes("messages.csv", csv.as_bytes(), me).unwrap();
        assert_eq!(
            messages(&again).iter().map(|m| &m.id).collect::<Vec<_>>(),
            got.iter().map(|m| &m.id).collect::<Vec<_>>()
        );
    }

    #[test]
    fn old_messages_csv_without_profile_columns_matches_owner_by_name() {
        let csv = "CONVERSATION ID,CONVERSATION TITLE,FROM,TO,DATE,SUBJECT,CONTENT\n1,,Dana Whitfield,Brian Miller,2020-01-02 03:04:05 UTC,Hello,Hi there\n";
        let (batches, _) =
            import_bytes("m.csv", csv.as_bytes(), Me::parse(["Dana Whitfield"])).unwrap();
        let got = messages(&batches);
        assert_eq!(got[0].direction, Direction::Sent);
        assert_eq!(got[0].to[0].name.as_deref(), Some("Brian Miller"));
        assert_eq!(got[0].subject.as_deref(), Some("Hello"));
    }

    #[test]
    fn unbalanced_quote_names_line_column_and_field() {
        let mut csv = String::from(HEADER);
        for i in 0..12 {
            csv.push_str(&format!(
                "c{i},,A,,B,,2026-01-01 10:00:00 UTC,,\"fine {i}\",INBOX\n"
            ));
        }
        csv.push_str("c12,,A,,B,,2026-01-01 10:00:00 UTC,,\"Hi Brian, this never closes,INBOX\n");
        csv.push_str("c13,,A,,B,,2026-01-01 10:00:00 UTC,,\"next\",INBOX\n");
        let err = import_bytes("messages.csv", csv.as_bytes(), Me::default()).unwrap_err();
        assert_eq!(err.place, Place::Line(14));
        assert!(
            err.to_string().starts_with("messages.csv line 14: unbalanced quote in CONTENT (the field starting \"Hi Brian, this never clo...\")"),
            "{err}"
        );
        // Also when the file simply ends inside the quote.
        let cut = format!("{HEADER}c,,A,,B,,2026-01-01 10:00:00 UTC,,\"Hi Brian, no end\n");
        let err = import_bytes("messages.csv", cut.as_bytes(), Me::default()).unwrap_err();
        assert_eq!(err.place, Place::Line(2));
        assert!(err.problem.contains("unbalanced quote in CONTENT"), "{err}");
    }

    #[test]
    fn latin1_or_shift_jis_csv_is_rejected_with_the_column() {
        let mut latin1 = HEADER.as_bytes().to_vec();
        latin1.extend_from_slice(b"c,,Jos\xE9 Garc\xEDa,,B,,2026-01-01 10:00:00 UTC,,hola,INBOX\n");
        let err = import_bytes("messages.csv", &latin1, Me::default()).unwrap_err();
        assert_eq!(err.place, Place::Line(2));
        assert!(
            err.problem
                .starts_with("FROM is not UTF-8 text (byte 0xE9 after \"Jos\")"),
            "{err}"
        );
        let mut sjis = HEADER.as_bytes().to_vec();
        sjis.extend_from_slice(
            b"c,,A,,B,,2026-01-01 10:00:00 UTC,,\x82\xb1\x82\xf1\x82\xc9\x82\xbf\x82\xcd,INBOX\n",
        );
        let err = import_bytes("messages.csv", &sjis, Me::default()).unwrap_err();
        assert!(err.problem.contains("CONTENT is not UTF-8"), "{err}");
    }

    #[test]
    fn bad_rows_are_skipped_and_reported() {
        let csv = format!("{HEADER}c,,A,,B,,not a date,,hello,INBOX\nc,,A,,B,,2026-01-01 10:00:00 UTC,,,INBOX\nc,,A,,B,,2026-01-01 10:00:00 UTC,,kept,INBOX\n");
        let (batches, report) =
            import_bytes("messages.csv", csv.as_bytes(), Me::default()).unwrap();
        assert_eq!(messages(&batches).len(), 1);
        assert_eq!(report.skipped, 2);
        assert_eq!(report.problems[0].to_string(), "messages.csv line 2: DATE \"not a date\" is not a date Rapport knows (expected like 2026-09-19 13:28:00 UTC) (skipped the row)");
    }

    #[test]
    fn connections_link_profiles_to_email_and_skip_the_notes() {
        let csv = "Notes:\n\"When exporting your connection data, you may notice that some of the email addresses are missing.\"\n\nFirst Name,Last Name,URL,Email Address,Company,Position,Connected On\nBrian,Miller,https://www.linkedin.com/in/brian-miller,Brian.Miller@Acme.io,Acme,CTO,12 Mar 2019\nOld,Timer,,,,,01 Jan 2015\n";
        let (batches, report) =
            import_bytes("Connections.csv", csv.as_bytes(), Me::default()).unwrap();
        assert_eq!(report.format, Format::LinkedinConnections);
        let contacts: Vec<Contact> = batches.iter().flat_map(|b| b.contacts.clone()).collect();
        assert_eq!(contacts.len(), 2);
        assert_eq!(
            contacts[0].identities,
            vec![
                Identity::Linkedin("brian-miller".into()),
                Identity::Email("brian.miller@acme.io".into())
            ]
        );
        assert_eq!(contacts[0].id, "linkedin:brian-miller");
        assert_eq!(contacts[0].connected_on, Some(1_552_348_800_000));
        assert!(contacts[1].id.starts_with("conn:"));
    }

    #[test]
    fn invitations_become_contacts_and_notes_become_messages() {
        let csv = "From,To,Sent At,Message,Direction,inviterProfileUrl,inviteeProfileUrl\nDana Whitfield,Priya Shah,\"9/25/26, 8:52 AM\",\"Hi Priya, loved your talk\",OUTGOING,https://www.linkedin.com/in/dana-whitfield,https://www.linkedin.com/in/priya-shah\nSam Lee,Dana Whitfield,\"9/26/26, 9:00 AM\",,INCOMING,https://www.linkedin.com/in/sam-lee,https://www.linkedin.com/in/dana-whitfield\n";
        let (batches, _) = import_bytes("Invitations.csv", csv.as_bytes(), Me::default()).unwrap();
        let contacts: Vec<Contact> = batches.iter().flat_map(|b| b.contacts.clone()).collect();
        assert_eq!(
            contacts.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
            ["linkedin:priya-shah", "linkedin:sam-lee"]
        );
        let got = messages(&batches);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].direction, Direction::Sent);
        assert_eq!(got[0].text, "Hi Priya, loved your talk");
    }
}
