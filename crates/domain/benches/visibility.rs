//! How long the visibility rules take on a heavy record: 20 years, 2,000 journal lines,
//! 1,000 results, 500 contacts, 60 episodes, 120 medication agreements.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use inzage_domain::samples::heavy_record;
use inzage_domain::visibility::{full_copy, online_view};
use inzage_domain::*;
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let r = heavy_record();
    assert_eq!((r.journal.len(), r.results.len()), (2000, 1000));
    let settings = PracticeSettings::default();
    let now = Utc.with_ymd_and_hms(2026, 1, 10, 12, 0, 0).unwrap();
    c.bench_function("online_view heavy record (2000 lines, 1000 results)", |b| {
        b.iter(|| {
            black_box(online_view(black_box(&r), &settings, now))
                .episodes
                .len()
        })
    });
    c.bench_function("full_copy heavy record", |b| {
        b.iter(|| {
            black_box(full_copy(black_box(&r), &settings, now))
                .journal
                .len()
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
