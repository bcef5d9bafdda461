//! What practice staff write into the record: new contacts with SOEP lines, episodes,
//! medication agreements, results, allergies, letters and personal work notes; corrections of
//! them; and the access administration (online consent per channel, representations with the
//! evidence checked, a child's consent).
//!
//! Pure, like [`crate::edit`]: every function changes a [`PatientRecord`] in memory and checks what
//! a staff member could get wrong (empty text, a period that ends before it starts, a reference
//! to an episode that is not in this record). The caller saves the record with its audit entry;
//! the store keeps the previous version of every changed item, so an edit never silently
//! overwrites.

use crate::access::OnlineChannel;
use crate::codes::{Bsn, Coding, ContactType, IcpcCode, Nhg45Code, Ucum};
use crate::edit::EditError;
use crate::ids::*;
use crate::record::*;
use crate::time::PartialDate;
use chrono::{DateTime, NaiveDate, Utc};

mod access;
pub use access::*;

/// The longest free text a field takes (a journal line, a note).
pub const MAX_TEXT: usize = 10_000;
/// The largest letter a practice may upload.
pub const MAX_LETTER_BYTES: usize = 20 * 1024 * 1024;

/// Why an entry was refused. The message is safe to show to the staff member.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntryError {
    #[error("{0} is required")]
    Required(&'static str),
    #[error("{0} is too long")]
    TooLong(&'static str),
    #[error("{0}")]
    Invalid(&'static str),
    #[error("no such item in this record")]
    NotFound,
}

impl From<EditError> for EntryError {
    fn from(e: EditError) -> Self {
        match e {
            EditError::NotFound => Self::NotFound,
            EditError::NotShieldable => Self::Invalid("this kind of item cannot be changed here"),
            EditError::ReasonRequired => Self::Required("a reason"),
            EditError::CommentTooLong => Self::TooLong("the comment for the patient"),
            EditError::NotOffered => Self::Invalid("the practice does not offer this choice"),
        }
    }
}

/// Who writes, and when: every entry carries both.
#[derive(Debug, Clone)]
pub struct Author {
    pub practitioner: Practitioner,
    pub at: DateTime<Utc>,
}

impl Author {
    /// The staff member, as the record's bookkeeping names them.
    pub fn actor(&self) -> Actor {
        Actor::Staff(self.practitioner.id.clone())
    }
    fn meta(&self) -> ItemMeta {
        ItemMeta::new(self.actor(), self.at)
    }
    fn touch(&self, meta: &mut ItemMeta) {
        meta.set_updated(self.actor(), self.at);
    }
    /// Makes sure the record knows the author, so items can refer to them.
    fn enter(&self, r: &mut PatientRecord) -> PractitionerId {
        if r.practitioner(&self.practitioner.id).is_none() {
            r.practitioners.push(self.practitioner.clone());
        }
        self.practitioner.id.clone()
    }
}

fn text(value: &str, field: &'static str) -> Result<String, EntryError> {
    let t = value.trim();
    if t.is_empty() {
        return Err(EntryError::Required(field));
    }
    if t.chars().count() > MAX_TEXT {
        return Err(EntryError::TooLong(field));
    }
    Ok(t.to_owned())
}

fn optional_text(value: &str, field: &'static str) -> Result<Option<String>, EntryError> {
    if value.trim().is_empty() {
        Ok(None)
    } else {
        text(value, field).map(Some)
    }
}

fn episode_ref(r: &PatientRecord, e: Option<EpisodeId>) -> Result<Option<EpisodeId>, EntryError> {
    match e {
        Some(id) if r.episode(&id).is_none() => Err(EntryError::Invalid(
            "the chosen episode is not in this record",
        )),
        e => Ok(e),
    }
}

fn find<'a, T>(
    items: &'a mut [T],
    id: &str,
    id_of: impl Fn(&T) -> &str,
) -> Result<&'a mut T, EntryError> {
    items
        .iter_mut()
        .find(|x| id_of(x) == id)
        .ok_or(EntryError::NotFound)
}

// ---- contacts and journal ----

/// One SOEP line as typed in the consult form.
#[derive(Debug, Clone)]
pub struct NewLine {
    pub soep: Soep,
    pub text: String,
    pub icpc: Option<IcpcCode>,
}

#[derive(Debug, Clone)]
pub struct NewContact {
    pub contact_type: ContactType,
    pub date: NaiveDate,
    pub episode: Option<EpisodeId>,
    /// Empty lines are skipped; at least one must have text.
    pub lines: Vec<NewLine>,
}

