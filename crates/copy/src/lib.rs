//! The electronic copy of a record (afschrift, R102), as PDF/A and as FHIR.
//!
//! Two selections, both decided by the visibility rules of `inzage-domain`, never here:
//! - the **online summary**: exactly the view the portal shows this person;
//! - the **full copy**: the whole record except personal work notes and items shielded to
//!   protect a third party. Items only held back from online view are included and marked.
//!
//! This crate only writes a [`Copy`] down: [`pdf()`] (PDF/A-3b, fonts embedded, letters
//! attached) and [`fhir_r4`] / [`fhir_stu3`] (Bundles).

mod document;
mod layout;
mod words;

use chrono::{DateTime, Utc};
use inzage_domain::visibility::{ExclusionReason, ItemKind, PatientStatement, full_copy};
use inzage_domain::{PatientRecord, PatientView, PracticeSettings};
use std::collections::HashMap;

pub use document::{Standard, pdf, pdf_with};
pub use words::Words;

/// Which part of the record the copy holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Selection {
    /// What the portal shows (E/P lines, released results, from the start dates on).
    Summary,
    /// The whole medical record except work notes and third-party-shielded items (R102).
    Full,
}

impl Selection {
    pub fn code(self) -> &'static str {
        match self {
            Self::Summary => "samenvatting",
            Self::Full => "volledig",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "samenvatting" | "summary" => Some(Self::Summary),
            "volledig" | "full" => Some(Self::Full),
            _ => None,
        }
    }

    /// The key of the title on the copy (`locales/<lang>/pdf.ftl`).
    pub fn title_key(self) -> &'static str {
        match self {
            Self::Summary => "pdf-selection-summary",
            Self::Full => "pdf-selection-full",
        }
    }
}

/// The file format of a copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// PDF/A-3b with the letters attached.
    Pdf,
    /// A FHIR R4 Bundle (JSON) with the Dutch nl-core profiles.
    FhirR4,
    /// A FHIR STU3 Bundle (JSON) in the MedMij GD49 shapes, for import into a PGO.
    FhirStu3,
}

impl Format {
    pub fn code(self) -> &'static str {
        match self {
            Self::Pdf => "pdf",
            Self::FhirR4 => "fhir",
            Self::FhirStu3 => "fhir-stu3",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pdf" => Some(Self::Pdf),
            "fhir" | "fhir-r4" => Some(Self::FhirR4),
            "fhir-stu3" | "stu3" => Some(Self::FhirStu3),
            _ => None,
        }
    }

    pub fn media_type(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::FhirR4 | Self::FhirStu3 => "application/fhir+json",
        }
    }

    fn extension(self) -> &'static str {
        match self {
            Self::Pdf => "pdf",
            Self::FhirR4 => "fhir-r4.json",
            Self::FhirStu3 => "fhir-stu3.json",
        }
    }
}

/// A referral letter (verwijsbrief) made from the record (issue 20): to whom, what the GP asks,
/// and who refers. Its data section is the view the caller gives, computed for the receiving
/// kind of provider (`inzage_domain::exchange::summary`), so what the patient asked not to share
/// with a hospital, or the GP kept out, is not in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Referral {
    /// The receiving hospital, department or specialist ("Cardiologie, Ziekenhuis Oost").
    pub to: String,
    /// The GP's question and reason.
    pub question: String,
    /// The referring GP's name.
    pub gp: String,
}

/// A copy ready to be written: the selected items and, for the full copy, which of them the
/// patient cannot see online and why.
pub struct Copy<'a> {
    /// Set for a referral letter: the document is the letter, its data section the view.
    pub referral: Option<Referral>,
    pub selection: Selection,
    pub view: PatientView<'a>,
    pub not_online: HashMap<(ItemKind, String), ExclusionReason>,
    /// The patient's own statements about items in this copy (R109).
    pub statements: Vec<PatientStatement>,
    pub made_at: DateTime<Utc>,
    /// The copy's own words, in the reader's language (Dutch unless `in_language`).
    pub w: Words,
}

