//! The medication page, and the allergies and contra-indications page.

use super::*;

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

pub(super) fn medication_rows(
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
            name: inzage_domain::visibility::present::medicine_name(&m.product.name),
            dosage: m.dosage_text.clone(),
            explanations: explain(tr, &m.dosage_text),
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
pub(super) struct MedicationPage {
    pub(super) ctx: PageCtx,
    pub(super) current: Vec<MedicationRow>,
    pub(super) past: Vec<MedicationRow>,
}

pub(super) async fn medication(open: OpenRecord) -> WebResult<Response> {
    let view = open.view()?;
    let ctx = open.ctx("/medicijnen").await?;
    let st = crate::corrections::statements(&open).await?;
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

pub(super) fn allergy_rows(
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
            substance: a.substance.label().to_owned(),
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

pub(super) fn contra_rows(open: &OpenRecord, view: &PatientView<'_>, tr: &Tr) -> Vec<ContraRow> {
    view.contra_indications
        .iter()
        .map(|c| ContraRow {
            name: c.code.label().to_owned(),
            since: c.start.as_ref().map(|d| tr.partial_date(d)),
            new: is_new(&c.meta, open.previous_visit),
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "allergies.html")]
pub(super) struct AllergiesPage {
    pub(super) ctx: PageCtx,
    pub(super) allergies: Vec<AllergyRow>,
    pub(super) contra: Vec<ContraRow>,
}

pub(super) async fn allergies(open: OpenRecord) -> WebResult<Response> {
    let view = open.view()?;
    let ctx = open.ctx("/allergieen").await?;
    let st = crate::corrections::statements(&open).await?;
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