/// A contact with its SOEP lines. Returns the new contact's id.
pub fn add_contact(
    r: &mut PatientRecord,
    c: NewContact,
    by: &Author,
    new_id: &mut dyn FnMut(&str) -> String,
) -> Result<ContactId, EntryError> {
    if c.date > crate::time::local_date(by.at) + chrono::Days::new(1) {
        return Err(EntryError::Invalid("a contact cannot be in the future"));
    }
    let episode = episode_ref(r, c.episode)?;
    let lines: Vec<_> = c
        .lines
        .into_iter()
        .filter(|l| !l.text.trim().is_empty())
        .collect();
    if lines.is_empty() {
        return Err(EntryError::Required("at least one SOEP line"));
    }
    let mut checked = Vec::with_capacity(lines.len());
    for l in lines {
        checked.push((l.soep, text(&l.text, "the line's text")?, l.icpc));
    }
    let author = by.enter(r);
    let contact_id = ContactId::new(new_id("contact")).map_err(|_| EntryError::Invalid("id"))?;
    r.contacts.push(Contact {
        id: contact_id.clone(),
        contact_type: c.contact_type,
        date: c.date,
        end: None,
        practitioner: Some(author.clone()),
        episode: episode.clone(),
        patient_took_part: None,
        meta: by.meta(),
    });
    for (soep, text, icpc) in checked {
        let icpc_display = None;
        r.journal.push(JournalLine {
            id: JournalLineId::new(new_id("line")).map_err(|_| EntryError::Invalid("id"))?,
            soep,
            text,
            icpc,
            icpc_display,
            date: c.date,
            contact: Some(contact_id.clone()),
            episode: episode.clone(),
            author: Some(author.clone()),
            meta: by.meta(),
        });
    }
    Ok(contact_id)
}

/// Corrects a journal line's text or ICPC code.
pub fn edit_journal_line(
    r: &mut PatientRecord,
    id: &str,
    new_text: &str,
    icpc: Option<IcpcCode>,
    by: &Author,
) -> Result<(), EntryError> {
    let t = text(new_text, "the line's text")?;
    let l = find(&mut r.journal, id, |x| x.id.as_str())?;
    if l.icpc != icpc {
        l.icpc_display = None;
    }
    l.text = t;
    l.icpc = icpc;
    by.touch(&mut l.meta);
    Ok(())
}

// ---- episodes ----

#[derive(Debug, Clone)]
pub struct EpisodeFields {
    pub title: String,
    pub icpc: Option<IcpcCode>,
    pub icpc_display: Option<String>,
    pub start: PartialDate,
    pub end: Option<PartialDate>,
    pub attentiewaarde: bool,
}

fn check_episode(f: &EpisodeFields) -> Result<String, EntryError> {
    let title = text(&f.title, "the episode's title")?;
    if f.end.is_some_and(|e| e.latest() < f.start.earliest()) {
        return Err(EntryError::Invalid("the episode ends before it starts"));
    }
    Ok(title)
}

pub fn add_episode(
    r: &mut PatientRecord,
    f: EpisodeFields,
    by: &Author,
    new_id: &mut dyn FnMut(&str) -> String,
) -> Result<EpisodeId, EntryError> {
    let title = check_episode(&f)?;
    let author = by.enter(r);
    let id = EpisodeId::new(new_id("episode")).map_err(|_| EntryError::Invalid("id"))?;
    r.episodes.push(Episode {
        id: id.clone(),
        title,
        icpc: f.icpc,
        icpc_display: f.icpc_display,
        start: f.start,
        end: f.end,
        attentiewaarde: f.attentiewaarde,
        first_encounter: None,
        last_encounter: None,
        problem: None,
        care_manager: Some(author),
        meta: by.meta(),
    });
    Ok(id)
}

/// Changes an episode: its title, code, start, closing date, attentiewaarde.
pub fn edit_episode(
    r: &mut PatientRecord,
    id: &str,
    f: EpisodeFields,
    by: &Author,
) -> Result<(), EntryError> {
    let title = check_episode(&f)?;
    let e = find(&mut r.episodes, id, |x| x.id.as_str())?;
    e.title = title;
    if e.icpc != f.icpc {
        e.icpc_display = f.icpc_display;
    }
    e.icpc = f.icpc;
    e.start = f.start;
    e.end = f.end;
    e.attentiewaarde = f.attentiewaarde;
    by.touch(&mut e.meta);
    Ok(())
}

// ---- medication ----

#[derive(Debug, Clone)]
pub struct MedicationFields {
    pub product: String,
    /// Optional G-Standaard or ATC coding of the product.
    pub product_code: Option<Coding>,
    pub dosage: String,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    pub episode: Option<EpisodeId>,
}

