use criterion::{criterion_group, Criterion};
use rapport::engine::{analyze, Index};
use rapport::model::{
    Channel, Contact, Direction, Draft, Identity, Message, Party, Recipient, DAY,
};
use rapport::settings::Settings;
use std::time::Instant;

#[path = "../../tools/bench/counting_alloc.rs"]
mod counting_alloc;

const NOW: i64 = 1_795_000_000_000;
const WORDS: &[&str] = &[
    "project", "budget", "review", "meeting", "thanks", "draft", "numbers", "team", "plan",
    "launch", "client", "update", "schedule", "contract", "invoice", "notes", "design", "feedback",
    "week", "friday", "call", "report", "quarter", "hiring", "office", "travel", "dinner",
    "samples", "order", "shipping", "pricing", "legal", "board", "roadmap", "metrics", "churn",
    "growth", "support",
];

/// xorshift64*: seeded, so every run builds the same history.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn sentence(rng: &mut Rng, words: usize) -> String {
    let mut s = String::new();
    for i in 0..words {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(WORDS[rng.below(WORDS.len())]);
    }
    s
}

fn contact_identity(i: usize) -> Identity {
    Identity::Email(format!("person{i}@company{}.com", i % 997))
}

fn build(messages: usize) -> Index {
    let contacts = (messages / 5).max(1);
    let mut rng = Rng(0x5eed ^ messages as u64);
    let mut index = Index::new();
    for i in 0..contacts {
        index.add_contact(Contact {
            id: format!("c{i}"),
            identities: vec![contact_identity(i)],
            names: vec![format!("Person{i} Surname{}", i % 311)],
            ..Contact::default()
        });
    }
    let me = Party {
        name: Some("Dana Okafor".into()),
        identity: Some(Identity::Email("dana@okafor.co".into())),
    };
    for m in 0..messages {
        let c = rng.below(contacts);
        let them = Party {
            name: Some(format!("Person{c} Surname{}", c % 311)),
            identity: Some(contact_identity(c)),
        };
        let sent = rng.below(2) == 0;
        // One sent message in twenty is one of fifty templates, so LSH buckets fill up
        // the way real outreach does.
        let text = if sent && rng.below(20) == 0 {
            let t = rng.below(50);
            format!(
                "Hi Person{c},\n\n{}\n\nBest,\nDana",
                sentence(&mut Rng(t as u64 + 1), 60)
            )
        } else {
            format!(
                "Hi,\n\n{}.\n\n{}.\n\nThanks",
                sentence(&mut rng, 25),
                sentence(&mut rng, 20)
            )
        };
        index.add_message(Message {
            id: format!("m{m}"),
            channel: if rng.below(4) == 0 {
                Channel::Linkedin
            } else {
                Channel::Email
            },
            direction: if sent {
                Direction::Sent
            } else {
                Direction::Received
            },
            from: if sent { me.clone() } else { them.clone() },
            to: vec![if sent { them } else { me.clone() }],
            time: NOW - rng.below(1000) as i64 * DAY - rng.below(86_400_000) as i64,
            subject: None,
            text,
            conversation: None,
            operator: None,
        });
    }
    index
}

fn two_kb_draft(contact: usize) -> Draft {
    let mut rng = Rng(42);
    let mut text = format!("Hi Person{contact},\n\nMy name is Dana and I'm reaching out because we help companies like yours. ");
    while text.len() < 2000 {
        text.push_str(&sentence(&mut rng, 12));
        text.push_str(". ");
    }
    text.push_str("\n\nWould you be open to a quick call?\n\nBest,\nDana");
    Draft {
        text,
        quoted: None,
        subject: None,
        channel: Channel::Linkedin,
        recipients: vec![Recipient {
            name: Some(format!("Person{contact} Surname{}", contact % 311)),
            identity: Some(contact_identity(contact)),
        }],
        operator: None,
        time: NOW,
        conversation: None,
    }
}

/// This thread's CPU time in milliseconds: unlike wall time it does not count the
/// time slices other processes took while the draft was being analysed.
fn thread_cpu_ms() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime only writes the timespec we pass.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 * 1e3 + ts.tv_nsec as f64 / 1e6
}

/// (median, p99) of wall time and of thread CPU time, in ms, over 2,000 runs.
fn percentiles(index: &Index, draft: &Draft, settings: &Settings) -> [(f64, f64); 2] {
    let mut wall = Vec::with_capacity(2000);
    let mut cpu = Vec::with_capacity(2000);
    for _ in 0..2000 {
        let (t, c) = (Instant::now(), thread_cpu_ms());
        std::hint::black_box(analyze(index, draft, settings));
        cpu.push(thread_cpu_ms() - c);
        wall.push(t.elapsed().as_secs_f64() * 1e3);
    }
    [wall, cpu].map(|mut v| {
        v.sort_by(|a, b| a.total_cmp(b));
        (v[v.len() / 2], v[v.len() * 99 / 100])
    })
}

fn bench(c: &mut Criterion) {
    let settings = Settings::default();
    for size in [1_000, 10_000, 100_000] {
        let before = counting_alloc::live_bytes();
        let index = build(size);
        let bytes = counting_alloc::live_bytes() - before;
        let draft = two_kb_draft(7);
        let parts: Vec<String> = index
            .memory_breakdown()
            .iter()
            .map(|(n, b)| format!("{n} {:.1} MB", *b as f64 / 1048576.0))
            .collect();
        println!("  index tables: {}", parts.join(", "));
        let [(median, p99), (cpu_median, cpu_p99)] = percentiles(&index, &draft, &settings);
        println!(
            "history {size:>6} messages / {:>5} contacts: index {:.1} MB (estimate {:.1} MB); analyze median {median:.3} ms, p99 {p99:.3} ms (wall); thread CPU median {cpu_median:.3} ms, p99 {cpu_p99:.3} ms; {} warnings",
            size / 5,
            bytes as f64 / 1048576.0,
            index.memory_estimate() as f64 / 1048576.0,
            analyze(&index, &draft, &settings).warnings.len()
        );
        c.bench_function(&format!("analyze_2kb_draft_{size}_messages"), |b| {
            b.iter(|| analyze(&index, &draft, &settings))
        });
    }
}

criterion_group!(benches, bench);

pub fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
