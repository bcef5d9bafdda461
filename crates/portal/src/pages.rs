//! The pages of an open record. Each handler takes an [`OpenRecord`], asks it for the view
//! (`visible_record`), writes its audit entry and renders plain view models.

use super::{OpenRecord, PageCtx};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, NaiveDate, Utc};
use inzage_domain::time::local_date;
use inzage_domain::visibility::present::{episode_label, result_line};
use inzage_domain::{
    AllergyCategory, AllergyStatus, Criticality, Episode, Gender, ItemMeta, JournalLine,
    LetterContent, LetterDirection, LetterType, PatientView, RangePosition, ResultValue, Soep,
};
use inzage_store::{EventType, RecordStore};
use inzage_webkit::chart::{Chart, Point};
use inzage_webkit::error::{WebError, WebResult};
use inzage_webkit::glossary::Glossary;
use inzage_webkit::i18n::Tr;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};

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

fn explain(text: &str) -> Vec<Explanation> {
    Glossary::dutch()
        .explain(text)
        .into_iter()
        .map(|e| Explanation {
            term: e.term.to_owned(),
            plain: e.plain.to_owned(),
        })
        .collect()
}

fn is_new(meta: &ItemMeta, previous: Option<DateTime<Utc>>) -> bool {
    previous.is_some_and(|p| meta.created_at > p)
}

// ---- episodes and their E/P lines ----

pub struct EpisodeRow {
    pub title: String,
    pub code: Option<String>,
    pub code_plain: Option<String>,
    pub period: String,
    pub current: bool,
    pub important: bool,
    pub new: bool,
    pub lines: Vec<LineRow>,
    /// The person's own statements added to this item (R109).
    pub statements: Vec<String>,
    /// Where to ask for a correction or add a statement.
    pub correct: String,
}

pub struct LineRow {
    pub date: String,
    pub kind: String,
    pub text: String,
    pub explanations: Vec<Explanation>,
    pub new: bool,
    pub statements: Vec<String>,
    pub correct: String,
}

/// Statements added to items, by item id.
type Statements = HashMap<String, Vec<String>>;

fn correct_link(kind: &str, id: &str) -> String {
    format!("/correcties/nieuw?soort={kind}&item={id}")
}

fn line_row(
    tr: &Tr,
    l: &JournalLine,
    previous: Option<DateTime<Utc>>,
    statements: &Statements,
) -> LineRow {
    LineRow {
        statements: statements.get(l.id.as_str()).cloned().unwrap_or_default(),
        correct: correct_link("journal_line", l.id.as_str()),
        date: tr.date(l.date),
        kind: tr.t(match l.soep {
            Soep::E => "soep-e",
            Soep::P => "soep-p",
            // Never shown online (R7, R8); the rules do not return them.
            Soep::S | Soep::O => "soep-other",
        }),
        text: l.text.clone(),
        explanations: explain(&l.text),
        new: is_new(&l.meta, previous),
    }
}

fn episode_row(
    tr: &Tr,
    e: &Episode,
    today: NaiveDate,
    lines: Vec<LineRow>,
    previous: Option<DateTime<Utc>>,
    statements: &Statements,
) -> EpisodeRow {
    let label = episode_label(e);
    let period = match &e.end {
        Some(end) => tr.ta(
            "period-from-to",
            &[
                ("from", tr.partial_date(&e.start)),
                ("to", tr.partial_date(end)),
            ],
        ),
        None => tr.t1("period-since", "from", tr.partial_date(&e.start)),
    };
    EpisodeRow {
        title: label.primary.to_owned(),
        code: label.secondary,
        code_plain: e
            .icpc
            .as_ref()
            .and_then(|c| Glossary::dutch().icpc(c.as_str()))
            .map(|g| g.plain.clone()),
        period,
        current: !e.is_closed(today),
        important: e.attentiewaarde,
        new: is_new(&e.meta, previous),
        lines,
        statements: statements.get(e.id.as_str()).cloned().unwrap_or_default(),
        correct: correct_link("episode", e.id.as_str()),
    }
}

