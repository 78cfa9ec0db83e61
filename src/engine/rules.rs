//! The eleven rules. Each reads the draft's analysed text ([`DraftText`]) and the
//! relationship with each recipient ([`Relation`]) and says one plain sentence.

use super::index::{Index, Person};
use crate::identity::name_key;
use crate::import::ContactHistory;
use crate::model::{Channel, Contact, Direction, Draft, Millis, Severity, Verdict, Warning, DAY};
use crate::settings::Settings;
use crate::text::greeting::{self, Greeting};
use crate::text::minhash::Signature;
use crate::text::normalize::{fold, tokenize_chars, Token};
use crate::text::phrases::{Cue, Hit, Lexicon};
use crate::text::structure::{self, Layout};
use crate::text::{merge_fields, names};
use serde_json::json;
use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;

const HOUR: Millis = 60 * 60 * 1000;
/// Message ids quoted in evidence: the latest this many.
const RECENT_IDS: usize = 5;
/// Near-duplicate candidates examined per draft: a template sent to thousands costs
/// no more than this.
const MAX_CANDIDATES: usize = 5_000;
/// A reply of theirs this recent that asked for a call makes offering one a reply.
const INVITE_FRESH_DAYS: Millis = 30;
/// How much of the quoted history is read for the message the draft answers.
const QUOTED_CHARS: usize = 2_000;

thread_local! {
    static LEXICON: RefCell<Option<(u64, Rc<Lexicon>)>> = const { RefCell::new(None) };
}

/// The phrase lexicon for these settings, built once per distinct set of edits.
fn lexicon_for(settings: &Settings) -> Rc<Lexicon> {
    let p = &settings.phrases;
    let lists = [
        ("pitch", &p.pitch),
        ("bump", &p.bump),
        ("decline", &p.decline),
        ("favor", &p.favor),
        ("pressure", &p.pressure),
    ];
    if lists
        .iter()
        .all(|(_, e)| e.added.is_empty() && e.removed.is_empty())
    {
        // The same automaton the index's facts use: one build per worker life.
        return Lexicon::shared_builtin();
    }
    let mut key_src = String::new();
    for (name, e) in &lists {
        key_src.push_str(name);
        for s in e
            .added
            .iter()
            .chain(std::iter::once(&"|".to_string()))
            .chain(e.removed.iter())
        {
            key_src.push('\u{1}');
            key_src.push_str(s);
        }
    }
    let key = xxhash_rust::xxh3::xxh3_64(key_src.as_bytes());
    LEXICON.with(|cell| {
        if let Some((k, lex)) = cell.borrow().as_ref() {
            if *k == key {
                return lex.clone();
            }
        }
        let edits: Vec<(&str, &[String], &[String])> = lists
            .iter()
            .map(|(n, e)| (*n, e.added.as_slice(), e.removed.as_slice()))
            .collect();
        let lex = Rc::new(Lexicon::with_edits(&edits));
        *cell.borrow_mut() = Some((key, lex.clone()));
        lex
    })
}

/// The draft, read once.
struct DraftText<'a> {
    chars: Vec<char>,
    layout: Layout,
    hits: Vec<Hit>,
    greeting: Option<Greeting>,
    draft: &'a Draft,
    content_span: Option<(usize, usize)>,
}

impl DraftText<'_> {
    fn cue(&self, cue: Cue) -> impl Iterator<Item = &Hit> {
        self.hits.iter().filter(move |h| h.cue == cue)
    }

    fn has(&self, cue: Cue) -> bool {
        self.cue(cue).next().is_some()
    }

    /// Distinct phrases' weight towards "this is a pitch": introductions count
    /// fully; calls to action and marketing language count at most twice each, and
    /// without an introduction or a call to action marketing words alone never add up.
    fn pitch_score(&self, responsive: bool) -> u32 {
        let mut seen = BTreeSet::new();
        let (mut intro, mut action, mut value) = (0u32, 0u32, 0u32);
        for h in &self.hits {
            if (responsive && h.cue != Cue::Intro) || !seen.insert((h.cue, h.phrase.as_str())) {
                continue;
            }
            match h.cue {
                Cue::Intro => intro += h.cue.pitch_weight(),
                Cue::Action => action += 1,
                Cue::Value => value += 1,
                _ => {}
            }
        }
        if intro == 0 && action == 0 {
            return 0;
        }
        intro + action.min(2) + value.min(2)
    }

    fn pitch_hits(&self, responsive: bool) -> Vec<&Hit> {
        let mut seen = BTreeSet::new();
        self.hits
            .iter()
            .filter(|h| h.cue.pitch_weight() > 0 && (!responsive || h.cue == Cue::Intro))
            .filter(|h| seen.insert(h.phrase.as_str()))
            .collect()
    }

    /// The phrase sits in a sentence that thanks for it ("thank you for the referral"):
    /// gratitude, not an ask.
    fn thanks_for(&self, hit: &Hit) -> bool {
        let start = self.chars[..hit.span.0.min(self.chars.len())]
            .iter()
            .rposition(|c| matches!(c, '.' | '!' | '?' | '\n'))
            .map_or(0, |p| p + 1);
        let before = fold(&self.text_of((start, hit.span.0)));
        before
            .split(' ')
            .any(|w| w == "thank" || w == "thanks" || w == "grateful")
    }

    fn text_of(&self, span: (usize, usize)) -> String {
        self.chars[span.0.min(self.chars.len())..span.1.min(self.chars.len())]
            .iter()
            .collect()
    }
}

/// What the owner's history says about one recipient.
struct Relation<'a> {
    /// As the draft names them, else as the contact is known, else the address.
    name: String,
    person: Option<&'a Person>,
    contact: Option<&'a Contact>,
    stats: Stats,
    /// A different person with the same name and real history.
    namesake: Option<(&'a Person, Stats)>,
}

#[derive(Default, Clone)]
struct Stats {
    total: u32,
    sent: u32,
    received: u32,
    email: u32,
    linkedin: u32,
    first: Option<Millis>,
    last: Option<Millis>,
    last_received: Option<Millis>,
    last_sent: Option<Millis>,
    sent_since_reply: u32,
    first_unanswered: Option<Millis>,
    sent_after: Vec<Millis>,
    /// Message indexes: the latest few, and those sent since their last reply.
    recent: Vec<u32>,
    unanswered: Vec<u32>,
    /// Some figures come from a relationship book rather than stored messages.
    book: bool,
    /// Channels a book says the conversation used, when its counts are not split by
    /// channel (both channels).
    book_channels: Vec<Channel>,
}

