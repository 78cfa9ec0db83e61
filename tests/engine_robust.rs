//! Bad input never panics, and huge drafts are capped (the verdict says so).

use rapport::engine::{analyze, slice_keys, Index};
use rapport::model::{Channel, Draft, Identity, Recipient};
use rapport::settings::Settings;

fn draft(text: String) -> Draft {
    Draft {
        text,
        quoted: None,
        subject: None,
        channel: Channel::Email,
        recipients: vec![Recipient {
            name: Some("Вrian Мiller".into()),
            identity: Some(Identity::Email("b@x.io".into())),
        }],
        operator: Some("\u{202E}Anna".into()),
        time: i64::MIN,
        conversation: None,
    }
}

#[test]
fn five_megabytes_is_capped() {
    let chunk = "Hi {first_name}, my name is Bob and I'm reaching out ASAP! <b>click</b> &nbsp; ";
    let text = chunk.repeat(5 * 1024 * 1024 / chunk.len());
    let settings = Settings::default();
    let v = analyze(&Index::new(), &draft(text.clone()), &settings);
    assert!(v.truncated);
    let cap = settings.max_draft_chars;
    assert!(v
        .warnings
        .iter()
        .all(|w| w.spans.iter().all(|s| s.1 <= cap)));
    assert!(v.warnings.iter().any(|w| w.rule == "merge-field"));
    let _ = slice_keys(&draft(text), &settings);
}

#[test]
fn odd_text_never_panics() {
    let samples = [
        String::new(),
        "\u{FFFD}\u{FFFD}\0\u{1}".into(),
        "\u{200B}\u{200D}\u{2066}שלום\u{2069} Hi ,".into(),
        "Hi Вrian,\n\n> \n>>\n-- \n".into(),
        "{".repeat(10_000),
        "[insert".into(),
        "<".repeat(5000) + "br>",
        "&#".repeat(3000),
        "On Tue wrote:".into(),
        "\r\n\r\n\r".into(),
        "x".repeat(100_000),
        "👋🏽".repeat(2000),
        "e\u{301}".repeat(5000),
    ];
    let settings = Settings::default();
    for s in samples {
        let v = analyze(&Index::new(), &draft(s.clone()), &settings);
        let n = s.chars().count();
        assert!(v
            .warnings
            .iter()
            .all(|w| w.spans.iter().all(|sp| sp.0 <= sp.1 && sp.1 <= n)));
    }
}

/// Seeded random text from a palette of troublesome characters: the analysis must
/// stay total and keep spans inside the text.
#[test]
fn random_text_never_panics() {
    const PALETTE: &[&str] = &[
        "Hi",
        " ",
        ",",
        "\n",
        "\r\n",
        ">",
        "--",
        "{",
        "}",
        "[",
        "]",
        "<",
        ">",
        "%",
        "*|",
        "|*",
        "&nbsp;",
        "<br>",
        "é",
        "\u{301}",
        "\u{200B}",
        "\u{202E}",
        "\u{2066}",
        "ש",
        "ال",
        "В",
        "ο",
        "👋🏽",
        "\u{FFFD}",
        "ß",
        "İ",
        "ASAP",
        "my name is",
        "Best,",
        "On Tue, X wrote:",
        "XXX",
        "INSERT",
        "HERE",
        "Dr.",
        "-",
        "'",
        "’",
        "just following up",
        "free T-shirt",
        "pick your brain",
        "Anna Lee",
        "Dana",
        "\t",
        ".",
        "?",
    ];
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let settings = Settings::default();
    let index = Index::new();
    for _ in 0..300 {
        let mut text = String::new();
        for _ in 0..(state % 200) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            text.push_str(PALETTE[(state % PALETTE.len() as u64) as usize]);
        }
        let n = text.chars().count();
        let v = analyze(&index, &draft(text), &settings);
        for w in &v.warnings {
            assert!(w.spans.iter().all(|s| s.0 <= s.1 && s.1 <= n), "{w:?}");
            assert!(!w.message.is_empty());
        }
    }
}
