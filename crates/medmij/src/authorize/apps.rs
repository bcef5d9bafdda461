//! "Apps met toegang": the person's standing consents per PGO, and revoking one (refresh and
//! access tokens at once).

use super::*;

// ---- "Apps met toegang": the patient sees and ends their long-term consents ----

pub(super) struct App {
    pub(super) client_id: String,
    pub(super) organisation: String,
    pub(super) until: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "apps.html")]
pub(super) struct AppsPage {
    pub(super) ctx: PageCtx,
    pub(super) apps: Vec<App>,
    pub(super) revoked: bool,
}

#[derive(Deserialize)]
pub(super) struct AppsQuery {
    #[serde(default)]
    pub(super) ingetrokken: bool,
}

pub(super) fn portal_audit(
    at: DateTime<Utc>,
    event: EventType,
    patient: &PatientId,
    login: &Login,
    detail: String,
) -> AuditEvent {
    AuditEvent {
        at,
        event,
        patient: Some(patient.clone()),
        user: login.subject.clone(),
        responsible_user: login.subject.clone(),
        role: inzage_webkit::page::PATIENT_ROLE.into(),
        channel: Channel::Portal,
        request_id: inzage_webkit::session::random_id(),
        detail,
    }
}

pub(super) async fn apps_page(
    State(state): State<AppState>,
    session: Session,
    login: Login,
    Query(q): Query<AppsQuery>,
) -> WebResult<Response> {
    let mut ctx = PageCtx::anonymous(&session, "/apps-met-toegang").await?;
    ctx.logged_in = true;
    // The menu and banner of the record open in this session stay (issue 18, item 3); the
    // apps below are always the person's own.
    ctx.who = inzage_webkit::page::OpenFrame::of_session(&session)
        .await?
        .map(|frame| inzage_webkit::page::Who::of(&frame, &ctx.tr));
    let mut apps = vec![];
    // Only the person's own record: consents are given by the patient themself.
    if let Some(patient) = state.store.find_patient_by_bsn(&login.bsn).await? {
        let now = state.now();
        state
            .store
            .append_audit(portal_audit(
                now,
                EventType::Read,
                &patient,
                &login,
                "portal: apps with access".into(),
            ))
            .await?;
        let clients = state
            .config
            .medmij
            .as_ref()
            .map(|c| c.clients.as_slice())
            .unwrap_or_default();
        for c in state.store.consents(&patient, now).await? {
            let organisation = clients
                .iter()
                .find(|x| x.hostname == c.client_id)
                .map_or_else(|| c.client_id.clone(), |x| x.organisation.clone());
            apps.push(App {
                until: ctx.tr.date(inzage_domain::time::local_date(c.valid_until)),
                client_id: c.client_id,
                organisation,
            });
        }
    }
    Ok(AppsPage {
        ctx,
        apps,
        revoked: q.ingetrokken,
    }
    .into_response())
}

#[derive(Deserialize)]
pub(super) struct RevokeForm {
    #[serde(default)]
    pub(super) csrf: String,
    #[serde(default)]
    pub(super) app: String,
}

pub(super) async fn apps_revoke(
    State(state): State<AppState>,
    session: Session,
    login: Login,
    Form(form): Form<RevokeForm>,
) -> WebResult<Response> {
    check_csrf(&session, &form.csrf).await?;
    let Some(patient) = state.store.find_patient_by_bsn(&login.bsn).await? else {
        return Err(WebError::NotFound);
    };
    let now = state.now();
    if state
        .store
        .revoke_access_tokens(&patient, &form.app, now)
        .await?
        == 0
    {
        return Err(WebError::NotFound);
    }
    state
        .store
        .append_audit(portal_audit(
            now,
            EventType::Update,
            &patient,
            &login,
            format!("portal: access of {} revoked", form.app),
        ))
        .await?;
    Ok(Redirect::to("/apps-met-toegang?ingetrokken=true").into_response())
}
