//! The GP's queue of patients' requests not to share an item with a kind of provider (issue 20,
//! part 3): the GP agrees (the block is saved in the record in the same transaction as the
//! decision, and holds for every exchange from then on) or asks to talk about it first, in words
//! the patient reads in the portal.

use super::entry::until_fresh;
use super::roles::Action;
use super::{Staff, StaffRecord};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use inzage_domain::exchange::block_item;
use inzage_domain::visibility::{ItemRef, PatientView};
use inzage_store::{BlockDecision, BlockStatus, BlockStore, EventType, RecordStore};
use inzage_webkit::AppState;
use inzage_webkit::error::{WebError, WebResult};
use inzage_webkit::extract::{Form, Query};
use inzage_webkit::page::PageCtx;
use inzage_webkit::session::check_csrf;
use serde::Deserialize;
use tower_sessions::Session;

pub const PATH: &str = "/praktijk/niet-delen";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/praktijk/niet-delen", get(queue))
        .route(
            "/praktijk/patienten/{id}/niet-delen/{request}",
            post(decide),
        )
}

struct Row {
    id: String,
    patient_id: String,
    patient: String,
    what: String,
    to: String,
    asked: String,
    remark: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "practice_blocks.html")]
struct QueuePage {
    ctx: PageCtx,
    rows: Vec<Row>,
    done: bool,
    error: Option<String>,
}

#[derive(Deserialize)]
struct QueueQuery {
    #[serde(default)]
    verwerkt: bool,
}

async fn render(
    state: &AppState,
    staff: &Staff,
    session: &Session,
    done: bool,
    error: Option<&str>,
    status: StatusCode,
) -> WebResult<Response> {
    staff.require(Action::DecideBlocks)?;
    let ctx = staff.ctx(session, PATH).await?;
    let waiting = state.store.waiting_blocks(&staff.practice).await?;
    let records = staff
        .records_for_queue(
            state,
            waiting.iter().map(|x| &x.patient),
            "block request queue",
        )
        .await?;
    let today = inzage_domain::time::local_date(state.now());
    let mut rows = vec![];
    for b in waiting {
        let Some((_, record)) = records.iter().find(|(p, _)| *p == b.patient) else {
            continue;
        };
        let item = ItemRef {
            kind: b.item_kind,
            id: b.item_id.clone(),
        };
        rows.push(Row {
            id: b.id.clone(),
            patient_id: b.patient.to_string(),
            patient: record.patient.name.display(),
            what: PatientView::whole(record, today)
                .title_of(&item)
                .unwrap_or_else(|| ctx.tr.t("sharing-block-item-gone")),
            to: ctx
                .tr
                .t(&format!("sharing-requester-{}", b.requester.slug())),
            asked: inzage_webkit::requests::when(&ctx, b.requested_at),
            remark: b.remark.clone(),
        });
    }
    let error = error.map(|k| ctx.tr.t(k));
    Ok((
        status,
        QueuePage {
            ctx,
            rows,
            done,
            error,
        },
    )
        .into_response())
}

async fn queue(
    State(state): State<AppState>,
    staff: Staff,
    session: Session,
    Query(q): Query<QueueQuery>,
) -> WebResult<Response> {
    render(&state, &staff, &session, q.verwerkt, None, StatusCode::OK).await
}

#[derive(Deserialize)]
struct DecideForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    actie: String,
    #[serde(default)]
    antwoord: String,
}

async fn decide(
    rec: StaffRecord,
    Path((_, request)): Path<(String, String)>,
    Form(form): Form<DecideForm>,
) -> WebResult<Response> {
    check_csrf(&rec.session, &form.csrf).await?;
    rec.staff.require(Action::DecideBlocks)?;
    let refuse = |key, status| {
        render(
            &rec.state,
            &rec.staff,
            &rec.session,
            false,
            Some(key),
            status,
        )
    };
    let reply = form.antwoord.trim();
    let status = match form.actie.as_str() {
        "akkoord" => BlockStatus::Agreed,
        "bespreken" if reply.is_empty() => {
            return refuse("block-reply-needed", StatusCode::BAD_REQUEST).await;
        }
        "bespreken" => BlockStatus::Discuss,
        _ => return Err(WebError::Invalid("actie")),
    };
    if reply.chars().count() > 1000 {
        return refuse("block-reply-too-long", StatusCode::BAD_REQUEST).await;
    }
    let patient = rec.record.patient.id.clone();
    let Some(waiting) = rec
        .state
        .store
        .block_requests(&patient)
        .await?
        .into_iter()
        .find(|b| b.id == request && b.status == BlockStatus::Requested)
    else {
        return refuse("block-gone", StatusCode::CONFLICT).await;
    };
    let now = rec.state.now();
    let decision = BlockDecision {
        status,
        by: format!("staff:{}", rec.staff.username),
        at: now,
        reply: (!reply.is_empty()).then(|| reply.to_owned()),
    };
    let decided = if status == BlockStatus::Agreed {
        let by = super::entry::author(&rec.staff, now)?.actor();
        let item = ItemRef {
            kind: waiting.item_kind,
            id: waiting.item_id.clone(),
        };
        let decided = until_fresh!(async {
            let mut record = rec
                .state
                .store
                .load_record(&patient)
                .await?
                .ok_or(WebError::NotFound)?;
            if block_item(&mut record, &item, waiting.requester, by.clone(), now).is_err() {
                return Ok(None);
            }
            let audit = rec.staff.audit_event(
                now,
                EventType::Update,
                Some(patient.clone()),
                format!(
                    "practice: block agreed ({request}: {} not to {})",
                    waiting.item_id,
                    waiting.requester.slug()
                ),
            );
            Ok::<_, WebError>(Some(
                rec.state
                    .store
                    .decide_block(&patient, &request, &decision, Some(&record), audit)
                    .await?,
            ))
        })?;
        match decided {
            Some(decided) => decided,
            None => return refuse("sharing-block-item-gone", StatusCode::CONFLICT).await,
        }
    } else {
        let audit = rec.staff.audit_event(
            now,
            EventType::Update,
            Some(patient.clone()),
            format!("practice: block to discuss ({request})"),
        );
        rec.state
            .store
            .decide_block(&patient, &request, &decision, None, audit)
            .await?
    };
    if !decided {
        return refuse("block-gone", StatusCode::CONFLICT).await;
    }
    Ok(Redirect::to(&format!("{PATH}?verwerkt=true")).into_response())
}
