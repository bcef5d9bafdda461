//! The record cache's budget (`record_cache_mb`) is memory: what the parsed records it keeps
//! take. The cache cannot weigh a record when it keeps it, so it estimates from the stored size;
//! this test measures what a kept record really holds (dhat counts every allocation) and keeps
//! the estimate close to it, for a record of the reference shape and for a heavy 20-year one,
//! and the records themselves as small as they were measured.
//! One test per file: dhat's counts are global to the process.

use chrono::{TimeZone, Utc};
use inzage_store::*;

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

/// The bytes still allocated after `f`.
async fn kept_after<F: std::future::Future<Output = ()>>(f: F) -> isize {
    let before = dhat::HeapStats::get().curr_bytes as isize;
    f.await;
    dhat::HeapStats::get().curr_bytes as isize - before
}

#[tokio::test(flavor = "current_thread")]
async fn the_cache_counts_about_the_memory_its_records_take() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let db = inzage_store::testing::TestDb::sqlite().await;
    let s = &db.store;
    let now = Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap();
    // With each the most it may hold. Measured on 2026-12-06, in turns as each change came:
    // the reference shape 83,117-85,033 bytes, then 71,907-73,967 once codings shared their
    // systems and held short codes inline, then 70,293-70,337 once an item's last change was
    // kept only when it is not its creation (it has varied by up to 2 KB from run to run); the
    // heavy one 1,306,186-1,311,464, then 1,288,972-1,308,670, then 1,184,895-1,196,247
    // (1,436,398 before its items' rarely filled parts were boxed). These catch a kept record
    // that grows by a few percent; `an_item_keeps_its_size` catches a field that grows an item
    // by a few bytes (in `inzage_domain::record`).
    let records = [
        (
            "reference shape",
            inzage_testkit::nictiz::record(now),
            74_000,
        ),
        ("heavy", inzage_domain::samples::heavy_record(), 1_225_000),
    ];
    for (what, record, most) in records {
        let event = AuditEvent {
            at: now,
            event: EventType::Create,
            patient: Some(record.patient.id.clone()),
            user: "test".into(),
            responsible_user: "test".into(),
            role: "gp".into(),
            channel: Channel::Practice,
            request_id: String::new(),
            detail: String::new(),
        };
        s.save_record(&record, event).await.unwrap();
        let id = &record.patient.id;
        // Warm: the statements are prepared and the connections' buffers grown.
        s.set_record_cache_budget(0);
        for _ in 0..3 {
            drop(s.load_record_shared(id).await.unwrap());
        }
        let unkept = kept_after(async {
            drop(s.load_record_shared(id).await.unwrap());
        })
        .await;
        s.set_record_cache_budget(1 << 30);
        let kept = kept_after(async {
            drop(s.load_record_shared(id).await.unwrap());
        })
        .await;
        let held = kept - unkept;
        let counted = s.stats().cache_bytes as isize;
        println!("{what}: a kept record holds {held} bytes; the cache counts {counted}");
        // Never less than it takes (the budget would be overrun), and not far more (the
        // budget would keep far fewer records than it could).
        assert!(held > 10_000, "{what}: {held}");
        assert!(
            held <= most,
            "{what}: a kept record holds {held} bytes, more than {most}"
        );
        assert!(counted >= held, "{what}: counted {counted} for {held}");
        assert!(
            counted * 10 <= held * 16,
            "{what}: counted {counted} for {held}"
        );
        s.set_record_cache_budget(0);
    }
}
