//! What a search answers: the patient's visible resources of one type, filtered by the search
//! parameters, a page of them (`_count`, `_offset`) and what `_include` adds.

use super::*;
use inzage_fhir::export::{Frame, Json, JsonTree};

/// A search parameter's token value `system|code` (either part may be empty).
pub(crate) fn token_matches<T: JsonTree>(param: &str, codings: &T) -> bool {
    let (system, code) = param.split_once('|').unwrap_or(("", param));
    fn text<'t, T: JsonTree>(c: &'t T, key: &str) -> Option<&'t str> {
        c.member(key).and_then(T::text)
    }
    codings.elements().iter().any(|c| {
        (system.is_empty() || text(c, "system") == Some(system))
            && (code.is_empty() || text(c, "code") == Some(code))
    })
}

/// A date search value with its prefix: `ge2026-01-01` and the like.
pub(crate) fn date_filter(value: &str) -> Result<(&str, NaiveDate), Outcome> {
    let (prefix, date) = match value.get(..2) {
        Some(p @ ("ge" | "gt" | "le" | "lt" | "eq")) => (p, &value[2..]),
        _ => ("eq", value),
    };
    let day = date.get(..10).unwrap_or(date);
    NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .map(|d| (prefix, d))
        .map_err(|_| {
            Outcome::new(
                StatusCode::BAD_REQUEST,
                "invalid",
                format!("not a date search value: {value}"),
            )
        })
}

pub(crate) fn compare(prefix: &str, actual: NaiveDate, wanted: NaiveDate) -> bool {
    match prefix {
        "ge" => actual >= wanted,
        "gt" => actual > wanted,
        "le" => actual <= wanted,
        "lt" => actual < wanted,
        _ => actual == wanted,
    }
}

pub(crate) fn date_of<T: JsonTree>(v: &T) -> Option<NaiveDate> {
    v.text()
        .and_then(|s| s.get(..10))
        .and_then(|s| s.parse::<NaiveDate>().ok())
}

/// The patient's visible resources of one type. A search of Observation answers the results
/// (gp-LaboratoryResult, gp-DiagnosticResult); a read also finds the journal lines
/// (gp-JournalEntry) that the contact reports point at.
pub(super) fn of_type<'a>(ty: &str, res: &'a GpResources, read: bool) -> Option<Vec<&'a Json>> {
    Some(match ty {
        "Patient" => vec![&res.patient],
        "Practitioner" => res.practitioners.iter().collect(),
        "Organization" => vec![&res.organization],
        "EpisodeOfCare" => res.episodes.iter().collect(),
        "Condition" => res.conditions.iter().collect(),
        "Flag" => res.flags.iter().collect(),
        "Encounter" => res.encounters.iter().collect(),
        "Composition" => res.compositions.iter().collect(),
        "Observation" if read => res.results.iter().chain(&res.journal).collect(),
        "Observation" => res.results.iter().collect(),
        "MedicationRequest" => res.medication_requests.iter().collect(),
        "Medication" => res.medications.iter().collect(),
        "AllergyIntolerance" => res.allergies.iter().collect(),
        "DocumentReference" => res.documents.iter().collect(),
        _ => return None,
    })
}

/// The groups of resources that hold a type (only what is asked for is built).
pub(super) fn groups_of(ty: &str, read: bool) -> &'static [Group] {
    match ty {
        // A practitioner is any one the visible items refer to.
        "Practitioner" => &Group::ALL,
        "Patient" | "Organization" => &[],
        "EpisodeOfCare" | "Condition" | "Flag" => &[Group::Episodes],
        "Encounter" => &[Group::Encounters],
        "Composition" => &[Group::Compositions],
        "Observation" if read => &[Group::Results, Group::Journal],
        "Observation" => &[Group::Results],
        "MedicationRequest" | "Medication" => &[Group::Medication],
        "AllergyIntolerance" => &[Group::Allergies],
        "DocumentReference" | "Binary" => &[Group::Documents],
        _ => &Group::ALL,
    }
}

/// What a search or read of `ty` answers with beside its groups: the patient, the
/// organization, the practitioners (and the patient's GP, for `_include` among `params`).
pub(super) fn frame_of(ty: &str, params: &[(String, String)]) -> Frame {
    let gp_included = ty == "Patient"
        && params
            .iter()
            .any(|(k, v)| k == "_include" && v == "Patient:general-practitioner");
    Frame {
        patient: ty == "Patient",
        organization: ty == "Organization",
        practitioners: ty == "Practitioner" || gp_included,
    }
}

pub(super) fn unsupported_type(ty: &str) -> Outcome {
    Outcome::new(
        StatusCode::NOT_FOUND,
        "not-supported",
        format!("resource type {ty} is not supported by this service"),
    )
}