fn lines_by_episode<'a>(view: &PatientView<'a>) -> HashMap<&'a str, Vec<&'a JournalLine>> {
    let mut by: HashMap<&str, Vec<&JournalLine>> = HashMap::new();
    for l in &view.journal {
        let key = l.episode.as_ref().map_or("", |e| e.as_str());
        by.entry(key).or_default().push(l);
    }
    for lines in by.values_mut() {
        lines.sort_by_key(|x| std::cmp::Reverse(x.date));
    }
    by
}

#[derive(Template, WebTemplate)]
#[template(path = "episodes.html")]
struct EpisodesPage {
    ctx: PageCtx,
    episodes: Vec<EpisodeRow>,
    other_lines: Vec<LineRow>,
    oldest_first: bool,
}

#[derive(Deserialize)]
struct SortQuery {
    sort: Option<String>,
}

async fn episodes(open: OpenRecord, Query(q): Query<SortQuery>) -> WebResult<Response> {
    let view = open.view()?;
    let ctx = open.ctx("/ziektes").await?;
    let tr = &ctx.tr;
    let prev = open.previous_visit;
    let by = lines_by_episode(&view);
    let st = super::corrections::statements(&open).await?;
    let mut eps: Vec<&Episode> = view.episodes.clone();
    let oldest_first = q.sort.as_deref() == Some("oud");
    eps.sort_by(|a, b| {
        let o = a.start.earliest().cmp(&b.start.earliest());
        if oldest_first { o } else { o.reverse() }
    });
    let episodes = eps
        .iter()
        .map(|e| {
            let lines = by
                .get(e.id.as_str())
                .map(|ls| ls.iter().map(|l| line_row(tr, l, prev, &st)).collect())
                .unwrap_or_default();
            episode_row(tr, e, view.today, lines, prev, &st)
        })
        .collect();
    let other_lines = by
        .get("")
        .map(|ls| ls.iter().map(|l| line_row(tr, l, prev, &st)).collect())
        .unwrap_or_default();
    open.audit(EventType::Read, "episodes").await?;
    Ok(EpisodesPage {
        episodes,
        other_lines,
        oldest_first,
        ctx,
    }
    .into_response())
}

// ---- medication ----

pub struct MedicationRow {
    pub name: String,
    pub dosage: String,
    pub explanations: Vec<Explanation>,
    pub period: String,
    pub purpose: Option<String>,
    pub prescriber: Option<String>,
    pub new: bool,
    pub statements: Vec<String>,
    pub correct: String,
}

