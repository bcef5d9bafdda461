//! The official Nictiz qualification patient (GenPractData 2.0) through our import and our
//! visibility rules. The fixtures live in `../shared/conformance/` beside the repository.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, TimeZone, Utc};
use inzage_domain::time::local_date;
use inzage_domain::validate::validate_record;
use inzage_domain::visibility::online_view;
use inzage_domain::*;
use inzage_fhir::placeholders::substitute_dates;
use inzage_fhir::{Severity, expand, map_resources, parse_document};
use std::collections::HashSet;
use std::path::PathBuf;

fn load(now: DateTime<Utc>) -> inzage_fhir::Mapped {
    inzage_testkit::nictiz::mapped(now)
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap()
}

#[test]
fn nictiz_patient_imports_completely() {
    let m = load(now());
    let errors: Vec<_> = m
        .issues
        .iter()
        .filter(|i| i.severity == Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(m.records.len(), 1);
    let r = &m.records[0];
    assert!(validate_record(r).is_empty(), "{:?}", validate_record(r));
    assert_eq!(r.episodes.len(), 7);
    assert_eq!(r.problems.len(), 10);
    assert_eq!(r.contacts.len(), 18);
    assert_eq!(r.journal.len(), 57);
    let count = |s: Soep| r.journal.iter().filter(|l| l.soep == s).count();
    assert_eq!(
        (
            count(Soep::S),
            count(Soep::O),
            count(Soep::E),
            count(Soep::P)
        ),
        (16, 11, 15, 15)
    );
    assert_eq!(r.medication.len(), 6);
    let products: HashSet<_> = r
        .medication
        .iter()
        .map(|m| m.product.source_id.clone().unwrap())
        .collect();
    assert_eq!(products.len(), 6);
    assert!(
        r.medication
            .iter()
            .all(|m| !m.product.name.is_empty() && !m.product.codes.is_empty())
    );
    assert_eq!(r.allergies.len(), 1);
    assert_eq!(r.results.len(), 18);
    assert_eq!(r.alerts.len(), 3);
    assert_eq!(m.derived, 18, "the 18 Compositions are recognised as views");
    // Details that must survive the mapping.
    assert_eq!(r.patient.name.display(), "Jacqueline XXX_Cevat");
    assert!(r.patient.bsn.is_none(), "the fixture's BSN is masked");
    assert_eq!(r.practice.name, "Aesculaap");
    assert!(r.general_practitioner_present());
    let d02 = r
        .episodes
        .iter()
        .find(|e| e.id.as_str() == "gpdata-episodeofcare-icpc-d02")
        .unwrap();
    assert!(d02.attentiewaarde && d02.end.is_some());
    assert_eq!(d02.icpc.as_ref().unwrap().as_str(), "D02");
    let glucose = r
        .results
        .iter()
        .find(|x| x.code.as_str() == "3208")
        .unwrap();
    assert_eq!(glucose.kind, ResultKind::L);
    assert_eq!(glucose.range_position(), Some(RangePosition::Within));
}

trait GpPresent {
    fn general_practitioner_present(&self) -> bool;
}
impl GpPresent for PatientRecord {
    fn general_practitioner_present(&self) -> bool {
        self.patient
            .general_practitioner
            .as_ref()
            .is_some_and(|id| self.practitioner(id).is_some())
    }
}

#[test]
fn nictiz_patient_online_view_matches_the_qualification_counts() {
    let m = load(now());
    let r = &m.records[0];
    let v = online_view(r, &PracticeSettings::default(), now());
    assert_eq!(v.episodes.len(), 7, "R1-R4");
    assert!(
        v.episodes
            .iter()
            .all(|e| e.id.as_str() != "gpdata-episodeofcare-icpc-s04")
    );
    let count = |s: Soep| v.journal.iter().filter(|l| l.soep == s).count();
    assert_eq!(
        (
            count(Soep::S),
            count(Soep::O),
            count(Soep::E),
            count(Soep::P)
        ),
        (0, 0, 15, 15),
        "R5-R8"
    );
    assert_eq!(v.contacts.len(), 18);
    let meds: HashSet<&str> = v.medication.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(
        meds,
        HashSet::from([
            "gpdata-medicationrequest-contact04-ibuprofen",
            "gpdata-medicationrequest-contact06-paracetamol-codein",
            "gpdata-medicationrequest-contactmmk-salbutamol",
        ]),
        "R13-R14"
    );
    assert_eq!(v.allergies.len(), 1, "R15: inactive allergy still visible");
    assert_eq!(v.results.len(), 18, "R17-R18");
    assert!(v.held_results.is_empty());
    assert!(v.general_practitioner.is_some(), "R22");
}

#[test]
fn reimport_maps_identically() {
    let a = load(now());
    let b = load(now());
    assert_eq!(a.records, b.records);
}

/// The PDF/A qualification documents (data service 51): DocumentReferences become letters with
/// their PDF from the Binary they point at; only current versions are imported; the type and
/// class codes are kept; a PDF that is not in the import leaves the letter without document.
#[test]
fn documents_become_letters_with_their_pdf() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/conformance/nictiz/PDFA-3-0/Cert/_reference/resources");
    let today = local_date(now());
    let mut resources = vec![];
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for f in files {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        if ["Patient", "DocumentReference", "Binary"]
            .iter()
            .any(|t| name.starts_with(&format!("medmij-pdfa-{t}-")))
        {
            let text = substitute_dates(&std::fs::read_to_string(&f).unwrap(), today);
            expand(&name, parse_document(&text).unwrap(), &mut resources);
        }
    }
    let m = map_resources(&resources, now(), Actor::System("test".into()));
    assert!(
        m.issues.iter().all(|i| i.severity != Severity::Error),
        "{:#?}",
        m.issues
    );
    let letters = |id: &str| {
        let r = m
            .records
            .iter()
            .find(|r| r.patient.id.as_str() == id)
            .unwrap();
        assert!(validate_record(r).is_empty(), "{:?}", validate_record(r));
        r.letters.clone()
    };
    // Baltus: two documents with their PDFs, one pointing at a Binary that does not exist.
    let baltus = letters("example-pdfa-kwalificatie1");
    assert_eq!(baltus.len(), 3);
    let pdfs: Vec<&Letter> = baltus
        .iter()
        .filter(
            |l| matches!(&l.content, LetterContent::Pdf { bytes } if bytes.starts_with(b"%PDF")),
        )
        .collect();
    assert_eq!(pdfs.len(), 2);
    let discharge = baltus
        .iter()
        .find(|l| l.id.as_str() == "pdfa-documentreference1")
        .unwrap();
    assert_eq!(discharge.letter_type, LetterType::DischargeLetter);
    assert_eq!(discharge.author, "A.F. Snijder");
    assert_eq!(discharge.date, today - chrono::Days::new(355));
    let codes = discharge.document.as_ref().unwrap();
    assert_eq!(codes.type_code.as_ref().unwrap().code, "68688-1");
    assert_eq!(codes.class_code.as_ref().unwrap().code, "18842-5");
    assert!(m.issues.iter().any(
        |i| i.resource == "DocumentReference/pdfa-documentreference3"
            && i.message.contains("Binary/foutieve-en-onbekend-id")
    ));
    // Schulte: superseded and entered-in-error versions are not imported; a link elsewhere stays a link.
    let schulte = letters("example-pdfa-kwalificatie2");
    assert_eq!(schulte.len(), 1);
    assert!(
        matches!(&schulte[0].content, LetterContent::Reference { uri } if uri.starts_with("https://"))
    );
    for (doc, why) in [
        ("5", "entered in error"),
        ("6", "superseded"),
        ("7", "superseded"),
    ] {
        assert!(
            m.issues.iter().any(|i| i.resource
                == format!("DocumentReference/pdfa-documentreference{doc}")
                && i.severity == Severity::Warning
                && i.message.contains(why)),
            "{doc}"
        );
    }
    // Ellens: two documents with their PDFs.
    assert_eq!(letters("example-pdfa-kwalificatie3").len(), 2);

    // The same in JSON: the attachment's url and inline data.
    let json = r#"{"resourceType":"Bundle","type":"collection","entry":[
      {"resource":{"resourceType":"Patient","id":"p","birthDate":"1970-01-01"}},
      {"resource":{"resourceType":"DocumentReference","id":"d1","status":"current",
        "type":{"coding":[{"system":"http://loinc.org","code":"57133-1","display":"Referral note"}]},
        "class":{"coding":[{"system":"http://loinc.org","code":"57133-1"}]},
        "subject":{"reference":"Patient/p"},"indexed":"2026-01-02T10:00:00+01:00",
        "content":[{"attachment":{"contentType":"application/pdf","url":"Binary/b1"}}]}},
      {"resource":{"resourceType":"DocumentReference","id":"d2","status":"current",
        "subject":{"reference":"Patient/p"},"indexed":"2026-01-03T10:00:00+01:00","description":"Inline",
        "content":[{"attachment":{"contentType":"application/pdf","data":"JVBERi0xLjQK"}}]}},
      {"resource":{"resourceType":"Binary","id":"b1","contentType":"application/pdf","content":"JVBERi0xLjcK"}}]}"#;
    let mut resources = vec![];
    expand("inline.json", parse_document(json).unwrap(), &mut resources);
    let m = map_resources(&resources, now(), Actor::System("test".into()));
    let r = &m.records[0];
    assert_eq!(r.letters.len(), 2);
    assert_eq!(r.letters[0].letter_type, LetterType::ReferralLetter);
    assert_eq!(
        r.letters[0].content,
        LetterContent::Pdf {
            bytes: b"%PDF-1.7\n".to_vec()
        }
    );
    assert_eq!(
        r.letters[1].content,
        LetterContent::Pdf {
            bytes: b"%PDF-1.4\n".to_vec()
        }
    );
    assert_eq!(r.letters[1].title, "Inline");
    assert_eq!(r.letters[1].letter_type, LetterType::Other);
}
