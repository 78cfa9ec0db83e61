//! Folding text into comparable word tokens that still point back at the draft.
//!
//! Every token remembers its span in Unicode scalar values of the text as given, so
//! whatever matches on the folded form can be highlighted in the original. Folding:
//! NFKD with combining marks dropped (é → e, ﬁ → fi, fullwidth → ASCII; see
//! [`super::unicode`]), lowercase,
//! zero-width and bidi controls ignored inside words, apostrophes joined (don't →
//! dont), HTML tags and entities treated as spaces, and Latin lookalikes from other
//! scripts folded when a word mixes scripts (Вrian → brian) while a word written
//! wholly in Cyrillic or Greek is left alone.

use super::unicode;

mod lookalikes;
use lookalikes::LATIN_LOOKALIKES;

/// One word of a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// Folded form: lowercase, no diacritics, lookalikes folded.
    pub norm: String,
    /// Span in the original text, in chars, end exclusive.
    pub start: usize,
    pub end: usize,
    /// The word starts with an uppercase letter as written.
    pub capitalized: bool,
    /// Nothing but spaces separates it from the start of the text, a line break or
    /// sentence punctuation.
    pub sentence_start: bool,
}

/// Characters that are invisible and must not split or change a word.
pub fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{180E}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}'
        | '\u{FE00}'..='\u{FE0F}'
        | '\u{FEFF}')
}

fn is_apostrophe(c: char) -> bool {
    matches!(
        c,
        '\'' | '\u{2019}' | '\u{2018}' | '\u{02BC}' | '`' | '\u{00B4}'
    )
}

/// The Latin letter a lookalike from another script stands for (UTS #39 confusable
/// skeleton: Cyrillic "В" → "B", Greek "ο" → "o"), if it stands for exactly one.
/// Applied only inside words that also contain Latin letters.
///
/// A table of just these characters (1,449 of them) instead of the whole confusables
/// set, which made the extension's wasm about 100 KB larger; a test derives the table
/// from unicode-security and fails when the two disagree.
fn latin_lookalike(c: char) -> Option<char> {
    LATIN_LOOKALIKES
        .binary_search_by_key(&c, |&(lookalike, _)| lookalike)
        .ok()
        .map(|i| char::from(LATIN_LOOKALIKES[i].1))
}

const HTML_TAGS: &[&str] = &[
    "a",
    "b",
    "i",
    "u",
    "p",
    "br",
    "hr",
    "div",
    "span",
    "font",
    "strong",
    "em",
    "li",
    "ul",
    "ol",
    "td",
    "tr",
    "th",
    "table",
    "tbody",
    "img",
    "html",
    "body",
    "head",
    "title",
    "center",
    "blockquote",
    "pre",
    "style",
    "meta",
    "h1",
    "h2",
    "h3",
    "h4",
    "small",
    "big",
];

/// Length in chars of an HTML tag or entity starting at `i`, if there is one.
fn markup_len(chars: &[char], i: usize) -> Option<usize> {
    match chars[i] {
        '<' => {
            let mut j = i + 1;
            if chars.get(j) == Some(&'/') {
                j += 1;
            }
            let name_start = j;
            while j < chars.len() && chars[j].is_ascii_alphanumeric() && j - name_start < 12 {
                j += 1;
            }
            let name: String = chars[name_start..j]
                .iter()
                .collect::<String>()
                .to_ascii_lowercase();
            if !HTML_TAGS.contains(&name.as_str()) {
                return None;
            }
            match chars.get(j) {
                Some('>') | Some('/') | Some(' ') | Some('\n') | Some('\t') => {}
                _ => return None,
            }
            let limit = (j + 400).min(chars.len());
            chars[j..limit]
                .iter()
                .position(|&c| c == '>')
                .map(|p| j + p + 1 - i)
        }
        '&' => {
            let limit = (i + 10).min(chars.len());
            let end = chars[i + 1..limit].iter().position(|&c| c == ';')? + i + 1;
            let body = &chars[i + 1..end];
            let named = body.len() >= 2 && body.iter().all(|c| c.is_ascii_alphabetic());
            let numeric = body.len() >= 2
                && body[0] == '#'
                && body[1..].iter().all(|c| c.is_ascii_alphanumeric());
            (named || numeric).then_some(end + 1 - i)
        }
        _ => None,
    }
}

