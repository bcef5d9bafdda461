//! Writing the visible record as FHIR STU3 (GenPractData 2.0 shapes): the Nictiz qualification
//! patient gives the qualification's counts, every resource passes the generic assertions of the
//! qualification scripts, nothing hidden leaks, and our own export imports back to the same
//! visible record.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, TimeZone, Utc};
use inzage_domain::time::local_date;
use inzage_domain::visibility::online_view;
use inzage_domain::*;
use inzage_fhir::export::{GpResources, Json, collection, gp_resources, searchset};
use inzage_fhir::{expand, map_resources, parse_document};
use serde_json::Value;
use std::path::PathBuf;

fn nictiz_record() -> PatientRecord {
    inzage_testkit::nictiz::record(now())
}

fn nictiz_resources() -> Vec<(String, inzage_fhir::Node)> {
    inzage_testkit::nictiz::resources(now())
}

fn fingerprint(r: &PatientRecord) -> Vec<String> {
    inzage_testkit::visible_fingerprint(r, now())
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap()
}

/// The generic assertions of the qualification scripts, on one resource.
fn generic_assertions(r: &Value) {
    let ty = r["resourceType"].as_str().unwrap();
    let profiles = r["meta"]["profile"].as_array().unwrap();
    assert_eq!(profiles.len(), 1, "{ty}: one meta.profile");
    assert!(
        r["id"].as_str().is_some_and(|id| !id.is_empty()),
        "{ty}: id"
    );
    walk(r, &mut |path, v| {
        if let Some(o) = v.as_object() {
            if o.contains_key("reference") {
                assert!(
                    o.get("display")
                        .and_then(Value::as_str)
                        .is_some_and(|d| !d.is_empty()),
                    "{ty}{path}: reference without display"
                );
            }
            if let Some(codings) = o.get("coding").and_then(Value::as_array) {
                assert!(!codings.is_empty(), "{ty}{path}: empty coding");
                for c in codings {
                    assert!(
                        c["system"].as_str().is_some() && c["code"].as_str().is_some(),
                        "{ty}{path}: coding needs system and code"
                    );
                }
                let display = codings.iter().any(|c| c["display"].is_string());
                assert!(
                    display || o.contains_key("text") || o.contains_key("extension"),
                    "{ty}{path}: CodeableConcept without display or text"
                );
            }
            if o.get("system").and_then(Value::as_str)
                == Some("http://fhir.nl/fhir/NamingSystem/bsn")
            {
                panic!("{ty}{path}: a BSN identifier");
            }
        }
        if let Some(a) = v.as_array() {
            assert!(!a.is_empty(), "{ty}{path}: empty array");
        }
    });
}

fn walk(v: &Value, f: &mut dyn FnMut(&str, &Value)) {
    fn go(v: &Value, path: &mut String, f: &mut dyn FnMut(&str, &Value)) {
        f(path, v);
        match v {
            Value::Object(o) => {
                for (k, x) in o {
                    let len = path.len();
                    path.push('.');
                    path.push_str(k);
                    go(x, path, f);
                    path.truncate(len);
                }
            }
            Value::Array(a) => a.iter().for_each(|x| go(x, path, f)),
            _ => {}
        }
    }
    go(v, &mut String::new(), f);
}

fn exported(r: &PatientRecord) -> GpResources {
    let view = online_view(r, &PracticeSettings::default(), now());
    gp_resources(&view)
}

