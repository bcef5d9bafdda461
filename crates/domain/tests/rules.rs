//! The visibility and access rules, one test per rule of `spec/requirements.md` (R1-R46), with
//! the clock and settings injected and boundaries tested on the exact day.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use inzage_domain::access::{OnlineChannel, Viewer};
use inzage_domain::codes::{ContactType, Nhg45Code, Ucum};
use inzage_domain::time::start_of_local_day;
use inzage_domain::visibility::{ExclusionReason as X, ItemKind, online_view, present};
use inzage_domain::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}
/// Midday in Amsterdam on a date: unambiguous for calendar rules.
fn noon(date: NaiveDate) -> DateTime<Utc> {
    start_of_local_day(date) + chrono::Duration::hours(12)
}
fn meta() -> ItemMeta {
    ItemMeta::new(
        Actor::System("test".into()),
        Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0).unwrap(),
    )
}
fn shield(reason: ShieldReason) -> ItemMeta {
    let mut m = meta();
    m.shield = Some(Box::new(Shield {
        reason,
        text: "reden".into(),
        by: Actor::System("gp".into()),
        at: Utc::now(),
    }));
    m
}
const PATIENT_BSN: &str = "123456782";
const PARENT_BSN: &str = "111222333";

fn record(birth: NaiveDate) -> PatientRecord {
    let practice = Practice {
        id: PracticeId::new("p").unwrap(),
        name: "Praktijk".into(),
        agb: None,
        identifiers: vec![],
        address: None,
        contact: ContactDetails::default(),
    };
    let gp = Practitioner {
        id: PractitionerId::new("gp").unwrap(),
        practice: Some(practice.id.clone()),
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
    let patient = Patient {
        id: PatientId::new("pat").unwrap(),
        practice: practice.id.clone(),
        bsn: Some(Bsn::parse(PATIENT_BSN).unwrap()),
        name: HumanName {
            given: vec!["Sam".into()],
            initials: None,
            prefix: None,
            family: "Test".into(),
        },
        birth_date: birth,
        gender: Gender::Other,
        address: None,
        contact: ContactDetails::default(),
        general_practitioner: Some(gp.id.clone()),
        online_consent: Some(OnlineConsent {
            portal: true,
            pgo: true,
            recorded_by: Actor::System("t".into()),
            recorded_at: Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0).unwrap(),
        }),
        wants_results_immediately: false,
        exchange_consent: vec![],
        meta: meta(),
    };
    let mut r = PatientRecord::new(patient, practice);
    r.practitioners.push(gp);
    r
}
fn adult() -> PatientRecord {
    record(d(1970, 5, 17))
}
fn episode(r: &mut PatientRecord, id: &str, end: Option<NaiveDate>, attention: bool) {
    r.episodes.push(Episode {
        id: EpisodeId::new(id).unwrap(),
        title: format!("titel {id}"),
        icpc: IcpcCode::parse("K86").ok(),
        icpc_display: Some("Hypertensie zonder orgaanbeschadiging".into()),
        start: PartialDate::Date(d(2019, 1, 1)),
        end: end.map(PartialDate::Date),
        attentiewaarde: attention,
        first_encounter: None,
        last_encounter: None,
        problem: None,
        care_manager: None,
        meta: meta(),
    });
}
fn contact(r: &mut PatientRecord, id: &str, ty: &str, date: NaiveDate) {
    r.contacts.push(Contact {
        id: ContactId::new(id).unwrap(),
        contact_type: ContactType::parse(ty).unwrap(),
        date,
        end: None,
        practitioner: None,
        episode: None,
        patient_took_part: None,
        meta: meta(),
    });
}
fn line(
    r: &mut PatientRecord,
    id: &str,
    soep: Soep,
    date: NaiveDate,
    contact: Option<&str>,
    episode: Option<&str>,
) {
    r.journal.push(JournalLine {
        id: JournalLineId::new(id).unwrap(),
        soep,
        text: format!("tekst {id}"),
        icpc: None,
        icpc_display: None,
        date,
        contact: contact.map(|c| ContactId::new(c).unwrap()),
        episode: episode.map(|e| EpisodeId::new(e).unwrap()),
        author: None,
        meta: meta(),
    });
}
fn result(
    r: &mut PatientRecord,
    id: &str,
    kind: ResultKind,
    effective: DateTime<Utc>,
    review: ReviewState,
) {
    r.results.push(LabResult {
        id: ResultId::new(id).unwrap(),
        kind,
        code: Nhg45Code::parse("3208").unwrap(),
        name: "glucose nuchter".into(),
        other_codes: vec![],
        value: ResultValue::Quantity {
            value: Decimal::parse("7.1").unwrap(),
            unit: Ucum::parse("mmol/L").ok(),
        },
        reference_range: Some(Box::new(ReferenceRange {
            low: Decimal::parse("3.5").ok(),
            high: Decimal::parse("5.6").ok(),
            text: None,
            kind: None,
        })),
        body_site: None,
        interpretation: None,
        effective,
        review,
        patient_comment: None,
        performer: None,
        contact: None,
        episode: None,
        meta: meta(),
    });
}
fn released() -> ReviewState {
    ReviewState::Released {
        by: Actor::System("gp".into()),
        at: Utc::now(),
    }
}
fn medication(r: &mut PatientRecord, id: &str, end: Option<NaiveDate>) {
    r.medication.push(MedicationAgreement {
        id: MedicationId::new(id).unwrap(),
        product: Product {
            source_id: None,
            name: "PARACETAMOL".into(),
            codes: vec![],
        },
        dosage_text: "zo nodig".into(),
        dosage_codes: vec![],
        dosage: Default::default(),
        period_start: Some(d(2024, 1, 1)),
        period_end: end,
        authored_on: None,
        prescriber: None,
        contact: None,
        episode: None,
        meta: meta(),
    });
}
fn letter(r: &mut PatientRecord, id: &str, ty: LetterType, date: NaiveDate) {
    r.letters.push(Letter {
        id: LetterId::new(id).unwrap(),
        direction: LetterDirection::Incoming,
        letter_type: ty,
        date,
        title: "Brief".into(),
        author: "Specialist".into(),
        content: LetterContent::Reference {
            uri: "urn:x".into(),
        },
        episode: None,
        document: None,
        meta: meta(),
    });
}
fn ids<T>(items: &[&T], id: impl Fn(&T) -> String) -> Vec<String> {
    items.iter().map(|x| id(x)).collect()
}
fn settings() -> PracticeSettings {
    PracticeSettings::default()
}
const TODAY: (i32, u32, u32) = (2026, 11, 23);
fn today() -> NaiveDate {
    d(TODAY.0, TODAY.1, TODAY.2)
}

// ---- A. the data set ----

#[test]
fn r01_active_episode_visible() {
    let mut r = adult();
    episode(&mut r, "e1", None, false);
    episode(&mut r, "e2", Some(d(2030, 1, 1)), false); // ends in the future: still active
    assert_eq!(
        online_view(&r, &settings(), noon(today())).episodes.len(),
        2
    );
}

#[test]
fn r02_closed_episode_with_attentiewaarde_visible() {
    let mut r = adult();
    episode(&mut r, "e1", Some(d(2025, 1, 1)), true);
    assert_eq!(
        online_view(&r, &settings(), noon(today())).episodes.len(),
        1
    );
}

#[test]
fn r03_closed_episode_without_attentiewaarde_hidden() {
    let mut r = adult();
    episode(&mut r, "e1", Some(d(2025, 1, 1)), false);
    line(&mut r, "s", Soep::S, d(2024, 6, 1), None, Some("e1")); // an S line does not make it visible
    let v = online_view(&r, &settings(), noon(today()));
    assert!(v.episodes.is_empty());
    assert_eq!(
        v.exclusion(ItemKind::Episode, "e1"),
        Some(X::ClosedEpisodeWithoutAttention)
    );
}

#[test]
fn r04_closed_episode_with_visible_ep_line_visible() {
    let mut r = adult();
    episode(&mut r, "e1", Some(d(2025, 1, 1)), false);
    line(&mut r, "p", Soep::P, d(2024, 6, 1), None, Some("e1"));
    assert_eq!(
        online_view(&r, &settings(), noon(today())).episodes.len(),
        1
    );
    // ...but not when the only E/P line is from before the start date.
    let mut r = adult();
    episode(&mut r, "e1", Some(d(2025, 1, 1)), false);
    line(&mut r, "p", Soep::P, d(2019, 6, 1), None, Some("e1"));
    assert!(
        online_view(&r, &settings(), noon(today()))
            .episodes
            .is_empty()
    );
}

#[test]
fn r05_r06_ep_lines_from_start_date_visible() {
    let mut r = adult();
    line(&mut r, "e", Soep::E, d(2020, 7, 1), None, None);
    line(&mut r, "p", Soep::P, d(2020, 7, 1), None, None);
    assert_eq!(online_view(&r, &settings(), noon(today())).journal.len(), 2);
}

#[test]
fn r07_s_lines_never_visible() {
    let mut r = adult();
    line(&mut r, "s", Soep::S, d(2025, 1, 1), None, None);
    let v = online_view(&r, &settings(), noon(today()));
    assert!(v.journal.is_empty());
    assert_eq!(
        v.exclusion(ItemKind::JournalLine, "s"),
        Some(X::SubjectiveLine)
    );
}

#[test]
fn r08_o_lines_never_visible() {
    let mut r = adult();
    line(&mut r, "o", Soep::O, d(2025, 1, 1), None, None);
    let v = online_view(&r, &settings(), noon(today()));
    assert!(v.journal.is_empty());
    assert_eq!(
        v.exclusion(ItemKind::JournalLine, "o"),
        Some(X::ObjectiveLine)
    );
}