impl Stats {
    /// Folds in a relationship book's counts for the same person: per direction and
    /// channel the larger figure wins (the book and stored messages overlap), dates
    /// widen. A book whose last message is after the draft was exported later than
    /// the draft's clock says: its counts would include the future, so it is ignored.
    fn add_book(&mut self, index: &Index, book: &ContactHistory, now: Millis) {
        if book.sent + book.received == 0 || book.last.or(book.first).is_some_and(|t| t > now) {
            return;
        }
        let clamp = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
        let (sent, received) = (clamp(book.sent), clamp(book.received));
        let book_total = sent.saturating_add(received);
        self.book = true;
        self.sent = self.sent.max(sent);
        self.received = self.received.max(received);
        match book.channels.as_slice() {
            [Channel::Email] => self.email = self.email.max(book_total),
            [Channel::Linkedin] => self.linkedin = self.linkedin.max(book_total),
            channels => self.book_channels = channels.to_vec(),
        }
        self.total = self
            .total
            .max(self.sent.saturating_add(self.received))
            .max(self.email.saturating_add(self.linkedin));
        self.first = match (self.first, book.first) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.last = self.last.max(book.last);
        self.last_sent = self.last_sent.max(book.last_sent);
        // A reply the book knows of answers the stored messages sent before it.
        if book.last_received > self.last_received {
            self.last_received = book.last_received;
            let replied = book.last_received.unwrap_or(Millis::MIN);
            self.sent_since_reply = self.sent_after.iter().filter(|&&t| t > replied).count() as u32;
            self.unanswered
                .retain(|&m| index.messages[m as usize].time > replied);
            self.first_unanswered = self.sent_after.iter().copied().find(|&t| t > replied);
        }
        if let Some(t) = book.last_sent {
            self.sent_after.push(t);
        }
    }

    fn ids(index: &Index, list: &[u32]) -> Vec<String> {
        list.iter()
            .map(|&m| index.messages[m as usize].id.to_string())
            .collect()
    }
}

/// The relationship with one person as of `before`: their stored messages, and their
/// relationship-book counts where the book knows more.
fn person_stats(index: &Index, person: &Person, before: Millis) -> Stats {
    let mut s = thread_stats(index, person, before);
    if let Some(book) = person.book.as_deref() {
        s.add_book(index, book, before);
    }
    s
}

fn thread_stats(index: &Index, person: &Person, before: Millis) -> Stats {
    let mut s = Stats::default();
    for &idx in &person.thread {
        let m = &index.messages[idx as usize];
        if m.time > before {
            continue;
        }
        s.total += 1;
        if s.recent.len() == RECENT_IDS {
            s.recent.remove(0);
        }
        s.recent.push(idx);
        match m.channel {
            Channel::Email => s.email += 1,
            Channel::Linkedin => s.linkedin += 1,
        }
        s.first = Some(s.first.map_or(m.time, |f| f.min(m.time)));
        s.last = Some(s.last.map_or(m.time, |l| l.max(m.time)));
        match m.direction {
            Direction::Received => {
                s.received += 1;
                s.last_received = Some(m.time);
                s.sent_since_reply = 0;
                s.first_unanswered = None;
                s.unanswered.clear();
            }
            Direction::Sent => {
                s.sent += 1;
                s.last_sent = Some(m.time);
                s.sent_since_reply += 1;
                s.first_unanswered.get_or_insert(m.time);
                s.sent_after.push(m.time);
                if s.unanswered.len() < 50 {
                    s.unanswered.push(idx);
                }
            }
        }
    }
    s
}

impl Relation<'_> {
    fn tagged(&self) -> Option<crate::model::RelationshipKind> {
        self.contact
            .and_then(|c| c.tags.kind)
            .filter(|k| k.is_established())
    }

    fn excepted(&self, rule: &str) -> bool {
        self.contact.is_some_and(|c| c.has_exception(rule))
    }

    fn connected_on(&self) -> Option<Millis> {
        self.contact.and_then(|c| c.connected_on)
    }
}

fn month_name(m: u32) -> &'static str {
    [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ][(m.clamp(1, 12) - 1) as usize]
}

fn date_parts(t: Millis) -> Option<(i32, u32, u32)> {
    use chrono::Datelike;
    let d = chrono::DateTime::from_timestamp_millis(t)?.date_naive();
    Some((d.year(), d.month(), d.day()))
}

/// "3 October", with the year when it is not the draft's.
fn day(t: Millis, now: Millis) -> String {
    match (date_parts(t), date_parts(now)) {
        (Some((y, m, d)), Some((ny, _, _))) if y == ny => format!("{d} {}", month_name(m)),
        (Some((y, m, d)), _) => format!("{d} {} {y}", month_name(m)),
        _ => "an unknown date".into(),
    }
}

fn month_year(t: Millis) -> String {
    date_parts(t)
        .map(|(y, m, _)| format!("{} {y}", month_name(m)))
        .unwrap_or_else(|| "an unknown date".into())
}

fn iso(t: Option<Millis>) -> serde_json::Value {
    t.and_then(chrono::DateTime::from_timestamp_millis)
        .map(|d| json!(d.to_rfc3339()))
        .unwrap_or(serde_json::Value::Null)
}

fn plural(n: u32, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// "57 emails", "12 LinkedIn messages", "40 messages (31 by email, 9 on LinkedIn)".
fn count_words(s: &Stats) -> String {
    if s.email.saturating_add(s.linkedin) < s.total {
        // Book counts not split by channel.
        let both = s.book_channels.len() == 2;
        let how = if both {
            " by email and on LinkedIn"
        } else {
            ""
        };
        return format!("{}{how}", plural(s.total, "message", "messages"));
    }
    match (s.email, s.linkedin) {
        (e, 0) => plural(e, "email", "emails"),
        (0, l) => plural(l, "LinkedIn message", "LinkedIn messages"),
        (e, l) => format!(
            "{} ({e} by email, {l} on LinkedIn)",
            plural(e + l, "message", "messages")
        ),
    }
}

fn history_sentence(name: &str, s: &Stats, now: Millis) -> String {
    match (s.first, s.last) {
        (Some(f), Some(l)) if s.total > 1 => format!(
            "You and {name} have exchanged {} since {}, the last on {}.",
            count_words(s),
            month_year(f),
            day(l, now)
        ),
        (_, Some(l)) => format!(
            "You and {name} have exchanged {}, on {}.",
            count_words(s),
            day(l, now)
        ),
        _ if s.total > 0 => format!("You and {name} have exchanged {}.", count_words(s)),
        _ => String::new(),
    }
}

struct Out<'s> {
    settings: &'s Settings,
    warnings: Vec<Warning>,
}