#[test]
fn the_qualification_patient_gives_the_qualification_counts() {
    let res = exported(&nictiz_record());
    assert_eq!(res.patient["id"], "gpdata-patient-kwalificatie1");
    assert!(
        res.patient["generalPractitioner"][0]["display"].is_string(),
        "R22"
    );
    assert_eq!(res.episodes.len(), 7);
    assert_eq!(res.encounters.len(), 18);
    assert_eq!(res.compositions.len(), 18);
    assert_eq!(res.results.len(), 18);
    assert_eq!(res.medication_requests.len(), 3);
    assert_eq!(res.medications.len(), 3);
    assert_eq!(res.allergies.len(), 1);
    // Compositions hold only E and P sections, each with a narrative; the E carries the ICPC.
    let mut e_sections = 0;
    for c in &res.compositions {
        for s in c["section"].as_array().unwrap() {
            let code = s["code"]["coding"][0]["code"].as_str().unwrap();
            assert!(code == "E" || code == "P", "{code}");
            assert!(
                s["text"]["div"]
                    .as_str()
                    .unwrap()
                    .starts_with("<div xmlns=")
            );
            if code == "E" {
                e_sections += 1;
            }
        }
    }
    assert_eq!(e_sections, 15);
    for r in res.all() {
        generic_assertions(&r.to_value());
    }
    // A searchset counts the matches only, and lists the includes after them.
    let meds: Vec<&Json> = res.medication_requests.iter().collect();
    let products: Vec<&Json> = res.medications.iter().collect();
    let b = searchset(
        &meds,
        &products,
        "https://xis.example/fhir",
        "https://xis.example/fhir/MedicationRequest?x=1",
    );
    assert_eq!(b["total"], 3);
    assert_eq!(b["entry"].as_array().unwrap().len(), 6);
    for e in b["entry"].as_array().unwrap() {
        let id = e["resource"]["id"].as_str().unwrap();
        assert!(e["fullUrl"].as_str().unwrap().starts_with("https://"));
        assert!(e["fullUrl"].as_str().unwrap().ends_with(id));
    }
}

/// A MedMij answer is written from the export's own tree (`Json`). The qualification patient's
/// resources as one searchset must be the very text the export wrote when it built
/// `serde_json::Value`s (`golden/nictiz-searchset.json`, written by that version, dd4f10c),
/// and each resource the text of its `Value`, which the XML writer and the copy read.
#[test]
fn a_resource_is_written_as_the_same_text_as_before() {
    let res = exported(&nictiz_record());
    let all = res.all();
    let links = [("self", "https://xis.example/fhir/Patient".to_owned())];
    let text = inzage_fhir::export::searchset_page_text(
        &all,
        &[],
        "https://xis.example/fhir",
        all.len(),
        &links,
    );
    let golden = include_str!("golden/nictiz-searchset.json");
    assert_eq!(text.len(), golden.len());
    assert!(text == golden, "the searchset differs from the golden text");
    for record in [nictiz_record(), samples::heavy_record()] {
        for r in exported(&record).all() {
            assert_eq!(
                serde_json::to_string(r).unwrap(),
                serde_json::to_string(&r.to_value()).unwrap()
            );
        }
    }
}

/// The searchset's text (what a MedMij search sends) is the text `serde_json` writes for the
/// same searchset as a `Value`: with matches and includes, text that must be escaped, links,
/// a base ending in a slash, and a page without entries.
#[test]
fn issue21_a_searchset_is_written_as_serde_json_writes_it() {
    use inzage_fhir::export::{searchset_page, searchset_page_text};
    let mut record = samples::heavy_record();
    // Lines a PGO sees: E and P lines from the journal's start date.
    let start = PracticeSettings::default().journal_start_date;
    let mut planted = 0;
    for l in record
        .journal
        .iter_mut()
        .filter(|l| matches!(l.soep, Soep::E | Soep::P) && l.date >= start)
        .take(40)
    {
        l.text = format!("{planted}: \"quoted\"\ttab\\ \u{1}\u{1f} ëç 😀\n{}", l.text);
        planted += 1;
    }
    assert_eq!(planted, 40);
    let res = exported(&record);
    let all = res.all();
    let (page, includes) = all.split_at(all.len() / 2);
    let links = [
        (
            "self",
            "https://xis.example/fhir/Observation?x=\"1\"".to_owned(),
        ),
        (
            "next",
            "https://xis.example/fhir/Observation?_offset=10".to_owned(),
        ),
    ];
    for (page, includes, base) in [
        (page, includes, "https://xis.example/fhir/"),
        (&all[..], &[][..], "https://xis.example/fhir"),
        (&[][..], &[][..], "https://xis.example/fhir"),
        (&[][..], includes, "https://xis.example/fhir"),
    ] {
        let text = searchset_page_text(page, includes, base, all.len(), &links);
        let value = searchset_page(page, includes, base, all.len(), &links);
        let want = serde_json::to_string(&value).unwrap();
        assert_eq!(text.len(), want.len());
        assert!(
            text == want,
            "the searchset's text differs from serde_json's"
        );
        if page.len() == all.len() {
            // The planted text is in the answer, escaped.
            for escaped in ["\\u0001", "\\u001f", "\\t", "\\n", "\\\"quoted\\\"", "😀"] {
                assert!(text.contains(escaped), "{escaped}");
            }
        }
    }
}