fn medication_rows(
    open: &OpenRecord,
    view: &PatientView<'_>,
    tr: &Tr,
    current: bool,
    statements: &Statements,
) -> Vec<MedicationRow> {
    let mut meds: Vec<_> = view
        .medication
        .iter()
        .filter(|m| m.is_current(view.today) == current)
        .collect();
    meds.sort_by_key(|x| std::cmp::Reverse(x.period_start));
    meds.iter()
        .map(|m| MedicationRow {
            name: m.product.name.clone(),
            dosage: m.dosage_text.clone(),
            explanations: explain(&m.dosage_text),
            period: match (m.period_start, m.period_end) {
                (Some(s), Some(e)) => tr.ta(
                    "period-from-to",
                    &[("from", tr.date(s)), ("to", tr.date(e))],
                ),
                (Some(s), None) => tr.t1("period-since", "from", tr.date(s)),
                (None, Some(e)) => tr.t1("period-until", "to", tr.date(e)),
                (None, None) => String::new(),
            },
            purpose: m
                .episode
                .as_ref()
                .and_then(|id| view.episode(id))
                .map(|e| episode_label(e).primary.to_owned()),
            prescriber: m
                .prescriber
                .as_ref()
                .and_then(|id| view.practitioner(id))
                .map(|p| p.name.display()),
            new: is_new(&m.meta, open.previous_visit),
            statements: statements.get(m.id.as_str()).cloned().unwrap_or_default(),
            correct: correct_link("medication", m.id.as_str()),
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "medication.html")]
struct MedicationPage {
    ctx: PageCtx,
    current: Vec<MedicationRow>,
    past: Vec<MedicationRow>,
}

async fn medication(open: OpenRecord) -> WebResult<Response> {
    let view = open.view()?;
    let ctx = open.ctx("/medicijnen").await?;
    let st = super::corrections::statements(&open).await?;
    let current = medication_rows(&open, &view, &ctx.tr, true, &st);
    let past = medication_rows(&open, &view, &ctx.tr, false, &st);
    open.audit(EventType::Read, "medication").await?;
    Ok(MedicationPage { ctx, current, past }.into_response())
}

// ---- allergies and contra-indications ----

pub struct AllergyRow {
    pub substance: String,
    pub category: String,
    pub criticality: Option<String>,
    pub status: String,
    pub since: Option<String>,
    pub reaction: Option<String>,
    pub new: bool,
    pub statements: Vec<String>,
    pub correct: String,
}

pub struct ContraRow {
    pub name: String,
    pub since: Option<String>,
    pub new: bool,
}

fn allergy_rows(
    open: &OpenRecord,
    view: &PatientView<'_>,
    tr: &Tr,
    statements: &Statements,
) -> Vec<AllergyRow> {
    view.allergies
        .iter()
        .map(|a| AllergyRow {
            statements: statements.get(a.id.as_str()).cloned().unwrap_or_default(),
            correct: correct_link("allergy", a.id.as_str()),
            substance: a
                .substance
                .display
                .clone()
                .unwrap_or_else(|| a.substance.code.clone()),
            category: tr.t(match a.category {
                AllergyCategory::Medication => "allergy-medication",
                AllergyCategory::Food => "allergy-food",
                AllergyCategory::Environment => "allergy-environment",
                AllergyCategory::Biologic => "allergy-biologic",
            }),
            criticality: a.criticality.map(|c| {
                tr.t(match c {
                    Criticality::Low => "criticality-low",
                    Criticality::High => "criticality-high",
                    Criticality::UnableToAssess => "criticality-unknown",
                })
            }),
            status: tr.t(match a.status {
                AllergyStatus::Active => "status-active",
                AllergyStatus::Inactive => "status-inactive",
                AllergyStatus::Resolved => "status-resolved",
            }),
            since: a.onset.as_ref().map(|d| tr.partial_date(d)),
            reaction: a.reaction.clone(),
            new: is_new(&a.meta, open.previous_visit),
        })
        .collect()
}

fn contra_rows(open: &OpenRecord, view: &PatientView<'_>, tr: &Tr) -> Vec<ContraRow> {
    view.contra_indications
        .iter()
        .map(|c| ContraRow {
            name: c
                .code
                .display
                .clone()
                .unwrap_or_else(|| c.code.code.clone()),
            since: c.start.as_ref().map(|d| tr.partial_date(d)),
            new: is_new(&c.meta, open.previous_visit),
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "allergies.html")]
struct AllergiesPage {
    ctx: PageCtx,
    allergies: Vec<AllergyRow>,
    contra: Vec<ContraRow>,
}

async fn allergies(open: OpenRecord) -> WebResult<Response> {
    let view = open.view()?;
    let ctx = open.ctx("/allergieen").await?;
    let st = super::corrections::statements(&open).await?;
    let allergies = allergy_rows(&open, &view, &ctx.tr, &st);
    let contra = contra_rows(&open, &view, &ctx.tr);
    open.audit(EventType::Read, "allergies").await?;
    Ok(AllergiesPage {
        ctx,
        allergies,
        contra,
    }
    .into_response())
}

// ---- results ----

pub struct ResultRow {
    pub date: String,
    pub value: String,
    pub unit: String,
    pub range: String,
    /// "Hoger dan normaal" etc.: in words, with an arrow, never colour alone.
    pub position: Option<String>,
    pub flag: &'static str,
    pub new: bool,
    pub correct: String,
}

pub struct ResultGroup {
    pub anchor: String,
    pub name: String,
    pub plain: Option<String>,
    pub rows: Vec<ResultRow>,
    pub chart: Option<Chart>,
}

pub struct HeldRow {
    /// "Er is HbA1c binnengekomen ... vanaf 30 november 2026."
    pub text: String,
}

fn position_text(tr: &Tr, p: Option<RangePosition>) -> (Option<String>, &'static str) {
    match p {
        Some(RangePosition::Above) => (Some(tr.t("result-high")), "high"),
        Some(RangePosition::Below) => (Some(tr.t("result-low")), "low"),
        Some(RangePosition::Within) => (Some(tr.t("result-normal")), "normal"),
        None => (None, ""),
    }
}

fn result_groups(open: &OpenRecord, view: &PatientView<'_>, tr: &Tr) -> Vec<ResultGroup> {
    let mut by: BTreeMap<(String, String), Vec<&inzage_domain::LabResult>> = BTreeMap::new();
    for r in &view.results {
        by.entry((r.name.clone(), r.code.as_str().to_owned()))
            .or_default()
            .push(r);
    }
    by.into_iter()
        .map(|((name, code), mut rs)| {
            rs.sort_by_key(|x| std::cmp::Reverse(x.effective));
            let rows = rs
                .iter()
                .map(|r| {
                    let line = result_line(r);
                    let (position, flag) = position_text(tr, line.position);
                    ResultRow {
                        date: tr.date(local_date(r.effective)),
                        value: line.value,
                        unit: line.unit.unwrap_or_default(),
                        range: line.range.unwrap_or_default(),
                        position,
                        flag,
                        new: is_new(&r.meta, open.previous_visit),
                        correct: correct_link("result", r.id.as_str()),
                    }
                })
                .collect();
            let points: Vec<Point> = rs
                .iter()
                .rev()
                .filter_map(|r| match &r.value {
                    ResultValue::Quantity { value, .. } => Some(Point {
                        date: local_date(r.effective),
                        value: value.to_f64(),
                    }),
                    _ => None,
                })
                .collect();
            let range = rs
                .first()
                .and_then(|r| r.reference_range.as_ref())
                .map(|rr| {
                    (
                        rr.low.as_ref().map(|d| d.to_f64()),
                        rr.high.as_ref().map(|d| d.to_f64()),
                    )
                });
            let unit = rs
                .first()
                .map(|r| result_line(r).unit.unwrap_or_default())
                .unwrap_or_default();
            ResultGroup {
                anchor: format!("test-{code}"),
                plain: Glossary::dutch().lab(&code).map(|g| g.plain.clone()),
                chart: Chart::build(&name, &unit, &points, range, tr),
                name,
                rows,
            }
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "results.html")]
struct ResultsPage {
    ctx: PageCtx,
    groups: Vec<ResultGroup>,
    held: Vec<HeldRow>,
}

fn held_rows(view: &PatientView<'_>, tr: &Tr) -> Vec<HeldRow> {
    view.held_results
        .iter()
        .map(|h| HeldRow {
            text: tr.ta(
                "held-result",
                &[
                    (
                        "name",
                        h.test_name
                            .map_or_else(|| tr.t("held-a-result"), str::to_owned),
                    ),
                    ("date", tr.date(h.available_from)),
                ],
            ),
        })
        .collect()
}

async fn results(open: OpenRecord) -> WebResult<Response> {
    let view = open.view()?;
    let ctx = open.ctx("/uitslagen").await?;
    let groups = result_groups(&open, &view, &ctx.tr);
    let held = held_rows(&view, &ctx.tr);
    open.audit(EventType::Read, "results").await?;
    Ok(ResultsPage { ctx, groups, held }.into_response())
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
    new_letters: Vec<LetterRow>,
    previous_visit: Option<String>,
}

async fn overview(open: OpenRecord) -> WebResult<Response> {
    let view = open.view()?;
    let ctx = open.ctx("/overzicht").await?;
    let tr = &ctx.tr;
    let prev = open.previous_visit;
    let st = super::corrections::statements(&open).await?;
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
    let mut latest: Vec<&inzage_domain::LabResult> = view.results.clone();
    latest.sort_by_key(|x| std::cmp::Reverse(x.effective));
    let latest_results = latest
        .iter()
        .take(5)
        .map(|r| {
            let line = result_line(r);
            let (position, flag) = position_text(tr, line.position);
            (
                line.name.clone(),
                ResultRow {
                    date: tr.date(local_date(r.effective)),
                    value: line.value,
                    unit: line.unit.unwrap_or_default(),
                    range: line.range.unwrap_or_default(),
                    position,
                    flag,
                    new: is_new(&r.meta, prev),
                    correct: correct_link("result", r.id.as_str()),
                },
            )
        })
        .collect();
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

pub struct LogRow {
    pub when: String,
    pub who: String,
    pub what: String,
    pub channel: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "log.html")]
struct LogPage {
    ctx: PageCtx,
    rows: Vec<LogRow>,
}

async fn access_log(open: OpenRecord) -> WebResult<Response> {
    // This page's own view is logged first, so it shows itself.
    open.audit(EventType::Read, "access log").await?;
    let ctx = open.ctx("/logboek").await?;
    let tr = &ctx.tr;
    let entries = open
        .state()
        .store
        .audit_for_patient(&open.record.patient.id)
        .await?;
    let rows = entries
        .iter()
        .rev()
        .map(|e| {
            let ev = &e.event;
            let local = ev.at.with_timezone(&chrono_tz::Europe::Amsterdam);
            LogRow {
                when: format!("{} {}", tr.date(local.date_naive()), local.format("%H:%M")),
                who: who_label(&open, tr, &ev.user, &ev.role),
                what: tr.t(match ev.event {
                    EventType::Create => "event-create",
                    EventType::Read => "event-read",
                    EventType::Update => "event-update",
                    EventType::Delete => "event-delete",
                    EventType::Export => "event-export",
                    EventType::Transfer => "event-transfer",
                    EventType::Search => "event-search",
                    EventType::Emergency => "event-emergency",
                    EventType::VisibilityChange => "event-visibility",
                }),
                channel: tr.t(match ev.channel {
                    inzage_store::Channel::Portal => "channel-portal",
                    inzage_store::Channel::Practice => "channel-practice",
                    inzage_store::Channel::Medmij => "channel-medmij",
                    inzage_store::Channel::Cli => "channel-system",
                }),
            }
        })
        .collect();
    Ok(LogPage { ctx, rows }.into_response())
}

fn who_label(open: &OpenRecord, tr: &Tr, user: &str, role: &str) -> String {
    // "patiënt" was written by the apps page and the activation before they used the one role.
    if role == inzage_webkit::page::PATIENT_ROLE || role == "patiënt" {
        return if user == open.login.subject && open.viewer_is_patient() {
            tr.t("who-you")
        } else {
            tr.t("who-patient")
        };
    }
    if let Some(rep) = role.strip_prefix("representative:") {
        let name = open
            .record
            .representations
            .iter()
            .find(|r| r.id.as_str() == rep)
            .map(|r| r.agent_name.display());
        return match name {
            Some(n) => tr.t1("who-representative", "name", n),
            None => tr.t("who-representative-unknown"),
        };
    }
    match role {
        "operator" | "system" => tr.t("who-system"),
        "pgo" => tr.t1(
            "who-pgo",
            "name",
            user.strip_prefix("pgo:").unwrap_or(user).to_owned(),
        ),
        other => tr.t1("who-staff", "role", other),
    }
}

impl OpenRecord {
    fn viewer_is_patient(&self) -> bool {
        matches!(self.viewer, inzage_domain::Viewer::Patient { .. })
    }
}
