//! History, indexed so one draft costs a few hash lookups, not a scan.
//!
//! People are joined only by identity: a contact's own identities, or a LinkedIn
//! profile URL in the signature of an email they sent (their own words linking the
//! two). Equal names are kept apart and only offered as suggestions.

use crate::identity::name_key;
use crate::import::ContactHistory;
use crate::model::{Channel, Contact, Direction, Draft, Identity, Message, Millis, Party};
use crate::text::minhash::{self, Signature, BANDS, NUM_HASHES};
use crate::text::normalize::{tokenize_chars, Token};
use crate::text::phrases::{Cue, Lexicon};
use crate::text::{greeting, names, structure};
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// Band keys and id hashes are already xxh3 outputs: hashing them again is waste.
#[derive(Default)]
pub(crate) struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
    fn write_u32(&mut self, n: u32) {
        // hashbrown reads the top bits too: spread a 32-bit key over all 64.
        self.0 = u64::from(n).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

/// LSH buckets keyed by the low 32 bits of a band key: half the memory of u64 keys;
/// a rare collision only adds a candidate that the similarity check then drops.
type BucketMap = HashMap<u32, u32, BuildHasherDefault<PassThrough>>;

const NONE: u32 = u32::MAX;
/// Their latest reply is kept (this many chars of its new text) to judge declines and
/// invitations with the user's current phrase lists.
const KEPT_REPLY_CHARS: usize = 1_000;
const MAX_LEARNED_NAMES: usize = 8;

/// A person as the index knows them: a contact the user has, or one implied by
/// message headers (`implicit`).
#[derive(Debug)]
pub(crate) struct Person {
    /// Boxed: most of a person's size, and the persons vector grows by doubling.
    pub contact: Box<Contact>,
    pub implicit: bool,
    alias_of: u32,
    /// Message indexes, oldest first.
    pub thread: Vec<u32>,
    /// How they sign and what the owner called them.
    pub learned_names: Vec<Box<str>>,
    pub last_reply: Option<(Millis, Box<str>)>,
    /// When an earlier sent message promised "not trying to sell".
    pub promised_not_selling: Option<Millis>,
    /// Counts and dates from a shared relationship book, standing for messages the
    /// index does not hold (see [`Index::add_history`]).
    pub book: Option<Box<ContactHistory>>,
}

#[derive(Debug)]
pub(crate) struct MessageMeta {
    pub id: Box<str>,
    pub time: Millis,
    pub channel: Channel,
    pub direction: Direction,
    /// The other side: recipients of a sent message, the sender of a received one.
    pub parties: Box<[u32]>,
}

/// History, built incrementally. See the [module docs](crate::engine) for what the
/// service worker must load into a fresh one.
#[derive(Default)]
pub struct Index {
    pub(crate) persons: Vec<Person>,
    by_identity: HashMap<Identity, u32>,
    by_contact_id: HashMap<String, u32>,
    by_name: HashMap<String, Vec<u32>>,
    pub(crate) messages: Vec<MessageMeta>,
    seen_ids: HashSet<u64, BuildHasherDefault<PassThrough>>,
    /// Compact signatures of sent messages (low 16 bits of each hash: collisions add
    /// about 1/65536 to a similarity estimate).
    signatures: Vec<[u16; NUM_HASHES]>,
    sig_message: Vec<u32>,
    /// LSH: (band key) → newest signature in that bucket; `lsh_next` chains older ones.
    lsh: BucketMap,
    lsh_next: Vec<[u32; BANDS]>,
}

impl std::fmt::Debug for Index {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Index")
            .field("persons", &self.persons.len())
            .field("messages", &self.messages.len())
            .field("signatures", &self.signatures.len())
            .finish()
    }
}

/// The text a message says now: its content without quotes and signature.
fn content_tokens(chars: &[char]) -> (Vec<Token>, structure::Layout) {
    let layout = structure::layout(chars);
    let tokens = tokenize_chars(chars)
        .into_iter()
        .filter(|t| layout.in_content(t.start))
        .collect();
    (tokens, layout)
}

