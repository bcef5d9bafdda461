//! The person's data from every source as one record (R99, R125).
//!
//! Each source's GP data (GD 49) is read with the same FHIR import the practice side uses, so
//! the PGO understands exactly the Nictiz profiles our import does. Then the categories are
//! merged, and an item that two sources report is shown once, naming both.
//!
//! **The rule for "the same"** (R125), per category:
//! - a medicine: the same product (its first code, system and code; without a code, its name
//!   ignoring case and spacing) *and* the same dosage text. A medicine with a different dosage
//!   at two sources is shown twice, so a person sees the difference rather than one of them.
//! - an allergy: the same substance (code, or name without a code).
//! - a result: the same test (NHG-Tabel 45 code), the same moment to the minute, and the same
//!   value and unit.
//! - a problem (episode): the same ICPC code (or title without one) and the same start.
//! - a document: the same title and date.
//! - a measurement (data service 52, and the person's own): the same kind of measurement (LOINC
//!   code), the same moment to the minute, and the same values. A blood pressure the person
//!   entered and sent to their GP comes back from the GP as the same line, naming both.
//!
//! What is not the same is shown separately, each with its own source.

use crate::directory::display_name;
use chrono::{DateTime, NaiveDate, Utc};
use inzage_domain::selfmeasure::{SelfMeasurement, VitalSign};
use inzage_domain::visibility::present::{episode_label, result_line};
use inzage_domain::{Actor, AllergyStatus, Coding, PatientRecord, ResultValue};
use inzage_fhir::vitals::read_measurement;
use inzage_fhir::{map_resources, parse_document};
use inzage_store::PgoResource;
use inzage_webkit::glossary::Glossary;
use std::collections::BTreeMap;

/// One line of a category, with every source that reported it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub title: String,
    pub detail: String,
    pub date: Option<NaiveDate>,
    /// A plain-language explanation (the portal's glossary), when there is one.
    pub explanation: Option<String>,
    /// The providers, as a person reads them, in the order of their names.
    pub sources: Vec<String>,
    /// No longer current (an allergy that is inactive or resolved).
    pub inactive: bool,
    /// Where the person opens it (a document's content, fetched from its provider).
    pub link: Option<String>,
    key: String,
}

/// The person's data, merged.
#[derive(Debug, Default)]
pub struct Merged {
    pub problems: Vec<Line>,
    pub medication: Vec<Line>,
    pub allergies: Vec<Line>,
    pub results: Vec<Line>,
    pub documents: Vec<Line>,
    /// Sources whose data is kept but could not be read as a record (no Patient yet).
    pub unreadable: Vec<String>,
    /// Every test with a number, its values from all sources over time.
    pub trends: Vec<Trend>,
}

/// One test or kind of measurement over time, across sources: what a trend chart shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Trend {
    /// The test's code (NHG-Tabel 45, or LOINC for a measurement): the key of the series.
    pub code: String,
    pub title: String,
    pub unit: String,
    /// The reference range of the newest value, when it has one.
    pub range: Option<(Option<f64>, Option<f64>)>,
    pub explanation: Option<String>,
    /// Oldest first; a value two sources report is one point naming both (R125).
    pub points: Vec<TrendPoint>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TrendPoint {
    pub at: DateTime<Utc>,
    pub value: f64,
    pub sources: Vec<String>,
    key: String,
}

/// Adds one value to the trend `code`, or its source to the same value already there.
fn add_point(trends: &mut Vec<Trend>, fresh: Trend) {
    let Some(point) = fresh.points.first().cloned() else {
        return;
    };
    match trends.iter_mut().find(|t| t.code == fresh.code) {
        Some(trend) => match trend.points.iter_mut().find(|p| p.key == point.key) {
            Some(same) => {
                for s in point.sources {
                    if !same.sources.contains(&s) {
                        same.sources.push(s);
                    }
                }
            }
            None => {
                if point.at >= trend.points.iter().map(|p| p.at).max().unwrap_or(point.at) {
                    trend.range = fresh.range.or(trend.range);
                }
                trend.points.push(point);
            }
        },
        None => trends.push(fresh),
    }
}

fn sort_trends(trends: &mut [Trend]) {
    for t in trends.iter_mut() {
        t.points.sort_by_key(|p| p.at);
    }
    trends.sort_by(|a, b| a.title.cmp(&b.title));
}