impl Out<'_> {
    fn push(
        &mut self,
        rule: &str,
        message: String,
        spans: Vec<(usize, usize)>,
        evidence: serde_json::Value,
        suggestions: &[&str],
    ) {
        self.push_at(rule, None, message, spans, evidence, suggestions)
    }

    fn push_at(
        &mut self,
        rule: &str,
        cap: Option<Severity>,
        message: String,
        mut spans: Vec<(usize, usize)>,
        evidence: serde_json::Value,
        suggestions: &[&str],
    ) {
        let Some((true, severity)) = self.settings.rules.switch(rule) else {
            return;
        };
        if self.warnings.iter().any(|w| w.rule == rule) {
            return;
        }
        spans.sort_unstable();
        spans.dedup();
        self.warnings.push(Warning {
            rule: rule.to_string(),
            severity: cap.map_or(severity, |c| c.min(severity)),
            message,
            spans,
            evidence,
            suggestions: suggestions.iter().map(|s| s.to_string()).collect(),
        });
    }

    fn on(&self, rule: &str) -> bool {
        matches!(self.settings.rules.switch(rule), Some((true, _)))
    }
}

/// Judges a draft against the history in `index`. Pure and total: any input gives a
/// verdict (drafts longer than `settings.max_draft_chars` are read up to the cap and
/// the verdict says `truncated`).
pub fn analyze(index: &Index, draft: &Draft, settings: &Settings) -> Verdict {
    let cap = settings.max_draft_chars.clamp(1_000, 1_000_000);
    let mut chars: Vec<char> = draft.text.chars().take(cap + 1).collect();
    let truncated = chars.len() > cap;
    chars.truncate(cap);

    let lexicon = lexicon_for(settings);
    let layout = structure::layout(&chars);
    let tokens: Vec<Token> = tokenize_chars(&chars);
    let hits = lexicon.scan(&tokens, |t| layout.in_content(t.start));
    let greeting = greeting::parse(&chars, &layout);
    let content_span = match (layout.content.first(), layout.content.last()) {
        (Some(a), Some(b)) => Some((a.0, b.1)),
        _ => None,
    };
    let mut text = DraftText {
        chars,
        layout,
        hits,
        greeting,
        draft,
        content_span,
    };
    let thanked: Vec<bool> = text
        .hits
        .iter()
        .map(|h| h.cue == Cue::Favor && text.thanks_for(h))
        .collect();
    let mut keep = thanked.iter().map(|t| !t);
    text.hits.retain(|_| keep.next().unwrap_or(true));

    let owner_ids = &settings.owner.identities;
    let relations: Vec<Relation> = draft
        .recipients
        .iter()
        .filter(|r| r.identity.as_ref().is_none_or(|i| !owner_ids.contains(i)))
        .map(|r| relation(index, r, draft.time))
        .collect();

    let mut out = Out {
        settings,
        warnings: Vec::new(),
    };
    let signature = if out.on("repeat-message") || out.on("mass-template") {
        super::index::draft_signature(draft, cap)
    } else {
        None
    };

    let mut tokens_in_content = tokens;
    tokens_in_content.retain(|t| text.layout.in_content(t.start));

    known_contact_pitch(index, &text, &relations, &lexicon, &mut out);
    if let Some(sig) = &signature {
        near_duplicates(index, &text, &relations, sig, &mut out);
    }
    unanswered_streak(index, &text, &relations, &mut out);
    after_decline(&text, &relations, &lexicon, &mut out);
    unsigned_delegate(&text, settings, &relations, &mut out);
    greeting_mismatch(&text, &relations, &mut out);
    merge_field(&text, &relations, &mut out);
    early_favor(&text, &relations, &mut out);
    pitch_after_connect(&text, &relations, &mut out);
    pressure(&text, &relations, &mut out);

    let order = |rule: &str| {
        crate::settings::RULE_IDS
            .iter()
            .position(|r| *r == rule)
            .unwrap_or(99)
    };
    out.warnings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(order(&a.rule).cmp(&order(&b.rule)))
    });
    Verdict {
        warnings: out.warnings,
        truncated,
    }
}

fn relation<'a>(index: &'a Index, r: &crate::model::Recipient, now: Millis) -> Relation<'a> {
    let person_idx = r.identity.as_ref().and_then(|i| index.find_identity(i));
    let person = person_idx.map(|p| &index.persons[p as usize]);
    let contact = person.map(|p| &*p.contact);
    let stats = person
        .map(|p| person_stats(index, p, now))
        .unwrap_or_default();
    let name = r
        .name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .or_else(|| {
            contact
                .map(|c| c.display_name().to_string())
                .filter(|n| !n.is_empty())
        })
        .or_else(|| r.identity.as_ref().map(|i| i.to_string()))
        .unwrap_or_else(|| "this recipient".into());
    let mut namesake = None;
    if stats.total == 0 {
        let lookup = r
            .name
            .clone()
            .or_else(|| contact.map(|c| c.display_name().to_string()))
            .unwrap_or_default();
        namesake = index
            .find_name(&lookup)
            .into_iter()
            .filter(|&p| Some(p) != person_idx)
            .map(|p| {
                let person = &index.persons[p as usize];
                (person, person_stats(index, person, now))
            })
            .filter(|(_, s)| s.total > 0)
            .max_by_key(|(_, s)| s.total);
    }
    Relation {
        name,
        person,
        contact,
        stats,
        namesake,
    }
}

/// Their latest message, when it is the latest in the thread (they wrote last).
fn their_open_reply<'a>(rel: &'a Relation) -> Option<(Millis, &'a str)> {
    let (t, text) = rel.person?.last_reply.as_ref()?;
    (rel.stats.last_received == Some(*t) && rel.stats.last_sent.is_none_or(|s| s <= *t))
        .then_some((*t, &**text))
}