/// What a reply says itself (its content without quoted history and signature), as
/// kept for the rules that read their last reply.
pub(crate) fn reply_own_text(chars: &[char], layout: &structure::Layout) -> String {
    layout
        .content
        .iter()
        .map(|&(s, e)| chars[s..e].iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
        .chars()
        .take(KEPT_REPLY_CHARS)
        .collect()
}

/// Name words masked in near-duplicate signatures: the parties' and the greeting's.
fn mask_words<'a>(
    names: impl Iterator<Item = &'a str>,
    greeting: Option<&greeting::Greeting>,
) -> Vec<String> {
    let mut words: Vec<String> = names.flat_map(names::name_words).collect();
    if let Some(g) = greeting {
        words.extend(g.names.iter().flat_map(|n| n.words.iter().cloned()));
    }
    words
}

/// Near-duplicate signature of a message as the index computes it. The store persists
/// `band_keys` of this for every sent message.
pub fn message_signature(message: &Message) -> Option<Signature> {
    let chars: Vec<char> = message
        .text
        .chars()
        .take(crate::settings::DEFAULT_MAX_DRAFT_CHARS)
        .collect();
    let (tokens, layout) = content_tokens(&chars);
    let g = greeting::parse(&chars, &layout);
    sent_signature(message, &tokens, g.as_ref())
}

/// The signature of a sent message's tokens, its parties' names and greeting masked:
/// one definition for [`message_signature`] and [`MessageFacts::of`], so the band keys
/// persisted with a message and those the CLI computes always agree.
fn sent_signature(
    message: &Message,
    tokens: &[Token],
    greeting: Option<&greeting::Greeting>,
) -> Option<Signature> {
    let names = message
        .to
        .iter()
        .chain(std::iter::once(&message.from))
        .filter_map(|p| p.name.as_deref());
    minhash::signature(tokens.iter(), &mask_words(names, greeting))
}

/// Near-duplicate signature of a draft (recipients' names masked).
pub fn draft_signature(draft: &Draft, max_chars: usize) -> Option<Signature> {
    let chars: Vec<char> = draft.text.chars().take(max_chars).collect();
    let (tokens, layout) = content_tokens(&chars);
    let g = greeting::parse(&chars, &layout);
    let names = draft.recipients.iter().filter_map(|r| r.name.as_deref());
    minhash::signature(tokens.iter(), &mask_words(names, g.as_ref()))
}

/// Bump when anything [`MessageFacts::of`] derives changes (tokenizing, layout,
/// greetings, the built-in not-selling phrases, [`minhash::SCHEME`]): persisted facts
/// of another version are recomputed from the message's text.
pub const FACTS_VERSION: u32 = 1;

/// What the index reads from a message's text, derived once. The store persists them
/// with each message, so a woken service worker indexes a thread with
/// [`Index::add_message_with_facts`] instead of re-reading every text.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct MessageFacts {
    /// [`FACTS_VERSION`] when they were derived.
    pub version: u32,
    /// Sent: the near-duplicate signature's hashes (none for short texts).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature: Option<Vec<u32>>,
    /// Sent: the names the greeting addresses.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub greeting_names: Vec<String>,
    /// Sent: promises "not trying to sell" (built-in phrases).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub not_selling: bool,
    /// Received: the name they signed with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signer: Option<String>,
    /// Received: what the reply says itself (no quotes, no signature), shortened.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub reply: String,
    /// Received email: LinkedIn profiles in the sender's own text and signature.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub profiles: Vec<String>,
}

impl MessageFacts {
    /// Reads them from the message's text.
    pub fn of(message: &Message) -> MessageFacts {
        let chars: Vec<char> = message
            .text
            .chars()
            .take(crate::settings::DEFAULT_MAX_DRAFT_CHARS)
            .collect();
        let (tokens, layout) = content_tokens(&chars);
        let g = greeting::parse(&chars, &layout);
        let mut facts = MessageFacts {
            version: FACTS_VERSION,
            ..MessageFacts::default()
        };
        match message.direction {
            Direction::Sent => {
                facts.signature = sent_signature(message, &tokens, g.as_ref()).map(|s| s.hashes);
                facts.greeting_names = g
                    .map(|g| g.names.into_iter().map(|n| n.text).collect())
                    .unwrap_or_default();
                facts.not_selling = Lexicon::shared_builtin()
                    .scan(&tokens, |_| true)
                    .iter()
                    .any(|h| h.cue == Cue::NotSelling);
            }
            Direction::Received => {
                facts.reply = reply_own_text(&chars, &layout);
                facts.signer = layout.signer.clone();
                if matches!(message.from.identity, Some(Identity::Email(_)))
                    && message.text.contains("inkedin.com/in/")
                {
                    facts.profiles = profile_urls(&chars, &layout);
                }
            }
        }
        facts
    }

