//! Reading a submitted form into the `inzage_domain::entry` functions' input, and applying it as a
//! new item or a correction.

use super::*;

// ---- parsing the submitted form ----

pub(super) type Parsed<T> = Result<T, EntryError>;

pub(super) fn date(data: &FormData, name: &'static str) -> Parsed<NaiveDate> {
    let s = data.get(name).trim();
    if s.is_empty() {
        return Err(EntryError::Required("a date"));
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| EntryError::Invalid("a date is not valid"))
}

pub(super) fn optional_date(data: &FormData, name: &'static str) -> Parsed<Option<NaiveDate>> {
    if data.get(name).trim().is_empty() {
        Ok(None)
    } else {
        date(data, name).map(Some)
    }
}

pub(super) fn partial(data: &FormData, name: &'static str) -> Parsed<Option<PartialDate>> {
    let s = data.get(name).trim();
    if s.is_empty() {
        return Ok(None);
    }
    PartialDate::parse(s)
        .map(Some)
        .map_err(|_| EntryError::Invalid("a date is not valid"))
}

pub(super) fn icpc(data: &FormData) -> Parsed<Option<(IcpcCode, Option<String>)>> {
    // The searchable list fills in "K86 Hypertensie"; the code is the first word.
    let raw = data
        .get("icpc")
        .split_whitespace()
        .next()
        .unwrap_or_default();
    if raw.is_empty() {
        return Ok(None);
    }
    let code = IcpcCode::parse(&raw.to_uppercase())
        .map_err(|_| EntryError::Invalid("the ICPC code is not valid"))?;
    let title = Glossary::dutch()
        .icpc(code.as_str())
        .map(|e| e.title.clone());
    Ok(Some((code, title)))
}

pub(super) fn episode(data: &FormData) -> Parsed<Option<EpisodeId>> {
    let s = data.get("episode").trim();
    if s.is_empty() {
        return Ok(None);
    }
    EpisodeId::new(s)
        .map(Some)
        .map_err(|_| EntryError::Invalid("the chosen episode is not in this record"))
}

pub(super) fn moment(data: &FormData) -> Parsed<DateTime<Utc>> {
    let s = data.get("moment").trim();
    let local = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
        .map_err(|_| EntryError::Invalid("the date and time are not valid"))?;
    Amsterdam
        .from_local_datetime(&local)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or(EntryError::Invalid("the date and time are not valid"))
}

pub(super) fn medication_fields(data: &FormData) -> Parsed<entry::MedicationFields> {
    let atc = data.get("atc").trim().to_uppercase();
    Ok(entry::MedicationFields {
        product: data.get("middel").to_owned(),
        product_code: (!atc.is_empty())
            .then(|| Coding::new(system::ATC, &atc, Some(data.get("middel").trim()))),
        dosage: data.get("dosering").to_owned(),
        start: date(data, "begin")?,
        end: optional_date(data, "einde")?,
        episode: episode(data)?,
    })
}

pub(super) fn result_fields(data: &FormData, kind: ResultKind) -> Parsed<entry::ResultFields> {
    let code = Nhg45Code::parse(data.get("code").trim())
        .map_err(|_| EntryError::Invalid("the NHG-Tabel 45 code is not valid"))?;
    let unit = match data.get("eenheid").trim() {
        "" => None,
        u => Some(Ucum::parse(u).map_err(|_| EntryError::Invalid("the unit is not valid UCUM"))?),
    };
    let mut name = data.get("naam").trim().to_owned();
    if name.is_empty()
        && let Some(lab) = Glossary::dutch().lab(code.as_str())
    {
        name = lab.name.clone();
    }
    let bound = |n: &str| Some(data.get(n).to_owned()).filter(|s| !s.trim().is_empty());
    Ok(entry::ResultFields {
        kind,
        code,
        name,
        value: data.get("waarde").to_owned(),
        unit,
        low: bound("onder"),
        high: bound("boven"),
        effective: moment(data)?,
        episode: episode(data)?,
    })
}

pub(super) fn allergy_fields(data: &FormData) -> Parsed<entry::AllergyFields> {
    let sys = match data.get("codestelsel") {
        "atc" => system::ATC,
        "snomed" => system::SNOMED,
        _ => system::SNK,
    };
    Ok(entry::AllergyFields {
        substance: Coding::new(
            sys,
            data.get("stofcode").trim(),
            Some(data.get("stof").trim()),
        ),
        category: match data.get("categorie") {
            "voeding" => AllergyCategory::Food,
            "omgeving" => AllergyCategory::Environment,
            "biologisch" => AllergyCategory::Biologic,
            _ => AllergyCategory::Medication,
        },
        criticality: match data.get("ernst") {
            "laag" => Some(Criticality::Low),
            "hoog" => Some(Criticality::High),
            "onbekend" => Some(Criticality::UnableToAssess),
            _ => None,
        },
        status: match data.get("status") {
            "inactief" => AllergyStatus::Inactive,
            "over" => AllergyStatus::Resolved,
            _ => AllergyStatus::Active,
        },
        reaction: data.get("reactie").to_owned(),
        note: data.get("toelichting").to_owned(),
    })
}