#[test]
fn r09_ep_lines_before_start_date_hidden_boundary() {
    let mut r = adult();
    line(&mut r, "before", Soep::E, d(2020, 6, 30), None, None);
    line(&mut r, "on", Soep::E, d(2020, 7, 1), None, None);
    let v = online_view(&r, &settings(), noon(today()));
    assert_eq!(ids(&v.journal, |l| l.id.to_string()), vec!["on"]);
    assert_eq!(
        v.exclusion(ItemKind::JournalLine, "before"),
        Some(X::BeforeJournalStartDate {
            start: d(2020, 7, 1)
        })
    );
    // The start date is a setting.
    let s = PracticeSettings {
        journal_start_date: d(2020, 6, 30),
        ..settings()
    };
    assert_eq!(online_view(&r, &s, noon(today())).journal.len(), 2);
}

#[test]
fn r09_the_date_is_the_dutch_calendar_date() {
    // 23:30 UTC on 30 June 2020 is 1 July in Amsterdam: a view "now" then counts that day.
    let now = Utc.with_ymd_and_hms(2020, 6, 30, 23, 30, 0).unwrap();
    assert_eq!(time::local_date(now), d(2020, 7, 1));
}

#[test]
fn r10_contact_without_patient_hidden() {
    let mut r = adult();
    contact(&mut r, "phone-relative", "09", d(2025, 1, 1)); // contact met derde
    contact(&mut r, "consult", "03", d(2025, 1, 2));
    line(
        &mut r,
        "a",
        Soep::E,
        d(2025, 1, 1),
        Some("phone-relative"),
        None,
    );
    line(&mut r, "b", Soep::P, d(2025, 1, 2), Some("consult"), None);
    let v = online_view(&r, &settings(), noon(today()));
    assert_eq!(ids(&v.journal, |l| l.id.to_string()), vec!["b"]);
    assert_eq!(
        v.exclusion(ItemKind::JournalLine, "a"),
        Some(X::ContactWithoutPatient)
    );
    assert_eq!(
        v.exclusion(ItemKind::Contact, "phone-relative"),
        Some(X::ContactWithoutPatient)
    );
    // Staff can override per contact, both ways.
    r.contacts[0].patient_took_part = Some(true);
    r.contacts[1].patient_took_part = Some(false);
    let v = online_view(&r, &settings(), noon(today()));
    assert_eq!(ids(&v.journal, |l| l.id.to_string()), vec!["a"]);
}

#[test]
fn r11_r12_treatments_and_prophylaxis_visible() {
    let mut r = adult();
    r.treatments.push(Treatment {
        id: TreatmentId::new("t").unwrap(),
        code: None,
        description: "Wrat aangestipt".into(),
        date: PartialDate::Year(2018),
        episode: None,
        meta: meta(),
    });
    r.prophylaxis.push(Prophylaxis {
        id: ProphylaxisId::new("f").unwrap(),
        code: None,
        description: "Griepvaccinatie".into(),
        date: PartialDate::Year(2018),
        meta: meta(),
    });
    let v = online_view(&r, &settings(), noon(today()));
    assert_eq!((v.treatments.len(), v.prophylaxis.len()), (1, 1));
}

#[test]
fn r13_r14_current_medication_only() {
    let mut r = adult();
    medication(&mut r, "open", None);
    medication(&mut r, "ends-today", Some(today()));
    medication(&mut r, "ended-yesterday", Some(today() - Days::new(1)));
    let v = online_view(&r, &settings(), noon(today()));
    assert_eq!(
        ids(&v.medication, |m| m.id.to_string()),
        vec!["open", "ends-today"]
    );
    assert_eq!(
        v.exclusion(ItemKind::Medication, "ended-yesterday"),
        Some(X::MedicationEnded {
            on: today() - Days::new(1)
        })
    );
}

#[test]
fn r15_r16_allergies_including_inactive_and_contra_indications_visible() {
    let mut r = adult();
    r.allergies.push(Allergy {
        id: AllergyId::new("a").unwrap(),
        substance: Coding::new("urn:x", "1", Some("Prednisolon")),
        category: AllergyCategory::Medication,
        criticality: Some(Criticality::High),
        status: AllergyStatus::Inactive,
        onset: None,
        reaction: None,
        reaction_codes: vec![],
        note: None,
        recorder: None,
        meta: meta(),
    });
    r.contra_indications.push(ContraIndication {
        id: ContraIndicationId::new("c").unwrap(),
        code: Coding::new("urn:x", "8011", Some("Nierfunctiestoornis")),
        start: None,
        end: None,
        meta: meta(),
    });
    let v = online_view(&r, &settings(), noon(today()));
    assert_eq!((v.allergies.len(), v.contra_indications.len()), (1, 1));
}

#[test]
fn r17_r18_r19_results_window_boundary() {
    let mut r = adult();
    let cutoff = d(2025, 9, 23); // 14 months before 23 November 2026
    result(
        &mut r,
        "exactly-14-months",
        ResultKind::L,
        noon(cutoff),
        released(),
    );
    result(
        &mut r,
        "one-day-older",
        ResultKind::L,
        noon(cutoff - Days::new(1)),
        released(),
    );
    result(
        &mut r,
        "measurement",
        ResultKind::D,
        noon(today() - Days::new(3)),
        released(),
    );
    let v = online_view(&r, &settings(), noon(today()));
    assert_eq!(
        ids(&v.results, |x| x.id.to_string()),
        vec!["exactly-14-months", "measurement"]
    );
    assert_eq!(
        v.exclusion(ItemKind::Result, "one-day-older"),
        Some(X::OutsideResultsWindow { cutoff })
    );
}

#[test]
fn r20_r21_letters_from_correspondence_start_date() {
    let mut r = adult();
    letter(
        &mut r,
        "before",
        LetterType::SpecialistLetter,
        d(2020, 6, 30),
    );
    letter(&mut r, "on", LetterType::SpecialistLetter, d(2020, 7, 1));
    letter(
        &mut r,
        "referral",
        LetterType::ReferralLetter,
        d(2024, 1, 1),
    );
    letter(
        &mut r,
        "radiology",
        LetterType::RadiologyReport,
        d(2024, 1, 1),
    );
    letter(&mut r, "insurer", LetterType::Other, d(2024, 1, 1));
    let v = online_view(&r, &settings(), noon(today()));
    assert_eq!(
        ids(&v.letters, |l| l.id.to_string()),
        vec!["on", "referral", "radiology"]
    );
    assert_eq!(
        v.exclusion(ItemKind::Letter, "before"),
        Some(X::BeforeCorrespondenceStartDate {
            start: d(2020, 7, 1)
        })
    );
    assert_eq!(
        v.exclusion(ItemKind::Letter, "insurer"),
        Some(X::LetterTypeNotOnline)
    );
}

#[test]
fn r22_demographics_and_gp_visible() {
    let r = adult();
    let v = online_view(&r, &settings(), noon(today()));
    assert_eq!(v.patient.id.as_str(), "pat");
    assert_eq!(v.general_practitioner.unwrap().id.as_str(), "gp");
}

#[test]
fn r23_work_notes_never_visible_nor_copied() {
    let mut r = adult();
    r.work_notes.push(WorkNote {
        id: WorkNoteId::new("w").unwrap(),
        author: PractitionerId::new("gp").unwrap(),
        text: "privé".into(),
        meta: meta(),
    });
    let v = online_view(&r, &settings(), noon(today()));
    assert_eq!(
        v.exclusion(ItemKind::WorkNote, "w"),
        Some(X::PersonalWorkNote)
    );
    let copy = full_copy(&r, &settings(), noon(today()));
    assert!(
        copy.left_out
            .iter()
            .any(|e| e.item.id == "w" && e.reason == X::PersonalWorkNote)
    );
}

// ---- B. release and shielding ----

#[test]
fn r26_held_result_is_a_placeholder_until_day_7() {
    let mut r = adult();
    let received = noon(d(2026, 11, 16));
    result(
        &mut r,
        "lab",
        ResultKind::L,
        received,
        ReviewState::Pending {
            received_at: received,
        },
    );
    let day6 = online_view(&r, &settings(), noon(d(2026, 11, 22)));
    assert!(day6.results.is_empty());
    assert_eq!(day6.held_results.len(), 1);
    assert_eq!(day6.held_results[0].available_from, d(2026, 11, 23));
    assert_eq!(
        day6.exclusion(ItemKind::Result, "lab"),
        Some(X::NotYetReleased {
            available_from: d(2026, 11, 23)
        })
    );
    let day7 = online_view(&r, &settings(), noon(d(2026, 11, 23)));
    assert_eq!(day7.results.len(), 1);
    assert!(day7.held_results.is_empty());
}

#[test]
fn r26_placeholder_may_omit_the_test_name_and_never_has_a_value() {
    let mut r = adult();
    let received = noon(today());
    result(
        &mut r,
        "lab",
        ResultKind::L,
        received,
        ReviewState::Pending {
            received_at: received,
        },
    );
    let s = PracticeSettings {
        held_result_placeholder_names_test: false,
        ..settings()
    };
    let v = online_view(&r, &s, noon(today()));
    assert_eq!(v.held_results[0].test_name, None);
    assert!(v.results.is_empty());
}

#[test]
fn r26_delay_zero_releases_at_once_and_gp_release_is_immediate() {
    let mut r = adult();
    let received = noon(today());
    result(
        &mut r,
        "pending",
        ResultKind::L,
        received,
        ReviewState::Pending {
            received_at: received,
        },
    );
    result(&mut r, "released", ResultKind::L, received, released());
    let v = online_view(&r, &settings(), noon(today()));
    assert_eq!(ids(&v.results, |x| x.id.to_string()), vec!["released"]);
    let s = PracticeSettings {
        result_release_delay_days: 0,
        ..settings()
    };
    assert_eq!(online_view(&r, &s, noon(today())).results.len(), 2);
}

#[test]
fn r26_patient_may_choose_immediate_results_when_the_practice_allows() {
    let mut r = adult();
    let received = noon(today());
    result(
        &mut r,
        "pending",
        ResultKind::L,
        received,
        ReviewState::Pending {
            received_at: received,
        },
    );
    r.patient.wants_results_immediately = true;
    assert!(
        online_view(&r, &settings(), noon(today()))
            .results
            .is_empty(),
        "practice does not allow it"
    );
    let s = PracticeSettings {
        patients_may_choose_immediate_results: true,
        ..settings()
    };
    assert_eq!(online_view(&r, &s, noon(today())).results.len(), 1);
}