/// The quoted message the draft answers, when its attribution line ("On Tue, Brian
/// Miller <brian@acme.com> wrote:", "From: Brian Miller") names this recipient: the
/// page's separate quoted block, else the quoted history inside the draft's text. Only
/// the first quoted message counts (the one being answered), `>` marks stripped.
/// A quote of the user's own earlier message names the user, so it never counts.
fn quoted_reply_from(text: &DraftText, rel: &Relation) -> Option<String> {
    let quoted: String = match text.draft.quoted.as_deref() {
        Some(q) if !q.trim().is_empty() => q.chars().take(QUOTED_CHARS).collect(),
        _ => {
            let (start, end) = *text.layout.quoted.first()?;
            text.text_of((start, end.min(start + QUOTED_CHARS)))
        }
    };
    let mut lines = quoted
        .lines()
        .map(|l| l.trim_start_matches(|c: char| c == '>' || c.is_whitespace()))
        .filter(|l| !l.is_empty());
    let header = lines.next()?;
    if !header.contains(':') {
        return None;
    }
    let lowered = header.to_lowercase();
    let folded = format!(" {} ", fold(header));
    let identities = rel
        .contact
        .map(|c| c.identities.as_slice())
        .unwrap_or_default();
    let by_address = identities.iter().any(|i| match i {
        crate::model::Identity::Email(e) => lowered.contains(&e.to_lowercase()),
        crate::model::Identity::Linkedin(_) => false,
    });
    let mut words: Vec<String> = names::name_words(&rel.name);
    if let Some(c) = rel.contact {
        words.extend(c.names.iter().flat_map(|n| names::name_words(n)));
    }
    let by_name = words
        .iter()
        .filter(|w| w.chars().count() >= 3)
        .any(|w| folded.contains(&format!(" {w} ")));
    if !by_address && !by_name {
        return None;
    }
    // Their words: up to the next attribution line of an older message.
    let body: Vec<&str> = lines
        .take_while(|l| {
            !(l.trim_end().ends_with(':')
                && (l.contains('@') || l.chars().any(|c| c.is_ascii_digit())))
        })
        .collect();
    Some(body.join("\n"))
}

fn known_contact_pitch(
    index: &Index,
    text: &DraftText,
    rels: &[Relation],
    lexicon: &Lexicon,
    out: &mut Out,
) {
    let rule = "known-contact-pitch";
    let cfg = &out.settings.rules.known_contact_pitch;
    let now = text.draft.time;
    for rel in rels.iter().filter(|r| !r.excepted(rule)) {
        // A reply offering the call they asked for is not a cold pitch: their request is
        // their latest stored message, or the message the draft quotes (all a delegate
        // holding only the relationship book has).
        let invites = |reply: &str| {
            let chars: Vec<char> = reply.chars().collect();
            lexicon
                .scan(&tokenize_chars(&chars), |_| true)
                .iter()
                .any(|h| h.cue == Cue::Invite)
        };
        let responsive = their_open_reply(rel).is_some_and(|(t, reply)| {
            now.saturating_sub(t) <= INVITE_FRESH_DAYS * DAY && invites(reply)
        }) || quoted_reply_from(text, rel).is_some_and(|reply| invites(&reply));
        let score = text.pitch_score(responsive);
        if score < cfg.min_pitch_score {
            continue;
        }
        let hits = text.pitch_hits(responsive);
        let phrases: Vec<&str> = hits.iter().map(|h| h.phrase.as_str()).collect();
        let spans: Vec<(usize, usize)> = hits.iter().map(|h| h.span).collect();
        let s = &rel.stats;
        let connected_long = rel
            .connected_on()
            .is_some_and(|c| now.saturating_sub(c) >= i64::from(cfg.connection_age_days) * DAY);
        let suggestions = [
            "Write as someone who knows them: mention your last conversation.",
            "Drop the self-introduction and the generic pitch.",
        ];
        let evidence = |matched_by: &str, s: &Stats, contact: Option<&Contact>| {
            json!({
                "recipient": rel.name, "contact": contact.map(|c| c.id.clone()), "matched_by": matched_by,
                "messages": s.total, "sent": s.sent, "received": s.received, "email": s.email, "linkedin": s.linkedin,
                "first": iso(s.first), "last": iso(s.last), "tag": rel.tagged(), "connected_on": iso(rel.connected_on()),
                "pitch_phrases": phrases, "pitch_score": score, "recent_message_ids": Stats::ids(index, &s.recent),
                "from_book": s.book,
            })
        };
        if s.total >= cfg.min_messages && s.received > 0 {
            let msg = format!(
                "{} This reads like a cold introduction.",
                history_sentence(&rel.name, s, now)
            );
            out.push(
                rule,
                msg,
                spans,
                evidence("identity", s, rel.contact),
                &suggestions,
            );
            return;
        }
        if let Some(kind) = rel.tagged() {
            let kind = serde_json::to_value(kind)
                .ok()
                .and_then(|v| v.as_str().map(|s| s.replace('-', " ")))
                .unwrap_or_default();
            let msg = format!(
                "You tagged {} as {kind}. This reads like a cold introduction.",
                rel.name
            );
            out.push(
                rule,
                msg,
                spans,
                evidence("tag", s, rel.contact),
                &suggestions,
            );
            return;
        }
        if connected_long {
            let since = rel.connected_on().map(month_year).unwrap_or_default();
            let msg = format!("You and {} have been connected on LinkedIn since {since}. This reads like a cold introduction.", rel.name);
            out.push(
                rule,
                msg,
                spans,
                evidence("connection", s, rel.contact),
                &suggestions,
            );
            return;
        }
        if let Some((person, ns)) = &rel.namesake {
            let how = match (ns.email, ns.linkedin) {
                _ if ns.book_channels.len() == 2 => "wrote with",
                (_, 0) => "emailed",
                (0, _) => "messaged on LinkedIn",
                _ => "wrote with",
            };
            let msg = format!(
                "This reads like a cold introduction, and this {} is probably the {} you {how} {} (last on {}).",
                rel.name,
                person.contact.display_name(),
                plural(ns.total, "time", "times"),
                ns.last.map(|l| day(l, now)).unwrap_or_default()
            );
            let mut ev = evidence("name", ns, Some(&person.contact));
            ev["suggested_contact"] = json!(person.contact.id);
            out.push_at(rule, Some(Severity::Caution), msg, spans, ev, &[
                "If this is the same person, merge the two in the popup and write to them as someone you know.",
                "If not, mark them as different people.",
            ]);
            return;
        }
    }
}