    /// Derived by this version of the engine (else recompute them).
    pub fn is_current(&self) -> bool {
        self.version == FACTS_VERSION
    }

    /// The band keys to persist for the near-duplicate lookup (sent messages only).
    pub fn band_keys(&self) -> Vec<String> {
        self.signature
            .as_ref()
            .filter(|h| h.len() == NUM_HASHES)
            .map(|hashes| {
                minhash::band_key_strings(&Signature {
                    hashes: hashes.clone(),
                })
            })
            .unwrap_or_default()
    }
}

fn id_hash(id: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(id.as_bytes())
}

impl Index {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn contact_count(&self) -> usize {
        self.persons.iter().filter(|p| p.alias_of == NONE).count()
    }

    pub fn message_count(&self) -> usize {
        self.messages.len()
    }

    pub(crate) fn resolve(&self, mut p: u32) -> u32 {
        while let Some(person) = self.persons.get(p as usize) {
            if person.alias_of == NONE {
                break;
            }
            p = person.alias_of;
        }
        p
    }

    /// Adds a relationship book's counts and dates for one contact, by contact id (the
    /// contact itself may be added before or after). A delegate's index learns from it
    /// how deep the owner's relationship is without holding the owner's mail.
    ///
    /// The book and any stored messages with the same person describe the same
    /// conversation (the book was counted from the owner's messages; stored ones are
    /// usually copies of some of them), so the rules take, per direction and per
    /// channel, the larger of the two figures and never their sum; dates take the
    /// earliest first and the latest last. Two books for one contact combine the same
    /// way, so importing a book twice changes nothing.
    pub fn add_history(&mut self, history: ContactHistory) {
        if history.contact.is_empty() {
            return;
        }
        let p = match self.by_contact_id.get(&history.contact) {
            Some(&p) => self.resolve(p),
            None => {
                // A placeholder the contact takes over when it arrives.
                let contact = Contact {
                    id: history.contact.clone(),
                    ..Contact::default()
                };
                let p = self.new_person(contact, true);
                self.by_contact_id.insert(history.contact.clone(), p);
                p
            }
        };
        merge_book(&mut self.persons[p as usize].book, history);
    }

    /// The person with this identity, if any.
    pub(crate) fn find_identity(&self, identity: &Identity) -> Option<u32> {
        self.by_identity.get(identity).map(|&p| self.resolve(p))
    }

    /// The contact (or implied contact) with this identity.
    pub fn contact_for(&self, identity: &Identity) -> Option<&Contact> {
        self.find_identity(identity)
            .map(|p| &*self.persons[p as usize].contact)
    }

    /// People whose known names fold to the same key as `name`: suggestions only.
    pub(crate) fn find_name(&self, name: &str) -> Vec<u32> {
        let mut found: Vec<u32> = self
            .by_name
            .get(&name_key(name))
            .map(|v| v.iter().map(|&p| self.resolve(p)).collect())
            .unwrap_or_default();
        found.sort_unstable();
        found.dedup();
        found
    }

    fn new_person(&mut self, contact: Contact, implicit: bool) -> u32 {
        let slot = self.persons.len() as u32;
        self.persons.push(Person {
            contact: Box::new(contact),
            implicit,
            alias_of: NONE,
            thread: Vec::new(),
            learned_names: Vec::new(),
            last_reply: None,
            promised_not_selling: None,
            book: None,
        });
        slot
    }

    fn index_names(&mut self, p: u32) {
        let keys: Vec<String> = self.persons[p as usize]
            .contact
            .names
            .iter()
            .map(|n| name_key(n))
            .filter(|k| !k.is_empty())
            .collect();
        for key in keys {
            let list = self.by_name.entry(key).or_default();
            if !list.contains(&p) {
                list.push(p);
            }
        }
    }

