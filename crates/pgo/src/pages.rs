//! The person's PGO pages, all under `/pgo`. Every page that shows or changes data takes the
//! account from the logged-in person's session; a connection named in a form is looked up among
//! that account's own connections only, so no id reaches another person's data.

use crate::Pgo;
use crate::client::{Failure, Query, authorization_url, new_id};
use crate::directory::display_name;
use crate::fetch::{self, FetchOutcome};
use crate::view::{self, Line};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use chrono::{DateTime, Utc};
use inzage_login::auth::{AFTER_LOGIN, Login};
use inzage_store::{PgoAccount, PgoConnection, PgoLogEntry, PgoStore};
use inzage_webkit::AppState;
use inzage_webkit::error::{WebError, WebResult};
use inzage_webkit::extract::{Form, Query as Params};
use inzage_webkit::i18n::Tr;
use inzage_webkit::page::PageCtx;
use inzage_webkit::requests::when;
use inzage_webkit::session::check_csrf;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use tower_sessions::Session;

type PgoExt = Extension<Arc<Pgo>>;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/pgo", get(home))
        .route("/pgo/inloggen", get(login_start))
        .route("/pgo/aanmelden", post(sign_up))
        .route("/pgo/aanbieders", get(providers))
        .route("/pgo/verbinden", get(connect))
        .route("/pgo/terug", get(callback))
        .route("/pgo/ophalen", post(fetch_again))
        .route("/pgo/intrekken", post(withdraw))
        .route("/pgo/bron-verwijderen", post(delete_source))
        .route("/pgo/gegevens", get(data))
        .route("/pgo/logboek", get(log_page))
        .route("/pgo/account-verwijderen", post(delete_account))
}

/// The session key of the connection being made.
const CONNECTING: &str = "pgo_connecting";
/// Set once the person's login is in their PGO log.
const LOGGED: &str = "pgo_login_logged";

fn subject_hash(login: &Login) -> String {
    crate::account_key(&login.subject)
}

pub(crate) async fn ctx(session: &Session, path: &'static str) -> WebResult<PageCtx> {
    let mut ctx = PageCtx::anonymous(session, path).await?;
    ctx.logged_in = true;
    Ok(ctx)
}

/// The logged-in person's PGO account; the first time in a session, the login is logged.
async fn account(
    state: &AppState,
    session: &Session,
    login: &Login,
) -> WebResult<Option<PgoAccount>> {
    let Some(account) = state.store.pgo_account(&subject_hash(login)).await? else {
        return Ok(None);
    };
    if session.get::<bool>(LOGGED).await?.is_none() {
        log(state, &account.id, "login", "").await?;
        session.insert(LOGGED, true).await?;
    }
    Ok(Some(account))
}

pub(crate) async fn required(
    state: &AppState,
    session: &Session,
    login: &Login,
) -> WebResult<PgoAccount> {
    account(state, session, login)
        .await?
        .ok_or(WebError::NotFound)
}

pub(crate) async fn log(
    state: &AppState,
    account: &str,
    event: &str,
    detail: &str,
) -> WebResult<()> {
    state
        .store
        .pgo_log(
            account,
            &PgoLogEntry {
                at: state.now(),
                event: event.into(),
                detail: detail.into(),
            },
        )
        .await?;
    Ok(())
}

/// A provider's name as a person reads it, starting with a capital.
pub(crate) fn provider_name(provider: &str) -> String {
    let name = display_name(provider);
    let mut c = name.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => name,
    }
}

/// Asks the provider to end the consent of `conn`, if it still has one. The caller forgets the
/// token either way, so a provider that does not answer cannot keep the PGO holding it.
async fn revoke_at_provider(pgo: &Pgo, conn: &PgoConnection) {
    let lists = pgo.directory.lists();
    if let (Some(token), Some((_, service)), Some(whitelist)) = (
        conn.refresh_token.as_deref(),
        lists.service(&conn.provider, &conn.service),
        lists.whitelist.as_ref(),
    ) && let Err(f) = pgo
        .caller
        .revoke(whitelist, &conn.provider, service, token)
        .await
    {
        tracing::warn!(failure = ?f, "revocation at the provider failed");
    }
}

// ---- home: landing, sign-up, connections ----

