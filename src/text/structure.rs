//! Where the new text of a message ends: quoted history and the signature.
//!
//! Pitch and favor detection read only what the writer wrote now (the *content*);
//! `unsigned-delegate` reads the *signature*. Everything is reported as char ranges of
//! the text as given.

use super::normalize::fold;

pub type Range = (usize, usize);

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Layout {
    /// The new text: before any reply header or forwarded block, `>` lines excluded,
    /// signature excluded. May be several ranges around inline `>` quotes.
    pub content: Vec<Range>,
    /// From the sign-off (or `-- `) to the end of the new text.
    pub signature: Option<Range>,
    /// Quoted history (reply header onwards, and `>` lines).
    pub quoted: Vec<Range>,
    /// The name after the sign-off, when there is one ("Best,\nAnna Lee" → "Anna Lee").
    pub signer: Option<String>,
}

impl Layout {
    pub fn in_content(&self, pos: usize) -> bool {
        self.content.iter().any(|&(s, e)| pos >= s && pos < e)
    }
}

struct Line {
    start: usize,
    end: usize, // exclusive, before the line break
    text: String,
}

fn lines(chars: &[char]) -> Vec<Line> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, &c) in chars.iter().enumerate() {
        if c == '\n' || c == '\u{2028}' || c == '\u{2029}' {
            let end = if i > start && chars[i - 1] == '\r' {
                i - 1
            } else {
                i
            };
            out.push(Line {
                start,
                end,
                text: chars[start..end].iter().collect(),
            });
            start = i + 1;
        }
    }
    if start <= chars.len() {
        out.push(Line {
            start,
            end: chars.len(),
            text: chars[start..].iter().collect(),
        });
    }
    out
}

fn is_quote_line(text: &str) -> bool {
    text.trim_start().starts_with('>')
}

/// A line that starts quoted history: reply headers in several languages, forwarded
/// blocks, Outlook's separator and header block.
fn starts_history(lines: &[Line], i: usize) -> bool {
    let t = lines[i].text.trim();
    let lower = t.to_lowercase();
    if lower.starts_with("-----original message")
        || lower.starts_with("----- original message")
        || lower.starts_with("---------- forwarded message")
        || lower.starts_with("begin forwarded message")
        || lower.starts_with("-------- original message")
        || (t.len() >= 10 && t.chars().all(|c| c == '_'))
    {
        return true;
    }
    // "On Tue, 3 Oct 2023 at 10:00, Brian Miller <b@x.io> wrote:" may wrap onto two lines.
    let joined = match lines.get(i + 1) {
        Some(next) => format!("{} {}", lower, next.text.trim().to_lowercase()),
        None => lower.clone(),
    };
    let header_start = ["on ", "le ", "am ", "el ", "em ", "il ", "op "]
        .iter()
        .any(|p| lower.starts_with(p));
    let header_end = [
        "wrote:",
        "a écrit :",
        "a écrit:",
        "schrieb:",
        "escribió:",
        "escreveu:",
        "ha scritto:",
        "schreef:",
        "wrote :",
    ];
    if header_start
        && (header_end.iter().any(|e| lower.ends_with(e))
            || header_end.iter().any(|e| joined.ends_with(e)) && lower.len() < 200)
    {
        return true;
    }
    if lower.starts_with("from:") || lower.starts_with("von:") || lower.starts_with("de:") {
        let headers = lines[i + 1..].iter().take(4).filter(|l| {
            let l = l.text.trim().to_lowercase();
            [
                "sent:",
                "to:",
                "subject:",
                "date:",
                "cc:",
                "gesendet:",
                "an:",
                "betreff:",
                "envoyé :",
                "objet :",
                "enviado:",
                "para:",
                "asunto:",
            ]
            .iter()
            .any(|h| l.starts_with(h))
        });
        return headers.count() >= 2;
    }
    false
}

