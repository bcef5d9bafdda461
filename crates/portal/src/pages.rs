//! The pages of an open record. Each handler takes an [`OpenRecord`], asks it for the view
//! (`visible_record`), writes its audit entry and renders plain view models.

use super::{OpenRecord, PageCtx};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, NaiveDate, Utc};
use inzage_domain::time::local_date;
use inzage_domain::visibility::present::{
    BloodPressure, ResultLine, episode_label, pair_blood_pressures, result_line,
};
use inzage_domain::{
    AllergyCategory, AllergyStatus, Criticality, Episode, Gender, ItemMeta, JournalLine, LabResult,
    LetterContent, LetterDirection, LetterType, PatientView, RangePosition, ResultValue, Soep,
};
use inzage_store::{EventType, RecordStore};
use inzage_webkit::chart::{Chart, Point};
use inzage_webkit::error::{WebError, WebResult};
use inzage_webkit::extract::Query;
use inzage_webkit::glossary::Glossary;
use inzage_webkit::i18n::Tr;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};

mod episodes;
mod log;
mod medication;
mod results;
use episodes::*;
use log::*;
use medication::*;
use results::*;

pub fn router() -> Router<inzage_webkit::AppState> {
    Router::new()
        .route("/overzicht", get(overview))
        .route("/ziektes", get(episodes))
        .route("/medicijnen", get(medication))
        .route("/allergieen", get(allergies))
        .route("/uitslagen", get(results))
        .route("/brieven", get(letters))
        .route("/brieven/{id}", get(letter_pdf))
        .route("/gegevens", get(details))
        .route("/logboek", get(access_log))
}

/// A term and its plain explanation.
pub struct Explanation {
    pub term: String,
    pub plain: String,
}

/// The known Dutch terms in `text` (the record as the GP wrote it), explained in the reader's
/// language.
fn explain(tr: &Tr, text: &str) -> Vec<Explanation> {
    Glossary::for_lang(tr.code())
        .explain(text)
        .into_iter()
        .map(|e| Explanation {
            term: e.term.to_owned(),
            plain: e.plain.to_owned(),
        })
        .collect()
}

fn is_new(meta: &ItemMeta, previous: Option<DateTime<Utc>>) -> bool {
    previous.is_some_and(|p| meta.created_at() > p)
}

// ---- letters ----

pub struct LetterRow {
    pub id: String,
    pub date: String,
    pub title: String,
    pub kind: String,
    pub author: String,
    pub has_pdf: bool,
    pub new: bool,
    pub correct: String,
}

fn letter_rows(open: &OpenRecord, view: &PatientView<'_>, tr: &Tr) -> Vec<LetterRow> {
    let mut letters = view.letters.clone();
    letters.sort_by_key(|x| std::cmp::Reverse(x.date));
    letters
        .iter()
        .map(|l| LetterRow {
            id: l.id.to_string(),
            correct: correct_link("letter", l.id.as_str()),
            date: tr.date(l.date),
            title: l.title.clone(),
            kind: format!(
                "{} ({})",
                tr.t(match l.letter_type {
                    LetterType::SpecialistLetter => "letter-specialist",
                    LetterType::DischargeLetter => "letter-discharge",
                    LetterType::RadiologyReport => "letter-radiology",
                    LetterType::ReferralLetter => "letter-referral",
                    LetterType::Other => "letter-other",
                }),
                tr.t(match l.direction {
                    LetterDirection::Incoming => "letter-incoming",
                    LetterDirection::Outgoing => "letter-outgoing",
                })
            ),
            author: l.author.clone(),
            has_pdf: matches!(l.content, LetterContent::Pdf { .. }),
            new: is_new(&l.meta, open.previous_visit),
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "letters.html")]
struct LettersPage {
    ctx: PageCtx,
    letters: Vec<LetterRow>,
}

async fn letters(open: OpenRecord) -> WebResult<Response> {
    let view = open.view()?;
    let ctx = open.ctx("/brieven").await?;
    let letters = letter_rows(&open, &view, &ctx.tr);
    open.audit(EventType::Read, "letters").await?;
    Ok(LettersPage { ctx, letters }.into_response())
}

/// A letter's PDF, only if the letter is in this person's view.
async fn letter_pdf(open: OpenRecord, Path(id): Path<String>) -> WebResult<Response> {
    let view = open.view()?;
    let Some(letter) = view.letters.iter().find(|l| l.id.as_str() == id) else {
        return Err(WebError::NotFound);
    };
    let LetterContent::Pdf { bytes } = &letter.content else {
        return Err(WebError::NotFound);
    };
    let bytes = bytes.clone();
    open.audit(EventType::Export, &format!("letter {id} downloaded"))
        .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"brief-{}.pdf\"", sanitize(&id)),
            ),
        ],
        bytes,
    )
        .into_response())
}

