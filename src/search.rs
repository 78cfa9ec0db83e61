//! Contact search: the keys a stored contact is found by, and how matches rank.
//!
//! The popup searches on every keystroke over tens of thousands of contacts, and the
//! service worker that answers may have just woken with nothing in memory. So a search
//! must never read every contact: each record carries its search keys, computed when
//! it is written, under a multi-entry IndexedDB index, and a query is a few key-range
//! lookups (`key starts with prefix`) with a limit.
//!
//! A key range serves prefixes, not arbitrary substrings, so matching is by word
//! prefix: "smi" finds "Anna Smith" but "mith" does not. Ranks, best first:
//! 0. a name (or the preferred name, a nickname) starts with the query;
//! 1. a later word of a name starts with the query ("smith" in "Anna Smith");
//! 2. an address or profile slug, from its start or from any part after `@`, `.`,
//!    `-`, `_` ... ("acme.com", "zq@quartermaine");
//! 3. a word of the company.
//!
//! Names and companies are compared folded (case, diacritics, punctuation: see
//! [`name_key`]); addresses lowercased. Each key starts with its rank's digit so one
//! index serves all four ranks.

use crate::identity::name_key;
use crate::model::{Contact, Identity, Tags};

/// Words (or address parts) of one field that get a key: a name with more words than
/// this is found by its first ones.
const MAX_WORDS: usize = 12;
/// Keys are cut to this many characters; longer queries are checked on the record.
const MAX_KEY_CHARS: usize = 40;

const NAME_START: char = '0';
const NAME_WORD: char = '1';
const IDENTITY_PART: char = '2';
const COMPANY_WORD: char = '3';

/// Where each word of a folded (single-spaced) text starts: the text from that word on.
fn word_starts(folded: &str) -> impl Iterator<Item = &str> {
    std::iter::once(0)
        .chain(folded.match_indices(' ').map(|(i, _)| i + 1))
        .filter(move |&i| i < folded.len())
        .map(move |i| &folded[i..])
        .take(MAX_WORDS)
}

/// An address or slug from its start and from after each run of separators.
fn identity_parts(value: &str) -> impl Iterator<Item = &str> {
    let starts = value.char_indices().filter_map(move |(i, c)| {
        let after_separator = value[..i]
            .chars()
            .next_back()
            .is_none_or(|p| !p.is_alphanumeric());
        (c.is_alphanumeric() && after_separator).then_some(i)
    });
    starts.map(move |i| &value[i..]).take(MAX_WORDS)
}

fn identity_value(identity: &Identity) -> String {
    match identity {
        Identity::Email(e) => e.to_lowercase(),
        Identity::Linkedin(s) => s.to_lowercase(),
    }
}

fn key(rank: char, text: &str) -> String {
    std::iter::once(rank)
        .chain(text.chars().take(MAX_KEY_CHARS))
        .collect()
}

fn push_unique(keys: &mut Vec<String>, k: String) {
    if k.len() > 1 && !keys.contains(&k) {
        keys.push(k);
    }
}

fn push_name_keys(keys: &mut Vec<String>, name: &str) {
    let folded = name_key(name);
    for (i, start) in word_starts(&folded).enumerate() {
        push_unique(
            keys,
            key(if i == 0 { NAME_START } else { NAME_WORD }, start),
        );
    }
}

/// The keys of a stored contact's own fields: names, addresses, company.
pub fn contact_keys(contact: &Contact) -> Vec<String> {
    let mut keys = Vec::new();
    for name in &contact.names {
        push_name_keys(&mut keys, name);
    }
    for identity in &contact.identities {
        let value = identity_value(identity);
        for part in identity_parts(&value) {
            push_unique(&mut keys, key(IDENTITY_PART, part));
        }
    }
    if let Some(company) = &contact.company {
        let folded = name_key(company);
        for start in word_starts(&folded) {
            push_unique(&mut keys, key(COMPANY_WORD, start));
        }
    }
    keys
}

/// The keys of the names the user gave a contact: preferred name and nicknames. They
/// are stored with the tags, apart from the contact.
pub fn tag_keys(tags: &Tags) -> Vec<String> {
    let mut keys = Vec::new();
    for name in tags.preferred_name.iter().chain(&tags.nicknames) {
        push_name_keys(&mut keys, name);
    }
    keys
}

/// A query, folded once.
#[derive(Debug, Clone)]
pub struct SearchQuery {
    /// For names and companies.
    folded: String,
    /// For addresses: lowercased, leading separators dropped ("@acme" finds "acme").
    address: String,
}