pub(super) fn letter_fields(data: &FormData) -> Parsed<entry::LetterFields> {
    Ok(entry::LetterFields {
        direction: if data.get("richting") == "uit" {
            LetterDirection::Outgoing
        } else {
            LetterDirection::Incoming
        },
        letter_type: match data.get("briefsoort") {
            "ontslag" => LetterType::DischargeLetter,
            "radiologie" => LetterType::RadiologyReport,
            "verwijzing" => LetterType::ReferralLetter,
            "overig" => LetterType::Other,
            _ => LetterType::SpecialistLetter,
        },
        date: date(data, "datum")?,
        title: data.get("titel").to_owned(),
        author: data.get("auteur").to_owned(),
        episode: episode(data)?,
    })
}

/// A fresh id: the kind and 64 random bits.
pub fn new_id(kind: &str) -> String {
    format!("{kind}-{:016x}", rand::random::<u64>())
}

/// The staff member as an author in the record.
pub fn author(staff: &Staff, at: DateTime<Utc>) -> WebResult<Author> {
    Ok(Author {
        practitioner: Practitioner {
            id: PractitionerId::new(own_practitioner_id(staff))
                .map_err(|_| WebError::Invalid("staff id"))?,
            practice: Some(staff.practice.clone()),
            name: HumanName {
                given: vec![],
                initials: None,
                prefix: None,
                family: staff.display_name.clone(),
            },
            agb: None,
            identifiers: vec![],
            roles: vec![staff.role],
            contact: ContactDetails::default(),
        },
        at,
    })
}

pub(super) fn apply_new(
    kind: Kind,
    r: &mut PatientRecord,
    data: &FormData,
    by: &Author,
) -> Parsed<String> {
    let ids = &mut new_id;
    Ok(match kind {
        Kind::Consult => {
            let contact_type = ContactType::parse(data.get("contactsoort"))
                .map_err(|_| EntryError::Invalid("the kind of contact is not valid"))?;
            let e_code = icpc(data)?;
            let lines = [
                (Soep::S, "s"),
                (Soep::O, "o"),
                (Soep::E, "e"),
                (Soep::P, "p"),
            ]
            .into_iter()
            .map(|(soep, name)| entry::NewLine {
                soep,
                text: data.get(name).to_owned(),
                icpc: if soep == Soep::E {
                    e_code.as_ref().map(|(c, _)| c.clone())
                } else {
                    None
                },
            })
            .collect();
            entry::add_contact(
                r,
                entry::NewContact {
                    contact_type,
                    date: date(data, "datum")?,
                    episode: episode(data)?,
                    lines,
                },
                by,
                ids,
            )?
            .to_string()
        }
        Kind::Line => return Err(EntryError::Invalid("a line is added with a consult")),
        Kind::Episode => {
            let code = icpc(data)?;
            entry::add_episode(r, episode_fields(data, code)?, by, ids)?.to_string()
        }
        Kind::Medication => {
            entry::add_medication(r, medication_fields(data)?, by, ids)?.to_string()
        }
        Kind::Result => {
            let kind = if data.get("soort") == "L" {
                ResultKind::L
            } else {
                ResultKind::D
            };
            entry::add_result(r, result_fields(data, kind)?, by, ids)?.to_string()
        }
        Kind::Allergy => entry::add_allergy(r, allergy_fields(data)?, by, ids)?.to_string(),
        Kind::Letter => {
            let pdf = data.file.clone().unwrap_or_default();
            entry::add_letter(r, letter_fields(data)?, pdf, by, ids)?.to_string()
        }
        Kind::Note => entry::add_work_note(r, data.get("tekst"), by, ids)?.to_string(),
    })
}

pub(super) fn episode_fields(
    data: &FormData,
    code: Option<(IcpcCode, Option<String>)>,
) -> Parsed<entry::EpisodeFields> {
    let (icpc, icpc_display) = match code {
        Some((c, t)) => (Some(c), t),
        None => (None, None),
    };
    Ok(entry::EpisodeFields {
        title: data.get("titel").to_owned(),
        icpc,
        icpc_display,
        start: partial(data, "begin")?.ok_or(EntryError::Required("the start date"))?,
        end: partial(data, "einde")?,
        attentiewaarde: data.checked("attentiewaarde"),
    })
}

pub(super) fn apply_edit(
    kind: Kind,
    r: &mut PatientRecord,
    item: &str,
    data: &FormData,
    by: &Author,
) -> Parsed<()> {
    match kind {
        Kind::Consult => Err(EntryError::Invalid("a consult is corrected line by line")),
        Kind::Line => {
            let code = icpc(data)?.map(|(c, _)| c);
            entry::edit_journal_line(r, item, data.get("tekst"), code, by)
        }
        Kind::Episode => {
            let code = icpc(data)?;
            entry::edit_episode(r, item, episode_fields(data, code)?, by)
        }
        Kind::Medication => entry::edit_medication(r, item, medication_fields(data)?, by),
        Kind::Result => {
            let current = r
                .results
                .iter()
                .find(|x| x.id.as_str() == item)
                .ok_or(EntryError::NotFound)?
                .kind;
            entry::edit_result(r, item, result_fields(data, current)?, by)
        }
        Kind::Allergy => entry::edit_allergy(r, item, allergy_fields(data)?, by),
        Kind::Letter => entry::edit_letter(r, item, letter_fields(data)?, by),
        Kind::Note => entry::edit_work_note(r, item, data.get("tekst"), by),
    }
}
