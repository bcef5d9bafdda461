//! Small readers: codings, identifiers, dosage, names, addresses, dates, each from an element and
//! each failing with the field it could not read.

use super::*;

pub(super) type Fail = (Option<&'static str>, String);

pub(super) fn fail<T>(field: &'static str, msg: impl Into<String>) -> Result<T, Fail> {
    Err((Some(field), msg.into()))
}

/// The id part of a reference of the given type (`Patient/x`, or an absolute URL ending in it).
pub(super) fn ref_id(node: Option<&Node>, ty: &str) -> Option<String> {
    let r = node?.str("reference")?;
    let mut parts = r.rsplit('/');
    let id = parts.next()?;
    let t = parts.next()?;
    (t == ty && !id.is_empty()).then(|| id.to_owned())
}

pub(super) fn coding(n: &Node) -> Option<Coding> {
    Some(Coding {
        system: inzage_domain::codes::CodeSystem::new(n.str("system")?),
        code: n.str("code")?.into(),
        display: n.str("display").map(Into::into),
    })
}

pub(super) fn codings(cc: Option<&Node>) -> Vec<Coding> {
    cc.map(|c| c.children("coding").filter_map(coding).collect())
        .unwrap_or_default()
}

/// A CodeableConcept with its text; `None` when it has neither codes nor text.
pub(super) fn coded_text(cc: Option<&Node>) -> Option<CodedText> {
    let cc = cc?;
    let codes = codings(Some(cc));
    let text = cc.str("text").map(str::to_owned);
    (!codes.is_empty() || text.is_some()).then_some(CodedText { codes, text })
}

/// The business identifiers of a resource (never a BSN).
pub(super) fn identifiers(n: &Node) -> Vec<Coding> {
    n.children("identifier")
        .filter_map(|i| {
            let system = i.str("system")?;
            let value = i.str("value")?;
            (system != system::BSN).then(|| Coding::new(system, value, None))
        })
        .collect()
}

/// The structured parts of a `dosageInstruction` (zib InstructionsForUse).
pub(super) fn dosage(d: Option<&Node>) -> Result<Dosage, Fail> {
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

pub(super) fn coding_in(cc: Option<&Node>, sys: &str) -> Option<Coding> {
    codings(cc).into_iter().find(|c| c.system == sys)
}

pub(super) fn partial(s: Option<&str>, field: &'static str) -> Result<Option<PartialDate>, Fail> {
    s.map(|s| PartialDate::parse(s).map_err(|e| (Some(field), e.to_string())))
        .transpose()
}

pub(super) fn date(s: Option<&str>, field: &'static str) -> Result<Option<NaiveDate>, Fail> {
    Ok(partial(s, field)?.map(|p| p.earliest()))
}

/// A FHIR date or dateTime as an instant; a bare date means the start of that Dutch day.
pub(super) fn instant(s: Option<&str>, field: &'static str) -> Result<Option<DateTime<Utc>>, Fail> {
    let Some(s) = s else { return Ok(None) };
    if s.contains('T') {
        DateTime::parse_from_rfc3339(s)
            .map(|t| Some(t.with_timezone(&Utc)))
            .map_err(|e| (Some(field), format!("invalid dateTime: {e}")))
    } else {
        Ok(partial(Some(s), field)?.map(|p| start_of_local_day(p.earliest())))
    }
}

pub(super) fn name(n: Option<&Node>) -> HumanName {
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

pub(super) fn contact_details(n: &Node) -> ContactDetails {
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

pub(super) fn address(n: &Node) -> Option<Address> {
    let a = n.child("address")?;
    let line = a.child("line");
    let ext = |url: &str| {
        line.and_then(|l| l.extension(url))
            .and_then(|e| e.str("valueString"))
            .map(str::to_owned)
    };
    Some(Address {
        street: ext("http://hl7.org/fhir/StructureDefinition/iso21090-ADXP-streetName")
            .or_else(|| line.and_then(|l| l.value.as_deref().map(str::to_owned)))
            .unwrap_or_default(),
        house_number: ext("http://hl7.org/fhir/StructureDefinition/iso21090-ADXP-houseNumber")
            .unwrap_or_default(),
        postal_code: a.str("postalCode").unwrap_or_default().to_owned(),
        city: a.str("city").unwrap_or_default().to_owned(),
        country: a.str("country").unwrap_or("NLD").to_owned(),
    })
}

pub(super) const EXT_EPISODE: &str =
    "http://nictiz.nl/fhir/StructureDefinition/extension-context-nl-core-episodeofcare";

pub(super) fn episode_ext(n: &Node) -> Option<String> {
    ref_id(
        n.extension(EXT_EPISODE)
            .and_then(|e| e.child("valueReference")),
        "EpisodeOfCare",
    )
}