#[test]
fn r26_the_choice_is_made_by_choose_result_timing_and_only_where_offered() {
    use inzage_domain::edit::{EditError, choose_result_timing};
    let mut r = adult();
    let received = noon(today());
    result(
        &mut r,
        "pending",
        ResultKind::L,
        received,
        ReviewState::Pending {
            received_at: received,
        },
    );
    let by = Actor::System("portal".into());
    // Not offered: "immediately" is refused and nothing changes; "after the GP" always works.
    assert_eq!(
        choose_result_timing(&mut r, &settings(), true, by.clone(), received),
        Err(EditError::NotOffered)
    );
    assert!(!r.patient.wants_results_immediately);
    choose_result_timing(&mut r, &settings(), false, by.clone(), received).unwrap();
    let offered = PracticeSettings {
        patients_may_choose_immediate_results: true,
        ..settings()
    };
    choose_result_timing(&mut r, &offered, true, by.clone(), received).unwrap();
    assert!(r.patient.wants_results_immediately);
    assert_eq!(online_view(&r, &offered, received).results.len(), 1);
    // Back to "after the GP": the placeholder with its date returns, the value goes.
    choose_result_timing(&mut r, &offered, false, by, received).unwrap();
    let v = online_view(&r, &offered, received);
    assert!(v.results.is_empty());
    assert_eq!(v.held_results.len(), 1);
}

#[test]
fn r27_withheld_result_stays_hidden_after_the_delay() {
    let mut r = adult();
    let received = noon(d(2026, 1, 1));
    result(
        &mut r,
        "w",
        ResultKind::L,
        received,
        ReviewState::Withheld {
            by: Actor::System("gp".into()),
            at: received,
            reason: "bespreken".into(),
        },
    );
    let v = online_view(&r, &settings(), noon(today()));
    assert!(v.results.is_empty() && v.held_results.is_empty());
    assert_eq!(v.exclusion(ItemKind::Result, "w"), Some(X::WithheldByGp));
}

#[test]
fn r29_shielded_items_are_excluded_with_their_reason() {
    let mut r = adult();
    episode(&mut r, "e", None, true);
    r.episodes[0].meta = shield(ShieldReason::PotentiallyHarmful);
    line(&mut r, "p", Soep::P, d(2025, 1, 1), None, Some("e"));
    medication(&mut r, "m", None);
    r.medication[0].meta = shield(ShieldReason::NotYetDiscussed);
    let v = online_view(&r, &settings(), noon(today()));
    assert!(v.episodes.is_empty() && v.medication.is_empty() && v.journal.is_empty());
    assert_eq!(
        v.exclusion(ItemKind::Episode, "e"),
        Some(X::Shielded {
            reason: ShieldReason::PotentiallyHarmful
        })
    );
    assert_eq!(
        v.exclusion(ItemKind::JournalLine, "p"),
        Some(X::EpisodeShielded)
    );
    assert_eq!(
        v.exclusion(ItemKind::Medication, "m").unwrap().code(),
        "shielded_not_yet_discussed"
    );
}

#[test]
fn r31_r32_full_copy_keeps_shielded_items_except_third_party() {
    let mut r = adult();
    line(&mut r, "held", Soep::E, d(2025, 1, 1), None, None);
    r.journal[0].meta = shield(ShieldReason::NotYetDiscussed);
    line(&mut r, "third", Soep::E, d(2025, 1, 1), None, None);
    r.journal[1].meta = shield(ShieldReason::ThirdParty);
    line(&mut r, "s", Soep::S, d(2025, 1, 1), None, None);
    let copy = full_copy(&r, &settings(), noon(today()));
    let kept: Vec<_> = copy.journal.iter().map(|l| l.id.as_str()).collect();
    assert_eq!(
        kept,
        vec!["held", "s"],
        "the full copy has S lines too, but not third-party items"
    );
    assert!(copy.not_online.iter().any(|e| e.item.id == "held"));
    assert!(copy.left_out.iter().any(|e| e.item.id == "third"));
}

#[test]
fn r123_a_full_copy_with_items_the_gp_held_back_goes_to_the_practice_first() {
    let now = noon(today());
    // Only standing selection rules: S lines, third-party shields, old results, released ones.
    let mut r = adult();
    line(&mut r, "s", Soep::S, d(2025, 1, 1), None, None);
    line(&mut r, "third", Soep::E, d(2025, 1, 1), None, None);
    r.journal[1].meta = shield(ShieldReason::ThirdParty);
    result(
        &mut r,
        "old",
        ResultKind::L,
        noon(d(2001, 1, 1)),
        released(),
    );
    result(&mut r, "fine", ResultKind::L, now, released());
    assert_eq!(full_copy(&r, &settings(), now).held_back().count(), 0);
    assert!(!full_copy(&r, &settings(), now).not_online.is_empty());

    // Each of these is a decision about the item: the copy is held for the practice.
    type AddItem<'a> = Box<dyn Fn(&mut PatientRecord) + 'a>;
    let cases: Vec<(&str, AddItem<'_>)> = vec![
        (
            "pending result",
            Box::new(|r| {
                result(
                    r,
                    "p",
                    ResultKind::L,
                    now,
                    ReviewState::Pending { received_at: now },
                )
            }),
        ),
        (
            "withheld result",
            Box::new(|r| {
                result(
                    r,
                    "w",
                    ResultKind::L,
                    now,
                    ReviewState::Withheld {
                        by: Actor::System("gp".into()),
                        at: now,
                        reason: "eerst bespreken".into(),
                    },
                )
            }),
        ),
        (
            "not discussed",
            Box::new(|r| {
                line(r, "nd", Soep::E, d(2025, 1, 1), None, None);
                r.journal.last_mut().unwrap().meta = shield(ShieldReason::NotYetDiscussed);
            }),
        ),
        (
            "potentially harmful",
            Box::new(|r| {
                line(r, "ph", Soep::P, d(2025, 1, 1), None, None);
                r.journal.last_mut().unwrap().meta = shield(ShieldReason::PotentiallyHarmful);
            }),
        ),
        (
            "other shield",
            Box::new(|r| {
                medication(r, "m", None);
                r.medication.last_mut().unwrap().meta = shield(ShieldReason::Other);
            }),
        ),
    ];
    for (what, add) in cases {
        let mut held = r.clone();
        add(&mut held);
        let copy = full_copy(&held, &settings(), now);
        assert_eq!(copy.held_back().count(), 1, "{what}");
    }
}

// ---- C. minors and representatives ----

fn parent(r: &mut PatientRecord, consent: Option<ChildConsent>) -> Viewer {
    r.representations.push(Representation {
        id: RepresentationId::new("rep").unwrap(),
        agent_bsn: Bsn::parse(PARENT_BSN).unwrap(),
        agent_name: HumanName {
            given: vec!["Ouder".into()],
            initials: None,
            prefix: None,
            family: "Test".into(),
        },
        basis: RepresentationBasis::ParentalAuthority,
        valid_from: d(2000, 1, 1),
        valid_to: None,
        scope: None,
        evidence: Some(Evidence {
            kind: "uittreksel gezagsregister".into(),
            checked_by: Actor::System("gp".into()),
            checked_at: Utc::now(),
        }),
        child_consent: consent,
        revoked_at: None,
    });
    Viewer::Representative {
        bsn: Bsn::parse(PARENT_BSN).unwrap(),
        representation: RepresentationId::new("rep").unwrap(),
    }
}
fn me() -> Viewer {
    Viewer::Patient {
        bsn: Bsn::parse(PATIENT_BSN).unwrap(),
    }
}
fn under16_on() -> PracticeSettings {
    PracticeSettings {
        online_access_under_16: true,
        ..settings()
    }
}

#[test]
fn r33_under_12_parent_only() {
    let birth = d(2014, 11, 23); // 12 on 23 November 2026
    let mut r = record(birth);
    let p = parent(&mut r, None);
    let day_before = noon(d(2026, 11, 22));
    assert_eq!(
        visible_record(&r, &me(), OnlineChannel::Portal, &under16_on(), day_before).unwrap_err(),
        AccessDenied::UnderTwelve
    );
    assert!(
        visible_record(&r, &p, OnlineChannel::Portal, &under16_on(), day_before).is_ok(),
        "parent of an 11-year-old"
    );
}

#[test]
fn r34_r35_from_12_own_access_and_parent_needs_consent() {
    let mut r = record(d(2014, 11, 23));
    let p = parent(&mut r, None);
    let birthday = noon(d(2026, 11, 23));
    assert!(
        visible_record(&r, &me(), OnlineChannel::Portal, &under16_on(), birthday).is_ok(),
        "own access from the 12th birthday"
    );
    assert_eq!(
        visible_record(&r, &p, OnlineChannel::Portal, &under16_on(), birthday).unwrap_err(),
        AccessDenied::ChildConsentMissing
    );
    r.representations[0].child_consent = Some(ChildConsent {
        given_at: noon(d(2026, 11, 23)) - chrono::Duration::hours(1),
        recorded_by: Actor::System("gp".into()),
        withdrawn_at: None,
    });
    assert!(visible_record(&r, &p, OnlineChannel::Portal, &under16_on(), birthday).is_ok());
}