fn check_medication(f: &MedicationFields) -> Result<(String, String), EntryError> {
    let product = text(&f.product, "the medicine")?;
    let dosage = text(&f.dosage, "the dosage")?;
    if f.end.is_some_and(|e| e < f.start) {
        return Err(EntryError::Invalid(
            "the period of use ends before it starts",
        ));
    }
    Ok((product, dosage))
}

pub fn add_medication(
    r: &mut PatientRecord,
    f: MedicationFields,
    by: &Author,
    new_id: &mut dyn FnMut(&str) -> String,
) -> Result<MedicationId, EntryError> {
    let (name, dosage) = check_medication(&f)?;
    let episode = episode_ref(r, f.episode)?;
    let prescriber = by.enter(r);
    let id = MedicationId::new(new_id("medication")).map_err(|_| EntryError::Invalid("id"))?;
    r.medication.push(MedicationAgreement {
        id: id.clone(),
        product: Product {
            source_id: None,
            name,
            codes: f.product_code.into_iter().collect(),
        },
        dosage_text: dosage,
        dosage_codes: vec![],
        dosage: Default::default(),
        period_start: Some(f.start),
        period_end: f.end,
        authored_on: Some(crate::time::local_date(by.at)),
        prescriber: Some(prescriber),
        contact: None,
        episode,
        meta: by.meta(),
    });
    Ok(id)
}

/// Changes a medication agreement (dosage, period: stopping sets the end date).
pub fn edit_medication(
    r: &mut PatientRecord,
    id: &str,
    f: MedicationFields,
    by: &Author,
) -> Result<(), EntryError> {
    let (name, dosage) = check_medication(&f)?;
    let episode = episode_ref(r, f.episode)?;
    let m = find(&mut r.medication, id, |x| x.id.as_str())?;
    if m.product.name != name {
        m.product.codes = f.product_code.into_iter().collect();
        m.product.source_id = None;
    }
    m.product.name = name;
    if m.dosage_text != dosage {
        // The structure described the old text.
        m.dosage_codes.clear();
        m.dosage = Dosage::default();
    }
    m.dosage_text = dosage;
    m.period_start = Some(f.start);
    m.period_end = f.end;
    m.episode = episode;
    by.touch(&mut m.meta);
    Ok(())
}

/// A repeat prescription approved by a GP (R48): a new medication agreement for the same
/// product from today, with the dosage as it was or as the GP changed it; the agreement it
/// repeats ends today (its earlier state stays in the item history). Refused for an agreement
/// that has already ended.
pub fn repeat_medication(
    r: &mut PatientRecord,
    id: &str,
    dosage: Option<&str>,
    by: &Author,
    new_id: &mut dyn FnMut(&str) -> String,
) -> Result<MedicationId, EntryError> {
    let today = crate::time::local_date(by.at);
    let dosage = match dosage.map(str::trim).filter(|d| !d.is_empty()) {
        Some(d) => Some(text(d, "the dosage")?),
        None => None,
    };
    let ended = r
        .medication
        .iter()
        .find(|m| m.id.as_str() == id)
        .ok_or(EntryError::NotFound)?
        .period_end
        .is_some_and(|end| end < today);
    if ended {
        return Err(EntryError::Invalid("the medication has ended"));
    }
    // Checked: from here on the change goes through.
    let prescriber = by.enter(r);
    let old = find(&mut r.medication, id, |x| x.id.as_str())?;
    let mut repeated = old.clone();
    if old.period_start.is_none_or(|start| start <= today) {
        old.period_end = Some(today);
        by.touch(&mut old.meta);
    }
    let new = MedicationId::new(new_id("medication")).map_err(|_| EntryError::Invalid("id"))?;
    repeated.id = new.clone();
    if let Some(d) = dosage {
        if repeated.dosage_text != d {
            repeated.dosage_codes.clear();
            repeated.dosage = Dosage::default();
        }
        repeated.dosage_text = d;
    }
    repeated.period_start = Some(today);
    repeated.period_end = None;
    repeated.authored_on = Some(today);
    repeated.prescriber = Some(prescriber);
    repeated.contact = None;
    repeated.meta = by.meta();
    r.medication.push(repeated);
    Ok(new)
}

// ---- results ----

#[derive(Debug, Clone)]
pub struct ResultFields {
    pub kind: ResultKind,
    pub code: Nhg45Code,
    pub name: String,
    pub value: String,
    pub unit: Option<Ucum>,
    pub low: Option<String>,
    pub high: Option<String>,
    pub effective: DateTime<Utc>,
    pub episode: Option<EpisodeId>,
}

