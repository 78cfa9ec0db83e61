//! A huge mbox streams through the importer in bounded memory, fed in 1 MB chunks the
//! way the options page feeds `Blob.slice`s, each batch handed on and dropped (as the
//! page does after sending it to the background). Peak memory must not grow with the
//! file: reading 32 MB here, and 1 GB in the ignored run
//!
//!     RAPPORT_BIG_MBOX_MB=1024 cargo test --release --test large_input -- --ignored --nocapture
//!
//! (one test per binary: the peak is the process's).

use rapport::import::{Format, Importer, Me};

fn message(i: usize) -> String {
    let names = [
        "Brian Miller",
        "Priya Shah",
        "Hana Tanaka",
        "Brаd Pitt",
        "\u{202e}Admin\u{202c}",
    ];
    let address = format!("person{}@example.com", i % 5000);
    format!(
        "From {address} Mon Jan  1 00:00:00 2024\nFrom: {} <{address}>\nTo: Dana Whitfield <dana@whitfield.io>\n\
         Subject: Update {i}\nMessage-ID: <m{i}@example.com>\nDate: Mon, 1 Jan 2024 10:00:00 +0000\n\n{}\n\n",
        names[i % names.len()],
        "Following up on our conversation about the project timeline. ".repeat(30)
    )
}

/// Peak resident memory of this process so far, from the kernel.
fn peak_rss_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn stream_mbox(megabytes: usize) -> (u64, usize, u64) {
    let target = megabytes * 1024 * 1024;
    let mut importer =
        Importer::with_format("huge.mbox", Format::Mbox, Me::parse(["dana@whitfield.io"]));
    let before = peak_rss_kb();
    let (mut fed, mut next, mut messages) = (0, 0, 0);
    let mut chunk = String::with_capacity(1 << 20);
    while fed < target {
        while chunk.len() < 1 << 20 {
            chunk.push_str(&message(next));
            next += 1;
        }
        fed += chunk.len();
        for batch in importer.push(chunk.as_bytes()).expect("a well-formed mbox") {
            messages += batch.messages.len();
        }
        chunk.clear();
    }
    let (rest, report) = importer.finish().expect("a well-formed mbox");
    messages += rest.iter().map(|b| b.messages.len()).sum::<usize>();
    assert_eq!(report.messages as usize, messages);
    assert_eq!(messages, next, "every message was read");
    (before, messages, peak_rss_kb())
}

#[test]
fn a_32_mb_mbox_streams_in_bounded_memory() {
    let (before, messages, peak) = stream_mbox(32);
    let grown_mb = peak.saturating_sub(before) / 1024;
    eprintln!("32 MB mbox: {messages} messages, peak RSS grew by {grown_mb} MB");
    assert!(
        grown_mb < 48,
        "peak memory grew by {grown_mb} MB for a 64 MB file"
    );
}

#[test]
#[ignore = "reads a generated 1 GB mbox (minutes in a debug build); run on demand"]
fn a_gigabyte_mbox_streams_in_bounded_memory() {
    let megabytes = std::env::var("RAPPORT_BIG_MBOX_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1024);
    let (before, messages, peak) = stream_mbox(megabytes);
    let grown_mb = peak.saturating_sub(before) / 1024;
    eprintln!(
        "{megabytes} MB mbox: {messages} messages, peak RSS {} MB (grew by {grown_mb} MB)",
        peak / 1024
    );
    assert!(
        grown_mb < 64,
        "peak memory grew by {grown_mb} MB for a {megabytes} MB file"
    );
}