#[test]
fn r36_parental_access_ends_on_the_16th_birthday() {
    let mut r = record(d(2010, 11, 23));
    let consent = ChildConsent {
        given_at: noon(d(2024, 1, 1)),
        recorded_by: Actor::System("gp".into()),
        withdrawn_at: None,
    };
    let p = parent(&mut r, Some(consent));
    assert!(
        visible_record(
            &r,
            &p,
            OnlineChannel::Portal,
            &under16_on(),
            noon(d(2026, 11, 22))
        )
        .is_ok()
    );
    assert_eq!(
        visible_record(
            &r,
            &p,
            OnlineChannel::Portal,
            &under16_on(),
            noon(d(2026, 11, 23))
        )
        .unwrap_err(),
        AccessDenied::ChildIsSixteen
    );
    // The banner's "until": the day before the 16th birthday, or an earlier end date.
    let ends = |r: &PatientRecord| {
        inzage_domain::access::representation_ends(&r.representations[0], r.patient.birth_date)
    };
    assert_eq!(ends(&r), Some(d(2026, 11, 22)));
    r.representations[0].valid_to = Some(d(2025, 6, 30));
    assert_eq!(ends(&r), Some(d(2025, 6, 30)));
    r.representations[0].valid_to = Some(d(2030, 1, 1));
    assert_eq!(
        ends(&r),
        Some(d(2026, 11, 22)),
        "the 16th birthday comes first"
    );
}

#[test]
fn r37_withdrawal_ends_parental_access_immediately() {
    let mut r = record(d(2012, 3, 1));
    let withdrawn = noon(d(2026, 5, 1));
    let consent = ChildConsent {
        given_at: noon(d(2025, 1, 1)),
        recorded_by: Actor::System("gp".into()),
        withdrawn_at: Some(withdrawn),
    };
    let p = parent(&mut r, Some(consent));
    assert!(
        visible_record(
            &r,
            &p,
            OnlineChannel::Portal,
            &under16_on(),
            withdrawn - chrono::Duration::seconds(1)
        )
        .is_ok()
    );
    assert_eq!(
        visible_record(&r, &p, OnlineChannel::Portal, &under16_on(), withdrawn).unwrap_err(),
        AccessDenied::ChildConsentWithdrawn
    );
}

#[test]
fn r38_sixteen_plus_decides_alone() {
    let mut r = record(d(2008, 1, 1));
    let p = parent(
        &mut r,
        Some(ChildConsent {
            given_at: noon(d(2020, 1, 1)),
            recorded_by: Actor::System("gp".into()),
            withdrawn_at: None,
        }),
    );
    assert!(
        visible_record(&r, &me(), OnlineChannel::Portal, &settings(), noon(today())).is_ok(),
        "16+ needs no under-16 setting"
    );
    assert_eq!(
        visible_record(&r, &p, OnlineChannel::Portal, &under16_on(), noon(today())).unwrap_err(),
        AccessDenied::ChildIsSixteen
    );
}

#[test]
fn r39_under_16_online_access_is_off_by_default() {
    assert!(!PracticeSettings::default().online_access_under_16);
    let mut r = record(d(2013, 1, 1));
    let p = parent(
        &mut r,
        Some(ChildConsent {
            given_at: noon(d(2025, 1, 1)),
            recorded_by: Actor::System("gp".into()),
            withdrawn_at: None,
        }),
    );
    assert_eq!(
        visible_record(&r, &me(), OnlineChannel::Portal, &settings(), noon(today())).unwrap_err(),
        AccessDenied::Under16NotOffered
    );
    assert_eq!(
        visible_record(&r, &p, OnlineChannel::Portal, &settings(), noon(today())).unwrap_err(),
        AccessDenied::Under16NotOffered
    );
}

#[test]
fn r40_carer_needs_a_time_bounded_authorisation_and_scope_limits_sections() {
    let mut r = adult();
    let _ = parent(&mut r, None);
    let rep = &mut r.representations[0];
    rep.basis = RepresentationBasis::WrittenAuthorisation;
    let carer = Viewer::Representative {
        bsn: Bsn::parse(PARENT_BSN).unwrap(),
        representation: rep.id.clone(),
    };
    assert_eq!(
        visible_record(
            &r,
            &carer,
            OnlineChannel::Portal,
            &settings(),
            noon(today())
        )
        .unwrap_err(),
        AccessDenied::AuthorisationWithoutEndDate
    );
    r.representations[0].valid_to = Some(today());
    medication(&mut r, "m", None);
    line(&mut r, "p", Soep::P, d(2025, 1, 1), None, None);
    assert_eq!(
        visible_record(
            &r,
            &carer,
            OnlineChannel::Portal,
            &settings(),
            noon(today())
        )
        .unwrap()
        .journal
        .len(),
        1
    );
    r.representations[0].scope = Some(vec![Section::Medication]);
    let v = visible_record(
        &r,
        &carer,
        OnlineChannel::Portal,
        &settings(),
        noon(today()),
    )
    .unwrap();
    assert_eq!((v.medication.len(), v.journal.len()), (1, 0));
    assert_eq!(
        v.exclusion(ItemKind::JournalLine, "p"),
        Some(X::OutsideAuthorisedScope)
    );
    assert_eq!(
        visible_record(
            &r,
            &carer,
            OnlineChannel::Portal,
            &settings(),
            noon(today() + Days::new(1))
        )
        .unwrap_err(),
        AccessDenied::RepresentationExpired
    );
    r.representations[0].revoked_at = Some(noon(d(2026, 1, 1)));
    assert_eq!(
        visible_record(
            &r,
            &carer,
            OnlineChannel::Portal,
            &settings(),
            noon(today())
        )
        .unwrap_err(),
        AccessDenied::RepresentationRevoked
    );
}

#[test]
fn r41_representative_without_recorded_evidence_is_refused() {
    let mut r = record(d(2020, 1, 1));
    let p = parent(&mut r, None);
    r.representations[0].evidence = None;
    assert_eq!(
        visible_record(&r, &p, OnlineChannel::Portal, &under16_on(), noon(today())).unwrap_err(),
        AccessDenied::EvidenceMissing
    );
}

#[test]
fn r53_no_online_consent_no_access_and_others_are_refused() {
    let mut r = adult();
    let other = Viewer::Patient {
        bsn: Bsn::parse(PARENT_BSN).unwrap(),
    };
    assert_eq!(
        visible_record(
            &r,
            &other,
            OnlineChannel::Portal,
            &settings(),
            noon(today())
        )
        .unwrap_err(),
        AccessDenied::NotThisPatient
    );
    r.patient.online_consent = None;
    assert_eq!(
        visible_record(&r, &me(), OnlineChannel::Portal, &settings(), noon(today())).unwrap_err(),
        AccessDenied::NoOnlineConsent
    );
}

#[test]
fn r53_consent_is_per_channel() {
    let mut r = adult();
    let consent = |portal, pgo| OnlineConsent {
        portal,
        pgo,
        recorded_by: Actor::System("gp".into()),
        recorded_at: noon(d(2025, 1, 1)),
    };
    let open = |r: &PatientRecord, channel| {
        visible_record(r, &me(), channel, &settings(), noon(today())).map(|_| ())
    };
    r.patient.online_consent = Some(consent(true, false));
    assert_eq!(open(&r, OnlineChannel::Portal), Ok(()));
    assert_eq!(
        open(&r, OnlineChannel::Pgo),
        Err(AccessDenied::NoOnlineConsent)
    );
    r.patient.online_consent = Some(consent(false, true));
    assert_eq!(
        open(&r, OnlineChannel::Portal),
        Err(AccessDenied::NoOnlineConsent)
    );
    assert_eq!(open(&r, OnlineChannel::Pgo), Ok(()));
}

// ---- D. presentation ----

#[test]
fn r42_episode_title_first_icpc_second() {
    let mut r = adult();
    episode(&mut r, "e", None, false);
    let l = present::episode_label(&r.episodes[0]);
    assert_eq!(l.primary, "titel e");
    assert_eq!(
        l.secondary.as_deref(),
        Some("K86 Hypertensie zonder orgaanbeschadiging")
    );
}

#[test]
fn r43_contact_title_is_episode_title_or_e_line_icpc() {
    let mut r = adult();
    episode(&mut r, "e", None, false);
    contact(&mut r, "c1", "03", d(2025, 1, 1));
    r.contacts[0].episode = Some(EpisodeId::new("e").unwrap());
    contact(&mut r, "c2", "03", d(2025, 2, 1));
    line(&mut r, "l", Soep::E, d(2025, 2, 1), Some("c2"), None);
    r.journal[0].icpc_display = Some("Keelpijn".into());
    let v = online_view(&r, &settings(), noon(today()));
    assert_eq!(present::contact_title(&v, &r.contacts[0]), "titel e");
    assert_eq!(present::contact_title(&v, &r.contacts[1]), "Keelpijn");
}

#[test]
fn r44_result_with_name_value_unit_range_and_position() {
    let mut r = adult();
    result(&mut r, "x", ResultKind::L, noon(today()), released());
    let line = present::result_line(&r.results[0], "nl");
    assert_eq!(
        (
            line.name.as_str(),
            line.value.as_str(),
            line.unit.as_deref(),
            line.range.as_deref()
        ),
        ("glucose nuchter", "7,1", Some("mmol/l"), Some("3,5 - 5,6"))
    );
    assert_eq!(line.position, Some(RangePosition::Above));
    // English writes the decimal point.
    let en = present::result_line(&r.results[0], "en");
    assert_eq!(
        (en.value.as_str(), en.range.as_deref()),
        ("7.1", Some("3.5 - 5.6"))
    );
}

#[test]
fn r44_numbers_keep_their_precision_and_group_thousands_only_from_five_digits() {
    for (text, nl, en) in [
        ("5.40", "5,40", "5.40"),
        ("0.05", "0,05", "0.05"),
        ("-1.5", "-1,5", "-1.5"),
        ("1200", "1200", "1200"),
        ("12000.5", "12.000,5", "12,000.5"),
        ("140", "140", "140"),
        ("positief", "positief", "positief"),
    ] {
        assert_eq!(present::decimal("nl", text), nl, "{text}");
        assert_eq!(present::decimal("en", text), en, "{text}");
    }
    assert_eq!(present::decimal_f64("nl", 7.25), "7,25");
    assert_eq!(present::decimal_f64("nl", 7.0), "7");
}

