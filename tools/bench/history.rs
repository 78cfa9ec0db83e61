//! Seeded generator of realistic relationship histories for the benchmarks.
//!
//! Shared by `examples/gen_history.rs` (writes LinkedIn CSV, mbox and backup files),
//! `examples/bench_native.rs` (builds the engine's index in memory) and the wasm bench
//! (`tools/bench/wasm`), each including this file with `#[path]`: the same seed gives
//! the same history everywhere, without reading a gigabyte of files back.
//!
//! Shape, per the benchmark issue: about five messages per contact, made of a few heavy
//! correspondents (hundreds of messages), many one-off contacts (mostly templated
//! outreach: one template sent to many people with small variations), threads with
//! replies that quote what they answer, polite declines, LinkedIn connections with
//! dates, and people known on both channels (linked by the connection's email address).
//! Text comes from `Pools`: bodies of the SpamAssassin corpus and the case corpus.

use rapport::model::{Channel, Contact, Direction, Identity, Message, Millis, Party, DAY};

/// 2026-11-23T00:00:00Z: every generated time lies before it.
pub const NOW: Millis = 1_795_392_000_000;
pub const OWNER_NAME: &str = "Dana Whitfield";
pub const OWNER_EMAIL: &str = "dana@whitfield.example";
pub const OWNER_SLUG: &str = "dana-whitfield";
const TEMPLATES: usize = 40;

/// Texts the generator draws from. `ham`: ordinary mail bodies; `spam`: unsolicited
/// pitches (templates are made of them); `cases`: texts of the project's case corpus.
#[derive(Debug, Default, Clone, serde::Serialize, serde::Deserialize)]
pub struct Pools {
    pub ham: Vec<String>,
    pub spam: Vec<String>,
    pub cases: Vec<String>,
}

/// xorshift64*: small, seeded and identical natively and in wasm.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    pub fn chance(&mut self, p: f64) -> bool {
        ((self.next() >> 11) as f64 / (1u64 << 53) as f64) < p
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const FIRST: &[&str] = &[
    "Anna",
    "Brian",
    "Carlos",
    "Deepa",
    "Elizabeth",
    "Farid",
    "Grace",
    "Hiroshi",
    "Ines",
    "James",
    "Kavya",
    "Liam",
    "Maria",
    "Noah",
    "Olga",
    "Pedro",
    "Qiu",
    "Rachel",
    "Samuel",
    "Tanya",
    "Umar",
    "Valeria",
    "William",
    "Xin",
    "Yusuf",
    "Zoe",
    "Robert",
    "José",
    "Chloé",
    "Mehmet",
    "Aisha",
    "Lars",
    "Priya",
    "Tomás",
    "Sofia",
    "Daniel",
    "Emily",
    "Kenji",
    "Fatima",
    "Oliver",
    "Ngozi",
    "Mateo",
    "Hannah",
    "Ivan",
    "Leila",
    "Marcus",
    "Nadia",
    "Patrick",
    "Rosa",
    "Stefan",
];
const LAST: &[&str] = &[
    "Miller",
    "Okafor",
    "Garcia",
    "Nair",
    "Chen",
    "Schmidt",
    "Rossi",
    "Kowalski",
    "Haddad",
    "Johnson",
    "Tanaka",
    "Silva",
    "Dubois",
    "Novak",
    "Patel",
    "O'Brien",
    "Fischer",
    "Lopez",
    "Andersen",
    "Kim",
    "Yilmaz",
    "Murphy",
    "Ivanova",
    "Santos",
    "Costa",
    "Berg",
    "Moreau",
    "Hughes",
    "Ortiz",
    "Weber",
    "Van der Berg",
    "Smith-Jones",
    "Park",
    "Ali",
    "Eriksen",
    "Mendes",
    "Fontaine",
    "Bianchi",
    "Sato",
    "Walsh",
];
const DOMAINS: &[&str] = &[
    "gmail.com",
    "outlook.com",
    "acme.example",
    "northwind.example",
    "contoso.example",
    "initech.example",
    "globex.example",
    "umbrella.example",
    "hooli.example",
    "stark.example",
];
const COMPANIES: &[&str] = &[
    "Acme",
    "Northwind",
    "Contoso",
    "Initech",
    "Globex",
    "Umbrella",
    "Hooli",
    "Stark Industries",
    "Wayne Enterprises",
    "Soylent",
];
const POSITIONS: &[&str] = &[
    "Engineer",
    "Founder",
    "VP Sales",
    "Consultant",
    "Recruiter",
    "Designer",
    "CFO",
    "Product Manager",
];
const DECLINES: &[&str] = &[
    "Thank you for thinking of me. Unfortunately, my clients and current projects are all I can keep up with right now.",
    "Not interested, thanks. Please remove me from your list.",
    "No, thank you. We are happy with our current provider.",
    "I appreciate the note, but I can't take this on at the moment.",
];
const VARIATIONS: &[(&str, &str)] = &[
    ("you", "you and your team"),
    ("our", "our team's"),
    ("free", "complimentary"),
    ("now", "this week"),
    ("help", "support"),
];

