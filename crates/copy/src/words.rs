//! The copy's own words (headings, columns, explanations) in the reader's language, from
//! `locales/<lang>/pdf.ftl` (Project Fluent), with dates and numbers as that language writes
//! them (`inzage_domain::locale`). What the GP wrote stays as written.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Europe::Amsterdam;
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader};
use inzage_domain::ShieldReason;
use inzage_domain::codes::ContactType;
use inzage_domain::locale;
use inzage_domain::visibility::ExclusionReason;
use std::borrow::Cow;
use std::collections::HashMap;

fluent_templates::static_loader! {
    static WORDS = {
        locales: "./locales",
        fallback_language: "nl",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// The words of one language.
#[derive(Debug, Clone)]
pub struct Words {
    code: &'static str,
    lang: LanguageIdentifier,
}

impl Words {
    pub fn new(code: &str) -> Self {
        let code = locale::offered(code);
        Self {
            code,
            lang: code
                .parse()
                .unwrap_or_else(|_| fluent_templates::langid!("nl")),
        }
    }

    /// The BCP 47 code ("nl", "ar").
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// Whether the language is written right to left.
    pub fn rtl(&self) -> bool {
        locale::is_rtl(self.code)
    }

    pub fn t(&self, key: &str) -> String {
        WORDS.lookup(&self.lang, key)
    }

    pub fn ta(&self, key: &str, args: &[(&'static str, String)]) -> String {
        let map: HashMap<Cow<'static, str>, FluentValue<'_>> = args
            .iter()
            .map(|(k, v)| (Cow::Borrowed(*k), FluentValue::from(v.as_str())))
            .collect();
        WORDS.lookup_with_args(&self.lang, key, &map)
    }

    /// A date in running text and headings: "23 november 2026".
    pub fn long(&self, d: NaiveDate) -> String {
        locale::long_date(self.code, d)
    }

    /// A moment in running text: "23 november 2026 om 14:05" (Dutch time).
    pub fn long_time(&self, t: DateTime<Utc>) -> String {
        let t = t.with_timezone(&Amsterdam);
        self.ta(
            "pdf-at-time",
            &[
                ("date", self.long(t.date_naive())),
                ("time", t.format("%H:%M").to_string()),
            ],
        )
    }

    /// A decimal from a measurement, as this language writes it.
    pub fn number(&self, v: f64) -> String {
        inzage_domain::visibility::present::decimal_f64(self.code, v)
    }

    /// Why an item is not visible online.
    pub fn reason(&self, reason: &ExclusionReason) -> String {
        use ExclusionReason as R;
        let dated =
            |key: &str, d: &NaiveDate| self.ta(key, &[("date", d.format("%d-%m-%Y").to_string())]);
        match reason {
            R::SubjectiveLine => self.t("pdf-reason-s"),
            R::ObjectiveLine => self.t("pdf-reason-o"),
            R::BeforeJournalStartDate { start } => dated("pdf-reason-before-start", start),
            R::ContactWithoutPatient => self.t("pdf-reason-contact-without-patient"),
            R::Shielded { reason } => self.ta(
                "pdf-reason-shielded",
                &[(
                    "why",
                    self.t(match reason {
                        ShieldReason::ThirdParty => "pdf-shield-third-party",
                        ShieldReason::NotYetDiscussed => "pdf-shield-not-discussed",
                        ShieldReason::PotentiallyHarmful => "pdf-shield-harmful",
                        ShieldReason::Other => "pdf-shield-other",
                    }),
                )],
            ),
            R::EpisodeShielded => self.t("pdf-reason-episode-shielded"),
            R::ContactShielded => self.t("pdf-reason-contact-shielded"),
            R::ClosedEpisodeWithoutAttention => self.t("pdf-reason-closed-episode"),
            R::MedicationEnded { on } => dated("pdf-reason-medication-ended", on),
            R::OutsideResultsWindow { cutoff } => {
                dated("pdf-reason-outside-results-window", cutoff)
            }
            R::NotYetReleased { available_from } => {
                dated("pdf-reason-not-released", available_from)
            }
            R::WithheldByGp => self.t("pdf-reason-withheld"),
            R::BeforeCorrespondenceStartDate { start } => {
                dated("pdf-reason-before-correspondence", start)
            }
            R::LetterTypeNotOnline => self.t("pdf-reason-letter-type"),
            R::PersonalWorkNote => self.t("pdf-reason-work-note"),
            R::NotInOnlineSelection => self.t("pdf-reason-not-in-selection"),
            R::NoVisibleJournalLines => self.t("pdf-reason-no-visible-lines"),
            R::OutsideAuthorisedScope => self.t("pdf-reason-outside-scope"),
        }
    }

    /// The name of a contact type (NHG-Tabel 14).
    pub fn contact_type(&self, t: &ContactType) -> String {
        let key = format!("pdf-contact-type-{}", t.as_str());
        WORDS
            .try_lookup(&self.lang, &key)
            .unwrap_or_else(|| self.t("pdf-contact"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 17: every language has every word of the copy, with the same placeholders.
    #[test]
    fn every_language_has_every_word_of_the_copy() {
        let keys = |lang: &str| -> Vec<(String, Vec<String>)> {
            let text = std::fs::read_to_string(format!(
                "{}/locales/{lang}/pdf.ftl",
                env!("CARGO_MANIFEST_DIR")
            ))
            .unwrap_or_default();
            let mut out: Vec<(String, Vec<String>)> = text
                .lines()
                .filter(|l| l.starts_with("pdf-"))
                .filter_map(|l| l.split_once(" = "))
                .map(|(k, v)| {
                    let mut vars: Vec<String> = v
                        .split("{ $")
                        .skip(1)
                        .filter_map(|s| s.split(' ').next())
                        .map(str::to_owned)
                        .collect();
                    vars.sort();
                    (k.to_owned(), vars)
                })
                .collect();
            out.sort();
            out
        };
        let nl = keys("nl");
        assert!(nl.len() > 100);
        for (code, _) in locale::LANGUAGES {
            assert_eq!(keys(code), nl, "{code}");
            let w = Words::new(code);
            for (k, vars) in &nl {
                let args: Vec<(&'static str, String)> = vars
                    .iter()
                    .map(|v| (&*v.clone().leak(), "x".to_owned()))
                    .collect();
                let text = w.ta(k, &args);
                assert!(!text.starts_with("Unknown localization"), "{code} {k}");
                assert!(!text.trim().is_empty(), "{code} {k}");
            }
        }
        assert_eq!(
            Words::new("pl").long(NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default()),
            "23 listopada 2026"
        );
    }
}