struct ConnectionRow {
    id: String,
    provider: String,
    service: String,
    active: bool,
    last_fetch: Option<String>,
    summary: Option<String>,
    problems: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "pgo_home.html")]
struct HomePage {
    ctx: PageCtx,
    /// `None`: not logged in; `Some(false)`: logged in without an account.
    has_account: Option<bool>,
    name: String,
    notice: Option<String>,
    connections: Vec<ConnectionRow>,
}

#[derive(Deserialize)]
struct HomeQuery {
    #[serde(default)]
    melding: String,
}

/// The messages a redirect may ask the home page to show.
const NOTICES: [&str; 5] = [
    "pgo-notice-denied",
    "pgo-notice-failed",
    "pgo-notice-withdrawn",
    "pgo-notice-source-deleted",
    "pgo-notice-expired",
];

/// What a failure means and what the person can do, in one sentence each.
pub(crate) fn failure_key(f: Failure) -> &'static str {
    match f {
        Failure::NoAnswer => "pgo-why-no-answer",
        Failure::ConsentEnded => "pgo-why-consent",
        Failure::NotOffered => "pgo-why-not-offered",
        Failure::ProviderFault => "pgo-why-fault",
        Failure::Unreadable => "pgo-why-unreadable",
        Failure::NotWhitelisted => "pgo-why-not-whitelisted",
        Failure::Refused => "pgo-why-refused",
    }
}

/// The outcome of a fetch as the person reads it: a summary and a sentence per failed part.
pub fn describe(tr: &Tr, provider: &str, outcome: &FetchOutcome) -> (String, Vec<String>) {
    let name = provider_name(provider);
    if let Some(f) = outcome.token_failure {
        return (
            tr.t1("pgo-fetch-none", "name", &name),
            vec![tr.t(failure_key(f))],
        );
    }
    let new: usize = outcome.queries.iter().map(|q| q.new + q.changed).sum();
    let summary = if outcome.complete() {
        tr.t1("pgo-fetch-complete", "count", new)
    } else {
        tr.t1("pgo-fetch-partial", "count", new)
    };
    let problems = outcome
        .queries
        .iter()
        .filter_map(|q| {
            let failure = q.failure?;
            let what = crate::client::QUERIES
                .iter()
                .find(|known| known.id == q.query)
                .map_or("pgo-q-patient", |known| known.what);
            Some(format!(
                "{} {}",
                tr.ta(
                    "pgo-failed",
                    &[("what", tr.t(what)), ("name", name.clone())]
                ),
                tr.t(failure_key(failure))
            ))
        })
        .collect();
    (summary, problems)
}

async fn home(
    State(state): State<AppState>,
    Extension(pgo): PgoExt,
    session: Session,
    login: Result<Login, WebError>,
    Params(q): Params<HomeQuery>,
) -> WebResult<Response> {
    // Not logged in, or the session ran out: the page that explains the PGO.
    let Ok(login) = login else {
        return Ok(HomePage {
            ctx: PageCtx::anonymous(&session, "/pgo").await?,
            has_account: None,
            name: String::new(),
            notice: None,
            connections: vec![],
        }
        .into_response());
    };
    let ctx = ctx(&session, "/pgo").await?;
    let notice = NOTICES
        .iter()
        .find(|k| k.strip_prefix("pgo-notice-") == Some(q.melding.as_str()))
        .map(|k| ctx.tr.t(k));
    let Some(account) = account(&state, &session, &login).await? else {
        return Ok(HomePage {
            ctx,
            has_account: Some(false),
            name: login.display_name.clone(),
            notice,
            connections: vec![],
        }
        .into_response());
    };
    let lists = pgo.directory.lists();
    let mut connections = vec![];
    for c in state.store.pgo_connections(&account.id).await? {
        let outcome = c.last_outcome.as_deref().and_then(FetchOutcome::parse);
        let (summary, problems) = match &outcome {
            Some(o) => {
                let (s, p) = describe(&ctx.tr, &c.provider, o);
                (Some(s), p)
            }
            None => (None, vec![]),
        };
        connections.push(ConnectionRow {
            service: lists
                .service_name(&c.service)
                .map_or_else(|| c.service.clone(), str::to_owned),
            provider: provider_name(&c.provider),
            active: c.refresh_token.is_some() && c.withdrawn_at.is_none(),
            last_fetch: c.last_fetch_at.map(|t| when(&ctx, t)),
            summary,
            problems,
            id: c.id,
        });
    }
    Ok(HomePage {
        ctx,
        has_account: Some(true),
        name: account.display_name,
        notice,
        connections,
    }
    .into_response())
}

