//! Reading the greeting line: which names (if any) the writer addresses.

use super::normalize::{tokenize_chars, Token};
use super::structure::Layout;

/// A name in the greeting, folded into words ("Dr. José García-López" →
/// `["jose", "garcia", "lopez"]`, titles dropped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GreetingName {
    pub text: String,
    pub words: Vec<String>,
    pub span: (usize, usize),
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Greeting {
    /// The greeting word(s), e.g. "Hi", "Bonjour".
    pub span: (usize, usize),
    pub names: Vec<GreetingName>,
    /// "Hi all", "Dear team", "Hello everyone", "Dear Sir or Madam".
    pub group: bool,
    /// "Hi ," with the name missing.
    pub empty: bool,
}

/// Greeting openers, folded, longest first where one extends another.
const OPENERS: &[&[&str]] = &[
    &["good", "morning"],
    &["good", "afternoon"],
    &["good", "evening"],
    &["good", "day"],
    &["buenos", "dias"],
    &["buenas", "tardes"],
    &["buenas", "noches"],
    &["guten", "tag"],
    &["guten", "morgen"],
    &["sehr", "geehrte"],
    &["sehr", "geehrter"],
    &["bom", "dia"],
    &["boa", "tarde"],
    &["hi"],
    &["hello"],
    &["hey"],
    &["heya"],
    &["hiya"],
    &["dear"],
    &["greetings"],
    &["morning"],
    &["howdy"],
    &["yo"],
    &["hola"],
    &["estimado"],
    &["estimada"],
    &["querido"],
    &["querida"],
    &["bonjour"],
    &["bonsoir"],
    &["salut"],
    &["cher"],
    &["chere"],
    &["hallo"],
    &["liebe"],
    &["lieber"],
    &["moin"],
    &["servus"],
    &["ciao"],
    &["salve"],
    &["buongiorno"],
    &["gentile"],
    &["caro"],
    &["cara"],
    &["ola"],
    &["oi"],
    &["prezado"],
    &["prezada"],
    &["hej"],
    &["hoi"],
    &["beste"],
];

const TITLES: &[&str] = &[
    "dr",
    "doctor",
    "prof",
    "professor",
    "mr",
    "mrs",
    "ms",
    "miss",
    "mx",
    "sir",
    "madam",
    "madame",
    "mme",
    "mlle",
    "herr",
    "frau",
    "sr",
    "sra",
    "srta",
    "senor",
    "senora",
    "senorita",
    "don",
    "dona",
    "dott",
    "dottssa",
    "ing",
    "rev",
    "fr",
    "hon",
    "m",
    "monsieur",
    "signor",
    "signora",
    "sig",
    "dra",
    "prof.",
    "capt",
    "captain",
    "coach",
];

const GROUP_WORDS: &[&str] = &[
    "all",
    "team",
    "everyone",
    "everybody",
    "folks",
    "guys",
    "there",
    "yall",
    "friends",
    "colleagues",
    "both",
    "gang",
    "people",
    "ladies",
    "gentlemen",
    "todos",
    "todas",
    "tous",
    "alle",
    "tutti",
    "equipe",
    "equipo",
    "team's",
    "crew",
    "hiring",
    "committee",
    "board",
    "members",
    "partners",
    "investors",
    "customer",
    "customers",
    "sir",
    "madam",
    "world",
    "you",
    "teams",
    "y",
    "squad",
    "friend",
    "valued",
    "member",
    "subscriber",
    "colleague",
    "reader",
    "user",
    "client",
    "sirs",
    "owner",
    "webmaster",
    "manager",
    "recruiter",
    "comrades",
    "neighbors",
    "neighbours",
    "fellow",
    "community",
];

/// Lowercase words that may sit inside a name ("María de la Cruz").
const PARTICLES: &[&str] = &[
    "de", "da", "del", "della", "di", "du", "dos", "das", "van", "von", "der", "den", "la", "le",
    "bin", "al", "el", "ter", "ten", "st",
];

const SEPARATORS: &[&str] = &["and", "y", "et", "und", "e", "en", "og", "och"];

