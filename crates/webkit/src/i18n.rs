//! Every fixed text a person reads goes through Project Fluent (`locales/<lang>/*.ftl`): Dutch
//! first (B1), then English, Arabic (right to left), Turkish and Polish. Dates and numbers are
//! written by ICU4X's CLDR data (`inzage_domain::locale`).
//!
//! The language of a page: the one the person chose with the switch (session key `lang`), else
//! the one their browser asks for (`Accept-Language`, negotiated once per session into
//! `lang-auto`), else Dutch. A person who chooses while logged in keeps the choice for their
//! next login, their e-mails and their copy (`inzage_store::NotifyStore::person_language`).

use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use chrono::NaiveDate;
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, langid};
use inzage_domain::locale;
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
pub const LANGUAGES: [(&str, &str); 5] = locale::LANGUAGES;

/// The languages of the practice's own pages (staff language): Dutch, English second.
pub const STAFF_LANGUAGES: [(&str, &str); 2] = [("nl", "Nederlands"), ("en", "English")];

const SESSION_KEY: &str = "lang";
/// The language the browser asked for, when the person has not chosen one.
const AUTO_KEY: &str = "lang-auto";

/// A translator for one language, handed to every template.
#[derive(Debug, Clone)]
pub struct Tr {
    lang: LanguageIdentifier,
    /// The offered code, kept so that every date and number does not format the identifier.
    code: &'static str,
}

impl Default for Tr {
    fn default() -> Self {
        Self {
            lang: langid!("nl"),
            code: "nl",
        }
    }
}

impl Tr {
    pub fn new(code: &str) -> Self {
        let code = locale::offered(code);
        Self {
            lang: code.parse().unwrap_or(langid!("nl")),
            code,
        }
    }

    /// The language of this session: chosen, else asked for by the browser, else Dutch.
    pub async fn from_session(session: &Session) -> Self {
        for key in [SESSION_KEY, AUTO_KEY] {
            if let Ok(Some(code)) = session.get::<String>(key).await {
                return Self::new(&code);
            }
        }
        Self::default()
    }

    /// The language of the practice's own pages in this session: Dutch or English.
    pub async fn staff_session(session: &Session) -> Self {
        Self::from_session(session).await.for_staff()
    }

    /// This language if staff pages offer it, else Dutch.
    pub fn for_staff(self) -> Self {
        if STAFF_LANGUAGES.iter().any(|(c, _)| *c == self.code()) {
            self
        } else {
            Self::default()
        }
    }

    /// The language the person chose in this session or their browser asked for, if either.
    pub async fn chosen_or_asked(session: &Session) -> Option<Self> {
        for key in [SESSION_KEY, AUTO_KEY] {
            if let Ok(Some(code)) = session.get::<String>(key).await {
                return Some(Self::new(&code));
            }
        }
        None
    }

    pub async fn choose(
        session: &Session,
        code: &str,
    ) -> Result<(), tower_sessions::session::Error> {
        let tr = Self::new(code);
        session.insert(SESSION_KEY, tr.code()).await
    }

