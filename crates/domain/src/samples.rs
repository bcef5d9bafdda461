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

/// [`heavy_record`] with something of every kind left out for a reason: every 7th episode,
/// contact, journal line, result and medication agreement shielded, every 11th result withheld
/// and every 13th contact held without the patient. For tests that compare views of one record.
pub fn varied_record() -> PatientRecord {
    let mut r = heavy_record();
    let at = Utc.with_ymd_and_hms(2020, 1, 1, 9, 0, 0).unwrap();
    let shield = |meta: &mut ItemMeta, i: usize| {
        if i % 7 == 3 {
            meta.shield = Some(Shield {
                reason: ShieldReason::NotYetDiscussed,
                text: "Nog bespreken".into(),
                by: Actor::System("sample".into()),
                at,
            });
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
    r
}
