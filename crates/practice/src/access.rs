//! Access for patients and their representatives (issue 5, part 5): the patient's consent per
//! channel (R53), parents, guardians, legal representatives and authorised carers with the
//! evidence checked and by whom (R41), a 12-15-year-old's consent (R35) and its withdrawal
//! (R37), end dates and revocation (R40), and the one-time activation code with which a patient
//! creates their portal login (see `inzage_login::activation`), and the patient's choices about
//! sharing with other providers as given at the desk, in writing or on the national site (R115).

use super::StaffRecord;
use super::entry::{author, change_record, error_text, new_id, who};
use super::roles::Action;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use chrono::{Duration, NaiveDate};
use inzage_domain::access::OnlineChannel;
use inzage_domain::entry::{self, EntryError, NewRepresentation};
use inzage_domain::exchange::{
    ConsentAnswer, ConsentMethod, ConsentState, DataCategory, ExchangeConsent, ProviderCategory,
    RecordedBy, consent_state, set_exchange_consent,
};
use inzage_domain::time::{age_on, local_date};
use inzage_domain::{Bsn, HumanName, RepresentationBasis, Section};
use inzage_store::{EventType, Invitation, RecordStore, StaffStore};
use inzage_webkit::error::{WebError, WebResult};
use inzage_webkit::form::FormData;
use inzage_webkit::page::{PageCtx, basis_key};
use inzage_webkit::session::check_csrf;
use serde::Deserialize;

use inzage_webkit::AppState;

/// How long an activation code works.
pub const INVITATION_DAYS: i64 = 30;

pub fn router() -> Router<AppState> {
    Router::new().route("/praktijk/patienten/{id}/toegang", get(page).post(submit))
}

const SECTIONS: [(Section, &str, &str); 8] = [
    (Section::Episodes, "deel_episodes", "nav-episodes"),
    (Section::Journal, "deel_journaal", "practice-journal"),
    (Section::Medication, "deel_medicatie", "nav-medication"),
    (Section::Allergies, "deel_allergieen", "allergies-title"),
    (Section::Results, "deel_uitslagen", "nav-results"),
    (Section::Letters, "deel_brieven", "nav-letters"),
    (
        Section::Appointments,
        "deel_afspraken",
        "access-appointments",
    ),
    (
        Section::Treatments,
        "deel_behandelingen",
        "access-treatments",
    ),
];

const BASES: [(RepresentationBasis, &str); 6] = [
    (RepresentationBasis::ParentalAuthority, "ouder"),
    (RepresentationBasis::Guardianship, "voogd"),
    (RepresentationBasis::Curatorship, "curator"),
    (RepresentationBasis::Mentorship, "mentor"),
    (RepresentationBasis::WrittenAuthorisation, "machtiging"),
    (RepresentationBasis::DigidAuthorisation, "digid_machtiging"),
];

/// One sharing choice at the desk: a data category for a requesting provider category.
struct SharingRow {
    field: String,
    data: String,
    requester: String,
    state: String,
}

/// The form field of one choice at the desk.
fn sharing_field(data: DataCategory, requester: ProviderCategory) -> String {
    format!("delen_{}_{}", data.slug(), requester.slug())
}

fn sharing_rows(tr: &inzage_webkit::i18n::Tr, r: &inzage_domain::PatientRecord) -> Vec<SharingRow> {
    let mut rows = vec![];
    for data in DataCategory::ALL {
        for requester in ProviderCategory::ALL {
            let state = consent_state(r, data, requester);
            let current = r
                .patient
                .exchange_consent
                .iter()
                .find(|c| c.data == data && c.requester == requester);
            rows.push(SharingRow {
                field: sharing_field(data, requester),
                data: tr.t(&format!("sharing-data-{}", data.slug())),
                requester: tr.t(&format!("sharing-requester-{}", requester.slug())),
                state: match current {
                    None => tr.t("sharing-state-not-asked"),
                    Some(c) => format!(
                        "{} ({}, {}, {})",
                        tr.t(if state == ConsentState::Yes {
                            "sharing-yes"
                        } else {
                            "sharing-no"
                        }),
                        tr.t(&format!("sharing-method-{}", c.method.slug())),
                        match &c.recorded_by {
                            RecordedBy::Staff { id } =>
                                who(&inzage_domain::Actor::Staff(id.clone())),
                            RecordedBy::Patient => tr.t("who-patient"),
                            RecordedBy::Representative { .. } => tr.t("who-representative-unknown"),
                        },
                        tr.date(local_date(c.at))
                    ),
                },
            });
        }
    }
    rows
}

