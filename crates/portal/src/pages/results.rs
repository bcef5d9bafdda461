//! The results page: results per test with a trend chart and a table, and results still waiting
//! for the GP (without their value).

use super::*;

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

pub(super) fn position_text(tr: &Tr, p: Option<RangePosition>) -> (Option<String>, &'static str) {
    match p {
        Some(RangePosition::Above) => (Some(tr.t("result-high")), "high"),
        Some(RangePosition::Below) => (Some(tr.t("result-low")), "low"),
        Some(RangePosition::Within) => (Some(tr.t("result-normal")), "normal"),
        None => (None, ""),
    }
}

pub(super) fn result_groups(
    open: &OpenRecord,
    view: &PatientView<'_>,
    tr: &Tr,
) -> Vec<ResultGroup> {
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
    let groups = result_groups(&open, &view, &ctx.tr);
    let held = held_rows(&view, &ctx.tr);
    open.audit(EventType::Read, "results").await?;
    Ok(ResultsPage { ctx, groups, held }.into_response())
}
