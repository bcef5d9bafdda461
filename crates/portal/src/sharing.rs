//! "Delen met andere zorgverleners" (issue 20, R113, R115, R116): the patient sees and changes
//! whether other providers may see this practice's data: a huisartsenpost or locum, the
//! ambulance, a hospital or specialist (the summary), another pharmacy (medication and
//! allergies). One question per kind of provider, in B1 words. "No" stops sharing at once. A
//! parent or representative may choose as the access rules allow
//! (`exchange::online_consent_right`). Each change is saved with the record, so it is in the
//! audit log and the access log, and staff see it on the access page.
//!
//! On the same page a person asks not to share one item (an episode, a letter, a result they
//! see) with one kind of provider; a GP agrees or asks to talk first
//! (`inzage_practice` `/praktijk/niet-delen`), and the person reads the answer here.

use super::{OpenRecord, PageCtx};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use inzage_domain::Viewer;
use inzage_domain::exchange::BLOCKABLE;
use inzage_domain::exchange::{
    ConsentAnswer, ConsentMethod, ConsentState, DataCategory, ExchangeConsent, OnlineConsentRight,
    ProviderCategory, RecordedBy, consent_state, online_consent_right, set_exchange_consent,
};
use inzage_domain::visibility::{ItemKind, ItemRef};
use inzage_domain::{Actor, time::local_date};
use inzage_store::{BlockRequest, BlockStatus, BlockStore, EventType, RecordStore, StoreError};
use inzage_webkit::AppState;
use inzage_webkit::error::{WebError, WebResult};
use inzage_webkit::extract::{Form, Query};
use inzage_webkit::session::check_csrf;
use serde::Deserialize;
use std::collections::HashMap;

pub const PATH: &str = "/delen";

/// Where a person asks not to share one item with a kind of provider (issue 20, part 3).
pub const BLOCK_PATH: &str = "/delen/niet-delen";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(PATH, get(page).post(save))
        .route(BLOCK_PATH, axum::routing::post(ask_block))
}

/// The longest remark with a block request.
const MAX_REMARK: usize = 500;

/// The questions the portal asks: each kind of provider with the data it would get.
pub const QUESTIONS: [(ProviderCategory, DataCategory); 4] = [
    (ProviderCategory::Hap, DataCategory::Summary),
    (ProviderCategory::Ambulance, DataCategory::Summary),
    (ProviderCategory::Hospital, DataCategory::Summary),
    (ProviderCategory::Pharmacy, DataCategory::Medication),
];

/// An item the person may name: its form value ("episode:ep1") and what they call it.
struct Nameable {
    value: String,
    label: String,
}

/// One of the person's requests not to share.
struct BlockRow {
    what: String,
    to: String,
    asked: String,
    status: String,
    reply: Option<String>,
}

struct Question {
    /// The form field's name.
    field: String,
    question: String,
    hint: String,
    /// "Nu: ..." in words.
    now: String,
    yes: bool,
    no: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "sharing.html")]
struct Page {
    ctx: PageCtx,
    questions: Vec<Question>,
    may_say_yes: bool,
    may_change: bool,
    saved: bool,
    /// Items of this person's view that a block can name.
    nameable: Vec<Nameable>,
    categories: Vec<(String, String)>,
    blocks: Vec<BlockRow>,
    block_sent: bool,
    block_error: Option<String>,
}

#[derive(Deserialize)]
struct PageQuery {
    #[serde(default)]
    opgeslagen: bool,
    #[serde(default)]
    gevraagd: bool,
}

fn field(requester: ProviderCategory) -> String {
    format!("keuze-{}", requester.slug())
}

async fn page(open: OpenRecord, Query(q): Query<PageQuery>) -> WebResult<Response> {
    open.audit(EventType::Read, "sharing choices").await?;
    render(&open, q.opgeslagen, q.gevraagd, None, StatusCode::OK).await
}

