//! Native benchmarks on the generated histories (`examples/gen_history.rs`). Prints one
//! JSON object per line; `tools/bench/report.mjs` turns them into BENCHMARKS.md.
//!
//!   cargo run --profile native --example bench_native -- analyze 1k 10k 100k 1m
//!   cargo run --profile native --example bench_native -- import bench/data/100k
//!   cargo run --profile native --example bench_native -- neardup bench/data/100k [DOCS] [QUERIES]
//!
//! `analyze` regenerates each history in memory from the same seed as the files (no
//! gigabyte JSON to parse back) and times the engine on 2 KB drafts. `import` feeds the
//! exported files through the library's push importer in 1 MB chunks, as the options
//! page does. `neardup` writes the masked word sequences and the exact-Jaccard truth that
//! `tools/bench/neardup_datasketch.py` compares against, and times the engine's MinHash/LSH.

#[path = "../tools/bench/history.rs"]
#[allow(dead_code)]
mod history;

use history::{Item, Pools};
use rapport::engine::{analyze, Index};
use rapport::import::{Importer, Me};
use rapport::model::Direction;
use rapport::settings::Settings;
use rapport::text::minhash;
use rapport::text::normalize::tokenize;
use serde_json::json;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::path::{Path, PathBuf};
use std::time::Instant;

#[path = "../tools/bench/counting_alloc.rs"]
mod counting_alloc;

const SEED: u64 = 1;

/// Band keys are xxh3 outputs already: the buckets use them as their own hash, as the
/// engine's index does.
#[derive(Default)]
struct PassThrough(u64);

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
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn load_pools(data: &Path) -> Pools {
    let path = data.join("pools.json");
    let bytes = std::fs::read(&path).unwrap_or_else(|e| {
        fail(&format!(
            "{}: {e} (run the generator first: cargo run --release --example gen_history)",
            path.display()
        ))
    });
    serde_json::from_slice(&bytes).unwrap_or_else(|e| fail(&format!("{}: {e}", path.display())))
}

fn fail(message: &str) -> ! {
    eprintln!("bench_native: {message}");
    std::process::exit(2)
}

fn parse_size(s: &str) -> usize {
    let lower = s.to_ascii_lowercase();
    let (digits, scale) = match lower.chars().last() {
        Some('k') => (&lower[..lower.len() - 1], 1_000),
        Some('m') => (&lower[..lower.len() - 1], 1_000_000),
        _ => (&lower[..], 1),
    };
    digits
        .parse::<usize>()
        .map(|n| n * scale)
        .unwrap_or_else(|_| fail(&format!("`{s}` is not a size")))
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn analyze_sizes(data: &Path, sizes: &[usize]) {
    let pools = load_pools(data);
    let settings = Settings::default();
    for &size in sizes {
        let before = counting_alloc::live_bytes();
        let t0 = Instant::now();
        let mut index = Index::new();
        let mut picker = history::DraftPicker::default();
        history::generate(size, SEED, &pools, |item| match item {
            Item::Person(i, person) => {
                picker.observe(&person);
                index.add_contact(person.contact(i));
            }
            Item::Message(m) => index.add_message(m),
        });
        let build_s = t0.elapsed().as_secs_f64();
        let bytes = counting_alloc::live_bytes() - before;

        let drafts = picker.drafts(&pools, size as u64);
        // Warm caches and the lazily built phrase lexicon first.
        for (_, d) in &drafts {
            std::hint::black_box(analyze(&index, d, &settings));
        }
        let rounds = if size >= 1_000_000 { 150 } else { 300 };
        let mut all = Vec::new();
        let mut heaviest = Vec::new();
        let mut warnings = 0;
        for _ in 0..rounds {
            for (kind, d) in &drafts {
                let t = Instant::now();
                let verdict = std::hint::black_box(analyze(&index, d, &settings));
                let ms = t.elapsed().as_secs_f64() * 1e3;
                warnings += verdict.warnings.len();
                all.push(ms);
                if *kind == "heaviest" {
                    heaviest.push(ms);
                }
            }
        }
        all.sort_by(f64::total_cmp);
        heaviest.sort_by(f64::total_cmp);
        let draft_bytes =
            drafts.iter().map(|(_, d)| d.text.len()).sum::<usize>() / drafts.len().max(1);
        println!(
            "{}",
            json!({
                "bench": "analyze-native",
                "messages": size,
                "contacts": index.contact_count(),
                "index_build_s": build_s,
                "index_mb": bytes as f64 / 1_048_576.0,
                "draft_bytes": draft_bytes,
                "drafts": drafts.len(),
                "runs": all.len(),
                "p50_ms": percentile(&all, 0.5),
                "p99_ms": percentile(&all, 0.99),
                "heaviest_messages": picker.heaviest.as_ref().map(|p| p.messages),
                "heaviest_p50_ms": percentile(&heaviest, 0.5),
                "heaviest_p99_ms": percentile(&heaviest, 0.99),
                "warnings_per_draft": warnings as f64 / all.len().max(1) as f64,
            })
        );
        drop(index);
    }
}

/// CPU time of this thread in seconds: unlike wall time it leaves out the time slices
/// other processes took, which on the shared 2-core machine is most of a short run.
#[cfg(not(target_arch = "wasm32"))]
fn thread_cpu_s() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime only writes the timespec we pass.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 + ts.tv_nsec as f64 / 1e9
}

