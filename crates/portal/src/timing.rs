//! "Wanneer ziet u uitslagen?" (issue 18 item 7, R26, N4): where the practice allows it, the
//! patient chooses to see lab results as soon as they arrive, or after the GP has looked (at
//! the latest after the practice's delay). The choice is part of the record, so staff see and
//! record it too (the practice's access page); each change is in the audit log.

use super::{OpenRecord, PageCtx};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use inzage_domain::edit::choose_result_timing;
use inzage_domain::{Actor, PatientRecord};
use inzage_store::{EventType, RecordStore};
use inzage_webkit::AppState;
use inzage_webkit::error::{WebError, WebResult};
use inzage_webkit::extract::{Form, Query};
use inzage_webkit::session::check_csrf;
use serde::Deserialize;

pub const PATH: &str = "/uitslagen-moment";

pub fn router() -> Router<AppState> {
    Router::new().route(PATH, get(page).post(save))
}

#[derive(Template, WebTemplate)]
#[template(path = "result_timing.html")]
struct Page {
    ctx: PageCtx,
    /// The practice offers the choice, and this person may make it (the patient, or a
    /// representative for the whole record).
    offered: bool,
    immediately: bool,
    /// The texts that name the practice's delay in days.
    intro: String,
    after_gp_hint: String,
    saved: bool,
}

#[derive(Deserialize)]
struct PageQuery {
    #[serde(default)]
    opgeslagen: bool,
}

#[derive(Deserialize)]
struct ChoiceForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    moment: String,
}

/// Whether the viewer may choose on `record`: the practice offers the choice and the viewer's
/// access is not limited to some sections.
fn may_choose(open: &OpenRecord, record: &PatientRecord) -> WebResult<bool> {
    Ok(open.settings.patients_may_choose_immediate_results
        && open.access_in(record)?.scope.is_none())
}

async fn page(open: OpenRecord, Query(q): Query<PageQuery>) -> WebResult<Response> {
    let ctx = open.ctx(PATH).await?;
    open.audit(EventType::Read, "result timing choice").await?;
    let delay = open.settings.result_release_delay_days as usize;
    Ok(Page {
        offered: may_choose(&open, &open.record)?,
        immediately: open.settings.patients_may_choose_immediate_results
            && open.record.patient.wants_results_immediately,
        intro: ctx.tr.tc("timing-intro", delay, &[]),
        after_gp_hint: ctx.tr.tc("timing-after-gp-hint", delay, &[]),
        saved: q.opgeslagen,
        ctx,
    }
    .into_response())
}

async fn save(open: OpenRecord, Form(form): Form<ChoiceForm>) -> WebResult<Response> {
    check_csrf(&open.session, &form.csrf).await?;
    if !may_choose(&open, &open.record)? {
        return Ok((StatusCode::FORBIDDEN, "This choice is not offered.").into_response());
    }
    let immediately = match form.moment.as_str() {
        "direct" => true,
        "na-huisarts" => false,
        _ => return Err(WebError::Invalid("moment")),
    };
    let state = open.state();
    // Applied to the record as it is now (another change may have landed since the page was
    // opened), and again if one lands before it is saved.
    inzage_webkit::until_fresh!(async {
        let mut record = open.stored_record().await?;
        // Checked again on the record it changes.
        if !may_choose(&open, &record)? {
            return Err(WebError::Forbidden);
        }
        choose_result_timing(
            &mut record,
            &open.settings,
            immediately,
            Actor::System("portal".into()),
            open.now,
        )
        .map_err(|_| WebError::Invalid("moment"))?;
        let choice = if immediately {
            "immediately"
        } else {
            "after the GP"
        };
        state
            .store
            .save_record(
                &record,
                open.change_event(&format!("result timing choice: {choice}")),
            )
            .await?;
        Ok::<_, WebError>(())
    })?;
    Ok(Redirect::to(&format!("{PATH}?opgeslagen=true")).into_response())
}
