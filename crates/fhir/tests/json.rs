//! FHIR JSON in: a collection Bundle with a patient, an episode with its diagnosis and attention
//! flag, a contact with SOEP lines and a lab result. Synthetic data written for this test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{TimeZone, Utc};
use inzage_domain::*;
use inzage_fhir::{Severity, expand, map_resources, parse_document};

const BUNDLE: &str = r#"{
  "resourceType": "Bundle", "type": "collection",
  "entry": [
    {"resource": {"resourceType": "Patient", "id": "pj",
      "identifier": [{"system": "http://fhir.nl/fhir/NamingSystem/bsn", "value": "123456782"}],
      "name": [{"family": "Jansen", "given": ["Els"]}], "gender": "female", "birthDate": "1980-02-29",
      "generalPractitioner": [{"reference": "Practitioner/dr", "display": "Dr. Arts"}]}},
    {"resource": {"resourceType": "Practitioner", "id": "dr", "name": [{"family": "Arts", "given": ["Anne"]}]}},
    {"resource": {"resourceType": "Condition", "id": "c1", "clinicalStatus": "active",
      "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icpc-1-nl", "code": "K86", "display": "Hypertensie zonder orgaanbeschadiging"}]},
      "subject": {"reference": "Patient/pj"}, "onsetDateTime": "2019"}},
    {"resource": {"resourceType": "EpisodeOfCare", "id": "ep1", "status": "active",
      "extension": [{"url": "http://nictiz.nl/fhir/StructureDefinition/EpisodeOfCare-Title", "valueString": "Hoge bloeddruk"}],
      "diagnosis": [{"condition": {"reference": "Condition/c1"}}],
      "patient": {"reference": "Patient/pj"}, "period": {"start": "2019-03"}}},
    {"resource": {"resourceType": "Flag", "id": "f1", "status": "active",
      "extension": [{"url": "http://hl7.org/fhir/StructureDefinition/flag-detail", "valueReference": {"reference": "EpisodeOfCare/ep1"}}],
      "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icpc-1-nl", "code": "K86"}]}, "subject": {"reference": "Patient/pj"}}},
    {"resource": {"resourceType": "Encounter", "id": "enc1",
      "type": [{"coding": [{"system": "https://referentiemodel.nhg.org/tabellen/nhg-tabel-14-contactwijze", "code": "04", "display": "Telefonisch consult"}]}],
      "subject": {"reference": "Patient/pj"}, "episodeOfCare": [{"reference": "EpisodeOfCare/ep1"}],
      "period": {"start": "2025-05-06T09:30:00+02:00"}}},
    {"resource": {"resourceType": "Observation", "id": "j1",
      "code": {"coding": [{"system": "http://fhir.nl/fhir/NamingSystem/journaalregeltypen", "code": "P"}]},
      "subject": {"reference": "Patient/pj"}, "context": {"reference": "Encounter/enc1"},
      "effectiveDateTime": "2025-05-06", "valueString": "Controle over 3 maanden"}},
    {"resource": {"resourceType": "Observation", "id": "lab1", "meta": {"profile": ["http://nictiz.nl/fhir/StructureDefinition/gp-LaboratoryResult"]},
      "code": {"coding": [{"system": "https://referentiemodel.nhg.org/tabellen/nhg-tabel-45-diagnostische-bepalingen", "code": "3208", "display": "glucose nuchter"}]},
      "subject": {"reference": "Patient/pj"}, "effectiveDateTime": "2025-05-06T08:00:00+02:00", "issued": "2025-05-07T10:00:00+02:00",
      "valueQuantity": {"value": 6.10, "code": "mmol/L"},
      "referenceRange": [{"low": {"value": 3.5}, "high": {"value": 5.6}}]}}
  ]}"#;

#[test]
fn json_bundle_maps_to_a_complete_record() {
    let mut resources = vec![];
    expand(
        "bundle.json",
        parse_document(BUNDLE).unwrap(),
        &mut resources,
    );
    let m = map_resources(
        &resources,
        Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
        Actor::System("import".into()),
    );
    assert!(
        m.issues.iter().all(|i| i.severity != Severity::Error),
        "{:?}",
        m.issues
    );
    let r = &m.records[0];
    assert_eq!(r.patient.bsn.as_ref().unwrap().as_str(), "123456782");
    assert_eq!(r.patient.name.display(), "Els Jansen");
    assert_eq!(
        r.patient.general_practitioner.as_ref().unwrap().as_str(),
        "dr"
    );
    let e = &r.episodes[0];
    assert_eq!(
        (
            e.title.as_str(),
            e.icpc.as_ref().unwrap().as_str(),
            e.attentiewaarde
        ),
        ("Hoge bloeddruk", "K86", true)
    );
    assert_eq!(e.start, PartialDate::YearMonth(2019, 3));
    assert_eq!(r.contacts[0].contact_type.as_str(), "04");
    assert_eq!(r.journal[0].contact.as_ref().unwrap().as_str(), "enc1");
    let lab = &r.results[0];
    assert_eq!(lab.kind, ResultKind::L);
    assert_eq!(lab.range_position(), Some(RangePosition::Above));
    assert!(
        matches!(lab.review, ReviewState::Pending { received_at } if received_at == Utc.with_ymd_and_hms(2025, 5, 7, 8, 0, 0).unwrap())
    );
}

#[test]
fn a_bad_field_names_the_resource_and_field_and_keeps_the_rest() {
    let broken = BUNDLE.replace(r#""code": "04""#, r#""code": "telefoon""#);
    let mut resources = vec![];
    expand(
        "bundle.json",
        parse_document(&broken).unwrap(),
        &mut resources,
    );
    let m = map_resources(&resources, Utc::now(), Actor::System("import".into()));
    let err = m
        .issues
        .iter()
        .find(|i| i.severity == Severity::Error)
        .unwrap();
    assert_eq!(
        (err.resource.as_str(), err.field.as_deref()),
        ("Encounter/enc1", Some("type"))
    );
    // The journal line lost its link to the missing contact (a warning), everything else came in.
    let r = &m.records[0];
    assert!(r.contacts.is_empty() && r.journal[0].contact.is_none());
    assert_eq!((r.episodes.len(), r.results.len()), (1, 1));
    assert!(inzage_domain::validate::validate_record(r).is_empty());
}

#[test]
fn truncated_json_is_a_parse_error() {
    assert!(parse_document(&BUNDLE[..BUNDLE.len() / 2]).is_err());
}