#[test]
fn r07_r08_r23_r29_nothing_hidden_is_written() {
    let mut r = samples::heavy_record();
    // Plant markers in what must never leave: S/O lines, a work note, a shielded line.
    let mut planted = 0;
    for l in r.journal.iter_mut() {
        if matches!(l.soep, Soep::S | Soep::O) {
            l.text = format!("MARKER-SO {}", l.text);
            planted += 1;
        }
    }
    assert!(planted > 0);
    let line = r.journal.iter_mut().find(|l| l.soep == Soep::E).unwrap();
    line.text = "MARKER-SHIELDED".into();
    line.meta.shield = Some(Box::new(Shield {
        reason: ShieldReason::NotYetDiscussed,
        text: "eerst bespreken".into(),
        by: Actor::System("gp".into()),
        at: now(),
    }));
    let gp = Practitioner {
        id: PractitionerId::new("gp").unwrap(),
        practice: Some(r.practice.id.clone()),
        name: HumanName {
            given: vec!["Anne".into()],
            initials: None,
            prefix: None,
            family: "Arts".into(),
        },
        agb: None,
        identifiers: vec![],
        roles: vec![StaffRole::Gp],
        contact: ContactDetails::default(),
    };
    r.practitioners.push(gp.clone());
    r.work_notes.push(WorkNote {
        id: WorkNoteId::new("note-1").unwrap(),
        author: gp.id,
        text: "MARKER-NOTE".into(),
        meta: ItemMeta::new(Actor::System("gp".into()), now()),
    });
    let text = serde_json::to_string(&collection(&exported(&r), "https://x.example/fhir")).unwrap();
    for marker in [
        "MARKER-SO",
        "MARKER-SHIELDED",
        "MARKER-NOTE",
        "123456782",
        "Subjectief",
        "Objectief",
    ] {
        assert!(!text.contains(marker), "{marker}");
    }
    assert!(text.contains("Evaluatie") && text.contains("Plan"));
}

#[test]
fn our_own_export_imports_back_to_the_same_visible_record() {
    for original in [nictiz_record(), samples::heavy_record()] {
        let bundle = collection(&exported(&original), "https://x.example/fhir");
        let text = serde_json::to_string_pretty(&bundle).unwrap();
        let mut resources = vec![];
        expand(
            "export.json",
            parse_document(&text).unwrap(),
            &mut resources,
        );
        let mut mapped = map_resources(&resources, now(), Actor::System("import".into()));
        let errors: Vec<_> = mapped
            .issues
            .iter()
            .filter(|i| i.severity == inzage_fhir::Severity::Error)
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
        assert_eq!(mapped.records.len(), 1);
        let back = mapped.records.remove(0);
        assert!(inzage_domain::validate::validate_record(&back).is_empty());
        let (a, b) = (fingerprint(&original), fingerprint(&back));
        let only_a: Vec<_> = a.iter().filter(|x| !b.contains(x)).take(5).collect();
        let only_b: Vec<_> = b.iter().filter(|x| !a.contains(x)).take(5).collect();
        assert!(
            only_a.is_empty() && only_b.is_empty(),
            "before only: {only_a:#?}\nafter only: {only_b:#?}"
        );
        assert!(a.len() > 50, "{}", a.len());
    }
}