/// The choices the desk form changes, as (data, requester, answer).
fn sharing_changes(
    data: &FormData,
    r: &inzage_domain::PatientRecord,
) -> Result<Vec<(DataCategory, ProviderCategory, ConsentAnswer)>, EntryError> {
    let mut out = vec![];
    for d in DataCategory::ALL {
        for requester in ProviderCategory::ALL {
            let answer = match data.get(&sharing_field(d, requester)) {
                "" => continue,
                "ja" => ConsentAnswer::Yes,
                "nee" => ConsentAnswer::No,
                _ => return Err(EntryError::Invalid("a sharing choice is not valid")),
            };
            let same = matches!(
                (consent_state(r, d, requester), answer),
                (ConsentState::Yes, ConsentAnswer::Yes) | (ConsentState::No, ConsentAnswer::No)
            );
            if !same {
                out.push((d, requester, answer));
            }
        }
    }
    Ok(out)
}

struct RepRow {
    id: String,
    name: String,
    basis: String,
    period: String,
    scope: String,
    evidence: String,
    status: String,
    active: bool,
    parental: bool,
    child_consent: String,
    child_consent_given: bool,
    valid_to: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "practice_access.html")]
struct AccessPage {
    ctx: PageCtx,
    id: String,
    name: String,
    age: i32,
    portal: bool,
    pgo: bool,
    consent_recorded: String,
    /// The practice lets patients choose to see results at once (R26, N4).
    timing_offered: bool,
    results_immediately: bool,
    reps: Vec<RepRow>,
    sharing: Vec<SharingRow>,
    sharing_methods: Vec<(String, String)>,
    bases: Vec<(String, String)>,
    sections: Vec<(String, String)>,
    can_invite: bool,
    invitation_code: Option<String>,
    invitation_until: String,
    saved: bool,
    error: Option<String>,
}

#[derive(Deserialize)]
struct PageQuery {
    #[serde(default)]
    opgeslagen: bool,
}

async fn render(
    rec: &StaffRecord,
    saved: bool,
    error: Option<String>,
    invitation: Option<(String, chrono::DateTime<chrono::Utc>)>,
    status: StatusCode,
) -> WebResult<Response> {
    // One audit entry per request: a new invitation was audited as its creation.
    if invitation.is_none() {
        rec.access(Action::ManageAccess, "access administration")
            .await?;
    }
    // Show the record as it is now (a change just saved is in the store, not in `rec`).
    let r = rec
        .state
        .store
        .load_record(&rec.record.patient.id)
        .await?
        .ok_or(WebError::NotFound)?;
    let ctx = rec.staff.ctx(&rec.session, "/praktijk").await?;
    let tr = &ctx.tr;
    let now = rec.state.now();
    let today = local_date(now);
    let consent = r.patient.online_consent.as_ref();
    let reps = r
        .representations
        .iter()
        .map(|x| {
            let ended = x.valid_to.is_some_and(|t| t < today);
            let status = if x.revoked_at.is_some() {
                tr.t("access-revoked")
            } else if ended {
                tr.t("access-ended")
            } else if x.valid_from > today {
                tr.t("access-not-yet")
            } else {
                tr.t("access-active")
            };
            let child_consent = match &x.child_consent {
                None => String::new(),
                Some(c) => match c.withdrawn_at {
                    Some(w) => tr.t1("access-child-withdrawn", "date", tr.date(local_date(w))),
                    None => tr.t1(
                        "access-child-given",
                        "date",
                        tr.date(local_date(c.given_at)),
                    ),
                },
            };
            RepRow {
                id: x.id.to_string(),
                name: x.agent_name.display(),
                basis: tr.t(basis_key(x.basis)),
                period: match x.valid_to {
                    Some(t) => format!("{} – {}", tr.date(x.valid_from), tr.date(t)),
                    None => format!("{} –", tr.date(x.valid_from)),
                },
                scope: match &x.scope {
                    None => tr.t("access-whole-record"),
                    Some(s) => SECTIONS
                        .iter()
                        .filter(|(sec, _, _)| s.contains(sec))
                        .map(|(_, _, key)| tr.t(key))
                        .collect::<Vec<_>>()
                        .join(", "),
                },
                evidence: x
                    .evidence
                    .as_ref()
                    .map(|e| {
                        format!(
                            "{} ({}, {})",
                            e.kind,
                            who(&e.checked_by),
                            tr.date(local_date(e.checked_at))
                        )
                    })
                    .unwrap_or_else(|| tr.t("access-no-evidence")),
                active: x.revoked_at.is_none() && !ended,
                parental: x.basis.is_parental(),
                child_consent_given: x
                    .child_consent
                    .as_ref()
                    .is_some_and(|c| c.withdrawn_at.is_none()),
                child_consent,
                status,
                valid_to: x.valid_to.map(|d| d.to_string()).unwrap_or_default(),
            }
        })
        .collect();
    let local_login = inzage_login::auth::password_login_enabled(&rec.state);
    let timing_offered = rec
        .state
        .store
        .settings(&r.practice.id)
        .await?
        .patients_may_choose_immediate_results;
    let page = AccessPage {
        id: r.patient.id.to_string(),
        name: r.patient.name.display(),
        age: age_on(r.patient.birth_date, today),
        portal: consent.is_some_and(|c| c.portal),
        pgo: consent.is_some_and(|c| c.pgo),
        consent_recorded: consent
            .map(|c| {
                format!(
                    "{} ({})",
                    tr.date(local_date(c.recorded_at)),
                    who(&c.recorded_by)
                )
            })
            .unwrap_or_default(),
        timing_offered,
        results_immediately: r.patient.wants_results_immediately,
        reps,
        sharing: sharing_rows(tr, &r),
        sharing_methods: ConsentMethod::AT_THE_PRACTICE
            .iter()
            .map(|m| {
                (
                    m.slug().to_owned(),
                    tr.t(&format!("sharing-method-{}", m.slug())),
                )
            })
            .collect(),
        bases: BASES
            .iter()
            .map(|(b, v)| ((*v).to_owned(), tr.t(basis_key(*b))))
            .collect(),
        sections: SECTIONS
            .iter()
            .map(|(_, name, key)| ((*name).to_owned(), tr.t(key)))
            .collect(),
        can_invite: local_login && r.patient.bsn.is_some() && consent.is_some_and(|c| c.portal),
        invitation_until: invitation
            .as_ref()
            .map(|(_, until)| tr.date(local_date(*until)))
            .unwrap_or_default(),
        invitation_code: invitation.map(|(code, _)| code),
        saved,
        error,
        ctx,
    };
    Ok((status, page).into_response())
}