    /// Adds or updates a contact. Identities already seen in messages attach to it;
    /// if its identities were known as several implied people, they become one.
    pub fn add_contact(&mut self, contact: Contact) {
        let existing_by_id = if contact.id.is_empty() {
            None
        } else {
            self.by_contact_id
                .get(&contact.id)
                .map(|&p| self.resolve(p))
        };
        let mut found: Vec<u32> = contact
            .identities
            .iter()
            .filter_map(|i| self.find_identity(i))
            .collect();
        if let Some(p) = existing_by_id {
            found.insert(0, p);
        }
        found.dedup();
        // Never swallow another real contact: only implied people merge in.
        let target = found.first().copied();
        let merge: Vec<u32> = found
            .iter()
            .skip(1)
            .copied()
            .filter(|&q| self.persons[q as usize].implicit && Some(q) != target)
            .collect();
        let p = match target {
            Some(p) if self.persons[p as usize].implicit || existing_by_id == Some(p) => {
                let person = &mut self.persons[p as usize];
                let mut names = contact.names.clone();
                for n in person.contact.names.drain(..) {
                    if !names.contains(&n) {
                        names.push(n);
                    }
                }
                *person.contact = Contact {
                    names,
                    ..contact.clone()
                };
                person.implicit = false;
                p
            }
            _ => self.new_person(contact.clone(), false),
        };
        for q in merge {
            self.absorb(p, q);
        }
        if !contact.id.is_empty() {
            self.by_contact_id.insert(contact.id.clone(), p);
        }
        for identity in &contact.identities {
            self.by_identity.insert(identity.clone(), p);
        }
        self.index_names(p);
    }

    /// Folds person `q` into `p`: messages, learned names, latest reply, names.
    fn absorb(&mut self, p: u32, q: u32) {
        if p == q {
            return;
        }
        let moved = std::mem::take(&mut self.persons[q as usize].thread);
        let learned = std::mem::take(&mut self.persons[q as usize].learned_names);
        let reply = self.persons[q as usize].last_reply.take();
        let promised = self.persons[q as usize].promised_not_selling;
        let book = self.persons[q as usize].book.take();
        let old_names = std::mem::take(&mut self.persons[q as usize].contact.names);
        let old_identities = std::mem::take(&mut self.persons[q as usize].contact.identities);
        self.persons[q as usize].alias_of = p;
        let target = &mut self.persons[p as usize];
        target.thread.extend(moved);
        target
            .thread
            .sort_by_key(|&m| (self.messages[m as usize].time, m));
        target.thread.dedup();
        for n in learned {
            if !target.learned_names.contains(&n) && target.learned_names.len() < MAX_LEARNED_NAMES
            {
                target.learned_names.push(n);
            }
        }
        if reply.as_ref().map(|r| r.0) > target.last_reply.as_ref().map(|r| r.0) {
            target.last_reply = reply;
        }
        target.promised_not_selling = target.promised_not_selling.or(promised);
        if let Some(book) = book {
            merge_book(&mut target.book, *book);
        }
        for n in old_names {
            if !target.contact.names.contains(&n) {
                target.contact.names.push(n);
            }
        }
        for identity in old_identities {
            if !target.contact.identities.contains(&identity) {
                target.contact.identities.push(identity.clone());
            }
            self.by_identity.insert(identity, p);
        }
        self.index_names(p);
    }

    /// Records that `identity` belongs to person `p` (evidence: their own signature
    /// carries it). Implied people join; two contacts the user has are never merged.
    fn link_identity(&mut self, p: u32, identity: Identity) {
        let p = self.resolve(p);
        match self.find_identity(&identity) {
            None => {
                self.persons[p as usize]
                    .contact
                    .identities
                    .push(identity.clone());
                self.by_identity.insert(identity, p);
            }
            Some(q) if q == p => {}
            Some(q) => match (
                self.persons[p as usize].implicit,
                self.persons[q as usize].implicit,
            ) {
                (_, true) => self.absorb(p, q),
                (true, false) => self.absorb(q, p),
                (false, false) => {}
            },
        }
    }