/// The episodes, letters and results this person sees, as a block can name them.
fn nameable(open: &OpenRecord) -> WebResult<Vec<Nameable>> {
    let view = open.view()?;
    let mut out = vec![];
    for kind in BLOCKABLE {
        let ids: Vec<String> = match kind {
            ItemKind::Episode => view.episodes.iter().map(|x| x.id.to_string()).collect(),
            ItemKind::Letter => view.letters.iter().map(|x| x.id.to_string()).collect(),
            ItemKind::Result => view.results.iter().map(|x| x.id.to_string()).collect(),
            _ => vec![],
        };
        for id in ids {
            let item = ItemRef { kind, id };
            if let Some(label) = view.title_of(&item) {
                out.push(Nameable {
                    value: format!("{}:{}", kind_slug(kind), item.id),
                    label,
                });
            }
        }
    }
    Ok(out)
}

fn kind_slug(kind: ItemKind) -> &'static str {
    match kind {
        ItemKind::Episode => "episode",
        ItemKind::Letter => "letter",
        _ => "result",
    }
}

async fn render(
    open: &OpenRecord,
    saved: bool,
    block_sent: bool,
    block_error: Option<&str>,
    status: StatusCode,
) -> WebResult<Response> {
    let ctx = open.ctx(PATH).await?;
    let right = online_consent_right(&open.record, &open.viewer, open.now);
    let tr = &ctx.tr;
    let questions = QUESTIONS
        .iter()
        .map(|&(requester, data)| {
            let state = consent_state(&open.record, data, requester);
            let current = open
                .record
                .patient
                .exchange_consent
                .iter()
                .find(|c| c.data == data && c.requester == requester);
            let now = match (state, current) {
                (ConsentState::NotAsked, _) | (_, None) => tr.t("sharing-now-not-asked"),
                (ConsentState::Yes, Some(c)) => {
                    tr.t1("sharing-now-yes", "date", tr.date(local_date(c.at)))
                }
                (ConsentState::No, Some(c)) => {
                    tr.t1("sharing-now-no", "date", tr.date(local_date(c.at)))
                }
            };
            Question {
                field: field(requester),
                question: tr.t(&format!("sharing-question-{}", requester.slug())),
                hint: tr.t(&format!("sharing-hint-{}", requester.slug())),
                now,
                yes: state == ConsentState::Yes,
                no: state == ConsentState::No,
            }
        })
        .collect();
    let nameable = nameable(open)?;
    let blocks = open
        .state()
        .store
        .block_requests(&open.record.patient.id)
        .await?
        .into_iter()
        .map(|b| BlockRow {
            what: nameable
                .iter()
                .find(|n| n.value == format!("{}:{}", kind_slug(b.item_kind), b.item_id))
                .map(|n| n.label.clone())
                .unwrap_or_else(|| tr.t("sharing-block-item-gone")),
            to: tr.t(&format!("sharing-requester-{}", b.requester.slug())),
            asked: tr.date(local_date(b.requested_at)),
            status: tr.t(&format!("sharing-block-{}", b.status.as_str())),
            reply: b.reply,
        })
        .collect();
    let categories = ProviderCategory::ALL
        .iter()
        .map(|c| {
            (
                c.slug().to_owned(),
                tr.t(&format!("sharing-requester-{}", c.slug())),
            )
        })
        .collect();
    let block_error = block_error.map(|k| tr.t(k));
    Ok((
        status,
        Page {
            questions,
            may_say_yes: right == OnlineConsentRight::Decide,
            may_change: right != OnlineConsentRight::SeeOnly,
            saved,
            nameable,
            categories,
            blocks,
            block_sent,
            block_error,
            ctx,
        },
    )
        .into_response())
}

