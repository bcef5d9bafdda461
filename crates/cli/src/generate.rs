//! Synthetic practices: realistic, deterministic Dutch GP records made by our own code.
//!
//! Patient `i` of seed `s` depends only on `(s, i)`, so any number of patients streams in constant
//! memory and any single patient can be regenerated for a check. Nothing here is real: names are
//! combined from common Dutch name parts, BSNs are made to pass the eleven-test from the index
//! (prefixes 9, 8, 7, ... so they never repeat within one practice), addresses are invented.
//!
//! Codes: ICPC and ATC codes are the real classifications; NHG-Tabel 45 codes for blood pressure,
//! glucose and throat culture are the ones the Nictiz fixtures use, the others are our best
//! knowledge and unverified (marked below).

// Every value this module parses is built here and valid by construction; a failed parse is a
// bug in this file, so `expect` states that plainly.
#![allow(clippy::expect_used)]

use crate::pdf::letter_pdf;
use chrono::{DateTime, Datelike, Days, Duration, NaiveDate, Utc};
use inzage_domain::codes::{AgbCode, ContactType, IcpcCode, Nhg45Code, Ucum, system};
use inzage_domain::time::{local_date, start_of_local_day};
use inzage_domain::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

mod catalogue;
use catalogue::*;

/// Makes the records of one synthetic practice.
pub struct Generator {
    seed: u64,
    now: DateTime<Utc>,
    today: NaiveDate,
    practice: Practice,
    staff: Vec<Practitioner>,
}

fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

fn normal(rng: &mut ChaCha8Rng, mean: f64, sd: f64) -> f64 {
    // Sum of uniforms: close enough to normal for synthetic data, and deterministic.
    let s: f64 = (0..6).map(|_| rng.random::<f64>()).sum::<f64>() - 3.0;
    mean + s * sd / (0.5f64).sqrt()
}

/// A nine-digit number passing the eleven-test, unique per index below 10 million.
pub fn synthetic_bsn(index: u64) -> Bsn {
    for prefix in (1..=9u64).rev() {
        let base = format!("{:08}", prefix * 10_000_000 + index % 10_000_000);
        let d: Vec<u64> = base.bytes().map(|b| u64::from(b - b'0')).collect();
        let sum: u64 = (0..8).map(|i| d[i] * (9 - i as u64)).sum();
        let check = sum % 11;
        if check < 10
            && let Ok(b) = Bsn::parse(&format!("{base}{check}"))
        {
            return b;
        }
    }
    unreachable!("one of nine prefixes always yields a check digit below 10")
}

fn id<T>(make: fn(String) -> Result<T, InvalidId>, s: String) -> T {
    make(s).expect("generated id")
}

impl Generator {
    pub fn new(seed: u64, now: DateTime<Utc>) -> Self {
        let practice_id = id(PracticeId::new, format!("synth-{seed}"));
        let practice = Practice {
            id: practice_id.clone(),
            name: "Huisartsenpraktijk De Linde".into(),
            agb: AgbCode::parse("01099999").ok(),
            identifiers: vec![],
            address: Some(Address {
                street: "Lindelaan".into(),
                house_number: "12".into(),
                postal_code: "3511AB".into(),
                city: "Utrecht".into(),
                country: "NLD".into(),
            }),
            contact: ContactDetails {
                phone: Some("030-0000000".into()),
                email: Some("praktijk@example.invalid".into()),
            },
        };
        let mk = |n: u32, given: &str, prefix: Option<&str>, family: &str, role: StaffRole| {
            Practitioner {
                id: id(PractitionerId::new, format!("synth-{seed}-staff-{n}")),
                practice: Some(practice_id.clone()),
                name: HumanName {
                    given: vec![given.into()],
                    initials: None,
                    prefix: prefix.map(Into::into),
                    family: family.into(),
                },
                agb: AgbCode::parse(&format!("0110{n:04}")).ok(),
                identifiers: vec![],
                roles: vec![role],
                contact: ContactDetails::default(),
            }
        };
        let staff = vec![
            mk(1, "Anne", Some("de"), "Vries", StaffRole::Gp),
            mk(2, "Mehmet", None, "Demir", StaffRole::Gp),
            mk(3, "Karin", None, "Bos", StaffRole::PracticeNurse),
            mk(4, "Lisa", Some("van"), "Dam", StaffRole::Assistant),
        ];
        Self {
            seed,
            now,
            today: local_date(now),
            practice,
            staff,
        }
    }

