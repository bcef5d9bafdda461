//! What the person adds themselves: measurements (the kinds of data service 52), medicines
//! bought without a prescription, and notes; and sending measurements to a provider (data
//! service 52, Sending-PHR) and fetching them back (Retrieving-PHR).
//!
//! Everything here belongs to the logged-in person's account: an item or connection named in a
//! form is looked up among that account's own only. Bad input is refused with a sentence and
//! nothing is stored.

use crate::Pgo;
use crate::client::{Failure, new_id};
use crate::fetch;
use crate::pages::{ctx, failure_key, log, own_connection_of, provider_name, required};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use inzage_domain::Coding;
use inzage_domain::codes::system;
use inzage_domain::record::Decimal;
use inzage_domain::selfmeasure::{
    DIASTOLIC, Measured, Review, SYSTOLIC, SelfMeasurement, VitalSign,
};
use inzage_login::auth::Login;
use inzage_store::{PgoAccount, PgoOwnItem, PgoStore, StoreError};
use inzage_webkit::AppState;
use inzage_webkit::error::{WebError, WebResult};
use inzage_webkit::extract::{Form, Query as Params};
use inzage_webkit::page::PageCtx;
use inzage_webkit::session::check_csrf;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::sync::Arc;
use tower_sessions::Session;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/pgo/eigen", get(page))
        .route("/pgo/eigen/meting", post(add_measurement))
        .route("/pgo/eigen/medicijn", post(add_medicine))
        .route("/pgo/eigen/notitie", post(add_note))
        .route("/pgo/eigen/verwijderen", post(delete))
        .route("/pgo/eigen/versturen", post(send))
}

/// A medicine the person takes without a prescription.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OwnMedicine {
    pub name: String,
    pub dose: String,
    pub since: Option<NaiveDate>,
}

/// A note of the person's own.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OwnNote {
    pub text: String,
}

/// The longest text accepted in a form field.
const MAX_TEXT: usize = 1_000;

/// The person's own measurements, read from their items.
pub fn measurements(items: &[PgoOwnItem]) -> Vec<SelfMeasurement> {
    items
        .iter()
        .filter(|i| i.kind == "measurement")
        .filter_map(|i| serde_json::from_str(&i.body).ok())
        .collect()
}

pub fn medicines(items: &[PgoOwnItem]) -> Vec<OwnMedicine> {
    items
        .iter()
        .filter(|i| i.kind == "medicine")
        .filter_map(|i| serde_json::from_str(&i.body).ok())
        .collect()
}

pub fn notes(items: &[PgoOwnItem]) -> Vec<(DateTime<Utc>, OwnNote)> {
    items
        .iter()
        .filter(|i| i.kind == "note")
        .filter_map(|i| Some((i.at, serde_json::from_str(&i.body).ok()?)))
        .collect()
}

// ---- the page ----

struct ItemRow {
    id: String,
    what: String,
    detail: String,
    when: String,
    sent_to: String,
}

struct SendRow {
    connection: String,
    label: String,
    waiting: usize,
}

#[derive(Template, WebTemplate)]
#[template(path = "pgo_own.html")]
struct OwnPage {
    ctx: PageCtx,
    kinds: Vec<(&'static str, String)>,
    today: String,
    items: Vec<ItemRow>,
    send: Vec<SendRow>,
    notice: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize)]
struct PageQuery {
    #[serde(default)]
    fout: Option<String>,
    #[serde(default)]
    melding: Option<String>,
    #[serde(default)]
    aantal: Option<usize>,
    #[serde(default)]
    bij: Option<String>,
}

/// The errors and notices a redirect may name (anything else is ignored).
const ERRORS: [&str; 8] = [
    "pgo-own-err-kind",
    "pgo-own-err-value",
    "pgo-own-err-range",
    "pgo-own-err-when",
    "pgo-own-err-future",
    "pgo-own-err-name",
    "pgo-own-err-text",
    "pgo-own-err-nothing",
];

