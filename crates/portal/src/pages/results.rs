//! The results page: results per test with a trend chart and a table, and results still waiting
//! for the GP (without their value).

use super::*;

// ---- results ----

#[derive(Clone)]
pub struct ResultRow {
    pub date: String,
    /// When it was measured (for ordering; the page shows `date`).
    pub at: DateTime<Utc>,
    pub value: String,
    pub unit: String,
    pub range: String,
    /// "Hoger dan normaal" etc.: in words, with an arrow, never colour alone.
    pub position: Option<String>,
    pub flag: &'static str,
    pub new: bool,
    pub correct: String,
    /// The GP's word for the patient with this result, when they wrote one.
    pub comment: Option<String>,
}

pub struct ResultGroup {
    pub anchor: String,
    pub name: String,
    /// The name is the lab's Dutch test name (marked `lang="nl"`), not a translated text.
    pub dutch_name: bool,
    /// The test's name in the reader's language, when that is not Dutch.
    pub name_in_lang: Option<String>,
    pub plain: Option<String>,
    /// Newest first.
    pub rows: Vec<ResultRow>,
    pub chart: Option<Chart>,
}

pub struct HeldRow {
    /// "Er is HbA1c binnengekomen ... vanaf 30 november 2026."
    pub text: String,
}

pub(super) fn position_text(tr: &Tr, p: Option<RangePosition>) -> (Option<String>, &'static str) {
    match p {
        Some(RangePosition::Above) => (Some(tr.t("result-high")), "high"),
        Some(RangePosition::Below) => (Some(tr.t("result-low")), "low"),
        Some(RangePosition::Within) => (Some(tr.t("result-normal")), "normal"),
        None => (None, ""),
    }
}

fn result_row(open: &OpenRecord, tr: &Tr, line: ResultLine, r: &LabResult) -> ResultRow {
    let (position, flag) = position_text(tr, line.position);
    ResultRow {
        date: tr.date(local_date(r.effective)),
        at: r.effective,
        value: line.value,
        unit: line.unit.unwrap_or_default(),
        range: line.range.unwrap_or_default(),
        position,
        flag,
        new: is_new(&r.meta, open.previous_visit),
        correct: correct_link("result", r.id.as_str()),
        comment: r.patient_comment.clone(),
    }
}

fn point(r: &LabResult) -> Option<Point> {
    match &r.value {
        ResultValue::Quantity { value, .. } => Some(Point {
            date: local_date(r.effective),
            value: value.to_f64(),
        }),
        _ => None,
    }
}

/// The results per test, alphabetically; a blood pressure's two numbers are one reading
/// ("133/92 mm Hg") in one group, with both lines in its chart.
/// `charts`: draw each group's trend chart (the results page) or not (the overview, which
/// shows only the newest values).
pub(super) fn result_groups(
    open: &OpenRecord,
    view: &PatientView<'_>,
    tr: &Tr,
    charts: bool,
) -> Vec<ResultGroup> {
    let lang = tr.code();
    let (pressures, rest) = pair_blood_pressures(&view.results);
    let mut groups = vec![];
    for home in [false, true] {
        let mut ps: Vec<&BloodPressure<'_>> =
            pressures.iter().filter(|p| p.at_home() == home).collect();
        if ps.is_empty() {
            continue;
        }
        ps.sort_by_key(|p| std::cmp::Reverse(p.upper.effective));
        let rows: Vec<ResultRow> = ps
            .iter()
            .map(|p| result_row(open, tr, p.line(lang), p.upper))
            .collect();
        let upper: Vec<Point> = ps.iter().rev().filter_map(|p| point(p.upper)).collect();
        let lower: Vec<Point> = ps.iter().rev().filter_map(|p| point(p.lower)).collect();
        let name = tr.t(if home { "bp-home-name" } else { "bp-name" });
        let unit = rows.first().map(|r| r.unit.clone()).unwrap_or_default();
        groups.push(ResultGroup {
            anchor: if home {
                "test-bloeddruk-thuis"
            } else {
                "test-bloeddruk"
            }
            .into(),
            plain: Some(tr.t("bp-explain")),
            dutch_name: false,
            name_in_lang: None,
            chart: charts
                .then(|| Chart::pair(&name, &unit, &upper, &lower, tr))
                .flatten(),
            name,
            rows,
        });
    }
    let mut by: BTreeMap<(String, String), Vec<&LabResult>> = BTreeMap::new();
    for r in rest {
        by.entry((r.name.clone(), r.code.as_str().to_owned()))
            .or_default()
            .push(r);
    }
    for ((name, code), mut rs) in by {
        rs.sort_by_key(|x| std::cmp::Reverse(x.effective));
        let rows: Vec<ResultRow> = rs
            .iter()
            .map(|r| result_row(open, tr, result_line(r, lang), r))
            .collect();
        let points: Vec<Point> = rs.iter().rev().filter_map(|r| point(r)).collect();
        let range = rs
            .first()
            .and_then(|r| r.reference_range.as_ref())
            .map(|rr| {
                (
                    rr.low.as_ref().map(|d| d.to_f64()),
                    rr.high.as_ref().map(|d| d.to_f64()),
                )
            });
        let unit = rows.first().map(|r| r.unit.clone()).unwrap_or_default();
        groups.push(ResultGroup {
            anchor: format!("test-{code}"),
            plain: Glossary::for_lang(tr.code())
                .lab(&code)
                .map(|g| g.plain.clone()),
            name_in_lang: Glossary::for_lang(tr.code())
                .lab(&code)
                .filter(|_| !tr.is_dutch())
                .map(|g| g.name.clone()),
            dutch_name: true,
            chart: charts
                .then(|| Chart::build(&name, &unit, &points, range, tr))
                .flatten(),
            name,
            rows,
        });
    }
    groups.sort_by_key(|g| g.name.to_lowercase());
    groups
}

/// "Laatste uitslagen": the newest value of each test (a blood pressure as one reading), the
/// most recently measured tests first.
pub(super) fn latest_per_test(groups: Vec<ResultGroup>, n: usize) -> Vec<(String, ResultRow)> {
    let mut latest: Vec<(String, ResultRow)> = groups
        .into_iter()
        .filter_map(|g| {
            let name = g.name;
            g.rows.into_iter().next().map(|r| (name, r))
        })
        .collect();
    latest.sort_by_key(|(name, r)| (std::cmp::Reverse(r.at), name.to_lowercase()));
    latest.truncate(n);
    latest
}

#[derive(Template, WebTemplate)]
#[template(path = "results.html")]
pub(super) struct ResultsPage {
    pub(super) ctx: PageCtx,
    pub(super) groups: Vec<ResultGroup>,
    pub(super) held: Vec<HeldRow>,
}

pub(super) fn held_rows(view: &PatientView<'_>, tr: &Tr) -> Vec<HeldRow> {
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

pub(super) async fn results(open: OpenRecord) -> WebResult<Response> {
    let view = open.view()?;
    let ctx = open.ctx("/uitslagen").await?;
    let groups = result_groups(&open, &view, &ctx.tr, true);
    let held = held_rows(&view, &ctx.tr);
    open.audit(EventType::Read, "results").await?;
    Ok(ResultsPage { ctx, groups, held }.into_response())
}