    /// The person a message party refers to, creating an implied one for a new
    /// identity or a name-only party.
    fn party_person(&mut self, party: &Party) -> Option<u32> {
        let p = match &party.identity {
            Some(identity) => match self.find_identity(identity) {
                Some(p) => p,
                None => {
                    let contact = Contact {
                        id: format!("auto:{}", identity.key()),
                        identities: vec![identity.clone()],
                        ..Contact::default()
                    };
                    let p = self.new_person(contact, true);
                    self.by_identity.insert(identity.clone(), p);
                    p
                }
            },
            None => {
                let key = name_key(party.name.as_deref()?);
                if key.is_empty() {
                    return None;
                }
                let id = format!("name:{key}");
                match self.by_contact_id.get(&id) {
                    Some(&p) => self.resolve(p),
                    None => {
                        let p = self.new_person(
                            Contact {
                                id: id.clone(),
                                ..Contact::default()
                            },
                            true,
                        );
                        self.by_contact_id.insert(id, p);
                        p
                    }
                }
            }
        };
        if let Some(name) = party
            .name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty() && !n.contains('@'))
        {
            let person = &mut self.persons[p as usize];
            if !person.contact.names.iter().any(|n| n == name)
                && person.contact.names.len() < MAX_LEARNED_NAMES
            {
                person.contact.names.push(name.to_string());
                let key = name_key(name);
                if !key.is_empty() {
                    let list = self.by_name.entry(key).or_default();
                    if !list.contains(&p) {
                        list.push(p);
                    }
                }
            }
        }
        Some(p)
    }

    /// Adds a message; a message id seen before is ignored.
    pub fn add_message(&mut self, message: Message) {
        if self.seen_ids.contains(&id_hash(&message.id)) {
            return;
        }
        let facts = MessageFacts::of(&message);
        self.add_message_with_facts(&message, &facts);
    }

    /// Adds a message whose text was read before ([`MessageFacts::of`], persisted by
    /// the store): the same result as [`Self::add_message`] without touching the text,
    /// which this ignores. A message id seen before is ignored.
    pub fn add_message_with_facts(&mut self, message: &Message, facts: &MessageFacts) {
        if !self.seen_ids.insert(id_hash(&message.id)) {
            return;
        }
        let counterparts: Vec<&Party> = match message.direction {
            Direction::Sent => message.to.iter().collect(),
            Direction::Received => vec![&message.from],
        };
        let mut parties: Vec<u32> = counterparts
            .iter()
            .filter_map(|p| self.party_person(p))
            .collect();
        parties.sort_unstable();
        parties.dedup();

        let m = self.messages.len() as u32;
        if message.direction == Direction::Sent {
            if let Some(hashes) = facts.signature.as_ref().filter(|h| h.len() == NUM_HASHES) {
                self.insert_signature(
                    &Signature {
                        hashes: hashes.clone(),
                    },
                    m,
                );
            }
        }
        self.messages.push(MessageMeta {
            id: message.id.as_str().into(),
            time: message.time,
            channel: message.channel,
            direction: message.direction,
            parties: parties.clone().into_boxed_slice(),
        });

        for &p in &parties {
            let time = message.time;
            let person = &mut self.persons[p as usize];
            let at = person
                .thread
                .partition_point(|&x| self.messages[x as usize].time <= time);
            person.thread.insert(at, m);
            match message.direction {
                Direction::Received => {
                    if let Some(signer) = facts.signer.as_deref() {
                        learn(&mut person.learned_names, signer);
                    }
                    if person.last_reply.as_ref().is_none_or(|r| r.0 <= time) {
                        person.last_reply = Some((time, facts.reply.clone().into_boxed_str()));
                    }
                }
                Direction::Sent => {
                    if parties.len() == 1 {
                        for n in &facts.greeting_names {
                            learn(&mut person.learned_names, n);
                        }
                    }
                    if facts.not_selling {
                        person.promised_not_selling =
                            Some(person.promised_not_selling.map_or(time, |t| t.min(time)));
                    }
                }
            }
        }
        if message.direction == Direction::Received
            && matches!(message.from.identity, Some(Identity::Email(_)))
        {
            if let Some(&sender) = parties.first() {
                for slug in &facts.profiles {
                    self.link_identity(sender, Identity::Linkedin(slug.clone()));
                }
            }
        }
    }

    fn insert_signature(&mut self, s: &Signature, message: u32) {
        let slot = self.signatures.len() as u32;
        let mut compact = [0u16; NUM_HASHES];
        for (c, h) in compact.iter_mut().zip(&s.hashes) {
            *c = *h as u16;
        }
        self.signatures.push(compact);
        self.sig_message.push(message);
        let mut next = [NONE; BANDS];
        for (band, key) in minhash::band_keys(s).into_iter().enumerate() {
            if let Some(head) = self.lsh.insert(key as u32, slot) {
                next[band] = head;
            }
        }
        self.lsh_next.push(next);
    }

    /// Sent messages sharing at least one LSH band with `sig`, with their estimated
    /// similarity, at most `cap` of them (newest first within each bucket).
    pub(crate) fn near_duplicates(&self, sig: &Signature, cap: usize) -> Vec<(u32, f32)> {
        let mut compact = [0u16; NUM_HASHES];
        for (c, h) in compact.iter_mut().zip(&sig.hashes) {
            *c = *h as u16;
        }
        let mut seen: HashSet<u32, BuildHasherDefault<PassThrough>> = HashSet::default();
        let mut out = Vec::new();
        for (band, key) in minhash::band_keys(sig).into_iter().enumerate() {
            let mut slot = self.lsh.get(&(key as u32)).copied().unwrap_or(NONE);
            while slot != NONE && seen.len() < cap {
                if seen.insert(slot) {
                    let theirs = &self.signatures[slot as usize];
                    let same = theirs.iter().zip(&compact).filter(|(a, b)| a == b).count();
                    out.push((
                        self.sig_message[slot as usize],
                        same as f32 / NUM_HASHES as f32,
                    ));
                }
                slot = self.lsh_next[slot as usize][band];
            }
        }
        out
    }

    /// Bytes held by the index's own tables (heap capacity, approximate for hash
    /// maps). The benchmark also measures with a counting allocator.
    pub fn memory_estimate(&self) -> usize {
        self.memory_breakdown().iter().map(|(_, b)| b).sum()
    }

    /// [`Self::memory_estimate`] by table, for the benchmark report.
    pub fn memory_breakdown(&self) -> Vec<(&'static str, usize)> {
        use std::mem::size_of;
        let person_heap: usize = self
            .persons
            .iter()
            .map(|p| {
                p.thread.capacity() * 4
                    + p.contact
                        .names
                        .iter()
                        .map(|n| n.capacity() + 24)
                        .sum::<usize>()
                    + p.contact
                        .identities
                        .iter()
                        .map(|i| i.key().len() + 24)
                        .sum::<usize>()
                    + p.contact.id.capacity()
                    + std::mem::size_of::<Contact>()
                    + p.learned_names.iter().map(|n| n.len() + 16).sum::<usize>()
                    + p.last_reply.as_ref().map_or(0, |r| r.1.len())
                    + p.book.as_ref().map_or(0, |b| {
                        std::mem::size_of::<ContactHistory>() + b.contact.capacity()
                    })
            })
            .sum();
        let message_heap: usize = self
            .messages
            .iter()
            .map(|m| m.id.len() + m.parties.len() * 4)
            .sum();
        let map = |capacity: usize, entry: usize| capacity * (entry + 1) * 8 / 7;
        vec![
            (
                "persons",
                self.persons.capacity() * size_of::<Person>() + person_heap,
            ),
            (
                "messages",
                self.messages.capacity() * size_of::<MessageMeta>() + message_heap,
            ),
            (
                "signatures",
                self.signatures.capacity() * NUM_HASHES * 2 + self.sig_message.capacity() * 4,
            ),
            (
                "lsh",
                self.lsh_next.capacity() * BANDS * 4 + map(self.lsh.capacity(), 8),
            ),
            ("message ids", map(self.seen_ids.capacity(), 8)),
            (
                "lookups",
                map(self.by_identity.capacity(), 36)
                    + map(self.by_contact_id.capacity(), 28)
                    + map(self.by_name.capacity(), 48)
                    + self.by_name.len() * 24,
            ),
        ]
    }
}

