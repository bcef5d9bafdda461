//! The request latencies the metrics record do not pile up in memory while nobody scrapes
//! them (issue 21): the exporter queues each one until its upkeep folds it into the buckets,
//! which `keep_up` runs on a timer rather than only at a scrape. Every allocation counted with
//! dhat (this file is its own test binary, the allocator its own).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

/// Records `n` latencies of the FHIR route group (the middleware records through the handle
/// `install` registered; this looks the same histogram up by its name and label).
fn answer(n: usize) {
    for _ in 0..n {
        metrics::histogram!("inzage_http_request_duration_seconds", "group" => "fhir")
            .record(0.001);
    }
}

#[tokio::test]
async fn issue21_unscraped_request_latencies_do_not_pile_up() {
    let _heap = dhat::Profiler::builder().testing().build();
    let handle = inzage_webkit::metrics::install().unwrap();
    inzage_webkit::metrics::keep_up(handle, Duration::from_millis(20));
    answer(10_000);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let before = dhat::HeapStats::get().curr_bytes;
    for _ in 0..20 {
        answer(20_000);
        tokio::time::sleep(Duration::from_millis(60)).await;
    }
    let grown = dhat::HeapStats::get().curr_bytes.saturating_sub(before);
    // Queued (without the upkeep), 400,000 latencies held 6.5 MB. With it, a round or two of
    // them may still be held (the queue's blocks are freed a little later, and a round late
    // to its upkeep is folded with the next): 16 bytes each, so at most about 650 KB.
    assert!(
        grown < 1536 * 1024,
        "{grown} bytes more held after 400,000 latencies nobody scraped"
    );
    // All of them are in the buckets when Prometheus does come.
    let text = handle.render();
    let count = text
        .lines()
        // `install` registers every route group's histogram; the others are empty.
        .find(|l| l.starts_with("inzage_http_request_duration_seconds_count{group=\"fhir\"}"))
        .expect("the latency histogram");
    assert!(count.ends_with(" 410000"), "{count}");
}
