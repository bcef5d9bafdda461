//! What staff write into the record, checked through the visibility and access rules: a new
//! consult shows its E/P lines online and never its S/O lines, a lab result waits for review,
//! bad input changes nothing, and the access administration drives `authorize` (R35, R37, R40,
//! R41, R53).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use inzage_domain::access::{OnlineChannel, Viewer, authorize};
use inzage_domain::codes::{ContactType, Nhg45Code};
use inzage_domain::entry::*;
use inzage_domain::time::start_of_local_day;
use inzage_domain::visibility::online_view;
use inzage_domain::*;

const PATIENT_BSN: &str = "123456782";
const PARENT_BSN: &str = "111222333";

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}
fn now() -> DateTime<Utc> {
    start_of_local_day(d(2026, 11, 23)) + Duration::hours(10)
}
fn gp() -> Author {
    Author {
        practitioner: Practitioner {
            id: PractitionerId::new("staff-gp").unwrap(),
            practice: Some(PracticeId::new("p").unwrap()),
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
        },
        at: now(),
    }
}
fn ids() -> impl FnMut(&str) -> String {
    let mut n = 0;
    move |kind| {
        n += 1;
        format!("{kind}-{n}")
    }
}
fn record(birth: NaiveDate) -> PatientRecord {
    let mut r = samples::heavy_record();
    r.patient.birth_date = birth;
    r.patient.online_consent = Some(OnlineConsent {
        portal: true,
        pgo: false,
        recorded_by: Actor::System("t".into()),
        recorded_at: Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0).unwrap(),
    });
    r
}
fn settings() -> PracticeSettings {
    PracticeSettings {
        online_access_under_16: true,
        ..PracticeSettings::default()
    }
}
fn consult(lines: &[(Soep, &str)]) -> NewContact {
    NewContact {
        contact_type: ContactType::parse("03").unwrap(),
        date: d(2026, 11, 23),
        episode: None,
        lines: lines
            .iter()
            .map(|(soep, text)| NewLine {
                soep: *soep,
                text: (*text).into(),
                icpc: None,
            })
            .collect(),
    }
}

#[test]
fn r07_r08_a_new_consult_shows_its_e_and_p_lines_online_never_s_and_o() {
    let mut r = record(d(1970, 1, 1));
    let c = add_contact(
        &mut r,
        consult(&[
            (Soep::S, "SUBJ-MARKER hoofdpijn"),
            (Soep::O, "OBJ-MARKER RR 140/90"),
            (Soep::E, "Spanningshoofdpijn"),
            (Soep::P, "Paracetamol zo nodig"),
            (Soep::S, "   "),
        ]),
        &gp(),
        &mut ids(),
    )
    .unwrap();
    assert!(validate::validate_record(&r).is_empty());
    let new: Vec<_> = r
        .journal
        .iter()
        .filter(|l| l.contact.as_ref() == Some(&c))
        .collect();
    assert_eq!(new.len(), 4, "the empty line is skipped");
    assert!(
        new.iter()
            .all(|l| l.author.as_ref().unwrap().as_str() == "staff-gp")
    );
    let view = online_view(&r, &settings(), now());
    let texts: Vec<&str> = view.journal.iter().map(|l| l.text.as_str()).collect();
    assert!(texts.contains(&"Spanningshoofdpijn"));
    assert!(texts.contains(&"Paracetamol zo nodig"));
    assert!(!texts.iter().any(|t| t.contains("MARKER")));
}

#[test]
fn a_consult_without_text_or_with_a_foreign_episode_changes_nothing() {
    let mut r = record(d(1970, 1, 1));
    let before = r.clone();
    assert_eq!(
        add_contact(&mut r, consult(&[(Soep::S, " ")]), &gp(), &mut ids()),
        Err(EntryError::Required("at least one SOEP line"))
    );
    let mut c = consult(&[(Soep::E, "x")]);
    c.episode = Some(EpisodeId::new("not-here").unwrap());
    assert!(matches!(
        add_contact(&mut r, c, &gp(), &mut ids()),
        Err(EntryError::Invalid(_))
    ));
    let mut c = consult(&[(Soep::E, "x")]);
    c.date = d(2026, 12, 25);
    assert!(add_contact(&mut r, c, &gp(), &mut ids()).is_err());
    assert_eq!(r, before);
}

