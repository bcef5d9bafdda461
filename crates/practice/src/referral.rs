//! A referral letter made from the record (verwijsbrief, issue 20 part 3): the GP names the
//! receiver and the question; the letter's data section is `exchange::referral_view`: what a
//! hospital may have (items the patient asked not to share with a hospital, and items the GP
//! keeps out of exchanges, are not in it), and, since the letter goes online with the record,
//! only what the patient may read online. The letter (PDF/A) is
//! saved in the record as an outgoing referral letter, with one audit entry.

use super::StaffRecord;
use super::entry::{author, change_record, new_id};
use super::roles::Action;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use inzage_domain::entry::EntryError;
use inzage_domain::exchange::referral_view;
use inzage_domain::time::local_date;
use inzage_domain::{
    EpisodeId, ItemMeta, Letter, LetterContent, LetterDirection, LetterId, LetterType,
};
use inzage_store::{EventType, RecordStore};
use inzage_webkit::AppState;
use inzage_webkit::error::{WebError, WebResult};
use inzage_webkit::extract::Form;
use inzage_webkit::page::PageCtx;
use inzage_webkit::session::check_csrf;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/praktijk/patienten/{id}/verwijsbrief",
        get(form_page).post(make),
    )
}

#[derive(Template, WebTemplate)]
#[template(path = "practice_referral.html")]
struct FormPage {
    ctx: PageCtx,
    id: String,
    name: String,
    episodes: Vec<(String, String)>,
    error: Option<String>,
}

async fn render(rec: &StaffRecord, error: Option<&str>, status: StatusCode) -> WebResult<Response> {
    rec.access(Action::WriteReferrals, "referral letter form")
        .await?;
    let ctx = rec.staff.ctx(&rec.session, "/praktijk").await?;
    let r = &rec.record;
    let error = error.map(|k| ctx.tr.t(k));
    Ok((
        status,
        FormPage {
            id: r.patient.id.to_string(),
            name: r.patient.name.display(),
            episodes: r
                .episodes
                .iter()
                .filter(|e| e.end.is_none())
                .map(|e| (e.id.to_string(), e.title.clone()))
                .collect(),
            error,
            ctx,
        },
    )
        .into_response())
}

async fn form_page(rec: StaffRecord) -> WebResult<Response> {
    render(&rec, None, StatusCode::OK).await
}

#[derive(Deserialize)]
struct ReferralForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    aan: String,
    #[serde(default)]
    vraag: String,
    #[serde(default)]
    episode: String,
}

async fn make(rec: StaffRecord, Form(form): Form<ReferralForm>) -> WebResult<Response> {
    check_csrf(&rec.session, &form.csrf).await?;
    rec.staff.require(Action::WriteReferrals)?;
    let to = form.aan.trim().to_owned();
    let question = form.vraag.trim().to_owned();
    if to.is_empty()
        || question.is_empty()
        || to.chars().count() > 200
        || question.chars().count() > 4000
    {
        return render(&rec, Some("referral-needs"), StatusCode::BAD_REQUEST).await;
    }
    let episode = match form.episode.as_str() {
        "" => None,
        e => Some(EpisodeId::new(e).map_err(|_| WebError::Invalid("episode"))?),
    };
    let now = rec.state.now();
    let by = author(&rec.staff, now)?;
    let gp = rec.staff.display_name.clone();
    let settings = rec.state.store.settings(&rec.staff.practice).await?;
    let outcome = change_record(
        &rec,
        EventType::Create,
        |(id, shared): &(String, usize)| {
            format!("referral letter {id} made ({shared} items shared)")
        },
        |record| {
            if episode
                .as_ref()
                .is_some_and(|e| record.episode(e).is_none())
            {
                return Err(EntryError::NotFound);
            }
            let for_hospital = referral_view(record, &settings, now);
            let v = &for_hospital;
            let shared = v.episodes.len()
                + v.journal.len()
                + v.results.len()
                + v.medication.len()
                + v.allergies.len();
            let referral = inzage_copy::Referral {
                to: to.clone(),
                question: question.clone(),
                gp: gp.clone(),
            };
            let pdf = inzage_copy::Copy::referral(for_hospital, now, referral)
                .write(inzage_copy::Format::Pdf, "")
                .map_err(|_| EntryError::Invalid("the referral letter could not be made"))?;
            let id =
                LetterId::new(new_id("letter")).map_err(|_| EntryError::Invalid("letter id"))?;
            record.letters.push(Letter {
                id: id.clone(),
                direction: LetterDirection::Outgoing,
                letter_type: LetterType::ReferralLetter,
                date: local_date(now),
                title: format!("Verwijsbrief {to}"),
                author: gp.clone(),
                content: LetterContent::Pdf { bytes: pdf },
                episode: episode.clone(),
                document: None,
                meta: ItemMeta::new(by.actor(), now),
            });
            Ok((id.to_string(), shared))
        },
    )
    .await?;
    match outcome {
        Ok((id, _)) => Ok(Redirect::to(&format!(
            "/praktijk/patienten/{}?gedaan=verwezen#item-{id}",
            rec.record.patient.id
        ))
        .into_response()),
        Err(EntryError::NotFound) => Err(WebError::NotFound),
        Err(_) => render(&rec, Some("referral-needs"), StatusCode::BAD_REQUEST).await,
    }
}
