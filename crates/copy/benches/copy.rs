//! How long the electronic copy of a large record takes: the 20-year sample record (2,000
//! journal lines, 1,000 results, 500 contacts, 120 medication agreements) as PDF/A and as FHIR,
//! for both selections. Prints median and worst time, output size and the process's peak memory.
//!
//! `cargo bench -p inzage-copy --bench copy` (INZAGE_BENCH_ROUNDS, default 15).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{TimeZone, Utc};
use inzage_copy::{Copy, Format};
use inzage_domain::visibility::online_view;
use inzage_domain::{PracticeSettings, ReviewState, samples};
use std::time::Instant;

// The allocator the `inzage` binary runs with.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn main() {
    let rounds: usize = std::env::var("INZAGE_BENCH_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(15);
    let now = Utc.with_ymd_and_hms(2026, 1, 15, 10, 0, 0).unwrap();
    let mut record = samples::heavy_record();
    // Released results, so the summary holds the recent ones and the full copy all 1,000.
    for r in &mut record.results {
        r.review = ReviewState::Released {
            by: inzage_domain::Actor::System("bench".into()),
            at: r.effective,
        };
    }
    let settings = PracticeSettings::default();
    println!(
        "record: {} journal lines, {} results, {} contacts, {} medication agreements",
        record.journal.len(),
        record.results.len(),
        record.contacts.len(),
        record.medication.len()
    );
    println!("rounds: {rounds} (plus one warm-up)");
    println!(
        "{:<34} {:>10} {:>10} {:>10} {:>7}",
        "copy", "median ms", "max ms", "size KiB", "pages"
    );
    for (selection, format) in [
        ("volledig", Format::Pdf),
        ("volledig", Format::FhirR4),
        ("volledig", Format::FhirStu3),
        ("samenvatting", Format::Pdf),
        ("samenvatting", Format::FhirR4),
    ] {
        let mut times = vec![];
        let mut size = 0;
        let mut pages = 0;
        for round in 0..=rounds {
            let start = Instant::now();
            // Selecting is part of the work: the visibility rules run every time.
            let copy = match selection {
                "volledig" => Copy::full(&record, &settings, now),
                _ => Copy::summary(online_view(&record, &settings, now), now),
            };
            let bytes = copy.write(format, "https://praktijk.example/fhir").unwrap();
            let elapsed = start.elapsed().as_secs_f64() * 1000.0;
            if round > 0 {
                times.push(elapsed);
            }
            size = bytes.len();
            if format == Format::Pdf {
                pages = count_pages(&bytes);
            }
        }
        times.sort_by(f64::total_cmp);
        println!(
            "{:<34} {:>10.1} {:>10.1} {:>10} {:>7}",
            format!("{selection} {}", format.code()),
            times[times.len() / 2],
            times[times.len() - 1],
            size / 1024,
            if pages > 0 {
                pages.to_string()
            } else {
                "-".into()
            }
        );
    }
    let start = Instant::now();
    for _ in 0..rounds {
        std::hint::black_box(Copy::full(&record, &settings, now));
    }
    println!(
        "selecting the full copy alone (visibility rules): {:.1} ms",
        start.elapsed().as_secs_f64() * 1000.0 / rounds as f64
    );
    println!("peak RSS of the process: {:.0} MiB", peak_rss_mib());
}

fn count_pages(pdf: &[u8]) -> usize {
    lopdf::Document::load_mem(pdf).map_or(0, |d| d.get_pages().len())
}
