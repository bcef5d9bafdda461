//! The patient portal: choosing whose record to open, then the pages of that record.
//!
//! Authorisation is a type: a page handler receives an [`OpenRecord`] only after the person is
//! logged in and `inzage_domain::access::authorize` granted them the chosen record through the
//! portal channel (checked again on every request, so a revoked authorisation takes effect at
//! once). Pages render only what `visible_record` returns. No route takes a patient id from the
//! URL; the chooser's form value is matched against the person's own relations.

mod appointments;
mod copy;
mod corrections;
mod destruction;
mod messages;
mod notifications;
mod pages;
mod prescriptions;
mod sharing;
mod timing;

/// One thing on the overview that asks for the person's attention, with where to read it.
pub(crate) struct Attention {
    pub text: String,
    pub href: String,
}

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use chrono::{DateTime, Utc};
use inzage_domain::access::{AccessDenied, OnlineChannel, Viewer, authorize};
use inzage_domain::time::age_on;
use inzage_domain::{
    PatientId, PatientRecord, PatientView, PracticeSettings, RepresentationBasis, RepresentationId,
    visible_record,
};
use inzage_login::auth::Login;
use inzage_store::{AuditEvent, Channel, EventType, PortalStore, RecordStore};
use inzage_webkit::error::{WebError, WebResult};
use inzage_webkit::extract::Form;
use inzage_webkit::i18n::Tr;
use inzage_webkit::page::{
    OpenFrame, PATIENT_ROLE, PageCtx, PreviewFrame, Who, basis_key, denied_key,
};
use inzage_webkit::session::{check_csrf, csrf_token};
use inzage_webkit::{AppState, DemoAccount};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

const OPEN: &str = "open";

pub fn router(state: &AppState) -> Router<AppState> {
    // The development mailbox exists only in development mode without an SMTP server: outside
    // `demo` the route is not there at all.
    let dev_mailbox = if state.config.dev_mode && state.config.mail.smtp_url.is_none() {
        notifications::dev_router()
    } else {
        Router::new()
    };
    Router::new()
        .route("/", get(start))
        .route("/kiezen", get(chooser).post(choose))
        .merge(pages::router())
        .merge(copy::router())
        .merge(appointments::router())
        .merge(prescriptions::router())
        .merge(messages::router())
        .merge(corrections::router())
        .merge(notifications::router())
        .merge(timing::router())
        .merge(sharing::router())
        .merge(destruction::router())
        .merge(dev_mailbox)
}

// ---- relations: whose record may this person open? ----

/// One record the logged-in person is connected to.
#[derive(Debug, Clone)]
pub struct Relation {
    pub patient: PatientId,
    pub representation: Option<RepresentationId>,
    pub name: String,
    /// The name texts use for someone else's record ("Medicijnen die Eva nu gebruikt").
    pub first_name: String,
    pub birth_date: chrono::NaiveDate,
    pub basis: Option<RepresentationBasis>,
    /// The last day the representation gives access, when it has one.
    pub until: Option<chrono::NaiveDate>,
    /// Why the record cannot be opened now, if it cannot.
    pub denied: Option<AccessDenied>,
}

impl Relation {
    fn viewer(&self, login: &Login) -> Viewer {
        match &self.representation {
            None => Viewer::Patient {
                bsn: login.bsn.clone(),
            },
            Some(r) => Viewer::Representative {
                bsn: login.bsn.clone(),
                representation: r.clone(),
            },
        }
    }

    /// The value the chooser's form sends back.
    fn key(&self) -> String {
        match &self.representation {
            None => format!("{}", self.patient),
            Some(r) => format!("{}/{}", self.patient, r),
        }
    }
}

/// The person's own record and every record they represent, each with the access decision.
pub async fn relations(state: &AppState, login: &Login) -> WebResult<Vec<Relation>> {
    let now = state.now();
    let mut out = vec![];
    let mut consider = |record: &PatientRecord,
                        representation: Option<RepresentationId>,
                        settings: &PracticeSettings| {
        let rep = representation
            .as_ref()
            .and_then(|id| record.representations.iter().find(|r| &r.id == id));
        let rel = Relation {
            patient: record.patient.id.clone(),
            basis: rep.map(|r| r.basis),
            until: rep.and_then(|r| {
                inzage_domain::access::representation_ends(r, record.patient.birth_date)
            }),
            representation,
            name: record.patient.name.display(),
            first_name: frame_of(record, None).first_name,
            birth_date: record.patient.birth_date,
            denied: None,
        };
        let denied = authorize(
            record,
            &rel.viewer(login),
            OnlineChannel::Portal,
            settings,
            now,
        )
        .err();
        out.push(Relation { denied, ..rel });
    };
    if let Some(id) = state.store.find_patient_by_bsn(&login.bsn).await?
        && let Some(record) = state.store.load_record(&id).await?
    {
        let settings = state.store.settings(&record.practice.id).await?;
        consider(&record, None, &settings);
    }
    for id in state.store.represented_by(&login.bsn).await? {
        let Some(record) = state.store.load_record(&id).await? else {
            continue;
        };
        let settings = state.store.settings(&record.practice.id).await?;
        for rep in record
            .representations
            .iter()
            .filter(|r| r.agent_bsn == login.bsn)
        {
            consider(&record, Some(rep.id.clone()), &settings);
        }
    }
    Ok(out)
}