    /// The BCP 47 code, for `<html lang>`.
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// `rtl` or `ltr`, for `<html dir>`.
    pub fn dir(&self) -> &'static str {
        if locale::is_rtl(self.code) {
            "rtl"
        } else {
            "ltr"
        }
    }

    /// Whether this is Dutch: the language the practice writes the record in. Record content
    /// shown in another language is marked `lang="nl"`.
    pub fn is_dutch(&self) -> bool {
        self.lang.language.as_str() == "nl"
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

    /// A message with one number, so that plural selectors work ("3 lata", "5 lat").
    pub fn tn(&self, key: &str, name: &'static str, n: i64) -> String {
        let mut args: HashMap<Cow<'static, str>, FluentValue<'_>> = HashMap::new();
        args.insert(Cow::Borrowed(name), FluentValue::from(n));
        LOCALES.lookup_with_args(&self.lang, key, &args)
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

    /// "23 november 2026", as this language writes a date.
    pub fn date(&self, d: NaiveDate) -> String {
        locale::long_date(self.code, d)
    }

    /// "maandag 23 november 2026": a date with its weekday, for choosing a day.
    pub fn day(&self, d: NaiveDate) -> String {
        locale::weekday_date(self.code, d)
    }

    /// A number as this language writes it ("5,4", "5.4").
    pub fn number(&self, text: &str) -> String {
        locale::decimal(self.code, text)
    }

    /// A date that may be partial ("2015", "maart 2015").
    pub fn partial_date(&self, d: &inzage_domain::PartialDate) -> String {
        use inzage_domain::PartialDate as P;
        match d {
            P::Year(y) => y.to_string(),
            P::YearMonth(y, m) => locale::month_year(self.code, *y, *m),
            P::Date(d) => self.date(*d),
        }
    }
}

/// The offered language a browser asks for most (`Accept-Language`), if any.
pub fn negotiate(accept_language: &str) -> Option<&'static str> {
    use fluent_langneg::NegotiationStrategy;
    use fluent_langneg::negotiate::filter_matches;
    let requested = fluent_langneg::accepted_languages::parse(accept_language);
    let available: Vec<LanguageIdentifier> = LANGUAGES
        .iter()
        .filter_map(|(c, _)| c.parse().ok())
        .collect();
    let best = filter_matches(&requested, &available, NegotiationStrategy::Lookup)
        .into_iter()
        .next()?
        .to_string();
    LANGUAGES
        .iter()
        .map(|(c, _)| *c)
        .find(|c| *c == best.as_str())
}

