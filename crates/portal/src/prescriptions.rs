//! "Herhaalrecept" (issue 8, R48): the person picks medicines from the current medication they
//! can see, names their pharmacy and may add a remark; each medicine becomes a request in the
//! practice's queue. A representative may ask only when their access covers medication (a
//! parent, guardian or curator does; an authorised carer when the authorisation includes it).
//! The status, the GP's reason and the hand-off to the pharmacy show on the same page.

use super::{OpenRecord, PageCtx};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use inzage_domain::time::local_date;
use inzage_domain::{MedicationAgreement, PatientView, Section};
use inzage_store::{
    EventType, PrescriptionRequest, PrescriptionStatus, PrescriptionStore, StoreError,
};
use inzage_webkit::AppState;
use inzage_webkit::error::{WebError, WebResult};
use inzage_webkit::extract::{Form, Query};
use inzage_webkit::session::check_csrf;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new().route("/herhaalrecept", get(page).post(submit))
}

/// Longest pharmacy name and remark accepted.
const MAX_PHARMACY: usize = 200;
const MAX_REMARK: usize = 1000;

struct MedRow {
    id: String,
    name: String,
    dosage: String,
    waiting: bool,
}

struct RequestRow {
    requested: String,
    medicine: String,
    status: String,
    detail: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "prescriptions.html")]
struct PrescriptionsPage {
    ctx: PageCtx,
    allowed: bool,
    medicines: Vec<MedRow>,
    pharmacy: String,
    remark: String,
    requests: Vec<RequestRow>,
    sent: bool,
    error: Option<String>,
}

#[derive(Deserialize)]
struct PageQuery {
    #[serde(default)]
    verstuurd: bool,
}

/// Whether this person may ask for repeat prescriptions for this record.
fn allowed(open: &OpenRecord) -> WebResult<bool> {
    Ok(open
        .access()?
        .scope
        .is_none_or(|s| s.contains(&Section::Medication)))
}

/// The overview's line for each repeat prescription the GP decided on since the person's
/// previous visit (or in the last two weeks, on a first visit).
pub(crate) async fn attention(
    open: &OpenRecord,
    view: &PatientView<'_>,
    tr: &inzage_webkit::i18n::Tr,
) -> WebResult<Vec<crate::Attention>> {
    if !allowed(open)? {
        return Ok(vec![]);
    }
    let since = open
        .previous_visit
        .unwrap_or(open.now - chrono::Duration::days(14));
    let requests = open
        .state()
        .store
        .prescription_requests(&open.record.patient.id)
        .await?;
    Ok(requests
        .iter()
        .filter(|r| r.status != PrescriptionStatus::Requested)
        .filter(|r| r.decided_at.is_some_and(|d| d > since))
        .map(|r| {
            let medicine = view
                .medication
                .iter()
                .find(|m| m.id.as_str() == r.medication)
                .map(|m| inzage_domain::visibility::present::medicine_name(&m.product.name))
                .unwrap_or_else(|| tr.t("rx-a-medicine"));
            let status = tr.t(match r.status {
                PrescriptionStatus::Requested => "rx-status-requested",
                PrescriptionStatus::Approved => "rx-status-approved",
                PrescriptionStatus::Rejected => "rx-status-rejected",
                PrescriptionStatus::Consult => "rx-status-consult",
            });
            crate::Attention {
                text: tr.ta(
                    "attention-prescription",
                    &[("name", medicine), ("what", status)],
                ),
                href: "/herhaalrecept".into(),
            }
        })
        .collect())
}

/// The medication a repeat can be asked for: visible and current today.
fn current<'a>(view: &PatientView<'a>) -> Vec<&'a MedicationAgreement> {
    view.medication
        .iter()
        .copied()
        .filter(|m| {
            m.period_end.is_none_or(|e| e >= view.today)
                && m.period_start.is_none_or(|s| s <= view.today)
        })
        .collect()
}