/// The greeting of the first content line, if it has one.
pub fn parse(chars: &[char], layout: &Layout) -> Option<Greeting> {
    let &(start, end) = layout.content.first()?;
    // The first non-empty line of the content.
    let mut line_start = start;
    while line_start < end && chars[line_start].is_whitespace() {
        line_start += 1;
    }
    let mut line_end = line_start;
    while line_end < end && chars[line_end] != '\n' {
        line_end += 1;
    }
    let line = &chars[line_start..line_end];
    let tokens: Vec<Token> = tokenize_chars(line)
        .into_iter()
        .map(|mut t| {
            t.start += line_start;
            t.end += line_start;
            t
        })
        .collect();
    if tokens.is_empty() {
        return None;
    }
    let opener = OPENERS
        .iter()
        .find(|o| o.len() <= tokens.len() && o.iter().zip(&tokens).all(|(w, t)| *w == t.norm));
    let (greeting_span, rest) = match opener {
        Some(o) => (
            (tokens[0].start, tokens[o.len() - 1].end),
            &tokens[o.len()..],
        ),
        None => {
            // "Brian," alone on the first line is a greeting too.
            let after = tokens.last().map(|t| t.end).unwrap_or(line_end);
            let tail: String = chars[after..line_end].iter().collect();
            let only_names = tokens.len() <= 3
                && tokens.iter().all(|t| t.capitalized)
                && tail.trim() == ","
                && !matches!(
                    tokens[0].norm.as_str(),
                    "thanks"
                        | "thank"
                        | "best"
                        | "regards"
                        | "cheers"
                        | "sorry"
                        | "yes"
                        | "no"
                        | "ok"
                        | "okay"
                        | "sure"
                        | "great"
                        | "congrats"
                        | "congratulations"
                        | "welcome"
                        | "absolutely"
                        | "agreed"
                        | "perfect"
                        | "also"
                        | "so"
                        | "well"
                        | "update"
                        | "ps"
                        | "note"
                        | "fyi"
                );
            if !only_names {
                return None;
            }
            ((tokens[0].start, tokens[0].start), &tokens[..])
        }
    };
    let mut greeting = Greeting {
        span: greeting_span,
        ..Greeting::default()
    };
    // The name runs to the first comma, colon, dash or sentence end after the opener.
    let name_end = (greeting_span.1..line_end)
        .find(|&i| {
            matches!(
                chars[i],
                ',' | ':' | '!' | '.' | ';' | '—' | '–' | '?' | '(' | '\u{060C}'
            ) && !(chars[i] == '.' && i > 0 && is_title_dot(chars, i))
        })
        .unwrap_or(line_end);
    // "Hi ," (a gap where the name was) but not "Hello," (a complete greeting).
    let gap = &chars[greeting_span.1..name_end.min(line_end)];
    let punct_right_after = !gap.is_empty()
        && gap.iter().all(|c| c.is_whitespace())
        && name_end < line_end
        && chars[name_end] == ',';
    let name_tokens: Vec<&Token> = rest.iter().filter(|t| t.end <= name_end).collect();
    if name_tokens.is_empty() {
        greeting.empty = opener.is_some()
            && punct_right_after
            && !matches!(tokens[0].norm.as_str(), "good" | "morning" | "greetings");
        return Some(greeting);
    }
    let mut current: Vec<&Token> = Vec::new();
    let mut groups: Vec<Vec<&Token>> = Vec::new();
    let mut prev_end = greeting_span.1;
    for t in name_tokens.iter().copied() {
        let gap: String = chars[prev_end..t.start].iter().collect();
        if gap.contains('&')
            || gap.contains('/')
            || SEPARATORS.contains(&t.norm.as_str()) && !t.capitalized
        {
            if !current.is_empty() {
                groups.push(std::mem::take(&mut current));
            }
            prev_end = t.end;
            if SEPARATORS.contains(&t.norm.as_str()) {
                continue;
            }
        }
        prev_end = t.end;
        // Without punctuation, the name stops at the first lowercase word ("Hi Brian hope
        // you are well") unless it is a name particle.
        if !t.capitalized
            && !PARTICLES.contains(&t.norm.as_str())
            && !GROUP_WORDS.contains(&t.norm.as_str())
        {
            if current.is_empty() && groups.is_empty() && name_end == line_end {
                break;
            }
            if name_end == line_end {
                break;
            }
        }
        current.push(t);
    }
    if !current.is_empty() {
        groups.push(current);
    }
    for g in groups {
        let words: Vec<String> = g
            .iter()
            .map(|t| t.norm.clone())
            .filter(|w| !TITLES.contains(&w.as_str()) && !PARTICLES.contains(&w.as_str()))
            .collect();
        if g.iter().any(|t| GROUP_WORDS.contains(&t.norm.as_str()))
            && !g.iter().any(|t| {
                TITLES.contains(&t.norm.as_str())
                    && g.len() > 1
                    && !GROUP_WORDS.contains(&g[g.len() - 1].norm.as_str())
            })
        {
            greeting.group = true;
            continue;
        }
        if words.is_empty() {
            continue;
        }
        let span = (g[0].start, g[g.len() - 1].end);
        let text: String = chars[span.0..span.1].iter().collect();
        greeting.names.push(GreetingName { text, words, span });
    }
    Some(greeting)
}

/// "Dr." or "Mrs." inside a greeting is not the end of the name.
fn is_title_dot(chars: &[char], dot: usize) -> bool {
    let mut s = dot;
    while s > 0 && chars[s - 1].is_alphabetic() {
        s -= 1;
    }
    let word: String = chars[s..dot].iter().collect::<String>().to_lowercase();
    TITLES.contains(&word.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::structure::layout;

    fn greet(text: &str) -> Option<Greeting> {
        let chars: Vec<char> = text.chars().collect();
        parse(&chars, &layout(&chars))
    }

    fn names(text: &str) -> Vec<Vec<String>> {
        greet(text)
            .map(|g| g.names.into_iter().map(|n| n.words).collect())
            .unwrap_or_default()
    }

    #[test]
    fn common_shapes() {
        assert_eq!(names("Hi Brian,\nthanks"), vec![vec!["brian"]]);
        assert_eq!(
            names("Dear Dr. José García-López,\n"),
            vec![vec!["jose", "garcia", "lopez"]]
        );
        assert_eq!(
            names("Hola María José: ¿qué tal?"),
            vec![vec!["maria", "jose"]]
        );
        assert_eq!(names("Hi Anna and Tom,\n"), vec![vec!["anna"], vec!["tom"]]);
        assert_eq!(names("Brian,\n\nquick note"), vec![vec!["brian"]]);
        assert_eq!(names("Hi Brian hope you are well"), vec![vec!["brian"]]);
        assert_eq!(names("Good morning Liz!"), vec![vec!["liz"]]);
        assert!(names("Thanks,\nAnna").is_empty());
    }

    #[test]
    fn groups_and_missing_names() {
        assert!(greet("Hi all,\n").unwrap().group);
        assert!(greet("Dear Sir or Madam,\n").unwrap().group);
        assert!(greet("Hello team!").unwrap().group);
        assert!(greet("Hi ,\nwe met").unwrap().empty);
        assert!(!greet("Hello,\nwe met").unwrap().empty);
        assert!(greet("Hi there,").unwrap().group);
        assert!(greet("I wanted to say").is_none());
    }
}