/// The export, in JSON and in XML, checked by a FHIR library we did not write
/// (`tools/fhir-validate`: the STU3 models of the PyPI package fhir.resources). Skipped with a message when its virtualenv is missing,
/// unless `INZAGE_REQUIRE_PY_TOOLS=1` (as `.ci/run` sets it).
#[test]
fn an_independent_fhir_library_accepts_the_export() {
    let tools = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tools/fhir-validate");
    let python = tools.join(".venv/bin/python");
    if !python.exists() {
        assert!(
            std::env::var("INZAGE_REQUIRE_PY_TOOLS").is_err(),
            "tools/fhir-validate/.venv is required but missing"
        );
        eprintln!("SKIPPED: no tools/fhir-validate/.venv (see .ci/run)");
        return;
    }
    let dir = std::env::temp_dir().join(format!("inzage-fhir-validate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut files = vec![];
    for (name, record) in [
        ("nictiz", nictiz_record()),
        ("heavy", samples::heavy_record()),
    ] {
        let res = exported(&record);
        let base = "https://xis.example/fhir";
        let all: Vec<&Json> = res.all();
        for (kind, bundle) in [
            ("collection", collection(&res, base)),
            (
                "searchset",
                searchset(&all, &[], base, "https://xis.example/fhir/Patient"),
            ),
        ] {
            let path = dir.join(format!("{name}-{kind}.json"));
            std::fs::write(&path, serde_json::to_string(&bundle).unwrap()).unwrap();
            files.push(path);
            // The same bundle as FHIR XML: read by the library and checked for element order.
            let path = dir.join(format!("{name}-{kind}.xml"));
            std::fs::write(&path, inzage_fhir::xml::to_xml(&bundle).unwrap()).unwrap();
            files.push(path);
        }
    }
    // A broken resource must fail, or the check proves nothing.
    let broken = dir.join("broken.json");
    std::fs::write(
        &broken,
        r#"{"resourceType":"Observation","id":"x","status":"final","code":{"text":"x"},"valueQuantity":{"value":"abc"}}"#,
    )
    .unwrap();
    let out = std::process::Command::new(&python)
        .arg(tools.join("validate.py"))
        .args(&files)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("ok ")).count(),
        files.len()
    );
    // So must XML with two elements swapped.
    let swapped = dir.join("swapped.xml");
    std::fs::write(
        &swapped,
        r#"<Patient xmlns="http://hl7.org/fhir"><id value="p"/><birthDate value="1970-01-01"/><gender value="female"/></Patient>"#,
    )
    .unwrap();
    for bad in [&broken, &swapped] {
        let out = std::process::Command::new(&python)
            .arg(tools.join("validate.py"))
            .arg(bad)
            .output()
            .unwrap();
        assert!(
            !out.status.success(),
            "the validator accepted {}",
            bad.display()
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// The ids of the practitioners a resource refers to (`Practitioner/{id}` anywhere in it).
fn practitioners_referred(v: &Json, out: &mut Vec<String>) {
    if let Some(o) = v.as_object() {
        for (key, member) in o.iter() {
            match member
                .as_str()
                .and_then(|r| r.strip_prefix("Practitioner/"))
            {
                Some(id) if key == "reference" => out.push(id.to_owned()),
                _ => practitioners_referred(member, out),
            }
        }
    } else if let Some(items) = v.as_array() {
        items.iter().for_each(|x| practitioners_referred(x, out));
    }
}

/// The qualification patient with a practitioner of its own for each kind of reference: the
/// episodes' care manager, the alerts' author, every other contact's practitioner (the others'
/// reports take a line's author), the lines' author, the results' performer, the prescriber,
/// the allergies' recorder.
fn record_naming_practitioners() -> PatientRecord {
    let mut r = nictiz_record();
    let template = r.practitioners[0].clone();
    let mut named = |id: &str| {
        let id = PractitionerId::new(id).unwrap();
        r.practitioners.push(Practitioner {
            id: id.clone(),
            ..template.clone()
        });
        Some(id)
    };
    let (manager, alert_author, contact, author, performer, prescriber, recorder) = (
        named("p-manager"),
        named("p-alert-author"),
        named("p-contact"),
        named("p-author"),
        named("p-performer"),
        named("p-prescriber"),
        named("p-recorder"),
    );
    r.episodes
        .iter_mut()
        .for_each(|e| e.care_manager = manager.clone());
    r.alerts
        .iter_mut()
        .for_each(|a| a.author = alert_author.clone());
    for (i, c) in r.contacts.iter_mut().enumerate() {
        c.practitioner = if i % 2 == 0 { contact.clone() } else { None };
    }
    r.journal.iter_mut().for_each(|l| l.author = author.clone());
    r.results
        .iter_mut()
        .for_each(|x| x.performer = performer.clone());
    r.medication
        .iter_mut()
        .for_each(|m| m.prescriber = prescriber.clone());
    r.allergies
        .iter_mut()
        .for_each(|a| a.recorder = recorder.clone());
    r
}

/// Building one group (what a MedMij search answers with) gives exactly that group of the whole.
#[test]
fn one_group_is_built_exactly_as_in_the_whole() {
    use inzage_fhir::export::{Group, gp_resources_of};
    for record in [
        nictiz_record(),
        samples::heavy_record(),
        record_naming_practitioners(),
    ] {
        let view = online_view(&record, &PracticeSettings::default(), now());
        let all = gp_resources(&view);
        for group in Group::ALL {
            let one = gp_resources_of(&view, &[group]);
            assert_eq!(one.patient, all.patient);
            // The practitioners: the GP and those the group's items name, as in the whole.
            assert!(
                one.practitioners
                    .iter()
                    .all(|p| all.practitioners.contains(p))
            );
            if let Some(gp) = &view.patient.general_practitioner {
                assert!(one.practitioners.iter().any(|p| p["id"] == gp.as_str()));
            }
            // Every practitioner the group's resources refer to is built with it.
            let mut referred = vec![];
            for r in one.all() {
                practitioners_referred(r, &mut referred);
            }
            for id in referred {
                assert!(
                    one.practitioners.iter().any(|p| p["id"] == id.as_str()),
                    "{group:?} refers to Practitioner/{id}, not built"
                );
            }
            let (got, want) = match group {
                Group::Episodes => (
                    [&one.episodes, &one.conditions, &one.flags],
                    [&all.episodes, &all.conditions, &all.flags],
                ),
                Group::Encounters => ([&one.encounters; 3], [&all.encounters; 3]),
                Group::Compositions => ([&one.compositions; 3], [&all.compositions; 3]),
                Group::Journal => ([&one.journal; 3], [&all.journal; 3]),
                Group::Results => ([&one.results; 3], [&all.results; 3]),
                Group::Medication => (
                    [&one.medication_requests, &one.medications, &one.medications],
                    [&all.medication_requests, &all.medications, &all.medications],
                ),
                Group::Allergies => ([&one.allergies; 3], [&all.allergies; 3]),
                Group::Documents => ([&one.documents; 3], [&all.documents; 3]),
            };
            assert_eq!(got, want, "{group:?}");
            // And nothing else.
            let others = one.all().len() - 2 - one.practitioners.len();
            let own: usize = match group {
                Group::Episodes => one.episodes.len() + one.conditions.len() + one.flags.len(),
                Group::Encounters => one.encounters.len(),
                Group::Compositions => one.compositions.len(),
                Group::Journal => one.journal.len(),
                Group::Results => one.results.len(),
                Group::Medication => one.medication_requests.len() + one.medications.len(),
                Group::Allergies => one.allergies.len(),
                Group::Documents => one.documents.len(),
            };
            assert_eq!(others, own, "{group:?}");
        }
    }
}

/// A search builds only what it answers with beside its groups (`Frame`): what it builds is
/// exactly what the whole build has, and what it leaves out is empty.
#[test]
fn issue21_only_the_frame_asked_for_is_built_and_built_as_in_the_whole() {
    use inzage_fhir::export::{Frame, Group, Json, gp_resources_for, gp_resources_of};
    for record in [nictiz_record(), samples::heavy_record()] {
        let view = online_view(&record, &PracticeSettings::default(), now());
        for groups in [&[][..], &[Group::Results], &Group::ALL] {
            let whole = gp_resources_of(&view, groups);
            assert!(whole.patient != Json::Null && whole.organization != Json::Null);
            // The qualification patient has a GP; the heavy record names no practitioner.
            assert_eq!(
                whole.practitioners.is_empty(),
                record.patient.general_practitioner.is_none()
            );
            for patient in [false, true] {
                for organization in [false, true] {
                    for practitioners in [false, true] {
                        let frame = Frame {
                            patient,
                            organization,
                            practitioners,
                        };
                        let some = gp_resources_for(&view, groups, frame);
                        let or_empty = |built: bool, r: &Json| {
                            if built { r.clone() } else { Json::Null }
                        };
                        assert_eq!(some.patient, or_empty(patient, &whole.patient));
                        assert_eq!(
                            some.organization,
                            or_empty(organization, &whole.organization)
                        );
                        if practitioners {
                            assert_eq!(some.practitioners, whole.practitioners);
                        } else {
                            assert!(some.practitioners.is_empty());
                        }
                        // The groups themselves are the same whatever the frame.
                        assert_eq!(some.results, whole.results);
                        assert_eq!(some.episodes, whole.episodes);
                        assert_eq!(some.encounters, whole.encounters);
                        assert_eq!(some.compositions, whole.compositions);
                        assert_eq!(some.medication_requests, whole.medication_requests);
                        assert_eq!(some.documents, whole.documents);
                    }
                }
            }
            let none = gp_resources_for(&view, groups, Frame::NONE);
            assert_eq!(
                none.all().len() - 2,
                whole.all().len() - 2 - whole.practitioners.len()
            );
        }
    }
}

/// A view of only the parts a search needs (`Group::parts`) builds exactly the resources of the
/// whole view: the references between groups (an episode, an encounter) included. On the
/// qualification patient and on a heavy record with items of every kind left out for a reason,
/// for every group set a MedMij search or read asks for.
#[test]
fn r73_the_parts_a_group_needs_build_it_as_the_whole_view_does() {
    use inzage_domain::access::{OnlineChannel, Viewer};
    use inzage_fhir::export::{Group, gp_resources_of};
    let sets: Vec<Vec<Group>> = [
        vec![],
        vec![Group::Results, Group::Journal],
        Group::ALL.to_vec(),
    ]
    .into_iter()
    .chain(Group::ALL.iter().map(|g| vec![*g]))
    .collect();
    let mut seen = std::collections::BTreeSet::new();
    for mut record in [nictiz_record(), samples::varied_record()] {
        record.patient.online_consent = Some(OnlineConsent {
            portal: true,
            pgo: true,
            recorded_by: Actor::System("test".into()),
            recorded_at: Utc.with_ymd_and_hms(2000, 1, 1, 0, 0, 0).unwrap(),
        });
        // The qualification patient's BSN is not in the fixtures.
        let bsn = record
            .patient
            .bsn
            .get_or_insert(Bsn::parse("123456782").unwrap());
        let me = Viewer::Patient { bsn: bsn.clone() };
        let s = PracticeSettings::default();
        for at in [now(), Utc.with_ymd_and_hms(2016, 5, 1, 10, 0, 0).unwrap()] {
            let whole = visible_record(&record, &me, OnlineChannel::Pgo, &s, at).unwrap();
            for groups in &sets {
                let parts = Group::parts(groups);
                let view = visible_parts(&record, &me, OnlineChannel::Pgo, &s, at, parts).unwrap();
                assert_eq!(
                    gp_resources_of(&view, groups),
                    gp_resources_of(&whole, groups),
                    "{groups:?} at {at}"
                );
            }
            let all = gp_resources_of(&whole, &Group::ALL);
            for (name, group) in [
                ("episodes", &all.episodes),
                ("conditions", &all.conditions),
                ("flags", &all.flags),
                ("encounters", &all.encounters),
                ("compositions", &all.compositions),
                ("journal", &all.journal),
                ("results", &all.results),
                ("medication", &all.medication_requests),
                ("allergies", &all.allergies),
                ("documents", &all.documents),
            ] {
                if !group.is_empty() {
                    seen.insert(name);
                }
            }
        }
    }
    // Not a comparison of empty groups: every group had resources somewhere.
    assert_eq!(seen.len(), 10, "{seen:?}");
}

/// Finding 8 of the hardening issue: what the source had is kept. For every resource of the
/// qualification patient that we write back under its own id, the business identifiers, the
/// whole structured dosage (timing, dose, as needed, additional instructions with their text,
/// route), the body site and the kind of reference range are the source's, element for element.
#[test]
fn hardening_8_the_export_keeps_identifiers_dosage_body_site_and_range_type() {
    let source = nictiz_resources();
    // The full copy: every item, also those not shown online.
    let record = nictiz_record();
    let copy = inzage_domain::visibility::full_copy(&record, &PracticeSettings::default(), now());
    let res = gp_resources(&copy.to_view(local_date(now())));
    // Ours, written as FHIR XML and read back: the same element tree as the source's.
    let ours: Vec<inzage_fhir::Node> = res
        .all()
        .into_iter()
        .map(|r| parse_document(&inzage_fhir::xml::to_xml(&r.to_value()).unwrap()).unwrap())
        .collect();
    let find = |ty: &str, id: &str| {
        ours.iter()
            .find(|n| n.resource_type() == ty && n.id() == Some(id))
    };
    let parts = |n: &inzage_fhir::Node, name: &str| -> Vec<inzage_fhir::Node> {
        n.children(name).cloned().collect()
    };
    let mut checked = std::collections::BTreeMap::<&str, usize>::new();
    for (file, n) in &source {
        let (ty, Some(id)) = (n.resource_type(), n.id()) else {
            continue;
        };
        let Some(mine) = find(ty, id) else { continue };
        // Never a BSN: the patient is known from the login (MedMij), not from the data.
        let want: Vec<_> = parts(n, "identifier")
            .into_iter()
            .filter(|i| i.str("system") != Some("http://fhir.nl/fhir/NamingSystem/bsn"))
            .collect();
        if !want.is_empty() {
            assert_eq!(parts(mine, "identifier"), want, "{file}: identifier");
            *checked.entry("identifier").or_default() += 1;
        }
        for element in ["dosageInstruction", "bodySite"] {
            let want = parts(n, element);
            if !want.is_empty() {
                assert_eq!(parts(mine, element), want, "{file}: {element}");
                *checked.entry(element).or_default() += 1;
            }
        }
        for (range, mine_range) in n
            .children("referenceRange")
            .zip(mine.children("referenceRange"))
        {
            assert_eq!(
                range.child("type"),
                mine_range.child("type"),
                "{file}: referenceRange.type"
            );
            if range.child("type").is_some() {
                *checked.entry("referenceRange.type").or_default() += 1;
            }
        }
    }
    // The fixtures hold each of these; a check that found none would prove nothing.
    for (what, at_least) in [
        ("identifier", 20),
        ("dosageInstruction", 6),
        ("bodySite", 4),
        ("referenceRange.type", 1),
    ] {
        assert!(
            checked.get(what).copied().unwrap_or_default() >= at_least,
            "{what}: {checked:?}"
        );
    }
}
