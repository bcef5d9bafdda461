//! The languages a patient can read inzage in, and how each writes numbers and dates: by
//! CLDR's data through ICU4X, never by hand ("23 november 2026", "23 listopada 2026",
//! "23 نوفمبر 2026").
//!
//! Every language writes digits 0-9, Arabic too (`ar-u-nu-latn`): a value, a reference range
//! and the GP's own notes (which stay Dutch) then show the same digits, and a patient reading
//! a value aloud to the practice reads what the practice sees. Morocco, where most
//! Arabic-reading patients of Dutch practices have their roots, writes these digits as well.

use chrono::{Datelike, NaiveDate};
use icu_datetime::FixedCalendarDateTimeFormatter;
use icu_datetime::fieldsets::{YM, YMD, YMDE};
use icu_datetime::input::Date;
use icu_locale_core::Locale;
use std::cell::RefCell;
use std::collections::HashMap;

/// The languages offered: BCP 47 code and the language's own name. Dutch first: the practice
/// writes in it and every text exists in it first.
pub const LANGUAGES: [(&str, &str); 5] = [
    ("nl", "Nederlands"),
    ("en", "English"),
    ("ar", "العربية"),
    ("tr", "Türkçe"),
    ("pl", "Polski"),
];

/// The code of an offered language, or Dutch.
pub fn offered(code: &str) -> &'static str {
    LANGUAGES
        .iter()
        .find(|(c, _)| *c == code)
        .map_or("nl", |(c, _)| c)
}

/// Whether the language is written right to left.
pub fn is_rtl(code: &str) -> bool {
    offered(code) == "ar"
}

/// The ICU locale a language formats with. English as written in Europe ("23 November
/// 2026"); Arabic with the digits 0-9 (see the module comment).
fn icu_locale(code: &str) -> Locale {
    let tag = match offered(code) {
        "en" => "en-GB",
        "ar" => "ar-u-nu-latn",
        other => other,
    };
    tag.parse().unwrap_or(icu_locale_core::locale!("nl"))
}

use icu_calendar::Gregorian;

#[derive(Default)]
struct Formatters {
    decimal: HashMap<&'static str, Option<icu_decimal::DecimalFormatter>>,
    date: HashMap<&'static str, Option<FixedCalendarDateTimeFormatter<Gregorian, YMD>>>,
    weekday: HashMap<&'static str, Option<FixedCalendarDateTimeFormatter<Gregorian, YMDE>>>,
    month: HashMap<&'static str, Option<FixedCalendarDateTimeFormatter<Gregorian, YM>>>,
}

thread_local! {
    // One set of formatters per thread (ICU4X's formatters are not shared across threads),
    // made on first use per language.
    static FORMATTERS: RefCell<Formatters> = RefCell::new(Formatters::default());
}

/// A decimal written as `lang` writes it: "5,4" in Dutch, Turkish and Polish, "5.4" in English
/// and Arabic. The precision stays as measured ("5.40" is "5,40"); thousands are grouped only
/// from five digits on ("1200", "12.000"), as a lab report does, so that "1.200" is never read
/// as one point two. Text that is not a decimal is returned as it is.
pub fn decimal(lang: &str, text: &str) -> String {
    use icu_decimal::input::Decimal;
    let Ok(value) = Decimal::try_from_str(text.trim()) else {
        return text.to_owned();
    };
    let code = offered(lang);
    FORMATTERS.with(|f| {
        let mut f = f.borrow_mut();
        let formatter = f.decimal.entry(code).or_insert_with(|| {
            let mut options = icu_decimal::options::DecimalFormatterOptions::default();
            options.grouping_strategy = Some(icu_decimal::options::GroupingStrategy::Min2);
            icu_decimal::DecimalFormatter::try_new((&icu_locale(code)).into(), options).ok()
        });
        match formatter {
            Some(formatter) => formatter.format(&value).to_string(),
            None => text.to_owned(),
        }
    })
}

fn gregorian(d: NaiveDate) -> Option<Date<Gregorian>> {
    Date::try_new_gregorian(d.year(), d.month() as u8, d.day() as u8).ok()
}