/// A person the generator made up, with how they are reached.
#[derive(Debug, Clone)]
pub struct Person {
    pub first: &'static str,
    pub last: &'static str,
    pub email: Option<String>,
    pub slug: Option<String>,
    pub connected_on: Option<Millis>,
    pub company: &'static str,
    pub position: &'static str,
    /// How many messages the history holds with them.
    pub messages: usize,
}

impl Person {
    pub fn name(&self) -> String {
        format!("{} {}", self.first, self.last)
    }
    pub fn party(&self, channel: Channel) -> Party {
        let identity = match channel {
            Channel::Email => self.email.clone().map(Identity::Email),
            Channel::Linkedin => self.slug.clone().map(Identity::Linkedin),
        };
        Party {
            name: Some(self.name()),
            identity,
        }
    }
    pub fn contact(&self, id: usize) -> Contact {
        let mut identities = Vec::new();
        if let Some(e) = &self.email {
            identities.push(Identity::Email(e.clone()));
        }
        if let Some(s) = &self.slug {
            identities.push(Identity::Linkedin(s.clone()));
        }
        Contact {
            id: format!("c{id}"),
            identities,
            names: vec![self.name()],
            company: Some(self.company.to_string()),
            position: Some(self.position.to_string()),
            connected_on: self.connected_on,
            ..Contact::default()
        }
    }
}

pub fn owner_party(channel: Channel) -> Party {
    Party {
        name: Some(OWNER_NAME.to_string()),
        identity: Some(match channel {
            Channel::Email => Identity::Email(OWNER_EMAIL.to_string()),
            Channel::Linkedin => Identity::Linkedin(OWNER_SLUG.to_string()),
        }),
    }
}

/// What the generator hands its caller, in order: a person before their messages.
pub enum Item {
    Person(usize, Person),
    Message(Message),
}

/// The first `limit` characters of a body, cut at a word boundary.
fn excerpt(text: &str, limit: usize) -> &str {
    if text.len() <= limit {
        return text;
    }
    let mut end = limit;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    match text[..end].rfind(char::is_whitespace) {
        Some(cut) if cut > limit / 2 => &text[..cut],
        _ => &text[..end],
    }
}

fn template_text(pools: &Pools, template: usize, person: &Person, rng: &mut Rng) -> String {
    let body = excerpt(&pools.spam[template * 7919 % pools.spam.len()], 700);
    let mut text = format!("Hi {},\n\n{body}", person.first);
    // Small per-recipient variations, as outreach tools make them.
    if rng.chance(0.5) {
        let (from, to) = VARIATIONS[rng.below(VARIATIONS.len())];
        text = text.replacen(&format!(" {from} "), &format!(" {to} "), 1);
    }
    if rng.chance(0.3) {
        text.push_str(&format!(
            "\n\nP.S. I saw {} is growing fast.",
            person.company
        ));
    }
    text.push_str(&format!("\n\nBest,\n{OWNER_NAME}"));
    text
}

fn quote(text: &str, who: &str, when: Millis) -> String {
    let date = chrono::DateTime::from_timestamp_millis(when)
        .map(|d| d.format("%a, %d %b %Y at %H:%M").to_string())
        .unwrap_or_default();
    let mut out = format!("\n\nOn {date}, {who} wrote:\n");
    for line in excerpt(text, 400).lines() {
        out.push_str("> ");
        out.push_str(line);
        out.push('\n');
    }
    out
}