/// A blood pressure's two numbers, measured at once, as one reading "133/92 mm Hg".
fn blood_pressure(r: &mut PatientRecord, id: &str, upper: &str, lower: &str, at: DateTime<Utc>) {
    for (code, name, value, high) in [
        ("1744", "systolische bloeddruk", upper, "140"),
        ("1740", "diastolische bloeddruk", lower, "90"),
    ] {
        result(r, &format!("{id}-{code}"), ResultKind::D, at, released());
        let x = r.results.last_mut().unwrap();
        x.code = Nhg45Code::parse(code).unwrap();
        x.name = name.into();
        x.value = ResultValue::Quantity {
            value: Decimal::parse(value).unwrap(),
            unit: Ucum::parse("mm[Hg]").ok(),
        };
        x.reference_range = Some(Box::new(ReferenceRange {
            low: None,
            high: Decimal::parse(high).ok(),
            text: None,
            kind: None,
        }));
    }
}

#[test]
fn r44_a_blood_pressure_is_one_reading_and_lies_above_normal_when_either_number_does() {
    let mut r = adult();
    blood_pressure(&mut r, "a", "133", "92", noon(today()));
    blood_pressure(
        &mut r,
        "b",
        "128",
        "78",
        noon(today()) - chrono::Duration::days(30),
    );
    result(&mut r, "g", ResultKind::L, noon(today()), released());
    // An upper number without its lower one stays a result of its own.
    result(
        &mut r,
        "lonely",
        ResultKind::D,
        noon(today()) - chrono::Duration::days(60),
        released(),
    );
    r.results.last_mut().unwrap().code = Nhg45Code::parse("1744").unwrap();
    let all: Vec<&LabResult> = r.results.iter().collect();
    let (pairs, rest) = present::pair_blood_pressures(&all);
    assert_eq!(pairs.len(), 2);
    let first = pairs[0].line("nl");
    assert_eq!(
        (
            first.value.as_str(),
            first.unit.as_deref(),
            first.range.as_deref()
        ),
        ("133/92", Some("mm Hg"), Some("< 140/90"))
    );
    assert_eq!(first.position, Some(RangePosition::Above));
    assert_eq!(pairs[1].line("nl").value, "128/78");
    assert_eq!(pairs[1].line("nl").position, Some(RangePosition::Within));
    assert!(!pairs[0].at_home());
    let rest: Vec<&str> = rest.iter().map(|x| x.id.as_str()).collect();
    assert_eq!(rest, ["g", "lonely"]);
}

// ---- properties ----

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn arb_record() -> impl Strategy<Value = (PatientRecord, u32, u32)> {
        let line_spec = (
            0u8..4,
            0u32..4000,
            0u8..4,
            proptest::option::of(0usize..4),
            proptest::option::of(0usize..6),
        );
        let result_spec = (any::<bool>(), 0u32..800, 0u8..3, 0u8..4);
        (
            proptest::collection::vec(
                (proptest::option::of(0u32..3000), any::<bool>(), 0u8..4),
                0..4,
            ),
            proptest::collection::vec((0u8..3, 0u32..4000), 0..6),
            proptest::collection::vec(line_spec, 0..30),
            proptest::collection::vec(result_spec, 0..20),
            0u32..3,
            0u32..5000,
            0u32..10,
        )
            .prop_map(
                |(eps, contacts, lines, results, notes, age_days, days_ago)| {
                    let mut r = record(today() - Days::new(u64::from(age_days) * 3 + 3650));
                    let base = d(2016, 1, 1);
                    for (i, (end, attention, sh)) in eps.iter().enumerate() {
                        episode(
                            &mut r,
                            &format!("e{i}"),
                            end.map(|e| base + Days::new(u64::from(e))),
                            *attention,
                        );
                        if *sh == 0 {
                            r.episodes[i].meta = shield(ShieldReason::Other);
                        }
                    }
                    for (i, (ty, day)) in contacts.iter().enumerate() {
                        contact(
                            &mut r,
                            &format!("c{i}"),
                            ["03", "04", "09"][usize::from(*ty)],
                            base + Days::new(u64::from(*day)),
                        );
                    }
                    for (i, (soep, day, sh, c, e)) in lines.iter().enumerate() {
                        let c = c.filter(|c| *c < r.contacts.len()).map(|c| format!("c{c}"));
                        let e = e.filter(|e| *e < r.episodes.len()).map(|e| format!("e{e}"));
                        line(
                            &mut r,
                            &format!("l{i}"),
                            [Soep::S, Soep::O, Soep::E, Soep::P][usize::from(*soep)],
                            base + Days::new(u64::from(*day)),
                            c.as_deref(),
                            e.as_deref(),
                        );
                        if *sh == 0 {
                            r.journal[i].meta = shield(ShieldReason::ThirdParty);
                        }
                    }
                    for (i, (lab, days, state, sh)) in results.iter().enumerate() {
                        let at = noon(today() - Days::new(u64::from(*days)));
                        let review = match state {
                            0 => ReviewState::Pending { received_at: at },
                            1 => released(),
                            _ => ReviewState::Withheld {
                                by: Actor::System("gp".into()),
                                at,
                                reason: "x".into(),
                            },
                        };
                        result(
                            &mut r,
                            &format!("r{i}"),
                            if *lab { ResultKind::L } else { ResultKind::D },
                            at,
                            review,
                        );
                        if *sh == 0 {
                            r.results[i].meta = shield(ShieldReason::NotYetDiscussed);
                        }
                    }
                    for i in 0..notes {
                        r.work_notes.push(WorkNote {
                            id: WorkNoteId::new(format!("w{i}")).unwrap(),
                            author: PractitionerId::new("gp").unwrap(),
                            text: "x".into(),
                            meta: meta(),
                        });
                    }
                    (r, age_days, days_ago)
                },
            )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        #[test]
        fn nothing_hidden_leaks_and_the_view_is_a_deterministic_subset((mut r, _age, days_ago) in arb_record(), with_parent in any::<bool>()) {
            let now = noon(today() - Days::new(u64::from(days_ago)));
            let s = under16_on();
            let p = parent(&mut r, Some(ChildConsent { given_at: noon(d(2000, 1, 1)), recorded_by: Actor::System("gp".into()), withdrawn_at: None }));
            let viewer = if with_parent { p.clone() } else { me() };
            let Ok(v) = visible_record(&r, &viewer, OnlineChannel::Portal, &s, now) else { return Ok(()) };
            for l in &v.journal {
                prop_assert!(matches!(l.soep, Soep::E | Soep::P));
                prop_assert!(l.meta.shield.is_none());
                prop_assert!(r.journal.iter().any(|x| x == *l));
            }
            for x in &v.results {
                prop_assert!(x.meta.shield.is_none());
                let withheld = matches!(x.review, ReviewState::Withheld { .. });
                prop_assert!(!withheld);
                if let ReviewState::Pending { received_at } = x.review {
                    prop_assert!(time::local_date(received_at) + Days::new(7) <= v.today);
                }
            }
            prop_assert!(v.episodes.iter().all(|e| e.meta.shield.is_none()));
            // Every item is either shown or excluded, exactly once.
            let shown = v.episodes.len() + v.contacts.len() + v.journal.len() + v.results.len() + v.medication.len();
            let excluded = v.excluded.iter().filter(|e| matches!(e.item.kind, ItemKind::Episode | ItemKind::Contact | ItemKind::JournalLine | ItemKind::Result | ItemKind::Medication)).count();
            prop_assert_eq!(shown + excluded, r.episodes.len() + r.contacts.len() + r.journal.len() + r.results.len() + r.medication.len());
            prop_assert_eq!(v.excluded.iter().filter(|e| e.item.kind == ItemKind::WorkNote).count(), r.work_notes.len());
            // Deterministic.
            prop_assert_eq!(visible_record(&r, &viewer, OnlineChannel::Portal, &s, now).unwrap(), v.clone());
            // A parent never sees more than the patient.
            if let (Ok(pv), Ok(own)) = (visible_record(&r, &p, OnlineChannel::Portal, &s, now), visible_record(&r, &me(), OnlineChannel::Portal, &s, now)) {
                prop_assert!(pv.journal.iter().all(|l| own.journal.contains(l)));
                prop_assert!(pv.results.iter().all(|l| own.results.contains(l)));
                prop_assert!(pv.episodes.iter().all(|l| own.episodes.contains(l)));
            }
        }
    }
}

#[test]
fn r24_data_from_other_providers_is_shown_as_part_of_the_record() {
    let mut r = adult();
    letter(
        &mut r,
        "hospital",
        LetterType::DischargeLetter,
        d(2024, 3, 1),
    );
    r.letters[0].meta.source = Source::OtherProvider {
        name: "Ziekenhuis".into(),
    };
    result(&mut r, "lab", ResultKind::L, noon(today()), released());
    r.results[0].meta.source = Source::OtherProvider { name: "Lab".into() };
    let v = online_view(&r, &settings(), noon(today()));
    assert_eq!((v.letters.len(), v.results.len()), (1, 1));
    assert!(matches!(
        v.letters[0].meta.source,
        Source::OtherProvider { .. }
    ));
}

// ---- the practice's visibility decisions as edits (inzage_domain::edit) ----

#[test]
fn r26_r27_releasing_and_withholding_a_result_change_the_view_at_once() {
    use inzage_domain::edit::{EditError, release_result, withhold_result};
    let mut r = adult();
    let received = noon(today());
    result(
        &mut r,
        "held",
        ResultKind::L,
        received,
        ReviewState::Pending {
            received_at: received,
        },
    );
    let id = ResultId::new("held").unwrap();
    let gp = Actor::System("gp".into());
    let now = noon(today());
    assert!(online_view(&r, &settings(), now).results.is_empty());
    // Withheld: gone even as a placeholder, and after the delay too.
    assert_eq!(
        withhold_result(&mut r, &id, gp.clone(), now, " "),
        Err(EditError::ReasonRequired)
    );
    withhold_result(&mut r, &id, gp.clone(), now, "eerst bespreken").unwrap();
    let later = noon(today() + Days::new(30));
    let v = online_view(&r, &settings(), later);
    assert!(v.results.is_empty() && v.held_results.is_empty());
    // Released: visible at once, with the GP's word for the patient beside it; a comment
    // longer than the limit is refused and changes nothing.
    let long = "x".repeat(inzage_domain::edit::MAX_PATIENT_COMMENT + 1);
    assert_eq!(
        release_result(&mut r, &id, gp.clone(), now, &long),
        Err(EditError::CommentTooLong)
    );
    assert!(online_view(&r, &settings(), now).results.is_empty());
    release_result(&mut r, &id, gp.clone(), now, "  Iets te hoog, geen zorg.  ").unwrap();
    let v = online_view(&r, &settings(), now);
    assert_eq!(v.results.len(), 1);
    assert_eq!(
        v.results[0].patient_comment.as_deref(),
        Some("Iets te hoog, geen zorg.")
    );
    assert_eq!(r.results[0].meta.updated_at(), now);
    assert_eq!(
        release_result(&mut r, &ResultId::new("nope").unwrap(), gp, now, ""),
        Err(EditError::NotFound)
    );
}

