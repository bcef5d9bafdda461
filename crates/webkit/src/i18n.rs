//! Every fixed text the portal shows goes through Project Fluent (`locales/<lang>/*.ftl`).
//! Dutch first (B1), English as the second language; more follow by adding a folder.

use chrono::{Datelike, NaiveDate};
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, langid};
use std::borrow::Cow;
use std::collections::HashMap;
use tower_sessions::Session;

fluent_templates::static_loader! {
    pub static LOCALES = {
        locales: "./locales",
        fallback_language: "nl",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// The languages offered, with their own names.
pub const LANGUAGES: [(&str, &str); 2] = [("nl", "Nederlands"), ("en", "English")];

const SESSION_KEY: &str = "lang";

/// A translator for one language, handed to every template.
#[derive(Debug, Clone)]
pub struct Tr {
    lang: LanguageIdentifier,
}

impl Default for Tr {
    fn default() -> Self {
        Self {
            lang: langid!("nl"),
        }
    }
}

impl Tr {
    pub fn new(code: &str) -> Self {
        match LANGUAGES.iter().find(|(c, _)| *c == code) {
            Some((c, _)) => Self {
                lang: c.parse().unwrap_or(langid!("nl")),
            },
            None => Self::default(),
        }
    }

    /// The language chosen in this session, Dutch by default.
    pub async fn from_session(session: &Session) -> Self {
        match session.get::<String>(SESSION_KEY).await {
            Ok(Some(code)) => Self::new(&code),
            _ => Self::default(),
        }
    }

    pub async fn choose(
        session: &Session,
        code: &str,
    ) -> Result<(), tower_sessions::session::Error> {
        let tr = Self::new(code);
        session.insert(SESSION_KEY, tr.code()).await
    }

    /// The BCP 47 code, for `<html lang>`.
    pub fn code(&self) -> String {
        self.lang.to_string()
    }

    pub fn t(&self, key: &str) -> String {
        LOCALES.lookup(&self.lang, key)
    }

    /// A message, or `None` when the key is unknown.
    pub fn try_t(&self, key: &str) -> Option<String> {
        LOCALES.try_lookup(&self.lang, key)
    }

    /// A message with one argument, or `None` when the key is unknown.
    pub fn try_t1(&self, key: &str, name: &'static str, value: impl ToString) -> Option<String> {
        let mut args: HashMap<Cow<'static, str>, FluentValue<'_>> = HashMap::new();
        args.insert(Cow::Borrowed(name), FluentValue::from(value.to_string()));
        LOCALES.try_lookup_with_args(&self.lang, key, &args)
    }

    /// A message with one argument.
    pub fn t1(&self, key: &str, name: &'static str, value: impl ToString) -> String {
        let mut args: HashMap<Cow<'static, str>, FluentValue<'_>> = HashMap::new();
        args.insert(Cow::Borrowed(name), FluentValue::from(value.to_string()));
        LOCALES.lookup_with_args(&self.lang, key, &args)
    }

    /// A message with several arguments.
    pub fn ta(&self, key: &str, args: &[(&'static str, String)]) -> String {
        let map: HashMap<Cow<'static, str>, FluentValue<'_>> = args
            .iter()
            .map(|(k, v)| (Cow::Borrowed(*k), FluentValue::from(v.as_str())))
            .collect();
        LOCALES.lookup_with_args(&self.lang, key, &map)
    }

    /// A message with a number `$count` (so that plural selectors work) and other arguments.
    pub fn tc(&self, key: &str, count: usize, args: &[(&'static str, String)]) -> String {
        let mut map: HashMap<Cow<'static, str>, FluentValue<'_>> = args
            .iter()
            .map(|(k, v)| (Cow::Borrowed(*k), FluentValue::from(v.as_str())))
            .collect();
        map.insert(Cow::Borrowed("count"), FluentValue::from(count));
        LOCALES.lookup_with_args(&self.lang, key, &map)
    }

    /// "23 november 2026".
    pub fn date(&self, d: NaiveDate) -> String {
        format!(
            "{} {} {}",
            d.day(),
            self.t(&format!("month-{}", d.month())),
            d.year()
        )
    }

    /// "maandag 7 december 2026": a date with its weekday, for choosing a day.
    pub fn day(&self, d: NaiveDate) -> String {
        format!(
            "{} {}",
            self.t(&format!("weekday-{}", d.weekday().number_from_monday())),
            self.date(d)
        )
    }

    /// A date that may be partial ("2015", "maart 2015").
    pub fn partial_date(&self, d: &inzage_domain::PartialDate) -> String {
        use inzage_domain::PartialDate as P;
        match d {
            P::Year(y) => y.to_string(),
            P::YearMonth(y, m) => format!("{} {y}", self.t(&format!("month-{m}"))),
            P::Date(d) => self.date(*d),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_dutch_key_exists_in_english_and_the_other_way_round() {
        let keys = |lang: &str| -> Vec<String> {
            let dir = format!("{}/locales/{lang}", env!("CARGO_MANIFEST_DIR"));
            let mut text = String::new();
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                text += &std::fs::read_to_string(entry.path()).unwrap_or_default();
            }
            let mut keys: Vec<String> = text
                .lines()
                .filter(|l| {
                    l.chars().next().is_some_and(|c| c.is_ascii_lowercase()) && l.contains(" =")
                })
                .filter_map(|l| l.split(" =").next().map(str::to_owned))
                .collect();
            keys.sort();
            keys
        };
        let nl = keys("nl");
        assert!(nl.len() > 50, "{} Dutch messages", nl.len());
        assert_eq!(nl, keys("en"));
        for k in &nl {
            for lang in [langid!("nl"), langid!("en")] {
                let args: HashMap<Cow<'static, str>, FluentValue<'_>> = [
                    "age", "name", "date", "from", "to", "count", "title", "role", "what",
                ]
                .into_iter()
                .map(|a| (Cow::Borrowed(a), FluentValue::from("x")))
                .collect();
                let text = LOCALES.lookup_with_args(&lang, k, &args);
                assert!(!text.starts_with("Unknown localization key"), "{k}");
                assert!(!text.trim().is_empty(), "{k}");
            }
        }
    }

    #[test]
    fn dates_in_dutch_and_english() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default();
        assert_eq!(Tr::new("nl").date(d), "23 november 2026");
        assert_eq!(Tr::new("en").date(d), "23 November 2026");
        assert_eq!(Tr::new("nl").day(d), "maandag 23 november 2026");
        assert_eq!(Tr::new("en").day(d), "Monday 23 November 2026");
        assert_eq!(Tr::new("xx").code(), "nl");
    }
}