/// The matches of one search over the patient's visible resources, in the record's order.
pub(super) fn matching<'a>(
    ty: &str,
    params: &[(String, String)],
    res: &'a GpResources,
) -> Result<Vec<&'a Json>, Outcome> {
    let mut matches = of_type(ty, res, false).ok_or_else(|| unsupported_type(ty))?;
    for (key, value) in params {
        match (ty, key.as_str()) {
            (_, "_include" | "_format" | "_count" | "_offset" | "patient" | "subject") => {}
            ("Composition", "type") => {
                matches.retain(|r| token_matches(value, &r["type"]["coding"]))
            }
            ("Observation", "code") => {
                matches.retain(|r| token_matches(value, &r["code"]["coding"]))
            }
            ("Observation", "date") => {
                let (prefix, day) = date_filter(value)?;
                matches.retain(|r| {
                    date_of(&r["effectiveDateTime"]).is_some_and(|d| compare(prefix, d, day))
                });
            }
            ("MedicationRequest", "category") => {
                matches.retain(|r| token_matches(value, &r["category"]["coding"]))
            }
            ("MedicationRequest", "periodofuse") => {
                let (prefix, day) = date_filter(value)?;
                matches.retain(|r| {
                    let period = r["extension"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .find(|e| e["url"] == "http://nictiz.nl/fhir/StructureDefinition/zib-Medication-PeriodOfUse");
                    // Without an end, use goes on: it overlaps every later date.
                    match period.and_then(|p| date_of(&p["valuePeriod"]["end"])) {
                        None => true,
                        Some(end) => match prefix {
                            "ge" | "gt" => compare(prefix, end, day),
                            _ => true,
                        },
                    }
                })
            }
            ("DocumentReference", "status") => matches.retain(|r| r["status"] == value.as_str()),
            ("DocumentReference", "indexed") => {
                let (prefix, day) = date_filter(value)?;
                matches.retain(|r| date_of(&r["indexed"]).is_some_and(|d| compare(prefix, d, day)));
            }
            ("AllergyIntolerance", "category") => matches.retain(|r| {
                r["category"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|c| c == value)
            }),
            _ => {
                return Err(Outcome::new(
                    StatusCode::BAD_REQUEST,
                    "not-supported",
                    format!("search parameter {key} is not supported for {ty}"),
                ));
            }
        }
    }
    Ok(matches)
}

/// What the `_include` parameters add to a page of matches.
pub(super) fn included<'a>(
    ty: &str,
    params: &[(String, String)],
    page: &[&'a Json],
    res: &'a GpResources,
) -> Result<Vec<&'a Json>, Outcome> {
    let includes = params
        .iter()
        .filter(|(k, _)| k == "_include")
        .map(|(_, v)| v.as_str());
    let mut included: Vec<&Json> = vec![];
    for inc in includes {
        match inc {
            "Patient:general-practitioner" if ty == "Patient" => {
                let id = res.patient["generalPractitioner"][0]["reference"]
                    .as_str()
                    .and_then(|r| r.strip_prefix("Practitioner/"));
                included.extend(
                    res.practitioners
                        .iter()
                        .filter(|p| Some(p["id"].as_str().unwrap_or_default()) == id),
                );
            }
            "MedicationRequest:medication" if ty == "MedicationRequest" => {
                for m in page {
                    let id = m["medicationReference"]["reference"]
                        .as_str()
                        .and_then(|r| r.strip_prefix("Medication/"));
                    included.extend(
                        res.medications
                            .iter()
                            .filter(|x| {
                                Some(x["id"].as_str().unwrap_or_default()) == id
                                    && !included.iter().any(|y| y["id"] == x["id"])
                            })
                            .collect::<Vec<_>>(),
                    );
                }
            }
            // Nothing in our record is linked this way (yet): nothing to include.
            "Observation:related-target" | "Observation:specimen" if ty == "Observation" => {}
            _ => {
                return Err(Outcome::new(
                    StatusCode::BAD_REQUEST,
                    "not-supported",
                    format!("_include={inc} is not supported for {ty}"),
                ));
            }
        }
    }
    Ok(included)
}

/// The largest page a search answers with; a larger `_count` gets this many.
pub(crate) const MAX_COUNT: usize = 1000;

/// `_count` and `_offset` of a search: which page of the matches to answer with. Without
/// `_count` every match is on one page.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Paging {
    pub(crate) count: Option<usize>,
    pub(crate) offset: usize,
}

impl Paging {
    pub(crate) fn of(params: &[(String, String)]) -> Result<Self, Outcome> {
        let number = |name: &str| -> Result<Option<usize>, Outcome> {
            params
                .iter()
                .rfind(|(k, _)| k == name)
                .map(|(_, v)| {
                    v.trim().parse::<usize>().map_err(|_| {
                        Outcome::new(
                            StatusCode::BAD_REQUEST,
                            "invalid",
                            format!("{name} must be a whole number of 0 or more"),
                        )
                    })
                })
                .transpose()
        };
        Ok(Self {
            count: number("_count")?.map(|c| c.min(MAX_COUNT)),
            offset: number("_offset")?.unwrap_or(0),
        })
    }

    /// The `first`, `previous`, `next` and `last` links of a paged answer: the same search
    /// (`params` without paging) at another offset.
    pub(crate) fn links(
        &self,
        total: usize,
        at: &str,
        params: &[(String, String)],
    ) -> Vec<(&'static str, String)> {
        let Some(count) = self.count.filter(|c| *c > 0) else {
            return vec![];
        };
        let link = |offset: usize| {
            let mut p: Vec<(String, String)> = params
                .iter()
                .filter(|(k, _)| k != "_count" && k != "_offset")
                .cloned()
                .collect();
            p.push(("_count".into(), count.to_string()));
            p.push(("_offset".into(), offset.to_string()));
            format!(
                "{at}?{}",
                serde_urlencoded::to_string(&p).unwrap_or_default()
            )
        };
        let last = total.saturating_sub(1) / count * count;
        let mut out = vec![("first", link(0))];
        if self.offset > 0 {
            out.push((
                "previous",
                link(self.offset.saturating_sub(count).min(last)),
            ));
        }
        if self.offset + count < total {
            out.push(("next", link(self.offset + count)));
        }
        out.push(("last", link(last)));
        out
    }

    pub(crate) fn page<'a, 'b, T>(&self, matches: &'b [&'a T]) -> &'b [&'a T] {
        let from = self.offset.min(matches.len());
        let to = self
            .count
            .map_or(matches.len(), |c| from.saturating_add(c).min(matches.len()));
        &matches[from..to]
    }
}
