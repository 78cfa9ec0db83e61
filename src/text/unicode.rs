//! The two Unicode normalizations that folding needs: NFKD with combining marks
//! removed (é → e, ﬁ → fi, fullwidth → ASCII) and NFC (LinkedIn slugs).
//!
//! Natively they come from unicode-normalization. In the wasm they come from the
//! browser (`String.prototype.normalize` and the `\p{M}` class of its regular
//! expressions), so that the extension's two wasm modules do not each carry that
//! crate's 128 KB of tables (about 65 KB gzipped, measured by zeroing them, in each
//! module; see BENCHMARKS.md section 6). Both implement the same standard, and
//! Unicode's normalization stability policy keeps the decomposition of an assigned
//! character fixed, so the two agree on every character both Unicode versions know:
//! tests/web_unicode.rs checks every code point in Chromium against the crate.

/// `text` in NFKD without its combining marks (General_Category M).
pub fn without_marks(text: &str) -> String {
    if text.is_ascii() {
        return text.to_owned();
    }
    platform::without_marks(text)
}

/// Appends `c` in NFKD without combining marks to `out`: what `without_marks` does to
/// a text, one character at a time (canonical reordering only moves marks).
pub fn push_without_marks(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c);
    } else {
        platform::push_char_without_marks(c, out);
    }
}

/// `text` in NFC.
pub fn nfc(text: &str) -> String {
    if text.is_ascii() {
        return text.to_owned();
    }
    platform::nfc(text)
}

#[cfg(not(target_arch = "wasm32"))]
mod platform {
    use unicode_normalization::char::is_combining_mark;
    use unicode_normalization::UnicodeNormalization;

    pub fn without_marks(text: &str) -> String {
        text.nfkd().filter(|c| !is_combining_mark(*c)).collect()
    }

    pub fn push_char_without_marks(c: char, out: &mut String) {
        out.extend(c.nfkd().filter(|d| !is_combining_mark(*d)));
    }

    pub fn nfc(text: &str) -> String {
        text.nfc().collect()
    }
}

#[cfg(target_arch = "wasm32")]
mod platform {
    use js_sys::{JsString, RegExp};
    use std::cell::RefCell;
    use std::collections::HashMap;

    thread_local! {
        static MARKS: RegExp = RegExp::new(r"\p{M}", "gu");
        /// Per character: a call into JavaScript costs far more than a lookup, and a
        /// text repeats few distinct non-ASCII characters.
        static CHARS: RefCell<HashMap<char, Box<str>>> = RefCell::default();
    }

    /// Character by character, which is the same (see `marks_alone_are_reordered`)
    /// and lets every character's form come from the cache.
    pub fn without_marks(text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        for c in text.chars() {
            super::push_without_marks(c, &mut out);
        }
        out
    }

    pub fn push_char_without_marks(c: char, out: &mut String) {
        CHARS.with(|chars| {
            let mut chars = chars.borrow_mut();
            let folded = chars.entry(c).or_insert_with(|| {
                let decomposed =
                    JsString::from(c.encode_utf8(&mut [0; 4]) as &str).normalize("NFKD");
                String::from(MARKS.with(|marks| decomposed.replace_by_pattern(marks, ""))).into()
            });
            out.push_str(folded);
        });
    }

    pub fn nfc(text: &str) -> String {
        JsString::from(text).normalize("NFC").into()
    }
}

#[cfg(test)]
mod tests {
    use unicode_normalization::char::{canonical_combining_class, is_combining_mark};

    /// NFKD of a text is its characters' decompositions, canonically reordered; the
    /// reordering moves only characters of a nonzero combining class. They are all
    /// combining marks, which folding drops, so a text folds as its characters do.
    #[test]
    fn marks_alone_are_reordered() {
        let moved_non_marks: Vec<char> = (0..=u32::from(char::MAX))
            .filter_map(char::from_u32)
            .filter(|&c| canonical_combining_class(c) != 0 && !is_combining_mark(c))
            .collect();
        assert_eq!(moved_non_marks, []);
        let mut one_by_one = String::new();
        for c in "Ｊosé ﬁancée Ⅻ ḱ a\u{323}\u{302}".chars() {
            super::push_without_marks(c, &mut one_by_one);
        }
        assert_eq!(one_by_one, "Jose fiancee XII k a");
        assert_eq!(
            super::without_marks("Ｊosé ﬁancée Ⅻ ḱ a\u{323}\u{302}"),
            one_by_one
        );
    }
}