#[test]
fn r26_a_registered_lab_result_waits_for_review_a_measurement_does_not() {
    let mut r = record(d(1970, 1, 1));
    let fields = |kind, value: &str| ResultFields {
        kind,
        code: Nhg45Code::parse("1744").unwrap(),
        name: "Test".into(),
        value: value.into(),
        unit: None,
        low: Some("3,5".into()),
        high: Some("5.5".into()),
        effective: now() - Duration::hours(2),
        episode: None,
    };
    let mut ids = ids();
    let lab = add_result(&mut r, fields(ResultKind::L, "4,2"), &gp(), &mut ids).unwrap();
    let own = add_result(&mut r, fields(ResultKind::D, "7.1"), &gp(), &mut ids).unwrap();
    assert!(validate::validate_record(&r).is_empty());
    let x = r.results.iter().find(|x| x.id == lab).unwrap();
    assert!(matches!(x.review, ReviewState::Pending { .. }));
    assert_eq!(x.range_position(), Some(RangePosition::Within));
    let view = online_view(&r, &settings(), now());
    assert!(!view.results.iter().any(|x| x.id == lab));
    assert!(view.results.iter().any(|x| x.id == own));
    // A reversed range is refused.
    let mut bad = fields(ResultKind::D, "1");
    bad.low = Some("9".into());
    assert!(add_result(&mut r, bad, &gp(), &mut ids).is_err());
}

#[test]
fn r23_a_work_note_is_its_authors_own_and_never_online() {
    let mut r = record(d(1970, 1, 1));
    let n = add_work_note(&mut r, "NOTE-MARKER", &gp(), &mut ids()).unwrap();
    let view = online_view(&r, &settings(), now());
    assert!(
        view.exclusion(visibility::ItemKind::WorkNote, n.as_str())
            .is_some(),
        "left out of the online view"
    );
    let mut other = gp();
    other.practitioner.id = PractitionerId::new("staff-other").unwrap();
    assert!(edit_work_note(&mut r, n.as_str(), "changed", &other).is_err());
    edit_work_note(&mut r, n.as_str(), "changed", &gp()).unwrap();
    assert_eq!(r.work_notes.last().unwrap().text, "changed");
}

#[test]
fn an_uploaded_letter_must_be_a_pdf() {
    let mut r = record(d(1970, 1, 1));
    let f = LetterFields {
        direction: LetterDirection::Incoming,
        letter_type: LetterType::SpecialistLetter,
        date: d(2026, 11, 20),
        title: "Brief cardioloog".into(),
        author: "Dr. Hart".into(),
        episode: None,
    };
    assert_eq!(
        add_letter(&mut r, f.clone(), b"GIF89a".to_vec(), &gp(), &mut ids()),
        Err(EntryError::Invalid("the file is not a PDF"))
    );
    assert_eq!(
        add_letter(&mut r, f.clone(), vec![], &gp(), &mut ids()),
        Err(EntryError::Required("a PDF file"))
    );
    let id = add_letter(&mut r, f, b"%PDF-1.7\n".to_vec(), &gp(), &mut ids()).unwrap();
    let l = r.letters.iter().find(|l| l.id == id).unwrap();
    assert_eq!(
        l.meta.source,
        Source::OtherProvider {
            name: "Dr. Hart".into()
        }
    );
}

