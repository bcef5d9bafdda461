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

const GIVEN_F: &[&str] = &[
    "Anna",
    "Emma",
    "Sophie",
    "Julia",
    "Lotte",
    "Sanne",
    "Fleur",
    "Noor",
    "Eva",
    "Lieke",
    "Maria",
    "Johanna",
    "Cornelia",
    "Wilhelmina",
    "Ingrid",
    "Fatima",
    "Yasmina",
    "Elif",
    "Saskia",
    "Marloes",
];
const GIVEN_M: &[&str] = &[
    "Daan", "Sem", "Lucas", "Finn", "Levi", "Bram", "Thijs", "Jan", "Pieter", "Hendrik",
    "Cornelis", "Willem", "Gerrit", "Kees", "Mohamed", "Ahmed", "Mehmet", "Ruben", "Joost", "Bas",
];
const FAMILY: &[(&str, Option<&str>)] = &[
    ("Jong", Some("de")),
    ("Jansen", None),
    ("Vries", Some("de")),
    ("Berg", Some("van den")),
    ("Dijk", Some("van")),
    ("Bakker", None),
    ("Janssen", None),
    ("Visser", None),
    ("Smit", None),
    ("Meijer", None),
    ("Boer", Some("de")),
    ("Mulder", None),
    ("Groot", Some("de")),
    ("Bos", None),
    ("Vos", None),
    ("Peters", None),
    ("Hendriks", None),
    ("Leeuwen", Some("van")),
    ("Dekker", None),
    ("Brouwer", None),
    ("Wit", Some("de")),
    ("Dijkstra", None),
    ("Smits", None),
    ("Graaf", Some("de")),
    ("Linden", Some("van der")),
    ("Yilmaz", None),
    ("Bouzid", None),
];
const STREETS: &[&str] = &[
    "Dorpsstraat",
    "Kerkstraat",
    "Schoolstraat",
    "Molenweg",
    "Beukenlaan",
    "Eikenlaan",
    "Stationsweg",
    "Julianastraat",
    "Wilhelminaplein",
    "Parallelweg",
];
const CITIES: &[(&str, &str)] = &[
    ("Utrecht", "35"),
    ("Amersfoort", "38"),
    ("Zeist", "37"),
    ("Houten", "39"),
    ("Nieuwegein", "34"),
];

/// A health problem the generator knows: ICPC, NHG title, the GP's usual episode title,
/// whether it is chronic, who gets it and how often, what follows from it.
struct Condition {
    icpc: &'static str,
    nhg_title: &'static str,
    titles: &'static [&'static str],
    chronic: bool,
    min_age: i32,
    max_age: i32,
    female_only: bool,
    probability: f64,
    s: &'static [&'static str],
    o: &'static [&'static str],
    p: &'static [&'static str],
    medication: &'static [(&'static str, &'static str, &'static str)], // (name, ATC, dosage)
    labs: &'static [Lab],
}

#[derive(Clone, Copy)]
struct Lab {
    code: &'static str,
    name: &'static str,
    kind: ResultKind,
    unit: &'static str,
    low: f64,
    high: f64,
    mean: f64,
    sd: f64,
    decimals: usize,
}

