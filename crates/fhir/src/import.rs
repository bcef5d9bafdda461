//! Mapping FHIR STU3 resources (Nictiz zib2017 / gp-* profiles) to patient records.
//!
//! [`map_resources`] takes every resource of one import (files and Bundles already expanded) and
//! returns one [`PatientRecord`] per Patient resource, plus issues naming file, resource and field.
//! A resource that cannot be mapped is left out whole (an error); a reference that points at
//! nothing is dropped from the item that holds it (a warning), so every record it returns passes
//! `validate_record`.

use crate::node::Node;
use chrono::{DateTime, NaiveDate, Utc};
use inzage_domain::codes::system;
use inzage_domain::time::start_of_local_day;
use inzage_domain::*;
use std::collections::{BTreeMap, HashMap, HashSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// The resource was not imported.
    Error,
    /// The resource was imported, with something left out (named in the message).
    Warning,
}

/// One problem found during import. Carries ids and field names, never medical content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportIssue {
    pub severity: Severity,
    pub file: String,
    /// `Type/id` of the resource, or the type alone when it has no id.
    pub resource: String,
    pub field: Option<String>,
    pub message: String,
}

impl std::fmt::Display for ImportIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{sev}: ")?;
        if !self.file.is_empty() {
            write!(f, "{}: ", self.file)?;
        }
        write!(f, "{}", self.resource)?;
        if let Some(field) = &self.field {
            write!(f, " ({field})")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// The result of mapping one import.
#[derive(Debug, Default)]
pub struct Mapped {
    pub records: Vec<PatientRecord>,
    pub issues: Vec<ImportIssue>,
    /// Resources read, by type.
    pub read: BTreeMap<String, usize>,
    /// Compositions are views of contacts and journal lines; they are recognised and not stored.
    pub derived: usize,
}

type Fail = (Option<&'static str>, String);

fn fail<T>(field: &'static str, msg: impl Into<String>) -> Result<T, Fail> {
    Err((Some(field), msg.into()))
}

/// The id part of a reference of the given type (`Patient/x`, or an absolute URL ending in it).
fn ref_id(node: Option<&Node>, ty: &str) -> Option<String> {
    let r = node?.str("reference")?;
    let mut parts = r.rsplit('/');
    let id = parts.next()?;
    let t = parts.next()?;
    (t == ty && !id.is_empty()).then(|| id.to_owned())
}

fn coding(n: &Node) -> Option<Coding> {
    Some(Coding {
        system: n.str("system")?.to_owned(),
        code: n.str("code")?.to_owned(),
        display: n.str("display").map(str::to_owned),
    })
}

fn codings(cc: Option<&Node>) -> Vec<Coding> {
    cc.map(|c| c.children("coding").filter_map(coding).collect())
        .unwrap_or_default()
}

/// A CodeableConcept with its text; `None` when it has neither codes nor text.
fn coded_text(cc: Option<&Node>) -> Option<CodedText> {
    let cc = cc?;
    let codes = codings(Some(cc));
    let text = cc.str("text").map(str::to_owned);
    (!codes.is_empty() || text.is_some()).then_some(CodedText { codes, text })
}

/// The business identifiers of a resource (never a BSN).
fn identifiers(n: &Node) -> Vec<Coding> {
    n.children("identifier")
        .filter_map(|i| {
            let system = i.str("system")?;
            let value = i.str("value")?;
            (system != system::BSN).then(|| Coding::new(system, value, None))
        })
        .collect()
}

/// The structured parts of a `dosageInstruction` (zib InstructionsForUse).
fn dosage(d: Option<&Node>) -> Result<Dosage, Fail> {
    let Some(d) = d else {
        return Ok(Dosage::default());
    };
    let timing = match d.at(&["timing", "repeat"]) {
        None => None,
        Some(r) => {
            let frequency = r
                .str("frequency")
                .map(|f| f.parse::<u32>())
                .transpose()
                .map_err(|_| {
                    (
                        Some("dosageInstruction.timing.repeat.frequency"),
                        "not a count".to_owned(),
                    )
                })?;
            let period = r
                .str("period")
                .map(Decimal::parse)
                .transpose()
                .map_err(|e| {
                    (
                        Some("dosageInstruction.timing.repeat.period"),
                        e.to_string(),
                    )
                })?;
            let period_unit = r
                .str("periodUnit")
                .map(|u| {
                    TimeUnit::parse(u).ok_or((
                        Some("dosageInstruction.timing.repeat.periodUnit"),
                        format!("unknown unit of time {u:?}"),
                    ))
                })
                .transpose()?;
            (frequency.is_some() || period.is_some() || period_unit.is_some()).then_some(
                DoseTiming {
                    frequency,
                    period,
                    period_unit,
                },
            )
        }
    };
    let dose = d
        .child("doseQuantity")
        .map(|q| -> Result<DoseQuantity, Fail> {
            let value = q.str("value").ok_or((
                Some("dosageInstruction.doseQuantity.value"),
                "missing".to_owned(),
            ))?;
            Ok(DoseQuantity {
                value: Decimal::parse(value)
                    .map_err(|e| (Some("dosageInstruction.doseQuantity.value"), e.to_string()))?,
                unit: q.str("unit").map(str::to_owned),
                system: q.str("system").map(str::to_owned),
                code: q.str("code").map(str::to_owned),
            })
        })
        .transpose()?;
    let as_needed = match (
        coded_text(d.child("asNeededCodeableConcept")),
        d.str("asNeededBoolean"),
    ) {
        (Some(c), _) => Some(AsNeeded::When(c)),
        (None, Some("true")) => Some(AsNeeded::Yes),
        _ => None,
    };
    Ok(Dosage {
        timing,
        dose,
        as_needed,
        additional: d
            .children("additionalInstruction")
            .filter_map(|a| coded_text(Some(a)))
            .collect(),
    })
}

fn coding_in(cc: Option<&Node>, sys: &str) -> Option<Coding> {
    codings(cc).into_iter().find(|c| c.system == sys)
}

fn partial(s: Option<&str>, field: &'static str) -> Result<Option<PartialDate>, Fail> {
    s.map(|s| PartialDate::parse(s).map_err(|e| (Some(field), e.to_string())))
        .transpose()
}

fn date(s: Option<&str>, field: &'static str) -> Result<Option<NaiveDate>, Fail> {
    Ok(partial(s, field)?.map(|p| p.earliest()))
}

/// A FHIR date or dateTime as an instant; a bare date means the start of that Dutch day.
fn instant(s: Option<&str>, field: &'static str) -> Result<Option<DateTime<Utc>>, Fail> {
    let Some(s) = s else { return Ok(None) };
    if s.contains('T') {
        DateTime::parse_from_rfc3339(s)
            .map(|t| Some(t.with_timezone(&Utc)))
            .map_err(|e| (Some(field), format!("invalid dateTime: {e}")))
    } else {
        Ok(partial(Some(s), field)?.map(|p| start_of_local_day(p.earliest())))
    }
}

fn name(n: Option<&Node>) -> HumanName {
    let Some(n) = n else {
        return HumanName {
            given: vec![],
            initials: None,
            prefix: None,
            family: String::new(),
        };
    };
    let mut given = vec![];
    let mut initials = None;
    for g in n.children("given") {
        let qualifier = g
            .extension("http://hl7.org/fhir/StructureDefinition/iso21090-EN-qualifier")
            .and_then(|q| q.str("valueCode"));
        match (qualifier, g.value.as_deref()) {
            (Some("IN"), Some(v)) => initials = Some(v.to_owned()),
            (_, Some(v)) => given.push(v.to_owned()),
            _ => {}
        }
    }
    let family_node = n.child("family");
    let prefix = family_node
        .and_then(|f| f.extension("http://hl7.org/fhir/StructureDefinition/humanname-own-prefix"))
        .and_then(|e| e.str("valueString"))
        .map(str::to_owned);
    let family = family_node
        .and_then(|f| {
            f.extension("http://hl7.org/fhir/StructureDefinition/humanname-own-name")
                .and_then(|e| e.str("valueString"))
        })
        .or_else(|| family_node.and_then(|f| f.value.as_deref()))
        .or_else(|| n.str("text"))
        .unwrap_or_default()
        .to_owned();
    HumanName {
        given,
        initials,
        prefix,
        family,
    }
}

fn contact_details(n: &Node) -> ContactDetails {
    let mut c = ContactDetails::default();
    for t in n.children("telecom") {
        match t.str("system") {
            Some("phone") if c.phone.is_none() => c.phone = t.str("value").map(str::to_owned),
            Some("email") if c.email.is_none() => c.email = t.str("value").map(str::to_owned),
            _ => {}
        }
    }
    c
}

fn address(n: &Node) -> Option<Address> {
    let a = n.child("address")?;
    let line = a.child("line");
    let ext = |url: &str| {
        line.and_then(|l| l.extension(url))
            .and_then(|e| e.str("valueString"))
            .map(str::to_owned)
    };
    Some(Address {
        street: ext("http://hl7.org/fhir/StructureDefinition/iso21090-ADXP-streetName")
            .or_else(|| line.and_then(|l| l.value.clone()))
            .unwrap_or_default(),
        house_number: ext("http://hl7.org/fhir/StructureDefinition/iso21090-ADXP-houseNumber")
            .unwrap_or_default(),
        postal_code: a.str("postalCode").unwrap_or_default().to_owned(),
        city: a.str("city").unwrap_or_default().to_owned(),
        country: a.str("country").unwrap_or("NLD").to_owned(),
    })
}

const EXT_EPISODE: &str =
    "http://nictiz.nl/fhir/StructureDefinition/extension-context-nl-core-episodeofcare";

fn episode_ext(n: &Node) -> Option<String> {
    ref_id(
        n.extension(EXT_EPISODE)
            .and_then(|e| e.child("valueReference")),
        "EpisodeOfCare",
    )
}

/// Everything one resource became.
#[allow(clippy::large_enum_variant)] // short-lived, one per resource
enum Item {
    Patient(Box<Patient>, Option<String>),
    Practitioner(Practitioner),
    Organization(Practice),
    /// practitioner id -> organization id
    Role(String, String),
    Episode(String, Episode, Option<String>),
    Problem(String, Problem),
    Alert(String, Alert),
    Contact(String, Contact),
    Journal(String, JournalLine),
    Medication(String, MedicationAgreement, String),
    Product(Product),
    Allergy(String, Allergy),
    Result(String, LabResult),
    /// A letter, with the id of the Binary that holds its PDF when it refers to one.
    Letter(String, Letter, Option<String>),
    /// A PDF (Binary id, bytes), joined to the letter that refers to it.
    Binary(String, Vec<u8>),
    Derived,
    /// Recognised but deliberately not imported, with the reason.
    Ignored(&'static str),
}

struct Ctx {
    meta: ItemMeta,
}

impl Ctx {
    /// The item's meta: who imported it and when, with the resource's business identifiers.
    fn meta(&self, n: &Node) -> ItemMeta {
        ItemMeta {
            identifiers: identifiers(n),
            ..self.meta.clone()
        }
    }
}

fn subject(n: &Node) -> Result<String, Fail> {
    ref_id(n.child("subject").or_else(|| n.child("patient")), "Patient")
        .map_or_else(|| fail("subject", "missing or not a Patient reference"), Ok)
}

fn id_of<T>(n: &Node, make: fn(String) -> Result<T, InvalidId>) -> Result<T, Fail> {
    let id = n.id().ok_or((Some("id"), "missing id".to_owned()))?;
    make(id.to_owned()).map_err(|e| (Some("id"), e.to_string()))
}

fn map_one(n: &Node, ctx: &Ctx) -> Result<Option<Item>, Fail> {
    let profiles = n.profiles();
    let has_profile = |p: &str| profiles.iter().any(|x| x.ends_with(p));
    Ok(Some(match n.resource_type() {
        "Patient" => {
            let bsn = n
                .children("identifier")
                .find(|i| i.str("system") == Some(system::BSN))
                .and_then(|i| i.str("value"))
                .map(|v| Bsn::parse(v).map_err(|e| (Some("identifier[bsn]"), e.to_string())))
                .transpose()?;
            let birth = date(n.str("birthDate"), "birthDate")?
                .ok_or((Some("birthDate"), "missing".to_owned()))?;
            let gender = match n.str("gender") {
                Some("female") => Gender::Female,
                Some("male") => Gender::Male,
                Some("other") => Gender::Other,
                _ => Gender::Unknown,
            };
            let gp = ref_id(n.child("generalPractitioner"), "Practitioner")
                .map(PractitionerId::new)
                .transpose()
                .map_err(|e| (Some("generalPractitioner"), e.to_string()))?;
            let org = ref_id(n.child("managingOrganization"), "Organization");
            let p = Patient {
                id: id_of(n, PatientId::new)?,
                practice: PracticeId::new("import").map_err(|e| (None, e.to_string()))?,
                bsn,
                name: name(n.child("name")),
                birth_date: birth,
                gender,
                address: address(n),
                contact: contact_details(n),
                general_practitioner: gp,
                online_consent: None,
                wants_results_immediately: false,
                meta: ctx.meta(n),
            };
            Item::Patient(Box::new(p), org)
        }
        "Practitioner" => {
            let mut identifiers = vec![];
            let mut agb = None;
            for i in n.children("identifier") {
                if let (Some(s), Some(v)) = (i.str("system"), i.str("value")) {
                    if s == system::AGB {
                        agb = codes::AgbCode::parse(v).ok();
                    }
                    identifiers.push(Coding::new(s, v, None));
                }
            }
            Item::Practitioner(Practitioner {
                id: id_of(n, PractitionerId::new)?,
                practice: None,
                name: name(n.child("name")),
                agb,
                identifiers,
                roles: vec![StaffRole::Gp],
                contact: contact_details(n),
            })
        }
        "PractitionerRole" => match (
            ref_id(n.child("practitioner"), "Practitioner"),
            ref_id(n.child("organization"), "Organization"),
        ) {
            (Some(p), Some(o)) => Item::Role(p, o),
            _ => return Ok(None),
        },
        "Organization" => {
            let agb = n
                .children("identifier")
                .find(|i| i.str("system") == Some(system::AGB))
                .and_then(|i| i.str("value"))
                .and_then(|v| codes::AgbCode::parse(v).ok());
            Item::Organization(Practice {
                id: id_of(n, PracticeId::new)?,
                name: n.str("name").unwrap_or("Huisartsenpraktijk").to_owned(),
                agb,
                identifiers: identifiers(n)
                    .into_iter()
                    .filter(|c| c.system != system::AGB)
                    .collect(),
                address: address(n),
                contact: contact_details(n),
            })
        }
        "EpisodeOfCare" => {
            let pid = ref_id(n.child("patient"), "Patient")
                .ok_or((Some("patient"), "missing".to_owned()))?;
            let ext_str = |url: &str| {
                n.extension(url)
                    .and_then(|e| e.str("valueString").or_else(|| e.str("valueDateTime")))
            };
            let start = partial(n.str_at(&["period", "start"]), "period.start")?
                .ok_or((Some("period.start"), "missing".to_owned()))?;
            let condition = ref_id(n.at(&["diagnosis", "condition"]), "Condition");
            let title = ext_str("http://nictiz.nl/fhir/StructureDefinition/EpisodeOfCare-Title")
                .or_else(|| n.str_at(&["diagnosis", "condition", "display"]))
                .unwrap_or_default()
                .to_owned();
            let ep = Episode {
                id: id_of(n, EpisodeId::new)?,
                title,
                icpc: None,
                icpc_display: None,
                start,
                end: partial(n.str_at(&["period", "end"]), "period.end")?,
                attentiewaarde: false,
                first_encounter: date(
                    ext_str(
                        "http://nictiz.nl/fhir/StructureDefinition/EpisodeOfCare-DateFirstEncounter",
                    ),
                    "DateFirstEncounter",
                )?,
                last_encounter: date(
                    ext_str(
                        "http://nictiz.nl/fhir/StructureDefinition/EpisodeOfCare-DateLastEncounter",
                    ),
                    "DateLastEncounter",
                )?,
                problem: None,
                care_manager: ref_id(n.child("careManager"), "Practitioner")
                    .and_then(|p| PractitionerId::new(p).ok()),
                meta: ctx.meta(n),
            };
            Item::Episode(pid, ep, condition)
        }
        "Condition" => {
            let pid = subject(n)?;
            let all = codings(n.child("code"));
            let code = all
                .iter()
                .find(|c| c.system == system::ICPC)
                .or(all.first())
                .cloned()
                .ok_or((Some("code"), "no coding".to_owned()))?;
            Item::Problem(
                pid,
                Problem {
                    id: id_of(n, ProblemId::new)?,
                    code,
                    status: if n.str("clinicalStatus") == Some("active") {
                        ProblemStatus::Active
                    } else {
                        ProblemStatus::Inactive
                    },
                    onset: partial(n.str("onsetDateTime"), "onsetDateTime")?,
                    abatement: partial(n.str("abatementDateTime"), "abatementDateTime")?,
                    asserter: ref_id(n.child("asserter"), "Practitioner")
                        .and_then(|p| PractitionerId::new(p).ok()),
                    meta: ctx.meta(n),
                },
            )
        }
        "Flag" => {
            let pid = subject(n)?;
            let code = codings(n.child("code"))
                .into_iter()
                .next()
                .ok_or((Some("code"), "no coding".to_owned()))?;
            let detail = n
                .extension("http://hl7.org/fhir/StructureDefinition/flag-detail")
                .and_then(|e| e.child("valueReference"));
            Item::Alert(
                pid,
                Alert {
                    id: id_of(n, AlertId::new)?,
                    code,
                    active: n.str("status") == Some("active"),
                    start: partial(n.str_at(&["period", "start"]), "period.start")?,
                    end: partial(n.str_at(&["period", "end"]), "period.end")?,
                    detail: detail.and_then(|d| d.str("display")).map(str::to_owned),
                    episode: ref_id(detail, "EpisodeOfCare").and_then(|e| EpisodeId::new(e).ok()),
                    author: ref_id(n.child("author"), "Practitioner")
                        .and_then(|p| PractitionerId::new(p).ok()),
                    meta: ctx.meta(n),
                },
            )
        }
        "Encounter" => {
            let pid = subject(n)?;
            let t = coding_in(n.child("type"), system::NHG_14)
                .ok_or((Some("type"), "no NHG-Tabel 14 contactwijze".to_owned()))?;
            let contact_type =
                codes::ContactType::parse(&t.code).map_err(|e| (Some("type"), e.to_string()))?;
            let start = date(n.str_at(&["period", "start"]), "period.start")?
                .ok_or((Some("period.start"), "missing".to_owned()))?;
            Item::Contact(
                pid,
                Contact {
                    id: id_of(n, ContactId::new)?,
                    contact_type,
                    date: start,
                    end: date(n.str_at(&["period", "end"]), "period.end")?,
                    practitioner: ref_id(n.at(&["participant", "individual"]), "Practitioner")
                        .and_then(|p| PractitionerId::new(p).ok()),
                    episode: ref_id(n.child("episodeOfCare"), "EpisodeOfCare")
                        .and_then(|e| EpisodeId::new(e).ok()),
                    patient_took_part: None,
                    meta: ctx.meta(n),
                },
            )
        }
        "Observation"
            if coding_in(n.child("code"), system::SOEP).is_some()
                || has_profile("gp-JournalEntry") =>
        {
            let pid = subject(n)?;
            let soep_code = coding_in(n.child("code"), system::SOEP)
                .ok_or((Some("code"), "no journaalregeltype".to_owned()))?;
            let soep = Soep::parse(&soep_code.code).ok_or((
                Some("code"),
                format!("unknown journaalregeltype {:?}", soep_code.code),
            ))?;
            let icpc = n
                .children("component")
                .find(|c| {
                    coding_in(c.child("code"), "http://hl7.org/fhir/v3/ActCode")
                        .is_some_and(|x| x.code == "DISDX")
                })
                .and_then(|c| coding_in(c.child("valueCodeableConcept"), system::ICPC));
            let date = date(n.str("effectiveDateTime"), "effectiveDateTime")?
                .ok_or((Some("effectiveDateTime"), "missing".to_owned()))?;
            Item::Journal(
                pid,
                JournalLine {
                    id: id_of(n, JournalLineId::new)?,
                    soep,
                    text: n.str("valueString").unwrap_or_default().to_owned(),
                    icpc: icpc
                        .as_ref()
                        .map(|c| IcpcCode::parse(&c.code))
                        .transpose()
                        .map_err(|e| (Some("component.valueCodeableConcept"), e.to_string()))?,
                    icpc_display: icpc.and_then(|c| c.display),
                    date,
                    contact: ref_id(n.child("context"), "Encounter")
                        .and_then(|c| ContactId::new(c).ok()),
                    episode: episode_ext(n).and_then(|e| EpisodeId::new(e).ok()),
                    author: ref_id(n.child("performer"), "Practitioner")
                        .and_then(|p| PractitionerId::new(p).ok()),
                    meta: ctx.meta(n),
                },
            )
        }
        "Observation" => {
            let pid = subject(n)?;
            let code = coding_in(n.child("code"), system::NHG_45)
                .ok_or((Some("code"), "no NHG-Tabel 45 code".to_owned()))?;
            let nhg =
                codes::Nhg45Code::parse(&code.code).map_err(|e| (Some("code"), e.to_string()))?;
            let lab_category = codings(n.child("category"))
                .iter()
                .any(|c| c.code == "49581000146104" || c.code == "laboratory");
            let kind = if has_profile("gp-LaboratoryResult")
                || (!has_profile("gp-DiagnosticResult") && lab_category)
            {
                ResultKind::L
            } else {
                ResultKind::D
            };
            let value = if let Some(q) = n.child("valueQuantity") {
                let v = q
                    .str("value")
                    .ok_or((Some("valueQuantity.value"), "missing".to_owned()))?;
                ResultValue::Quantity {
                    value: Decimal::parse(v)
                        .map_err(|e| (Some("valueQuantity.value"), e.to_string()))?,
                    unit: q
                        .str("code")
                        .or_else(|| q.str("unit"))
                        .map(codes::Ucum::parse)
                        .transpose()
                        .map_err(|e| (Some("valueQuantity.code"), e.to_string()))?,
                }
            } else if let Some(c) = n.child("valueCodeableConcept") {
                ResultValue::Coded {
                    coding: codings(Some(c))
                        .into_iter()
                        .next()
                        .ok_or((Some("valueCodeableConcept"), "no coding".to_owned()))?,
                }
            } else if let Some(s) = n.str("valueString") {
                ResultValue::Text { text: s.to_owned() }
            } else {
                return fail("value[x]", "no value");
            };
            let range = n
                .child("referenceRange")
                .map(|r| -> Result<ReferenceRange, Fail> {
                    let bound = |b: &str| {
                        r.str_at(&[b, "value"])
                            .map(Decimal::parse)
                            .transpose()
                            .map_err(|e| (Some("referenceRange"), e.to_string()))
                    };
                    Ok(ReferenceRange {
                        low: bound("low")?,
                        high: bound("high")?,
                        text: r.str("text").map(str::to_owned),
                        kind: codings(r.child("type")).into_iter().next(),
                    })
                })
                .transpose()?;
            let effective = instant(
                n.str("effectiveDateTime")
                    .or_else(|| n.str_at(&["effectivePeriod", "start"])),
                "effectiveDateTime",
            )?
            .ok_or((Some("effectiveDateTime"), "missing".to_owned()))?;
            let received = instant(n.str("issued"), "issued")?.unwrap_or(effective);
            // Lab results wait for review or the practice's delay (R26); the practice's own
            // measurements are known to the patient already.
            let review = match kind {
                ResultKind::L => ReviewState::Pending {
                    received_at: received,
                },
                ResultKind::D => ReviewState::Released {
                    by: ctx.meta.created_by.clone(),
                    at: received,
                },
            };
            Item::Result(
                pid,
                LabResult {
                    id: id_of(n, ResultId::new)?,
                    kind,
                    code: nhg,
                    name: code.display.clone().unwrap_or_else(|| code.code.clone()),
                    other_codes: codings(n.child("code"))
                        .into_iter()
                        .filter(|c| c.system != system::NHG_45)
                        .collect(),
                    value,
                    reference_range: range,
                    body_site: coded_text(n.child("bodySite")),
                    interpretation: codings(n.child("interpretation")).into_iter().next(),
                    effective,
                    review,
                    performer: ref_id(n.child("performer"), "Practitioner")
                        .and_then(|p| PractitionerId::new(p).ok()),
                    contact: ref_id(n.child("context"), "Encounter")
                        .and_then(|c| ContactId::new(c).ok()),
                    episode: episode_ext(n).and_then(|e| EpisodeId::new(e).ok()),
                    meta: ctx.meta(n),
                },
            )
        }
        "Medication" => {
            let cs = codings(n.child("code"));
            let name = n
                .str_at(&["code", "text"])
                .map(str::to_owned)
                .or_else(|| cs.iter().find_map(|c| c.display.clone()))
                .ok_or((Some("code"), "no product name".to_owned()))?;
            Item::Product(Product {
                source_id: n.id().map(str::to_owned),
                name,
                codes: cs,
            })
        }
        "MedicationRequest" => {
            let pid = subject(n)?;
            let product = ref_id(n.child("medicationReference"), "Medication")
                .ok_or((Some("medicationReference"), "missing".to_owned()))?;
            let period = n
                .extension("http://nictiz.nl/fhir/StructureDefinition/zib-Medication-PeriodOfUse")
                .and_then(|e| e.child("valuePeriod"));
            let instruction = n.child("dosageInstruction");
            let dosage_codes = codings(instruction.and_then(|d| d.child("route")));
            let m = MedicationAgreement {
                id: id_of(n, MedicationId::new)?,
                product: Product {
                    source_id: Some(product.clone()),
                    name: String::new(),
                    codes: vec![],
                },
                dosage_text: instruction
                    .and_then(|d| d.str("text"))
                    .unwrap_or_default()
                    .to_owned(),
                dosage_codes,
                dosage: dosage(instruction)?,
                period_start: date(period.and_then(|p| p.str("start")), "PeriodOfUse.start")?,
                period_end: date(period.and_then(|p| p.str("end")), "PeriodOfUse.end")?,
                authored_on: date(n.str("authoredOn"), "authoredOn")?,
                prescriber: ref_id(n.at(&["requester", "agent"]), "Practitioner")
                    .and_then(|p| PractitionerId::new(p).ok()),
                contact: ref_id(n.child("context"), "Encounter")
                    .and_then(|c| ContactId::new(c).ok()),
                episode: episode_ext(n).and_then(|e| EpisodeId::new(e).ok()),
                meta: ctx.meta(n),
            };
            Item::Medication(pid, m, product)
        }
        "AllergyIntolerance" => {
            let pid = subject(n)?;
            let substance = codings(n.child("code"))
                .into_iter()
                .next()
                .ok_or((Some("code"), "no coding".to_owned()))?;
            let category = match n.str("category") {
                Some("food") => AllergyCategory::Food,
                Some("environment") => AllergyCategory::Environment,
                Some("biologic") => AllergyCategory::Biologic,
                _ => AllergyCategory::Medication,
            };
            let reaction = n.child("reaction");
            let mut reaction_codes = codings(reaction.and_then(|r| r.child("substance")));
            reaction_codes.extend(codings(reaction.and_then(|r| r.child("manifestation"))));
            Item::Allergy(
                pid,
                Allergy {
                    id: id_of(n, AllergyId::new)?,
                    substance,
                    category,
                    criticality: match n.str("criticality") {
                        Some("low") => Some(Criticality::Low),
                        Some("high") => Some(Criticality::High),
                        Some("unable-to-assess") => Some(Criticality::UnableToAssess),
                        _ => None,
                    },
                    status: match n.str("clinicalStatus") {
                        Some("inactive") => AllergyStatus::Inactive,
                        Some("resolved") => AllergyStatus::Resolved,
                        _ => AllergyStatus::Active,
                    },
                    onset: partial(n.str("onsetDateTime"), "onsetDateTime")?,
                    reaction: reaction
                        .and_then(|r| r.str("description"))
                        .map(str::to_owned),
                    reaction_codes,
                    note: n.str_at(&["note", "text"]).map(str::to_owned),
                    recorder: ref_id(n.child("recorder"), "Practitioner")
                        .and_then(|p| PractitionerId::new(p).ok()),
                    meta: ctx.meta(n),
                },
            )
        }
        "Composition" => Item::Derived,
        "DocumentReference" => return document_reference(n, ctx).map(Some),
        "Binary" => {
            use base64::Engine;
            let id = n.id().ok_or((Some("id"), "missing id".to_owned()))?;
            if n.str("contentType") != Some("application/pdf") {
                return Ok(Some(Item::Ignored("only PDF documents are imported")));
            }
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(n.str("content").unwrap_or_default().trim())
                .map_err(|_| (Some("content"), "not base64".to_owned()))?;
            Item::Binary(id.to_owned(), bytes)
        }
        _ => return Ok(None),
    }))
}

/// A letter from a DocumentReference (IHE MHD minimal, MedMij data service 51). Only the current
/// version of a document is part of the record: superseded and entered-in-error ones are left out.
fn document_reference(n: &Node, ctx: &Ctx) -> Result<Item, Fail> {
    match n.str("status") {
        Some("current") => {}
        Some("superseded") => {
            return Ok(Item::Ignored(
                "superseded by a newer version; only the current version is imported",
            ));
        }
        Some("entered-in-error") => {
            return Ok(Item::Ignored("entered in error; not part of the record"));
        }
        _ => return fail("status", "missing or not a DocumentReference status"),
    }
    let pid = subject(n)?;
    let type_code = n
        .child("type")
        .and_then(|t| t.child("coding"))
        .and_then(coding);
    let class_code = n
        .child("class")
        .and_then(|t| t.child("coding"))
        .and_then(coding);
    let when = instant(n.str("indexed").or_else(|| n.str("created")), "indexed")?
        .ok_or((Some("indexed"), "missing".to_owned()))?;
    let attachment = n
        .at(&["content", "attachment"])
        .ok_or((Some("content"), "missing attachment".to_owned()))?;
    let url = attachment.url.as_deref().or_else(|| attachment.str("url"));
    let (content, binary) = match (attachment.str("data"), url) {
        (Some(data), _) => {
            use base64::Engine;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(data.trim())
                .map_err(|_| (Some("content.attachment.data"), "not base64".to_owned()))?;
            (LetterContent::Pdf { bytes }, None)
        }
        (None, Some(u)) => (
            LetterContent::Reference { uri: u.to_owned() },
            u.strip_prefix("Binary/").map(str::to_owned),
        ),
        (None, None) => return fail("content.attachment", "neither data nor url"),
    };
    // The author: a display, or the name of a contained Practitioner it points at.
    let author = n.child("author").and_then(|a| {
        a.str("display").map(str::to_owned).or_else(|| {
            let local = a.str("reference")?.strip_prefix('#')?;
            n.children("contained")
                .map(|c| c.child("Practitioner").unwrap_or(c))
                .find(|c| c.id() == Some(local))
                .map(|p| name(p.child("name")).display())
        })
    });
    let class = class_code.as_ref().map(|c| c.code.as_str());
    let letter_type = match class {
        Some("18842-5") => LetterType::DischargeLetter,
        Some("11488-4") => LetterType::SpecialistLetter,
        Some("57133-1") => LetterType::ReferralLetter,
        Some("18748-4") => LetterType::RadiologyReport,
        _ => LetterType::Other,
    };
    let title = n
        .str("description")
        .or_else(|| attachment.str("title"))
        .or_else(|| type_code.as_ref().and_then(|c| c.display.as_deref()))
        .unwrap_or("Document")
        .to_owned();
    let letter = Letter {
        id: id_of(n, LetterId::new)?,
        direction: LetterDirection::Incoming,
        letter_type,
        date: inzage_domain::time::local_date(when),
        title,
        author: author.unwrap_or_default(),
        content,
        episode: None,
        document: (type_code.is_some() || class_code.is_some()).then_some(DocumentCodes {
            type_code,
            class_code,
        }),
        meta: ctx.meta(n),
    };
    Ok(Item::Letter(pid, letter, binary))
}

/// Maps every resource of one import. `resources` are `(file name, resource)` pairs with Bundles
/// already expanded; `now` and `actor` stamp the items' meta.
pub fn map_resources(resources: &[(String, Node)], now: DateTime<Utc>, actor: Actor) -> Mapped {
    let ctx = Ctx {
        meta: ItemMeta::new(actor, now),
    };
    let mut out = Mapped::default();
    let mut patients: Vec<(String, Patient, Option<String>)> = vec![];
    let mut practitioners: HashMap<String, Practitioner> = HashMap::new();
    let mut orgs: HashMap<String, Practice> = HashMap::new();
    let mut roles: HashMap<String, String> = HashMap::new();
    let mut products: HashMap<String, Product> = HashMap::new();
    let mut per_patient: HashMap<String, Vec<(String, String, Item)>> = HashMap::new();
    let mut binaries: HashMap<String, Vec<u8>> = HashMap::new();

    for (file, n) in resources {
        *out.read.entry(n.resource_type().to_owned()).or_default() += 1;
        let label = match n.id() {
            Some(id) => format!("{}/{}", n.resource_type(), id),
            None => n.resource_type().to_owned(),
        };
        match map_one(n, &ctx) {
            Err((field, message)) => out.issues.push(ImportIssue {
                severity: Severity::Error,
                file: file.clone(),
                resource: label,
                field: field.map(str::to_owned),
                message,
            }),
            Ok(None) => out.issues.push(ImportIssue {
                severity: Severity::Warning,
                file: file.clone(),
                resource: label,
                field: None,
                message: "resource type not supported; skipped".into(),
            }),
            Ok(Some(Item::Ignored(why))) => out.issues.push(ImportIssue {
                severity: Severity::Warning,
                file: file.clone(),
                resource: label,
                field: None,
                message: why.into(),
            }),
            Ok(Some(item)) => match item {
                Item::Patient(p, org) => patients.push((file.clone(), *p, org)),
                Item::Binary(id, bytes) => {
                    binaries.insert(id, bytes);
                }
                Item::Practitioner(p) => {
                    practitioners.insert(p.id.to_string(), p);
                }
                Item::Organization(o) => {
                    orgs.insert(o.id.to_string(), o);
                }
                Item::Role(p, o) => {
                    roles.insert(p, o);
                }
                Item::Product(p) => {
                    if let Some(id) = p.source_id.clone() {
                        products.insert(id, p);
                    }
                }
                Item::Derived => out.derived += 1,
                Item::Ignored(_) => {}
                Item::Episode(ref pid, ..)
                | Item::Problem(ref pid, _)
                | Item::Alert(ref pid, _)
                | Item::Contact(ref pid, _)
                | Item::Journal(ref pid, _)
                | Item::Medication(ref pid, ..)
                | Item::Allergy(ref pid, _)
                | Item::Result(ref pid, _)
                | Item::Letter(ref pid, ..) => {
                    let pid = pid.clone();
                    per_patient
                        .entry(pid)
                        .or_default()
                        .push((file.clone(), label, item))
                }
            },
        }
    }

    #[allow(clippy::expect_used)] // a literal, valid id
    let default_practice = Practice {
        id: PracticeId::new("import").expect("static id"),
        name: "Huisartsenpraktijk (geïmporteerd)".into(),
        agb: None,
        identifiers: vec![],
        address: None,
        contact: ContactDetails::default(),
    };

    let known_patients: HashSet<String> =
        patients.iter().map(|(_, p, _)| p.id.to_string()).collect();
    for (pid, items) in &per_patient {
        if !known_patients.contains(pid) {
            for (file, label, _) in items {
                out.issues.push(ImportIssue {
                    severity: Severity::Error,
                    file: file.clone(),
                    resource: label.clone(),
                    field: Some("subject".into()),
                    message: format!("Patient/{pid} is not part of this import"),
                });
            }
        }
    }

    for (_file, mut patient, org) in patients {
        let practice = org
            .and_then(|o| orgs.get(&o).cloned())
            .or_else(|| {
                patient
                    .general_practitioner
                    .as_ref()
                    .and_then(|gp| roles.get(gp.as_str()))
                    .and_then(|o| orgs.get(o).cloned())
            })
            .or_else(|| {
                (orgs.len() == 1)
                    .then(|| orgs.values().next().cloned())
                    .flatten()
            })
            .unwrap_or_else(|| default_practice.clone());
        patient.practice = practice.id.clone();
        let pid = patient.id.to_string();
        let mut r = PatientRecord::new(patient, practice);
        let mut episode_condition: Vec<(usize, String)> = vec![];
        let mut issues: Vec<ImportIssue> = vec![];
        for (file, label, item) in per_patient.remove(&pid).unwrap_or_default() {
            match item {
                Item::Episode(_, e, cond) => {
                    if let Some(c) = cond {
                        episode_condition.push((r.episodes.len(), c));
                    }
                    r.episodes.push(e);
                }
                Item::Problem(_, p) => r.problems.push(p),
                Item::Alert(_, a) => r.alerts.push(a),
                Item::Contact(_, c) => r.contacts.push(c),
                Item::Journal(_, l) => r.journal.push(l),
                Item::Medication(_, mut m, product) => match products.get(&product) {
                    Some(p) => {
                        m.product = p.clone();
                        r.medication.push(m);
                    }
                    None => issues.push(ImportIssue {
                        severity: Severity::Error,
                        file,
                        resource: label,
                        field: Some("medicationReference".into()),
                        message: format!("Medication/{product} is not part of this import"),
                    }),
                },
                Item::Allergy(_, a) => r.allergies.push(a),
                Item::Result(_, x) => r.results.push(x),
                Item::Letter(_, mut l, binary) => {
                    if let Some(b) = binary {
                        match binaries.get(&b) {
                            Some(bytes) => l.content = LetterContent::Pdf { bytes: bytes.clone() },
                            None => issues.push(ImportIssue {
                                severity: Severity::Warning,
                                file,
                                resource: label,
                                field: Some("content.attachment.url".into()),
                                message: format!("Binary/{b} is not part of this import; the letter is kept without its document"),
                            }),
                        }
                    }
                    r.letters.push(l);
                }
                _ => {}
            }
        }
        // The episode's ICPC code and problem come from its diagnosis (zib-Problem).
        for (i, cond) in episode_condition {
            if let Some(p) = r.problems.iter().find(|p| p.id.as_str() == cond) {
                let e = &mut r.episodes[i];
                e.problem = Some(p.id.clone());
                if p.code.system == system::ICPC {
                    e.icpc = IcpcCode::parse(&p.code.code).ok();
                    e.icpc_display = p.code.display.clone();
                }
                if e.title.is_empty() {
                    e.title = p.code.display.clone().unwrap_or_default();
                }
            }
        }
        // Attentiewaarde arrives as an active zib-Alert pointing at the episode.
        for a in r.alerts.iter().filter(|a| a.active) {
            if let Some(e) = a
                .episode
                .as_ref()
                .and_then(|id| r.episodes.iter_mut().find(|e| &e.id == id))
            {
                e.attentiewaarde = true;
            }
        }
        resolve_references(&mut r, &practitioners, &mut issues);
        out.issues.extend(issues);
        out.records.push(r);
    }
    out
}

/// Drops references that point at nothing in the record (with a warning) and pulls in the
/// practitioners the record refers to.
fn resolve_references(
    r: &mut PatientRecord,
    practitioners: &HashMap<String, Practitioner>,
    issues: &mut Vec<ImportIssue>,
) {
    let episodes: HashSet<String> = r.episodes.iter().map(|e| e.id.to_string()).collect();
    let contacts: HashSet<String> = r.contacts.iter().map(|c| c.id.to_string()).collect();
    let mut warn = |resource: String, field: &str, target: String| {
        issues.push(ImportIssue {
            severity: Severity::Warning,
            file: String::new(),
            resource,
            field: Some(field.to_owned()),
            message: format!("{target} is not part of this record; the link was left out"),
        })
    };
    macro_rules! check {
        ($items:expr, $ty:literal, $field:ident, $set:ident, $target:literal) => {
            for x in $items.iter_mut() {
                if let Some(id) = &x.$field {
                    if !$set.contains(id.as_str()) {
                        warn(
                            format!("{}/{}", $ty, x.id),
                            stringify!($field),
                            format!("{}/{}", $target, id),
                        );
                        x.$field = None;
                    }
                }
            }
        };
    }
    check!(r.alerts, "Flag", episode, episodes, "EpisodeOfCare");
    check!(r.contacts, "Encounter", episode, episodes, "EpisodeOfCare");
    check!(r.journal, "Observation", episode, episodes, "EpisodeOfCare");
    check!(r.journal, "Observation", contact, contacts, "Encounter");
    check!(
        r.medication,
        "MedicationRequest",
        episode,
        episodes,
        "EpisodeOfCare"
    );
    check!(
        r.medication,
        "MedicationRequest",
        contact,
        contacts,
        "Encounter"
    );
    check!(r.results, "Observation", episode, episodes, "EpisodeOfCare");
    check!(r.results, "Observation", contact, contacts, "Encounter");

    let mut wanted: Vec<PractitionerId> = vec![];
    wanted.extend(r.patient.general_practitioner.clone());
    wanted.extend(r.episodes.iter().filter_map(|e| e.care_manager.clone()));
    wanted.extend(r.problems.iter().filter_map(|e| e.asserter.clone()));
    wanted.extend(r.alerts.iter().filter_map(|e| e.author.clone()));
    wanted.extend(r.contacts.iter().filter_map(|e| e.practitioner.clone()));
    wanted.extend(r.journal.iter().filter_map(|e| e.author.clone()));
    wanted.extend(r.medication.iter().filter_map(|e| e.prescriber.clone()));
    wanted.extend(r.allergies.iter().filter_map(|e| e.recorder.clone()));
    wanted.extend(r.results.iter().filter_map(|e| e.performer.clone()));
    let mut seen = HashSet::new();
    for id in wanted {
        if seen.insert(id.clone())
            && let Some(p) = practitioners.get(id.as_str())
        {
            let mut p = p.clone();
            p.practice = Some(r.practice.id.clone());
            r.practitioners.push(p);
        }
    }
    let present: HashSet<String> = r.practitioners.iter().map(|p| p.id.to_string()).collect();
    let clear = |id: &mut Option<PractitionerId>| {
        if id.as_ref().is_some_and(|p| !present.contains(p.as_str())) {
            *id = None;
        }
    };
    clear(&mut r.patient.general_practitioner);
    r.episodes
        .iter_mut()
        .for_each(|e| clear(&mut e.care_manager));
    r.problems.iter_mut().for_each(|e| clear(&mut e.asserter));
    r.alerts.iter_mut().for_each(|e| clear(&mut e.author));
    r.contacts
        .iter_mut()
        .for_each(|e| clear(&mut e.practitioner));
    r.journal.iter_mut().for_each(|e| clear(&mut e.author));
    r.medication
        .iter_mut()
        .for_each(|e| clear(&mut e.prescriber));
    r.allergies.iter_mut().for_each(|e| clear(&mut e.recorder));
    r.results.iter_mut().for_each(|e| clear(&mut e.performer));
}

/// Expands a parsed document into resources: a Bundle into its entries, anything else as itself.
pub fn expand(file: &str, mut doc: Node, out: &mut Vec<(String, Node)>) {
    if doc.resource_type() == "Bundle" {
        for mut entry in std::mem::take(&mut doc.children)
            .into_iter()
            .filter(|c| c.name == "entry")
        {
            let resource = std::mem::take(&mut entry.children)
                .into_iter()
                .find(|c| c.name == "resource")
                .and_then(|mut r| std::mem::take(&mut r.children).into_iter().next());
            if let Some(res) = resource {
                expand(file, res, out);
            }
        }
    } else {
        out.push((file.to_owned(), doc));
    }
}
