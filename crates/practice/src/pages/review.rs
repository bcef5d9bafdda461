//! The practice's decisions about visibility: the review queue of results (release, withhold)
//! and shielding items, each saved with one `visibility_change` audit entry (R30).

use super::*;
use chrono::{DateTime, Utc};
use inzage_domain::RangePosition;
use inzage_webkit::i18n::Tr;

// ---- the review queue, releasing and withholding results, shielding (R26-R31) ----

pub(super) struct QueueRow {
    pub(super) patient_id: String,
    pub(super) patient: String,
    pub(super) result_id: String,
    pub(super) test: String,
    pub(super) value: String,
    pub(super) range: String,
    /// "↑ hoger dan normaal": in words, never by colour alone.
    pub(super) position: Option<String>,
    pub(super) flag: &'static str,
    /// The previous value of the same test ("6,8 mmol/l op 3 mei 2026"), with the trend in words.
    pub(super) previous: Option<String>,
    pub(super) received: String,
    /// When the patient sees it without a decision ("op 9 december 2026", or "nu al").
    pub(super) visible_from: String,
    abnormal: bool,
    received_at: DateTime<Utc>,
}

#[derive(Template, WebTemplate)]
#[template(path = "practice_queue.html")]
pub(super) struct QueuePage {
    pub(super) ctx: PageCtx,
    pub(super) rows: Vec<QueueRow>,
    pub(super) abnormal_first: bool,
    pub(super) max_comment: usize,
}

#[derive(Deserialize)]
pub(super) struct QueueQuery {
    #[serde(default)]
    volgorde: String,
}

fn queue_row(
    tr: &Tr,
    record: &PatientRecord,
    result: &inzage_domain::LabResult,
    received_at: DateTime<Utc>,
    settings: &inzage_domain::PracticeSettings,
    today: NaiveDate,
) -> QueueRow {
    use inzage_domain::visibility::present::result_line;
    let lang = tr.code();
    let line = result_line(result, lang);
    let (position, flag) = match line.position {
        Some(RangePosition::Above) => (Some(tr.t("result-high")), "high"),
        Some(RangePosition::Below) => (Some(tr.t("result-low")), "low"),
        Some(RangePosition::Within) => (Some(tr.t("result-normal")), "normal"),
        None => (None, ""),
    };
    let unit = line.unit.clone().unwrap_or_default();
    let previous = record
        .results
        .iter()
        .filter(|r| r.code == result.code && r.effective < result.effective)
        .max_by_key(|r| r.effective)
        .map(|p| {
            let pv = result_line(p, lang);
            let trend = match (&p.value, &result.value) {
                (
                    inzage_domain::ResultValue::Quantity { value: was, .. },
                    inzage_domain::ResultValue::Quantity { value: now, .. },
                ) => {
                    let (was, now) = (was.to_f64(), now.to_f64());
                    if now > was {
                        tr.t("practice-trend-up")
                    } else if now < was {
                        tr.t("practice-trend-down")
                    } else {
                        tr.t("practice-trend-same")
                    }
                }
                _ => String::new(),
            };
            tr.ta(
                if trend.is_empty() {
                    "practice-previous"
                } else {
                    "practice-previous-trend"
                },
                &[
                    ("what", format!("{} {}", pv.value, unit).trim().to_owned()),
                    ("date", tr.date(local_date(p.effective))),
                    ("title", trend),
                ],
            )
        });
    let from = local_date(received_at)
        .checked_add_days(chrono::Days::new(u64::from(
            settings.result_release_delay_days,
        )))
        .unwrap_or(NaiveDate::MAX);
    let immediate =
        settings.patients_may_choose_immediate_results && record.patient.wants_results_immediately;
    let visible_from = if immediate || from <= today {
        tr.t("practice-visible-now")
    } else {
        tr.t1("practice-visible-from", "date", tr.date(from))
    };
    QueueRow {
        patient_id: record.patient.id.to_string(),
        patient: record.patient.name.display(),
        result_id: result.id.to_string(),
        test: line.name,
        value: format!("{} {unit}", line.value).trim().to_owned(),
        range: line.range.unwrap_or_default(),
        abnormal: matches!(
            line.position,
            Some(RangePosition::Above | RangePosition::Below)
        ),
        position,
        flag,
        previous,
        received: tr.date(local_date(received_at)),
        visible_from,
        received_at,
    }
}