const BP_SYS: Lab = Lab {
    code: "1744",
    name: "systolische bloeddruk",
    kind: ResultKind::D,
    unit: "mm[Hg]",
    low: 90.0,
    high: 140.0,
    mean: 142.0,
    sd: 14.0,
    decimals: 0,
};
const BP_DIA: Lab = Lab {
    code: "1740",
    name: "diastolische bloeddruk",
    kind: ResultKind::D,
    unit: "mm[Hg]",
    low: 60.0,
    high: 90.0,
    mean: 86.0,
    sd: 9.0,
    decimals: 0,
};
const GLUC: Lab = Lab {
    code: "3208",
    name: "glucose nuchter, art/cap (lab)",
    kind: ResultKind::L,
    unit: "mmol/L",
    low: 3.5,
    high: 5.6,
    mean: 7.4,
    sd: 1.6,
    decimals: 1,
};
// Unverified NHG-Tabel 45 codes below.
const HBA1C: Lab = Lab {
    code: "2307",
    name: "HbA1c (IFCC)",
    kind: ResultKind::L,
    unit: "mmol/mol",
    low: 20.0,
    high: 42.0,
    mean: 55.0,
    sd: 9.0,
    decimals: 0,
};
const CHOL: Lab = Lab {
    code: "382",
    name: "cholesterol totaal",
    kind: ResultKind::L,
    unit: "mmol/L",
    low: 3.0,
    high: 6.5,
    mean: 5.4,
    sd: 1.0,
    decimals: 1,
};
const EGFR: Lab = Lab {
    code: "3583",
    name: "eGFR (CKD-EPI)",
    kind: ResultKind::L,
    unit: "mL/min/{1.73_m2}",
    low: 60.0,
    high: 200.0,
    mean: 72.0,
    sd: 16.0,
    decimals: 0,
};
const HB: Lab = Lab {
    code: "495",
    name: "hemoglobine",
    kind: ResultKind::L,
    unit: "mmol/L",
    low: 7.5,
    high: 10.0,
    mean: 8.3,
    sd: 0.8,
    decimals: 1,
};
const WEIGHT: Lab = Lab {
    code: "357",
    name: "gewicht",
    kind: ResultKind::D,
    unit: "kg",
    low: 0.0,
    high: 0.0,
    mean: 82.0,
    sd: 14.0,
    decimals: 1,
};