#[test]
fn an_edit_changes_the_item_and_says_who_and_when() {
    let mut r = record(d(1970, 1, 1));
    let id = r.episodes[0].id.clone();
    let start = r.episodes[0].start;
    edit_episode(
        &mut r,
        id.as_str(),
        EpisodeFields {
            title: "Nieuwe titel".into(),
            icpc: Some(IcpcCode::parse("K86").unwrap()),
            icpc_display: Some("Hypertensie".into()),
            start,
            end: Some(PartialDate::Date(d(2026, 11, 1))),
            attentiewaarde: true,
        },
        &gp(),
    )
    .unwrap();
    let e = r.episode(&id).unwrap();
    assert_eq!(e.title, "Nieuwe titel");
    assert_eq!(e.meta.updated_at(), now());
    assert_eq!(
        e.meta.updated_by(),
        &Actor::Staff(PractitionerId::new("staff-gp").unwrap())
    );
    assert!(
        edit_episode(
            &mut r,
            "nope",
            EpisodeFields {
                title: "x".into(),
                icpc: None,
                icpc_display: None,
                start,
                end: None,
                attentiewaarde: false
            },
            &gp()
        ) == Err(EntryError::NotFound)
    );
}

#[test]
fn r53_consent_is_recorded_per_channel() {
    let mut r = record(d(1970, 1, 1));
    let me = Viewer::Patient {
        bsn: Bsn::parse(PATIENT_BSN).unwrap(),
    };
    let s = settings();
    assert!(authorize(&r, &me, OnlineChannel::Portal, &s, now()).is_ok());
    assert_eq!(
        authorize(&r, &me, OnlineChannel::Pgo, &s, now()).unwrap_err(),
        AccessDenied::NoOnlineConsent
    );
    set_online_consent(&mut r, OnlineChannel::Pgo, true, &gp());
    set_online_consent(&mut r, OnlineChannel::Portal, false, &gp());
    assert!(authorize(&r, &me, OnlineChannel::Pgo, &s, now()).is_ok());
    assert_eq!(
        authorize(&r, &me, OnlineChannel::Portal, &s, now()).unwrap_err(),
        AccessDenied::NoOnlineConsent
    );
    assert_eq!(
        r.patient.online_consent.as_ref().unwrap().recorded_at,
        now()
    );
}

fn parent(basis: RepresentationBasis, valid_to: Option<NaiveDate>) -> NewRepresentation {
    NewRepresentation {
        agent_bsn: Bsn::parse(PARENT_BSN).unwrap(),
        agent_name: HumanName {
            given: vec!["Pim".into()],
            initials: None,
            prefix: None,
            family: "Ouder".into(),
        },
        basis,
        valid_from: d(2026, 1, 1),
        valid_to,
        scope: None,
        evidence: "uittreksel gezagsregister".into(),
    }
}

#[test]
fn r40_r41_an_authorisation_needs_an_end_date_and_records_the_evidence_checked() {
    let mut r = record(d(1950, 1, 1));
    let mut no_evidence = parent(
        RepresentationBasis::WrittenAuthorisation,
        Some(d(2027, 1, 1)),
    );
    no_evidence.evidence = " ".into();
    assert!(add_representation(&mut r, no_evidence, &gp(), &mut ids()).is_err());
    assert!(
        add_representation(
            &mut r,
            parent(RepresentationBasis::WrittenAuthorisation, None),
            &gp(),
            &mut ids()
        )
        .is_err()
    );
    let id = add_representation(
        &mut r,
        parent(
            RepresentationBasis::WrittenAuthorisation,
            Some(d(2027, 1, 1)),
        ),
        &gp(),
        &mut ids(),
    )
    .unwrap();
    let rep = r.representations.iter().find(|x| x.id == id).unwrap();
    let ev = rep.evidence.as_ref().unwrap();
    assert_eq!(ev.kind, "uittreksel gezagsregister");
    assert_eq!(ev.checked_at, now());
    let carer = Viewer::Representative {
        bsn: Bsn::parse(PARENT_BSN).unwrap(),
        representation: id.clone(),
    };
    assert!(authorize(&r, &carer, OnlineChannel::Portal, &settings(), now()).is_ok());
    // The same authorisation twice is refused; revoking ends access at once.
    assert!(
        add_representation(
            &mut r,
            parent(
                RepresentationBasis::WrittenAuthorisation,
                Some(d(2027, 1, 1))
            ),
            &gp(),
            &mut ids()
        )
        .is_err()
    );
    revoke_representation(&mut r, id.as_str(), &gp()).unwrap();
    assert_eq!(
        authorize(&r, &carer, OnlineChannel::Portal, &settings(), now()).unwrap_err(),
        AccessDenied::RepresentationRevoked
    );
}