fn error_redirect(key: &str) -> Response {
    Redirect::to(&format!("/pgo/eigen?fout={key}")).into_response()
}

async fn page(
    State(state): State<AppState>,
    session: Session,
    login: Login,
    Params(q): Params<PageQuery>,
) -> WebResult<Response> {
    let account = required(&state, &session, &login).await?;
    let ctx = ctx(&session, "/pgo/eigen").await?;
    let items = state.store.pgo_own_items(&account.id).await?;
    let connections = state.store.pgo_connections(&account.id).await?;
    let rows = items
        .iter()
        .map(|i| {
            let (what, detail) = match i.kind.as_str() {
                "measurement" => serde_json::from_str::<SelfMeasurement>(&i.body)
                    .map(|m| (ctx.tr.t(&format!("vital-{}", m.kind.key())), m.summary()))
                    .unwrap_or_default(),
                "medicine" => serde_json::from_str::<OwnMedicine>(&i.body)
                    .map(|m| (m.name, m.dose))
                    .unwrap_or_default(),
                _ => serde_json::from_str::<OwnNote>(&i.body)
                    .map(|n| (ctx.tr.t("pgo-own-note"), n.text))
                    .unwrap_or_default(),
            };
            ItemRow {
                id: i.id.clone(),
                what,
                detail,
                when: inzage_webkit::requests::when(&ctx, i.at),
                sent_to: i
                    .sent_to
                    .iter()
                    .map(|p| provider_name(p))
                    .collect::<Vec<_>>()
                    .join(", "),
            }
        })
        .collect();
    let send = connections
        .iter()
        .filter(|c| c.service == "52" && c.refresh_token.is_some())
        .map(|c| {
            let waiting = items
                .iter()
                .filter(|i| i.kind == "measurement" && !i.sent_to.contains(&c.provider))
                .count();
            SendRow {
                connection: c.id.clone(),
                label: ctx.tr.tc(
                    "pgo-own-send",
                    waiting,
                    &[("name", provider_name(&c.provider))],
                ),
                waiting,
            }
        })
        .collect();
    let error = q
        .fout
        .filter(|k| ERRORS.contains(&k.as_str()))
        .map(|k| ctx.tr.t(&k));
    let notice = match q.melding.as_deref() {
        Some("sent") => Some(ctx.tr.tc(
            "pgo-own-sent",
            q.aantal.unwrap_or(0),
            &[("name", provider_name(q.bij.as_deref().unwrap_or_default()))],
        )),
        Some("saved") => Some(ctx.tr.t("pgo-own-saved")),
        Some(k) => [
            Failure::NoAnswer,
            Failure::ConsentEnded,
            Failure::NotOffered,
            Failure::ProviderFault,
            Failure::Unreadable,
            Failure::NotWhitelisted,
            Failure::Refused,
        ]
        .into_iter()
        .map(failure_key)
        .find(|f| *f == k)
        .map(|f| format!("{} {}", ctx.tr.t("pgo-own-not-sent"), ctx.tr.t(f))),
        None => None,
    };
    let kinds = VitalSign::ALL
        .iter()
        .map(|v| (v.key(), ctx.tr.t(&format!("vital-{}", v.key()))))
        .collect();
    let today = inzage_domain::time::local_date(state.now()).to_string();
    Ok(OwnPage {
        ctx,
        kinds,
        today,
        items: rows,
        send,
        notice,
        error,
    }
    .into_response())
}

// ---- adding ----

#[derive(Deserialize)]
struct MeasurementForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    soort: String,
    #[serde(default)]
    waarde: String,
    #[serde(default)]
    boven: String,
    #[serde(default)]
    onder: String,
    #[serde(default)]
    datum: String,
    #[serde(default)]
    tijd: String,
    #[serde(default)]
    opmerking: String,
}

