//! The wasm folds text with the browser's normalization (src/text/unicode.rs); the CLI
//! and the native tests fold with unicode-normalization. Here, in Chromium, the two
//! meet on every code point: they may differ only where the browser's Unicode version
//! does not assign the character yet.
#![cfg(target_arch = "wasm32")]

use rapport::text::unicode;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn unassigned_in_browser(c: char) -> bool {
    js_sys::RegExp::new(r"^\p{Cn}$", "u").test(&c.to_string())
}

/// Every code point, in chunks joined by line breaks: neither normalization moves
/// anything across a line break, so a chunk agrees exactly when each of its characters
/// does, and only chunks that differ are compared character by character.
fn disagreements(
    crate_form: impl Fn(&str) -> String,
    browser_form: impl Fn(&str) -> String,
) -> Vec<String> {
    let chars: Vec<char> = (0..=u32::from(char::MAX))
        .filter_map(char::from_u32)
        .filter(|&c| c != '\n')
        .collect();
    let mut differ = Vec::new();
    for chunk in chars.chunks(4096) {
        let joined: String = chunk.iter().flat_map(|&c| [c, '\n']).collect();
        if crate_form(&joined) == browser_form(&joined) {
            continue;
        }
        for &c in chunk {
            let (expected, got) = (crate_form(&c.to_string()), browser_form(&c.to_string()));
            if expected != got && !unassigned_in_browser(c) {
                differ.push(format!(
                    "U+{:04X}: {expected:?} natively, {got:?} in the browser",
                    u32::from(c)
                ));
            }
        }
    }
    differ
}

#[wasm_bindgen_test]
fn nfkd_without_marks_agrees_with_unicode_normalization() {
    let native =
        |text: &str| -> String { text.nfkd().filter(|c| !is_combining_mark(*c)).collect() };
    let differ = disagreements(native, unicode::without_marks);
    assert!(
        differ.is_empty(),
        "{} differ: {:?}",
        differ.len(),
        &differ[..differ.len().min(20)]
    );

    let mut one_by_one = String::new();
    for c in "Ｊosé ﬁancée Ⅻ ḱ".chars() {
        unicode::push_without_marks(c, &mut one_by_one);
    }
    assert_eq!(one_by_one, "Jose fiancee XII k");
    assert_eq!(unicode::without_marks("Ｊosé ﬁancée Ⅻ ḱ"), one_by_one);
}

#[wasm_bindgen_test]
fn nfc_agrees_with_unicode_normalization() {
    let native = |text: &str| -> String { text.nfc().collect() };
    let differ = disagreements(native, unicode::nfc);
    assert!(
        differ.is_empty(),
        "{} differ: {:?}",
        differ.len(),
        &differ[..differ.len().min(20)]
    );
    for composed in ["jose\u{301}", "\u{1100}\u{1161}\u{11A8}", "a\u{323}\u{302}"] {
        assert_eq!(unicode::nfc(composed), native(composed));
    }
}