#[test]
fn r35_r37_a_child_of_13_consents_to_a_parents_access_and_can_withdraw_it() {
    let mut r = record(d(2013, 5, 1));
    let id = add_representation(
        &mut r,
        parent(RepresentationBasis::ParentalAuthority, None),
        &gp(),
        &mut ids(),
    )
    .unwrap();
    let viewer = Viewer::Representative {
        bsn: Bsn::parse(PARENT_BSN).unwrap(),
        representation: id.clone(),
    };
    let s = settings();
    assert_eq!(
        authorize(&r, &viewer, OnlineChannel::Portal, &s, now()).unwrap_err(),
        AccessDenied::ChildConsentMissing
    );
    set_child_consent(&mut r, id.as_str(), true, &gp()).unwrap();
    assert!(authorize(&r, &viewer, OnlineChannel::Portal, &s, now()).is_ok());
    set_child_consent(&mut r, id.as_str(), false, &gp()).unwrap();
    assert_eq!(
        authorize(&r, &viewer, OnlineChannel::Portal, &s, now()).unwrap_err(),
        AccessDenied::ChildConsentWithdrawn
    );
    assert!(
        set_child_consent(&mut r, id.as_str(), false, &gp()).is_err(),
        "nothing left to withdraw"
    );
}

#[test]
fn r48_a_repeat_prescription_is_a_new_agreement_and_ends_the_one_it_repeats() {
    let mut r = record(d(1970, 1, 1));
    // The heavy record's odd agreements run on (no end date).
    let current = r
        .medication
        .iter()
        .find(|m| m.period_end.is_none())
        .unwrap()
        .clone();
    let before = r.medication.len();
    let mut ids = ids();
    let new = repeat_medication(
        &mut r,
        current.id.as_str(),
        Some(" 2dd 1 "),
        &gp(),
        &mut ids,
    )
    .unwrap();
    assert_eq!(r.medication.len(), before + 1);
    let today = d(2026, 11, 23);
    let repeated = r.medication.iter().find(|m| m.id == new).unwrap();
    assert_eq!(repeated.product, current.product);
    assert_eq!(repeated.dosage_text, "2dd 1");
    assert_eq!(
        (repeated.period_start, repeated.period_end),
        (Some(today), None)
    );
    assert_eq!(
        repeated.prescriber.as_ref().map(|p| p.as_str()),
        Some("staff-gp")
    );
    let old = r.medication.iter().find(|m| m.id == current.id).unwrap();
    assert_eq!(old.period_end, Some(today));
    assert_eq!(old.meta.updated_at(), now());
    assert!(inzage_domain::validate::validate_record(&r).is_empty());
    // Without a new dosage the old one carries over.
    let again = repeat_medication(&mut r, new.as_str(), None, &gp(), &mut ids).unwrap();
    assert_eq!(
        r.medication
            .iter()
            .find(|m| m.id == again)
            .unwrap()
            .dosage_text,
        "2dd 1"
    );
    // A stopped medicine is not repeated; an unknown one is not found; nothing changes.
    let stopped = r
        .medication
        .iter()
        .find(|m| m.period_end.is_some_and(|e| e < today))
        .unwrap()
        .id
        .clone();
    let count = r.medication.len();
    assert_eq!(
        repeat_medication(&mut r, stopped.as_str(), None, &gp(), &mut ids),
        Err(EntryError::Invalid("the medication has ended"))
    );
    assert_eq!(
        repeat_medication(&mut r, "nope", None, &gp(), &mut ids),
        Err(EntryError::NotFound)
    );
    assert_eq!(r.medication.len(), count);
}