fn make_person(i: usize, rng: &mut Rng) -> Person {
    let first = *rng.pick::<&str>(FIRST);
    let last = *rng.pick::<&str>(LAST);
    let plain = |s: &str| {
        s.to_lowercase()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
    };
    let roll = rng.below(100);
    let email = (roll < 65).then(|| {
        format!(
            "{}.{}{i}@{}",
            plain(first),
            plain(last),
            rng.pick::<&str>(DOMAINS)
        )
    });
    let slug = (roll >= 40).then(|| format!("{}-{}-{i:x}", plain(first), plain(last)));
    let connected_on = slug.as_ref().map(|_| {
        if rng.chance(0.05) {
            NOW - rng.below(14 * 24) as Millis * 3_600_000
        } else {
            NOW - rng.below(5 * 365) as Millis * DAY
        }
    });
    // Few heavy correspondents, many one-off contacts: a mean of about five messages.
    let messages = match rng.below(1000) {
        0..=5 => 150 + rng.below(250),
        6..=555 => 1,
        _ => 2 + rng.below(11),
    };
    Person {
        first,
        last,
        email,
        slug,
        connected_on,
        company: rng.pick::<&str>(COMPANIES),
        position: rng.pick::<&str>(POSITIONS),
        messages,
    }
}

/// Generates exactly `total` messages (and the people they are with), calling `emit`
/// for each person and then each of their messages.
pub fn generate(total: usize, seed: u64, pools: &Pools, mut emit: impl FnMut(Item)) {
    let mut rng = Rng::new(seed);
    let mut produced = 0usize;
    let mut next_id = 0usize;
    let mut person_index = 0usize;
    while produced < total {
        let person = make_person(person_index, &mut rng);
        let count = person.messages.min(total - produced);
        let channel = match (&person.email, &person.slug) {
            (Some(_), Some(_)) => {
                if rng.chance(0.5) {
                    Channel::Email
                } else {
                    Channel::Linkedin
                }
            }
            (Some(_), None) => Channel::Email,
            _ => Channel::Linkedin,
        };
        let snapshot = person.clone();
        emit(Item::Person(person_index, person));
        let person = snapshot;
        let start = NOW - (30 + rng.below(3 * 365)) as Millis * DAY;
        let mut time = start;
        let mut left = count;
        let mut conversation = 0;
        while left > 0 {
            // One-off contacts mostly got a template; the rest are threads.
            let thread_len = if count == 1 {
                1
            } else {
                (2 + rng.below(7)).min(left)
            };
            conversation += 1;
            let conv_id = format!("conv-{person_index}-{conversation}");
            let mut previous: Option<(String, String, Millis)> = None;
            let mut direction = if rng.chance(0.6) {
                Direction::Sent
            } else {
                Direction::Received
            };
            for k in 0..thread_len {
                let text = if count == 1 && rng.chance(0.7) {
                    template_text(pools, rng.below(TEMPLATES), &person, &mut rng)
                } else if direction == Direction::Received
                    && k + 1 == thread_len
                    && rng.chance(0.08)
                {
                    format!(
                        "Hi {},\n\n{}\n\n{}",
                        OWNER_NAME.split(' ').next().unwrap_or(""),
                        rng.pick::<&str>(DECLINES),
                        person.first
                    )
                } else {
                    let pool = if rng.chance(0.1) && !pools.cases.is_empty() {
                        &pools.cases
                    } else {
                        &pools.ham
                    };
                    let body = excerpt(rng.pick::<String>(pool), 900);
                    let (greet, sign) = match direction {
                        Direction::Sent => (person.first, OWNER_NAME),
                        Direction::Received => {
                            (OWNER_NAME.split(' ').next().unwrap_or(""), person.first)
                        }
                    };
                    let mut text = format!("Hi {greet},\n\n{body}\n\n{sign}");
                    if let Some((prev, who, when)) = &previous {
                        if rng.chance(0.4) {
                            text.push_str(&quote(prev, who, *when));
                        }
                    }
                    text
                };
                let (from, to) = match direction {
                    Direction::Sent => (owner_party(channel), vec![person.party(channel)]),
                    Direction::Received => (person.party(channel), vec![owner_party(channel)]),
                };
                let who = from.name.clone().unwrap_or_default();
                emit(Item::Message(Message {
                    id: format!("gen-{next_id}@bench.rapport"),
                    channel,
                    direction,
                    from,
                    to,
                    time,
                    subject: (channel == Channel::Email).then(|| {
                        let first_line = excerpt(text.lines().nth(2).unwrap_or("Hello"), 60);
                        if k == 0 {
                            first_line.to_string()
                        } else {
                            format!("Re: {first_line}")
                        }
                    }),
                    text: text.clone(),
                    conversation: Some(conv_id.clone()),
                    operator: None,
                }));
                previous = Some((text, who, time));
                next_id += 1;
                direction = match direction {
                    Direction::Sent if rng.chance(0.7) => Direction::Received,
                    Direction::Received => Direction::Sent,
                    same => same,
                };
                time += (1 + rng.below(72)) as Millis * 3_600_000;
            }
            left -= thread_len;
            time += rng.below(60) as Millis * DAY;
            time = time.min(NOW - 3_600_000);
        }
        produced += count;
        person_index += 1;
    }
}