async fn render(
    open: &OpenRecord,
    sent: bool,
    typed: Option<(&str, &str)>,
    error: Option<&str>,
    status: StatusCode,
) -> WebResult<Response> {
    let view = open.view()?;
    let ctx = open.ctx("/herhaalrecept").await?;
    let allowed = allowed(open)?;
    let requests = open
        .state()
        .store
        .prescription_requests(&open.record.patient.id)
        .await?;
    let waiting = |id: &str| {
        requests
            .iter()
            .any(|r| r.medication == id && r.status == PrescriptionStatus::Requested)
    };
    let medicines = if allowed {
        current(&view)
            .into_iter()
            .map(|m| MedRow {
                id: m.id.to_string(),
                name: inzage_domain::visibility::present::medicine_name(&m.product.name),
                dosage: m.dosage_text.clone(),
                waiting: waiting(m.id.as_str()),
            })
            .collect()
    } else {
        vec![]
    };
    // The medicine's name only when this person can see it.
    let name_of = |id: &str| {
        view.medication
            .iter()
            .find(|m| m.id.as_str() == id)
            .map(|m| inzage_domain::visibility::present::medicine_name(&m.product.name))
            .unwrap_or_else(|| ctx.tr.t("rx-a-medicine"))
    };
    let rows = requests
        .iter()
        .map(|r| {
            let local = r.requested_at.with_timezone(&chrono_tz::Europe::Amsterdam);
            let detail = match r.status {
                PrescriptionStatus::Approved => {
                    Some(ctx.tr.t1("rx-sent-to", "name", r.pharmacy.clone()))
                }
                PrescriptionStatus::Rejected | PrescriptionStatus::Consult => r.reason.clone(),
                PrescriptionStatus::Requested => None,
            };
            RequestRow {
                requested: format!(
                    "{} {}",
                    ctx.tr.date(local.date_naive()),
                    local.format("%H:%M")
                ),
                medicine: name_of(&r.medication),
                status: ctx.tr.t(match r.status {
                    PrescriptionStatus::Requested => "rx-status-requested",
                    PrescriptionStatus::Approved => "rx-status-approved",
                    PrescriptionStatus::Rejected => "rx-status-rejected",
                    PrescriptionStatus::Consult => "rx-status-consult",
                }),
                detail,
            }
        })
        .collect();
    let (pharmacy, remark) = match typed {
        Some((p, r)) => (p.to_owned(), r.to_owned()),
        None => (
            requests
                .first()
                .map(|r| r.pharmacy.clone())
                .unwrap_or_default(),
            String::new(),
        ),
    };
    let error = error.map(|k| ctx.tr.t(k));
    Ok((
        status,
        PrescriptionsPage {
            ctx,
            allowed,
            medicines,
            pharmacy,
            remark,
            requests: rows,
            sent,
            error,
        },
    )
        .into_response())
}

async fn page(open: OpenRecord, Query(q): Query<PageQuery>) -> WebResult<Response> {
    open.audit(EventType::Read, "repeat prescriptions").await?;
    render(&open, q.verstuurd, None, None, StatusCode::OK).await
}

async fn submit(
    open: OpenRecord,
    Form(fields): Form<Vec<(String, String)>>,
) -> WebResult<Response> {
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    };
    check_csrf(&open.session, field("csrf")).await?;
    if !allowed(&open)? {
        return Err(WebError::Forbidden);
    }
    let pharmacy = field("apotheek").trim().to_owned();
    let remark = field("opmerking").trim().to_owned();
    let chosen: Vec<&str> = fields
        .iter()
        .filter(|(k, _)| k == "medicatie")
        .map(|(_, v)| v.as_str())
        .collect();
    let typed = Some((pharmacy.as_str(), remark.as_str()));
    let refuse = |key| render(&open, false, typed, Some(key), StatusCode::BAD_REQUEST);
    if chosen.is_empty() {
        return refuse("rx-choose").await;
    }
    if pharmacy.is_empty() || pharmacy.chars().count() > MAX_PHARMACY {
        return refuse("rx-pharmacy-needed").await;
    }
    if remark.chars().count() > MAX_REMARK {
        return refuse("rx-remark-too-long").await;
    }
    // Every chosen medicine must be current and visible to this person; otherwise nothing is sent.
    {
        let view = open.view()?;
        let current: Vec<String> = current(&view).iter().map(|m| m.id.to_string()).collect();
        if chosen.iter().any(|c| !current.iter().any(|m| m == c)) {
            return refuse("rx-not-current").await;
        }
    }
    let today = local_date(open.now);
    let mut conflicts = 0;
    for (n, medication) in chosen.iter().enumerate() {
        let request = PrescriptionRequest {
            id: format!(
                "rx-{}-{n}-{:012x}",
                today.format("%Y%m%d"),
                rand::random::<u64>() >> 16
            ),
            patient: open.record.patient.id.clone(),
            medication: (*medication).to_owned(),
            requested_by: open.login.subject.clone(),
            requester_role: open.role(),
            pharmacy: pharmacy.clone(),
            remark: remark.clone(),
            requested_at: open.now,
            status: PrescriptionStatus::Requested,
            decided_by: None,
            decided_at: None,
            reason: None,
            dosage: None,
            quantity: None,
            new_medication: None,
            sent_to_pharmacy_at: None,
        };
        match open.state().store.request_prescription(&request).await {
            Ok(()) => {}
            Err(StoreError::Conflict(_)) => conflicts += 1,
            Err(e) => return Err(e.into()),
        }
    }
    if conflicts == chosen.len() {
        return render(
            &open,
            false,
            typed,
            Some("rx-already-waiting"),
            StatusCode::CONFLICT,
        )
        .await;
    }
    open.audit(
        EventType::Create,
        &format!(
            "repeat prescription requested ({} medicines)",
            chosen.len() - conflicts
        ),
    )
    .await?;
    Ok(Redirect::to("/herhaalrecept?verstuurd=true").into_response())
}
