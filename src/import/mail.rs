//! Email: mbox files (mboxo/mboxrd, Google Takeout) streamed in chunks, and `.eml`.
//!
//! mail-parser does the work: its mbox reader splits messages (and undoes `>From `
//! quoting), its parser handles MIME, encoded words, charsets and HTML-to-text. What
//! this module adds is the push side: chunks accumulate until a `From ` line shows
//! that every message before it is complete, then that prefix goes through
//! mail-parser's reader and the rest waits for the next chunk. Memory stays bounded
//! by the largest single message, whatever the file size.

use super::{fingerprint, ImportError, Me, Place, Sink};
use crate::identity::normalize_email;
use crate::model::{Channel, Direction, Identity, Message, Party};
use mail_parser::mailbox::mbox::MessageIterator;
use mail_parser::{Address, HeaderName, HeaderValue, MessageParser, MimeHeaders};
use memchr::memmem;

/// Bodies beyond this are cut: the rules read openings, greetings and signatures, and
/// a pasted log file should not cost the store megabytes.
const MAX_TEXT_CHARS: usize = 100_000;

/// Any single message larger than this is refused (a mailbox is not a file store).
const MAX_MESSAGE_BYTES: usize = 256 << 20;

pub struct MboxImport {
    buffer: Vec<u8>,
    /// Where in `buffer` to resume looking for the next separator.
    scanned: usize,
    /// Messages handed to the parser so far (for "message N" in problems).
    count: u64,
    /// Bytes of the file dropped from the front of `buffer`.
    offset: u64,
}

impl MboxImport {
    pub(crate) fn new() -> Self {
        MboxImport {
            buffer: Vec::new(),
            scanned: 0,
            count: 0,
            offset: 0,
        }
    }

    pub(crate) fn push(
        &mut self,
        chunk: &[u8],
        me: &Me,
        sink: &mut Sink,
    ) -> Result<(), ImportError> {
        let head = self.buffer.len() + chunk.len() >= 5 && self.buffer.len() < 5 && self.count == 0;
        if head && ![&self.buffer[..], chunk].concat().starts_with(b"From ") {
            // Detection saw "From " at the start; anything else means a mislabeled call.
            return Err(sink.fatal(
                Place::Byte(0),
                "an mbox starts with a \"From \" line and this one does not",
            ));
        }
        self.buffer.extend_from_slice(chunk);
        let start = self.scanned.saturating_sub(5).max(1);
        // `get`: an empty first chunk leaves the buffer shorter than `start`.
        let Some(last) = self
            .buffer
            .get(start..)
            .and_then(|unscanned| memmem::rfind(unscanned, b"\nFrom "))
            .map(|i| start + i + 1)
        else {
            self.scanned = self.buffer.len();
            if self.buffer.len() > MAX_MESSAGE_BYTES {
                return Err(sink.fatal(
                    Place::Message(self.count + 1),
                    "a single message larger than 256 MB: this is not an mbox Rapport can read",
                ));
            }
            return Ok(());
        };
        let rest = self.buffer.split_off(last);
        let complete = std::mem::replace(&mut self.buffer, rest);
        self.split(&complete, me, sink);
        self.offset += complete.len() as u64;
        self.scanned = 0;
        Ok(())
    }

    pub(crate) fn finish(mut self, me: &Me, sink: &mut Sink) -> Result<(), ImportError> {
        let rest = std::mem::take(&mut self.buffer);
        if rest.is_empty() {
            return Ok(());
        }
        let last_number = self.count + 1;
        let cut_mid_line = !rest.ends_with(b"\n");
        let body_start = memmem::find(&rest, b"\n\n").or_else(|| memmem::find(&rest, b"\r\n\r\n"));
        if cut_mid_line || body_start.is_none() {
            return Err(sink.fatal(
                Place::Message(last_number),
                format!(
                    "the file ends in the middle of message {last_number} (byte {}): the download or copy was cut off; download the export again",
                    self.offset + rest.len() as u64
                ),
            ));
        }
        self.split(&rest, me, sink);
        Ok(())
    }

    fn split(&mut self, complete: &[u8], me: &Me, sink: &mut Sink) {
        for item in MessageIterator::new(complete) {
            self.count += 1;
            match item {
                Ok(message) => {
                    let envelope_time = (message.internal_date() > 0)
                        .then(|| message.internal_date() as i64 * 1000);
                    convert(
                        message.contents(),
                        envelope_time,
                        Place::Message(self.count),
                        me,
                        sink,
                    );
                }
                Err(error) => sink.skip(
                    Place::Message(self.count),
                    format!("unreadable: {error}"),
                    "skipped it",
                ),
            }
        }
    }
}

