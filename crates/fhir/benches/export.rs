//! How long a MedMij answer's FHIR takes to build and write, without the server around it:
//! the lab results (Observation) and the whole export of the reference-shape patient (the
//! Nictiz qualification patient: 18 results), and of a heavy 20-year record.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use inzage_domain::samples::heavy_record;
use inzage_domain::visibility::online_view;
use inzage_domain::*;
use inzage_fhir::export::{Group, gp_resources_of, searchset_page_text};
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let now = Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap();
    let settings = PracticeSettings::default();
    let shaped = inzage_testkit::nictiz::record(now);
    let heavy = heavy_record();
    for (name, record) in [("reference shape", &shaped), ("heavy record", &heavy)] {
        let view = online_view(record, &settings, now);
        for (what, groups) in [("Observation", &[Group::Results][..]), ("all", &Group::ALL)] {
            c.bench_function(&format!("{what} of the {name}: build and write"), |b| {
                b.iter(|| {
                    let resources = gp_resources_of(black_box(&view), groups);
                    let page: Vec<_> = if what == "Observation" {
                        resources.results.iter().collect()
                    } else {
                        resources.all()
                    };
                    searchset_page_text(&page, &[], "https://example.org/fhir", page.len(), &[])
                        .len()
                })
            });
        }
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