/// A draft of about 2 KB (a pitch from the case corpus, then ordinary text) to `to`.
pub fn two_kb_draft(
    pools: &Pools,
    to: &Person,
    channel: Channel,
    seed: u64,
) -> rapport::model::Draft {
    let mut rng = Rng::new(seed);
    let mut text = format!("Hi {},\n\n", to.first);
    let opener = if pools.cases.is_empty() {
        rng.pick(&pools.spam)
    } else {
        rng.pick(&pools.cases)
    };
    text.push_str(excerpt(opener, 600));
    while text.len() < 1900 {
        text.push_str("\n\n");
        let room = 1950 - text.len();
        text.push_str(excerpt(rng.pick::<String>(&pools.ham), room.min(600)));
    }
    text.push_str(&format!("\n\nBest,\n{OWNER_NAME}"));
    let party = to.party(channel);
    rapport::model::Draft {
        text,
        quoted: None,
        subject: None,
        channel,
        recipients: vec![rapport::model::Recipient {
            name: party.name,
            identity: party.identity,
        }],
        operator: None,
        time: NOW,
        conversation: None,
    }
}

/// Picks the recipients of the benchmark drafts while a history is generated: the
/// heaviest correspondent, people with a short history, one-off contacts, and someone
/// the history does not know.
#[derive(Default)]
pub struct DraftPicker {
    pub heaviest: Option<Person>,
    regular: Vec<Person>,
    one_off: Vec<Person>,
}

fn channel_of(p: &Person) -> Channel {
    if p.slug.is_some() {
        Channel::Linkedin
    } else {
        Channel::Email
    }
}

impl DraftPicker {
    pub fn observe(&mut self, person: &Person) {
        if self
            .heaviest
            .as_ref()
            .is_none_or(|h| person.messages > h.messages)
        {
            self.heaviest = Some(person.clone());
        }
        if (3..=12).contains(&person.messages) && self.regular.len() < 8 {
            self.regular.push(person.clone());
        } else if person.messages == 1 && self.one_off.len() < 4 {
            self.one_off.push(person.clone());
        }
    }

    /// Fourteen 2 KB drafts, each labelled with the kind of recipient.
    pub fn drafts(&self, pools: &Pools, seed: u64) -> Vec<(&'static str, rapport::model::Draft)> {
        let mut rng = Rng::new(seed);
        let stranger = Person {
            first: "Morgan",
            last: "Nobody",
            email: Some("morgan.nobody@nowhere.example".into()),
            slug: None,
            connected_on: None,
            company: "Nowhere",
            position: "Engineer",
            messages: 0,
        };
        let mut out = Vec::new();
        let labelled = self
            .heaviest
            .iter()
            .map(|p| ("heaviest", p))
            .chain(self.regular.iter().map(|p| ("regular", p)))
            .chain(self.one_off.iter().map(|p| ("one-off", p)))
            .chain(std::iter::once(("stranger", &stranger)));
        for (kind, person) in labelled {
            out.push((
                kind,
                two_kb_draft(pools, person, channel_of(person), rng.next()),
            ));
        }
        out
    }
}