/// A number as a person types it ("72,5" or "72.5"), within the kind's range.
fn number(text: &str, kind: VitalSign) -> Result<Decimal, &'static str> {
    let d = Decimal::parse(&text.trim().replace(',', ".")).map_err(|_| "pgo-own-err-value")?;
    let (_, low, high) = kind.unit();
    let v = d.to_f64();
    if v < low || v > high {
        return Err("pgo-own-err-range");
    }
    Ok(d)
}

/// When it happened: a date (not in the future) and an optional time, Dutch local time.
fn moment(
    date: &str,
    time: &str,
    now: DateTime<Utc>,
) -> Result<(String, DateTime<Utc>), &'static str> {
    let day = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d").map_err(|_| "pgo-own-err-when")?;
    let (text, at) = if time.trim().is_empty() {
        (
            day.to_string(),
            inzage_domain::time::start_of_local_day(day),
        )
    } else {
        let t = NaiveTime::parse_from_str(time.trim(), "%H:%M").map_err(|_| "pgo-own-err-when")?;
        let local = inzage_domain::time::local_instant(day, t).ok_or("pgo-own-err-when")?;
        (
            local.to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
            local.with_timezone(&Utc),
        )
    };
    if at > now {
        return Err("pgo-own-err-future");
    }
    Ok((text, at))
}

fn read_measurement_form(
    f: &MeasurementForm,
    now: DateTime<Utc>,
) -> Result<SelfMeasurement, &'static str> {
    let kind = VitalSign::from_key(&f.soort).ok_or("pgo-own-err-kind")?;
    let (unit, _, _) = kind.unit();
    let values = if kind == VitalSign::BloodPressure {
        let high = number(&f.boven, kind)?;
        let low = number(&f.onder, kind)?;
        if low.to_f64() >= high.to_f64() {
            return Err("pgo-own-err-value");
        }
        vec![
            Measured {
                code: Coding::new(system::LOINC, SYSTOLIC, Some("Systolic blood pressure")),
                value: high,
                unit: unit.into(),
            },
            Measured {
                code: Coding::new(system::LOINC, DIASTOLIC, Some("Diastolic blood pressure")),
                value: low,
                unit: unit.into(),
            },
        ]
    } else {
        vec![Measured {
            code: kind.code(),
            value: number(&f.waarde, kind)?,
            unit: unit.into(),
        }]
    };
    let (effective, effective_at) = moment(&f.datum, &f.tijd, now)?;
    let comment = f.opmerking.trim();
    if comment.chars().count() > MAX_TEXT {
        return Err("pgo-own-err-text");
    }
    Ok(SelfMeasurement {
        id: new_id(),
        patient: inzage_domain::PatientId::new("self").map_err(|_| "pgo-own-err-kind")?,
        kind,
        code: kind.code(),
        categories: vec![kind.category()],
        effective,
        effective_at,
        values,
        comment: (!comment.is_empty()).then(|| comment.to_owned()),
        received_at: now,
        sent_by: "self".into(),
        review: Review::New,
    })
}

async fn store_item(
    state: &AppState,
    account: &PgoAccount,
    kind: &str,
    at: DateTime<Utc>,
    body: String,
) -> Result<(), StoreError> {
    state
        .store
        .add_pgo_own(
            &account.id,
            &PgoOwnItem {
                id: new_id(),
                kind: kind.into(),
                at,
                body,
                created_at: state.now(),
                sent_to: vec![],
            },
        )
        .await
}

fn body_of<T: Serialize>(v: &T) -> WebResult<String> {
    serde_json::to_string(v).map_err(|_| WebError::Invalid("item"))
}