impl<'a> Copy<'a> {
    /// The online summary: the view the portal shows (computed by `visible_record` for the
    /// person asking, so a representative's limits apply).
    pub fn summary(view: PatientView<'a>, made_at: DateTime<Utc>) -> Self {
        Self {
            referral: None,
            selection: Selection::Summary,
            view,
            not_online: HashMap::new(),
            statements: vec![],
            made_at,
            w: Words::new("nl"),
        }
    }

    /// A referral letter with `view` as its data section (in Dutch, for a Dutch receiver).
    pub fn referral(view: PatientView<'a>, made_at: DateTime<Utc>, referral: Referral) -> Self {
        Self {
            referral: Some(referral),
            ..Self::summary(view, made_at)
        }
    }

    /// The full copy (R102).
    pub fn full(
        record: &'a PatientRecord,
        settings: &PracticeSettings,
        now: DateTime<Utc>,
    ) -> Self {
        let copy = full_copy(record, settings, now);
        let view = copy.to_view(inzage_domain::time::local_date(now));
        let not_online = copy
            .not_online
            .into_iter()
            .map(|e| ((e.item.kind, e.item.id), e.reason))
            .collect();
        Self {
            referral: None,
            selection: Selection::Full,
            view,
            not_online,
            statements: vec![],
            made_at: now,
            w: Words::new("nl"),
        }
    }

    /// Adds the patient's own statements (R109): those about items in this copy; a statement
    /// about an item the copy leaves out stays out with it.
    pub fn with_statements(mut self, statements: Vec<PatientStatement>) -> Self {
        self.statements = statements
            .into_iter()
            .filter(|s| self.view.holds(&s.about))
            .collect();
        self
    }

    /// The copy in the reader's language (an offered one; Dutch otherwise).
    pub fn in_language(mut self, lang: &str) -> Self {
        self.w = Words::new(lang);
        self
    }

    /// Why an item in the copy is not visible online, if it is not.
    pub fn mark(&self, kind: ItemKind, id: &str) -> Option<&ExclusionReason> {
        if self.not_online.is_empty() {
            return None;
        }
        self.not_online.get(&(kind, id.to_owned()))
    }

    /// A file name without personal data: `dossier-volledig-2026-11-30.pdf`.
    pub fn file_name(&self, format: Format) -> String {
        format!(
            "dossier-{}-{}.{}",
            self.selection.code(),
            inzage_domain::time::local_date(self.made_at).format("%Y-%m-%d"),
            format.extension()
        )
    }

    /// The copy in `format`; FHIR fullUrls lie under `base` (e.g. `https://praktijk.example/fhir`).
    pub fn write(&self, format: Format, base: &str) -> Result<Vec<u8>, CopyError> {
        match format {
            Format::Pdf => pdf(self),
            Format::FhirR4 => Ok(serde_json::to_vec(&fhir_r4(self, base))?),
            Format::FhirStu3 => Ok(serde_json::to_vec(&fhir_stu3(self, base))?),
        }
    }
}

/// The copy as one FHIR R4 `collection` Bundle (nl-core profiles; not-online items tagged).
pub fn fhir_r4(copy: &Copy<'_>, base: &str) -> serde_json::Value {
    inzage_fhir::r4::collection(&copy.view, &copy.not_online, copy.made_at, base)
}

/// The copy as a FHIR STU3 `collection` Bundle in the MedMij GD49 shapes, the form a PGO
/// imports. It holds the journal lines the selection holds: the full copy's S and O lines too.
pub fn fhir_stu3(copy: &Copy<'_>, base: &str) -> serde_json::Value {
    let resources = inzage_fhir::export::gp_resources(&copy.view);
    inzage_fhir::export::collection(&resources, base)
}

#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    #[error("the embedded fonts could not be read")]
    Fonts,
    #[error("the PDF could not be written: {0}")]
    Pdf(String),
    #[error("the FHIR bundle could not be written: {0}")]
    Json(#[from] serde_json::Error),
}
