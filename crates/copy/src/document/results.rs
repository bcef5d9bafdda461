//! The sections about measurements: results per test with a trend chart and a table, treatments
//! and prevention.

use super::*;

/// At most this many values in a trend chart.
pub(super) const CHART_POINTS: usize = 60;

pub(super) fn results(flow: &mut Flow, copy: &Copy<'_>) {
    flow.section(&copy.w.t("pdf-results"));
    let view = &copy.view;
    if view.results.is_empty() && view.held_results.is_empty() {
        return empty(flow, &copy.w.t("pdf-no-results"));
    }
    if !view.held_results.is_empty() {
        flow.heading(&copy.w.t("pdf-held"), 20.0);
        for h in &view.held_results {
            flow.text(
                &copy.w.ta(
                    "pdf-held-result",
                    &[
                        (
                            "name",
                            h.test_name
                                .map_or_else(|| copy.w.t("pdf-result"), str::to_owned),
                        ),
                        (
                            "date",
                            copy.w.long(inzage_domain::time::local_date(h.effective)),
                        ),
                        ("from", copy.w.long(h.available_from)),
                    ],
                ),
                9.5,
                Style::Regular,
                BLACK,
                0.0,
            );
        }
    }
    // One group per test, by name; groups alphabetically, newest value first in the table.
    let mut groups: BTreeMap<String, Vec<&LabResult>> = BTreeMap::new();
    for r in &view.results {
        groups.entry(r.name.clone()).or_default().push(r);
    }
    for (name, mut list) in groups {
        list.sort_by_key(|r| std::cmp::Reverse(r.effective));
        let unit = list
            .iter()
            .find_map(|r| present::result_line(r, copy.w.code()).unit);
        let title = match &unit {
            Some(u) => format!("{name} ({u})"),
            None => name.clone(),
        };
        flow.heading(&title, 60.0);
        // The trend of the latest values (older ones are in the table below it).
        let charted = &list[..list.len().min(CHART_POINTS)];
        let numeric: Vec<(f64, f64)> = charted
            .iter()
            .rev()
            .filter_map(|r| match &r.value {
                ResultValue::Quantity { value, .. } => value
                    .as_str()
                    .parse::<f64>()
                    .ok()
                    .map(|v| (r.effective.timestamp() as f64, v)),
                _ => None,
            })
            .collect();
        if numeric.len() >= 3 {
            let range = list
                .iter()
                .find_map(|r| r.reference_range.as_ref())
                .map(|rr| {
                    (
                        rr.low.as_ref().and_then(|d| d.as_str().parse().ok()),
                        rr.high.as_ref().and_then(|d| d.as_str().parse().ok()),
                    )
                })
                .unwrap_or((None, None));
            let (min, max) = numeric
                .iter()
                .fold((f64::MAX, f64::MIN), |(l, h), p| (l.min(p.1), h.max(p.1)));
            let first = charted
                .last()
                .map(|r| local(r.effective))
                .unwrap_or_default();
            let last = charted
                .first()
                .map(|r| local(r.effective))
                .unwrap_or_default();
            if list.len() > CHART_POINTS {
                flow.text(
                    &copy
                        .w
                        .ta("pdf-chart-latest", &[("count", CHART_POINTS.to_string())]),
                    8.0,
                    Style::Regular,
                    GREY,
                    0.0,
                );
            }
            let in_unit = |v: f64| match &unit {
                Some(u) => format!("{} {u}", copy.w.number(v)),
                None => copy.w.number(v),
            };
            let alt = copy.w.ta(
                "pdf-chart-alt",
                &[
                    ("name", name.clone()),
                    ("count", numeric.len().to_string()),
                    ("from", first.clone()),
                    ("to", last.clone()),
                    ("low", in_unit(min)),
                    ("high", in_unit(max)),
                ],
            );
            flow.chart(
                &numeric,
                range,
                [
                    format!("max {}", copy.w.number(max)),
                    format!("min {}", copy.w.number(min)),
                    first,
                    last,
                ],
                alt,
            );
        }
        let mut legend: Vec<String> = vec![];
        let rows: Vec<(Vec<String>, bool)> = list
            .iter()
            .map(|r| {
                let line = present::result_line(r, copy.w.code());
                let (first, marked) = with_mark(
                    copy,
                    &mut legend,
                    ItemKind::Result,
                    r.id.as_str(),
                    local(r.effective),
                );
                (
                    vec![
                        first,
                        line.value,
                        line.unit.unwrap_or_default(),
                        line.range.unwrap_or_default(),
                        match line.position {
                            Some(RangePosition::Below) => copy.w.t("pdf-below"),
                            Some(RangePosition::Above) => copy.w.t("pdf-above"),
                            Some(RangePosition::Within) => copy.w.t("pdf-within"),
                            None => String::new(),
                        },
                    ],
                    marked,
                )
            })
            .collect();
        print_legend(flow, copy, &legend);
        flow.table(
            &[
                Column {
                    title: &copy.w.t("pdf-col-date"),
                    share: 2.6,
                },
                Column {
                    title: &copy.w.t("pdf-col-result"),
                    share: 2.0,
                },
                Column {
                    title: &copy.w.t("pdf-col-unit"),
                    share: 1.4,
                },
                Column {
                    title: &copy.w.t("pdf-col-normal"),
                    share: 1.8,
                },
                Column {
                    title: &copy.w.t("pdf-col-compared"),
                    share: 1.6,
                },
            ],
            &rows,
        );
        // The GP's word for the patient, under the table (the portal shows it with the value).
        for r in &list {
            if let Some(c) = &r.patient_comment {
                flow.text(
                    &copy.w.ta(
                        "pdf-gp-comment",
                        &[("date", local(r.effective)), ("text", c.clone())],
                    ),
                    9.0,
                    Style::Regular,
                    BLACK,
                    0.0,
                );
            }
        }
    }
}

pub(super) fn treatments(flow: &mut Flow, copy: &Copy<'_>) {
    flow.section(&copy.w.t("pdf-treatments"));
    let mut legend: Vec<String> = vec![];
    let mut rows: Vec<(Vec<String>, bool)> = vec![];
    for t in &copy.view.treatments {
        let (first, marked) = with_mark(
            copy,
            &mut legend,
            ItemKind::Treatment,
            t.id.as_str(),
            t.description.clone(),
        );
        rows.push((
            vec![first, copy.w.t("pdf-treatment"), partial(&t.date)],
            marked,
        ));
    }
    for p in &copy.view.prophylaxis {
        let (first, marked) = with_mark(
            copy,
            &mut legend,
            ItemKind::Prophylaxis,
            p.id.as_str(),
            p.description.clone(),
        );
        rows.push((
            vec![first, copy.w.t("pdf-prevention"), partial(&p.date)],
            marked,
        ));
    }
    print_legend(flow, copy, &legend);
    flow.table(
        &[
            Column {
                title: &copy.w.t("pdf-col-description"),
                share: 5.0,
            },
            Column {
                title: &copy.w.t("pdf-col-kind"),
                share: 1.6,
            },
            Column {
                title: &copy.w.t("pdf-col-date"),
                share: 1.4,
            },
        ],
        &rows,
    );
}