fn near_duplicates(
    index: &Index,
    text: &DraftText,
    rels: &[Relation],
    sig: &Signature,
    out: &mut Out,
) {
    let now = text.draft.time;
    let rm = &out.settings.rules.repeat_message;
    let mt = &out.settings.rules.mass_template;
    let (rm_sim, rm_from) = (
        rm.similarity,
        now.saturating_sub(i64::from(rm.lookback_days) * DAY),
    );
    let (mt_sim, mt_from, mt_min) = (
        mt.similarity,
        now.saturating_sub(i64::from(mt.window_days) * DAY),
        mt.min_recipients,
    );
    let recipient_ids: Vec<*const Person> = rels
        .iter()
        .filter_map(|r| r.person.map(|p| p as *const Person))
        .collect();
    let mut repeats: Vec<(Millis, String)> = Vec::new();
    let mut others: BTreeSet<u32> = BTreeSet::new();
    let mut other_times: Vec<Millis> = Vec::new();
    let mut other_ids: Vec<String> = Vec::new();
    for (m, similarity) in index.near_duplicates(sig, MAX_CANDIDATES) {
        let meta = &index.messages[m as usize];
        if meta.time > now {
            continue;
        }
        let mut to_recipient = false;
        for &p in meta.parties.iter() {
            let p = index.resolve(p);
            let person = &index.persons[p as usize] as *const Person;
            if recipient_ids.contains(&person) {
                to_recipient = true;
            } else if similarity >= mt_sim && meta.time >= mt_from {
                others.insert(p);
            }
        }
        if similarity >= mt_sim && meta.time >= mt_from && other_ids.len() < 50 {
            other_ids.push(meta.id.to_string());
            other_times.push(meta.time);
        }
        if to_recipient && similarity >= rm_sim && meta.time >= rm_from {
            repeats.push((meta.time, meta.id.to_string()));
        }
    }
    let spans: Vec<(usize, usize)> = text.content_span.into_iter().collect();
    if !repeats.is_empty() {
        let rel = rels
            .iter()
            .find(|r| r.person.is_some() && !r.excepted("repeat-message"));
        if let Some(rel) = rel {
            repeats.sort();
            let n = repeats.len() as u32;
            let last = repeats.last().map(|r| r.0).unwrap_or(now);
            let msg = if n == 1 {
                format!(
                    "You already sent {} a near-identical message on {}.",
                    rel.name,
                    day(last, now)
                )
            } else {
                format!(
                    "You have sent {} a near-identical message {n} times since {}, most recently on {}.",
                    rel.name,
                    day(repeats[0].0, now),
                    day(last, now)
                )
            };
            let ids: Vec<&String> = repeats.iter().map(|r| &r.1).collect();
            let times: Vec<serde_json::Value> = repeats.iter().map(|r| iso(Some(r.0))).collect();
            out.push(
                "repeat-message",
                msg,
                spans.clone(),
                json!({"recipient": rel.name, "times": n, "message_ids": ids, "sent_at": times}),
                &[
                    "Write something new that responds to where the conversation is.",
                    "If they haven't answered, consider letting it rest.",
                ],
            );
        }
    }
    let count = others.len() as u32;
    let excepted = !rels.is_empty() && rels.iter().all(|r| r.excepted("mass-template"));
    if count >= mt_min && !excepted {
        let msg = format!(
            "Near-identical messages went to {count} other people in the last {} days: this is a template blast, and recipients can tell.",
            mt.window_days
        );
        out.push("mass-template", msg, spans, json!({"other_recipients": count, "window_days": mt.window_days, "message_ids": other_ids, "first": iso(other_times.iter().min().copied()), "last": iso(other_times.iter().max().copied())}), &[
            "Personalise it: say why you are writing to this person in particular.",
        ]);
    }
}

fn unanswered_streak(index: &Index, text: &DraftText, rels: &[Relation], out: &mut Out) {
    let rule = "unanswered-streak";
    let max = out.settings.rules.unanswered_streak.max_unanswered;
    let now = text.draft.time;
    let bumps: Vec<&Hit> = text.cue(Cue::Bump).collect();
    for rel in rels.iter().filter(|r| !r.excepted(rule)) {
        let s = &rel.stats;
        let n = s.sent_since_reply;
        let is_bump = !bumps.is_empty() && n >= 1;
        if n < max && !is_bump {
            continue;
        }
        let since = s.first_unanswered.map(|t| day(t, now)).unwrap_or_default();
        let mut msg = match s.last_received {
            Some(r) => format!(
                "You have sent {} {} since their last reply on {}.",
                rel.name,
                plural(n, "message", "messages"),
                day(r, now)
            ),
            None => format!(
                "{} has not replied to any of your {} since {since}.",
                rel.name,
                plural(n, "message", "messages")
            ),
        };
        if is_bump {
            msg.push_str(" This draft is another nudge.");
        }
        let spans = bumps.iter().map(|h| h.span).collect();
        out.push(rule, msg, spans, json!({"recipient": rel.name, "unanswered": n, "last_reply": iso(s.last_received), "first_unanswered": iso(s.first_unanswered), "unanswered_message_ids": Stats::ids(index, &s.unanswered), "bump_phrases": bumps.iter().map(|h| &h.phrase).collect::<Vec<_>>()}), &[
            "Give them room: wait, or change the channel only if it is urgent for them.",
            "If you write, add something new rather than a reminder.",
        ]);
        return;
    }
}

/// The draft asks something or pitches something.
fn asks_or_pitches(text: &DraftText) -> Vec<(usize, usize)> {
    text.hits
        .iter()
        .filter(|h| {
            matches!(
                h.cue,
                Cue::Intro
                    | Cue::Action
                    | Cue::Favor
                    | Cue::Ask
                    | Cue::Bump
                    | Cue::Urgency
                    | Cue::Incentive
                    | Cue::Value
            )
        })
        .map(|h| h.span)
        .collect()
}

/// The phrase saying no in a reply's own text (quotes and signature already removed):
/// a firm decline anywhere, a soft one ("not a priority right now") only in a short
/// reply, where it is the point rather than an aside.
fn decline_in(lexicon: &Lexicon, chars: &[char]) -> Option<Hit> {
    let tokens = tokenize_chars(chars);
    let hits = lexicon.scan(&tokens, |_| true);
    let hard = hits.iter().find(|h| h.cue == Cue::Decline);
    let soft = hits
        .iter()
        .find(|h| h.cue == Cue::SoftDecline)
        .filter(|_| tokens.len() <= 120);
    hard.or(soft).cloned()
}

