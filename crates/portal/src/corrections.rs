//! "Klopt er iets niet?" (issue 8, R109, R110): the person asks the GP to correct an item of the
//! record they can see, or adds their own statement to it. The outcome (corrected, declined with
//! a reason, or the statement added) shows on `/correcties`; an added statement also shows with
//! the item on the episode and medication pages. Like questions, this is for the patient and for
//! representatives whose access is not limited to some sections.

use super::{OpenRecord, PageCtx};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use inzage_store::{
    CorrectionKind, CorrectionRequest, CorrectionStatus, CorrectionStore, EventType,
    correction_item,
};
use inzage_webkit::AppState;
use inzage_webkit::error::{WebError, WebResult};
use inzage_webkit::extract::{Form, Query};
use inzage_webkit::session::check_csrf;
use serde::Deserialize;
use std::collections::HashMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/correcties", get(list))
        .route("/correcties/nieuw", get(form).post(submit))
}

/// The longest request text.
const MAX_TEXT: usize = 5000;

/// The statements added to items of this record, by item id, for the item pages.
pub async fn statements(open: &OpenRecord) -> WebResult<HashMap<String, Vec<String>>> {
    let mut by: HashMap<String, Vec<String>> = HashMap::new();
    if !allowed(open)? {
        return Ok(by);
    }
    for s in open
        .state()
        .store
        .statements(&open.record.patient.id)
        .await?
    {
        by.entry(s.about.id).or_default().push(s.text);
    }
    Ok(by)
}

fn allowed(open: &OpenRecord) -> WebResult<bool> {
    Ok(open.access()?.scope.is_none())
}

struct Row {
    item: String,
    kind: String,
    text: String,
    requested: String,
    status: String,
    reason: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "corrections.html")]
struct ListPage {
    ctx: PageCtx,
    allowed: bool,
    rows: Vec<Row>,
    sent: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "correction_form.html")]
struct FormPage {
    ctx: PageCtx,
    soort: String,
    item: String,
    label: String,
    statement: bool,
    text: String,
    error: Option<String>,
}

#[derive(Deserialize)]
struct ListQuery {
    #[serde(default)]
    verstuurd: bool,
}

fn status_key(s: CorrectionStatus) -> &'static str {
    match s {
        CorrectionStatus::Requested => "corr-status-requested",
        CorrectionStatus::Corrected => "corr-status-corrected",
        CorrectionStatus::Declined => "corr-status-declined",
        CorrectionStatus::Attached => "corr-status-attached",
    }
}

async fn list(open: OpenRecord, Query(q): Query<ListQuery>) -> WebResult<Response> {
    let ctx = open.ctx("/correcties").await?;
    let allowed = allowed(&open)?;
    let view = open.view()?;
    let mut rows = vec![];
    if allowed {
        for c in open
            .state()
            .store
            .corrections(&open.record.patient.id)
            .await?
        {
            // The item's name only while this person can see it.
            let item = c
                .about()
                .and_then(|item| view.title_of(&item))
                .unwrap_or_else(|| ctx.tr.t("corr-an-item"));
            rows.push(Row {
                item,
                kind: ctx.tr.t(match c.kind {
                    CorrectionKind::Correction => "corr-kind-correction",
                    CorrectionKind::Statement => "corr-kind-statement",
                }),
                text: c.text.clone(),
                requested: inzage_webkit::requests::when(&ctx, c.requested_at),
                status: ctx.tr.t(status_key(c.status)),
                reason: c.reason.clone(),
            });
        }
    }
    open.audit(EventType::Read, "correction requests").await?;
    Ok(ListPage {
        ctx,
        allowed,
        rows,
        sent: q.verstuurd,
    }
    .into_response())
}

#[derive(Deserialize)]
struct ItemQuery {
    #[serde(default)]
    soort: String,
    #[serde(default)]
    item: String,
}

/// The item's label when this person may ask about it: allowed, and the item is in their view.
fn askable(open: &OpenRecord, soort: &str, item: &str) -> WebResult<String> {
    if !allowed(open)? {
        return Err(WebError::Forbidden);
    }
    let view = open.view()?;
    correction_item(soort, item)
        .and_then(|item| view.title_of(&item))
        .ok_or(WebError::NotFound)
}

async fn render_form(
    open: &OpenRecord,
    soort: &str,
    item: &str,
    typed: Option<(bool, &str)>,
    error: Option<&str>,
    status: StatusCode,
) -> WebResult<Response> {
    let label = askable(open, soort, item)?;
    let ctx = open.ctx("/correcties").await?;
    let (statement, text) = typed.unwrap_or((false, ""));
    let error = error.map(|k| ctx.tr.t(k));
    Ok((
        status,
        FormPage {
            ctx,
            soort: soort.to_owned(),
            item: item.to_owned(),
            label,
            statement,
            text: text.to_owned(),
            error,
        },
    )
        .into_response())
}

async fn form(open: OpenRecord, Query(q): Query<ItemQuery>) -> WebResult<Response> {
    askable(&open, &q.soort, &q.item)?;
    open.audit(EventType::Read, &format!("correction form for {}", q.item))
        .await?;
    render_form(&open, &q.soort, &q.item, None, None, StatusCode::OK).await
}

#[derive(Deserialize)]
struct SubmitForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    soort: String,
    #[serde(default)]
    item: String,
    #[serde(default)]
    verzoek: String,
    #[serde(default)]
    tekst: String,
}

async fn submit(open: OpenRecord, Form(f): Form<SubmitForm>) -> WebResult<Response> {
    check_csrf(&open.session, &f.csrf).await?;
    askable(&open, &f.soort, &f.item)?;
    let kind = CorrectionKind::parse(&f.verzoek);
    let text = f.tekst.trim();
    let refuse = |key| {
        render_form(
            &open,
            &f.soort,
            &f.item,
            Some((kind == Some(CorrectionKind::Statement), text)),
            Some(key),
            StatusCode::BAD_REQUEST,
        )
    };
    let Some(kind) = kind else {
        return refuse("corr-choose").await;
    };
    if text.is_empty() {
        return refuse("corr-text-needed").await;
    }
    if text.chars().count() > MAX_TEXT {
        return refuse("corr-text-too-long").await;
    }
    let request = CorrectionRequest {
        id: format!("corr-{}", &inzage_webkit::session::random_token()[..20]),
        patient: open.record.patient.id.clone(),
        item_kind: f.soort.clone(),
        item_id: f.item.clone(),
        kind,
        text: text.to_owned(),
        requested_by: open.login.subject.clone(),
        requested_bsn: open.login.bsn.as_str().to_owned(),
        requester_role: open.role(),
        requested_at: open.now,
        status: CorrectionStatus::Requested,
        decided_by: None,
        decided_at: None,
        reason: None,
    };
    open.state().store.request_correction(&request).await?;
    open.audit(
        EventType::Create,
        &format!(
            "{} requested for {} ({})",
            kind.as_str(),
            f.item,
            request.id
        ),
    )
    .await?;
    Ok(Redirect::to("/correcties?verstuurd=true").into_response())
}