async fn login_start(session: Session) -> WebResult<Response> {
    session.insert(AFTER_LOGIN, "/pgo").await?;
    Ok(Redirect::to("/inloggen").into_response())
}

#[derive(Deserialize)]
struct SignUpForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    agree: String,
}

async fn sign_up(
    State(state): State<AppState>,
    session: Session,
    login: Login,
    Form(form): Form<SignUpForm>,
) -> WebResult<Response> {
    check_csrf(&session, &form.csrf).await?;
    if form.agree != "yes" {
        return Err(WebError::Invalid("error-pgo-not-agreed"));
    }
    if state
        .store
        .pgo_account(&subject_hash(&login))
        .await?
        .is_none()
    {
        let account = PgoAccount {
            id: new_id(),
            subject_hash: subject_hash(&login),
            display_name: login.display_name.clone(),
            created_at: state.now(),
        };
        match state.store.create_pgo_account(&account).await {
            Ok(()) | Err(inzage_store::StoreError::Conflict(_)) => {}
            Err(e) => return Err(e.into()),
        }
        if let Some(a) = state.store.pgo_account(&subject_hash(&login)).await? {
            log(&state, &a.id, "account-created", "").await?;
        }
    }
    Ok(Redirect::to("/pgo").into_response())
}

// ---- finding providers ----

struct ProviderRow {
    name: String,
    provider: String,
    services: Vec<(String, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "pgo_providers.html")]
struct ProvidersPage {
    ctx: PageCtx,
    query: String,
    rows: Vec<ProviderRow>,
    lists_missing: bool,
}

#[derive(Deserialize)]
struct SearchQuery {
    #[serde(default)]
    zoek: String,
}

async fn providers(
    State(state): State<AppState>,
    Extension(pgo): PgoExt,
    session: Session,
    login: Login,
    Params(q): Params<SearchQuery>,
) -> WebResult<Response> {
    required(&state, &session, &login).await?;
    let lists = pgo.directory.lists();
    let query: String = q.zoek.chars().take(100).collect();
    let rows = lists
        .search(&query, 50)
        .into_iter()
        .map(|p| ProviderRow {
            name: provider_name(&p.name),
            provider: p.name.clone(),
            services: p
                .services
                .iter()
                .filter(|s| Query::of_service(&s.id).next().is_some())
                .map(|s| {
                    (
                        s.id.clone(),
                        lists
                            .service_name(&s.id)
                            .map_or_else(|| s.id.clone(), str::to_owned),
                    )
                })
                .collect(),
        })
        .collect();
    Ok(ProvidersPage {
        ctx: ctx(&session, "/pgo/aanbieders").await?,
        query,
        rows,
        lists_missing: lists.providers.is_none(),
    }
    .into_response())
}

// ---- connecting (R94-R96) ----

/// The authorization request under way, kept in the person's session.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Connecting {
    state: String,
    provider: String,
    service: String,
    correlation_id: String,
    started_at: DateTime<Utc>,
}

#[derive(Deserialize)]
struct ConnectQuery {
    #[serde(default)]
    aanbieder: String,
    #[serde(default)]
    dienst: String,
}