/// Whether a reply reads as a polite "no", as `after-decline` judges it: only the
/// reply's own words count (not the quoted history or signature), with the user's
/// edits to the decline phrases.
pub fn is_decline(reply: &str, settings: &Settings) -> bool {
    let chars: Vec<char> = reply.chars().collect();
    let layout = structure::layout(&chars);
    let own: Vec<char> = super::index::reply_own_text(&chars, &layout)
        .chars()
        .collect();
    decline_in(&lexicon_for(settings), &own).is_some()
}

fn after_decline(text: &DraftText, rels: &[Relation], lexicon: &Lexicon, out: &mut Out) {
    let rule = "after-decline";
    let now = text.draft.time;
    let asks = asks_or_pitches(text);
    if asks.is_empty() {
        return;
    }
    let pitchy = text.pitch_score(false) >= 1 || text.has(Cue::Favor);
    for rel in rels.iter().filter(|r| !r.excepted(rule)) {
        if let Some(dnp) = rel.contact.and_then(|c| c.tags.do_not_pitch.as_ref()) {
            if pitchy || text.has(Cue::Ask) || text.has(Cue::Bump) {
                let reason = dnp
                    .reason
                    .as_deref()
                    .map(|r| format!(" ({r})"))
                    .unwrap_or_default();
                let msg = format!(
                    "You tagged {} do-not-pitch{reason}, and this draft asks or pitches.",
                    rel.name
                );
                out.push(rule, msg, asks.clone(), json!({"recipient": rel.name, "do_not_pitch": true, "reason": dnp.reason, "since": iso(dnp.since)}), &[
                    "Don't send it; if you must write, keep it personal and ask nothing.",
                ]);
                return;
            }
        }
        let Some((t, reply)) = rel
            .person
            .and_then(|p| p.last_reply.as_ref())
            .map(|(t, r)| (*t, &**r))
        else {
            continue;
        };
        let chars: Vec<char> = reply.chars().collect();
        let Some(hit) = decline_in(lexicon, &chars) else {
            continue;
        };
        // Quote their words around the phrase, briefly.
        let from = chars[..hit.span.0]
            .iter()
            .rposition(|c| matches!(c, '.' | '!' | '?' | '\n'))
            .map_or(0, |p| p + 1);
        let to = chars[hit.span.1..]
            .iter()
            .position(|c| matches!(c, '.' | '!' | '?' | '\n'))
            .map_or(chars.len(), |p| hit.span.1 + p);
        let mut quote: String = chars[from..to]
            .iter()
            .collect::<String>()
            .trim()
            .to_string();
        if quote.chars().count() > 140 {
            quote = chars[hit.span.0..hit.span.1].iter().collect();
        }
        let msg = format!(
            "{}'s last reply, on {}, said no (\"{quote}\"), and this draft asks again.",
            rel.name,
            day(t, now)
        );
        out.push(rule, msg, asks.clone(), json!({"recipient": rel.name, "declined_on": iso(Some(t)), "decline_phrase": hit.phrase, "quote": quote}), &[
            "Respect the no: don't send this.",
            "If the situation really changed, say what changed and make it easy to say no again.",
        ]);
        return;
    }
}

fn unsigned_delegate(text: &DraftText, settings: &Settings, rels: &[Relation], out: &mut Out) {
    let rule = "unsigned-delegate";
    let Some(operator) = text
        .draft
        .operator
        .as_deref()
        .map(str::trim)
        .filter(|o| !o.is_empty())
    else {
        return;
    };
    if name_key(operator) == name_key(&settings.owner.name)
        || (!rels.is_empty() && rels.iter().all(|r| r.excepted(rule)))
    {
        return;
    }
    let fallback = crate::settings::Delegate {
        name: operator.to_string(),
        ..Default::default()
    };
    let delegate = settings.delegate(operator).unwrap_or(&fallback);
    // The signature block, or the last few lines when there is none.
    let span = text.layout.signature.unwrap_or_else(|| {
        let end = text.content_span.map_or(text.chars.len(), |c| c.1);
        let mut start = end;
        let mut lines = 0;
        while start > 0 && lines < 4 {
            start -= 1;
            if text.chars[start] == '\n' {
                lines += 1;
            }
        }
        (if start == 0 { 0 } else { start + 1 }, end)
    });
    let block = fold(&text.text_of(span));
    let has = |words: &str| {
        let w = fold(words);
        !w.is_empty() && format!(" {block} ").contains(&format!(" {w} "))
    };
    let owner = settings.owner.name.trim();
    let signer = text.layout.signer.as_deref().unwrap_or("");
    let signed_as_owner = !owner.is_empty()
        && (name_key(signer) == name_key(owner)
            || (!signer.is_empty()
                && names::name_words(owner).first() == names::name_words(signer).first()
                && names::name_words(signer).len() == 1));
    let ev = json!({"operator": delegate.name, "role": delegate.role, "required_signature": delegate.signature, "owner": owner, "signature": text.text_of(span)});
    let spans = vec![span];
    let expected = if delegate.signature.trim().is_empty() {
        if delegate.role.trim().is_empty() {
            delegate.name.clone()
        } else {
            format!("{}, {}", delegate.name, delegate.role)
        }
    } else {
        delegate.signature.clone()
    };
    let suggestion = format!("Sign as: {expected}");
    if signed_as_owner && !has(&delegate.name) {
        let msg = format!(
            "{} is writing, but the draft is signed with {}'s name.",
            delegate.name, owner
        );
        out.push(rule, msg, spans, ev, &[&suggestion]);
        return;
    }
    let ok = if delegate.signature.trim().is_empty() {
        has(&delegate.name) && (delegate.role.trim().is_empty() || has(&delegate.role))
    } else {
        has(&delegate.signature)
    };
    if !ok {
        let msg = format!(
            "{} is writing from {}'s account, but the draft is not signed \"{expected}\".",
            delegate.name,
            if owner.is_empty() { "the owner" } else { owner }
        );
        out.push(rule, msg, spans, ev, &[&suggestion]);
    }
}