/// The frame's facts of a record opened as `rep` (`None`: one's own).
fn frame_of(record: &PatientRecord, rep: Option<&inzage_domain::Representation>) -> OpenFrame {
    let name = &record.patient.name;
    OpenFrame {
        name: name.display(),
        first_name: name
            .given
            .first()
            .cloned()
            .unwrap_or_else(|| name.display()),
        birth_date: record.patient.birth_date,
        basis: rep.map(|r| r.basis),
        until: rep
            .and_then(|r| inzage_domain::access::representation_ends(r, record.patient.birth_date)),
    }
}

/// The record chosen in this session.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Chosen {
    patient: PatientId,
    representation: Option<RepresentationId>,
    /// This person's previous portal visit to this record, for "new since your last visit".
    previous_visit: Option<DateTime<Utc>>,
}

/// A record the logged-in person may see now, through the portal. Only obtainable through the
/// access check; page handlers get nothing else.
pub struct OpenRecord {
    pub login: Login,
    pub record: PatientRecord,
    pub settings: PracticeSettings,
    pub viewer: Viewer,
    pub now: DateTime<Utc>,
    pub previous_visit: Option<DateTime<Utc>>,
    pub session: Session,
    request_id: String,
    state: AppState,
    /// Set when staff look at the pages as this person would (never from a request).
    preview: Option<Preview>,
}

/// A practice's look at the record pages as the patient or a representative sees them ("Wat
/// ziet de patiënt?", issue 18 item 13). Put into a request's extensions only by the server's
/// own preview route, after its staff check; a client cannot set one.
#[derive(Debug, Clone)]
pub struct Preview {
    /// The record, as the staff check loaded it: handed to the page once (not read again).
    pub record: Option<PatientRecord>,
    /// Whose eyes: the patient, or one of their representatives.
    pub viewer: Viewer,
    /// The staff member looking, and their role, for the audit entry of each page.
    pub by_user: String,
    pub by_role: String,
    /// The preview's address for the portal's paths, and the way back to the practice.
    pub base: String,
    pub back: String,
    pub as_whom: String,
}

/// The record pages, for the practice's preview (`Preview` in the request's extensions).
pub fn preview_pages() -> Router<AppState> {
    pages::router()
}

impl OpenRecord {
    /// The record as `preview.viewer` may see it now, for staff; `NoRecord` when that person
    /// may not see it online at all.
    async fn for_preview(parts: &Parts, state: &AppState, mut preview: Preview) -> WebResult<Self> {
        let session = parts
            .extensions
            .get::<Session>()
            .cloned()
            .ok_or(WebError::Unauthenticated)?;
        let record = preview.record.take().ok_or(WebError::NotFound)?;
        let settings = state.store.settings(&record.practice.id).await?;
        let now = state.now();
        if authorize(
            &record,
            &preview.viewer,
            OnlineChannel::Portal,
            &settings,
            now,
        )
        .is_err()
        {
            return Err(WebError::NoRecord);
        }
        let bsn = match &preview.viewer {
            Viewer::Patient { bsn } | Viewer::Representative { bsn, .. } => bsn.clone(),
        };
        Ok(Self {
            login: Login {
                subject: preview.by_user.clone(),
                bsn,
                display_name: preview.as_whom.clone(),
                acr: String::new(),
                login_at: now,
                last_seen: now,
            },
            record,
            settings,
            viewer: preview.viewer.clone(),
            now,
            previous_visit: None,
            session,
            request_id: inzage_webkit::request_id(&parts.headers),
            state: state.clone(),
            preview: Some(preview),
        })
    }
}