async fn connect(
    State(state): State<AppState>,
    Extension(pgo): PgoExt,
    session: Session,
    login: Login,
    Params(q): Params<ConnectQuery>,
) -> WebResult<Response> {
    required(&state, &session, &login).await?;
    let lists = pgo.directory.lists();
    let Some((provider, service)) = lists.service(&q.aanbieder, &q.dienst) else {
        return Err(WebError::NotFound);
    };
    if Query::of_service(&service.id).next().is_none() {
        return Err(WebError::NotFound);
    }
    let whitelist = lists.whitelist.as_ref().ok_or(WebError::NotFound)?;
    if !crate::client::allowed(whitelist, &service.authorization_endpoint) {
        return Ok(Redirect::to("/pgo?melding=failed").into_response());
    }
    let flow = Connecting {
        state: inzage_webkit::session::random_token(),
        provider: provider.name.clone(),
        service: service.id.clone(),
        correlation_id: new_id(),
        started_at: state.now(),
    };
    let request_id = new_id();
    let Some(url) = authorization_url(
        service,
        &pgo.config.client_id,
        &pgo.config.redirect_uri(),
        &provider.name,
        &flow.state,
        &request_id,
        &flow.correlation_id,
    ) else {
        return Err(WebError::NotFound);
    };
    session.insert(CONNECTING, &flow).await?;
    pgo.caller
        .log_authorization(&provider.name, &request_id, &flow.correlation_id)
        .await;
    Ok(Redirect::to(&url).into_response())
}

#[derive(Deserialize)]
struct CallbackQuery {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    error: Option<String>,
}

async fn callback(
    State(state): State<AppState>,
    Extension(pgo): PgoExt,
    session: Session,
    login: Login,
    Params(q): Params<CallbackQuery>,
) -> WebResult<Response> {
    let account = required(&state, &session, &login).await?;
    // The flow is taken out of the session first: a callback works once (R96).
    let Some(flow) = session.remove::<Connecting>(CONNECTING).await? else {
        return Err(WebError::Invalid("error-pgo-no-connection"));
    };
    let same_state = q
        .state
        .as_deref()
        .is_some_and(|s| Sha256::digest(s.as_bytes()) == Sha256::digest(flow.state.as_bytes()));
    // R95: a callback that is not the answer to our own request is refused.
    if !same_state {
        return Err(WebError::Invalid("error-pgo-not-yours"));
    }
    let now = state.now();
    if now - flow.started_at > chrono::Duration::minutes(15) {
        return Ok(Redirect::to("/pgo?melding=expired").into_response());
    }
    if q.error.is_some() {
        return Ok(Redirect::to("/pgo?melding=denied").into_response());
    }
    let Some(code) = q.code.filter(|c| !c.is_empty() && c.len() <= 512) else {
        return Err(WebError::Invalid("error-pgo-no-connection"));
    };
    let lists = pgo.directory.lists();
    let (Some((_, service)), Some(whitelist)) = (
        lists.service(&flow.provider, &flow.service),
        lists.whitelist.as_ref(),
    ) else {
        return Ok(Redirect::to("/pgo?melding=failed").into_response());
    };
    let tokens = match pgo
        .caller
        .redeem(
            whitelist,
            &flow.provider,
            service,
            &code,
            &pgo.config.redirect_uri(),
            &flow.correlation_id,
        )
        .await
    {
        Ok(t) => t,
        Err(_) => return Ok(Redirect::to("/pgo?melding=failed").into_response()),
    };
    let existing = state
        .store
        .pgo_connections(&account.id)
        .await?
        .into_iter()
        .find(|c| c.provider == flow.provider && c.service == flow.service);
    let conn = PgoConnection {
        id: existing.as_ref().map_or_else(new_id, |c| c.id.clone()),
        account_id: account.id.clone(),
        provider: flow.provider.clone(),
        service: flow.service.clone(),
        refresh_token: tokens.refresh_token.clone(),
        connected_at: now,
        withdrawn_at: None,
        last_fetch_at: existing.as_ref().and_then(|c| c.last_fetch_at),
        last_outcome: existing.and_then(|c| c.last_outcome),
    };
    state.store.save_pgo_connection(&conn).await?;
    log(&state, &account.id, "connect", &flow.provider).await?;
    let outcome =
        fetch::with_token(&pgo, &conn, &tokens.access_token, &flow.correlation_id, now).await?;
    fetch::finish(&state.store, conn.clone(), &outcome).await?;
    Ok(Redirect::to(&format!("/pgo#v-{}", conn.id)).into_response())
}

// ---- fetching again, withdrawing, deleting a source ----

#[derive(Deserialize)]
struct ConnectionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    verbinding: String,
}

/// One of the account's own connections; another person's id finds nothing.
pub(crate) async fn own_connection_of(
    state: &AppState,
    account: &PgoAccount,
    id: &str,
) -> WebResult<PgoConnection> {
    state
        .store
        .pgo_connections(&account.id)
        .await?
        .into_iter()
        .find(|c| c.id == id)
        .ok_or(WebError::NotFound)
}