#[test]
fn r29_r31_shielding_and_lifting_a_shield() {
    use inzage_domain::edit::{EditError, shield_item, unshield_item};
    let mut r = adult();
    episode(&mut r, "e", None, false);
    let now = noon(today());
    let gp = Actor::System("gp".into());
    let shield = |text: &str| Shield {
        reason: ShieldReason::NotYetDiscussed,
        text: text.into(),
        by: gp.clone(),
        at: now,
    };
    assert_eq!(online_view(&r, &settings(), now).episodes.len(), 1);
    assert_eq!(
        shield_item(&mut r, ItemKind::Episode, "e", shield("")),
        Err(EditError::ReasonRequired)
    );
    assert_eq!(
        shield_item(&mut r, ItemKind::WorkNote, "e", shield("x")),
        Err(EditError::NotShieldable)
    );
    assert_eq!(
        shield_item(&mut r, ItemKind::Episode, "other", shield("x")),
        Err(EditError::NotFound)
    );
    shield_item(
        &mut r,
        ItemKind::Episode,
        "e",
        shield("uitslag eerst bespreken"),
    )
    .unwrap();
    let v = online_view(&r, &settings(), now);
    assert!(v.episodes.is_empty());
    assert_eq!(
        v.exclusion(ItemKind::Episode, "e"),
        Some(X::Shielded {
            reason: ShieldReason::NotYetDiscussed
        })
    );
    unshield_item(&mut r, ItemKind::Episode, "e", gp, now).unwrap();
    assert_eq!(online_view(&r, &settings(), now).episodes.len(), 1);
}

// ---- I. sharing with other providers (R113-R117) ----

mod sharing {
    use super::*;
    use inzage_domain::exchange::*;
    use inzage_domain::visibility::ItemRef;

    fn choice(
        data: DataCategory,
        requester: ProviderCategory,
        answer: ConsentAnswer,
    ) -> ExchangeConsent {
        ExchangeConsent {
            data,
            requester,
            answer,
            method: ConsentMethod::Spoken,
            recorded_by: RecordedBy::Staff {
                id: PractitionerId::new("gp").unwrap(),
            },
            at: noon(today()),
        }
    }
    fn gp() -> Actor {
        Actor::Staff(PractitionerId::new("gp").unwrap())
    }
    fn item(kind: ItemKind, id: &str) -> ItemRef {
        ItemRef {
            kind,
            id: id.into(),
        }
    }
    /// A record with something of every kind the summary looks at, around its four-month window.
    fn sample() -> PatientRecord {
        let mut r = adult();
        let recent = today() - Days::new(20);
        let old = today() - Days::new(200);
        episode(&mut r, "open", None, false);
        episode(&mut r, "closed-attention", Some(d(2025, 1, 1)), true);
        episode(&mut r, "closed", Some(d(2025, 1, 1)), false);
        contact(&mut r, "c-recent", "01", recent);
        contact(&mut r, "c-old", "01", old);
        for (id, soep) in [
            ("s", Soep::S),
            ("o", Soep::O),
            ("e", Soep::E),
            ("p", Soep::P),
        ] {
            line(&mut r, id, soep, recent, Some("c-recent"), Some("open"));
        }
        line(&mut r, "old-e", Soep::E, old, Some("c-old"), Some("open"));
        result(
            &mut r,
            "res-recent",
            ResultKind::L,
            noon(recent),
            ReviewState::Pending {
                received_at: noon(recent),
            },
        );
        result(&mut r, "res-old", ResultKind::L, noon(old), released());
        medication(&mut r, "med-now", None);
        medication(&mut r, "med-stopped", Some(d(2025, 1, 1)));
        r.work_notes.push(WorkNote {
            id: WorkNoteId::new("note").unwrap(),
            author: PractitionerId::new("gp").unwrap(),
            text: "werkaantekening".into(),
            meta: meta(),
        });
        letter(&mut r, "letter", LetterType::SpecialistLetter, recent);
        r
    }
    fn summary_ids(r: &PatientRecord, data: DataCategory, to: ProviderCategory) -> Vec<String> {
        let s = summary(r, data, to, noon(today()));
        let v = &s.view;
        let mut out = vec![];
        out.extend(ids(&v.episodes, |x| x.id.to_string()));
        out.extend(ids(&v.contacts, |x| x.id.to_string()));
        out.extend(ids(&v.journal, |x| x.id.to_string()));
        out.extend(ids(&v.results, |x| x.id.to_string()));
        out.extend(ids(&v.medication, |x| x.id.to_string()));
        out.extend(ids(&v.letters, |x| x.id.to_string()));
        out
    }

    #[test]
    fn r113_r116_sharing_needs_a_yes_per_data_category_and_requesting_category() {
        let mut r = sample();
        use ConsentState::*;
        for data in DataCategory::ALL {
            for to in ProviderCategory::ALL {
                assert_eq!(consent_state(&r, data, to), NotAsked);
                assert_eq!(may_share(&r, data, to, None), Err(Refusal::NotAsked));
            }
        }
        set_exchange_consent(
            &mut r,
            choice(
                DataCategory::Summary,
                ProviderCategory::Hap,
                ConsentAnswer::Yes,
            ),
            gp(),
        )
        .unwrap();
        assert_eq!(
            may_share(&r, DataCategory::Summary, ProviderCategory::Hap, None),
            Ok(Basis::Consent)
        );
        // A yes for the huisartsenpost is not a yes for the hospital, nor for medication data.
        assert_eq!(
            may_share(&r, DataCategory::Summary, ProviderCategory::Hospital, None),
            Err(Refusal::NotAsked)
        );
        assert_eq!(
            may_share(&r, DataCategory::Medication, ProviderCategory::Hap, None),
            Err(Refusal::NotAsked)
        );
    }

    #[test]
    fn r114_not_asked_opens_only_with_a_declared_emergency_reason() {
        let r = sample();
        let to = ProviderCategory::Hap;
        assert_eq!(
            may_share(&r, DataCategory::Summary, to, Some("  ")),
            Err(Refusal::NotAsked)
        );
        assert_eq!(
            may_share(&r, DataCategory::Summary, to, Some("spoed")),
            Err(Refusal::ReasonTooShort)
        );
        assert_eq!(
            may_share(
                &r,
                DataCategory::Summary,
                to,
                Some(" bewusteloos binnengebracht ")
            ),
            Ok(Basis::Emergency {
                reason: "bewusteloos binnengebracht".into()
            })
        );
    }

    #[test]
    fn r115_no_wins_over_an_emergency_and_a_withdrawal_works_at_once() {
        let mut r = sample();
        let (data, to) = (DataCategory::Summary, ProviderCategory::Hap);
        set_exchange_consent(&mut r, choice(data, to, ConsentAnswer::Yes), gp()).unwrap();
        assert_eq!(may_share(&r, data, to, None), Ok(Basis::Consent));
        // Withdrawn: the very next question is refused, and no emergency opens it.
        set_exchange_consent(&mut r, choice(data, to, ConsentAnswer::No), gp()).unwrap();
        assert_eq!(may_share(&r, data, to, None), Err(Refusal::PatientSaidNo));
        assert_eq!(
            may_share(&r, data, to, Some("bewusteloos binnengebracht")),
            Err(Refusal::PatientSaidNo)
        );
        // One choice per data and requester: the last one counts.
        assert_eq!(r.patient.exchange_consent.len(), 1);
        // A "no" to this kind of provider for one data category is a no for the other too
        // (the summary holds the medication), whatever else was said.
        let mut r = sample();
        set_exchange_consent(
            &mut r,
            choice(DataCategory::Medication, to, ConsentAnswer::No),
            gp(),
        )
        .unwrap();
        assert_eq!(
            may_share(&r, data, to, Some("bewusteloos binnengebracht")),
            Err(Refusal::PatientSaidNo)
        );
        set_exchange_consent(&mut r, choice(data, to, ConsentAnswer::Yes), gp()).unwrap();
        assert_eq!(may_share(&r, data, to, None), Err(Refusal::PatientSaidNo));
        // Another kind of provider is not affected.
        set_exchange_consent(
            &mut r,
            choice(data, ProviderCategory::Ambulance, ConsentAnswer::Yes),
            gp(),
        )
        .unwrap();
        assert_eq!(
            may_share(&r, data, ProviderCategory::Ambulance, None),
            Ok(Basis::Consent)
        );
    }

    #[test]
    fn r115_how_a_choice_was_given_goes_with_who_recorded_it() {
        let mut r = sample();
        let mut c = choice(
            DataCategory::Summary,
            ProviderCategory::Hap,
            ConsentAnswer::Yes,
        );
        c.method = ConsentMethod::Portal;
        assert_eq!(
            set_exchange_consent(&mut r, c.clone(), gp()),
            Err(ConsentError::MethodNotForStaff)
        );
        c.recorded_by = RecordedBy::Patient;
        c.method = ConsentMethod::Written;
        assert_eq!(
            set_exchange_consent(&mut r, c.clone(), gp()),
            Err(ConsentError::MethodNotForPortal)
        );
        c.method = ConsentMethod::Portal;
        set_exchange_consent(&mut r, c.clone(), Actor::System("portal".into())).unwrap();
        assert_eq!(r.patient.exchange_consent, vec![c]);
        for m in [
            ConsentMethod::Spoken,
            ConsentMethod::Written,
            ConsentMethod::NationalSite,
        ] {
            let mut c = choice(
                DataCategory::Summary,
                ProviderCategory::Pharmacy,
                ConsentAnswer::No,
            );
            c.method = m;
            set_exchange_consent(&mut r, c, gp()).unwrap();
        }
    }