impl SearchQuery {
    pub fn new(query: &str) -> SearchQuery {
        let address = query
            .trim()
            .to_lowercase()
            .trim_start_matches(|c: char| !c.is_alphanumeric())
            .to_owned();
        SearchQuery {
            folded: name_key(query),
            address,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.folded.is_empty() && self.address.is_empty()
    }

    /// The key prefixes to look up, best rank first. A stored key starting with one
    /// of them is a candidate; [`SearchQuery::rank`] decides on the record.
    pub fn prefixes(&self) -> Vec<String> {
        let mut out = Vec::new();
        if !self.folded.is_empty() {
            out.push(key(NAME_START, &self.folded));
            out.push(key(NAME_WORD, &self.folded));
        }
        if !self.address.is_empty() {
            out.push(key(IDENTITY_PART, &self.address));
        }
        if !self.folded.is_empty() {
            out.push(key(COMPANY_WORD, &self.folded));
        }
        out
    }

    /// How well a contact (with its tags) matches: 0 best, `None` not at all.
    pub fn rank(&self, contact: &Contact) -> Option<u8> {
        let q = self.folded.as_str();
        let names: Vec<String> = contact
            .names
            .iter()
            .chain(contact.tags.preferred_name.iter())
            .chain(&contact.tags.nicknames)
            .map(|n| name_key(n))
            .collect();
        if !q.is_empty() && names.iter().any(|n| n.starts_with(q)) {
            return Some(0);
        }
        if !q.is_empty()
            && names
                .iter()
                .any(|n| word_starts(n).any(|w| w.starts_with(q)))
        {
            return Some(1);
        }
        let a = self.address.as_str();
        if !a.is_empty()
            && contact.identities.iter().any(|i| {
                let value = identity_value(i);
                let found = identity_parts(&value).any(|p| p.starts_with(a));
                found
            })
        {
            return Some(2);
        }
        let company = contact.company.as_deref().map(name_key).unwrap_or_default();
        if !q.is_empty() && word_starts(&company).any(|w| w.starts_with(q)) {
            return Some(3);
        }
        None
    }

    /// The rank a contact's stored keys give (its record's and its tags'), as
    /// [`SearchQuery::rank`] would, without folding its names again. Exact when the
    /// query fits in a key ([`SearchQuery::fits_keys`]).
    pub fn rank_keys<'a>(&self, keys: impl Iterator<Item = &'a str> + Clone) -> Option<u8> {
        self.prefixes().iter().find_map(|prefix| {
            let rank = prefix.bytes().next()? - b'0';
            keys.clone()
                .any(|k| k.starts_with(prefix.as_str()))
                .then_some(rank)
        })
    }

    /// Keys are cut to [`MAX_KEY_CHARS`]: a longer query is checked on the contact.
    pub fn fits_keys(&self) -> bool {
        self.folded.chars().count() <= MAX_KEY_CHARS
            && self.address.chars().count() <= MAX_KEY_CHARS
    }

