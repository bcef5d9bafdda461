//! The sections about measurements: results per test with a trend chart and a table, treatments
//! and prevention.

use super::*;

/// At most this many values in a trend chart.
pub(super) const CHART_POINTS: usize = 60;

pub(super) fn results(flow: &mut Flow, copy: &Copy<'_>) {
    flow.section("Uitslagen");
    let view = &copy.view;
    if view.results.is_empty() && view.held_results.is_empty() {
        return empty(flow, "Er staan geen uitslagen in deze kopie.");
    }
    if !view.held_results.is_empty() {
        flow.heading("Nog niet te zien", 20.0);
        for h in &view.held_results {
            flow.text(
                &format!(
                    "{} van {}: de uitslag is binnen en is te zien vanaf {}.",
                    h.test_name.unwrap_or("Uitslag"),
                    long(inzage_domain::time::local_date(h.effective)),
                    long(h.available_from)
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
        let unit = list.iter().find_map(|r| present::result_line(r, "nl").unit);
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
                    &format!("Grafiek van de laatste {CHART_POINTS} uitslagen; alle uitslagen staan in de tabel."),
                    8.0,
                    Style::Regular,
                    GREY,
                    0.0,
                );
            }
            let alt = format!(
                "Grafiek van {name}: {} uitslagen van {first} tot en met {last}, de laagste {}, \
                 de hoogste {}{}. Elke uitslag staat ook in de tabel hieronder.",
                numeric.len(),
                present::decimal_f64("nl", min),
                present::decimal_f64("nl", max),
                unit.as_ref().map(|u| format!(" {u}")).unwrap_or_default(),
            );
            flow.chart(
                &numeric,
                range,
                [
                    format!("max {}", present::decimal_f64("nl", max)),
                    format!("min {}", present::decimal_f64("nl", min)),
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
                let line = present::result_line(r, "nl");
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
                            Some(RangePosition::Below) => "lager dan normaal",
                            Some(RangePosition::Above) => "hoger dan normaal",
                            Some(RangePosition::Within) => "normaal",
                            None => "",
                        }
                        .into(),
                    ],
                    marked,
                )
            })
            .collect();
        print_legend(flow, &legend);
        flow.table(
            &[
                Column {
                    title: "Datum",
                    share: 2.6,
                },
                Column {
                    title: "Uitslag",
                    share: 2.0,
                },
                Column {
                    title: "Eenheid",
                    share: 1.4,
                },
                Column {
                    title: "Normaal",
                    share: 1.8,
                },
                Column {
                    title: "Vergeleken met normaal",
                    share: 1.6,
                },
            ],
            &rows,
        );
        // The GP's word for the patient, under the table (the portal shows it with the value).
        for r in &list {
            if let Some(c) = &r.patient_comment {
                flow.text(
                    &format!(
                        "Toelichting van uw huisarts bij de uitslag van {}: {c}",
                        local(r.effective)
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
    flow.section("Behandelingen en preventie");
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
        rows.push((vec![first, "Behandeling".into(), partial(&t.date)], marked));
    }
    for p in &copy.view.prophylaxis {
        let (first, marked) = with_mark(
            copy,
            &mut legend,
            ItemKind::Prophylaxis,
            p.id.as_str(),
            p.description.clone(),
        );
        rows.push((vec![first, "Preventie".into(), partial(&p.date)], marked));
    }
    print_legend(flow, &legend);
    flow.table(
        &[
            Column {
                title: "Omschrijving",
                share: 5.0,
            },
            Column {
                title: "Soort",
                share: 1.6,
            },
            Column {
                title: "Datum",
                share: 1.4,
            },
        ],
        &rows,
    );
}