async fn add_measurement(
    State(state): State<AppState>,
    session: Session,
    login: Login,
    Form(form): Form<MeasurementForm>,
) -> WebResult<Response> {
    check_csrf(&session, &form.csrf).await?;
    let account = required(&state, &session, &login).await?;
    let m = match read_measurement_form(&form, state.now()) {
        Ok(m) => m,
        Err(key) => return Ok(error_redirect(key)),
    };
    // The item's id is the measurement's.
    let item = PgoOwnItem {
        id: m.id.clone(),
        kind: "measurement".into(),
        at: m.effective_at,
        body: body_of(&m)?,
        created_at: state.now(),
        sent_to: vec![],
    };
    state.store.add_pgo_own(&account.id, &item).await?;
    log(&state, &account.id, "own-add", "").await?;
    Ok(Redirect::to("/pgo/eigen?melding=saved").into_response())
}

#[derive(Deserialize)]
struct MedicineForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    naam: String,
    #[serde(default)]
    hoe: String,
    #[serde(default)]
    sinds: String,
}

async fn add_medicine(
    State(state): State<AppState>,
    session: Session,
    login: Login,
    Form(form): Form<MedicineForm>,
) -> WebResult<Response> {
    check_csrf(&session, &form.csrf).await?;
    let account = required(&state, &session, &login).await?;
    let name = form.naam.trim();
    let dose = form.hoe.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Ok(error_redirect("pgo-own-err-name"));
    }
    if dose.chars().count() > MAX_TEXT {
        return Ok(error_redirect("pgo-own-err-text"));
    }
    let since = match form.sinds.trim() {
        "" => None,
        d => match NaiveDate::parse_from_str(d, "%Y-%m-%d") {
            Ok(d) if d <= inzage_domain::time::local_date(state.now()) => Some(d),
            Ok(_) => return Ok(error_redirect("pgo-own-err-future")),
            Err(_) => return Ok(error_redirect("pgo-own-err-when")),
        },
    };
    let at = since.map_or(state.now(), inzage_domain::time::start_of_local_day);
    let medicine = OwnMedicine {
        name: name.into(),
        dose: dose.into(),
        since,
    };
    store_item(&state, &account, "medicine", at, body_of(&medicine)?).await?;
    log(&state, &account.id, "own-add", "").await?;
    Ok(Redirect::to("/pgo/eigen?melding=saved").into_response())
}

#[derive(Deserialize)]
struct NoteForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    tekst: String,
}

async fn add_note(
    State(state): State<AppState>,
    session: Session,
    login: Login,
    Form(form): Form<NoteForm>,
) -> WebResult<Response> {
    check_csrf(&session, &form.csrf).await?;
    let account = required(&state, &session, &login).await?;
    let text = form.tekst.trim();
    if text.is_empty() || text.chars().count() > MAX_TEXT {
        return Ok(error_redirect("pgo-own-err-text"));
    }
    let note = OwnNote { text: text.into() };
    store_item(&state, &account, "note", state.now(), body_of(&note)?).await?;
    log(&state, &account.id, "own-add", "").await?;
    Ok(Redirect::to("/pgo/eigen?melding=saved").into_response())
}

#[derive(Deserialize)]
struct ItemForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    item: String,
}

async fn delete(
    State(state): State<AppState>,
    session: Session,
    login: Login,
    Form(form): Form<ItemForm>,
) -> WebResult<Response> {
    check_csrf(&session, &form.csrf).await?;
    let account = required(&state, &session, &login).await?;
    if !state.store.delete_pgo_own(&account.id, &form.item).await? {
        return Err(WebError::NotFound);
    }
    log(&state, &account.id, "own-delete", "").await?;
    Ok(Redirect::to("/pgo/eigen").into_response())
}

// ---- sending (data service 52) ----