/// Splits text into folded word tokens with char spans.
pub fn tokenize(text: &str) -> Vec<Token> {
    let chars: Vec<char> = text.chars().collect();
    tokenize_chars(&chars)
}

pub fn tokenize_chars(chars: &[char]) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut raw: Vec<char> = Vec::new();
    let mut start = 0;
    let mut last_end = 0;
    let mut boundary = true; // a sentence may start at the next token
    let mut i = 0;
    let flush = |raw: &mut Vec<char>,
                 start: usize,
                 end: usize,
                 boundary: &mut bool,
                 tokens: &mut Vec<Token>| {
        if raw.is_empty() {
            return;
        }
        tokens.push(fold_word(raw, start, end, *boundary));
        *boundary = false;
        raw.clear();
    };
    while i < chars.len() {
        let c = chars[i];
        if is_invisible(c) {
            i += 1;
            continue;
        }
        if c.is_alphanumeric() {
            if raw.is_empty() {
                start = i;
            }
            raw.push(c);
            last_end = i + 1;
            i += 1;
            continue;
        }
        if is_apostrophe(c)
            && !raw.is_empty()
            && chars.get(i + 1).is_some_and(|n| n.is_alphabetic())
        {
            i += 1;
            continue;
        }
        if c == '<' || c == '&' {
            if let Some(len) = markup_len(chars, i) {
                flush(&mut raw, start, last_end, &mut boundary, &mut tokens);
                if c == '<' {
                    boundary = true;
                }
                i += len;
                continue;
            }
        }
        flush(&mut raw, start, last_end, &mut boundary, &mut tokens);
        if matches!(
            c,
            '.' | '!' | '?' | '\n' | '\r' | ':' | ';' | '\u{2029}' | '\u{2028}' | '¿' | '¡'
        ) {
            boundary = true;
        }
        i += 1;
    }
    flush(&mut raw, start, last_end, &mut boundary, &mut tokens);
    tokens
}

fn fold_word(raw: &[char], start: usize, end: usize, sentence_start: bool) -> Token {
    let has_latin = raw.iter().any(|c| c.is_ascii_alphabetic());
    let mut norm = String::with_capacity(raw.len());
    let mut decomposed = String::new();
    for &c in raw {
        let c = if has_latin && !c.is_ascii() {
            latin_lookalike(c).unwrap_or(c)
        } else {
            c
        };
        if c.is_ascii() {
            norm.push(c.to_ascii_lowercase());
            continue;
        }
        decomposed.clear();
        unicode::push_without_marks(c, &mut decomposed);
        for d in decomposed.chars().filter(|d| d.is_alphanumeric()) {
            norm.extend(d.to_lowercase());
        }
    }
    let capitalized = raw.first().is_some_and(|c| c.is_uppercase());
    Token {
        norm,
        start,
        end,
        capitalized,
        sentence_start,
    }
}

/// Folds a name or word for comparison: the same folding as tokens, words joined by
/// one space.
pub fn fold(text: &str) -> String {
    let tokens = tokenize(text);
    let mut out = String::with_capacity(text.len());
    for t in tokens {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&t.norm);
    }
    out
}

/// Words dropped before phrase matching so "just wanted to quickly follow up"
/// matches "wanted to follow up".
const FILLER: &[&str] = &[
    "a", "an", "the", "just", "really", "quickly", "very", "so", "actually", "simply", "kindly",
    "quick", "briefly", "still", "again", "ever", "perhaps", "truly", "totally", "super", "please",
    "pls", "plz",
];

pub fn is_filler(word: &str) -> bool {
    FILLER.contains(&word)
}

/// A light suffix fold applied to both phrases and drafts, so "bumping", "bumped"
/// and "bumps" all match "bump". It only needs to be consistent, not linguistic.
pub fn stem(word: &str) -> &str {
    let n = word.len();
    if !word.is_ascii() || n <= 3 {
        return word;
    }
    if n > 5 && word.ends_with("ing") {
        return &word[..n - 3];
    }
    if n > 4 && word.ends_with("ed") {
        return &word[..n - 2];
    }
    if word.ends_with('s')
        && !word.ends_with("ss")
        && !word.ends_with("us")
        && !word.ends_with("is")
    {
        return &word[..n - 1];
    }
    word
}

