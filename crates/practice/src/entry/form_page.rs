//! The form page of each kind of item: its fields (new, or filled from the item to correct), the
//! choice lists, and the submitted values put back after a refusal.

use super::*;

// ---- the page ----

pub struct Field {
    pub name: &'static str,
    pub label: String,
    /// `text`, `date`, `datetime-local`, `textarea`, `select`, `checkbox`, `file`.
    pub kind: &'static str,
    pub value: String,
    pub options: Vec<(String, String)>,
    pub required: bool,
    /// `icpc-codes` or `lab-codes` for a searchable code list.
    pub list: &'static str,
    pub hint: String,
}

pub struct Version {
    pub replaced_at: String,
    pub by: String,
    pub text: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "practice_form.html")]
pub(super) struct FormPage {
    pub(super) ctx: PageCtx,
    pub(super) title: String,
    pub(super) id: String,
    pub(super) patient: String,
    pub(super) action: String,
    pub(super) multipart: bool,
    pub(super) error: Option<String>,
    pub(super) fields: Vec<Field>,
    pub(super) submit: String,
    pub(super) icpc_codes: Vec<(String, String)>,
    pub(super) lab_codes: Vec<(String, String)>,
    pub(super) history: Vec<Version>,
}

pub(super) struct F<'a> {
    pub(super) tr: &'a Tr,
}

impl F<'_> {
    pub(super) fn field(&self, name: &'static str, kind: &'static str, value: String) -> Field {
        Field {
            name,
            label: self.tr.t(&format!("field-{name}")),
            kind,
            value,
            options: vec![],
            required: false,
            list: "",
            hint: String::new(),
        }
    }
    pub(super) fn required(&self, name: &'static str, kind: &'static str, value: String) -> Field {
        Field {
            required: true,
            ..self.field(name, kind, value)
        }
    }
    pub(super) fn select(
        &self,
        name: &'static str,
        value: String,
        options: Vec<(String, String)>,
    ) -> Field {
        Field {
            options,
            ..self.field(name, "select", value)
        }
    }
    pub(super) fn with_hint(&self, mut f: Field, key: &str) -> Field {
        f.hint = self.tr.t(key);
        f
    }
}

pub(super) fn episode_options(r: &PatientRecord, tr: &Tr) -> Vec<(String, String)> {
    let today = local_date(Utc::now());
    let mut eps: Vec<_> = r.episodes.iter().collect();
    eps.sort_by_key(|e| (e.is_closed(today), std::cmp::Reverse(e.start.earliest())));
    std::iter::once((String::new(), tr.t("field-no-episode")))
        .chain(eps.into_iter().map(|e| {
            let code = e.icpc.as_ref().map(|c| c.as_str()).unwrap_or_default();
            (
                e.id.to_string(),
                format!("{code} {}", e.title).trim().to_owned(),
            )
        }))
        .collect()
}

pub(super) fn opts(pairs: &[(&str, &str)], tr: &Tr) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(v, key)| ((*v).to_owned(), tr.t(key)))
        .collect()
}