/// Every word a recipient is known by, folded.
fn known_words(rel: &Relation, recipient: &crate::model::Recipient) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    let mut add = |name: &str| words.extend(names::name_words(name));
    if let Some(n) = &recipient.name {
        add(n);
    }
    if let Some(c) = rel.contact {
        c.names.iter().for_each(|n| add(n));
        c.tags.nicknames.iter().for_each(|n| add(n));
        if let Some(p) = &c.tags.preferred_name {
            add(p);
        }
    }
    if let Some(p) = rel.person {
        p.learned_names.iter().for_each(|n| add(n));
    }
    let ids = rel
        .contact
        .map(|c| c.identities.clone())
        .unwrap_or_default();
    for identity in recipient.identity.iter().chain(ids.iter()) {
        let raw = match identity {
            crate::model::Identity::Email(e) => e.split('@').next().unwrap_or("").to_string(),
            crate::model::Identity::Linkedin(s) => s.clone(),
        };
        for part in raw.split(['.', '_', '-', '+']) {
            if part.chars().count() >= 2
                && part.chars().all(|c| c.is_alphabetic())
                && !GENERIC_MAILBOXES.contains(&part)
            {
                add(part);
            }
        }
    }
    words.retain(|w| w.chars().count() >= 2);
    words
}

/// Address local parts that name a role, not a person.
const GENERIC_MAILBOXES: &[&str] = &[
    "info",
    "hello",
    "hi",
    "contact",
    "sales",
    "admin",
    "support",
    "office",
    "team",
    "hr",
    "jobs",
    "mail",
    "noreply",
    "no",
    "reply",
    "careers",
    "press",
    "billing",
    "help",
    "enquiries",
    "inquiries",
    "marketing",
    "accounts",
    "general",
    "mailbox",
    "service",
    "customerservice",
    "webmaster",
];

fn greeting_mismatch(text: &DraftText, rels: &[Relation], out: &mut Out) {
    let rule = "greeting-mismatch";
    let Some(g) = &text.greeting else { return };
    if g.group || g.names.is_empty() || rels.iter().any(|r| r.excepted(rule)) {
        return;
    }
    let recipients: Vec<(&Relation, Vec<String>)> = text
        .draft
        .recipients
        .iter()
        .zip(rels.iter())
        .map(|(r, rel)| (rel, known_words(rel, r)))
        .collect();
    if recipients.is_empty() || recipients.iter().all(|(_, w)| w.is_empty()) {
        return;
    }
    let placeholders = merge_fields::find(
        &text.chars[..g
            .names
            .last()
            .map_or(0, |n| (n.span.1 + 4).min(text.chars.len()))],
    );
    for name in &g.names {
        let in_placeholder = placeholders
            .iter()
            .any(|p| p.span.0 <= name.span.0 && name.span.1 <= p.span.1);
        if in_placeholder || name.words.iter().any(|w| w.chars().all(|c| c == 'x')) {
            continue; // a placeholder: merge-field says it
        }
        let matched = recipients.iter().any(|(_, known)| {
            name.words
                .iter()
                .any(|w| known.iter().any(|k| names::word_matches(w, k)))
        });
        if !matched {
            let to: Vec<&str> = recipients.iter().map(|(r, _)| r.name.as_str()).collect();
            let msg = format!(
                "The greeting says \"{}\", but this goes to {}.",
                name.text,
                to.join(", ")
            );
            out.push(
                rule,
                msg,
                vec![name.span],
                json!({"greeting_name": name.text, "recipients": to}),
                &[
                    "Check the name before sending.",
                    "If they do go by this name, mark the greeting as right for this person.",
                ],
            );
            return;
        }
    }
}

fn merge_field(text: &DraftText, rels: &[Relation], out: &mut Out) {
    let rule = "merge-field";
    if !rels.is_empty() && rels.iter().all(|r| r.excepted(rule)) {
        return;
    }
    let mut found: Vec<((usize, usize), String)> = merge_fields::find(&text.chars)
        .into_iter()
        .filter(|p| {
            !text
                .layout
                .quoted
                .iter()
                .any(|q| p.span.0 >= q.0 && p.span.0 < q.1)
        })
        .map(|p| (p.span, p.text))
        .collect();
    if let Some(g) = text.greeting.as_ref().filter(|g| g.empty) {
        let end = (g.span.1 + 2).min(text.chars.len());
        found.insert(0, ((g.span.0, end), text.text_of((g.span.0, end))));
    }
    if found.is_empty() {
        return;
    }
    let list: Vec<&str> = found.iter().map(|f| f.1.as_str()).collect();
    let msg = if found.len() == 1 {
        format!(
            "The draft still has an unfilled placeholder: {}.",
            list[0].trim()
        )
    } else {
        format!(
            "The draft still has {} unfilled placeholders: {}.",
            found.len(),
            list.iter().map(|s| s.trim()).collect::<Vec<_>>().join(", ")
        )
    };
    out.push(
        rule,
        msg,
        found.iter().map(|f| f.0).collect(),
        json!({"placeholders": list}),
        &["Fill in or remove every placeholder."],
    );
}

fn early_favor(text: &DraftText, rels: &[Relation], out: &mut Out) {
    let rule = "early-favor";
    let cfg = &out.settings.rules.early_favor;
    let favors: Vec<&Hit> = text.cue(Cue::Favor).collect();
    if favors.is_empty() {
        return;
    }
    let now = text.draft.time;
    for rel in rels.iter().filter(|r| !r.excepted(rule)) {
        let s = &rel.stats;
        let new_connection = rel
            .connected_on()
            .is_none_or(|c| now.saturating_sub(c) < i64::from(cfg.new_connection_days) * DAY);
        let namesake_known = rel
            .namesake
            .as_ref()
            .is_some_and(|(_, ns)| ns.total >= cfg.min_messages);
        if s.total >= cfg.min_messages
            || rel.tagged().is_some()
            || !new_connection
            || namesake_known
        {
            continue;
        }
        let ask = &favors[0].phrase;
        let how_new = match rel.connected_on() {
            Some(c) if now >= c => {
                let days = now.saturating_sub(c) / DAY;
                match days {
                    0 => "you connected today".to_string(),
                    1 => "you connected yesterday".to_string(),
                    d => format!("you connected {d} days ago"),
                }
            }
            _ => "you have no connection on record".to_string(),
        };
        let exchanged = match s.total {
            0 => "no messages exchanged".to_string(),
            n => format!("only {} exchanged", plural(n, "message", "messages")),
        };
        let msg = format!(
            "This asks {} for a favor (\"{ask}\"), but {how_new}, with {exchanged}.",
            rel.name
        );
        out.push(rule, msg, favors.iter().map(|h| h.span).collect(), json!({"recipient": rel.name, "favor_phrases": favors.iter().map(|h| &h.phrase).collect::<Vec<_>>(), "messages": s.total, "connected_on": iso(rel.connected_on())}), &[
            "Build the relationship first: offer something, or ask a small question about their work.",
        ]);
        return;
    }
}