/// "23 november 2026", "23 November 2026", "23 listopada 2026".
pub fn long_date(lang: &str, d: NaiveDate) -> String {
    let code = offered(lang);
    FORMATTERS.with(|f| {
        let mut f = f.borrow_mut();
        let formatter = f.date.entry(code).or_insert_with(|| {
            FixedCalendarDateTimeFormatter::try_new((&icu_locale(code)).into(), YMD::long()).ok()
        });
        match (formatter, gregorian(d)) {
            (Some(formatter), Some(date)) => formatter.format(&date).to_string(),
            _ => d.format("%d-%m-%Y").to_string(),
        }
    })
}

/// A date with its weekday, for choosing a day: "maandag 23 november 2026".
pub fn weekday_date(lang: &str, d: NaiveDate) -> String {
    let code = offered(lang);
    FORMATTERS.with(|f| {
        let mut f = f.borrow_mut();
        let formatter = f.weekday.entry(code).or_insert_with(|| {
            FixedCalendarDateTimeFormatter::try_new((&icu_locale(code)).into(), YMDE::long()).ok()
        });
        match (formatter, gregorian(d)) {
            (Some(formatter), Some(date)) => formatter.format(&date).to_string(),
            _ => d.format("%d-%m-%Y").to_string(),
        }
    })
}

/// A month of a year: "maart 2015", "marzec 2015".
pub fn month_year(lang: &str, year: i32, month: u32) -> String {
    let code = offered(lang);
    let Some(first) = NaiveDate::from_ymd_opt(year, month, 1) else {
        return format!("{month:02}-{year}");
    };
    FORMATTERS.with(|f| {
        let mut f = f.borrow_mut();
        let formatter = f.month.entry(code).or_insert_with(|| {
            FixedCalendarDateTimeFormatter::try_new((&icu_locale(code)).into(), YM::long()).ok()
        });
        match (formatter, gregorian(first)) {
            (Some(formatter), Some(date)) => formatter.format(&date).to_string(),
            _ => format!("{month:02}-{year}"),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default()
    }

    #[test]
    fn dates_as_each_language_writes_them() {
        assert_eq!(long_date("nl", day()), "23 november 2026");
        assert_eq!(long_date("en", day()), "23 November 2026");
        assert_eq!(long_date("tr", day()), "23 Kasım 2026");
        // Polish writes the month in the genitive after a day.
        assert_eq!(long_date("pl", day()), "23 listopada 2026");
        let ar = long_date("ar", day());
        assert!(
            ar.contains("نوفمبر") && ar.contains("2026") && ar.contains("23"),
            "{ar}"
        );
        assert_eq!(weekday_date("nl", day()), "maandag 23 november 2026");
        assert!(weekday_date("tr", day()).contains("Pazartesi"));
        assert_eq!(month_year("nl", 2015, 3), "maart 2015");
        // Without a day Polish names the month itself (nominative).
        assert_eq!(month_year("pl", 2015, 3), "marzec 2015");
        assert_eq!(long_date("xx", day()), "23 november 2026");
    }

    #[test]
    fn numbers_as_each_language_writes_them_with_digits_0_to_9() {
        assert_eq!(decimal("nl", "5.4"), "5,4");
        assert_eq!(decimal("en", "5.40"), "5.40");
        assert_eq!(decimal("tr", "5.4"), "5,4");
        assert_eq!(decimal("pl", "12000"), "12 000".replace(' ', "\u{a0}"));
        let ar = decimal("ar", "5.4");
        assert!(
            ar.chars().filter(|c| c.is_ascii_digit()).count() == 2,
            "{ar}"
        );
        assert_eq!(decimal("nl", "1200"), "1200");
        assert_eq!(decimal("nl", "positief"), "positief");
    }

    #[test]
    fn only_arabic_is_right_to_left() {
        assert!(is_rtl("ar"));
        assert!(!LANGUAGES.iter().any(|(c, _)| *c != "ar" && is_rtl(c)));
        assert_eq!(offered("de"), "nl");
    }
}