const SIGN_OFFS: &[&str] = &[
    "best",
    "best regards",
    "best wishes",
    "all the best",
    "all best",
    "regards",
    "kind regards",
    "warm regards",
    "warmest regards",
    "warmly",
    "warm wishes",
    "many thanks",
    "thanks",
    "thank you",
    "thanks again",
    "thanks so much",
    "thank you so much",
    "thanks in advance",
    "cheers",
    "sincerely",
    "yours sincerely",
    "sincerely yours",
    "yours",
    "yours truly",
    "yours faithfully",
    "faithfully",
    "respectfully",
    "cordially",
    "talk soon",
    "speak soon",
    "take care",
    "with thanks",
    "with gratitude",
    "gratefully",
    "love",
    "hugs",
    "xo",
    "xx",
    "thx",
    "tx",
    "br",
    "rgds",
    "saludos",
    "un saludo",
    "saludos cordiales",
    "atentamente",
    "cordialement",
    "bien a vous",
    "bien cordialement",
    "amities",
    "bises",
    "mit freundlichen grussen",
    "viele grusse",
    "beste grusse",
    "liebe grusse",
    "lg",
    "vg",
    "gruss",
    "grusse",
    "cordiali saluti",
    "saluti",
    "un saluto",
    "ciao",
    "abracos",
    "abraco",
    "cumprimentos",
    "atenciosamente",
    "obrigado",
    "obrigada",
    "gracias",
    "merci",
    "danke",
    "grazie",
    "met vriendelijke groet",
    "groeten",
    "best regards and thanks",
    "regards and thanks",
    "thanks and regards",
    "thank you and regards",
    "looking forward",
    "looking forward to hearing from you",
    "hope to hear from you soon",
];

/// `Some(name after the sign-off on the same line)` when the line is a sign-off
/// ("Best," / "Thanks, Anna" / "— Anna"), with `Some("")` for a bare one.
fn sign_off(text: &str) -> Option<String> {
    let t = text.trim();
    if t.is_empty() || t.chars().count() > 60 {
        return None;
    }
    let (head, tail) = match t.find([',', '!']) {
        Some(p) => (&t[..p], t[p + 1..].trim()),
        None => (t, ""),
    };
    let folded = fold(head.trim_end_matches('.'));
    let tail = tail.trim_end_matches(['.', '!']).trim();
    if SIGN_OFFS.contains(&folded.as_str()) && (tail.is_empty() || looks_like_name(tail)) {
        return Some(tail.to_string());
    }
    None
}

fn looks_like_name(text: &str) -> bool {
    let words: Vec<&str> = text.split_whitespace().collect();
    !words.is_empty()
        && words.len() <= 5
        && words.iter().all(|w| {
            let w = w.trim_matches(|c: char| c == ',' || c == '.');
            w.chars().next().is_some_and(|c| c.is_uppercase())
                && w.chars().all(|c| {
                    c.is_alphabetic()
                        || c == '-'
                        || c == '\''
                        || c == '.'
                        || crate::text::normalize::is_invisible(c)
                })
        })
}

