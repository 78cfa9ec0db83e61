//! Unfilled template placeholders: `{first_name}`, `{{company}}`, `[Name]`,
//! `[insert ...]`, `<FIRST NAME>`, `%FIRSTNAME%`, `*|FNAME|*`, `INSERT COMPANY NAME HERE`,
//! `XXX` standing in for a name. (The missing name in "Hi ," comes from the greeting.)

/// A placeholder found, with its char span and the text as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placeholder {
    pub span: (usize, usize),
    pub text: String,
}

const FIELD_WORDS: &[&str] = &[
    "name",
    "first name",
    "firstname",
    "first_name",
    "last name",
    "lastname",
    "last_name",
    "full name",
    "company",
    "company name",
    "company_name",
    "organization",
    "organisation",
    "title",
    "job title",
    "position",
    "role",
    "city",
    "industry",
    "recipient",
    "contact",
    "your name",
    "their name",
    "prospect",
    "client",
    "client name",
    "date",
    "product",
    "website",
    "location",
    "school",
    "fname",
    "lname",
    "company_name",
    "team",
    "department",
];

const INSTRUCTION_STARTS: &[&str] = &[
    "insert",
    "add",
    "enter",
    "your ",
    "their ",
    "put ",
    "fill",
    "personali",
    "custom",
    "placeholder",
    "tbd",
    "todo",
];

fn classify_bracketed(inner: &str, open: char) -> bool {
    let t = inner.trim();
    if t.is_empty() || t.chars().count() > 60 || t.contains('\n') {
        return false;
    }
    let lower = t.to_lowercase();
    let lower_words = lower.replace(['_', '-'], " ");
    if FIELD_WORDS.contains(&lower.as_str()) || FIELD_WORDS.contains(&lower_words.as_str()) {
        return true;
    }
    if INSTRUCTION_STARTS.iter().any(|s| lower.starts_with(s)) {
        return true;
    }
    let letters: Vec<char> = t.chars().filter(|c| c.is_alphabetic()).collect();
    let all_caps = letters.len() >= 3
        && letters.iter().all(|c| c.is_uppercase())
        && t.chars()
            .all(|c| c.is_alphabetic() || c == '_' || c == ' ' || c == '.');
    match open {
        // `{first_name}` and `{{company}}`: identifiers in braces are template syntax.
        '{' => {
            t.chars().all(|c| {
                c.is_alphanumeric() || matches!(c, '_' | '.' | ' ' | '!' | '|' | '-' | ':')
            }) && t.chars().any(|c| c.is_alphabetic())
        }
        '<' | '[' => all_caps || lower.contains("name") && t.chars().count() <= 30,
        _ => false,
    }
}

pub fn find(chars: &[char]) -> Vec<Placeholder> {
    let mut out: Vec<Placeholder> = Vec::new();
    let push = |s: usize, e: usize, out: &mut Vec<Placeholder>| {
        if out.last().is_some_and(|p| p.span.1 > s) {
            return;
        }
        out.push(Placeholder {
            span: (s, e),
            text: chars[s..e].iter().collect(),
        });
    };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let close = match c {
            '{' => Some('}'),
            '[' => Some(']'),
            '<' => Some('>'),
            '%' => Some('%'),
            '*' if chars.get(i + 1) == Some(&'|') => Some('|'),
            _ => None,
        };
        if let Some(close) = close {
            let open_len = if (c == '{' && chars.get(i + 1) == Some(&'{')) || c == '*' {
                2
            } else {
                1
            };
            let limit = (i + 64).min(chars.len());
            if let Some(p) = chars[i + open_len..limit]
                .iter()
                .position(|&x| x == close || x == '\n')
            {
                let j = i + open_len + p;
                if chars[j] == close {
                    let inner: String = chars[i + open_len..j].iter().collect();
                    let mut end = j + 1;
                    while end < chars.len()
                        && end < j + 3
                        && (chars[end] == '}' || (c == '*' && chars[end] == '*'))
                    {
                        end += 1;
                    }
                    let ok = match c {
                        '%' => {
                            inner.len() >= 3
                                && inner.chars().all(|x| x.is_ascii_alphabetic() || x == '_')
                                && inner.chars().any(|x| x.is_ascii_uppercase() || x == '_')
                        }
                        '*' => {
                            !inner.is_empty()
                                && inner.chars().all(|x| x.is_ascii_alphanumeric() || x == '_')
                        }
                        '[' if chars.get(j + 1) == Some(&'(') => false, // markdown link
                        _ => classify_bracketed(&inner, c),
                    };
                    if ok {
                        push(i, end, &mut out);
                        i = end;
                        continue;
                    }
                }
            }
        }
        i += 1;
    }
    find_shouted(chars, &mut out);
    out.sort_by_key(|p| p.span);
    out
}

/// "INSERT COMPANY NAME HERE" and "XXX" where a name should be.
fn find_shouted(chars: &[char], out: &mut Vec<Placeholder>) {
    let mut words: Vec<(usize, usize, String)> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_alphabetic() {
            let s = i;
            while i < chars.len() && chars[i].is_alphabetic() {
                i += 1;
            }
            words.push((s, i, chars[s..i].iter().collect()));
        } else {
            i += 1;
        }
    }
    let covered =
        |s: usize, out: &Vec<Placeholder>| out.iter().any(|p| p.span.0 <= s && s < p.span.1);
    for (k, (s, _, w)) in words.iter().enumerate() {
        if w == "INSERT" && !covered(*s, out) {
            if let Some(h) = words[k + 1..].iter().take(6).position(|x| x.2 == "HERE") {
                let e = words[k + 1 + h].1;
                out.push(Placeholder {
                    span: (*s, e),
                    text: chars[*s..e].iter().collect(),
                });
            }
        }
        let is_x = w.len() >= 2 && w.len() <= 4 && w.chars().all(|c| c == 'X');
        if is_x && !covered(*s, out) {
            let prev = k.checked_sub(1).map(|p| words[p].2.to_lowercase());
            let after_greeting = prev.as_deref().is_some_and(|p| {
                matches!(
                    p,
                    "hi" | "hello" | "hey" | "dear" | "mr" | "ms" | "mrs" | "dr"
                )
            });
            if w.len() >= 3 || after_greeting {
                out.push(Placeholder {
                    span: (*s, words[k].1),
                    text: w.clone(),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<String> {
        find(&s.chars().collect::<Vec<_>>())
            .into_iter()
            .map(|p| p.text)
            .collect()
    }

    #[test]
    fn placeholders_found() {
        assert_eq!(
            texts("Hi {first_name}, {{company}} rocks"),
            ["{first_name}", "{{company}}"]
        );
        assert_eq!(
            texts("companies like yours are struggling with [insert what you want]"),
            ["[insert what you want]"]
        );
        assert_eq!(
            texts("Dear <FIRST NAME>, at %COMPANY% we"),
            ["<FIRST NAME>", "%COMPANY%"]
        );
        assert_eq!(texts("Hi *|FNAME|*"), ["*|FNAME|*"]);
        assert_eq!(
            texts("We love INSERT COMPANY NAME HERE."),
            ["INSERT COMPANY NAME HERE"]
        );
        assert_eq!(texts("Hi XXX, how are"), ["XXX"]);
        assert_eq!(texts("Dear [Name],"), ["[Name]"]);
    }

    #[test]
    fn ordinary_text_is_clean() {
        assert!(
            texts("see [1] and [the docs](http://x) <b>bold</b> 50% off 20% more {} [sic]")
                .is_empty()
        );
        assert!(texts("Excel XL and <br> and [ok]").is_empty());
    }
}