/// A whole `.eml` file is one message.
pub(crate) fn import_eml(bytes: &[u8], me: &Me, sink: &mut Sink) -> Result<(), ImportError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.trim_ascii().is_empty() {
        return Err(sink.fatal(Place::File, "the file is empty"));
    }
    let before = sink.skipped;
    convert(bytes, None, Place::File, me, sink);
    if sink.skipped > before {
        let problem = sink.problems.pop().map(|p| p.problem).unwrap_or_default();
        return Err(sink.fatal(Place::File, problem));
    }
    Ok(())
}

/// RFC 5322 header lines up to the first blank line, with at least two familiar names.
pub(crate) fn looks_like_eml(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(&head[..head.len().min(16384)]);
    let mut familiar = 0;
    for (i, line) in text.lines().enumerate() {
        if line.is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            continue; // folded continuation
        }
        let Some((name, _)) = line.split_once(':') else {
            return false;
        };
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return false;
        }
        let name = name.to_ascii_lowercase();
        if [
            "from",
            "to",
            "subject",
            "date",
            "message-id",
            "received",
            "return-path",
            "mime-version",
            "delivered-to",
            "cc",
            "reply-to",
            "content-type",
        ]
        .contains(&name.as_str())
        {
            familiar += 1;
        }
        if i > 200 {
            break;
        }
    }
    familiar >= 2
}

fn party(addr: &mail_parser::Addr) -> Party {
    Party {
        name: addr
            .name()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_string),
        identity: addr
            .address()
            .and_then(normalize_email)
            .map(Identity::Email),
    }
}

fn addresses<'a>(address: Option<&'a Address<'a>>) -> impl Iterator<Item = Party> + 'a {
    address.into_iter().flat_map(|a| a.iter()).map(party)
}

fn first_id(value: &HeaderValue) -> Option<String> {
    value
        .as_text_list()
        .and_then(|l| l.first())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// One raw message into the model; problems are reported and the message skipped.
fn convert(raw: &[u8], envelope_time: Option<i64>, place: Place, me: &Me, sink: &mut Sink) {
    let Some(mail) = parser().parse(raw) else {
        sink.skip(
            place,
            "not a mail message (no headers could be read)",
            "skipped it",
        );
        return;
    };
    let from = mail
        .from()
        .and_then(|a| a.first())
        .map(party)
        .or_else(|| reparsed_from(raw));
    let Some(from) = from.filter(|p| p.identity.is_some() || p.name.is_some()) else {
        sink.skip(
            place,
            "has no From header, so there is nobody to attribute it to",
            "skipped it",
        );
        return;
    };
    let header_time = mail
        .date()
        .filter(|d| d.is_valid())
        .map(|d| d.to_timestamp() * 1000);
    let Some(time) = header_time.or(envelope_time) else {
        sink.skip(place, "has no readable Date header", "skipped it");
        return;
    };
    let to: Vec<Party> = addresses(mail.to())
        .chain(addresses(mail.cc()))
        .chain(addresses(mail.bcc()))
        .collect();
    let mut text = body_text(&mail, raw);
    if has_undecodable_body(&mail) {
        sink.note(
            place.clone(),
            "its body is not valid base64 or quoted-printable",
            "kept what could be decoded",
        );
    }
    if text.contains('\u{FFFD}') {
        let charset = mail
            .text_bodies()
            .chain(mail.html_bodies())
            .find_map(|p| p.content_type().and_then(|c| c.attribute("charset")))
            .unwrap_or("undeclared");
        sink.note(
            place.clone(),
            format!("some of its text could not be decoded (charset {charset})"),
            "kept it with replacement characters",
        );
    }
    if text.contains('\r') {
        text = text.replace("\r\n", "\n");
    }
    if let Some((cut, _)) = text.char_indices().nth(MAX_TEXT_CHARS) {
        text.truncate(cut);
    }
    let labels = mail.header_raw("X-Gmail-Labels").unwrap_or("");
    let sent_label = labels
        .split(',')
        .any(|l| l.trim().eq_ignore_ascii_case("sent"));
    let direction = if me.is_me(&from, Channel::Email) || sent_label {
        Direction::Sent
    } else {
        Direction::Received
    };
    let own_id = mail
        .message_id()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| format!("<{s}>"));
    let conversation = first_id(mail.references())
        .or_else(|| first_id(mail.in_reply_to()))
        .map(|s| format!("<{s}>"))
        .or_else(|| own_id.clone());
    sink.message(Message {
        id: own_id.unwrap_or_else(|| format!("fp:{}", line_ending_blind_fingerprint(raw))),
        channel: Channel::Email,
        direction,
        from,
        to,
        time,
        subject: mail
            .subject()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string),
        text,
        conversation,
        operator: None,
    });
}