fn norm(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn coding_key(c: &Coding) -> String {
    if c.code.is_empty() {
        norm(c.display.as_deref().unwrap_or_default())
    } else {
        format!("{}|{}", c.system, c.code)
    }
}

/// Adds `line` to `lines`, or its source to the line that is the same.
fn add(lines: &mut Vec<Line>, line: Line) {
    match lines.iter_mut().find(|l| l.key == line.key) {
        Some(same) => {
            for s in line.sources {
                if !same.sources.contains(&s) {
                    same.sources.push(s);
                }
            }
        }
        None => lines.push(line),
    }
}

/// The GP record one source's resources make, or `None` when they hold no Patient.
pub fn source_record(resources: &[&PgoResource], now: DateTime<Utc>) -> Option<PatientRecord> {
    let mut parsed = vec![];
    let mut seen = std::collections::BTreeSet::new();
    for r in resources {
        if !seen.insert((&r.resource_type, &r.resource_id)) {
            continue;
        }
        if let Ok(node) = parse_document(&r.body) {
            parsed.push((format!("{} {}", r.provider, r.query), node));
        }
    }
    let mut mapped = map_resources(&parsed, now, Actor::System("pgo".into()));
    if mapped.records.is_empty() {
        None
    } else {
        Some(mapped.records.remove(0))
    }
}

/// Everything kept, merged into one view, with values and explanations in `lang` (what the
/// providers wrote stays as written).
pub fn merge(resources: &[PgoResource], now: DateTime<Utc>, lang: &str) -> Merged {
    let glossary = Glossary::for_lang(lang);
    let today = inzage_domain::time::local_date(now);
    let mut by_source: BTreeMap<(&str, &str), Vec<&PgoResource>> = BTreeMap::new();
    for r in resources {
        by_source
            .entry((r.provider.as_str(), r.service.as_str()))
            .or_default()
            .push(r);
    }
    let mut m = Merged::default();
    for ((provider, service), items) in &by_source {
        let source = display_name(provider);
        if *service == "52" {
            // Measurements: see `measurement_lines`.
            continue;
        }
        if *service == "51" {
            for r in items
                .iter()
                .filter(|r| r.resource_type == "DocumentReference")
            {
                if let Some(line) = document_line(r, &source) {
                    add(&mut m.documents, line);
                }
            }
            continue;
        }
        let Some(record) = source_record(items, now) else {
            m.unreadable.push(source);
            continue;
        };
        for e in &record.episodes {
            let label = episode_label(e);
            let code = e.icpc.as_ref().map(|c| c.as_str().to_owned());
            add(
                &mut m.problems,
                Line {
                    title: label.primary.to_owned(),
                    detail: label.secondary.unwrap_or_default(),
                    date: Some(e.start.earliest()),
                    explanation: code
                        .as_deref()
                        .and_then(|c| glossary.icpc(c))
                        .map(|g| g.plain.clone()),
                    sources: vec![source.clone()],
                    inactive: false,
                    link: None,
                    key: format!(
                        "{}@{}",
                        code.unwrap_or_else(|| norm(&e.title)),
                        e.start.earliest()
                    ),
                },
            );
        }
        for med in record
            .medication
            .iter()
            .filter(|m| m.period_end.is_none_or(|end| end >= today))
        {
            let product = med
                .product
                .codes
                .first()
                .map(coding_key)
                .unwrap_or_else(|| norm(&med.product.name));
            add(
                &mut m.medication,
                Line {
                    title: med.product.name.clone(),
                    detail: med.dosage_text.clone(),
                    date: med.period_start,
                    explanation: None,
                    sources: vec![source.clone()],
                    inactive: false,
                    link: None,
                    key: format!("{product}#{}", norm(&med.dosage_text)),
                },
            );
        }
        for a in &record.allergies {
            add(
                &mut m.allergies,
                Line {
                    title: a.substance.label().to_owned(),
                    detail: a.reaction.clone().unwrap_or_default(),
                    date: a.onset.map(|o| o.earliest()),
                    explanation: None,
                    sources: vec![source.clone()],
                    inactive: a.status != AllergyStatus::Active,
                    link: None,
                    key: coding_key(&a.substance),
                },
            );
        }
        for r in &record.results {
            let line = result_line(r, lang);
            let value = match &line.unit {
                Some(u) => format!("{} {u}", line.value),
                None => line.value.clone(),
            };
            // The key that tells one value from another is the same in every language.
            let written = result_line(r, "nl");
            let key = format!(
                "{}@{}={}",
                r.code.as_str(),
                r.effective.format("%Y-%m-%dT%H:%M"),
                norm(&match &written.unit {
                    Some(u) => format!("{} {u}", written.value),
                    None => written.value,
                })
            );
            let explanation = glossary.lab(r.code.as_str()).map(|g| g.plain.clone());
            if let ResultValue::Quantity { value: number, .. } = &r.value {
                add_point(
                    &mut m.trends,
                    Trend {
                        code: r.code.as_str().to_owned(),
                        title: line.name.clone(),
                        unit: line.unit.clone().unwrap_or_default(),
                        range: r.reference_range.as_ref().map(|rr| {
                            (
                                rr.low.as_ref().map(|d| d.to_f64()),
                                rr.high.as_ref().map(|d| d.to_f64()),
                            )
                        }),
                        explanation: explanation.clone(),
                        points: vec![TrendPoint {
                            at: r.effective,
                            value: number.to_f64(),
                            sources: vec![source.clone()],
                            key: key.clone(),
                        }],
                    },
                );
            }
            add(
                &mut m.results,
                Line {
                    title: line.name.clone(),
                    detail: value.clone(),
                    date: Some(inzage_domain::time::local_date(r.effective)),
                    explanation,
                    sources: vec![source.clone()],
                    inactive: false,
                    link: None,
                    key,
                },
            );
        }
    }
    m.problems.sort_by_key(|l| std::cmp::Reverse(l.date));
    m.results
        .sort_by(|a, b| b.date.cmp(&a.date).then(a.title.cmp(&b.title)));
    m.documents.sort_by_key(|l| std::cmp::Reverse(l.date));
    sort_trends(&mut m.trends);
    m
}

/// Every measurement, fetched (data service 52) or the person's own, with its source.
fn with_sources(
    resources: &[PgoResource],
    own: &[SelfMeasurement],
    own_source: &str,
) -> Vec<(SelfMeasurement, String)> {
    let Ok(patient) = inzage_domain::PatientId::new("self") else {
        return vec![];
    };
    let fetched = resources
        .iter()
        .filter(|r| r.service == "52" && r.resource_type == "Observation")
        .filter_map(|r| {
            let node = parse_document(&r.body).ok()?;
            let m = read_measurement(&node, &r.resource_id, &patient, r.fetched_at, "").ok()?;
            Some((m, display_name(&r.provider)))
        });
    own.iter()
        .map(|m| (m.clone(), own_source.to_owned()))
        .chain(fetched)
        .collect()
}

/// "The same" measurement (R125): the same kind, minute and values.
fn measurement_key(m: &SelfMeasurement) -> String {
    let mut values: Vec<String> = m
        .values
        .iter()
        .map(|v| format!("{}={}{}", v.code.code, v.value.to_f64(), v.unit))
        .collect();
    values.sort();
    format!(
        "{}@{}={}",
        m.code.code,
        m.effective_at.format("%Y-%m-%dT%H:%M"),
        values.join(";")
    )
}

/// The measurements over time, one trend per value (a blood pressure gives two: the upper and
/// the lower pressure), across sources and the person's own. `part` names a value of a
/// measurement with more than one ("bovendruk").
pub fn measurement_trends(
    resources: &[PgoResource],
    own: &[SelfMeasurement],
    name: &dyn Fn(VitalSign) -> String,
    part: &dyn Fn(&str) -> Option<String>,
    own_source: &str,
) -> Vec<Trend> {
    let mut trends = vec![];
    for (m, source) in with_sources(resources, own, own_source) {
        let key = measurement_key(&m);
        for v in &m.values {
            let title = match (m.values.len() > 1).then(|| part(&v.code.code)).flatten() {
                Some(p) => format!("{} ({p})", name(m.kind)),
                None => name(m.kind),
            };
            add_point(
                &mut trends,
                Trend {
                    code: format!("{}:{}", m.code.code, v.code.code),
                    title,
                    unit: inzage_domain::selfmeasure::unit_for_people(&v.unit).to_owned(),
                    range: None,
                    explanation: None,
                    points: vec![TrendPoint {
                        at: m.effective_at,
                        value: v.value.to_f64(),
                        sources: vec![source.clone()],
                        key: key.clone(),
                    }],
                },
            );
        }
    }
    sort_trends(&mut trends);
    trends
}

/// A line the person added themselves (a medicine without prescription, say).
pub fn own_line(title: &str, detail: &str, date: Option<NaiveDate>, source: &str) -> Line {
    Line {
        key: format!("own:{}#{}", norm(title), norm(detail)),
        title: title.to_owned(),
        detail: detail.to_owned(),
        date,
        explanation: None,
        sources: vec![source.to_owned()],
        inactive: false,
        link: None,
    }
}

/// The measurements: fetched from data service 52 and the person's own, merged by the rule above,
/// newest first. `name` names a kind of measurement in the person's language; `own` is the
/// source name of what the person entered.
pub fn measurement_lines(
    resources: &[PgoResource],
    own: &[SelfMeasurement],
    name: &dyn Fn(VitalSign) -> String,
    own_source: &str,
) -> Vec<(DateTime<Utc>, Line)> {
    let mut lines: Vec<(DateTime<Utc>, Line)> = vec![];
    for (m, source) in with_sources(resources, own, own_source) {
        let line = Line {
            key: measurement_key(&m),
            title: name(m.kind),
            detail: m.summary(),
            date: Some(inzage_domain::time::local_date(m.effective_at)),
            explanation: m.comment.clone(),
            sources: vec![source],
            inactive: false,
            link: None,
        };
        match lines.iter_mut().find(|(_, l)| l.key == line.key) {
            Some((_, same)) => {
                for s in line.sources {
                    if !same.sources.contains(&s) {
                        same.sources.push(s);
                    }
                }
            }
            None => lines.push((m.effective_at, line)),
        }
    }
    lines.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.title.cmp(&b.1.title)));
    lines
}