    #[test]
    fn r115_online_choices_follow_the_access_rules() {
        let now = noon(today());
        // 16 and over decides; 12-15 can only say no online; under 12 the parent decides.
        let r = record(d(2008, 1, 1));
        assert_eq!(
            online_consent_right(&r, &me(), now),
            OnlineConsentRight::Decide
        );
        let mut teen = record(d(2012, 1, 1));
        assert_eq!(
            online_consent_right(&teen, &me(), now),
            OnlineConsentRight::RefuseOnly
        );
        let p = parent(&mut teen, None);
        assert_eq!(
            online_consent_right(&teen, &p, now),
            OnlineConsentRight::RefuseOnly
        );
        let mut child = record(d(2018, 1, 1));
        let p = parent(&mut child, None);
        assert_eq!(
            online_consent_right(&child, &p, now),
            OnlineConsentRight::Decide
        );
        // A carer authorised by the patient reads along, a section-limited one too.
        let mut elder = adult();
        let p = parent(&mut elder, None);
        elder.representations[0].basis = RepresentationBasis::WrittenAuthorisation;
        assert_eq!(
            online_consent_right(&elder, &p, now),
            OnlineConsentRight::SeeOnly
        );
        elder.representations[0].basis = RepresentationBasis::Curatorship;
        assert_eq!(
            online_consent_right(&elder, &p, now),
            OnlineConsentRight::Decide
        );
        elder.representations[0].scope = Some(vec![Section::Medication]);
        assert_eq!(
            online_consent_right(&elder, &p, now),
            OnlineConsentRight::SeeOnly
        );
    }

    #[test]
    fn r114_the_summary_is_the_selection_for_a_locum() {
        let r = sample();
        let got = summary_ids(&r, DataCategory::Summary, ProviderCategory::Hap);
        // Open episodes and closed ones with attentiewaarde; the last four months' contacts
        // with all their S, O, E and P lines and results (also one the GP has not released
        // online); current medication. Never a work note, an old contact, a stopped medicine
        // or a letter.
        assert_eq!(
            got,
            [
                "open",
                "closed-attention",
                "c-recent",
                "s",
                "o",
                "e",
                "p",
                "res-recent",
                "med-now"
            ]
        );
        let s = summary(
            &r,
            DataCategory::Summary,
            ProviderCategory::Hap,
            noon(today()),
        );
        assert!(
            s.left_out
                .contains(&(item(ItemKind::WorkNote, "note"), LeftOut::WorkNote))
        );
        assert!(
            s.left_out
                .contains(&(item(ItemKind::JournalLine, "old-e"), LeftOut::NotSelected))
        );
        // Medication data: current medication and allergies only.
        assert_eq!(
            summary_ids(&r, DataCategory::Medication, ProviderCategory::Pharmacy),
            ["med-now"]
        );
    }

    #[test]
    fn r117_a_gp_excludes_one_item_independently_of_online_visibility() {
        let mut r = sample();
        // Shielded online: still in the summary (a locum needs it).
        r.episodes[0].meta = shield(ShieldReason::NotYetDiscussed);
        assert!(
            summary_ids(&r, DataCategory::Summary, ProviderCategory::Hap).contains(&"open".into())
        );
        // Excluded from the summary: gone for every category, with what hangs under it, and
        // still exactly as visible online as before.
        let online_before = online_view(&r, &settings(), noon(today())).journal.len();
        exclude_from_summary(
            &mut r,
            &item(ItemKind::Result, "res-recent"),
            true,
            gp(),
            noon(today()),
        )
        .unwrap();
        exclude_from_summary(
            &mut r,
            &item(ItemKind::Contact, "c-recent"),
            true,
            gp(),
            noon(today()),
        )
        .unwrap();
        for to in ProviderCategory::ALL {
            assert_eq!(
                summary_ids(&r, DataCategory::Summary, to),
                ["open", "closed-attention", "med-now"]
            );
        }
        assert_eq!(
            online_view(&r, &settings(), noon(today())).journal.len(),
            online_before
        );
        let s = summary(
            &r,
            DataCategory::Summary,
            ProviderCategory::Hap,
            noon(today()),
        );
        assert!(
            s.left_out
                .contains(&(item(ItemKind::JournalLine, "s"), LeftOut::ParentWithheld))
        );
        assert!(
            s.left_out
                .contains(&(item(ItemKind::Result, "res-recent"), LeftOut::ExcludedByGp))
        );
        // Let go again: back in.
        exclude_from_summary(
            &mut r,
            &item(ItemKind::Contact, "c-recent"),
            false,
            gp(),
            noon(today()),
        )
        .unwrap();
        assert!(
            summary_ids(&r, DataCategory::Summary, ProviderCategory::Hap).contains(&"s".into())
        );
        // Letters and work notes are never in it: nothing to exclude.
        assert!(
            exclude_from_summary(
                &mut r,
                &item(ItemKind::WorkNote, "note"),
                true,
                gp(),
                noon(today())
            )
            .is_err()
        );
    }

    #[test]
    fn r117_a_block_holds_for_its_category_only() {
        let mut r = sample();
        block_item(
            &mut r,
            &item(ItemKind::Episode, "open"),
            ProviderCategory::Hospital,
            gp(),
            noon(today()),
        )
        .unwrap();
        let hospital = summary_ids(&r, DataCategory::Summary, ProviderCategory::Hospital);
        // The episode and every line under it stay with the GP.
        assert_eq!(
            hospital,
            ["closed-attention", "c-recent", "res-recent", "med-now"]
        );
        let hap = summary_ids(&r, DataCategory::Summary, ProviderCategory::Hap);
        assert!(
            hap.contains(&"open".into())
                && hap.contains(&"s".into())
                && hap.contains(&"med-now".into())
        );
        // The controls travel with the item through the record's JSON, and survive an import.
        let json = serde_json::to_string(&r).unwrap();
        let back: PatientRecord = serde_json::from_str(&json).unwrap();
        assert_eq!(back, r);
        let mut imported = sample();
        imported.episodes[0].title = "nieuwe titel".into();
        let merged = inzage_domain::merge::merge_import(&r, imported);
        assert_eq!(merged.episodes[0].meta.sharing, r.episodes[0].meta.sharing);
        // Sharing decisions are not medical changes: the retention term does not restart.
        let before = inzage_domain::retention::last_medical_change(&sample());
        assert_eq!(inzage_domain::retention::last_medical_change(&r), before);
    }

    #[test]
    fn r117_what_hangs_under_a_withheld_contact_is_withheld_with_it() {
        let mut r = sample();
        // The recent contact belongs to the open episode; a line, a result and a medicine point
        // only at the contact.
        r.contacts[0].episode = Some(EpisodeId::new("open").unwrap());
        line(
            &mut r,
            "only-contact",
            Soep::P,
            today() - Days::new(20),
            Some("c-recent"),
            None,
        );
        r.results[0].contact = Some(ContactId::new("c-recent").unwrap());
        r.medication[0].contact = Some(ContactId::new("c-recent").unwrap());
        block_item(
            &mut r,
            &item(ItemKind::Episode, "open"),
            ProviderCategory::Hospital,
            gp(),
            noon(today()),
        )
        .unwrap();
        let hospital = summary_ids(&r, DataCategory::Summary, ProviderCategory::Hospital);
        assert_eq!(hospital, ["closed-attention"]);
        let hap = summary_ids(&r, DataCategory::Summary, ProviderCategory::Hap);
        assert!(
            hap.contains(&"only-contact".into())
                && hap.contains(&"res-recent".into())
                && hap.contains(&"med-now".into())
        );
    }

    #[test]
    fn r117_a_referral_letter_holds_what_the_hospital_may_have_and_the_patient_may_read() {
        let mut r = sample();
        r.episodes[1].meta = shield(ShieldReason::NotYetDiscussed);
        r.results[0].review = ReviewState::Withheld {
            by: gp(),
            at: noon(today()),
            reason: "eerst bespreken".into(),
        };
        let v = referral_view(&r, &settings(), noon(today()));
        let mut got = vec![];
        got.extend(ids(&v.episodes, |x| x.id.to_string()));
        got.extend(ids(&v.journal, |x| x.id.to_string()));
        got.extend(ids(&v.results, |x| x.id.to_string()));
        got.extend(ids(&v.medication, |x| x.id.to_string()));
        // No S or O line, no result the GP held back, nothing shielded from the patient.
        assert_eq!(got, ["open", "e", "p", "med-now"]);
    }
}

// ---- H. retention and destruction (R108, R111) ----

mod retention {
    use super::*;
    use inzage_domain::retention::*;
    use inzage_domain::visibility::ItemRef;

    fn at(y: i32, m: u32, day: u32) -> DateTime<Utc> {
        noon(d(y, m, day))
    }

    #[test]
    fn r108_the_term_runs_20_years_from_the_last_medical_change() {
        let mut r = adult();
        episode(&mut r, "e", None, false);
        r.episodes[0].meta = ItemMeta::new(Actor::System("t".into()), at(2006, 3, 1));
        r.patient.meta = ItemMeta::new(Actor::System("t".into()), at(2005, 1, 1));
        assert_eq!(last_medical_change(&r), at(2006, 3, 1));
        // An administrative change (address, consent) does not restart the term.
        r.patient.meta.set_updated_at(at(2026, 1, 1));
        r.patient.online_consent = None;
        assert_eq!(last_medical_change(&r), at(2006, 3, 1));
        // Kept through the 20th anniversary; ended the day after.
        assert_eq!(kept_until(at(2006, 3, 1)), d(2026, 3, 1));
        assert!(!term_ended(at(2006, 3, 1), d(2026, 3, 1)));
        assert!(term_ended(at(2006, 3, 1), d(2026, 3, 2)));
        // A medical change restarts it; a work note is not part of the record.
        r.work_notes.push(WorkNote {
            id: WorkNoteId::new("n").unwrap(),
            author: PractitionerId::new("gp").unwrap(),
            text: "notitie".into(),
            meta: ItemMeta::new(Actor::System("t".into()), at(2026, 2, 1)),
        });
        assert_eq!(last_medical_change(&r), at(2006, 3, 1));
        r.episodes[0].meta.set_updated_at(at(2020, 6, 1));
        assert_eq!(kept_until(last_medical_change(&r)), d(2040, 6, 1));
        // A record without medical items counts from the registration.
        let empty = adult();
        assert_eq!(last_medical_change(&empty), empty.patient.meta.created_at());
    }

