//! Hardening finding 10 (issue 22): property tests that throw generated input at the FHIR JSON
//! and XML readers and at the import mapping. Whatever comes in, the answer is a value or an
//! error, never a panic, a stack overflow or a hang. The case count is bounded so the suite
//! stays fast (`PROPTEST_CASES` raises it for a longer run); proptest keeps any failing input
//! in `tests/fuzz.proptest-regressions`, which is committed, so it is tried first from then on.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{TimeZone, Utc};
use inzage_domain::Actor;
use inzage_fhir::{Limits, expand, map_resources, parse_document, parse_document_within};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

const TYPES: &[&str] = &[
    "Patient",
    "Practitioner",
    "EpisodeOfCare",
    "Condition",
    "Encounter",
    "Observation",
    "MedicationRequest",
    "Medication",
    "AllergyIntolerance",
    "Composition",
    "DocumentReference",
    "Binary",
    "Flag",
    "Bundle",
];

/// Element names the mapping looks at, and some it does not.
const NAMES: &[&str] = &[
    "id",
    "identifier",
    "system",
    "value",
    "code",
    "coding",
    "display",
    "text",
    "status",
    "subject",
    "reference",
    "patient",
    "period",
    "start",
    "end",
    "effectiveDateTime",
    "valueQuantity",
    "unit",
    "birthDate",
    "name",
    "family",
    "given",
    "extension",
    "url",
    "valueCodeableConcept",
    "category",
    "dosageInstruction",
    "timing",
    "entry",
    "resource",
    "type",
    "content",
    "attachment",
    "contentType",
    "data",
    "section",
    "diagnosis",
    "condition",
    "context",
    "authoredOn",
    "meta",
    "profile",
    "onsetDateTime",
    "note",
    "xyz",
];

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        "[0-9]{1,4}(-[0-9]{1,2}(-[0-9]{1,2}(T[0-9:]{1,8}Z?)?)?)?".prop_map(Value::String),
        "[A-Za-z0-9 ./:|#-]{0,24}".prop_map(Value::String),
        prop::sample::select(TYPES).prop_map(|t| json!(format!("{t}/x1"))),
    ]
}

/// FHIR-shaped JSON: objects keyed by element names, arrays of objects, primitive leaves.
fn element() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(6, 80, 6, |inner| {
        prop_oneof![
            prop::collection::vec((prop::sample::select(NAMES), inner.clone()), 0..6).prop_map(
                |pairs| {
                    Value::Object(
                        pairs
                            .into_iter()
                            .map(|(k, v)| (k.to_owned(), v))
                            .collect::<Map<_, _>>(),
                    )
                }
            ),
            prop::collection::vec(inner, 0..4).prop_map(Value::Array),
        ]
    })
}

fn resource() -> impl Strategy<Value = Value> {
    (prop::sample::select(TYPES), element()).prop_map(|(t, body)| {
        let mut obj = match body {
            Value::Object(o) => o,
            other => Map::from_iter([("text".to_owned(), other)]),
        };
        obj.insert("resourceType".into(), json!(t));
        Value::Object(obj)
    })
}

fn bundle() -> impl Strategy<Value = Value> {
    prop::collection::vec(resource(), 0..6).prop_map(|rs| {
        json!({
            "resourceType": "Bundle",
            "type": "collection",
            "entry": rs.into_iter().map(|r| json!({"resource": r})).collect::<Vec<_>>(),
        })
    })
}

/// The same shapes as FHIR XML: elements with `value` attributes and children.
fn xml_of(name: &str, v: &Value, out: &mut String) {
    match v {
        Value::Object(o) => {
            out.push('<');
            out.push_str(name);
            out.push('>');
            for (k, child) in o {
                xml_of(k, child, out);
            }
            out.push_str("</");
            out.push_str(name);
            out.push('>');
        }
        Value::Array(items) => items.iter().for_each(|i| xml_of(name, i, out)),
        Value::Null => {}
        other => {
            let text = match other {
                Value::String(s) => s.clone(),
                x => x.to_string(),
            };
            let escaped = text
                .replace('&', "&amp;")
                .replace('"', "&quot;")
                .replace('<', "&lt;");
            out.push_str(&format!("<{name} value=\"{escaped}\"/>"));
        }
    }
}

fn map_whatever(text: &str) {
    if let Ok(doc) = parse_document(text) {
        let mut resources = vec![];
        expand("fuzz", doc, &mut resources);
        let now = Utc.with_ymd_and_hms(2026, 12, 3, 10, 0, 0).unwrap();
        let _ = map_resources(&resources, now, Actor::System("fuzz".into()));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn hardening_10_the_readers_take_any_text(text in "\\PC{0,300}") {
        let _ = parse_document(&text);
    }

    #[test]
    fn hardening_10_the_readers_take_markup_soup(
        text in "[<>{}\\[\\]\":,/= a-zA-Z0-9_&;!?-]{0,400}",
        json in any::<bool>(),
    ) {
        let text = if json { format!("{{{text}") } else { format!("<{text}") };
        let _ = parse_document(&text);
        let _ = parse_document_within(&text, Limits { max_depth: 5, max_elements: 20 });
    }

    #[test]
    fn hardening_10_generated_json_bundles_map_without_panic(b in bundle()) {
        map_whatever(&b.to_string());
    }

    #[test]
    fn hardening_10_generated_xml_bundles_map_without_panic(b in bundle()) {
        let mut xml = String::new();
        xml_of("Bundle", &b, &mut xml);
        let xml = xml.replacen("<Bundle>", "<Bundle xmlns=\"http://hl7.org/fhir\">", 1);
        map_whatever(&xml);
    }

    #[test]
    fn hardening_10_json_and_xml_read_the_same_elements(r in resource()) {
        // The two readers agree on what a generated resource holds.
        let mut xml = String::new();
        let name = r["resourceType"].as_str().unwrap().to_owned();
        xml_of(&name, &r, &mut xml);
        let from_json = parse_document(&r.to_string());
        let from_xml = parse_document(&xml);
        if let (Ok(j), Ok(x)) = (from_json, from_xml) {
            prop_assert_eq!(j.resource_type(), x.resource_type());
        }
    }
}