pub(super) async fn queue(
    State(state): State<AppState>,
    staff: Staff,
    session: Session,
    Query(q): Query<QueueQuery>,
) -> WebResult<Response> {
    staff.require(Action::ReleaseResults)?;
    let ctx = staff.ctx(&session, "/praktijk/uitslagen").await?;
    let settings = state.store.settings(&staff.practice).await?;
    let today = local_date(state.now());
    let mut rows = vec![];
    // Each patient's record is loaded once and its read audited once, however many of their
    // results wait (the queue is in order of arrival, not of patient).
    let mut records: std::collections::HashMap<PatientId, Option<PatientRecord>> =
        std::collections::HashMap::new();
    for item in state.store.review_queue(&staff.practice).await? {
        if !records.contains_key(&item.patient) {
            let record = state.store.load_record(&item.patient).await?;
            if record.is_some() {
                staff
                    .audit_read(&state, &item.patient, "review queue")
                    .await?;
            }
            records.insert(item.patient.clone(), record);
        }
        let Some(Some(record)) = records.get(&item.patient) else {
            continue;
        };
        let Some(result) = record.results.iter().find(|r| r.id == item.result) else {
            continue;
        };
        rows.push(queue_row(
            &ctx.tr,
            record,
            result,
            item.received_at,
            &settings,
            today,
        ));
    }
    let abnormal_first = q.volgorde == "afwijkend";
    if abnormal_first {
        // Stable: within each half, still in order of arrival.
        rows.sort_by_key(|r| (!r.abnormal, r.received_at));
    }
    Ok(QueuePage {
        ctx,
        rows,
        abnormal_first,
        max_comment: inzage_domain::edit::MAX_PATIENT_COMMENT,
    }
    .into_response())
}

#[derive(Deserialize)]
pub(super) struct ReviewForm {
    #[serde(default)]
    pub(super) csrf: String,
    pub(super) action: String,
    #[serde(default)]
    pub(super) reden: String,
    /// The GP's word for the patient, shown with the released result.
    #[serde(default)]
    pub(super) toelichting: String,
}

pub(super) fn staff_actor(staff: &Staff) -> WebResult<Actor> {
    PractitionerId::new(format!("staff-{}", staff.username))
        .map(Actor::Staff)
        .map_err(|_| WebError::Invalid("staff id"))
}

pub(super) async fn review(
    rec: StaffRecord,
    Path((_, result_id)): Path<(String, String)>,
    Form(form): Form<ReviewForm>,
) -> WebResult<Response> {
    check_csrf(&rec.session, &form.csrf).await?;
    rec.staff.require(Action::ReleaseResults)?;
    let id = ResultId::new(result_id).map_err(|_| WebError::NotFound)?;
    let by = staff_actor(&rec.staff)?;
    let now = rec.state.now();
    let outcome = change_record(
        &rec,
        EventType::VisibilityChange,
        |what: &&str| format!("{what} ({id})"),
        |record| match form.action.as_str() {
            "vrijgeven" => Ok(
                release_result(record, &id, by.clone(), now, &form.toelichting)
                    .map(|()| "result released")?,
            ),
            "achterhouden" => Ok(withhold_result(record, &id, by.clone(), now, &form.reden)
                .map(|()| "result withheld")?),
            _ => Err(EntryError::Invalid("action")),
        },
    )
    .await?;
    match outcome {
        Ok(what) => {
            // A released result that is now visible to someone is news for them (R119); a
            // result still hidden from them (held, shielded, before the online start) is not
            // announced (R122).
            if what == "result released"
                && let Some(record) = rec.state.store.load_record(&rec.record.patient.id).await?
            {
                inzage_webkit::notify::notify_record(
                    &rec.state,
                    &record,
                    inzage_store::NoticeKind::Released,
                    None,
                    |view| view.results.iter().any(|r| r.id == id),
                )
                .await?;
            }
            Ok(Redirect::to("/praktijk/uitslagen").into_response())
        }
        Err(EntryError::NotFound) => Err(WebError::NotFound),
        Err(EntryError::Invalid(_)) => Err(WebError::Invalid("action")),
        Err(EntryError::TooLong(_)) => Err(WebError::Invalid(
            "the comment for the patient is longer than 1000 characters",
        )),
        Err(_) => Err(WebError::Invalid(
            "a reason is required to withhold a result",
        )),
    }
}

#[derive(Deserialize)]
pub(super) struct ShieldForm {
    #[serde(default)]
    pub(super) csrf: String,
    pub(super) soort: String,
    pub(super) item: String,
    pub(super) action: String,
    #[serde(default)]
    pub(super) reden: String,
    #[serde(default)]
    pub(super) toelichting: String,
}

pub(super) fn item_kind(s: &str) -> Option<ItemKind> {
    Some(match s {
        "episode" => ItemKind::Episode,
        "journal_line" => ItemKind::JournalLine,
        "medication" => ItemKind::Medication,
        "allergy" => ItemKind::Allergy,
        "result" => ItemKind::Result,
        "letter" => ItemKind::Letter,
        _ => return None,
    })
}

