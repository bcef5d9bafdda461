//! R106, issue 21: `inzage audit verify` checks the whole audit log's chain. Every read of a
//! record is an entry, so a large deployment's log holds hundreds of millions; the check reads
//! them as a stream, one at a time, so its memory does not grow with the log (it read every
//! entry into memory first: tens of gigabytes at that size). dhat counts every allocation.
//! One test per file: dhat's counts are global to the process.

use chrono::{TimeZone, Utc};
use inzage_store::*;

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

const ENTRIES: usize = 20_000;

#[tokio::test(flavor = "current_thread")]
async fn r106_verifying_the_audit_chain_takes_memory_for_an_entry_not_for_the_log() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let db = inzage_store::testing::TestDb::sqlite().await;
    let store = &db.store;
    let at = Utc.with_ymd_and_hms(2026, 12, 7, 9, 0, 0).unwrap();
    let event = |i: usize| AuditEvent {
        at,
        event: EventType::Read,
        patient: None,
        user: "test".into(),
        responsible_user: "test".into(),
        role: "system".into(),
        channel: Channel::Cli,
        request_id: format!("request-{i:08}"),
        detail: format!("entry {i} of the audit log's memory test, as long as a real entry's"),
    };
    // Appended in rounds that share group commits, each round's memory given back before the
    // next, so that no more is held at once than the check below may take.
    let append = async |from: usize, to: usize| {
        for round in (from..to).step_by(250) {
            let mut appends = tokio::task::JoinSet::new();
            for i in round..round + 250 {
                let (store, event) = (store.clone(), event(i));
                appends.spawn(async move { store.append_audit(event).await });
            }
            while let Some(appended) = appends.join_next().await {
                appended.unwrap().unwrap();
            }
        }
    };
    // The most held at once during a check, beyond what was held before it (dhat's peak is of
    // the whole test: the appends before count too, so this is at most the check's own).
    // Measured on 2026-12-07: read into memory all at once, 20,000 entries took 10.7 MB; as a
    // stream at most 0.9 MB (the database driver's buffers), for 5,000 entries as for 20,000.
    let check = async |entries: usize| {
        let before = dhat::HeapStats::get();
        let checked = store.verify_audit_chain().await.unwrap();
        let after = dhat::HeapStats::get();
        assert_eq!(checked, Ok(entries as u64));
        let peak = after.max_bytes.saturating_sub(before.curr_bytes);
        assert!(
            peak < 2_000_000,
            "verifying {entries} entries held {peak} bytes at once (held before: {}, the \
             test's peak before: {})",
            before.curr_bytes,
            before.max_bytes
        );
        peak
    };
    append(0, ENTRIES / 4).await;
    let quarter = check(ENTRIES / 4).await;
    append(ENTRIES / 4, ENTRIES).await;
    let all = check(ENTRIES).await;
    // Four times the entries, not four times the memory.
    assert!(
        all < quarter * 2,
        "{quarter} bytes for a quarter, {all} for all"
    );
}
