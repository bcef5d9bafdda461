//! Self-measurements (MedMij data service 52, Nictiz SelfMeasurements 2.0) as FHIR STU3
//! Observations: [`read_measurement`] reads one a PGO sends, [`measurement_resource`] writes one
//! back (to a PGO that retrieves them, or from our PGO to a practice).
//!
//! What is kept: the kind (by its LOINC code), the categories (the profile's when none is sent), when it was measured, every
//! quantity (a blood pressure's systolic and diastolic components) and the person's comment.
//! What is not kept: coded components (cuff size, body position), method, body site and device;
//! the subject and performer are always the person the token is for, whatever the resource says.

use crate::export::{concept, instant};
use crate::node::Node;
use chrono::{DateTime, Utc};
use inzage_domain::PatientId;
use inzage_domain::codes::{Coding, system};
use inzage_domain::record::Decimal;
use inzage_domain::selfmeasure::{Measured, Review, SelfMeasurement, VitalSign};
use serde_json::{Value, json};

/// The longest comment kept (a person's remark, not a letter).
pub const MAX_COMMENT: usize = 1_000;

fn coding(c: &Node) -> Option<Coding> {
    Some(Coding::new(
        c.str("system")?,
        c.str("code")?,
        c.str("display"),
    ))
}

fn quantity(q: &Node, code: Coding, what: &str) -> Result<Measured, String> {
    let value = q
        .str("value")
        .ok_or_else(|| format!("{what}: the quantity has no value"))?;
    let value = Decimal::parse(value).map_err(|_| format!("{what}: the value is not a number"))?;
    let unit = q
        .str("code")
        .or_else(|| q.str("unit"))
        .ok_or_else(|| format!("{what}: the quantity has no unit"))?;
    Ok(Measured {
        code,
        value,
        unit: unit.to_owned(),
    })
}

/// When it was measured: the instant for ordering, the text as written.
fn effective(obs: &Node) -> Result<(String, DateTime<Utc>), String> {
    let text = obs
        .str("effectiveDateTime")
        .or_else(|| obs.str_at(&["effectivePeriod", "start"]))
        .ok_or("the Observation says nothing about when it was measured (effectiveDateTime)")?;
    let at = if text.contains('T') {
        DateTime::parse_from_rfc3339(text)
            .map_err(|_| "effectiveDateTime is not a valid date and time".to_owned())?
            .with_timezone(&Utc)
    } else {
        let d = inzage_domain::PartialDate::parse(text)
            .map_err(|_| "effectiveDateTime is not a valid date".to_owned())?;
        inzage_domain::time::start_of_local_day(d.earliest())
    };
    Ok((text.to_owned(), at))
}

/// Reads one Observation a PGO sent about `patient` into a new, unreviewed measurement with id
/// `id`. Anything that is not one of data service 52's measurements, or has no time or value,
/// is refused with a sentence that says what is wrong (never the content).
pub fn read_measurement(
    obs: &Node,
    id: &str,
    patient: &PatientId,
    received_at: DateTime<Utc>,
    sent_by: &str,
) -> Result<SelfMeasurement, String> {
    if obs.resource_type() != "Observation" {
        return Err(format!(
            "{} is not a measurement (Observation)",
            obs.resource_type()
        ));
    }
    if matches!(
        obs.str("status"),
        Some("entered-in-error" | "cancelled" | "registered")
    ) {
        return Err("only measurements with a result can be sent (status)".into());
    }
    let codes: Vec<Coding> = obs
        .child("code")
        .map(|c| c.children("coding").filter_map(coding).collect())
        .unwrap_or_default();
    let (kind, code) = codes
        .iter()
        .filter(|c| c.system == system::LOINC)
        .find_map(|c| VitalSign::of_loinc(&c.code).map(|k| (k, c.clone())))
        .ok_or(
            "the Observation's code is not one of the measurements of data service 52 (LOINC)",
        )?;
    let mut categories: Vec<Coding> = obs
        .children("category")
        .flat_map(|c| c.children("coding"))
        .filter_map(coding)
        .collect();
    // The profile fixes the category; a sender that left it out still gets it searched by.
    if categories.is_empty() {
        categories.push(kind.category());
    }
    let (effective, effective_at) = effective(obs)?;
    let mut values = vec![];
    if let Some(q) = obs.child("valueQuantity") {
        values.push(quantity(q, code.clone(), "valueQuantity")?);
    }
    for (i, c) in obs.children("component").enumerate() {
        let Some(q) = c.child("valueQuantity") else {
            continue;
        };
        let what = format!("component {}", i + 1);
        let ccode = c
            .child("code")
            .and_then(|cc| cc.children("coding").find_map(coding))
            .ok_or_else(|| format!("{what}: the component has no code"))?;
        values.push(quantity(q, ccode, &what)?);
    }
    if values.is_empty() {
        return Err("the Observation holds no measured value (valueQuantity or component)".into());
    }
    if kind == VitalSign::BloodPressure {
        for part in [
            inzage_domain::selfmeasure::SYSTOLIC,
            inzage_domain::selfmeasure::DIASTOLIC,
        ] {
            if !values.iter().any(|v| v.code.code == part) {
                return Err(format!(
                    "a blood pressure needs its systolic and diastolic components ({part} is missing)"
                ));
            }
        }
    }
    let comment = obs
        .str("comment")
        .map(|c| c.chars().take(MAX_COMMENT).collect());
    Ok(SelfMeasurement {
        id: id.to_owned(),
        patient: patient.clone(),
        kind,
        code,
        categories,
        effective,
        effective_at,
        values,
        comment,
        received_at,
        sent_by: sent_by.to_owned(),
        review: Review::New,
    })
}

