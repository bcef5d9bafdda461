//! What the portal and the practice both show of what a person asks the practice: a question
//! thread's messages, the items a correction can be about, the day a copy request is answered by.

use crate::page::PageCtx;
use inzage_domain::{ItemMeta, PatientRecord};
use inzage_store::{Message, Thread, ThreadStatus};

// ---- questions (message threads) ----

pub struct MessageRow {
    pub id: String,
    pub from_practice: bool,
    pub author: String,
    pub sent: String,
    pub body: String,
    pub attachment: Option<String>,
}

pub fn when(ctx: &PageCtx, at: chrono::DateTime<chrono::Utc>) -> String {
    let local = at.with_timezone(&chrono_tz::Europe::Amsterdam);
    format!(
        "{} {}",
        ctx.tr.date(local.date_naive()),
        local.format("%H:%M")
    )
}

pub fn status_text(ctx: &PageCtx, t: &Thread) -> String {
    ctx.tr.t(match t.status {
        ThreadStatus::Waiting => "msg-status-waiting",
        ThreadStatus::Answered => "msg-status-answered",
        ThreadStatus::Closed => "msg-status-closed",
    })
}

pub fn message_rows(ctx: &PageCtx, messages: &[Message]) -> Vec<MessageRow> {
    messages
        .iter()
        .map(|m| MessageRow {
            id: m.id.clone(),
            from_practice: m.from_practice,
            author: m.author_name.clone(),
            sent: when(ctx, m.sent_at),
            body: m.body.clone(),
            attachment: m.attachment.as_ref().map(|(name, _)| name.clone()),
        })
        .collect()
}

// ---- corrections ----

/// The kinds of item a request can be about: (name in URLs and storage, the practice's edit
/// page kind).
pub const ITEM_KINDS: [(&str, &str); 6] = [
    ("episode", "episode"),
    ("journal_line", "regel"),
    ("medication", "medicatie"),
    ("allergy", "allergie"),
    ("result", "uitslag"),
    ("letter", "brief"),
];

/// The item's bookkeeping (to see whether it was changed after a request).
pub fn meta<'a>(record: &'a PatientRecord, kind: &str, id: &str) -> Option<&'a ItemMeta> {
    Some(match kind {
        "episode" => &record.episodes.iter().find(|x| x.id.as_str() == id)?.meta,
        "journal_line" => &record.journal.iter().find(|x| x.id.as_str() == id)?.meta,
        "medication" => &record.medication.iter().find(|x| x.id.as_str() == id)?.meta,
        "allergy" => &record.allergies.iter().find(|x| x.id.as_str() == id)?.meta,
        "result" => &record.results.iter().find(|x| x.id.as_str() == id)?.meta,
        "letter" => &record.letters.iter().find(|x| x.id.as_str() == id)?.meta,
        _ => return None,
    })
}

// ---- copies ----

/// How long an approved request for the full copy may be used.
pub const APPROVAL_DAYS: i64 = 30;

/// The day by which a practice answers a request for a copy: one month after it was made
/// (WGBO 7:456 with AVG art. 12(3)), on the Dutch calendar.
pub fn answer_by(requested_at: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDate {
    let day = inzage_domain::time::local_date(requested_at);
    day.checked_add_months(chrono::Months::new(1))
        .unwrap_or(day)
}