pub(super) fn shield_reason(s: &str) -> Option<ShieldReason> {
    Some(match s {
        "derde" => ShieldReason::ThirdParty,
        "niet_besproken" => ShieldReason::NotYetDiscussed,
        "schadelijk" => ShieldReason::PotentiallyHarmful,
        "anders" => ShieldReason::Other,
        _ => return None,
    })
}

pub(super) async fn shield(rec: StaffRecord, Form(form): Form<ShieldForm>) -> WebResult<Response> {
    check_csrf(&rec.session, &form.csrf).await?;
    rec.staff.require(Action::ShieldItems)?;
    let kind = item_kind(&form.soort).ok_or(WebError::Invalid("item kind"))?;
    let by = staff_actor(&rec.staff)?;
    let now = rec.state.now();
    let reason = match form.action.as_str() {
        "afschermen" => Some(shield_reason(&form.reden).ok_or(WebError::Invalid("shield reason"))?),
        "opheffen" => None,
        _ => return Err(WebError::Invalid("action")),
    };
    let outcome = change_record(
        &rec,
        EventType::VisibilityChange,
        |what: &&str| format!("{what} ({} {})", form.soort, form.item),
        |record| match reason {
            // S and O lines are never online: only the shield that keeps someone else's
            // information out of the full copy means anything there.
            Some(reason)
                if reason != ShieldReason::ThirdParty
                    && kind == ItemKind::JournalLine
                    && record.journal.iter().any(|l| {
                        l.id.as_str() == form.item && matches!(l.soep, Soep::S | Soep::O)
                    }) =>
            {
                Err(EntryError::Invalid(
                    "only the third-party shield applies to S and O lines",
                ))
            }
            Some(reason) => {
                let shield = Shield {
                    reason,
                    text: form.toelichting.clone(),
                    by: by.clone(),
                    at: now,
                };
                Ok(shield_item(record, kind, &form.item, shield).map(|()| "item shielded")?)
            }
            None => Ok(unshield_item(record, kind, &form.item, by.clone(), now)
                .map(|()| "shield lifted")?),
        },
    )
    .await?;
    match outcome {
        // Back at the same item, with a word on what was done.
        Ok(what) => Ok(Redirect::to(&format!(
            "/praktijk/patienten/{}?gedaan={}#item-{}",
            rec.record.patient.id,
            if what == "item shielded" {
                "afgeschermd"
            } else {
                "opgeheven"
            },
            form.item
        ))
        .into_response()),
        Err(EntryError::NotFound) => Err(WebError::NotFound),
        Err(EntryError::Required(_)) => Err(WebError::Invalid(
            "an explanation is required to shield an item",
        )),
        Err(EntryError::Invalid(why)) => Err(WebError::Invalid(why)),
        Err(_) => Err(WebError::Invalid("item kind")),
    }
}

/// A GP keeps one item out of what other providers get, or lets it go again (R117). The
/// item's online visibility does not change.
pub(super) async fn share_item(
    rec: StaffRecord,
    Form(form): Form<ShieldForm>,
) -> WebResult<Response> {
    check_csrf(&rec.session, &form.csrf).await?;
    rec.staff.require(Action::ShieldItems)?;
    let kind = item_kind(&form.soort).ok_or(WebError::Invalid("item kind"))?;
    let excluded = match form.action.as_str() {
        "uitsluiten" => true,
        "meegeven" => false,
        _ => return Err(WebError::Invalid("action")),
    };
    let by = staff_actor(&rec.staff)?;
    let now = rec.state.now();
    let item = inzage_domain::visibility::ItemRef {
        kind,
        id: form.item.clone(),
    };
    let outcome = change_record(
        &rec,
        EventType::Update,
        |()| {
            format!(
                "summary exclusion {} ({} {})",
                if excluded { "set" } else { "lifted" },
                form.soort,
                form.item
            )
        },
        |record| {
            Ok(inzage_domain::exchange::exclude_from_summary(
                record,
                &item,
                excluded,
                by.clone(),
                now,
            )?)
        },
    )
    .await?;
    match outcome {
        Ok(()) => Ok(Redirect::to(&format!(
            "/praktijk/patienten/{}?gedaan={}#item-{}",
            rec.record.patient.id,
            if excluded {
                "uitgesloten"
            } else {
                "meegegeven"
            },
            form.item
        ))
        .into_response()),
        Err(EntryError::NotFound) => Err(WebError::NotFound),
        Err(_) => Err(WebError::Invalid(
            "this item cannot be kept out of the summary",
        )),
    }
}