/// The account's own connection named in a form; another person's id finds nothing.
async fn own_connection(
    state: &AppState,
    session: &Session,
    login: &Login,
    form: &ConnectionForm,
) -> WebResult<(PgoAccount, PgoConnection)> {
    check_csrf(session, &form.csrf).await?;
    let account = required(state, session, login).await?;
    let conn = own_connection_of(state, &account, &form.verbinding).await?;
    Ok((account, conn))
}

async fn fetch_again(
    State(state): State<AppState>,
    Extension(pgo): PgoExt,
    session: Session,
    login: Login,
    Form(form): Form<ConnectionForm>,
) -> WebResult<Response> {
    let (_, conn) = own_connection(&state, &session, &login, &form).await?;
    let id = conn.id.clone();
    fetch::with_refresh(&pgo, conn, state.now()).await?;
    Ok(Redirect::to(&format!("/pgo#v-{id}")).into_response())
}

async fn withdraw(
    State(state): State<AppState>,
    Extension(pgo): PgoExt,
    session: Session,
    login: Login,
    Form(form): Form<ConnectionForm>,
) -> WebResult<Response> {
    let (account, conn) = own_connection(&state, &session, &login, &form).await?;
    // Not while its refresh token is in use: the token revoked is the one the provider holds.
    let lock = pgo.refresh_lock(&conn.id);
    let _turn = lock.lock().await;
    let mut conn = own_connection_of(&state, &account, &conn.id).await?;
    revoke_at_provider(&pgo, &conn).await;
    conn.refresh_token = None;
    conn.withdrawn_at = Some(state.now());
    state.store.save_pgo_connection(&conn).await?;
    log(&state, &account.id, "withdraw", &conn.provider).await?;
    Ok(Redirect::to("/pgo?melding=withdrawn").into_response())
}

async fn delete_source(
    State(state): State<AppState>,
    session: Session,
    login: Login,
    Form(form): Form<ConnectionForm>,
) -> WebResult<Response> {
    let (account, conn) = own_connection(&state, &session, &login, &form).await?;
    state
        .store
        .delete_pgo_source(&account.id, &conn.provider, &conn.service)
        .await?;
    log(&state, &account.id, "delete-source", &conn.provider).await?;
    Ok(Redirect::to("/pgo?melding=source-deleted").into_response())
}

// ---- the record across sources (R125) ----

#[derive(Template, WebTemplate)]
#[template(path = "pgo_data.html")]
struct DataPage {
    ctx: PageCtx,
    /// Why a document could not be opened.
    notice: Option<String>,
    sections: Vec<(String, Vec<Line>)>,
    unreadable: Vec<String>,
    empty: bool,
}

/// The parts of the person's data, in the order shown, with their Fluent heading keys. A share
/// link names the parts it opens by these keys.
pub(crate) const PARTS: [(&str, &str); 7] = [
    ("problems", "pgo-section-problems"),
    ("medication", "pgo-section-medication"),
    ("allergies", "pgo-section-allergies"),
    ("measurements", "pgo-section-measurements"),
    ("results", "pgo-section-results"),
    ("documents", "pgo-section-documents"),
    ("notes", "pgo-section-notes"),
];

