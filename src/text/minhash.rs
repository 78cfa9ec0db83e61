//! Near-duplicate signatures: MinHash over word 3-shingles, with names, numbers and
//! dates masked so "Hi Anna, ... 3 October" and "Hi Tom, ... 12 May" compare equal.
//!
//! Hashes are xxh3 with fixed seeds: the same text gives the same signature on every
//! machine and in every version that keeps [`SCHEME`], so signatures and band keys can
//! be persisted (IndexedDB) and compared later. LSH: [`BANDS`] bands of [`ROWS`]
//! hashes; two texts with Jaccard similarity `s` share at least one band with
//! probability `1 - (1 - s^ROWS)^BANDS` (s = 0.5: 65%, 0.6: 88%, 0.8: 99.9%).

use super::normalize::Token;
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::{xxh3_64, xxh3_64_with_seed};

pub const NUM_HASHES: usize = 64;
pub const BANDS: usize = 16;
pub const ROWS: usize = NUM_HASHES / BANDS;
/// Bump when the masking or hashing changes: persisted signatures must be recomputed.
pub const SCHEME: u32 = 1;
/// Texts with fewer words than this get no signature: two short thank-you notes are
/// alike without being a template.
pub const MIN_WORDS: usize = 8;
const SHINGLE: usize = 3;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signature {
    pub hashes: Vec<u32>,
}

const MONTHS_AND_DAYS: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "mon",
    "tue",
    "tues",
    "wed",
    "thu",
    "thurs",
    "fri",
    "sat",
    "sun",
    "today",
    "tomorrow",
    "yesterday",
    "st",
    "nd",
    "rd",
    "th",
    "am",
    "pm",
];

/// The word sequence a signature is computed from, masked.
/// `names`: folded words to mask as names (recipients', the greeting's).
pub fn masked_words<'a>(tokens: impl Iterator<Item = &'a Token>, names: &[String]) -> Vec<&'a str> {
    tokens
        .map(|t| {
            let w = t.norm.as_str();
            if w.chars().any(|c| c.is_numeric()) {
                "#"
            } else if MONTHS_AND_DAYS.contains(&w) {
                "@d"
            } else if names.iter().any(|n| n == w)
                || (t.capitalized && !t.sentence_start && w != "i")
            {
                // Capitalised mid-sentence words are mostly names of people and companies:
                // exactly what a template varies.
                "@n"
            } else {
                w
            }
        })
        .collect()
}

/// MinHash of a masked word sequence; `None` when too short to compare.
pub fn signature_of_words(words: &[&str]) -> Option<Signature> {
    if words.len() < MIN_WORDS {
        return None;
    }
    let mut mins = [u32::MAX; NUM_HASHES];
    let mut buf = String::with_capacity(64);
    for w in words.windows(SHINGLE) {
        buf.clear();
        for (k, part) in w.iter().enumerate() {
            if k > 0 {
                buf.push(' ');
            }
            buf.push_str(part);
        }
        let base = xxh3_64(buf.as_bytes());
        for (i, m) in mins.iter_mut().enumerate() {
            let h = mix(base ^ SEEDS[i]) as u32;
            if h < *m {
                *m = h;
            }
        }
    }
    Some(Signature {
        hashes: mins.to_vec(),
    })
}

/// Signature of a text's tokens (already restricted to the new content).
pub fn signature<'a>(
    tokens: impl Iterator<Item = &'a Token>,
    names: &[String],
) -> Option<Signature> {
    signature_of_words(&masked_words(tokens, names))
}

/// splitmix64's finalizer: one multiply-xorshift round per hash function.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

const SEEDS: [u64; NUM_HASHES] = {
    let mut s = [0u64; NUM_HASHES];
    let mut i = 0;
    let mut x: u64 = 0x5241_5050_4f52_5431; // "RAPPORT1"
    while i < NUM_HASHES {
        x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
        s[i] = x;
        i += 1;
    }
    s
};

/// The LSH band keys of a signature: equal keys in the same band mean "candidate
/// near-duplicate". Stable across machines (xxh3 with the band number as seed).
pub fn band_keys(sig: &Signature) -> Vec<u64> {
    sig.hashes
        .chunks(ROWS)
        .enumerate()
        .map(|(band, rows)| {
            let mut bytes = [0u8; ROWS * 4];
            for (k, h) in rows.iter().enumerate() {
                bytes[k * 4..k * 4 + 4].copy_from_slice(&h.to_le_bytes());
            }
            xxh3_64_with_seed(&bytes, band as u64 + u64::from(SCHEME) * 1000)
        })
        .collect()
}

/// Band keys as 16-digit hex strings: JavaScript numbers cannot hold a u64, so this
/// is the form to persist in IndexedDB.
pub fn band_key_strings(sig: &Signature) -> Vec<String> {
    band_keys(sig)
        .into_iter()
        .map(|k| format!("{k:016x}"))
        .collect()
}

/// Estimated Jaccard similarity: the share of equal hashes.
pub fn similarity(a: &[u32], b: &[u32]) -> f32 {
    let n = a.len().min(b.len());
    if n == 0 {
        return 0.0;
    }
    let same = a.iter().zip(b).filter(|(x, y)| x == y).count();
    same as f32 / n as f32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::normalize::tokenize;

    fn sig(text: &str) -> Signature {
        signature(tokenize(text).iter(), &[]).unwrap()
    }

    #[test]
    fn masked_variants_match_and_different_texts_do_not() {
        let a = sig("Hi Anna, our platform helps teams like yours cut churn by 30% before 3 October. Worth a chat?");
        let b = sig("Hi Tom, our platform helps teams like yours cut churn by 45% before 12 May. Worth a chat?");
        let c = sig("Thanks for dinner last night, the kids loved the pasta and we should do it again soon.");
        assert!(similarity(&a.hashes, &b.hashes) > 0.9);
        assert!(similarity(&a.hashes, &c.hashes) < 0.2);
        let ka = band_keys(&a);
        assert_eq!(ka.len(), BANDS);
        assert!(ka.iter().zip(band_keys(&b)).any(|(x, y)| *x == y));
    }

    #[test]
    fn stable_values() {
        // Persisted signatures depend on these exact numbers: changing them needs a SCHEME bump.
        let s = sig("one two three four five six seven eight nine");
        assert_eq!(band_key_strings(&s).len(), BANDS);
        assert_eq!(s, sig("One two three, four five six seven eight nine!"));
        assert!(signature(tokenize("too short").iter(), &[]).is_none());
    }
}
