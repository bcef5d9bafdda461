//! "Gegevens laten vernietigen" (issue 20 part 5, R111, WGBO 7:455): the patient (or whoever
//! may decide for them, `exchange::online_consent_right`) asks to destroy the whole record or
//! named parts of it they see; the GP carries it out or refuses with a legal reason within three
//! months (`inzage_practice::retention`). The page shows each request with that date and the
//! answer.

use super::{OpenRecord, PageCtx};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use inzage_domain::exchange::{OnlineConsentRight, online_consent_right};
use inzage_domain::retention::destruction_deadline;
use inzage_domain::time::local_date;
use inzage_domain::visibility::{ItemKind, ItemRef};
use inzage_store::{DestructionRequest, DestructionRequestStore, EventType, StoreError};
use inzage_webkit::AppState;
use inzage_webkit::error::{WebError, WebResult};
use inzage_webkit::extract::{Form, Query};
use inzage_webkit::session::check_csrf;
use serde::Deserialize;

pub const PATH: &str = "/vernietigen";

pub fn router() -> Router<AppState> {
    Router::new().route(PATH, get(page).post(ask))
}

/// The kinds a person names here: what they see as one thing.
const NAMEABLE: [ItemKind; 4] = [
    ItemKind::Episode,
    ItemKind::Letter,
    ItemKind::Result,
    ItemKind::Medication,
];

struct Choice {
    value: String,
    label: String,
}

struct RequestRow {
    what: String,
    asked: String,
    deadline: String,
    status: String,
    reason: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "destruction.html")]
struct Page {
    ctx: PageCtx,
    may_ask: bool,
    items: Vec<Choice>,
    requests: Vec<RequestRow>,
    sent: bool,
    error: Option<String>,
}

#[derive(Deserialize)]
struct PageQuery {
    #[serde(default)]
    gevraagd: bool,
}

fn kind_word(kind: ItemKind) -> String {
    match serde_json::to_value(kind) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

/// The items this person sees and may name, as form values ("episode:ep1") with their titles.
fn items(open: &OpenRecord) -> WebResult<Vec<Choice>> {
    let view = open.view()?;
    let mut out = vec![];
    for kind in NAMEABLE {
        let ids: Vec<String> = match kind {
            ItemKind::Episode => view.episodes.iter().map(|x| x.id.to_string()).collect(),
            ItemKind::Letter => view.letters.iter().map(|x| x.id.to_string()).collect(),
            ItemKind::Result => view.results.iter().map(|x| x.id.to_string()).collect(),
            _ => view.medication.iter().map(|x| x.id.to_string()).collect(),
        };
        for id in ids {
            let item = ItemRef { kind, id };
            if let Some(label) = view.title_of(&item) {
                out.push(Choice {
                    value: format!("{}:{}", kind_word(kind), item.id),
                    label,
                });
            }
        }
    }
    Ok(out)
}

fn may_ask(open: &OpenRecord) -> bool {
    online_consent_right(&open.record, &open.viewer, open.now) == OnlineConsentRight::Decide
}

async fn render(
    open: &OpenRecord,
    sent: bool,
    error: Option<&str>,
    status: StatusCode,
) -> WebResult<Response> {
    let ctx = open.ctx(PATH).await?;
    let tr = &ctx.tr;
    let items = items(open)?;
    let requests = open
        .state()
        .store
        .destruction_requests(&open.record.patient.id)
        .await?
        .into_iter()
        .map(|r| RequestRow {
            what: if r.scope == "record" {
                tr.t("destroy-whole")
            } else {
                r.scope
                    .split(',')
                    .map(|v| {
                        items
                            .iter()
                            .find(|i| i.value == v)
                            .map(|i| i.label.clone())
                            .unwrap_or_else(|| tr.t("sharing-block-item-gone"))
                    })
                    .collect::<Vec<_>>()
                    .join("; ")
            },
            asked: tr.date(local_date(r.requested_at)),
            deadline: tr.date(destruction_deadline(r.requested_at)),
            status: tr.t(&format!("destroy-status-{}", r.status)),
            reason: r.reason,
        })
        .collect();
    Ok((
        status,
        Page {
            may_ask: may_ask(open),
            items,
            requests,
            sent,
            error: error.map(|k| tr.t(k)),
            ctx,
        },
    )
        .into_response())
}

async fn page(open: OpenRecord, Query(q): Query<PageQuery>) -> WebResult<Response> {
    open.audit(EventType::Read, "destruction requests").await?;
    render(&open, q.gevraagd, None, StatusCode::OK).await
}

/// The longest remark with a request.
const MAX_REMARK: usize = 1000;

async fn ask(open: OpenRecord, Form(data): Form<Vec<(String, String)>>) -> WebResult<Response> {
    let get = |name: &str| {
        data.iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    };
    check_csrf(&open.session, get("csrf")).await?;
    if !may_ask(&open) {
        return Err(WebError::Forbidden);
    }
    let refuse = |key| render(&open, false, Some(key), StatusCode::BAD_REQUEST);
    let scope = match get("wat") {
        "alles" => {
            if get("zeker") != "ja" {
                return refuse("destroy-confirm").await;
            }
            "record".to_owned()
        }
        "onderdelen" => {
            let offered = items(&open)?;
            let mut chosen: Vec<&str> = data
                .iter()
                .filter(|(k, _)| k == "onderdeel")
                .map(|(_, v)| v.as_str())
                .collect();
            chosen.sort_unstable();
            chosen.dedup();
            if chosen.is_empty()
                || chosen
                    .iter()
                    .any(|c| !offered.iter().any(|o| o.value == *c))
            {
                return refuse("destroy-choose").await;
            }
            chosen.join(",")
        }
        _ => return refuse("destroy-choose").await,
    };
    let remark = get("toelichting").trim().to_owned();
    if remark.chars().count() > MAX_REMARK {
        return refuse("destroy-too-long").await;
    }
    let request = DestructionRequest {
        id: format!("vern-{:016x}", rand::random::<u64>()),
        patient: open.record.patient.id.clone(),
        scope,
        remark,
        requested_by: open.login.subject.clone(),
        requester_role: open.role(),
        requested_at: open.now,
        status: "requested".into(),
        decided_by: None,
        decided_at: None,
        reason: None,
    };
    match open.state().store.request_destruction(&request).await {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => {
            return render(&open, false, Some("destroy-waiting"), StatusCode::CONFLICT).await;
        }
        Err(e) => return Err(e.into()),
    }
    open.audit(EventType::Create, "destruction request").await?;
    Ok(Redirect::to(&format!("{PATH}?gevraagd=true")).into_response())
}