fn result_parts(
    f: &ResultFields,
) -> Result<(String, ResultValue, Option<ReferenceRange>), EntryError> {
    let name = text(&f.name, "the test's name")?;
    let raw = text(&f.value, "the value")?;
    let value = match Decimal::parse(&raw.replace(',', ".")) {
        Ok(v) => ResultValue::Quantity {
            value: v,
            unit: f.unit.clone(),
        },
        Err(_) => ResultValue::Text { text: raw },
    };
    let bound = |s: &Option<String>| -> Result<Option<Decimal>, EntryError> {
        match s.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(s) => Decimal::parse(&s.replace(',', "."))
                .map(Some)
                .map_err(|_| EntryError::Invalid("a reference limit must be a number")),
        }
    };
    let (low, high) = (bound(&f.low)?, bound(&f.high)?);
    if let (Some(l), Some(h)) = (&low, &high)
        && l.to_f64() > h.to_f64()
    {
        return Err(EntryError::Invalid(
            "the lower reference limit is above the upper one",
        ));
    }
    let range = (low.is_some() || high.is_some()).then_some(ReferenceRange {
        low,
        high,
        text: None,
        kind: None,
    });
    Ok((name, value, range))
}

/// Registers a result. A lab result (L) waits for the GP's review like any received result
/// (R26); a practice measurement (D) is the practice's own and released at once.
pub fn add_result(
    r: &mut PatientRecord,
    f: ResultFields,
    by: &Author,
    new_id: &mut dyn FnMut(&str) -> String,
) -> Result<ResultId, EntryError> {
    if f.effective > by.at {
        return Err(EntryError::Invalid("a result cannot be from the future"));
    }
    let (name, value, reference_range) = result_parts(&f)?;
    let episode = episode_ref(r, f.episode.clone())?;
    let performer = by.enter(r);
    let id = ResultId::new(new_id("result")).map_err(|_| EntryError::Invalid("id"))?;
    let review = match f.kind {
        ResultKind::L => ReviewState::Pending { received_at: by.at },
        ResultKind::D => ReviewState::Released {
            by: by.actor(),
            at: by.at,
        },
    };
    r.results.push(LabResult {
        id: id.clone(),
        kind: f.kind,
        code: f.code,
        name,
        other_codes: vec![],
        value,
        reference_range: reference_range.map(Box::new),
        body_site: None,
        interpretation: None,
        effective: f.effective,
        review,
        patient_comment: None,
        performer: Some(performer),
        contact: None,
        episode,
        meta: by.meta(),
    });
    Ok(id)
}

/// Corrects a result's value, unit or reference range. Its review state stays as it is.
pub fn edit_result(
    r: &mut PatientRecord,
    id: &str,
    f: ResultFields,
    by: &Author,
) -> Result<(), EntryError> {
    let (name, value, reference_range) = result_parts(&f)?;
    let episode = episode_ref(r, f.episode.clone())?;
    let x = find(&mut r.results, id, |x| x.id.as_str())?;
    x.code = f.code;
    x.name = name;
    x.value = value;
    x.reference_range = reference_range.map(Box::new);
    x.interpretation = None;
    x.effective = f.effective;
    x.episode = episode;
    by.touch(&mut x.meta);
    Ok(())
}

// ---- allergies ----

#[derive(Debug, Clone)]
pub struct AllergyFields {
    pub substance: Coding,
    pub category: AllergyCategory,
    pub criticality: Option<Criticality>,
    pub status: AllergyStatus,
    pub reaction: String,
    pub note: String,
}

fn check_allergy(f: &AllergyFields) -> Result<(Option<String>, Option<String>), EntryError> {
    if f.substance.code.trim().is_empty() {
        return Err(EntryError::Required("the substance's code"));
    }
    text(
        f.substance.display.as_deref().unwrap_or_default(),
        "the substance",
    )?;
    Ok((
        optional_text(&f.reaction, "the reaction")?,
        optional_text(&f.note, "the note")?,
    ))
}

pub fn add_allergy(
    r: &mut PatientRecord,
    f: AllergyFields,
    by: &Author,
    new_id: &mut dyn FnMut(&str) -> String,
) -> Result<AllergyId, EntryError> {
    let (reaction, note) = check_allergy(&f)?;
    let recorder = by.enter(r);
    let id = AllergyId::new(new_id("allergy")).map_err(|_| EntryError::Invalid("id"))?;
    r.allergies.push(Allergy {
        id: id.clone(),
        substance: f.substance,
        category: f.category,
        criticality: f.criticality,
        status: f.status,
        onset: Some(PartialDate::Date(crate::time::local_date(by.at))),
        reaction,
        reaction_codes: vec![],
        note,
        recorder: Some(recorder),
        meta: by.meta(),
    });
    Ok(id)
}

