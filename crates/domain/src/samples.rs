//! Synthetic sample records for benchmarks and tests of every crate. No real person's data.
#![allow(clippy::unwrap_used, clippy::expect_used)] // fixed, valid literals

use crate::codes::{ContactType, Nhg45Code, Ucum};
use crate::time::start_of_local_day;
use crate::*;
use chrono::{Days, Duration, NaiveDate, TimeZone, Utc};

/// A heavy record: 20 years from 2006, 2,000 journal lines, 1,000 results, 500 contacts,
/// 60 episodes, 120 medication agreements. Patient id `heavy`, BSN 123456782, no online consent.
pub fn heavy_record() -> PatientRecord {
    let t0 = Utc.with_ymd_and_hms(2006, 1, 1, 9, 0, 0).unwrap();
    let meta = ItemMeta::new(Actor::System("bench".into()), t0);
    let practice = Practice {
        id: PracticeId::new("p").unwrap(),
        name: "P".into(),
        agb: None,
        identifiers: vec![],
        address: None,
        contact: ContactDetails::default(),
    };
    let patient = Patient {
        id: PatientId::new("heavy").unwrap(),
        practice: practice.id.clone(),
        bsn: Some(Bsn::parse("123456782").unwrap()),
        name: HumanName {
            given: vec!["A".into()],
            initials: None,
            prefix: None,
            family: "B".into(),
        },
        birth_date: NaiveDate::from_ymd_opt(1950, 1, 1).unwrap(),
        gender: Gender::Female,
        address: None,
        contact: ContactDetails::default(),
        general_practitioner: None,
        online_consent: None,
        wants_results_immediately: false,
        exchange_consent: vec![],
        meta: meta.clone(),
    };
    let mut r = PatientRecord::new(patient, practice);
    let start = NaiveDate::from_ymd_opt(2006, 1, 1).unwrap();
    for e in 0..60 {
        r.episodes.push(Episode {
            id: EpisodeId::new(format!("e{e}")).unwrap(),
            title: format!("Episode {e}"),
            icpc: IcpcCode::parse("K86").ok(),
            icpc_display: Some("Hypertensie".into()),
            start: PartialDate::Date(start + Days::new(e * 120)),
            end: (e % 3 == 0).then(|| PartialDate::Date(start + Days::new(e * 120 + 30))),
            attentiewaarde: e % 5 == 0,
            first_encounter: None,
            last_encounter: None,
            problem: None,
            care_manager: None,
            meta: meta.clone(),
        });
    }
    for c in 0..500u64 {
        let date = start + Days::new(c * 14);
        let cid = ContactId::new(format!("c{c}")).unwrap();
        let ep = EpisodeId::new(format!("e{}", c % 60)).unwrap();
        r.contacts.push(Contact {
            id: cid.clone(),
            contact_type: ContactType::parse(if c % 10 == 0 { "09" } else { "03" }).unwrap(),
            date,
            end: None,
            practitioner: None,
            episode: Some(ep.clone()),
            patient_took_part: None,
            meta: meta.clone(),
        });
        for (i, soep) in [Soep::S, Soep::O, Soep::E, Soep::P].into_iter().enumerate() {
            r.journal.push(JournalLine {
                id: JournalLineId::new(format!("l{c}-{i}")).unwrap(),
                soep,
                text: "tekst".into(),
                icpc: None,
                icpc_display: None,
                date,
                contact: Some(cid.clone()),
                episode: Some(ep.clone()),
                author: None,
                meta: meta.clone(),
            });
        }
        for k in 0..2u64 {
            let at = start_of_local_day(date) + Duration::hours(10);
            r.results.push(LabResult {
                id: ResultId::new(format!("r{c}-{k}")).unwrap(),
                kind: if k == 0 { ResultKind::L } else { ResultKind::D },
                code: Nhg45Code::parse("3208").unwrap(),
                name: "glucose".into(),
                other_codes: vec![],
                value: ResultValue::Quantity {
                    value: Decimal::parse("5.4").unwrap(),
                    unit: Ucum::parse("mmol/L").ok(),
                },
                reference_range: None,
                body_site: None,
                interpretation: None,
                effective: at,
                review: ReviewState::Pending { received_at: at },
                patient_comment: None,
                performer: None,
                contact: Some(cid.clone()),
                episode: None,
                meta: meta.clone(),
            });
        }
    }
    for m in 0..120u64 {
        r.medication.push(MedicationAgreement {
            id: MedicationId::new(format!("m{m}")).unwrap(),
            product: Product {
                source_id: None,
                name: "X".into(),
                codes: vec![],
            },
            dosage_text: "1dd1".into(),
            dosage_codes: vec![],
            dosage: Default::default(),
            period_start: Some(start + Days::new(m * 50)),
            period_end: (m % 2 == 0).then(|| start + Days::new(m * 50 + 30)),
            authored_on: None,
            prescriber: None,
            contact: None,
            episode: None,
            meta: meta.clone(),
        });
    }
    r
}

