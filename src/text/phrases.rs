//! Whole-word phrase matching over folded tokens.
//!
//! Phrases and drafts go through the same fold ([`super::normalize::phrase_key`]):
//! case, punctuation, curly quotes, line breaks, HTML remnants and filler words do not
//! matter, and a light suffix fold makes "bumping" match "bump". Matching runs one
//! Aho-Corasick automaton over the space-joined token keys and keeps only matches that
//! start and end on token boundaries, so "ASAPH" never matches "ASAP".

use super::normalize::{is_filler, phrase_key, stem, Token};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use std::collections::HashSet;

/// What a phrase signals. Each built-in phrase belongs to one cue; the user's
/// additions to a settings list count as that list's strongest cue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Cue {
    /// Introducing yourself or your company to a stranger.
    Intro,
    /// Generic value proposition or marketing language.
    Value,
    /// A call to action: a call, a demo, a purchase, a click.
    Action,
    /// "I'm not trying to sell anything".
    NotSelling,
    /// "Just following up", "did you get my last message".
    Bump,
    /// A clear no.
    Decline,
    /// A softer no that counts only in a short reply.
    SoftDecline,
    /// Asking for an endorsement, referral, introduction, share, free advice, a demo watch.
    Favor,
    /// False urgency.
    Urgency,
    /// Something offered in return for a favor or a reply.
    Incentive,
    /// Asking someone to post prepared text.
    Verbatim,
    /// Guilt-tripping.
    Guilt,
    /// A request: "could you", "would you".
    Ask,
    /// The other person asking for a call, a demo or details (read in their replies).
    Invite,
}

impl Cue {
    /// Weight towards the pitch score of `known-contact-pitch`.
    pub fn pitch_weight(self) -> u32 {
        match self {
            Cue::Intro => 2,
            Cue::Value | Cue::Action => 1,
            _ => 0,
        }
    }
}

/// Which settings list a cue's phrases are edited through.
pub fn settings_list(cue: Cue) -> &'static str {
    match cue {
        Cue::Intro | Cue::Value | Cue::Action | Cue::NotSelling => "pitch",
        Cue::Bump => "bump",
        Cue::Decline | Cue::SoftDecline => "decline",
        Cue::Favor | Cue::Ask => "favor",
        Cue::Urgency | Cue::Incentive | Cue::Verbatim | Cue::Guilt => "pressure",
        Cue::Invite => "invite",
    }
}

/// The built-in phrases edited through one settings list (`pitch`, `bump`, ...), so
/// the options page can show what the user is adding to or removing from.
pub fn builtin_list(list: &str) -> Vec<&'static str> {
    BUILTIN
        .iter()
        .filter(|(cue, _)| settings_list(*cue) == list)
        .flat_map(|(_, phrases)| phrases.iter().copied())
        .collect()
}

/// A phrase found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub cue: Cue,
    /// The phrase as listed (built-in or the user's).
    pub phrase: String,
    /// Char span in the original text.
    pub span: (usize, usize),
}

pub struct Lexicon {
    automaton: AhoCorasick,
    entries: Vec<(Cue, String)>,
}

impl std::fmt::Debug for Lexicon {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Lexicon({} phrases)", self.entries.len())
    }
}