/// The key a phrase is matched by: folded, fillers dropped, stemmed, one space
/// between words. Empty when the phrase has no words.
pub fn phrase_key(phrase: &str) -> String {
    let mut out = String::new();
    for t in tokenize(phrase) {
        if is_filler(&t.norm) {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(stem(&t.norm));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_fold_and_keep_spans() {
        let text = "Héllo <b>Wörld</b>&nbsp;don’t ＡＳＡＰ";
        let t = tokenize(text);
        let norms: Vec<&str> = t.iter().map(|t| t.norm.as_str()).collect();
        assert_eq!(norms, ["hello", "world", "dont", "asap"]);
        let chars: Vec<char> = text.chars().collect();
        let w: String = chars[t[1].start..t[1].end].iter().collect();
        assert_eq!(w, "Wörld");
    }

    #[test]
    fn invisible_and_lookalikes() {
        assert_eq!(fold("AS\u{200B}AP"), "asap");
        assert_eq!(fold("Вrian"), "brian"); // Cyrillic Ve
        assert_eq!(fold("Москва"), "москва"); // wholly Cyrillic stays
        assert_eq!(fold("THIS Ill"), "this ill"); // ASCII is never re-mapped
        assert_eq!(fold("\u{202E}Brian\u{202C}"), "brian");
    }

    /// The lookalike table is exactly what the UTS #39 skeleton says for every
    /// character that is not ASCII (ASCII is never re-mapped). After a
    /// unicode-security upgrade, `RAPPORT_BLESS=1 cargo test --lib lookalike` rewrites
    /// src/text/normalize/lookalikes.rs.
    #[test]
    fn lookalike_table_matches_the_confusables_skeleton() {
        let mut expected = String::from(LOOKALIKES_HEADER);
        for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
            if c.is_ascii() {
                continue;
            }
            let mut buf = [0u8; 4];
            let mut skeleton =
                unicode_security::confusable_detection::skeleton(c.encode_utf8(&mut buf));
            if let (Some(l), None) = (skeleton.next(), skeleton.next()) {
                if l.is_ascii_alphabetic() {
                    let l = l.to_ascii_lowercase();
                    expected.push_str(&format!("    ('\\u{{{:x}}}', b'{l}'),\n", u32::from(c)));
                }
            }
        }
        expected.push_str("];\n");
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src/text/normalize/lookalikes.rs"
        );
        if std::env::var_os("RAPPORT_BLESS").is_some() {
            std::fs::write(path, &expected).unwrap();
        }
        assert!(
            include_str!("normalize/lookalikes.rs") == expected,
            "{path} is out of date: RAPPORT_BLESS=1 cargo test --lib lookalike"
        );
        assert_eq!(latin_lookalike('В'), Some('b'));
        assert_eq!(latin_lookalike('𝐀'), Some('a'));
        assert_eq!(latin_lookalike('é'), None);
    }

    const LOOKALIKES_HEADER: &str = "\
//! Generated by `lookalike_table_matches_the_confusables_skeleton` in ../normalize.rs
//! (`RAPPORT_BLESS=1 cargo test --lib lookalike`); do not edit.
//!
//! Every character that is not ASCII and whose UTS #39 confusable skeleton
//! (unicode-security) is one ASCII letter, with that letter lowercased; sorted.

pub const LATIN_LOOKALIKES: &[(char, u8)] = &[
";

    #[test]
    fn phrase_keys() {
        assert_eq!(phrase_key("Just following up!"), "follow up");
        assert_eq!(phrase_key("  —  "), "");
        assert_eq!(stem("asaph"), "asaph");
        assert_eq!(stem("asap"), "asap");
    }

    #[test]
    fn sentence_starts() {
        let t = tokenize("we met. Then Brian\nSaid hi");
        let flags: Vec<bool> = t.iter().map(|t| t.sentence_start).collect();
        assert_eq!(flags, [true, false, true, false, true, false]);
    }
}