/// "Dit niet delen met ...": a request the GP decides (issue 20, part 3).
async fn ask_block(
    open: OpenRecord,
    Form(form): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or_default();
    check_csrf(&open.session, field("csrf")).await?;
    if online_consent_right(&open.record, &open.viewer, open.now) == OnlineConsentRight::SeeOnly {
        return Err(WebError::Forbidden);
    }
    let refuse = |key| render(&open, false, false, Some(key), StatusCode::BAD_REQUEST);
    // Only an item this person sees can be named.
    let Some((kind, id)) = nameable(&open)?
        .iter()
        .find(|n| n.value == field("item"))
        .and_then(|n| n.value.split_once(':'))
        .map(|(k, id)| (k.to_owned(), id.to_owned()))
    else {
        return refuse("sharing-block-choose").await;
    };
    let Some(requester) = ProviderCategory::parse(field("aan")) else {
        return refuse("sharing-block-choose").await;
    };
    let remark = field("toelichting").trim().to_owned();
    if remark.chars().count() > MAX_REMARK {
        return refuse("sharing-block-too-long").await;
    }
    let item_kind = match kind.as_str() {
        "episode" => ItemKind::Episode,
        "letter" => ItemKind::Letter,
        _ => ItemKind::Result,
    };
    let request = BlockRequest {
        id: format!("blk-{:016x}", rand::random::<u64>()),
        patient: open.record.patient.id.clone(),
        item_kind,
        item_id: id,
        requester,
        remark,
        requested_by: open.login.subject.clone(),
        requester_role: open.role(),
        requested_at: open.now,
        status: BlockStatus::Requested,
        decided_by: None,
        decided_at: None,
        reply: None,
    };
    match open.state().store.request_block(&request).await {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => {
            return render(
                &open,
                false,
                false,
                Some("sharing-block-waiting"),
                StatusCode::CONFLICT,
            )
            .await;
        }
        Err(e) => return Err(e.into()),
    }
    open.audit(
        EventType::Create,
        &format!("block request ({} {})", kind, requester.slug()),
    )
    .await?;
    Ok(Redirect::to(&format!("{PATH}?gevraagd=true#niet-delen")).into_response())
}

async fn save(open: OpenRecord, Form(form): Form<HashMap<String, String>>) -> WebResult<Response> {
    check_csrf(
        &open.session,
        form.get("csrf").map(String::as_str).unwrap_or_default(),
    )
    .await?;
    let right = online_consent_right(&open.record, &open.viewer, open.now);
    if right == OnlineConsentRight::SeeOnly {
        return Err(WebError::Forbidden);
    }
    let state = open.state();
    let recorded_by = match &open.viewer {
        Viewer::Patient { .. } => RecordedBy::Patient,
        Viewer::Representative { representation, .. } => RecordedBy::Representative {
            representation: representation.clone(),
        },
    };
    // Applied to the record as it is now (another change may have landed since the page was
    // opened), and again if one lands before it is saved.
    inzage_webkit::until_fresh!(async {
        let mut record = open.stored_record().await?;
        // Checked again on the record it changes (staff may have ended a representation).
        open.access_in(&record)?;
        let right = online_consent_right(&record, &open.viewer, open.now);
        if right == OnlineConsentRight::SeeOnly {
            return Err(WebError::Forbidden);
        }
        let mut changed = vec![];
        for (requester, data) in QUESTIONS {
            let answer = match form.get(&field(requester)).map(String::as_str) {
                None | Some("") => continue,
                Some("ja") => ConsentAnswer::Yes,
                Some("nee") => ConsentAnswer::No,
                Some(_) => return Err(WebError::Invalid("keuze")),
            };
            let before = consent_state(&record, data, requester);
            let same = matches!(
                (before, answer),
                (ConsentState::Yes, ConsentAnswer::Yes) | (ConsentState::No, ConsentAnswer::No)
            );
            if same {
                continue;
            }
            if answer == ConsentAnswer::Yes && right != OnlineConsentRight::Decide {
                return Err(WebError::Forbidden);
            }
            set_exchange_consent(
                &mut record,
                ExchangeConsent {
                    data,
                    requester,
                    answer,
                    method: ConsentMethod::Portal,
                    recorded_by: recorded_by.clone(),
                    at: open.now,
                },
                Actor::System("portal".into()),
            )
            .map_err(|_| WebError::Invalid("keuze"))?;
            changed.push(format!(
                "{} {} {}",
                requester.slug(),
                data.slug(),
                match answer {
                    ConsentAnswer::Yes => "yes",
                    ConsentAnswer::No => "no",
                }
            ));
        }
        if !changed.is_empty() {
            state
                .store
                .save_record(
                    &record,
                    open.change_event(&format!("sharing choice: {}", changed.join(", "))),
                )
                .await?;
        }
        Ok::<_, WebError>(())
    })?;
    Ok(Redirect::to(&format!("{PATH}?opgeslagen=true")).into_response())
}