/// Only the headers Rapport reads are parsed: `Received` chains and the like are most
/// of a header block and would double the import time for nothing.
fn parser() -> &'static MessageParser {
    static PARSER: std::sync::OnceLock<MessageParser> = std::sync::OnceLock::new();
    PARSER.get_or_init(|| {
        MessageParser::new()
            .with_mime_headers()
            .with_minimal_headers()
            .header_id(HeaderName::MessageId)
            .header_id(HeaderName::InReplyTo)
            .header_id(HeaderName::References)
            .header_raw(HeaderName::Other("X-Gmail-Labels".into()))
            .default_header_ignore()
    })
}

/// mail-parser 0.11 lets a malformed Date (`27 Jun 01 3:36:25 AM`, `... 06:00:48 UT`)
/// swallow the header line after it, often From. When From is missing, its raw line
/// is looked up in the header block and parsed on its own.
fn reparsed_from(raw: &[u8]) -> Option<Party> {
    let end = memmem::find(raw, b"\n\n")
        .or_else(|| memmem::find(raw, b"\r\n\r\n"))
        .unwrap_or(raw.len());
    let headers = &raw[..end];
    let mut found: Option<Vec<u8>> = None;
    for line in headers.split(|&b| b == b'\n') {
        let folded = line.first().is_some_and(|b| *b == b' ' || *b == b'\t');
        match &mut found {
            Some(value) if folded => value.extend_from_slice(line),
            Some(_) => break,
            None if line.len() > 5 && line[..5].eq_ignore_ascii_case(b"from:") => {
                found = Some(line.to_vec())
            }
            None => {}
        }
    }
    let mut alone = found?;
    alone.extend_from_slice(b"\n\n");
    let mail = parser().parse(&alone)?;
    mail.from().and_then(|a| a.first()).map(party)
}

/// The first text body. Legacy mail often sends 8-bit text with no charset; the
/// de-facto meaning is Latin-1 (Windows-1252), not the UTF-8 the parser assumes, so
/// such a body is decoded again from its raw bytes.
fn body_text(mail: &mail_parser::Message, raw: &[u8]) -> String {
    let text = mail
        .body_text(0)
        .map(|t| t.into_owned())
        .unwrap_or_default();
    if !text.contains('\u{FFFD}') {
        return text;
    }
    let Some(part) = mail.text_part(0) else {
        return text;
    };
    let undeclared = part
        .content_type()
        .and_then(|c| c.attribute("charset"))
        .is_none();
    let plain = matches!(part.encoding, mail_parser::Encoding::None);
    let bytes = raw
        .get(part.offset_body as usize..part.offset_end as usize)
        .unwrap_or_default();
    if !(undeclared && plain) || std::str::from_utf8(bytes).is_ok() {
        return text;
    }
    let latin1: String = bytes.iter().map(|&b| char::from(b)).collect();
    match part.body {
        mail_parser::PartType::Html(_) => mail_parser::decoders::html::html_to_text(&latin1),
        _ => latin1,
    }
}

/// The same message saved with CRLF (an .eml from Outlook) or LF (a Takeout mbox)
/// must get the same id, so carriage returns are left out of the fingerprint.
fn line_ending_blind_fingerprint(raw: &[u8]) -> String {
    let lf: Vec<u8> = raw.iter().copied().filter(|&b| b != b'\r').collect();
    fingerprint(&[&lf])
}