    #[test]
    fn r108_an_item_changed_by_a_new_import_restarts_the_term_and_keeps_its_creation() {
        let mut old = adult();
        episode(&mut old, "e", None, false);
        old.episodes[0].meta = ItemMeta::new(Actor::System("first".into()), at(2006, 3, 1));
        old.patient.meta = ItemMeta::new(Actor::System("first".into()), at(2005, 1, 1));
        let mut new = old.clone();
        new.episodes[0].title = "nieuwe titel".into();
        new.episodes[0].meta = ItemMeta::new(Actor::System("import".into()), at(2026, 1, 1));
        let merged = inzage_domain::merge::merge_import(&old, new);
        let meta = &merged.episodes[0].meta;
        assert_eq!(
            (meta.created_by(), meta.created_at()),
            (&Actor::System("first".into()), at(2006, 3, 1))
        );
        assert_eq!(
            (meta.updated_by(), meta.updated_at()),
            (&Actor::System("import".into()), at(2026, 1, 1))
        );
        assert_eq!(last_medical_change(&merged), at(2026, 1, 1));
        // So it is stored, and read back.
        let back: PatientRecord =
            serde_json::from_str(&serde_json::to_string(&merged).unwrap()).unwrap();
        assert_eq!(back, merged);
        assert_eq!(back.episodes[0].meta.updated_at(), at(2026, 1, 1));
    }

    #[test]
    fn r111_destroying_an_episode_takes_its_lines_and_leaves_other_facts_unlinked() {
        let mut r = adult();
        episode(&mut r, "e", None, false);
        episode(&mut r, "keep", None, false);
        contact(&mut r, "c", "01", today());
        line(&mut r, "l1", Soep::E, today(), Some("c"), Some("e"));
        line(&mut r, "l2", Soep::P, today(), Some("c"), Some("keep"));
        medication(&mut r, "m", None);
        r.medication[0].episode = Some(EpisodeId::new("e").unwrap());
        r.contacts[0].episode = Some(EpisodeId::new("e").unwrap());
        let gone = destroy_items(
            &mut r,
            &[ItemRef {
                kind: ItemKind::Episode,
                id: "e".into(),
            }],
        )
        .unwrap();
        let mut names: Vec<_> = gone.iter().map(|i| i.id.as_str()).collect();
        names.sort_unstable();
        assert_eq!(names, ["e", "l1"]);
        assert_eq!(
            ids(&r.episodes.iter().collect::<Vec<_>>(), |e| e.id.to_string()),
            ["keep"]
        );
        assert_eq!(r.journal.len(), 1);
        // The medicine and the contact stay, no longer linked; the record is whole.
        assert_eq!(r.medication[0].episode, None);
        assert_eq!(r.contacts[0].episode, None);
        assert!(inzage_domain::validate::validate_record(&r).is_empty());
        // Unknown items and kinds that are not destroyed on their own are refused, with nothing
        // changed.
        let before = r.clone();
        let unknown = ItemRef {
            kind: ItemKind::Result,
            id: "nope".into(),
        };
        assert_eq!(
            destroy_items(&mut r, &[unknown]),
            Err(DestroyError::NotFound)
        );
        let contact = ItemRef {
            kind: ItemKind::Contact,
            id: "c".into(),
        };
        assert_eq!(
            destroy_items(&mut r, &[contact]),
            Err(DestroyError::NotDestroyable)
        );
        assert_eq!(r, before);
        // Three months to carry it out.
        assert_eq!(destruction_deadline(at(2026, 11, 30)), d(2027, 2, 28));
    }
}

// ---- a view of some parts (what a MedMij search asks for) ----

/// A view of some parts holds exactly those parts of the whole view, nothing of the others, and
/// lists no exclusions unless asked; the whole view is `visible_record`'s. On a record with
/// items of every kind left out for a reason, at moments years apart.
#[test]
fn r73_a_view_of_some_parts_holds_exactly_those_parts_of_the_whole_view() {
    let mut r = inzage_domain::samples::varied_record();
    r.patient.online_consent = Some(OnlineConsent {
        portal: true,
        pgo: true,
        recorded_by: Actor::System("test".into()),
        recorded_at: noon(d(2006, 1, 1)),
    });
    let me = Viewer::Patient {
        bsn: r.patient.bsn.clone().unwrap(),
    };
    for day in [d(2010, 3, 1), d(2021, 7, 15), d(2026, 11, 23)] {
        let now = noon(day);
        let s = settings();
        let whole = visible_record(&r, &me, OnlineChannel::Pgo, &s, now).unwrap();
        assert!(!whole.excluded.is_empty() && !whole.journal.is_empty());
        let all = visible_parts(&r, &me, OnlineChannel::Pgo, &s, now, Parts::ALL).unwrap();
        assert_eq!(all, whole);
        let none = visible_parts(&r, &me, OnlineChannel::Pgo, &s, now, Parts::NONE).unwrap();
        assert_eq!(none.patient, whole.patient);
        assert!(none.episodes.is_empty() && none.journal.is_empty() && none.results.is_empty());
        assert!(none.excluded.is_empty());
        for part in [
            Parts::EPISODES,
            Parts::JOURNAL,
            Parts::MEDICATION,
            Parts::ALLERGIES,
            Parts::RESULTS,
            Parts::TREATMENTS,
            Parts::LETTERS,
            Parts::APPOINTMENTS,
        ] {
            let v = visible_parts(&r, &me, OnlineChannel::Pgo, &s, now, part).unwrap();
            let same = |wanted: Parts| part.has(wanted);
            macro_rules! check {
                ($($field:ident: $p:expr),*) => {$(
                    if same($p) {
                        assert_eq!(v.$field, whole.$field, "{} of {part:?} on {day}", stringify!($field));
                    } else {
                        assert!(v.$field.is_empty(), "{} in a view of {part:?}", stringify!($field));
                    }
                )*};
            }
            check!(
                episodes: Parts::EPISODES, problems: Parts::EPISODES, alerts: Parts::EPISODES,
                contacts: Parts::JOURNAL, journal: Parts::JOURNAL,
                medication: Parts::MEDICATION,
                allergies: Parts::ALLERGIES, contra_indications: Parts::ALLERGIES,
                results: Parts::RESULTS, held_results: Parts::RESULTS,
                treatments: Parts::TREATMENTS, prophylaxis: Parts::TREATMENTS,
                letters: Parts::LETTERS, appointments: Parts::APPOINTMENTS
            );
            assert!(v.excluded.is_empty(), "no exclusions listed unless asked");
            // Asked for, the exclusions are exactly the whole view's of this part's kinds (and
            // the personal work notes).
            let kinds: &[ItemKind] = match part {
                Parts::EPISODES => &[ItemKind::Episode, ItemKind::Problem, ItemKind::Alert],
                Parts::JOURNAL => &[ItemKind::Contact, ItemKind::JournalLine],
                Parts::MEDICATION => &[ItemKind::Medication],
                Parts::ALLERGIES => &[ItemKind::Allergy, ItemKind::ContraIndication],
                Parts::RESULTS => &[ItemKind::Result],
                Parts::TREATMENTS => &[ItemKind::Treatment, ItemKind::Prophylaxis],
                Parts::LETTERS => &[ItemKind::Letter],
                _ => &[ItemKind::Appointment],
            };
            let listed = visible_parts(
                &r,
                &me,
                OnlineChannel::Pgo,
                &s,
                now,
                part.with(Parts::EXCLUSIONS),
            )
            .unwrap();
            let expected: Vec<&Exclusion> = whole
                .excluded
                .iter()
                .filter(|x| kinds.contains(&x.item.kind) || x.item.kind == ItemKind::WorkNote)
                .collect();
            assert_eq!(
                listed.excluded.iter().collect::<Vec<_>>(),
                expected,
                "{part:?}"
            );
        }
        // Not a comparison of empty lists: the whole view holds something of every part, and
        // leaves something of every kind out.
        if day == d(2026, 11, 23) {
            assert!(!whole.problems.is_empty() && !whole.alerts.is_empty());
            assert!(!whole.contacts.is_empty() && !whole.medication.is_empty());
            assert!(!whole.allergies.is_empty() && !whole.contra_indications.is_empty());
            assert!(!whole.treatments.is_empty() && !whole.prophylaxis.is_empty());
            assert!(!whole.letters.is_empty() && !whole.appointments.is_empty());
            for kind in [
                ItemKind::Episode,
                ItemKind::Problem,
                ItemKind::Alert,
                ItemKind::Contact,
                ItemKind::JournalLine,
                ItemKind::Medication,
                ItemKind::Allergy,
                ItemKind::ContraIndication,
                ItemKind::Result,
                ItemKind::Treatment,
                ItemKind::Prophylaxis,
                ItemKind::Letter,
                ItemKind::Appointment,
                ItemKind::WorkNote,
            ] {
                assert!(
                    whole.excluded.iter().any(|x| x.item.kind == kind),
                    "{kind:?}"
                );
            }
        }
    }
    // The access check is the same for any parts: no PGO consent, no view at all.
    r.patient.online_consent = None;
    let now = noon(today());
    assert!(visible_parts(&r, &me, OnlineChannel::Pgo, &settings(), now, Parts::NONE).is_err());
}