const CONDITIONS: &[Condition] = &[
    Condition {
        icpc: "T90",
        nhg_title: "Diabetes mellitus type 2",
        titles: &["Diabetes mellitus type 2", "DM2, op orale medicatie"],
        chronic: true,
        min_age: 35,
        max_age: 100,
        female_only: false,
        probability: 0.08,
        s: &[
            "Geen hypo's. Voelt zich goed.",
            "Meer dorst de laatste weken.",
        ],
        o: &[
            "Voeten: sensibiliteit intact, geen wondjes.",
            "Gewicht stabiel.",
        ],
        p: &[
            "Controle over 3 maanden bij de POH.",
            "Metformine ophogen, lab over 3 maanden.",
        ],
        medication: &[(
            "METFORMINE TABLET 500MG",
            "A10BA02",
            "2 maal daags 1 tablet bij de maaltijd",
        )],
        labs: &[HBA1C, GLUC, EGFR, CHOL],
    },
    Condition {
        icpc: "K86",
        nhg_title: "Hypertensie zonder orgaanbeschadiging",
        titles: &["Hoge bloeddruk", "Hypertensie"],
        chronic: true,
        min_age: 40,
        max_age: 100,
        female_only: false,
        probability: 0.2,
        s: &[
            "Geen klachten van hoofdpijn of duizeligheid.",
            "Meet thuis wisselende waarden.",
        ],
        o: &["RR gemeten, zie bepalingen.", "Pols regulair."],
        p: &[
            "Leefstijladvies gegeven, controle over 3 maanden.",
            "Amlodipine gestart, controle over 2 weken.",
        ],
        medication: &[
            ("AMLODIPINE TABLET 5MG", "C08CA01", "1 maal daags 1 tablet"),
            (
                "HYDROCHLOORTHIAZIDE TABLET 12,5MG",
                "C03AA03",
                "1 maal daags 1 tablet",
            ),
        ],
        labs: &[BP_SYS, BP_DIA, EGFR],
    },
    Condition {
        icpc: "R95",
        nhg_title: "Chronische obstructieve longziekte",
        titles: &["COPD", "COPD GOLD 2"],
        chronic: true,
        min_age: 50,
        max_age: 100,
        female_only: false,
        probability: 0.05,
        s: &[
            "Meer kortademig bij traplopen.",
            "Hoest met opgeven van sputum.",
        ],
        o: &["Verlengd exspirium, geen crepitaties."],
        p: &[
            "Inhalatietechniek besproken.",
            "Stoppen met roken besproken.",
        ],
        medication: &[(
            "TIOTROPIUM INHALATIEPOEDER 18UG",
            "R03BB04",
            "1 maal daags 1 inhalatie",
        )],
        labs: &[],
    },
    Condition {
        icpc: "R96",
        nhg_title: "Astma",
        titles: &["Astma", "Astma, goed gecontroleerd"],
        chronic: true,
        min_age: 5,
        max_age: 100,
        female_only: false,
        probability: 0.07,
        s: &[
            "Piepen bij inspanning.",
            "'s Nachts wakker van benauwdheid.",
        ],
        o: &["Longen: verlengd exspirium, geen crepitaties."],
        p: &[
            "Salbutamol zo nodig, uitleg inhalator.",
            "Controle over 6 weken.",
        ],
        medication: &[(
            "SALBUTAMOL AEROSOL 100UG/DO",
            "R03AC02",
            "zo nodig 1-2 inhalaties",
        )],
        labs: &[],
    },
    Condition {
        icpc: "P76",
        nhg_title: "Depressie",
        titles: &["Somberheid", "Depressieve klachten"],
        chronic: true,
        min_age: 16,
        max_age: 100,
        female_only: false,
        probability: 0.06,
        s: &["Slaapt slecht, weinig energie.", "Stemming iets beter."],
        o: &["Vlakke affect, geen suïcidale gedachten."],
        p: &[
            "Verwijzing POH-GGZ.",
            "Sertraline gestart, over 2 weken terugzien.",
        ],
        medication: &[("SERTRALINE TABLET 50MG", "N06AB06", "1 maal daags 1 tablet")],
        labs: &[],
    },
    Condition {
        icpc: "L90",
        nhg_title: "Artrose knie",
        titles: &["Knieartrose", "Artrose rechterknie"],
        chronic: true,
        min_age: 50,
        max_age: 100,
        female_only: false,
        probability: 0.1,
        s: &["Startpijn in de knie.", "Pijn bij lang lopen."],
        o: &["Crepitaties, geen hydrops."],
        p: &["Paracetamol en bewegen, fysiotherapie.", "Afwachten."],
        medication: &[(
            "PARACETAMOL TABLET 500MG",
            "N02BE01",
            "zo nodig 4 maal daags 2 tabletten",
        )],
        labs: &[],
    },
    Condition {
        icpc: "K78",
        nhg_title: "Boezemfibrilleren/-fladderen",
        titles: &["Boezemfibrilleren"],
        chronic: true,
        min_age: 60,
        max_age: 100,
        female_only: false,
        probability: 0.06,
        s: &["Hartkloppingen, soms duizelig."],
        o: &["Pols irregulair."],
        p: &[
            "ECG gemaakt, antistolling gestart.",
            "Controle bij de cardioloog.",
        ],
        medication: &[("APIXABAN TABLET 5MG", "B01AF02", "2 maal daags 1 tablet")],
        labs: &[HB, EGFR],
    },
    Condition {
        icpc: "U71",
        nhg_title: "Cystitis/urineweginfectie",
        titles: &["Blaasontsteking", "Urineweginfectie"],
        chronic: false,
        min_age: 16,
        max_age: 100,
        female_only: true,
        probability: 0.35,
        s: &["Branderig gevoel bij plassen, vaak aandrang."],
        o: &["Urine: nitriet positief."],
        p: &[
            "Nitrofurantoïne 5 dagen.",
            "Veel drinken; terugkomen bij koorts.",
        ],
        medication: &[(
            "NITROFURANTOINE CAPSULE MGA 100MG",
            "J01XE01",
            "2 maal daags 1 capsule gedurende 5 dagen",
        )],
        labs: &[],
    },
    Condition {
        icpc: "H71",
        nhg_title: "Otitis media acuta/myringitis",
        titles: &["Middenoorontsteking", "Oorontsteking links"],
        chronic: false,
        min_age: 0,
        max_age: 12,
        female_only: false,
        probability: 0.4,
        s: &["Oorpijn sinds 2 dagen, koorts."],
        o: &["Trommelvlies rood en bomberend."],
        p: &[
            "Pijnstilling, afwachtend beleid.",
            "Bij aanhouden na 3 dagen terugkomen.",
        ],
        medication: &[(
            "PARACETAMOL ZETPIL 240MG",
            "N02BE01",
            "zo nodig 3 maal daags 1 zetpil",
        )],
        labs: &[],
    },
    Condition {
        icpc: "R74",
        nhg_title: "Acute infectie bovenste luchtwegen",
        titles: &["Verkoudheid", "Bovenste luchtweginfectie"],
        chronic: false,
        min_age: 0,
        max_age: 100,
        female_only: false,
        probability: 0.5,
        s: &["Neusverkouden, keelpijn, hoesten."],
        o: &["Keel wat rood, longen schoon."],
        p: &["Uitleg natuurlijk beloop."],
        medication: &[],
        labs: &[],
    },
    Condition {
        icpc: "L03",
        nhg_title: "Lage rugpijn zonder uitstraling",
        titles: &["Lage rugpijn", "Spit"],
        chronic: false,
        min_age: 18,
        max_age: 100,
        female_only: false,
        probability: 0.3,
        s: &["Rugpijn na tillen."],
        o: &["Paravertebrale spierspanning, geen neurologische uitval."],
        p: &["Blijven bewegen, paracetamol zo nodig."],
        medication: &[(
            "IBUPROFEN TABLET 400MG",
            "M01AE01",
            "zo nodig 3 maal daags 1 tablet",
        )],
        labs: &[],
    },
    Condition {
        icpc: "D73",
        nhg_title: "Gastro-enteritis vermoedelijk infectieus",
        titles: &["Buikgriep"],
        chronic: false,
        min_age: 0,
        max_age: 100,
        female_only: false,
        probability: 0.25,
        s: &["Diarree en braken sinds gisteren."],
        o: &["Buik soepel, geen tekenen van uitdroging."],
        p: &["Voldoende drinken."],
        medication: &[],
        labs: &[],
    },
    Condition {
        icpc: "A04",
        nhg_title: "Moeheid/zwakte",
        titles: &["Moeheid"],
        chronic: false,
        min_age: 12,
        max_age: 100,
        female_only: false,
        probability: 0.15,
        s: &["Sinds weken erg moe."],
        o: &["Geen afwijkingen bij lichamelijk onderzoek."],
        p: &["Bloedonderzoek aangevraagd."],
        medication: &[],
        labs: &[HB, GLUC],
    },
];

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
                            m.shield = Some(Shield {
                                reason: ShieldReason::NotYetDiscussed,
                                text: "Eerst bespreken op spreekuur".into(),
                                by: Actor::Staff(gp.clone()),
                                at,
                            });
                        }
                        if third && soep == Soep::S && rng.random_bool(0.5) {
                            m.shield = Some(Shield {
                                reason: ShieldReason::ThirdParty,
                                text: "Informatie van een naaste".into(),
                                by: Actor::Staff(gp.clone()),
                                at,
                            });
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
                            meta: ItemMeta {
                                source: if ty == LetterType::SpecialistLetter {
                                    Source::OtherProvider {
                                        name: "Ziekenhuis Midden".into(),
                                    }
                                } else {
                                    Source::OwnPractice
                                },
                                ..meta(start_of_local_day(date), &self.staff[3].id)
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
            reference_range: (lab.high > 0.0).then(|| ReferenceRange {
                low: Decimal::parse(&format!("{:.prec$}", lab.low, prec = lab.decimals)).ok(),
                high: Decimal::parse(&format!("{:.prec$}", lab.high, prec = lab.decimals)).ok(),
                text: None,
                kind: None,
            }),
            body_site: None,
            interpretation: None,
            effective: at,
            review,
            performer: Some(gp.clone()),
            contact: Some(contact.clone()),
            episode: Some(episode.clone()),
            meta: ItemMeta {
                source: if lab.kind == ResultKind::L {
                    Source::OtherProvider {
                        name: "Saltro".into(),
                    }
                } else {
                    Source::OwnPractice
                },
                ..ItemMeta::new(Actor::System("lab".into()), received)
            },
        });
    }
}