/// LinkedIn profile URLs in a message's own text and signature (not its quotes).
fn profile_urls(chars: &[char], layout: &structure::Layout) -> Vec<String> {
    let text: String = chars.iter().collect::<String>().to_lowercase();
    let lowered: Vec<char> = text.chars().collect();
    if lowered.len() != chars.len() {
        return Vec::new(); // lowercasing changed lengths: offsets would not line up
    }
    let needle: Vec<char> = "linkedin.com/in/".chars().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i + needle.len() <= lowered.len() {
        if lowered[i..i + needle.len()] != needle[..] {
            i += 1;
            continue;
        }
        let quoted = layout.quoted.iter().any(|q| i >= q.0 && i < q.1);
        let is_url_char = |c: &char| {
            !c.is_whitespace() && !matches!(c, '<' | '>' | '(' | ')' | '"' | '\'' | ',' | '[' | ']')
        };
        let start = lowered[..i]
            .iter()
            .rposition(|c| !is_url_char(c))
            .map_or(0, |p| p + 1);
        let end = lowered[i..]
            .iter()
            .position(|c| !is_url_char(c))
            .map_or(lowered.len(), |p| i + p);
        if !quoted {
            let url: String = chars[start..end].iter().collect();
            if let Some(slug) = crate::identity::linkedin_slug(url.trim_end_matches(['.', ';'])) {
                if !found.contains(&slug) {
                    found.push(slug);
                }
            }
        }
        i = end.max(i + 1);
    }
    found
}