pub(super) fn date_value(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

pub(super) fn partial_value(d: Option<&PartialDate>) -> String {
    match d {
        None => String::new(),
        Some(PartialDate::Year(y)) => format!("{y:04}"),
        Some(PartialDate::YearMonth(y, m)) => format!("{y:04}-{m:02}"),
        Some(PartialDate::Date(d)) => date_value(Some(*d)),
    }
}

pub(super) fn local_datetime_value(at: DateTime<Utc>) -> String {
    at.with_timezone(&Amsterdam)
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

pub(super) const LETTER_TYPES: [(&str, &str); 5] = [
    ("specialist", "letter-specialist"),
    ("ontslag", "letter-discharge"),
    ("radiologie", "letter-radiology"),
    ("verwijzing", "letter-referral"),
    ("overig", "letter-other"),
];

pub(super) fn letter_type_value(t: LetterType) -> &'static str {
    match t {
        LetterType::SpecialistLetter => "specialist",
        LetterType::DischargeLetter => "ontslag",
        LetterType::RadiologyReport => "radiologie",
        LetterType::ReferralLetter => "verwijzing",
        LetterType::Other => "overig",
    }
}

/// The form's fields for `kind`, filled from the item being corrected (or empty for a new one).
pub(super) fn fields(
    kind: Kind,
    r: &PatientRecord,
    item: Option<&str>,
    tr: &Tr,
) -> Option<Vec<Field>> {
    let f = F { tr };
    let today = date_value(Some(local_date(Utc::now())));
    let icpc = |v: String| Field {
        list: "icpc-codes",
        ..f.with_hint(f.field("icpc", "text", v), "field-icpc-hint")
    };
    let ep = |v: String| f.select("episode", v, episode_options(r, tr));
    Some(match kind {
        Kind::Consult => {
            let types = (1..=10)
                .filter_map(|n| ContactType::parse(&format!("{n:02}")).ok())
                .map(|t| {
                    let label = t.display_nl().unwrap_or_default().to_owned();
                    (t.as_str().to_owned(), label)
                })
                .collect();
            vec![
                f.required("datum", "date", today),
                f.select("contactsoort", "03".into(), types),
                ep(String::new()),
                f.field("s", "textarea", String::new()),
                f.field("o", "textarea", String::new()),
                f.field("e", "textarea", String::new()),
                icpc(String::new()),
                f.field("p", "textarea", String::new()),
            ]
        }
        Kind::Line => {
            let l = r.journal.iter().find(|l| Some(l.id.as_str()) == item)?;
            vec![
                f.required("tekst", "textarea", l.text.clone()),
                icpc(l.icpc.as_ref().map(|c| c.to_string()).unwrap_or_default()),
            ]
        }
        Kind::Episode => {
            let e = item.map(|id| r.episodes.iter().find(|e| e.id.as_str() == id));
            let e = match e {
                Some(None) => return None,
                Some(Some(e)) => Some(e),
                None => None,
            };
            vec![
                f.required(
                    "titel",
                    "text",
                    e.map(|e| e.title.clone()).unwrap_or_default(),
                ),
                icpc(
                    e.and_then(|e| e.icpc.as_ref())
                        .map(|c| c.to_string())
                        .unwrap_or_default(),
                ),
                f.with_hint(
                    f.required(
                        "begin",
                        "text",
                        e.map_or(today.clone(), |e| partial_value(Some(&e.start))),
                    ),
                    "field-partial-date-hint",
                ),
                f.with_hint(
                    f.field(
                        "einde",
                        "text",
                        partial_value(e.and_then(|e| e.end.as_ref())),
                    ),
                    "field-partial-date-hint",
                ),
                f.field(
                    "attentiewaarde",
                    "checkbox",
                    if e.is_some_and(|e| e.attentiewaarde) {
                        "on".into()
                    } else {
                        String::new()
                    },
                ),
            ]
        }
        Kind::Medication => {
            let m = match item {
                Some(id) => Some(r.medication.iter().find(|m| m.id.as_str() == id)?),
                None => None,
            };
            let atc = m
                .and_then(|m| m.product.codes.iter().find(|c| c.system == system::ATC))
                .map(|c| c.code.to_string())
                .unwrap_or_default();
            vec![
                f.required(
                    "middel",
                    "text",
                    m.map(|m| m.product.name.clone()).unwrap_or_default(),
                ),
                f.with_hint(f.field("atc", "text", atc), "field-atc-hint"),
                f.required(
                    "dosering",
                    "text",
                    m.map(|m| m.dosage_text.clone()).unwrap_or_default(),
                ),
                f.required(
                    "begin",
                    "date",
                    m.map_or(today.clone(), |m| date_value(m.period_start)),
                ),
                f.with_hint(
                    f.field("einde", "date", date_value(m.and_then(|m| m.period_end))),
                    "field-end-hint",
                ),
                ep(m.and_then(|m| m.episode.as_ref())
                    .map(|e| e.to_string())
                    .unwrap_or_default()),
            ]
        }
        Kind::Result => {
            let x = match item {
                Some(id) => Some(r.results.iter().find(|x| x.id.as_str() == id)?),
                None => None,
            };
            let (value, unit) = match x.map(|x| &x.value) {
                Some(ResultValue::Quantity { value, unit }) => (
                    value.as_str().to_owned(),
                    unit.as_ref()
                        .map(|u| u.as_str().to_owned())
                        .unwrap_or_default(),
                ),
                Some(ResultValue::Coded { coding }) => (coding.label().to_owned(), String::new()),
                Some(ResultValue::Text { text }) => (text.clone(), String::new()),
                None => (String::new(), String::new()),
            };
            let range = x.and_then(|x| x.reference_range.as_ref());
            let bound = |b: Option<&inzage_domain::Decimal>| {
                b.map(|d| d.as_str().to_owned()).unwrap_or_default()
            };
            let mut v = vec![];
            if x.is_none() {
                v.push(f.with_hint(
                    f.select(
                        "soort",
                        "D".into(),
                        opts(&[("D", "field-result-d"), ("L", "field-result-l")], tr),
                    ),
                    "field-result-kind-hint",
                ));
            }
            v.extend([
                Field {
                    list: "lab-codes",
                    ..f.with_hint(
                        f.required(
                            "code",
                            "text",
                            x.map(|x| x.code.as_str().to_owned()).unwrap_or_default(),
                        ),
                        "field-nhg45-hint",
                    )
                },
                f.field(
                    "naam",
                    "text",
                    x.map(|x| x.name.clone()).unwrap_or_default(),
                ),
                f.required("waarde", "text", value),
                f.with_hint(f.field("eenheid", "text", unit), "field-unit-hint"),
                f.field("onder", "text", bound(range.and_then(|r| r.low.as_ref()))),
                f.field("boven", "text", bound(range.and_then(|r| r.high.as_ref()))),
                f.required(
                    "moment",
                    "datetime-local",
                    x.map_or_else(
                        || local_datetime_value(Utc::now()),
                        |x| local_datetime_value(x.effective),
                    ),
                ),
                ep(x.and_then(|x| x.episode.as_ref())
                    .map(|e| e.to_string())
                    .unwrap_or_default()),
            ]);
            v
        }
        Kind::Allergy => {
            let a = match item {
                Some(id) => Some(r.allergies.iter().find(|a| a.id.as_str() == id)?),
                None => None,
            };
            let system_value = a.map_or("snk", |a| match a.substance.system.as_str() {
                system::ATC => "atc",
                system::SNOMED => "snomed",
                _ => "snk",
            });
            vec![
                f.required(
                    "stof",
                    "text",
                    a.and_then(|a| a.substance.display.as_deref().map(str::to_owned))
                        .unwrap_or_default(),
                ),
                f.select(
                    "codestelsel",
                    system_value.into(),
                    opts(
                        &[
                            ("snk", "field-system-snk"),
                            ("atc", "field-system-atc"),
                            ("snomed", "field-system-snomed"),
                        ],
                        tr,
                    ),
                ),
                f.required(
                    "stofcode",
                    "text",
                    a.map(|a| a.substance.code.to_string()).unwrap_or_default(),
                ),
                f.select(
                    "categorie",
                    a.map_or("medicatie", |a| match a.category {
                        AllergyCategory::Medication => "medicatie",
                        AllergyCategory::Food => "voeding",
                        AllergyCategory::Environment => "omgeving",
                        AllergyCategory::Biologic => "biologisch",
                    })
                    .into(),
                    opts(
                        &[
                            ("medicatie", "field-cat-medication"),
                            ("voeding", "field-cat-food"),
                            ("omgeving", "field-cat-environment"),
                            ("biologisch", "field-cat-biologic"),
                        ],
                        tr,
                    ),
                ),
                f.select(
                    "ernst",
                    a.and_then(|a| a.criticality)
                        .map_or("", |c| match c {
                            Criticality::Low => "laag",
                            Criticality::High => "hoog",
                            Criticality::UnableToAssess => "onbekend",
                        })
                        .into(),
                    opts(
                        &[
                            ("", "field-not-recorded"),
                            ("laag", "field-crit-low"),
                            ("hoog", "field-crit-high"),
                            ("onbekend", "field-crit-unknown"),
                        ],
                        tr,
                    ),
                ),
                f.select(
                    "status",
                    a.map_or("actief", |a| match a.status {
                        AllergyStatus::Active => "actief",
                        AllergyStatus::Inactive => "inactief",
                        AllergyStatus::Resolved => "over",
                    })
                    .into(),
                    opts(
                        &[
                            ("actief", "field-status-active"),
                            ("inactief", "field-status-inactive"),
                            ("over", "field-status-resolved"),
                        ],
                        tr,
                    ),
                ),
                f.field(
                    "reactie",
                    "text",
                    a.and_then(|a| a.reaction.clone()).unwrap_or_default(),
                ),
                f.field(
                    "toelichting",
                    "textarea",
                    a.and_then(|a| a.note.clone()).unwrap_or_default(),
                ),
            ]
        }
        Kind::Letter => {
            let l = match item {
                Some(id) => Some(r.letters.iter().find(|l| l.id.as_str() == id)?),
                None => None,
            };
            let mut v = vec![
                f.select(
                    "richting",
                    if l.is_some_and(|l| l.direction == LetterDirection::Outgoing) {
                        "uit".into()
                    } else {
                        "in".into()
                    },
                    opts(&[("in", "field-incoming"), ("uit", "field-outgoing")], tr),
                ),
                f.select(
                    "briefsoort",
                    l.map_or("specialist", |l| letter_type_value(l.letter_type))
                        .into(),
                    opts(&LETTER_TYPES, tr),
                ),
                f.required(
                    "datum",
                    "date",
                    l.map_or(today.clone(), |l| date_value(Some(l.date))),
                ),
                f.required(
                    "titel",
                    "text",
                    l.map(|l| l.title.clone()).unwrap_or_default(),
                ),
                f.required(
                    "auteur",
                    "text",
                    l.map(|l| l.author.clone()).unwrap_or_default(),
                ),
                ep(l.and_then(|l| l.episode.as_ref())
                    .map(|e| e.to_string())
                    .unwrap_or_default()),
            ];
            if l.is_none() {
                v.push(f.with_hint(
                    f.required("bestand", "file", String::new()),
                    "field-pdf-hint",
                ));
            }
            v
        }
        Kind::Note => {
            let n = match item {
                Some(id) => Some(r.work_notes.iter().find(|n| n.id.as_str() == id)?),
                None => None,
            };
            vec![f.with_hint(
                f.required(
                    "tekst",
                    "textarea",
                    n.map(|n| n.text.clone()).unwrap_or_default(),
                ),
                "field-note-hint",
            )]
        }
    })
}

/// Puts the submitted values back into the fields, so a refused form keeps what was typed.
pub(super) fn refill(mut fields: Vec<Field>, data: &FormData) -> Vec<Field> {
    for f in &mut fields {
        match f.kind {
            "checkbox" => {
                f.value = if data.checked(f.name) {
                    "on".into()
                } else {
                    String::new()
                }
            }
            "file" => {}
            _ => f.value = data.get(f.name).to_owned(),
        }
    }
    fields
}