async fn page(
    rec: StaffRecord,
    inzage_webkit::extract::Query(q): inzage_webkit::extract::Query<PageQuery>,
) -> WebResult<Response> {
    render(&rec, q.opgeslagen, None, None, StatusCode::OK).await
}

fn date(data: &FormData, name: &str) -> Result<Option<NaiveDate>, EntryError> {
    let s = data.get(name).trim();
    if s.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| EntryError::Invalid("a date is not valid"))
}

fn new_representation(data: &FormData) -> Result<NewRepresentation, EntryError> {
    let agent_bsn = Bsn::parse(data.get("bsn").trim())
        .map_err(|_| EntryError::Invalid("the BSN is not valid"))?;
    let basis = BASES
        .iter()
        .find(|(_, v)| *v == data.get("grondslag"))
        .map(|(b, _)| *b)
        .ok_or(EntryError::Invalid("the basis is not valid"))?;
    let sections: Vec<Section> = SECTIONS
        .iter()
        .filter(|(_, name, _)| data.checked(name))
        .map(|(s, _, _)| *s)
        .collect();
    let given = data.get("voornaam").trim();
    let prefix = data.get("voorvoegsel").trim();
    Ok(NewRepresentation {
        agent_bsn,
        agent_name: HumanName {
            given: if given.is_empty() {
                vec![]
            } else {
                vec![given.to_owned()]
            },
            initials: None,
            prefix: (!prefix.is_empty()).then(|| prefix.to_owned()),
            family: data.get("achternaam").trim().to_owned(),
        },
        basis,
        valid_from: date(data, "vanaf")?.ok_or(EntryError::Required("the start date"))?,
        valid_to: date(data, "tot")?,
        // Nothing ticked: the whole visible record.
        scope: (!sections.is_empty()).then_some(sections),
        evidence: data.get("bewijs").to_owned(),
    })
}