/// Folds `new` into `book`: larger counts, earliest first, latest last, all channels.
fn merge_book(book: &mut Option<Box<ContactHistory>>, new: ContactHistory) {
    let Some(old) = book.as_deref_mut() else {
        *book = Some(Box::new(new));
        return;
    };
    let earliest = |a: Option<Millis>, b: Option<Millis>| match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    old.sent = old.sent.max(new.sent);
    old.received = old.received.max(new.received);
    old.first = earliest(old.first, new.first);
    old.last = old.last.max(new.last);
    old.last_sent = old.last_sent.max(new.last_sent);
    old.last_received = old.last_received.max(new.last_received);
    for channel in new.channels {
        if !old.channels.contains(&channel) {
            old.channels.push(channel);
        }
    }
    old.channels.sort();
}

fn learn(list: &mut Vec<Box<str>>, name: &str) {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 60 || list.len() >= MAX_LEARNED_NAMES {
        return;
    }
    if !list.iter().any(|n| &**n == name) {
        list.push(name.into());
    }
}

/// What the store must load for a draft's verdict: the contacts holding these
/// identity keys (with all their messages and their relationship-book history, for
/// [`Index::add_history`]), the contacts whose names fold to these name keys (with
/// their messages and book history: they feed "probably the Brian Miller you emailed"),
/// and the sent messages in the last `window_days` whose persisted band keys
/// intersect `band_keys` (with their recipients' identities).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SliceKeys {
    /// [`Identity::key`] strings: `email:<addr>`, `linkedin:<slug>`.
    pub identity_keys: Vec<String>,
    /// [`crate::identity::name_key`] of recipients' names.
    pub name_keys: Vec<String>,
    /// Hex band keys ([`crate::text::minhash::band_key_strings`]) of the draft.
    pub band_keys: Vec<String>,
    /// How far back near-duplicate sent messages matter (the larger of the
    /// repeat-message lookback and the mass-template window).
    pub window_days: u32,
}

/// The keys a draft's verdict depends on. Pure: the service worker calls it before
/// opening IndexedDB, loads that slice into a fresh [`Index`], then calls `analyze`.
pub fn slice_keys(draft: &Draft, settings: &crate::settings::Settings) -> SliceKeys {
    let mut keys = SliceKeys {
        window_days: settings
            .rules
            .repeat_message
            .lookback_days
            .max(settings.rules.mass_template.window_days),
        ..SliceKeys::default()
    };
    for r in &draft.recipients {
        if let Some(i) = &r.identity {
            keys.identity_keys.push(i.key());
        }
        if let Some(n) = r.name.as_deref() {
            let k = name_key(n);
            if !k.is_empty() && !keys.name_keys.contains(&k) {
                keys.name_keys.push(k);
            }
        }
    }
    if let Some(sig) = draft_signature(draft, settings.max_draft_chars) {
        keys.band_keys = minhash::band_key_strings(&sig);
    }
    keys
}