fn has_undecodable_body(mail: &mail_parser::Message) -> bool {
    mail.parts.iter().any(|part| part.is_encoding_problem)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::{import_bytes, Format, ImportBatch, Importer};

    fn messages(batches: &[ImportBatch]) -> Vec<Message> {
        batches.iter().flat_map(|b| b.messages.clone()).collect()
    }

    const MBOX: &str = "From brian@acme.io Mon Jan  1 09:00:00 2024\n\
From: Brian Miller <Brian@Acme.io>\n\
To: Dana Whitfield <dana@whitfield.io>\n\
Date: Mon, 1 Jan 2024 09:00:00 +0000\n\
Message-ID: <one@acme.io>\n\
Subject: =?UTF-8?B?Q2Fmw6k=?= tomorrow\n\
\n\
See you at the caf\u{e9}.\n\
>From the station, walk north.\n\
\n\
From dana@whitfield.io Mon Jan  1 10:00:00 2024\n\
From: dana@whitfield.io\n\
To: brian@acme.io\n\
Date: Mon, 1 Jan 2024 10:00:00 +0000\n\
In-Reply-To: <one@acme.io>\n\
Content-Type: text/html; charset=utf-8\n\
\n\
<p>Great, <b>see you</b> there</p>\n";

    #[test]
    fn mbox_in_any_chunking_gives_the_same_messages() {
        let me = Me::parse(["dana@whitfield.io"]);
        let (whole, report) = import_bytes("inbox.mbox", MBOX.as_bytes(), me.clone()).unwrap();
        assert_eq!(report.format, Format::Mbox);
        let got = messages(&whole);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].id, "<one@acme.io>");
        assert_eq!(got[0].subject.as_deref(), Some("Café tomorrow"));
        assert_eq!(
            got[0].text,
            "See you at the café.\nFrom the station, walk north.\n\n"
        );
        assert_eq!(got[0].direction, Direction::Received);
        assert_eq!(
            got[0].from.identity,
            Some(Identity::Email("brian@acme.io".into()))
        );
        assert_eq!(got[1].direction, Direction::Sent);
        assert_eq!(got[1].text.trim(), "Great, see you there");
        assert!(got[1].id.starts_with("fp:"));
        assert_eq!(got[1].conversation.as_deref(), Some("<one@acme.io>"));
        for size in [1, 7, 64] {
            let mut importer = Importer::new("inbox.mbox", MBOX.as_bytes(), me.clone()).unwrap();
            let mut batches = Vec::new();
            for chunk in MBOX.as_bytes().chunks(size) {
                batches.extend(importer.push(chunk).unwrap());
            }
            batches.extend(importer.finish().unwrap().0);
            assert_eq!(messages(&batches), got, "chunks of {size}");
        }
        assert_eq!(report.senders[0].messages, 1);
    }

    #[test]
    fn memory_is_bounded_by_a_message_not_the_file() {
        let one = MBOX.as_bytes();
        let mut importer = MboxImport::new();
        let mut sink = crate::import::Sink::new("big.mbox");
        let me = Me::default();
        let mut largest = 0;
        for _ in 0..2_000 {
            for chunk in one.chunks(4096) {
                importer.push(chunk, &me, &mut sink).unwrap();
                largest = largest.max(importer.buffer.capacity());
            }
            sink.ready.clear(); // the caller hands batches on as they fill
        }
        importer.finish(&me, &mut sink).unwrap();
        assert_eq!(sink.report_messages, 4_000);
        assert!(
            largest < 4 * one.len(),
            "buffer grew to {largest} bytes for a {} byte file",
            one.len() * 2_000
        );
    }

    #[test]
    fn crlf_mbox_reads_like_lf() {
        let crlf = MBOX.replace('\n', "\r\n");
        let (batches, _) = import_bytes("inbox.mbox", crlf.as_bytes(), Me::default()).unwrap();
        let got = messages(&batches);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].subject.as_deref(), Some("Café tomorrow"));
        assert!(!got[0].text.contains('\r'));
    }

    #[test]
    fn truncated_mbox_is_rejected_with_the_message_number() {
        let cut = &MBOX.as_bytes()[..MBOX.len() - 10];
        let err = import_bytes("Takeout.mbox", cut, Me::default()).unwrap_err();
        assert_eq!(err.place, Place::Message(2));
        assert!(
            err.to_string()
                .starts_with("Takeout.mbox message 2: the file ends in the middle of message 2"),
            "{err}"
        );
        // Cut inside the headers, at a line end.
        let headers_only = "From a@b.io Mon Jan  1 09:00:00 2024\nFrom: a@b.io\nDate: Mon, 1 Jan 2024 09:00:00 +0000\n";
        assert!(import_bytes("x.mbox", headers_only.as_bytes(), Me::default()).is_err());
    }

    #[test]
    fn undeclared_8bit_text_reads_as_latin1() {
        let mbox: &[u8] = b"From x Mon Jan  1 09:00:00 2024\nFrom: a@x.de\nDate: Mon, 1 Jan 2024 09:00:00 +0000\n\nGr\xFC\xDFe\n";
        let (batches, report) = import_bytes("old.mbox", mbox, Me::default()).unwrap();
        assert_eq!(messages(&batches)[0].text.trim(), "Grüße");
        assert!(report.problems.is_empty(), "{:?}", report.problems);
    }

    #[test]
    fn from_after_a_malformed_date_is_still_found() {
        let mbox = "From x Wed Jun 27 08:46:51 2001\nDate: 27 Jun 01 3:36:25 AM\nFrom: chol@bellsouth.net\nSubject: hi\n\nbody\n";
        let (batches, _) = import_bytes("old.mbox", mbox.as_bytes(), Me::default()).unwrap();
        assert_eq!(
            messages(&batches)[0].from.identity,
            Some(Identity::Email("chol@bellsouth.net".into()))
        );
    }

    #[test]
    fn charsets_and_broken_encodings() {
        let latin1: &[u8] = b"From x Mon Jan  1 09:00:00 2024\nFrom: =?ISO-8859-1?Q?Jos=E9?= <jose@x.es>\nDate: Mon, 1 Jan 2024 09:00:00 +0000\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: 8bit\n\nGr\xFC\xDFe aus M\xFCnchen\n\
From y Mon Jan  1 09:00:00 2024\nFrom: a@x.jp\nDate: Mon, 1 Jan 2024 09:00:00 +0000\nContent-Type: text/plain; charset=shift_jis\n\n\x82\xb1\x82\xf1\x82\xc9\x82\xbf\x82\xcd\n\
From z Mon Jan  1 09:00:00 2024\nFrom: b@x.io\nDate: Mon, 1 Jan 2024 09:00:00 +0000\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\n!!!not base64 at all!!!\n";
        let (batches, report) = import_bytes("mixed.mbox", latin1, Me::default()).unwrap();
        let got = messages(&batches);
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].from.name.as_deref(), Some("José"));
        assert_eq!(got[0].text.trim(), "Grüße aus München");
        assert_eq!(got[1].text.trim(), "こんにちは");
        assert!(
            report
                .problems
                .iter()
                .any(|p| p.place == Place::Message(3) && p.problem.contains("base64")),
            "{:?}",
            report.problems
        );
    }

    #[test]
    fn messages_without_sender_or_date_are_skipped_and_reported() {
        let mbox = "From x Thu Jan  1 00:00:00 1970\nTo: a@b.io\nDate: Mon, 1 Jan 2024 09:00:00 +0000\n\nno sender\n\
From y Mon Jan  1 09:00:00 2024\nFrom: c@d.io\n\nenvelope date is enough\n";
        let (batches, report) = import_bytes("x.mbox", mbox.as_bytes(), Me::default()).unwrap();
        assert_eq!(messages(&batches).len(), 1);
        assert_eq!(report.skipped, 1);
        assert_eq!(report.problems[0].to_string(), "x.mbox message 1: has no From header, so there is nobody to attribute it to (skipped it)");
    }

    #[test]
    fn eml_is_one_message_and_reimport_is_idempotent() {
        let eml = "Received: from mx\r\nFrom: Brian <brian@acme.io>\r\nTo: dana@whitfield.io\r\nSubject: Hi\r\nDate: Tue, 2 Jan 2024 09:00:00 +0100\r\n\r\nHello Dana\r\n";
        let (a, report) = import_bytes("hi.eml", eml.as_bytes(), Me::default()).unwrap();
        assert_eq!(report.format, Format::Eml);
        let (b, _) = import_bytes("copy.eml", eml.as_bytes(), Me::default()).unwrap();
        assert_eq!(messages(&a), messages(&b));
        assert_eq!(messages(&a)[0].time, 1_704_182_400_000);
        let no_date = "From: a@b.io\nTo: c@d.io\nSubject: x\n\nbody\n";
        let err = import_bytes("n.eml", no_date.as_bytes(), Me::default()).unwrap_err();
        assert_eq!(err.to_string(), "n.eml: has no readable Date header");
    }
}