/// Splits a message into its new content, signature and quoted history.
pub fn layout(chars: &[char]) -> Layout {
    let lines = lines(chars);
    let history = (0..lines.len()).find(|&i| starts_history(&lines, i));
    let own_lines = &lines[..history.unwrap_or(lines.len())];
    let mut quoted: Vec<Range> = Vec::new();
    if let Some(h) = history {
        quoted.push((lines[h].start, chars.len()));
    }
    let body_end = own_lines
        .iter()
        .rev()
        .find(|l| !l.text.trim().is_empty() && !is_quote_line(&l.text))
        .map(|l| l.end)
        .unwrap_or(0);

    // The signature starts at a "-- " delimiter or at the last sign-off line followed
    // by at most eight short lines.
    let mut signature_line: Option<usize> = None;
    let mut signer: Option<String> = None;
    let non_empty: Vec<usize> = (0..own_lines.len())
        .filter(|&i| !own_lines[i].text.trim().is_empty() && !is_quote_line(&own_lines[i].text))
        .collect();
    if let Some(i) = own_lines
        .iter()
        .position(|l| l.text == "-- " || l.text.trim() == "--")
    {
        signature_line = Some(i);
        signer = own_lines[i + 1..]
            .iter()
            .map(|l| l.text.trim())
            .find(|t| !t.is_empty())
            .filter(|t| looks_like_name(t.split(',').next().unwrap_or("")))
            .map(|t| t.split(',').next().unwrap_or("").trim().to_string());
    } else {
        for (rank, &i) in non_empty.iter().enumerate().rev() {
            let after = non_empty.len() - 1 - rank;
            if after > 8 {
                break;
            }
            let text = own_lines[i].text.trim();
            let dash_name = text
                .strip_prefix(['-', '—', '–'])
                .map(str::trim)
                .filter(|n| looks_like_name(n));
            if let Some(name) = dash_name {
                signature_line = Some(i);
                signer = Some(name.to_string());
                break;
            }
            if let Some(inline) = sign_off(text) {
                signature_line = Some(i);
                signer = if !inline.is_empty() && looks_like_name(&inline) {
                    Some(inline)
                } else {
                    non_empty
                        .get(rank + 1)
                        .map(|&j| own_lines[j].text.trim())
                        .map(|t| t.split(',').next().unwrap_or("").trim())
                        .filter(|t| looks_like_name(t))
                        .map(str::to_string)
                };
                break;
            }
        }
        // A bare name as the last line after the text counts as a signature too.
        if signature_line.is_none() && non_empty.len() >= 2 {
            let last = *non_empty.last().unwrap_or(&0);
            let text = own_lines[last].text.trim();
            if looks_like_name(text) && text.split_whitespace().count() <= 4 {
                signature_line = Some(last);
                signer = Some(text.to_string());
            }
        }
    }
    let signature = signature_line.map(|i| (own_lines[i].start, body_end.max(own_lines[i].end)));
    let content_end = signature.map(|s| s.0).unwrap_or(body_end);

    let mut content: Vec<Range> = Vec::new();
    let mut run: Option<Range> = None;
    for l in own_lines.iter() {
        if l.start >= content_end {
            break;
        }
        if is_quote_line(&l.text) {
            quoted.push((l.start, l.end));
            if let Some(r) = run.take() {
                content.push(r);
            }
            continue;
        }
        if l.text.trim().is_empty() {
            continue;
        }
        let end = l.end.min(content_end);
        run = Some(match run {
            Some((s, _)) => (s, end),
            None => (l.start, end),
        });
    }
    if let Some(r) = run {
        content.push(r);
    }
    quoted.sort();
    Layout {
        content,
        signature,
        quoted,
        signer,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cut(text: &str, r: Range) -> String {
        text.chars().skip(r.0).take(r.1 - r.0).collect()
    }

    #[test]
    fn reply_with_signature_and_history() {
        let text = "Hi Brian,\n\nSure, Tuesday works.\n\nBest,\nAnna Lee\nPersonal Assistant to Brian Miller\n\nOn Mon, 2 Oct 2023 at 09:00, Brian <b@x.io> wrote:\n> Can we talk?\n";
        let l = layout(&text.chars().collect::<Vec<_>>());
        assert_eq!(l.content.len(), 1);
        assert!(cut(text, l.content[0]).ends_with("Tuesday works."));
        assert!(cut(text, l.signature.unwrap()).starts_with("Best,"));
        assert!(cut(text, l.signature.unwrap()).ends_with("Brian Miller"));
        assert_eq!(l.signer.as_deref(), Some("Anna Lee"));
        assert!(cut(text, l.quoted[0]).starts_with("On Mon"));
    }

    #[test]
    fn inline_quotes_and_dash_signature() {
        let text = "> you asked about pricing\nHere it is.\n-- \nJo Smith\n";
        let l = layout(&text.chars().collect::<Vec<_>>());
        assert_eq!(cut(text, l.content[0]), "Here it is.");
        assert_eq!(l.signer.as_deref(), Some("Jo Smith"));
        assert_eq!(l.quoted.len(), 1);
    }

    #[test]
    fn outlook_header_block() {
        let text = "Thanks for this.\n\nFrom: Brian Miller\nSent: Monday\nTo: Anna\nSubject: hi\n\nold text";
        let l = layout(&text.chars().collect::<Vec<_>>());
        assert_eq!(cut(text, l.content[0]), "Thanks for this.");
        assert!(l.signature.is_none());
    }

    #[test]
    fn empty_and_odd_inputs() {
        for t in ["", "\n\n", "--", "Best,", "\r\n> x"] {
            let _ = layout(&t.chars().collect::<Vec<_>>());
        }
    }
}
