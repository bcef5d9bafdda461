//! Asking a provider of data service 52 a question about measurements at the moment the person
//! wants the answer (`/pgo/metingen`): all blood pressures, the latest weight, all blood sugars,
//! all heart rates, blood pressures or all measurements in a period, all vital signs; the seven
//! searches of the Nictiz Retrieving-PHR scenarios, exactly as specified (`client::Question`).
//!
//! The answer is kept like every fetch (per provider, data service and question: a new answer
//! to the same question replaces the last) and shown at once; it is in the person's log. Only
//! the account's own connections can be asked; a failure is said in one sentence.

use crate::Pgo;
use crate::client::{Question, new_id, resource_base};
use crate::fetch;
use crate::pages::{ctx, failure_key, log, own_connection_of, provider_name, required};
use crate::view::{self, Line};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use chrono::NaiveDate;
use inzage_login::auth::Login;
use inzage_store::{PgoResource, PgoStore};
use inzage_webkit::AppState;
use inzage_webkit::error::WebResult;
use inzage_webkit::extract::Form;
use inzage_webkit::page::PageCtx;
use inzage_webkit::session::check_csrf;
use serde::Deserialize;
use std::sync::Arc;
use tower_sessions::Session;

pub fn routes() -> Router<AppState> {
    Router::new().route("/pgo/metingen", get(page).post(ask))
}

/// The data service of measurements.
const MEASUREMENTS: &str = "52";

struct Answer {
    /// "Alle bloeddrukken bij Huisartsenpraktijk De Linde".
    heading: String,
    lines: Vec<Line>,
}

#[derive(Template, WebTemplate)]
#[template(path = "pgo_ask.html")]
struct AskPage {
    ctx: PageCtx,
    /// (connection id, provider name) of every connection for data service 52 that is active.
    connections: Vec<(String, String)>,
    questions: Vec<(usize, String)>,
    answer: Option<Answer>,
    error: Option<String>,
}

async fn render(
    state: &AppState,
    session: &Session,
    account: &inzage_store::PgoAccount,
    answer: Option<Answer>,
    error: Option<String>,
    status: StatusCode,
) -> WebResult<Response> {
    let ctx = ctx(session, "/pgo/metingen").await?;
    let connections = state
        .store
        .pgo_connections(&account.id)
        .await?
        .into_iter()
        .filter(|c| {
            c.service == MEASUREMENTS && c.refresh_token.is_some() && c.withdrawn_at.is_none()
        })
        .map(|c| (c.id, provider_name(&c.provider)))
        .collect();
    let questions = Question::ALL
        .iter()
        .map(|q| (q.number(), ctx.tr.t(&format!("pgo-ask-q{}", q.number()))))
        .collect();
    Ok((
        status,
        AskPage {
            ctx,
            connections,
            questions,
            answer,
            error,
        },
    )
        .into_response())
}

async fn page(
    State(state): State<AppState>,
    session: Session,
    login: Login,
) -> WebResult<Response> {
    let account = required(&state, &session, &login).await?;
    render(&state, &session, &account, None, None, StatusCode::OK).await
}

#[derive(Deserialize)]
struct AskForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    verbinding: String,
    #[serde(default)]
    vraag: usize,
    #[serde(default)]
    van: String,
    #[serde(default)]
    tot: String,
}

async fn ask(
    State(state): State<AppState>,
    Extension(pgo): Extension<Arc<Pgo>>,
    session: Session,
    login: Login,
    Form(form): Form<AskForm>,
) -> WebResult<Response> {
    check_csrf(&session, &form.csrf).await?;
    let account = required(&state, &session, &login).await?;
    let mut conn = own_connection_of(&state, &account, &form.verbinding).await?;
    let tr = inzage_webkit::i18n::Tr::from_session(&session).await;
    let bad = |key: &str| Some(tr.t(key));
    let Some(question) = Question::from_number(form.vraag) else {
        return render(
            &state,
            &session,
            &account,
            None,
            bad("pgo-ask-err-question"),
            StatusCode::BAD_REQUEST,
        )
        .await;
    };
    let period = match (
        NaiveDate::parse_from_str(form.van.trim(), "%Y-%m-%d"),
        NaiveDate::parse_from_str(form.tot.trim(), "%Y-%m-%d"),
    ) {
        (Ok(from), Ok(to)) if from <= to => Some((from, to)),
        _ => None,
    };
    let Some(search) = question.search(period) else {
        return render(
            &state,
            &session,
            &account,
            None,
            bad("pgo-ask-err-period"),
            StatusCode::BAD_REQUEST,
        )
        .await;
    };
    let lists = pgo.directory.lists();
    let found = match (
        lists.service(&conn.provider, MEASUREMENTS),
        lists.whitelist.clone(),
    ) {
        (Some((_, service)), Some(whitelist)) if conn.service == MEASUREMENTS => {
            match resource_base(service).map(str::to_owned) {
                Some(base) => match fetch::access_token(&pgo, &mut conn).await? {
                    Ok(token) => {
                        pgo.caller
                            .search_path(
                                &whitelist,
                                &conn.provider,
                                (&base, &search),
                                &token,
                                &new_id(),
                                &format!("V{}", question.number()),
                            )
                            .await
                    }
                    Err(f) => Err(f),
                },
                None => Err(crate::client::Failure::NotOffered),
            }
        }
        _ => Err(crate::client::Failure::NotOffered),
    };
    let resources = match found {
        Ok(r) => r,
        Err(f) => {
            let why = format!(
                "{} {}",
                tr.t1("pgo-ask-failed", "name", provider_name(&conn.provider)),
                tr.t(failure_key(f))
            );
            return render(&state, &session, &account, None, Some(why), StatusCode::OK).await;
        }
    };
    let now = state.now();
    let query = format!("V{}", question.number());
    state
        .store
        .replace_pgo_query(
            &account.id,
            &conn.provider,
            MEASUREMENTS,
            &query,
            &resources,
            now,
        )
        .await?;
    log(&state, &account.id, "ask", &conn.provider).await?;
    let kept: Vec<PgoResource> = resources
        .into_iter()
        .map(|(resource_type, resource_id, body)| PgoResource {
            provider: conn.provider.clone(),
            service: MEASUREMENTS.into(),
            query: query.clone(),
            resource_type,
            resource_id,
            body,
            fetched_at: now,
            changed_at: now,
        })
        .collect();
    let lines = view::measurement_lines(&kept, &[], &|v| tr.t(&format!("vital-{}", v.key())), "")
        .into_iter()
        .map(|(_, l)| l)
        .collect();
    let answer = Answer {
        heading: tr.ta(
            "pgo-ask-answer",
            &[
                ("what", tr.t(&format!("pgo-ask-q{}", question.number()))),
                ("name", provider_name(&conn.provider)),
            ],
        ),
        lines,
    };
    render(
        &state,
        &session,
        &account,
        Some(answer),
        None,
        StatusCode::OK,
    )
    .await
}