/// Middleware for every page: on a page request (the browser accepts HTML) of a session
/// without a language, the language the browser asks for is noted once, so the first page is
/// already in it (API clients, FHIR and tokens, never get a session from this); and an error
/// page is written in the session's language.
pub async fn language(session: Session, request: Request, next: Next) -> Response {
    let wants_page = request
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    let asked = request
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(negotiate);
    if wants_page
        && let Some(code) = asked
        && matches!(session.get::<String>(SESSION_KEY).await, Ok(None))
        && matches!(session.get::<String>(AUTO_KEY).await, Ok(None))
    {
        // A failure to note it only leaves the page in Dutch.
        let _ = session.insert(AUTO_KEY, code).await;
    }
    let response = next.run(request).await;
    match response
        .extensions()
        .get::<crate::error::ErrorText>()
        .copied()
    {
        Some(text) => {
            let tr = Tr::from_session(&session).await;
            if tr.is_dutch() {
                response
            } else {
                text.render(response.status(), &tr)
            }
        }
        None => response,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fluent_syntax::ast;
    use std::collections::{BTreeMap, BTreeSet};

    /// Every message of one language: key -> the variables it uses. Fails on any syntax error
    /// (fluent-templates would skip a broken message silently).
    fn messages(lang: &str) -> BTreeMap<String, BTreeSet<String>> {
        let dir = format!("{}/locales/{lang}", env!("CARGO_MANIFEST_DIR"));
        let mut out = BTreeMap::new();
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{dir}: {e}"))
            .flatten()
            .map(|e| e.path())
            .collect();
        files.sort();
        for path in files {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let resource = match fluent_syntax::parser::parse(text.as_str()) {
                Ok(r) => r,
                Err((_, errors)) => panic!("{}: {errors:?}", path.display()),
            };
            for entry in resource.body {
                if let ast::Entry::Message(m) = entry {
                    let mut vars = BTreeSet::new();
                    if let Some(p) = &m.value {
                        pattern_vars(p, &mut vars);
                    }
                    let key = m.id.name.to_owned();
                    assert!(
                        out.insert(key.clone(), vars).is_none(),
                        "{lang}: {key} twice"
                    );
                }
            }
        }
        out
    }

    fn pattern_vars(p: &ast::Pattern<&str>, vars: &mut BTreeSet<String>) {
        for e in &p.elements {
            if let ast::PatternElement::Placeable { expression } = e {
                expression_vars(expression, vars);
            }
        }
    }

    fn expression_vars(e: &ast::Expression<&str>, vars: &mut BTreeSet<String>) {
        match e {
            ast::Expression::Select { selector, variants } => {
                inline_vars(selector, vars);
                for v in variants {
                    pattern_vars(&v.value, vars);
                }
            }
            ast::Expression::Inline(i) => inline_vars(i, vars),
        }
    }

    fn inline_vars(i: &ast::InlineExpression<&str>, vars: &mut BTreeSet<String>) {
        match i {
            ast::InlineExpression::VariableReference { id } => {
                vars.insert(id.name.to_owned());
            }
            ast::InlineExpression::Placeable { expression } => expression_vars(expression, vars),
            ast::InlineExpression::FunctionReference { arguments, .. } => {
                for a in &arguments.positional {
                    inline_vars(a, vars);
                }
            }
            _ => {}
        }
    }

    /// Issue 17: a key in one language and not in another, or a placeholder that differs,
    /// fails here; so does a message that does not render or renders empty.
    #[test]
    fn every_language_has_every_message_with_the_same_placeholders() {
        let dutch = messages("nl");
        assert!(dutch.len() > 500, "{} Dutch messages", dutch.len());
        for (code, _) in LANGUAGES.iter().skip(1) {
            let other = messages(code);
            let missing: Vec<_> = dutch.keys().filter(|k| !other.contains_key(*k)).collect();
            let extra: Vec<_> = other.keys().filter(|k| !dutch.contains_key(*k)).collect();
            assert!(missing.is_empty(), "{code} lacks {missing:?}");
            assert!(extra.is_empty(), "{code} has extra {extra:?}");
            for (key, vars) in &dutch {
                assert_eq!(Some(vars), other.get(key), "{code}: placeholders of {key}");
            }
        }
        for (code, _) in LANGUAGES {
            let lang: LanguageIdentifier = code.parse().unwrap_or(langid!("nl"));
            for (key, vars) in &dutch {
                let args: HashMap<Cow<'static, str>, FluentValue<'_>> = vars
                    .iter()
                    .map(|v| {
                        let value = if v == "count" {
                            FluentValue::from(3)
                        } else {
                            FluentValue::from("x")
                        };
                        (Cow::Owned(v.clone()), value)
                    })
                    .collect();
                let text = LOCALES.try_lookup_with_args(&lang, key, &args);
                let text = text.unwrap_or_else(|| panic!("{code}: {key} does not render"));
                assert!(!text.trim().is_empty(), "{code}: {key} is empty");
            }
        }
    }

    #[test]
    fn dates_in_each_language() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default();
        assert_eq!(Tr::new("nl").date(d), "23 november 2026");
        assert_eq!(Tr::new("en").date(d), "23 November 2026");
        assert_eq!(Tr::new("pl").date(d), "23 listopada 2026");
        assert_eq!(Tr::new("nl").day(d), "maandag 23 november 2026");
        assert!(Tr::new("en").day(d).starts_with("Monday"));
        assert_eq!(Tr::new("xx").code(), "nl");
        assert_eq!(Tr::new("ar").dir(), "rtl");
        assert_eq!(Tr::new("tr").dir(), "ltr");
    }

    #[test]
    fn numbers_choose_the_plural_form_of_the_language() {
        assert_eq!(Tr::new("pl").tn("age-years", "age", 1), "1 rok");
        assert_eq!(Tr::new("pl").tn("age-years", "age", 3), "3 lata");
        assert_eq!(Tr::new("pl").tn("age-years", "age", 5), "5 lat");
        assert_eq!(Tr::new("pl").tn("age-years", "age", 22), "22 lata");
        assert_eq!(Tr::new("ar").tn("age-years", "age", 2), "سنتان");
        assert_eq!(Tr::new("nl").tn("age-years", "age", 7), "7 jaar");
        assert_eq!(Tr::new("en").tn("age-years", "age", 1), "1 year old");
    }

    #[test]
    fn the_browser_language_is_negotiated_among_the_offered_ones() {
        assert_eq!(negotiate("ar-MA,ar;q=0.9,fr;q=0.8"), Some("ar"));
        assert_eq!(negotiate("de-DE,de;q=0.9,tr;q=0.8"), Some("tr"));
        assert_eq!(negotiate("en-US,en;q=0.9"), Some("en"));
        assert_eq!(negotiate("pl"), Some("pl"));
        assert_eq!(negotiate("fr-FR"), None);
        assert_eq!(negotiate(""), None);
    }
}