impl FromRequestParts<AppState> for OpenRecord {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> WebResult<Self> {
        if let Some(preview) = parts.extensions.remove::<Preview>() {
            return Self::for_preview(parts, state, preview).await;
        }
        let login = Login::from_request_parts(parts, state).await?;
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(|_| WebError::Unauthenticated)?;
        let Some(chosen) = session.get::<Chosen>(OPEN).await? else {
            return Err(WebError::NoRecord);
        };
        let Some(record) = state.store.load_record(&chosen.patient).await? else {
            session.remove::<Chosen>(OPEN).await?;
            OpenFrame::forget(&session).await?;
            return Err(WebError::NoRecord);
        };
        let settings = state.store.settings(&record.practice.id).await?;
        let viewer = match chosen.representation {
            None => Viewer::Patient {
                bsn: login.bsn.clone(),
            },
            Some(representation) => Viewer::Representative {
                bsn: login.bsn.clone(),
                representation,
            },
        };
        let now = state.now();
        if authorize(&record, &viewer, OnlineChannel::Portal, &settings, now).is_err() {
            session.remove::<Chosen>(OPEN).await?;
            OpenFrame::forget(&session).await?;
            return Err(WebError::NoRecord);
        }
        Ok(Self {
            login,
            record,
            settings,
            viewer,
            now,
            previous_visit: chosen.previous_visit,
            session,
            request_id: inzage_webkit::request_id(&parts.headers),
            state: state.clone(),
            preview: None,
        })
    }
}

impl OpenRecord {
    /// What this person may see, from the visibility rules.
    pub fn view(&self) -> WebResult<PatientView<'_>> {
        visible_record(
            &self.record,
            &self.viewer,
            OnlineChannel::Portal,
            &self.settings,
            self.now,
        )
        .map_err(|_| WebError::NoRecord)
    }

    /// The frame of a page of this record.
    pub async fn ctx(&self, path: &'static str) -> WebResult<PageCtx> {
        let tr = Tr::from_session(&self.session).await;
        let rep = match &self.viewer {
            Viewer::Patient { .. } => None,
            Viewer::Representative { representation, .. } => self
                .record
                .representations
                .iter()
                .find(|r| &r.id == representation),
        };
        let frame = frame_of(&self.record, rep);
        Ok(PageCtx {
            who: Some(Who::of(&frame, &tr)),
            csrf: csrf_token(&self.session).await?,
            logged_in: self.preview.is_none(),
            path,
            staff: None,
            staff_menu: vec![],
            preview: self.preview.as_ref().map(|p| PreviewFrame {
                base: p.base.clone(),
                back: p.back.clone(),
                as_whom: p.as_whom.clone(),
            }),
            tr,
        })
    }

    /// Writes the audit entry for this access (NEN 7513: who, on whose behalf, which patient,
    /// what, when, through which channel). A page is shown only after its entry is written.
    pub async fn audit(&self, event: EventType, what: &str) -> WebResult<()> {
        let role = self.role();
        // Staff previewing the pages as this person would see them: the entry is theirs.
        let (user, role, channel, detail) = match &self.preview {
            Some(p) => (
                p.by_user.clone(),
                p.by_role.clone(),
                Channel::Practice,
                format!("practice: preview of the portal as {role}: {what}"),
            ),
            None => (
                self.login.subject.clone(),
                role,
                Channel::Portal,
                format!("portal: {what}"),
            ),
        };
        self.state
            .store
            .append_audit(AuditEvent {
                at: self.now,
                event,
                patient: Some(self.record.patient.id.clone()),
                responsible_user: user.clone(),
                user,
                role,
                channel,
                request_id: self.request_id.clone(),
                detail,
            })
            .await?;
        Ok(())
    }

    /// The audit entry of a change this person saves to the record through the portal (an
    /// `Update` in their own name; `detail` after "portal: ").
    pub fn change_event(&self, detail: &str) -> AuditEvent {
        AuditEvent {
            at: self.now,
            event: EventType::Update,
            patient: Some(self.record.patient.id.clone()),
            user: self.login.subject.clone(),
            responsible_user: self.login.subject.clone(),
            role: self.role(),
            channel: Channel::Portal,
            request_id: self.request_id.clone(),
            detail: format!("portal: {detail}"),
        }
    }

    /// `patient` or `representative:<id>`: in whose name this person opened the record.
    pub fn role(&self) -> String {
        match &self.viewer {
            Viewer::Patient { .. } => PATIENT_ROLE.to_owned(),
            Viewer::Representative { representation, .. } => {
                format!("representative:{representation}")
            }
        }
    }

    /// The access this person has now (sections, representation).
    pub fn access(&self) -> WebResult<inzage_domain::access::Access> {
        self.access_in(&self.record)
    }

    /// The viewer's access as `record` grants it: a save checks it again on the record it
    /// changes, which may be fresher than the one the request opened (staff may have ended a
    /// representation in between).
    pub fn access_in(&self, record: &PatientRecord) -> WebResult<inzage_domain::access::Access> {
        authorize(
            record,
            &self.viewer,
            OnlineChannel::Portal,
            &self.settings,
            self.now,
        )
        .map_err(|_| WebError::NoRecord)
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The record as it is stored now, for a save: another change may have landed since the
    /// request opened it.
    pub async fn stored_record(&self) -> WebResult<PatientRecord> {
        self.state
            .store
            .load_record(&self.record.patient.id)
            .await?
            .ok_or(WebError::NoRecord)
    }
}