    pub fn practice(&self) -> &Practice {
        &self.practice
    }

    /// The record of patient `index`: the same for the same seed, index and day.
    pub fn patient(&self, index: u64) -> PatientRecord {
        let mut rng = ChaCha8Rng::seed_from_u64(
            self.seed ^ index.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15),
        );
        let female = rng.random_bool(0.51);
        let age_days = rng.random_range(0..(100 * 365));
        let birth = self
            .today
            .checked_sub_days(Days::new(age_days))
            .unwrap_or(self.today);
        let age = inzage_domain::time::age_on(birth, self.today);
        let (family, prefix) = *pick(&mut rng, FAMILY);
        let given = if female {
            *pick(&mut rng, GIVEN_F)
        } else {
            *pick(&mut rng, GIVEN_M)
        };
        let (city, pc) = *pick(&mut rng, CITIES);
        let gp = self.staff[rng.random_range(0..2)].id.clone();
        let meta =
            |at: DateTime<Utc>, by: &PractitionerId| ItemMeta::new(Actor::Staff(by.clone()), at);
        let pid = format!("synth-{}-{index}", self.seed);
        let patient = Patient {
            id: id(PatientId::new, pid.clone()),
            practice: self.practice.id.clone(),
            bsn: Some(synthetic_bsn(index)),
            name: HumanName {
                given: vec![given.into()],
                initials: Some(format!("{}.", &given[..1])),
                prefix: prefix.map(Into::into),
                family: family.into(),
            },
            birth_date: birth,
            gender: if female { Gender::Female } else { Gender::Male },
            address: Some(Address {
                street: (*pick(&mut rng, STREETS)).into(),
                house_number: rng.random_range(1..200).to_string(),
                postal_code: format!(
                    "{pc}{:02}{}{}",
                    rng.random_range(10..99),
                    char::from(b'A' + rng.random_range(0..26)),
                    char::from(b'A' + rng.random_range(0..26))
                ),
                city: city.into(),
                country: "NLD".into(),
            }),
            contact: ContactDetails {
                phone: Some(format!("06-{:08}", rng.random_range(0..100_000_000))),
                email: Some(format!("patient{index}@example.invalid")),
            },
            general_practitioner: Some(gp.clone()),
            online_consent: rng.random_bool(0.7).then(|| OnlineConsent {
                portal: true,
                pgo: rng.random_bool(0.5),
                recorded_by: Actor::Staff(gp.clone()),
                recorded_at: self.now - Duration::days(rng.random_range(1..1500)),
            }),
            wants_results_immediately: rng.random_bool(0.1),
            exchange_consent: vec![],
            meta: meta(
                start_of_local_day(birth.max(self.today - Days::new(20 * 365))),
                &self.staff[3].id,
            ),
        };
        let mut r = PatientRecord::new(patient, self.practice.clone());
        r.practitioners = self.staff.clone();
        let history_start = birth.max(
            self.today
                .checked_sub_days(Days::new(20 * 365))
                .unwrap_or(birth),
        );
        let span = (self.today - history_start).num_days().max(1) as u64;
        let mut n = 0u32;
        let mut next = |kind: &str| {
            n += 1;
            format!("{pid}-{kind}{n}")
        };