/// Built for wasm32 only so clippy checks every target there; never run.
#[cfg(target_arch = "wasm32")]
fn thread_cpu_s() -> f64 {
    f64::NAN
}

fn owner() -> Me {
    Me::parse([
        history::OWNER_NAME,
        history::OWNER_EMAIL,
        &format!("https://www.linkedin.com/in/{}", history::OWNER_SLUG),
    ])
}

/// `target`: a history folder (its messages.csv and mail.mbox) or one file.
fn import_files(target: &Path) {
    let paths: Vec<PathBuf> = if target.is_dir() {
        vec![target.join("messages.csv"), target.join("mail.mbox")]
    } else {
        vec![target.to_path_buf()]
    };
    for path in &paths {
        let path = path.as_path();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let name = name.as_str();
        let bytes =
            std::fs::read(path).unwrap_or_else(|e| fail(&format!("{}: {e}", path.display())));
        let mut best = f64::INFINITY;
        let mut best_cpu = f64::INFINITY;
        let mut messages = 0;
        // Best of three (the machine is shared, the best run is the least disturbed);
        // one pass for the gigabyte files of the 1M history.
        let runs = if bytes.len() > 200 << 20 { 1 } else { 3 };
        for _ in 0..runs {
            let t = Instant::now();
            let cpu = thread_cpu_s();
            let mut importer = Importer::new(name, &bytes[..bytes.len().min(4096)], owner())
                .unwrap_or_else(|e| fail(&e.to_string()));
            let mut count = 0;
            for chunk in bytes.chunks(1 << 20) {
                for batch in importer
                    .push(chunk)
                    .unwrap_or_else(|e| fail(&e.to_string()))
                {
                    count += batch.messages.len();
                }
            }
            let (rest, _report) = importer.finish().unwrap_or_else(|e| fail(&e.to_string()));
            count += rest.iter().map(|b| b.messages.len()).sum::<usize>();
            best = best.min(t.elapsed().as_secs_f64());
            best_cpu = best_cpu.min(thread_cpu_s() - cpu);
            messages = count;
        }
        println!(
            "{}",
            json!({
                "bench": "import-native",
                "file": path.strip_prefix(root()).unwrap_or(path).display().to_string(),
                "format": if name.ends_with(".csv") { "linkedin-csv" } else { "mbox" },
                "bytes": bytes.len(),
                "messages": messages,
                "seconds": best,
                "mb_per_s": bytes.len() as f64 / 1_048_576.0 / best,
                "messages_per_s": messages as f64 / best,
                "cpu_seconds": best_cpu,
                "cpu_mb_per_s": bytes.len() as f64 / 1_048_576.0 / best_cpu,
                "cpu_messages_per_s": messages as f64 / best_cpu,
            })
        );
        // The comparison with Python runs on the 100k history only.
        if name.ends_with(".csv") && bytes.len() <= 200 << 20 {
            python_work_in_rust(path);
        }
    }
}