/// The batch Bundle for `measurements` (Sending-PHR): the person as a Patient entry that the
/// Observations refer to, each measurement a POST with a `urn:uuid` fullUrl and no id.
pub fn batch(display_name: &str, measurements: &[SelfMeasurement]) -> Value {
    let patient_url = format!("urn:uuid:{}", uuid::Uuid::new_v4());
    let patient = json!({ "reference": patient_url, "display": display_name });
    let mut entries = vec![json!({
        "fullUrl": patient_url,
        "resource": {
            "resourceType": "Patient",
            "meta": { "profile": ["http://fhir.nl/fhir/StructureDefinition/nl-core-patient"] },
            "name": [{ "text": display_name }],
        },
        "request": { "method": "POST", "url": "Patient" },
    })];
    for m in measurements {
        let mut resource = inzage_fhir::vitals::measurement_resource(m, &patient);
        if let Some(o) = resource.as_object_mut() {
            o.remove("id");
            o.remove("issued");
        }
        entries.push(json!({
            "fullUrl": format!("urn:uuid:{}", uuid::Uuid::new_v4()),
            "resource": resource,
            "request": { "method": "POST", "url": "Observation" },
        }));
    }
    json!({ "resourceType": "Bundle", "type": "batch", "entry": entries })
}

#[derive(Deserialize)]
struct SendForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    verbinding: String,
}

/// Sends the measurements not yet sent to this provider, then fetches data service 52 back so
/// the person sees what the provider now holds.
async fn send(
    State(state): State<AppState>,
    Extension(pgo): Extension<Arc<Pgo>>,
    session: Session,
    login: Login,
    Form(form): Form<SendForm>,
) -> WebResult<Response> {
    check_csrf(&session, &form.csrf).await?;
    let account = required(&state, &session, &login).await?;
    let mut conn = own_connection_of(&state, &account, &form.verbinding).await?;
    if conn.service != "52" {
        return Err(WebError::NotFound);
    }
    let items = state.store.pgo_own_items(&account.id).await?;
    let waiting: Vec<(String, SelfMeasurement)> = items
        .iter()
        .filter(|i| i.kind == "measurement" && !i.sent_to.contains(&conn.provider))
        .filter_map(|i| Some((i.id.clone(), serde_json::from_str(&i.body).ok()?)))
        .collect();
    if waiting.is_empty() {
        return Ok(error_redirect("pgo-own-err-nothing"));
    }
    let now = state.now();
    let lists = pgo.directory.lists();
    let not_offered = || {
        Redirect::to(&format!(
            "/pgo/eigen?melding={}",
            failure_key(Failure::NotOffered)
        ))
        .into_response()
    };
    let (Some((_, service)), Some(whitelist)) = (
        lists.service(&conn.provider, &conn.service),
        lists.whitelist.as_ref(),
    ) else {
        return Ok(not_offered());
    };
    let Some(base) = crate::client::resource_base(service) else {
        return Ok(not_offered());
    };
    let access_token = match fetch::access_token(&pgo, &mut conn).await? {
        Ok(t) => t,
        Err(f) => {
            return Ok(
                Redirect::to(&format!("/pgo/eigen?melding={}", failure_key(f))).into_response(),
            );
        }
    };
    let measurements: Vec<SelfMeasurement> = waiting.iter().map(|(_, m)| m.clone()).collect();
    let correlation = new_id();
    let sent = pgo
        .caller
        .send_batch(
            whitelist,
            &conn.provider,
            base,
            &access_token,
            &correlation,
            &batch(&account.display_name, &measurements),
        )
        .await;
    if let Err(f) = sent {
        return Ok(Redirect::to(&format!("/pgo/eigen?melding={}", failure_key(f))).into_response());
    }
    let ids: Vec<String> = waiting.into_iter().map(|(id, _)| id).collect();
    state
        .store
        .mark_pgo_own_sent(&account.id, &ids, &conn.provider)
        .await?;
    log(&state, &account.id, "send", &conn.provider).await?;
    // Fetched back with the same access token: what the provider now holds.
    let outcome = fetch::with_token(&pgo, &conn, &access_token, &correlation, now).await?;
    fetch::finish(&pgo.caller.store, conn.clone(), &outcome).await?;
    Ok(Redirect::to(&format!(
        "/pgo/eigen?melding=sent&aantal={}&bij={}",
        ids.len(),
        url::form_urlencoded::byte_serialize(conn.provider.as_bytes()).collect::<String>()
    ))
    .into_response())
}