/// User edits to apply: `(list, added, removed)` with list one of the settings names.
pub type Edits<'a> = &'a [(&'a str, &'a [String], &'a [String])];

thread_local! {
    static BUILTIN_LEXICON: std::rc::Rc<Lexicon> = std::rc::Rc::new(Lexicon::builtin());
}

impl Lexicon {
    pub fn builtin() -> Lexicon {
        Lexicon::with_edits(&[])
    }

    /// The built-in lexicon, built once per thread: a service worker builds a fresh
    /// index per verdict and must not rebuild the automaton each time.
    pub fn shared_builtin() -> std::rc::Rc<Lexicon> {
        BUILTIN_LEXICON.with(|l| l.clone())
    }

    pub fn with_edits(edits: Edits) -> Lexicon {
        let removed: HashSet<(&str, String)> = edits
            .iter()
            .flat_map(|(list, _, rem)| rem.iter().map(move |p| (*list, phrase_key(p))))
            .collect();
        let mut entries: Vec<(Cue, String)> = Vec::new();
        let mut keys: Vec<String> = Vec::new();
        let mut seen: HashSet<(Cue, String)> = HashSet::new();
        let mut push =
            |cue: Cue, phrase: &str, entries: &mut Vec<(Cue, String)>, keys: &mut Vec<String>| {
                let key = phrase_key(phrase);
                if key.is_empty()
                    || removed.contains(&(settings_list(cue), key.clone()))
                    || !seen.insert((cue, key.clone()))
                {
                    return;
                }
                entries.push((cue, phrase.to_string()));
                keys.push(key);
            };
        for (cue, list) in BUILTIN {
            for phrase in list.iter() {
                push(*cue, phrase, &mut entries, &mut keys);
            }
        }
        for (list, added, _) in edits {
            let cue = match *list {
                "pitch" => Cue::Intro,
                "bump" => Cue::Bump,
                "decline" => Cue::Decline,
                "favor" => Cue::Favor,
                "pressure" => Cue::Incentive,
                _ => continue,
            };
            for phrase in added.iter() {
                push(cue, phrase, &mut entries, &mut keys);
            }
        }
        let automaton = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .build(&keys)
            .expect("phrase keys are plain strings");
        Lexicon { automaton, entries }
    }

    /// All phrase hits among `tokens` (skipping those `keep` rejects).
    pub fn scan(&self, tokens: &[Token], keep: impl Fn(&Token) -> bool) -> Vec<Hit> {
        let mut stream = String::with_capacity(tokens.len() * 6);
        // (byte offset in stream where the token starts, token index)
        let mut starts: Vec<(usize, usize)> = Vec::with_capacity(tokens.len());
        for (i, t) in tokens.iter().enumerate() {
            if !keep(t) || is_filler(&t.norm) {
                continue;
            }
            starts.push((stream.len(), i));
            stream.push_str(stem(&t.norm));
            stream.push(' ');
        }
        let mut hits = Vec::new();
        for m in self.automaton.find_overlapping_iter(&stream) {
            let Ok(first) = starts.binary_search_by_key(&m.start(), |s| s.0) else {
                continue;
            };
            if stream.as_bytes().get(m.end()) != Some(&b' ') {
                continue;
            }
            let last = match starts.binary_search_by_key(&m.end(), |s| s.0) {
                Ok(i) | Err(i) => i.saturating_sub(1),
            };
            let (cue, phrase) = &self.entries[m.pattern().as_usize()];
            let span = (tokens[starts[first].1].start, tokens[starts[last].1].end);
            hits.push(Hit {
                cue: *cue,
                phrase: phrase.clone(),
                span,
            });
        }
        hits
    }
}

/// Built-in phrases by cue. Written naturally; folding happens at build time.
const BUILTIN: &[(Cue, &[&str])] = &[
    (
        Cue::Intro,
        &[
            "my name is",
            "dear valued",
            "dear homeowner",
            "dear member",
            "dear customer",
            "dear sir",
            "dear madam",
            "dear business owner",
            "dear webmaster",
            "to be removed from",
            "remove in the subject",
            "removed from our",
            "you can be removed",
            "to order",
            "order here",
            "click below",
            "i thought you might like",
            "thought you might be interested",
            "we thought you may be interested",
            "you may be interested in",
            "you might be interested in",
            "strictly private",
            "business proposal",
            "dear sir madam",
            "why pay more",
            "no longer like us to contact you",
            "we are writing to",
            "i am writing to inform you",
            "we are pleased to announce",
            "we are happy to offer",
            "this is an advertisement",
            "as seen on",
            "allow me to introduce",
            "let me introduce myself",
            "i'd like to introduce",
            "i would like to introduce",
            "i am writing to introduce",
            "i'm writing to introduce",
            "i am reaching out",
            "i'm reaching out",
            "i wanted to reach out",
            "i thought i'd reach out",
            "reaching out because",
            "reaching out to see",
            "i came across your profile",
            "came across your profile",
            "i found your profile",
            "i noticed your profile",
            "i saw your profile",
            "came across your company",
            "came across your website",
            "we are a leading",
            "we are a company",
            "we're a company",
            "i work with companies",
            "we work with companies",
            "we help companies",
            "we help businesses",
            "i help companies",
            "i help businesses",
            "we specialize in",
            "we specialise in",
            "our company specializes",
            "our company is",
            "our firm",
            "our agency",
            "i represent",
            "i am the founder of",
            "i'm the founder of",
            "i am the ceo of",
            "i'm the ceo of",
            "on behalf of our company",
            "we are pleased to",
            "we are proud to",
            "we are offering",
            "we offer",
            "i am offering",
            "introducing our",
            "hope this email finds you well",
            "hope this message finds you well",
            "you have been selected",
            "you've been selected",
            "dear friend",
            "dear sir or madam",
            "this is not spam",
            "this is not a spam",
            "this message is sent in compliance",
            "we are contacting you",
            "i am contacting you",
            "i'm contacting you",
            "we have been helping",
            "we're excited to announce",
            "i am excited to share",
            "congratulations you have",
            "this is a one time mailing",
            "this is a one-time mailing",
            "you are invited to",
            "we would like to offer",
            "i would like to offer",
            "i'd love to tell you about",
            "i wanted to introduce",
        ],
    ),
    (
        Cue::Value,
        &[
            "companies like yours",
            "guaranteed",
            "lose weight",
            "slim down",
            "free legal advice",
            "low rates",
            "interest rates",
            "refinance your",
            "refinancing",
            "mortgage",
            "no set up fees",
            "no application fees",
            "no money down",
            "merchant account",
            "accept credit cards",
            "making money",
            "money making",
            "cheap",
            "lowest",
            "satisfaction",
            "best deal",
            "great deal",
            "savings",
            "limited offer",
            "new software",
            "full version",
            "order form",
            "per cent",
            "opportunity",
            "businesses like yours",
            "teams like yours",
            "grow your business",
            "increase your sales",
            "boost your sales",
            "increase sales",
            "boost your",
            "scale your",
            "generate more leads",
            "lead generation",
            "more leads",
            "more customers",
            "new customers",
            "save money",
            "save up to",
            "save time and money",
            "cut costs",
            "reduce costs",
            "return on investment",
            "roi",
            "our solution",
            "our platform",
            "our product",
            "our products",
            "our services",
            "our service",
            "our software",
            "our tool",
            "our app",
            "our team of experts",
            "free trial",
            "free consultation",
            "free quote",
            "free estimate",
            "no obligation",
            "risk free",
            "risk-free",
            "money back guarantee",
            "100 guaranteed",
            "guaranteed results",
            "satisfaction guaranteed",
            "best price",
            "best prices",
            "lowest price",
            "lowest prices",
            "lowest rates",
            "low rates",
            "special offer",
            "special promotion",
            "exclusive offer",
            "discount",
            "half price",
            "make money",
            "earn money",
            "extra income",
            "earn extra",
            "additional income",
            "work from home",
            "financial freedom",
            "be your own boss",
            "million dollars",
            "per week",
            "per month from home",
            "cash",
            "credit card",
            "credit report",
            "credit rating",
            "bad credit",
            "mortgage rates",
            "refinance",
            "lower your",
            "debt",
            "loan",
            "investment opportunity",
            "business opportunity",
            "opportunity to",
            "amazing",
            "incredible",
            "revolutionary",
            "cutting edge",
            "state of the art",
            "industry leading",
            "best in class",
            "world class",
            "top rated",
            "no cost",
            "at no cost",
            "absolutely free",
            "100 free",
            "free gift",
            "free access",
            "for free",
            "free of charge",
            "brand new",
            "weight loss",
            "lose weight",
            "viagra",
            "prescription",
            "pharmacy",
            "casino",
            "lottery",
            "winner",
            "prize",
            "dollars",
            "wholesale",
            "marketing",
            "email marketing",
            "bulk email",
            "website traffic",
            "search engine",
            "seo",
            "top of google",
            "increase traffic",
            "insurance",
            "affordable",
            "unlimited",
            "profits",
            "profit",
            "income",
            "wealth",
            "investors",
            "offer",
            "customers",
            "clients",
            "sales",
            "products",
        ],
    ),
    (
        Cue::Action,
        &[
            "schedule a call",
            "for details",
            "call our",
            "call me at",
            "toll free number",
            "reply to be removed",
            "fill out our",
            "fill out the form",
            "lock in",
            "click here to",
            "take a minute to",
            "check out the demo",
            "learn how to",
            "order online",
            "order yours",
            "buy online",
            "visit our",
            "join today",
            "try it free",
            "try it now",
            "download now",
            "get it now",
            "call toll-free",
            "call 1",
            "reply now",
            "reply today",
            "send your",
            "email us",
            "start saving",
            "start earning",
            "see for yourself",
            "find out how",
            "act before",
            "request your",
            "get a free",
            "receive your free",
            "book a call",
            "hop on a call",
            "jump on a call",
            "15 minute call",
            "15 minutes",
            "15-minute",
            "20 minutes",
            "30 minute call",
            "set up a call",
            "set up a demo",
            "book a demo",
            "schedule a demo",
            "see a demo",
            "request a demo",
            "get a demo",
            "free demo",
            "would you be open to",
            "are you open to",
            "open to a conversation",
            "open to a chat",
            "worth a conversation",
            "worth a chat",
            "let me know if you're interested",
            "let me know if you are interested",
            "if you are interested",
            "if you're interested",
            "if interested",
            "interested in learning more",
            "learn more",
            "find out more",
            "reply to this email",
            "reply with",
            "call now",
            "call us",
            "call toll free",
            "toll free",
            "call today",
            "visit our website",
            "visit our site",
            "visit us at",
            "click here",
            "click below",
            "click the link",
            "click on the link",
            "order now",
            "order today",
            "buy now",
            "sign up",
            "sign up now",
            "register now",
            "to be removed",
            "remove from our list",
            "removed from our mailing list",
            "don't delete",
            "act now",
            "apply now",
            "apply online",
            "get started",
            "start today",
            "claim your",
            "get your",
            "send for your",
            "what are you waiting for",
            "is your calendar open",
            "when are you free",
            "grab 15 minutes",
            "check out our",
            "take a look at our",
            "contact us",
            "contact me today",
            "respond now",
            "for more information",
            "for more info",
            "more information",
        ],
    ),
    (
        Cue::NotSelling,
        &[
            "not trying to sell",
            "not selling anything",
            "i'm not selling",
            "no sales pitch",
            "not a sales pitch",
            "this isn't a sales pitch",
            "this is not a sales pitch",
            "not here to sell",
            "no strings attached",
        ],
    ),
    (
        Cue::Bump,
        &[
            "just following up",
            "following up on my",
            "following up on our",
            "follow up on my",
            "following up to see",
            "circling back",
            "circle back",
            "bumping this",
            "bump this",
            "bumping this up",
            "did you get my last message",
            "did you get our last message",
            "did you get my email",
            "did you get my previous",
            "did you see my last",
            "did you see my message",
            "did you have a chance",
            "have you had a chance",
            "any update on",
            "any thoughts on my",
            "haven't heard back",
            "have not heard back",
            "not heard back",
            "checking in again",
            "checking in to see",
            "just checking in",
            "wanted to follow up",
            "following up on the below",
            "as per my last email",
            "as per my previous",
            "resending",
            "sending this again",
            "floating this",
            "in case you missed",
            "making sure you saw",
            "top of your inbox",
        ],
    ),
    (
        Cue::Decline,
        &[
            "not interested",
            "no thank you",
            "no thanks",
            "please remove me",
            "remove me from",
            "stop contacting me",
            "stop emailing me",
            "stop messaging me",
            "don't contact me",
            "do not contact me",
            "unsubscribe me",
            "take me off",
            "can't take on",
            "cannot take on",
            "can't take this on",
            "not able to take on",
            "unable to take on",
            "all i can keep up with",
            "i have to decline",
            "i must decline",
            "i'll have to decline",
            "i will have to decline",
            "i'm going to pass",
            "i will pass",
            "i'll pass",
            "not for us",
            "not a fit",
            "not a good fit",
            "we're all set",
            "we are all set",
            "not the right time",
            "no longer interested",
            "leave me alone",
            "not something i can",
            "don't have the bandwidth",
            "do not have the bandwidth",
            "no capacity",
            "respectfully decline",
            "politely decline",
            "not going to be able",
        ],
    ),
    (
        Cue::SoftDecline,
        &[
            "unfortunately",
            "i'm afraid",
            "i am afraid",
            "not at this time",
            "not right now",
            "maybe another time",
            "too busy",
            "at capacity",
            "regret",
        ],
    ),
    (
        Cue::Favor,
        &[
            "endorse me",
            "endorse my",
            "endorsement",
            "recommendation for me",
            "write me a recommendation",
            "write a recommendation",
            "linkedin recommendation",
            "a reference for me",
            "be a reference",
            "refer me",
            "referral",
            "put in a good word",
            "introduce me to",
            "introduction to",
            "intro to",
            "connect me with",
            "connect me to",
            "put me in touch",
            "your network",
            "share my post",
            "share this post",
            "share our post",
            "share the post",
            "share my article",
            "share this with your",
            "share it with your",
            "tweet about",
            "your followers",
            "post and share",
            "share the text",
            "tweet this",
            "retweet",
            "post about",
            "post this",
            "post it on",
            "like and share",
            "like my post",
            "comment on my post",
            "pick your brain",
            "free advice",
            "your advice on",
            "your feedback on",
            "your thoughts on",
            "get your thoughts",
            "give us your thoughts",
            "give me your thoughts",
            "give feedback",
            "review my",
            "look over my",
            "watch a demo",
            "watch our demo",
            "watch the demo",
            "watch this demo",
            "watch our video",
            "try our product",
            "test our product",
            "beta test",
            "fill out our survey",
            "take our survey",
            "coffee chat",
            "virtual coffee",
            "buy you a coffee",
            "a few minutes of your time",
            "minutes of your time",
            "vote for",
            "sign our petition",
            "sign the petition",
            "donate",
            "spread the word",
            "help us spread",
            "mentor me",
            "be my mentor",
            "use cases",
        ],
    ),
    (
        Cue::Urgency,
        &[
            "asap",
            "as soon as possible",
            "act now",
            "act this week",
            "act today",
            "act fast",
            "limited time",
            "limited time offer",
            "for a limited time",
            "offer expires",
            "expires soon",
            "expires today",
            "expires tonight",
            "today only",
            "only today",
            "this week only",
            "ends tonight",
            "ends today",
            "ends friday",
            "last chance",
            "final chance",
            "don't miss out",
            "do not miss out",
            "don't miss this",
            "hurry",
            "urgent",
            "urgently",
            "immediately",
            "right away",
            "time sensitive",
            "time-sensitive",
            "before it's too late",
            "while supplies last",
            "only a few left",
            "only a few spots",
            "spots are filling",
            "respond within",
            "time is running out",
            "running out of time",
            "final notice",
            "final reminder",
            "once in a lifetime",
            "deadline is",
            "by end of day",
            "by tomorrow",
            "within 24 hours",
            "within 48 hours",
            "now or never",
            "don't wait",
            "do not wait",
        ],
    ),
    (
        Cue::Incentive,
        &[
            "in return",
            "in exchange",
            "free t-shirt",
            "free t shirt",
            "free tshirt",
            "free shirt",
            "free swag",
            "gift card",
            "amazon voucher",
            "voucher",
            "for your time",
            "as a thank you",
            "as a token of",
            "we'll send you",
            "we will send you",
            "i'll send you a",
            "we'll pay you",
            "we will pay you",
            "i'll pay you",
            "compensate you",
            "you'll receive",
            "you will receive",
            "you'll get a",
            "you will get a",
            "cash back",
            "free gift",
        ],
    ),
    (
        Cue::Verbatim,
        &[
            "copy and paste",
            "copy paste",
            "post the following",
            "share the following",
            "tweet the following",
            "share the text below",
            "post the text below",
            "text below",
            "here is the text",
            "here's the text",
            "here's what to post",
            "here is what to post",
            "suggested post",
            "suggested tweet",
            "sample post",
            "sample tweet",
            "prepared text",
            "pre-written",
            "prewritten",
            "verbatim",
            "word for word",
            "exactly as written",
            "use this text",
        ],
    ),
    (
        Cue::Guilt,
        &[
            "i'm disappointed",
            "i am disappointed",
            "disappointed you haven't",
            "surprised you haven't",
            "surprised i haven't heard",
            "i guess you're too busy",
            "guess you're too busy",
            "i thought you cared",
            "would mean the world",
            "it only takes a minute",
            "would only take a minute",
            "only take a minute",
            "only take a second",
            "it'll only take a minute",
            "it will only take a minute",
            "only takes a second",
            "you must have missed",
            "since you didn't respond",
            "since you haven't responded",
            "since you never replied",
            "you never replied",
            "ignoring me",
            "ignore my",
            "least you could do",
            "i'd hate for you to miss",
            "don't let me down",
            "everyone else has",
            "your competitors already",
        ],
    ),
    (
        Cue::Ask,
        &[
            "would you",
            "could you",
            "can you",
            "will you",
            "would it be possible",
            "are you able",
            "reconsider",
            "change your mind",
            "let me know if",
            "are you available",
            "do you have time",
            "i'd love to",
            "i would love to",
            "i was hoping",
            "hoping you could",
            "hoping you might",
            "any chance",
            "interested in",
        ],
    ),
    (
        Cue::Invite,
        &[
            "call",
            "demo",
            "meet",
            "meeting",
            "talk",
            "chat",
            "send me",
            "send over",
            "more information",
            "more details",
            "pricing",
            "proposal",
            "schedule",
            "availability",
            "when are you free",
        ],
    ),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::normalize::{phrase_key, tokenize};

    fn cues(text: &str) -> Vec<(Cue, String)> {
        let t = tokenize(text);
        Lexicon::builtin()
            .scan(&t, |_| true)
            .into_iter()
            .map(|h| (h.cue, h.phrase))
            .collect()
    }

    #[test]
    fn whole_words_only() {
        assert!(cues("Please reply ASAP.")
            .iter()
            .any(|(c, _)| *c == Cue::Urgency));
        assert!(!cues("ASAPH wrote this")
            .iter()
            .any(|(c, _)| *c == Cue::Urgency));
    }

    #[test]
    fn robust_to_wording_and_markup() {
        let hits = cues("Just<br>FOLLOWING   up — did you get my <b>last</b> message?");
        assert!(
            hits.iter()
                .any(|(c, p)| *c == Cue::Bump && p == "did you get my last message"),
            "{hits:?}"
        );
        assert!(cues("I’m reaching\nout because")
            .iter()
            .any(|(c, _)| *c == Cue::Intro));
    }

    #[test]
    fn spans_point_at_the_original() {
        let text = "Héllo, please act THIS week!";
        let t = tokenize(text);
        let hit = Lexicon::builtin()
            .scan(&t, |_| true)
            .into_iter()
            .find(|h| h.cue == Cue::Urgency)
            .unwrap();
        let s: String = text
            .chars()
            .skip(hit.span.0)
            .take(hit.span.1 - hit.span.0)
            .collect();
        assert_eq!(s, "act THIS week");
    }

    #[test]
    fn fillers_never_reduce_a_phrase_to_one_word() {
        for (_, list) in BUILTIN {
            for phrase in list.iter() {
                let words = tokenize(phrase).len();
                let key = phrase_key(phrase);
                assert!(
                    words == 1 || key.contains(' '),
                    "{phrase:?} folds to the single word {key:?}"
                );
            }
        }
    }

    #[test]
    fn edits_add_and_remove() {
        let added = vec!["synergy workshop".to_string()];
        let removed = vec!["ASAP".to_string()];
        let lex = Lexicon::with_edits(&[("pitch", &added, &[]), ("pressure", &[], &removed)]);
        let t = tokenize("Join our Synergy Workshop asap");
        let hits = lex.scan(&t, |_| true);
        assert!(hits.iter().any(|h| h.cue == Cue::Intro));
        assert!(!hits.iter().any(|h| h.phrase == "asap"));
    }
}