/// What tools/bench/python_import.py does with messages.csv, in Rust: the `csv` crate
/// splitting every row (UTF-8 checked), the date parsed, the recipient URLs split. It
/// tells the importer's own per-row work (model values) from the reading itself.
fn python_work_in_rust(path: &Path) {
    use chrono::format::{parse, Parsed, StrftimeItems};
    let bytes = std::fs::read(path).unwrap_or_else(|e| fail(&format!("{}: {e}", path.display())));
    let date_format = StrftimeItems::new("%Y-%m-%d %H:%M:%S UTC")
        .parse()
        .unwrap_or_else(|e| fail(&e.to_string()));
    let mut best = f64::INFINITY;
    let mut best_cpu = f64::INFINITY;
    let mut rows = 0;
    for _ in 0..3 {
        let (t, cpu) = (Instant::now(), thread_cpu_s());
        let mut reader = csv::Reader::from_reader(&bytes[..]);
        let headers = reader
            .headers()
            .unwrap_or_else(|e| fail(&e.to_string()))
            .clone();
        let column = |name: &str| {
            headers
                .iter()
                .position(|h| h == name)
                .unwrap_or_else(|| fail(&format!("no {name} column")))
        };
        let (date, urls) = (column("DATE"), column("RECIPIENT PROFILE URLS"));
        let mut record = csv::StringRecord::new();
        let mut count = 0;
        while reader
            .read_record(&mut record)
            .unwrap_or_else(|e| fail(&e.to_string()))
        {
            if record.len() < headers.len() {
                continue;
            }
            let mut parsed = Parsed::new();
            std::hint::black_box(parse(&mut parsed, &record[date], date_format.iter()).is_ok());
            std::hint::black_box(record[urls].split(';').count());
            count += 1;
        }
        best = best.min(t.elapsed().as_secs_f64());
        best_cpu = best_cpu.min(thread_cpu_s() - cpu);
        rows = count;
    }
    println!(
        "{}",
        json!({
            "bench": "import-native-baseline",
            "file": path.strip_prefix(root()).unwrap_or(path).display().to_string(),
            "format": "linkedin-csv",
            "what": "the csv crate splitting every row, the date parsed, the recipient URLs split",
            "bytes": bytes.len(),
            "messages": rows,
            "seconds": best,
            "mb_per_s": bytes.len() as f64 / 1_048_576.0 / best,
            "messages_per_s": rows as f64 / best,
            "cpu_seconds": best_cpu,
            "cpu_mb_per_s": bytes.len() as f64 / 1_048_576.0 / best_cpu,
            "cpu_messages_per_s": rows as f64 / best_cpu,
        })
    );
}

