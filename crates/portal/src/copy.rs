//! "Kopie van mijn dossier" (issue 7, R102): the person downloads the online summary, or the
//! full copy, as PDF/A or FHIR. The full copy is for the patient and for representatives whose
//! access covers the whole record. The full copy waits in the practice's queue, to be answered
//! within a month, when the practice checks every request first, or when it would hold an item
//! the GP held back online by a decision about it (a pending or withheld result, a shield other
//! than a third party's privacy: R123); once approved it can be downloaded for 30 days.

use super::{OpenRecord, PageCtx};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use chrono::Duration;
use inzage_copy::{Copy, Selection};
use inzage_store::{
    CopyRequest, CopyRequestStatus, CopyStore, CorrectionStore, EventType, StoreError,
};
use inzage_webkit::AppState;
use inzage_webkit::download::{download, parse_choice};
use inzage_webkit::error::WebResult;
use inzage_webkit::extract::{Form, Query};
use inzage_webkit::requests::APPROVAL_DAYS;
use inzage_webkit::session::check_csrf;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new().route("/kopie", get(page).post(make))
}

struct RequestRow {
    requested: String,
    status: String,
    reason: Option<String>,
    /// For a request still waiting: by when the practice answers.
    answer_by: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "copy.html")]
struct CopyPage {
    ctx: PageCtx,
    full_allowed: bool,
    needs_check: bool,
    /// The check is needed because the GP held something back (R123), not by the setting.
    held_back: bool,
    full_ready: bool,
    requests: Vec<RequestRow>,
    requested: bool,
    error: Option<String>,
}

#[derive(Deserialize)]
struct PageQuery {
    #[serde(default)]
    aangevraagd: bool,
}

/// Whether this person may have the full copy: the patient, or a representative whose access
/// is not limited to some sections.
fn full_allowed(open: &OpenRecord) -> WebResult<bool> {
    Ok(open.access()?.scope.is_none())
}

/// Whether the full copy holds an item the GP held back online by a decision about it (R123).
fn holds_held_back(open: &OpenRecord) -> bool {
    inzage_domain::visibility::full_copy(&open.record, &open.settings, open.now)
        .held_back()
        .next()
        .is_some()
}

/// This person's requests for this record, newest first.
async fn my_requests(open: &OpenRecord) -> WebResult<Vec<CopyRequest>> {
    Ok(open
        .state()
        .store
        .copy_requests(&open.record.patient.id)
        .await?
        .into_iter()
        .filter(|r| r.requested_by == open.login.subject)
        .collect())
}

/// An approved request that may still be used.
fn approved(requests: &[CopyRequest], open: &OpenRecord) -> bool {
    requests.iter().any(|r| {
        r.status == CopyRequestStatus::Approved
            && r.decided_at
                .is_some_and(|at| open.now - at < Duration::days(APPROVAL_DAYS))
    })
}

async fn render(
    open: &OpenRecord,
    requested: bool,
    error: Option<&str>,
    status: StatusCode,
) -> WebResult<Response> {
    let ctx = open.ctx("/kopie").await?;
    let requests = my_requests(open).await?;
    let rows = requests
        .iter()
        .map(|r| {
            let local = r.requested_at.with_timezone(&chrono_tz::Europe::Amsterdam);
            RequestRow {
                requested: format!(
                    "{} {}",
                    ctx.tr.date(local.date_naive()),
                    local.format("%H:%M")
                ),
                status: ctx.tr.t(match r.status {
                    CopyRequestStatus::Pending => "copy-status-pending",
                    CopyRequestStatus::Approved => "copy-status-approved",
                    CopyRequestStatus::Declined => "copy-status-declined",
                }),
                reason: r.reason.clone(),
                answer_by: (r.status == CopyRequestStatus::Pending).then(|| {
                    let day = ctx
                        .tr
                        .date(inzage_webkit::requests::answer_by(r.requested_at));
                    ctx.tr.ta("copy-answer-by", &[("date", day)])
                }),
            }
        })
        .collect();
    let error = error.map(|key| ctx.tr.t(key));
    let held_back = holds_held_back(open);
    Ok((
        status,
        CopyPage {
            full_allowed: full_allowed(open)?,
            needs_check: open.settings.full_copy_needs_check || held_back,
            held_back,
            full_ready: approved(&requests, open),
            requests: rows,
            requested,
            error,
            ctx,
        },
    )
        .into_response())
}

async fn page(open: OpenRecord, Query(q): Query<PageQuery>) -> WebResult<Response> {
    // The page names the record's patient and lists requests: an access like any other page.
    open.audit(EventType::Read, "copy page").await?;
    render(&open, q.aangevraagd, None, StatusCode::OK).await
}

#[derive(Deserialize)]
struct CopyForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    selectie: String,
    #[serde(default)]
    formaat: String,
}

async fn make(
    open: OpenRecord,
    headers: HeaderMap,
    Form(form): Form<CopyForm>,
) -> WebResult<Response> {
    check_csrf(&open.session, &form.csrf).await?;
    let Some((format, selection)) = parse_choice(&form.formaat, &form.selectie) else {
        return render(&open, false, Some("copy-invalid"), StatusCode::BAD_REQUEST).await;
    };
    let base = inzage_webkit::base_url(open.state(), &headers);
    // The copy's headings and explanations in the reader's language (kept for the account).
    let lang = inzage_webkit::i18n::Tr::from_session(&open.session)
        .await
        .code();
    match selection {
        Selection::Summary => {
            let statements = open
                .state()
                .store
                .statements(&open.record.patient.id)
                .await?;
            let copy = Copy::summary(open.view()?, open.now)
                .with_statements(statements)
                .in_language(lang);
            let response = download(&copy, format, &base)?;
            open.audit(
                EventType::Export,
                &format!("copy {} {}", selection.code(), format.code()),
            )
            .await?;
            Ok(response)
        }
        Selection::Full => {
            if !full_allowed(&open)? {
                return render(
                    &open,
                    false,
                    Some("copy-full-not-allowed"),
                    StatusCode::FORBIDDEN,
                )
                .await;
            }
            let needs_check = open.settings.full_copy_needs_check || holds_held_back(&open);
            if needs_check && !approved(&my_requests(&open).await?, &open) {
                return request(&open).await;
            }
            let statements = open
                .state()
                .store
                .statements(&open.record.patient.id)
                .await?;
            let copy = Copy::full(&open.record, &open.settings, open.now)
                .with_statements(statements)
                .in_language(lang);
            let response = download(&copy, format, &base)?;
            open.audit(
                EventType::Export,
                &format!("copy {} {}", selection.code(), format.code()),
            )
            .await?;
            Ok(response)
        }
    }
}

/// Files a request for the full copy for the practice to check.
async fn request(open: &OpenRecord) -> WebResult<Response> {
    let id = format!("kopie-{:016x}", rand::random::<u64>());
    let result = open
        .state()
        .store
        .request_copy(&CopyRequest {
            id,
            patient: open.record.patient.id.clone(),
            requested_by: open.login.subject.clone(),
            requester_role: open.role(),
            requested_at: open.now,
            status: CopyRequestStatus::Pending,
            decided_by: None,
            decided_at: None,
            reason: None,
        })
        .await;
    match result {
        Ok(()) => {
            open.audit(EventType::Create, "full copy requested").await?;
            Ok(Redirect::to("/kopie?aangevraagd=true").into_response())
        }
        Err(StoreError::Conflict(_)) => {
            render(
                open,
                false,
                Some("copy-already-pending"),
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