        for c in CONDITIONS {
            if age < c.min_age || age > c.max_age || (c.female_only && !female) {
                continue;
            }
            let occurrences = if c.chronic {
                u32::from(rng.random_bool(c.probability))
            } else {
                (0..3).filter(|_| rng.random_bool(c.probability)).count() as u32
            };
            for _ in 0..occurrences {
                let start = history_start + Days::new(rng.random_range(0..span));
                let end = if c.chronic {
                    None
                } else {
                    Some(start + Days::new(rng.random_range(7..60))).filter(|e| *e < self.today)
                };
                let ep_id = id(EpisodeId::new, next("ep"));
                let prob_id = id(ProblemId::new, next("pr"));
                let by = if rng.random_bool(0.8) {
                    &gp
                } else {
                    &self.staff[2].id
                };
                let at = start_of_local_day(start) + Duration::hours(9);
                r.problems.push(Problem {
                    id: prob_id.clone(),
                    code: Coding::new(system::ICPC, c.icpc, Some(c.nhg_title)),
                    status: if end.is_some() {
                        ProblemStatus::Inactive
                    } else {
                        ProblemStatus::Active
                    },
                    onset: Some(start.into()),
                    abatement: end.map(Into::into),
                    asserter: Some(gp.clone()),
                    meta: meta(at, by),
                });
                r.episodes.push(Episode {
                    id: ep_id.clone(),
                    title: (*pick(&mut rng, c.titles)).into(),
                    icpc: IcpcCode::parse(c.icpc).ok(),
                    icpc_display: Some(c.nhg_title.into()),
                    start: start.into(),
                    end: end.map(Into::into),
                    attentiewaarde: c.chronic && rng.random_bool(0.8),
                    first_encounter: Some(start),
                    last_encounter: None,
                    problem: Some(prob_id),
                    care_manager: Some(gp.clone()),
                    meta: meta(at, by),
                });
                // Contacts: chronic problems get regular controls, acute ones one or two visits.
                let last_day = end.unwrap_or(self.today);
                let mut dates = vec![start];
                if c.chronic {
                    let mut d = start;
                    let interval = rng.random_range(90..240);
                    while let Some(nd) = d.checked_add_days(Days::new(interval)) {
                        if nd >= last_day || dates.len() >= 40 {
                            break;
                        }
                        dates.push(nd);
                        d = nd;
                    }
                } else if rng.random_bool(0.3) {
                    dates.push(start + Days::new(rng.random_range(2..10)));
                }
                for (k, d) in dates.iter().enumerate() {
                    let contact_id = id(ContactId::new, next("ct"));
                    let third = rng.random_bool(0.04);
                    let ctype = if third {
                        "09"
                    } else if rng.random_bool(0.2) {
                        "04"
                    } else {
                        "03"
                    };
                    let performer = if c.chronic && k > 0 && rng.random_bool(0.5) {
                        &self.staff[2].id
                    } else {
                        &gp
                    };
                    let at = start_of_local_day(*d) + Duration::hours(rng.random_range(8..17));
                    r.contacts.push(Contact {
                        id: contact_id.clone(),
                        contact_type: ContactType::parse(ctype).expect("static contact type"),
                        date: *d,
                        end: None,
                        practitioner: Some(performer.clone()),
                        episode: Some(ep_id.clone()),
                        patient_took_part: None,
                        meta: meta(at, performer),
                    });
                    let lines: [(Soep, String); 4] = [
                        (
                            Soep::S,
                            if third {
                                "Dochter belt, maakt zich zorgen over moeder.".into()
                            } else {
                                (*pick(&mut rng, c.s)).into()
                            },
                        ),
                        (Soep::O, (*pick(&mut rng, c.o)).into()),
                        (
                            Soep::E,
                            r.episodes
                                .last()
                                .map(|e| e.title.clone())
                                .unwrap_or_default(),
                        ),
                        (Soep::P, (*pick(&mut rng, c.p)).into()),
                    ];
                    for (soep, text) in lines {
                        if soep == Soep::O && third {
                            continue;
                        }
                        let mut m = meta(at, performer);
                        if soep == Soep::E && rng.random_bool(0.02) {
                            m.shield = Some(Box::new(Shield {
                                reason: ShieldReason::NotYetDiscussed,
                                text: "Eerst bespreken op spreekuur".into(),
                                by: Actor::Staff(gp.clone()),
                                at,
                            }));
                        }
                        if third && soep == Soep::S && rng.random_bool(0.5) {
                            m.shield = Some(Box::new(Shield {
                                reason: ShieldReason::ThirdParty,
                                text: "Informatie van een naaste".into(),
                                by: Actor::Staff(gp.clone()),
                                at,
                            }));
                        }
                        r.journal.push(JournalLine {
                            id: id(JournalLineId::new, next("jl")),
                            soep,
                            text,
                            icpc: (soep == Soep::E)
                                .then(|| IcpcCode::parse(c.icpc).ok())
                                .flatten(),
                            icpc_display: (soep == Soep::E).then(|| c.nhg_title.to_owned()),
                            date: *d,
                            contact: Some(contact_id.clone()),
                            episode: Some(ep_id.clone()),
                            author: Some(performer.clone()),
                            meta: m,
                        });
                    }
                    // Results: measured at the contact (D) or drawn for the lab (L).
                    for lab in c.labs {
                        if third || (lab.kind == ResultKind::L && rng.random_bool(0.5)) {
                            continue;
                        }
                        self.push_result(
                            &mut rng,
                            &mut r,
                            lab,
                            at,
                            &contact_id,
                            &ep_id,
                            &gp,
                            &mut next,
                        );
                    }
                    if !third && rng.random_bool(0.3) && age >= 18 {
                        self.push_result(
                            &mut rng,
                            &mut r,
                            &WEIGHT,
                            at,
                            &contact_id,
                            &ep_id,
                            &gp,
                            &mut next,
                        );
                    }
                }
                if let Some(e) = r.episodes.last_mut() {
                    e.last_encounter = dates.last().copied();
                }
                for (name, atc, dosage) in c.medication {
                    let stop = if c.chronic {
                        if rng.random_bool(0.15) {
                            Some(start + Days::new(rng.random_range(30..700)))
                                .filter(|s| *s < self.today)
                        } else {
                            None
                        }
                    } else {
                        Some(start + Days::new(5))
                    };
                    r.medication.push(MedicationAgreement {
                        id: id(MedicationId::new, next("md")),
                        product: Product {
                            source_id: None,
                            name: (*name).into(),
                            codes: vec![Coding::new(system::ATC, atc, Some(name))],
                        },
                        dosage_text: (*dosage).into(),
                        dosage_codes: vec![],
                        dosage: Default::default(),
                        period_start: Some(start),
                        period_end: stop,
                        authored_on: Some(start),
                        prescriber: Some(gp.clone()),
                        contact: None,
                        episode: Some(ep_id.clone()),
                        meta: meta(start_of_local_day(start) + Duration::hours(10), &gp),
                    });
                }
                if c.chronic && rng.random_bool(0.35) {
                    let date = start + Days::new(rng.random_range(10..120));
                    if date < self.today {
                        let (ty, author, title) = if rng.random_bool(0.5) {
                            (
                                LetterType::SpecialistLetter,
                                "Dr. J. Klaassen, internist",
                                format!("Brief internist: {}", c.nhg_title),
                            )
                        } else {
                            (
                                LetterType::ReferralLetter,
                                "Huisartsenpraktijk De Linde",
                                format!("Verwijzing: {}", c.nhg_title),
                            )
                        };
                        let body = vec![
                            format!(
                                "Betreft: {} {}",
                                r.patient.name.display(),
                                r.patient.birth_date.format("%d-%m-%Y")
                            ),
                            format!("Datum: {}", date.format("%d-%m-%Y")),
                            "Synthetische brief, gemaakt door inzage.".to_owned(),
                        ];
                        r.letters.push(Letter {
                            id: id(LetterId::new, next("lt")),
                            direction: if ty == LetterType::ReferralLetter {
                                LetterDirection::Outgoing
                            } else {
                                LetterDirection::Incoming
                            },
                            letter_type: ty,
                            date,
                            title: title.clone(),
                            author: author.into(),
                            content: LetterContent::Pdf {
                                bytes: letter_pdf(&title, &body),
                            },
                            episode: Some(ep_id.clone()),
                            document: None,
                            meta: {
                                let mut m = meta(start_of_local_day(date), &self.staff[3].id);
                                if ty == LetterType::SpecialistLetter {
                                    m.source = Source::OtherProvider {
                                        name: "Ziekenhuis Midden".into(),
                                    };
                                }
                                m
                            },
                        });
                    }
                }
            }
        }
        if rng.random_bool(0.1) {
            r.allergies.push(Allergy {
                id: id(AllergyId::new, next("al")),
                substance: Coding::new(system::ATC, "J01CE", Some("Penicillines")),
                category: AllergyCategory::Medication,
                criticality: Some(Criticality::High),
                status: AllergyStatus::Active,
                onset: Some(PartialDate::Year(history_start.year())),
                reaction: Some("Huiduitslag".into()),
                reaction_codes: vec![],
                note: None,
                recorder: Some(gp.clone()),
                meta: meta(start_of_local_day(history_start), &gp),
            });
        }
        if age >= 60 {
            for y in (self.today.year() - 3)..self.today.year() {
                if let Some(d) = NaiveDate::from_ymd_opt(y, 10, 15) {
                    r.prophylaxis.push(Prophylaxis {
                        id: id(ProphylaxisId::new, next("pf")),
                        code: None,
                        description: "Griepvaccinatie".into(),
                        date: d.into(),
                        meta: meta(start_of_local_day(d), &self.staff[3].id),
                    });
                }
            }
        }
        if rng.random_bool(0.03) && age >= 40 {
            r.contra_indications.push(ContraIndication {
                id: id(ContraIndicationId::new, next("ci")),
                code: Coding::new(system::G_CI, "8011", Some("Nierfunctiestoornis")),
                start: Some(PartialDate::Year(self.today.year() - 2)),
                end: None,
                meta: meta(self.now - Duration::days(700), &gp),
            });
        }
        if rng.random_bool(0.1) {
            r.work_notes.push(WorkNote {
                id: id(WorkNoteId::new, next("wn")),
                author: gp.clone(),
                text: "Werkaantekening: denk aan thuissituatie bij volgend consult.".into(),
                meta: meta(self.now - Duration::days(rng.random_range(1..400)), &gp),
            });
        }
        if rng.random_bool(0.3) {
            let start = start_of_local_day(self.today + Days::new(rng.random_range(1..30)))
                + Duration::hours(rng.random_range(8..16));
            r.appointments.push(Appointment {
                id: id(AppointmentId::new, next("ap")),
                start,
                minutes: 10,
                practitioner: Some(gp.clone()),
                kind: "Spreekuur".into(),
                status: AppointmentStatus::Booked,
                reason: None,
                mode: None,
                meta: meta(self.now - Duration::days(2), &self.staff[3].id),
            });
        }
        r
    }

    #[allow(clippy::too_many_arguments)]
    fn push_result(
        &self,
        rng: &mut ChaCha8Rng,
        r: &mut PatientRecord,
        lab: &Lab,
        at: DateTime<Utc>,
        contact: &ContactId,
        episode: &EpisodeId,
        gp: &PractitionerId,
        next: &mut impl FnMut(&str) -> String,
    ) {
        let v = normal(rng, lab.mean, lab.sd).max(0.1);
        let value =
            Decimal::parse(&format!("{v:.prec$}", prec = lab.decimals)).expect("formatted decimal");
        let received = at + Duration::hours(if lab.kind == ResultKind::L { 20 } else { 0 });
        let age_days = (self.now - received).num_days();
        let review = match lab.kind {
            ResultKind::D => ReviewState::Released {
                by: Actor::Staff(gp.clone()),
                at: received,
            },
            ResultKind::L if age_days < 10 && rng.random_bool(0.6) => ReviewState::Pending {
                received_at: received,
            },
            ResultKind::L if rng.random_bool(0.02) => ReviewState::Withheld {
                by: Actor::Staff(gp.clone()),
                at: received,
                reason: "Eerst bespreken".into(),
            },
            ResultKind::L => ReviewState::Released {
                by: Actor::Staff(gp.clone()),
                at: received + Duration::days(rng.random_range(0..4)),
            },
        };
        // A GP who releases a raised lab value writes a word for the patient with it.
        let patient_comment = (lab.kind == ResultKind::L
            && lab.high > 0.0
            && v > lab.high
            && matches!(review, ReviewState::Released { .. }))
        .then(|| {
            "Deze waarde is iets hoger dan normaal. Dat is geen reden tot zorg. \
             We meten het opnieuw bij uw volgende controle."
                .to_owned()
        });
        r.results.push(LabResult {
            id: id(ResultId::new, next("rs")),
            kind: lab.kind,
            code: Nhg45Code::parse(lab.code).expect("static NHG-45 code"),
            name: lab.name.into(),
            other_codes: vec![],
            value: ResultValue::Quantity {
                value,
                unit: Ucum::parse(lab.unit).ok(),
            },
            reference_range: (lab.high > 0.0).then(|| {
                Box::new(ReferenceRange {
                    low: Decimal::parse(&format!("{:.prec$}", lab.low, prec = lab.decimals)).ok(),
                    high: Decimal::parse(&format!("{:.prec$}", lab.high, prec = lab.decimals)).ok(),
                    text: None,
                    kind: None,
                })
            }),
            body_site: None,
            interpretation: None,
            effective: at,
            review,
            patient_comment,
            performer: Some(gp.clone()),
            contact: Some(contact.clone()),
            episode: Some(episode.clone()),
            meta: {
                let mut m = ItemMeta::new(Actor::System("lab".into()), received);
                if lab.kind == ResultKind::L {
                    m.source = Source::OtherProvider {
                        name: "Saltro".into(),
                    };
                }
                m
            },
        });
    }
}