async fn submit(rec: StaffRecord, data: FormData) -> WebResult<Response> {
    check_csrf(&rec.session, data.get("csrf")).await?;
    rec.staff.require(Action::ManageAccess)?;
    let by = author(&rec.staff, rec.state.now())?;
    let rep = data.get("vertegenwoordiging").to_owned();
    let outcome = match data.get("actie") {
        "toestemming" => {
            change_record(
                &rec,
                EventType::Update,
                |()| "online consent recorded".into(),
                |r| {
                    entry::set_online_consent(
                        r,
                        OnlineChannel::Portal,
                        data.checked("portaal"),
                        &by,
                    );
                    entry::set_online_consent(r, OnlineChannel::Pgo, data.checked("pgo"), &by);
                    Ok(())
                },
            )
            .await?
        }
        "toevoegen" => change_record(
            &rec,
            EventType::Create,
            |id: &String| format!("representation added ({id})"),
            |r| {
                let n = new_representation(&data)?;
                Ok(entry::add_representation(r, n, &by, &mut new_id)?.to_string())
            },
        )
        .await?
        .map(|_| ()),
        "intrekken" => {
            change_record(
                &rec,
                EventType::Update,
                |()| format!("representation revoked ({rep})"),
                |r| entry::revoke_representation(r, &rep, &by),
            )
            .await?
        }
        "einde" => {
            change_record(
                &rec,
                EventType::Update,
                |()| format!("representation end date set ({rep})"),
                |r| entry::set_representation_end(r, &rep, date(&data, "tot")?),
            )
            .await?
        }
        "kind_toestemming" | "kind_intrekken" => {
            let given = data.get("actie") == "kind_toestemming";
            change_record(
                &rec,
                EventType::Update,
                |()| {
                    format!(
                        "child consent {} ({rep})",
                        if given { "recorded" } else { "withdrawn" }
                    )
                },
                |r| entry::set_child_consent(r, &rep, given, &by),
            )
            .await?
        }
        "uitslagen_moment" => {
            let settings = rec.state.store.settings(&rec.record.practice.id).await?;
            let immediately = data.checked("direct");
            change_record(
                &rec,
                EventType::Update,
                |()| {
                    format!(
                        "result timing choice recorded: {}",
                        if immediately {
                            "immediately"
                        } else {
                            "after the GP"
                        }
                    )
                },
                |r| {
                    Ok(inzage_domain::edit::choose_result_timing(
                        r,
                        &settings,
                        immediately,
                        by.actor(),
                        by.at,
                    )?)
                },
            )
            .await?
        }
        "delen" => {
            let method = ConsentMethod::parse(data.get("wijze"))
                .filter(|m| ConsentMethod::AT_THE_PRACTICE.contains(m));
            change_record(
                &rec,
                EventType::Update,
                |changed: &Vec<String>| format!("sharing choice: {}", changed.join(", ")),
                |r| {
                    let method =
                        method.ok_or(EntryError::Required("how the patient gave the choice"))?;
                    let changes = sharing_changes(&data, r)?;
                    if changes.is_empty() {
                        return Err(EntryError::Required("a changed sharing choice"));
                    }
                    let mut described = vec![];
                    for (d, requester, answer) in changes {
                        set_exchange_consent(
                            r,
                            ExchangeConsent {
                                data: d,
                                requester,
                                answer,
                                method,
                                recorded_by: RecordedBy::Staff {
                                    id: by.practitioner.id.clone(),
                                },
                                at: by.at,
                            },
                            by.actor(),
                        )
                        .map_err(|_| EntryError::Invalid("a sharing choice is not valid"))?;
                        described.push(format!(
                            "{} {} {} ({})",
                            requester.slug(),
                            d.slug(),
                            if answer == ConsentAnswer::Yes {
                                "yes"
                            } else {
                                "no"
                            },
                            method.slug()
                        ));
                    }
                    Ok(described)
                },
            )
            .await?
            .map(|_| ())
        }
        "uitnodigen" => return invite(&rec).await,
        _ => return Err(WebError::Invalid("action")),
    };
    match outcome {
        Ok(()) => Ok(Redirect::to(&format!(
            "/praktijk/patienten/{}/toegang?opgeslagen=true",
            rec.record.patient.id
        ))
        .into_response()),
        Err(EntryError::NotFound) => Err(WebError::NotFound),
        Err(e) => {
            let tr = inzage_webkit::i18n::Tr::staff_session(&rec.session).await;
            render(
                &rec,
                false,
                Some(error_text(&tr, &e)),
                None,
                StatusCode::BAD_REQUEST,
            )
            .await
        }
    }
}

/// A one-time activation code for the patient's portal login, shown once to hand over (on
/// paper, in person). Only its hash is stored.
async fn invite(rec: &StaffRecord) -> WebResult<Response> {
    let r = &rec.record;
    let consent = r.patient.online_consent.as_ref().is_some_and(|c| c.portal);
    if r.patient.bsn.is_none()
        || !consent
        || !inzage_login::auth::password_login_enabled(&rec.state)
    {
        return Err(WebError::Invalid(
            "an invitation needs a BSN, the patient's consent to the portal and the portal's own login",
        ));
    }
    let code = inzage_login::activation::new_code();
    let now = rec.state.now();
    let until = now + Duration::days(INVITATION_DAYS);
    rec.state
        .store
        .create_invitation(&Invitation {
            code_hash: inzage_login::activation::code_hash(&code),
            patient: r.patient.id.clone(),
            created_by: format!("staff:{}", rec.staff.username),
            created_at: now,
            expires_at: until,
        })
        .await?;
    let event = rec.staff.audit_event(
        now,
        EventType::Create,
        Some(r.patient.id.clone()),
        "practice: portal invitation created".into(),
    );
    rec.state.store.append_audit(event).await?;
    render(rec, false, None, Some((code, until)), StatusCode::OK).await
}