// ---- start page, chooser, language ----

#[derive(Template, WebTemplate)]
#[template(path = "start.html")]
struct StartPage {
    ctx: PageCtx,
    demo_accounts: Vec<DemoAccount>,
}

async fn start(State(state): State<AppState>, session: Session) -> WebResult<Response> {
    if session.get::<Login>("login").await?.is_some() {
        return Ok(Redirect::to("/kiezen").into_response());
    }
    Ok(StartPage {
        ctx: PageCtx::anonymous(&session, "/").await?,
        demo_accounts: if state.config.dev_mode {
            state.config.demo_accounts.clone()
        } else {
            vec![]
        },
    }
    .into_response())
}

struct Choice {
    key: String,
    name: String,
    birth: String,
    relation: String,
    denied: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "choose.html")]
struct ChooserPage {
    ctx: PageCtx,
    greeting: String,
    choices: Vec<Choice>,
}

async fn chooser(
    State(state): State<AppState>,
    login: Login,
    session: Session,
) -> WebResult<Response> {
    if let Some(next) = session
        .remove::<String>(inzage_login::auth::AFTER_LOGIN)
        .await?
        && next.starts_with("/medmij/")
    {
        return Ok(axum::response::Redirect::to(&next).into_response());
    }
    let rels = relations(&state, &login).await?;
    let open: Vec<&Relation> = rels.iter().filter(|r| r.denied.is_none()).collect();
    // One record to open and nothing to explain: open it straight away.
    if open.len() == 1 && rels.len() == 1 {
        let rel = open[0].clone();
        return open_relation(&state, &session, &login, rel).await;
    }
    let tr = Tr::from_session(&session).await;
    let today = inzage_domain::time::local_date(state.now());
    let choices = rels
        .iter()
        .map(|r| Choice {
            key: r.key(),
            name: r.name.clone(),
            birth: format!(
                "{} ({})",
                tr.date(r.birth_date),
                tr.tn("age-years", "age", i64::from(age_on(r.birth_date, today)))
            ),
            // "uw eigen dossier", or "u kijkt mee als ouder met gezag, tot en met ...".
            relation: match (r.basis, r.until) {
                (None, _) => tr.t("relation-self"),
                (Some(b), None) => tr.t1("relation-as", "what", tr.t(basis_key(b))),
                (Some(b), Some(u)) => tr.ta(
                    "relation-as-until",
                    &[("what", tr.t(basis_key(b))), ("date", tr.date(u))],
                ),
            },
            denied: r.denied.map(|d| tr.t(denied_key(d))),
        })
        .collect();
    Ok(ChooserPage {
        ctx: PageCtx {
            tr: tr.clone(),
            csrf: csrf_token(&session).await?,
            logged_in: true,
            who: None,
            path: "/kiezen",
            staff: None,
            staff_menu: vec![],
            preview: None,
        },
        greeting: tr.t1("choose-greeting", "name", &login.display_name),
        choices,
    }
    .into_response())
}

#[derive(Deserialize)]
struct ChooseForm {
    record: String,
    #[serde(default)]
    csrf: String,
}

async fn choose(
    State(state): State<AppState>,
    login: Login,
    session: Session,
    Form(form): Form<ChooseForm>,
) -> WebResult<Response> {
    check_csrf(&session, &form.csrf).await?;
    let rels = relations(&state, &login).await?;
    // Only one of this person's own relations, and only one they may open now.
    let Some(rel) = rels
        .into_iter()
        .find(|r| r.key() == form.record && r.denied.is_none())
    else {
        return Err(WebError::Forbidden);
    };
    open_relation(&state, &session, &login, rel).await
}

async fn open_relation(
    state: &AppState,
    session: &Session,
    login: &Login,
    rel: Relation,
) -> WebResult<Response> {
    // The previous portal visit of this person to this record, from the audit log.
    let previous_visit = state
        .store
        .last_access(
            &rel.patient,
            &login.subject,
            Channel::Portal,
            login.login_at,
        )
        .await?;
    OpenFrame {
        name: rel.name.clone(),
        first_name: rel.first_name.clone(),
        birth_date: rel.birth_date,
        basis: rel.basis,
        until: rel.until,
    }
    .remember(session)
    .await?;
    session
        .insert(
            OPEN,
            &Chosen {
                patient: rel.patient,
                representation: rel.representation,
                previous_visit,
            },
        )
        .await?;
    Ok(Redirect::to("/overzicht").into_response())
}