fn sanitize(id: &str) -> String {
    id.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect()
}

// ---- overview ----

#[derive(Template, WebTemplate)]
#[template(path = "overview.html")]
struct OverviewPage {
    ctx: PageCtx,
    current_problems: Vec<EpisodeRow>,
    past_important: Vec<EpisodeRow>,
    medication: Vec<MedicationRow>,
    allergies: Vec<AllergyRow>,
    contra: Vec<ContraRow>,
    latest_results: Vec<(String, ResultRow)>,
    held: Vec<HeldRow>,
    /// What asks for the person's attention first: an answer, an appointment, a decided repeat
    /// prescription, new results.
    attention: Vec<crate::Attention>,
    new_letters: Vec<LetterRow>,
    previous_visit: Option<String>,
}

async fn overview(open: OpenRecord) -> WebResult<Response> {
    let view = open.view()?;
    let ctx = open.ctx("/overzicht").await?;
    let tr = &ctx.tr;
    let prev = open.previous_visit;
    let st = crate::corrections::statements(&open).await?;
    let mut eps: Vec<&Episode> = view.episodes.clone();
    eps.sort_by_key(|x| std::cmp::Reverse(x.start.earliest()));
    let current_problems = eps
        .iter()
        .filter(|e| !e.is_closed(view.today))
        .map(|e| episode_row(tr, e, view.today, vec![], prev, &st))
        .collect();
    let past_important = eps
        .iter()
        .filter(|e| e.is_closed(view.today) && e.attentiewaarde)
        .map(|e| episode_row(tr, e, view.today, vec![], prev, &st))
        .collect();
    let latest_results = latest_per_test(result_groups(&open, &view, tr, false), 6);
    let mut attention = crate::messages::attention(&open, tr).await?;
    attention.extend(crate::appointments::attention(&open, tr).await?);
    attention.extend(crate::prescriptions::attention(&open, &view, tr).await?);
    let new_results = view
        .results
        .iter()
        .filter(|r| is_new(&r.meta, prev))
        .count();
    if new_results > 0 {
        attention.push(crate::Attention {
            text: tr.tc("attention-results", new_results, &[]),
            href: "/uitslagen".into(),
        });
    }
    let mut new_letters = letter_rows(&open, &view, tr);
    new_letters.retain(|l| l.new);
    let page = OverviewPage {
        current_problems,
        past_important,
        medication: medication_rows(&open, &view, tr, true, &st),
        allergies: allergy_rows(&open, &view, tr, &st),
        contra: contra_rows(&open, &view, tr),
        latest_results,
        held: held_rows(&view, tr),
        attention,
        new_letters,
        previous_visit: prev.map(|p| tr.date(local_date(p))),
        ctx,
    };
    open.audit(EventType::Read, "overview").await?;
    Ok(page.into_response())
}

// ---- personal details ----

#[derive(Template, WebTemplate)]
#[template(path = "details.html")]
struct DetailsPage {
    ctx: PageCtx,
    name: String,
    birth: String,
    gender: String,
    address: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    gp: Option<String>,
    practice: String,
    practice_address: Option<String>,
    practice_phone: Option<String>,
    practice_email: Option<String>,
}

fn address(a: &inzage_domain::Address) -> String {
    format!(
        "{} {}, {} {}",
        a.street, a.house_number, a.postal_code, a.city
    )
}

async fn details(open: OpenRecord) -> WebResult<Response> {
    let view = open.view()?;
    let ctx = open.ctx("/gegevens").await?;
    let tr = &ctx.tr;
    let p = view.patient;
    let page = DetailsPage {
        name: p.name.display(),
        birth: tr.date(p.birth_date),
        gender: tr.t(match p.gender {
            Gender::Female => "gender-female",
            Gender::Male => "gender-male",
            Gender::Other => "gender-other",
            Gender::Unknown => "gender-unknown",
        }),
        address: p.address.as_ref().map(address),
        phone: p.contact.phone.clone(),
        email: p.contact.email.clone(),
        gp: view.general_practitioner.map(|g| g.name.display()),
        practice: view.practice.name.clone(),
        practice_address: view.practice.address.as_ref().map(address),
        practice_phone: view.practice.contact.phone.clone(),
        practice_email: view.practice.contact.email.clone(),
        ctx,
    };
    open.audit(EventType::Read, "details").await?;
    Ok(page.into_response())
}

// ---- who looked at my record (R103) ----

impl OpenRecord {
    fn viewer_is_patient(&self) -> bool {
        matches!(self.viewer, inzage_domain::Viewer::Patient { .. })
    }
}