fn shingles(words: &[&str]) -> Vec<u64> {
    let mut out: Vec<u64> = words
        .windows(3)
        .map(|w| xxhash_rust::xxh3::xxh3_64(w.join(" ").as_bytes()))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// The engine's MinHash/LSH against exact Jaccard on the sent messages of a history.
fn near_duplicates(dir: &Path, docs_wanted: usize, queries_wanted: usize) {
    let backup_path = dir.join("backup.json");
    let bytes = std::fs::read(&backup_path)
        .unwrap_or_else(|e| fail(&format!("{}: {e}", backup_path.display())));
    #[derive(serde::Deserialize)]
    struct Messages {
        messages: Vec<rapport::model::Message>,
    }
    let all: Messages = serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| fail(&format!("{}: {e}", backup_path.display())));
    drop(bytes);
    // The corpus: sent messages' masked word sequences, as the engine compares them.
    let mut docs: Vec<Vec<String>> = Vec::new();
    for m in all
        .messages
        .iter()
        .filter(|m| m.direction == Direction::Sent)
    {
        let tokens = tokenize(&m.text);
        let words: Vec<String> = minhash::masked_words(tokens.iter(), &[])
            .into_iter()
            .map(str::to_string)
            .collect();
        if words.len() >= minhash::MIN_WORDS {
            docs.push(words);
        }
        if docs.len() == docs_wanted {
            break;
        }
    }
    drop(all);
    let threshold = Settings::default().rules.mass_template.similarity as f64;
    let mut rng = history::Rng::new(7);
    let mut queries: Vec<usize> = (0..queries_wanted).map(|_| rng.below(docs.len())).collect();
    queries.sort_unstable();
    queries.dedup();

    // Exact truth: Jaccard of 3-word shingle sets, through an inverted index.
    let sets: Vec<Vec<u64>> = docs
        .iter()
        .map(|d| shingles(&d.iter().map(String::as_str).collect::<Vec<_>>()))
        .collect();
    let mut inverted: HashMap<u64, Vec<u32>> = HashMap::new();
    for (i, s) in sets.iter().enumerate() {
        for h in s {
            inverted.entry(*h).or_default().push(i as u32);
        }
    }
    let mut truth: Vec<Vec<u32>> = Vec::new();
    for &q in &queries {
        let mut overlap: HashMap<u32, u32> = HashMap::new();
        for h in &sets[q] {
            for &d in &inverted[h] {
                *overlap.entry(d).or_default() += 1;
            }
        }
        let mut matches: Vec<u32> = overlap
            .into_iter()
            .filter(|&(d, shared)| {
                let union = sets[q].len() + sets[d as usize].len() - shared as usize;
                d as usize != q && shared as f64 / union as f64 >= threshold
            })
            .map(|(d, _)| d)
            .collect();
        matches.sort_unstable();
        truth.push(matches);
    }
    drop(inverted);

    // The engine: signatures and band keys from its public API, buckets keyed by band key.
    let t = Instant::now();
    let signatures: Vec<minhash::Signature> = docs
        .iter()
        .map(|d| {
            minhash::signature_of_words(&d.iter().map(String::as_str).collect::<Vec<_>>())
                .expect("docs have at least MIN_WORDS words")
        })
        .collect();
    let signature_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let mut buckets: HashMap<u64, Vec<u32>, BuildHasherDefault<PassThrough>> = HashMap::default();
    for (i, s) in signatures.iter().enumerate() {
        for key in minhash::band_keys(s) {
            buckets.entry(key).or_default().push(i as u32);
        }
    }
    let insert_s = t.elapsed().as_secs_f64();
    let mut found_candidates = 0usize;
    let mut found_verified = 0usize;
    let mut returned_candidates = 0usize;
    let mut returned_verified = 0usize;
    let truth_total: usize = truth.iter().map(Vec::len).sum();
    // What datasketch's `query` does: the band lookup, returning candidates.
    let lookup = |q: usize| -> Vec<u32> {
        let mut candidates: Vec<u32> = Vec::with_capacity(64);
        for key in minhash::band_keys(&signatures[q]) {
            if let Some(list) = buckets.get(&key) {
                candidates.extend(list.iter().copied().filter(|&d| d as usize != q));
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        candidates
    };
    // The fastest round is the least disturbed one on a shared machine; the Python
    // side (neardup_datasketch.py) reports its fastest round the same way.
    let repeats = 20;
    let mut keys_s = f64::INFINITY;
    let mut lookup_s = f64::INFINITY;
    let mut query_s = f64::INFINITY;
    for round in 0..repeats {
        // The lookup's first part alone: hashing the signature's bands into keys.
        let t = Instant::now();
        for &q in &queries {
            std::hint::black_box(minhash::band_keys(&signatures[q]));
        }
        keys_s = keys_s.min(t.elapsed().as_secs_f64() / queries.len() as f64);

        let t = Instant::now();
        for &q in &queries {
            std::hint::black_box(lookup(q));
        }
        lookup_s = lookup_s.min(t.elapsed().as_secs_f64() / queries.len() as f64);

        let t = Instant::now();
        for (qi, &q) in queries.iter().enumerate() {
            let sig = &signatures[q];
            let candidates = lookup(q);
            let verified: Vec<u32> = candidates
                .iter()
                .copied()
                .filter(|&d| {
                    minhash::similarity(&sig.hashes, &signatures[d as usize].hashes) as f64
                        >= threshold
                })
                .collect();
            if round == 0 {
                let want: HashSet<u32> = truth[qi].iter().copied().collect();
                found_candidates += candidates.iter().filter(|d| want.contains(d)).count();
                found_verified += verified.iter().filter(|d| want.contains(d)).count();
                returned_candidates += candidates.len();
                returned_verified += verified.len();
            }
            std::hint::black_box(verified);
        }
        query_s = query_s.min(t.elapsed().as_secs_f64() / queries.len() as f64);
    }
    let recall = |found: usize| {
        if truth_total == 0 {
            1.0
        } else {
            found as f64 / truth_total as f64
        }
    };
    let out = dir.join("neardup");
    std::fs::create_dir_all(&out).unwrap_or_else(|e| fail(&format!("{}: {e}", out.display())));
    let corpus: String = docs.iter().map(|d| d.join(" ") + "\n").collect();
    std::fs::write(out.join("corpus.txt"), corpus).unwrap_or_else(|e| fail(&e.to_string()));
    std::fs::write(
        out.join("truth.json"),
        json!({ "threshold": threshold, "queries": queries, "truth": truth }).to_string(),
    )
    .unwrap_or_else(|e| fail(&e.to_string()));
    println!(
        "{}",
        json!({
            "bench": "neardup-rapport",
            "history": dir.file_name().map(|n| n.to_string_lossy().into_owned()),
            "docs": docs.len(),
            "queries": queries.len(),
            "threshold": threshold,
            "num_perm": minhash::NUM_HASHES,
            "bands": minhash::BANDS,
            "true_pairs": truth_total,
            "signature_us_per_doc": signature_s / docs.len() as f64 * 1e6,
            "insert_s": insert_s,
            "band_keys_us": keys_s * 1e6,
            "lookup_us": lookup_s * 1e6,
            "query_us": query_s * 1e6,
            "recall_candidates": recall(found_candidates),
            "recall_verified": recall(found_verified),
            "candidates_per_query": returned_candidates as f64 / queries.len() as f64,
            "verified_per_query": returned_verified as f64 / queries.len() as f64,
        })
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let data = PathBuf::from(
        std::env::var("RAPPORT_BENCH_DATA")
            .unwrap_or_else(|_| root().join("bench/data").display().to_string()),
    );
    match args.first().map(String::as_str) {
        Some("analyze") => {
            let sizes: Vec<usize> = args[1..].iter().map(|s| parse_size(s)).collect();
            analyze_sizes(&data, &sizes);
        }
        Some("import") if args.len() == 2 => import_files(Path::new(&args[1])),
        Some("neardup") if args.len() >= 2 => {
            let docs = args.get(2).map_or(20_000, |s| parse_size(s));
            let queries = args.get(3).map_or(500, |s| parse_size(s));
            near_duplicates(Path::new(&args[1]), docs, queries)
        }
        _ => fail(
            "usage: bench_native analyze SIZE... | import DIR|FILE | neardup DIR [DOCS] [QUERIES]",
        ),
    }
}