pub fn edit_allergy(
    r: &mut PatientRecord,
    id: &str,
    f: AllergyFields,
    by: &Author,
) -> Result<(), EntryError> {
    let (reaction, note) = check_allergy(&f)?;
    let a = find(&mut r.allergies, id, |x| x.id.as_str())?;
    if a.substance != f.substance {
        a.reaction_codes.clear();
    }
    a.substance = f.substance;
    a.category = f.category;
    a.criticality = f.criticality;
    a.status = f.status;
    a.reaction = reaction;
    a.note = note;
    by.touch(&mut a.meta);
    Ok(())
}

// ---- letters ----

#[derive(Debug, Clone)]
pub struct LetterFields {
    pub direction: LetterDirection,
    pub letter_type: LetterType,
    pub date: NaiveDate,
    pub title: String,
    pub author: String,
    pub episode: Option<EpisodeId>,
}

fn check_letter(f: &LetterFields) -> Result<(String, String), EntryError> {
    Ok((
        text(&f.title, "the letter's title")?,
        text(&f.author, "the letter's author")?,
    ))
}

/// Checks an uploaded file: a PDF (by its content, not its name) within the size limit.
pub fn check_pdf(bytes: &[u8]) -> Result<(), EntryError> {
    if bytes.is_empty() {
        return Err(EntryError::Required("a PDF file"));
    }
    if bytes.len() > MAX_LETTER_BYTES {
        return Err(EntryError::TooLong("the file"));
    }
    if !bytes.starts_with(b"%PDF-") {
        return Err(EntryError::Invalid("the file is not a PDF"));
    }
    Ok(())
}

pub fn add_letter(
    r: &mut PatientRecord,
    f: LetterFields,
    pdf: Vec<u8>,
    by: &Author,
    new_id: &mut dyn FnMut(&str) -> String,
) -> Result<LetterId, EntryError> {
    let (title, author) = check_letter(&f)?;
    check_pdf(&pdf)?;
    if f.date > crate::time::local_date(by.at) + chrono::Days::new(1) {
        return Err(EntryError::Invalid(
            "a letter cannot be dated in the future",
        ));
    }
    let episode = episode_ref(r, f.episode)?;
    let id = LetterId::new(new_id("letter")).map_err(|_| EntryError::Invalid("id"))?;
    let mut meta = by.meta();
    if f.direction == LetterDirection::Incoming {
        meta.source = Source::OtherProvider {
            name: author.as_str().into(),
        };
    }
    r.letters.push(Letter {
        id: id.clone(),
        direction: f.direction,
        letter_type: f.letter_type,
        date: f.date,
        title,
        author,
        content: LetterContent::Pdf { bytes: pdf },
        episode,
        document: None,
        meta,
    });
    Ok(id)
}

/// Changes a letter's registration (title, type, date, author, episode); the PDF stays.
pub fn edit_letter(
    r: &mut PatientRecord,
    id: &str,
    f: LetterFields,
    by: &Author,
) -> Result<(), EntryError> {
    let (title, author) = check_letter(&f)?;
    let episode = episode_ref(r, f.episode)?;
    let l = find(&mut r.letters, id, |x| x.id.as_str())?;
    l.direction = f.direction;
    l.letter_type = f.letter_type;
    l.date = f.date;
    l.title = title;
    l.author = author;
    l.episode = episode;
    by.touch(&mut l.meta);
    Ok(())
}

// ---- personal work notes (R23: never online, never exported) ----

pub fn add_work_note(
    r: &mut PatientRecord,
    note: &str,
    by: &Author,
    new_id: &mut dyn FnMut(&str) -> String,
) -> Result<WorkNoteId, EntryError> {
    let t = text(note, "the note")?;
    let author = by.enter(r);
    let id = WorkNoteId::new(new_id("note")).map_err(|_| EntryError::Invalid("id"))?;
    r.work_notes.push(WorkNote {
        id: id.clone(),
        author,
        text: t,
        meta: by.meta(),
    });
    Ok(id)
}

/// A personal work note is its author's own: nobody else changes it.
pub fn edit_work_note(
    r: &mut PatientRecord,
    id: &str,
    note: &str,
    by: &Author,
) -> Result<(), EntryError> {
    let t = text(note, "the note")?;
    let n = find(&mut r.work_notes, id, |x| x.id.as_str())?;
    if n.author != by.practitioner.id {
        return Err(EntryError::Invalid(
            "only the author may change a personal work note",
        ));
    }
    n.text = t;
    by.touch(&mut n.meta);
    Ok(())
}