/// The person's data across sources and their own, by part (R125).
pub(crate) struct Parts {
    /// (part key, heading, lines), in the order of [`PARTS`].
    pub sections: Vec<(&'static str, String, Vec<Line>)>,
    pub unreadable: Vec<String>,
    pub empty: bool,
}

/// `own_source` names what the person entered ("ingevoerd door uzelf" to them, otherwise to a
/// clinician reading a share link).
pub(crate) async fn parts(
    state: &AppState,
    account_id: &str,
    tr: &Tr,
    own_source: &str,
) -> WebResult<Parts> {
    let resources = state.store.pgo_resources(account_id).await?;
    let own = state.store.pgo_own_items(account_id).await?;
    let mut merged = view::merge(&resources, state.now(), tr.code());
    let own_source = own_source.to_owned();
    // What the person entered stands beside what providers sent, marked as theirs.
    for m in crate::own::medicines(&own) {
        merged
            .medication
            .push(view::own_line(&m.name, &m.dose, m.since, &own_source));
    }
    let measurements = view::measurement_lines(
        &resources,
        &crate::own::measurements(&own),
        &|v| tr.t(&format!("vital-{}", v.key())),
        &own_source,
    )
    .into_iter()
    .map(|(_, l)| l)
    .collect();
    let notes = crate::own::notes(&own)
        .into_iter()
        .map(|(at, n)| {
            view::own_line(
                &n.text,
                "",
                Some(inzage_domain::time::local_date(at)),
                &own_source,
            )
        })
        .collect();
    let lines = [
        merged.problems,
        merged.medication,
        merged.allergies,
        measurements,
        merged.results,
        merged.documents,
        notes,
    ];
    Ok(Parts {
        sections: PARTS
            .iter()
            .zip(lines)
            .map(|((key, heading), lines)| (*key, tr.t(heading), lines))
            .collect(),
        unreadable: merged.unreadable,
        empty: resources.is_empty() && own.is_empty(),
    })
}

#[derive(Deserialize)]
struct DataQuery {
    #[serde(default)]
    melding: String,
}

async fn data(
    State(state): State<AppState>,
    session: Session,
    login: Login,
    Params(q): Params<DataQuery>,
) -> WebResult<Response> {
    let account = required(&state, &session, &login).await?;
    let ctx = ctx(&session, "/pgo/gegevens").await?;
    // Only a known reason: a link cannot make the page say anything else.
    let notice = q.melding.starts_with("pgo-why-").then(|| {
        ctx.tr
            .try_t(&q.melding)
            .map(|why| format!("{} {why}", ctx.tr.t("pgo-document-failed")))
    });
    let notice = notice.flatten();
    let own_source = ctx.tr.t("pgo-own-source");
    let parts = parts(&state, &account.id, &ctx.tr, &own_source).await?;
    Ok(DataPage {
        ctx,
        notice,
        sections: parts
            .sections
            .into_iter()
            .map(|(_, heading, lines)| (heading, lines))
            .collect(),
        unreadable: parts.unreadable,
        empty: parts.empty,
    }
    .into_response())
}

// ---- the person's log ----

#[derive(Template, WebTemplate)]
#[template(path = "pgo_log.html")]
struct LogPage {
    ctx: PageCtx,
    rows: Vec<(String, String)>,
}

async fn log_page(
    State(state): State<AppState>,
    session: Session,
    login: Login,
) -> WebResult<Response> {
    let account = required(&state, &session, &login).await?;
    let ctx = ctx(&session, "/pgo/logboek").await?;
    let rows = state
        .store
        .pgo_log_of(&account.id)
        .await?
        .into_iter()
        .map(|e| {
            let what = ctx
                .tr
                .try_t(&format!("pgo-log-{}", e.event))
                .unwrap_or(e.event);
            let what = if e.detail.is_empty() {
                what
            } else if e.detail.contains('@') {
                format!("{what}: {}", provider_name(&e.detail))
            } else {
                format!("{what}: {}", e.detail)
            };
            (when(&ctx, e.at), what)
        })
        .collect();
    Ok(LogPage { ctx, rows }.into_response())
}

// ---- deleting the account ----

#[derive(Deserialize)]
struct DeleteForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    confirm: String,
}

/// Deletes the account and everything in it at once (MedMij "Verwijderen Gegevens"); long-term
/// consents are withdrawn at the providers first, then the person is logged out.
async fn delete_account(
    State(state): State<AppState>,
    Extension(pgo): PgoExt,
    session: Session,
    login: Login,
    Form(form): Form<DeleteForm>,
) -> WebResult<Response> {
    check_csrf(&session, &form.csrf).await?;
    if form.confirm != "yes" {
        return Err(WebError::Invalid("error-pgo-not-confirmed"));
    }
    let account = required(&state, &session, &login).await?;
    for c in state.store.pgo_connections(&account.id).await? {
        revoke_at_provider(&pgo, &c).await;
    }
    state.store.delete_pgo_account(&account.id).await?;
    tracing::info!("PGO account deleted");
    session.flush().await?;
    Ok(Redirect::to("/pgo").into_response())
}