fn quantity_json(m: &Measured) -> Value {
    json!({
        "value": crate::export::decimal(&m.value),
        "unit": inzage_domain::selfmeasure::unit_for_people(&m.unit),
        "system": system::UCUM,
        "code": m.unit,
    })
}

/// The measurement as a STU3 Observation in its Nictiz profile, about `patient` (reference and
/// display), measured by the person themselves.
pub fn measurement_resource(m: &SelfMeasurement, patient: &Value) -> Value {
    let mut obs = json!({
        "resourceType": "Observation",
        "id": m.id,
        "meta": { "profile": [m.kind.profile()] },
        "status": "final",
        "category": m.categories.iter().map(|c| concept(std::slice::from_ref(c), None)).collect::<Vec<_>>(),
        "code": concept(std::slice::from_ref(&m.code), None),
        "subject": patient,
        "effectiveDateTime": m.effective,
        "issued": instant(m.received_at),
        "performer": [patient],
    });
    if m.kind == VitalSign::BloodPressure {
        obs["component"] = json!(
            m.values
                .iter()
                .map(|v| json!({
                    "code": concept(std::slice::from_ref(&v.code), None),
                    "valueQuantity": quantity_json(v),
                }))
                .collect::<Vec<_>>()
        );
    } else if let Some(v) = m.values.first() {
        obs["valueQuantity"] = quantity_json(v);
    }
    if let Some(c) = &m.comment {
        obs["comment"] = json!(c);
    }
    obs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patient() -> PatientId {
        PatientId::new("p1").unwrap()
    }

    fn read(json_text: &str) -> Result<SelfMeasurement, String> {
        let node = crate::parse_document(json_text).unwrap();
        read_measurement(&node, "m1", &patient(), Utc::now(), "app")
    }

    const BP: &str = r#"{"resourceType":"Observation","status":"final",
        "category":[{"coding":[{"system":"http://hl7.org/fhir/observation-category","code":"vital-signs"}]}],
        "code":{"coding":[{"system":"http://loinc.org","code":"85354-9"}]},
        "subject":{"reference":"Patient/someone-else"},
        "effectiveDateTime":"2026-11-01T07:30:00+01:00",
        "component":[
          {"code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]},"valueQuantity":{"value":133,"unit":"mmHg","system":"http://unitsofmeasure.org","code":"mm[Hg]"}},
          {"code":{"coding":[{"system":"http://loinc.org","code":"8462-4"}]},"valueQuantity":{"value":92,"unit":"mmHg","system":"http://unitsofmeasure.org","code":"mm[Hg]"}},
          {"code":{"coding":[{"system":"http://loinc.org","code":"8358-4"}]},"valueCodeableConcept":{"coding":[{"system":"urn:oid:1.2","code":"STD"}]}}]}"#;

    #[test]
    fn r127_a_blood_pressure_is_read_with_both_values_for_the_tokens_patient() {
        let m = read(BP).unwrap();
        assert_eq!(m.kind, VitalSign::BloodPressure);
        assert_eq!(
            m.patient,
            patient(),
            "the subject in the resource does not count"
        );
        assert_eq!(m.summary(), "133/92 mm Hg");
        assert_eq!(m.review, Review::New);
        let back = measurement_resource(&m, &json!({"reference": "Patient/p1", "display": "P"}));
        assert_eq!(back["component"].as_array().unwrap().len(), 2);
        assert_eq!(back["component"][0]["valueQuantity"]["value"], json!(133));
        assert_eq!(back["subject"]["reference"], "Patient/p1");
        assert_eq!(
            back["meta"]["profile"][0],
            VitalSign::BloodPressure.profile()
        );
    }

    #[test]
    fn r127_what_is_not_a_self_measurement_is_refused_with_a_reason() {
        let lab = BP.replace("85354-9", "2345-7");
        assert!(read(&lab).unwrap_err().contains("data service 52"));
        let no_time = BP.replace("\"effectiveDateTime\":\"2026-11-01T07:30:00+01:00\",", "");
        assert!(read(&no_time).unwrap_err().contains("when"));
        let half = BP.replace("8462-4", "8478-0");
        assert!(read(&half).unwrap_err().contains("8462-4"));
        let text_value = BP.replace("\"value\":133", "\"value\":\"high\"");
        assert!(read(&text_value).is_err());
        let condition = r#"{"resourceType":"Condition"}"#;
        assert!(read(condition).unwrap_err().contains("Condition"));
    }

    #[test]
    fn a_weight_on_a_date_counts_from_the_start_of_that_dutch_day() {
        let w = r#"{"resourceType":"Observation","status":"final",
            "code":{"coding":[{"system":"http://loinc.org","code":"29463-7"}]},
            "effectiveDateTime":"2026-11-01",
            "valueQuantity":{"value":72.5,"unit":"kg","system":"http://unitsofmeasure.org","code":"kg"}}"#;
        let m = read(w).unwrap();
        assert_eq!(m.summary(), "72,5 kg");
        assert_eq!(m.effective, "2026-11-01");
        assert_eq!(m.effective_at.to_rfc3339(), "2026-10-31T23:00:00+00:00");
        let back = measurement_resource(&m, &json!({}));
        assert_eq!(back["valueQuantity"]["value"], json!(72.5));
        assert!(back.get("component").is_none());
        assert_eq!(
            back["category"][0]["coding"][0]["code"], "vital-signs",
            "from the profile"
        );
    }
}