fn document_line(r: &PgoResource, source: &str) -> Option<Line> {
    let doc: serde_json::Value = serde_json::from_str(&r.body).ok()?;
    // A document with content opens through `/pgo/document`, which fetches it from the source.
    let link = doc["content"][0]["attachment"]["url"].as_str().map(|_| {
        let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
        format!(
            "/pgo/document?aanbieder={}&id={}",
            enc(&r.provider),
            enc(&r.resource_id)
        )
    });
    let title = doc["description"]
        .as_str()
        .or_else(|| doc["type"]["text"].as_str())
        .or_else(|| doc["type"]["coding"][0]["display"].as_str())
        .unwrap_or("Document")
        .to_owned();
    let date = doc["created"]
        .as_str()
        .or_else(|| doc["indexed"].as_str())
        .and_then(|d| d.get(..10))
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
    Some(Line {
        key: format!("{}@{date:?}", norm(&title)),
        title,
        detail: String::new(),
        date,
        explanation: None,
        sources: vec![source.to_owned()],
        inactive: false,
        link,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn line(key: &str, source: &str) -> Line {
        Line {
            title: key.into(),
            detail: String::new(),
            date: None,
            explanation: None,
            sources: vec![source.into()],
            inactive: false,
            link: None,
            key: key.into(),
        }
    }

    #[test]
    fn r125_the_same_item_is_kept_once_with_every_source() {
        let mut lines = vec![];
        add(&mut lines, line("a", "huisarts"));
        add(&mut lines, line("a", "apotheek"));
        add(&mut lines, line("a", "huisarts"));
        add(&mut lines, line("b", "apotheek"));
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].sources, ["huisarts", "apotheek"]);
        assert_eq!(lines[1].sources, ["apotheek"]);
    }

    #[test]
    fn r125_codes_decide_before_names_and_names_ignore_case_and_spacing() {
        let coded = Coding::new(
            "urn:oid:2.16.840.1.113883.2.4.4.7",
            "2178494",
            Some("Metformine"),
        );
        let other_name = Coding::new(
            "urn:oid:2.16.840.1.113883.2.4.4.7",
            "2178494",
            Some("METFORMINE 500"),
        );
        assert_eq!(coding_key(&coded), coding_key(&other_name));
        let uncoded = Coding::new("", "", Some("  Huisstof  mijt "));
        assert_eq!(coding_key(&uncoded), "huisstof mijt");
    }
}