fn pitch_after_connect(text: &DraftText, rels: &[Relation], out: &mut Out) {
    let rule = "pitch-after-connect";
    let cfg_hours = i64::from(out.settings.rules.pitch_after_connect.window_hours);
    let min_pitch = out.settings.rules.known_contact_pitch.min_pitch_score;
    let now = text.draft.time;
    let pitch = text.pitch_score(false) >= min_pitch.min(2) || text.has(Cue::Favor);
    if !pitch {
        return;
    }
    let mut spans: Vec<(usize, usize)> = text.pitch_hits(false).iter().map(|h| h.span).collect();
    spans.extend(text.cue(Cue::Favor).map(|h| h.span));
    let not_selling_here: Vec<&Hit> = text.cue(Cue::NotSelling).collect();
    for rel in rels.iter().filter(|r| !r.excepted(rule)) {
        let promised = rel.person.and_then(|p| p.promised_not_selling);
        if let Some(c) = rel.connected_on().filter(|&c| c <= now) {
            let hours = now.saturating_sub(c) / HOUR;
            // "First message after connecting" is about new acquaintances: years of
            // email before the connection make it known-contact-pitch's business.
            let thin = rel.stats.total < out.settings.rules.early_favor.min_messages
                && rel.tagged().is_none();
            let first_after = thin && !rel.stats.sent_after.iter().any(|&t| t >= c);
            if hours < cfg_hours || first_after {
                let when = if hours < cfg_hours {
                    if hours < 1 {
                        "less than an hour ago".to_string()
                    } else {
                        format!("{} ago", plural(hours as u32, "hour", "hours"))
                    }
                } else {
                    format!("on {}", day(c, now))
                };
                let mut msg = format!(
                    "{} accepted your connection {when}, and this {} message opens with an ask.",
                    rel.name,
                    if first_after { "first" } else { "early" }
                );
                if promised.is_some() {
                    msg.push_str(" Your invitation said you were not trying to sell anything.");
                }
                out.push(rule, msg, spans.clone(), json!({"recipient": rel.name, "connected_on": iso(Some(c)), "hours_since": hours, "first_message": first_after, "promised_not_selling": iso(promised)}), &[
                    "Start with a real conversation; make the ask once they've engaged.",
                ]);
                return;
            }
        }
        if !not_selling_here.is_empty() || promised.is_some() {
            let msg = if promised.is_some() {
                format!("Your earlier message told {} you were not trying to sell anything; this one sells.", rel.name)
            } else {
                format!(
                    "The draft says it isn't selling (\"{}\"), then pitches.",
                    not_selling_here[0].phrase
                )
            };
            let mut s = spans.clone();
            s.extend(not_selling_here.iter().map(|h| h.span));
            out.push(rule, msg, s, json!({"recipient": rel.name, "promised_not_selling": iso(promised), "in_draft": !not_selling_here.is_empty()}), &[
                "Be upfront about what you are offering, or drop the pitch.",
            ]);
            return;
        }
    }
    if rels.is_empty() && !not_selling_here.is_empty() {
        let msg = format!(
            "The draft says it isn't selling (\"{}\"), then pitches.",
            not_selling_here[0].phrase
        );
        out.push(
            rule,
            msg,
            spans,
            json!({"in_draft": true}),
            &["Be upfront about what you are offering, or drop the pitch."],
        );
    }
}

fn pressure(text: &DraftText, rels: &[Relation], out: &mut Out) {
    let rule = "pressure";
    if !rels.is_empty() && rels.iter().all(|r| r.excepted(rule)) {
        return;
    }
    let min_pitch = out.settings.rules.known_contact_pitch.min_pitch_score;
    let asking = text.has(Cue::Favor) || text.pitch_score(false) >= min_pitch;
    let stranger = rels
        .iter()
        .any(|r| r.stats.total == 0 && r.tagged().is_none());
    let mut found: Vec<&Hit> = Vec::new();
    let mut kinds: BTreeSet<&str> = BTreeSet::new();
    for h in &text.hits {
        let counts = match h.cue {
            Cue::Urgency => asking || (stranger && (text.has(Cue::Ask) || text.has(Cue::Value))),
            Cue::Incentive => asking,
            Cue::Verbatim => text.has(Cue::Favor),
            Cue::Guilt => true,
            _ => false,
        };
        if counts {
            kinds.insert(match h.cue {
                Cue::Urgency => "false urgency",
                Cue::Incentive => "an incentive for a favor",
                Cue::Verbatim => "prepared text to post as their own",
                _ => "guilt",
            });
            found.push(h);
        }
    }
    if found.is_empty() {
        return;
    }
    let phrases: Vec<&str> = found.iter().map(|h| h.phrase.as_str()).collect();
    let kinds: Vec<&str> = kinds.into_iter().collect();
    // Quote distinct places: "share the text below" already covers "text below".
    let mut shown: Vec<(usize, usize)> = Vec::new();
    for h in &found {
        if !shown.iter().any(|s| s.0 <= h.span.0 && h.span.1 <= s.1) {
            shown.retain(|s| !(h.span.0 <= s.0 && s.1 <= h.span.1));
            shown.push(h.span);
        }
    }
    shown.sort_unstable();
    let quoted: Vec<String> = shown
        .iter()
        .take(3)
        .map(|&span| format!("\"{}\"", text.text_of(span)))
        .collect();
    let msg = format!(
        "The draft leans on {} ({}).",
        kinds.join(", "),
        quoted.join(", ")
    );
    out.push(rule, msg, found.iter().map(|h| h.span).collect(), json!({"kinds": kinds, "phrases": phrases}), &[
        "Remove the deadline or incentive; let them decide freely.",
        "If you want them to share something, let them say it in their own words and disclose any gift.",
    ]);
}