    /// Matches among `candidates` (each with its stored keys), best rank first, then
    /// by display name; at most `limit`.
    pub fn rank_all(&self, candidates: Vec<(Contact, Vec<String>)>, limit: usize) -> Vec<Contact> {
        let exact = !self.fits_keys();
        let mut ranked: Vec<(u8, Contact)> = candidates
            .into_iter()
            .filter_map(|(c, keys)| {
                let rank = if exact {
                    self.rank(&c)
                } else {
                    self.rank_keys(keys.iter().map(String::as_str))
                };
                Some((rank?, c))
            })
            .collect();
        ranked.sort_by(|a, b| {
            a.0.cmp(&b.0)
                .then_with(|| a.1.display_name().cmp(b.1.display_name()))
                .then_with(|| a.1.id.cmp(&b.1.id))
        });
        ranked.truncate(limit);
        ranked.into_iter().map(|(_, c)| c).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(names: &[&str], email: &str, company: Option<&str>) -> Contact {
        Contact {
            id: names.first().copied().unwrap_or("x").into(),
            names: names.iter().map(|n| n.to_string()).collect(),
            identities: vec![Identity::Email(email.into())],
            company: company.map(str::to_owned),
            ..Default::default()
        }
    }

    fn stored_keys(contact: &Contact) -> Vec<String> {
        contact_keys(contact)
            .into_iter()
            .chain(tag_keys(&contact.tags))
            .collect()
    }

    /// What a key-range lookup would return: keys starting with any prefix.
    fn found_by_keys(contact: &Contact, query: &str) -> bool {
        let keys = stored_keys(contact);
        SearchQuery::new(query)
            .prefixes()
            .iter()
            .any(|p| keys.iter().any(|k| k.starts_with(p.as_str())))
    }

    #[test]
    fn ranks_name_start_then_later_word_then_address_then_company() {
        let anna = person(&["Anna Smith"], "anna@acme.example", Some("Smithson & Co"));
        let q = |s: &str| SearchQuery::new(s).rank(&anna);
        assert_eq!(q("ann"), Some(0));
        assert_eq!(q("Anna  SMITH"), Some(0));
        assert_eq!(q("smi"), Some(1));
        assert_eq!(q("acme.ex"), Some(2));
        assert_eq!(q("@acme"), Some(2));
        assert_eq!(q("anna@acme"), Some(2));
        assert_eq!(q("smithson"), Some(3));
        assert_eq!(q("co"), Some(3));
        assert_eq!(q("mith"), None, "word prefixes only");
        assert_eq!(q("zed"), None);
        assert_eq!(q("  "), None);
    }

    #[test]
    fn nicknames_and_preferred_names_count_as_names() {
        let mut robert = person(&["Robert Lang"], "rl@harbor.example", None);
        robert.tags.nicknames = vec!["Bobby".into()];
        robert.tags.preferred_name = Some("Rob Lang".into());
        assert_eq!(SearchQuery::new("bob").rank(&robert), Some(0));
        assert!(found_by_keys(&robert, "bob"));
        assert!(found_by_keys(&robert, "lang"));
    }

    #[test]
    fn keys_find_exactly_what_rank_accepts() {
        let mut jose = person(
            &["José García-López", "Pepe"],
            "jose.garcia@correo.example",
            Some("Industrias Ñandú S.A."),
        );
        jose.identities
            .push(Identity::Linkedin("josé-garcía-lópez".into()));
        jose.tags.nicknames = vec!["El Profe".into()];
        for query in [
            "jose",
            "JOSÉ",
            "garcia",
            "lopez",
            "pepe",
            "profe",
            "el p",
            "correo",
            "garcia@",
            "garcía-lóp",
            "nandu",
            "s a",
            "industrias nandu",
            "xyz",
            "arcia",
            "o",
            "a",
        ] {
            let q = SearchQuery::new(query);
            let rank = q.rank(&jose);
            assert_eq!(
                found_by_keys(&jose, query),
                rank.is_some(),
                "{query}: rank {rank:?}"
            );
            let keys = stored_keys(&jose);
            assert_eq!(
                q.rank_keys(keys.iter().map(String::as_str)),
                rank,
                "{query}"
            );
        }
    }

    #[test]
    fn long_fields_get_bounded_keys_and_long_queries_still_match() {
        let long = "Alpha Beta Gamma Delta Epsilon Zeta Eta Theta Iota Kappa Lambda".repeat(3);
        let c = person(&[&long], "a@b.example", Some(&long));
        let keys = contact_keys(&c);
        assert!(keys.iter().all(|k| k.chars().count() <= MAX_KEY_CHARS + 1));
        assert!(keys.len() <= 3 * MAX_WORDS);
        let whole = SearchQuery::new(&long);
        assert_eq!(whole.rank(&c), Some(0));
        assert!(found_by_keys(&c, &long));
        assert!(!whole.fits_keys());
        // A long query that only shares the first 40 characters is no match.
        let other = format!("{} Zzz", &long[..60]);
        assert!(found_by_keys(&c, &other), "the index offers it");
        assert_eq!(
            SearchQuery::new(&other)
                .rank_all(vec![(c.clone(), keys)], 5)
                .len(),
            0,
            "the contact itself decides"
        );
    }

    #[test]
    fn ranking_orders_by_rank_then_display_name_and_limits() {
        let contacts = [
            person(&["Zoe Smith"], "z@x.example", None),
            person(&["Smith Zed"], "s@x.example", None),
            person(&["Adam Smith"], "a@x.example", None),
            person(&["Nobody"], "smith@x.example", None),
            person(&["Other"], "o@x.example", Some("Smith Brothers")),
            person(&["Unrelated"], "u@x.example", None),
        ];
        let names = |limit| -> Vec<String> {
            let candidates = contacts
                .iter()
                .map(|c| (c.clone(), stored_keys(c)))
                .collect();
            SearchQuery::new("smith")
                .rank_all(candidates, limit)
                .iter()
                .map(|c| c.display_name().to_owned())
                .collect()
        };
        assert_eq!(
            names(10),
            ["Smith Zed", "Adam Smith", "Zoe Smith", "Nobody", "Other"]
        );
        assert_eq!(names(2), ["Smith Zed", "Adam Smith"]);
    }
}