/// [`heavy_record`] with items of every kind (and a GP), some of each left out for a reason:
/// every 7th item of a kind shielded, every 11th result withheld, every 13th contact held
/// without the patient, letters of a type that is not online and from before the
/// correspondence start date, problems and alerts of closed episodes. For tests that compare
/// views of one record.
pub fn varied_record() -> PatientRecord {
    let mut r = heavy_record();
    let at = Utc.with_ymd_and_hms(2020, 1, 1, 9, 0, 0).unwrap();
    let shield = |meta: &mut ItemMeta, i: usize| {
        if i % 7 == 3 {
            meta.shield = Some(Box::new(Shield {
                reason: ShieldReason::NotYetDiscussed,
                text: "Nog bespreken".into(),
                by: Actor::System("sample".into()),
                at,
            }));
        }
    };
    for (i, x) in r.episodes.iter_mut().enumerate() {
        shield(&mut x.meta, i);
    }
    for (i, x) in r.contacts.iter_mut().enumerate() {
        shield(&mut x.meta, i);
        if i % 13 == 5 {
            x.patient_took_part = Some(false);
        }
    }
    for (i, x) in r.journal.iter_mut().enumerate() {
        shield(&mut x.meta, i);
    }
    for (i, x) in r.results.iter_mut().enumerate() {
        shield(&mut x.meta, i);
        if i % 11 == 2 {
            x.review = ReviewState::Withheld {
                by: Actor::System("sample".into()),
                at,
                reason: "Eerst bespreken".into(),
            };
        }
    }
    for (i, x) in r.medication.iter_mut().enumerate() {
        shield(&mut x.meta, i);
    }
    let meta = |i: usize| {
        let mut m = ItemMeta::new(Actor::System("sample".into()), at);
        shield(&mut m, i);
        m
    };
    let code = |c: &str| Coding::new("urn:oid:2.16.840.1.113883.2.4.4.31.1", c, Some(c));
    let gp = PractitionerId::new("sample-gp").unwrap();
    r.practitioners.push(Practitioner {
        id: gp.clone(),
        practice: Some(r.practice.id.clone()),
        name: HumanName {
            given: vec!["C".into()],
            initials: None,
            prefix: None,
            family: "D".into(),
        },
        agb: None,
        identifiers: vec![],
        roles: vec![StaffRole::Gp],
        contact: ContactDetails::default(),
    });
    r.patient.general_practitioner = Some(gp.clone());
    let day = |n: u64| NaiveDate::from_ymd_opt(2012, 1, 1).unwrap() + Days::new(n * 97);
    // Problems and alerts of some episodes (visible only with a visible episode).
    for i in 0..r.episodes.len() {
        if i % 4 == 0 {
            let id = ProblemId::new(format!("pr{i}")).unwrap();
            r.problems.push(Problem {
                id: id.clone(),
                code: code("T90"),
                status: ProblemStatus::Active,
                onset: Some(PartialDate::Date(day(i as u64))),
                abatement: None,
                asserter: Some(gp.clone()),
                meta: meta(i / 4),
            });
            r.episodes[i].problem = Some(id);
        }
        if i % 6 == 1 {
            r.alerts.push(Alert {
                id: AlertId::new(format!("al{i}")).unwrap(),
                code: code("A01"),
                active: true,
                start: Some(PartialDate::Date(day(i as u64))),
                end: None,
                detail: None,
                episode: Some(r.episodes[i].id.clone()),
                author: Some(gp.clone()),
                meta: meta(i / 6),
            });
        }
    }
    for i in 0..8usize {
        r.allergies.push(Allergy {
            id: AllergyId::new(format!("a{i}")).unwrap(),
            substance: code("penicilline"),
            category: AllergyCategory::Medication,
            criticality: None,
            status: AllergyStatus::Active,
            onset: None,
            reaction: None,
            reaction_codes: vec![],
            note: None,
            recorder: Some(gp.clone()),
            meta: meta(i),
        });
        r.contra_indications.push(ContraIndication {
            id: ContraIndicationId::new(format!("ci{i}")).unwrap(),
            code: code("CI"),
            start: Some(PartialDate::Date(day(i as u64))),
            end: None,
            meta: meta(i),
        });
        r.treatments.push(Treatment {
            id: TreatmentId::new(format!("t{i}")).unwrap(),
            code: None,
            description: "Behandeling".into(),
            date: PartialDate::Date(day(i as u64)),
            episode: r.episodes.get(i).map(|e| e.id.clone()),
            meta: meta(i),
        });
        r.prophylaxis.push(Prophylaxis {
            id: ProphylaxisId::new(format!("pf{i}")).unwrap(),
            code: None,
            description: "Griepprik".into(),
            date: PartialDate::Date(day(i as u64)),
            meta: meta(i),
        });
        // One of each type, some before the correspondence start date (R20, R21).
        r.letters.push(Letter {
            id: LetterId::new(format!("l{i}")).unwrap(),
            direction: LetterDirection::Incoming,
            letter_type: match i % 4 {
                0 => LetterType::SpecialistLetter,
                1 => LetterType::DischargeLetter,
                2 => LetterType::Other,
                _ => LetterType::RadiologyReport,
            },
            date: NaiveDate::from_ymd_opt(2018 + i as i32, 3, 1).unwrap(),
            title: "Brief".into(),
            author: "Ziekenhuis".into(),
            content: LetterContent::Pdf {
                bytes: b"%PDF-1.4 sample".to_vec(),
            },
            episode: None,
            document: None,
            meta: meta(i),
        });
        r.appointments.push(Appointment {
            id: AppointmentId::new(format!("ap{i}")).unwrap(),
            start: at + Duration::days(400 * i as i64),
            minutes: 10,
            practitioner: Some(gp.clone()),
            kind: "Consult".into(),
            status: AppointmentStatus::Booked,
            reason: None,
            mode: None,
            meta: meta(i),
        });
        r.work_notes.push(WorkNote {
            id: WorkNoteId::new(format!("w{i}")).unwrap(),
            author: gp.clone(),
            text: "Werkaantekening".into(),
            meta: meta(i),
        });
    }
    r
}
