//! Dates and the clock.
//!
//! All instants are UTC (`DateTime<Utc>`); calendar rules (age, start dates, the results window,
//! the release delay) are evaluated on the date in Europe/Amsterdam, where the practice is.
//! Nothing in the domain reads the system clock directly: it is passed in, or comes from a [`Clock`].

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use chrono_tz::Europe::Amsterdam;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Where "now" comes from. Production uses [`SystemClock`]; tests use [`FixedClock`].
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub DateTime<Utc>);

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

/// The calendar date in the Netherlands at an instant.
pub fn local_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&Amsterdam).date_naive()
}

/// The instant at which a Dutch calendar date begins (00:00 Europe/Amsterdam).
pub fn start_of_local_day(d: NaiveDate) -> DateTime<Utc> {
    use chrono::TimeZone;
    let midnight = d.and_hms_opt(0, 0, 0).unwrap_or_default();
    match Amsterdam.from_local_datetime(&midnight) {
        chrono::LocalResult::Single(t) | chrono::LocalResult::Ambiguous(t, _) => {
            t.with_timezone(&Utc)
        }
        // Amsterdam never skips midnight, but stay total.
        chrono::LocalResult::None => midnight.and_utc(),
    }
}

/// A Dutch date and time of day as the instant it names, with its offset (`None` for a time that
/// the change to summer time skips).
pub fn local_instant(
    d: NaiveDate,
    t: chrono::NaiveTime,
) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    use chrono::TimeZone;
    Amsterdam
        .from_local_datetime(&d.and_time(t))
        .earliest()
        .map(|t| t.fixed_offset())
}

/// Age in whole years on `today`. Someone born on 29 February has their birthday on
/// 1 March in years without a 29 February.
pub fn age_on(birth: NaiveDate, today: NaiveDate) -> i32 {
    let mut years = today.year() - birth.year();
    if (today.month(), today.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    years
}

/// `d` minus `months` calendar months, clamped to the end of a shorter month.
pub fn months_before(d: NaiveDate, months: u32) -> NaiveDate {
    d.checked_sub_months(Months::new(months))
        .unwrap_or(NaiveDate::MIN)
}

/// A date as precise as the source knows it: a year, a month, or a day.
/// Episodes started "in 1998" and allergies known "since March 2004" are common in GP records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum PartialDate {
    Year(i32),
    YearMonth(i32, u32),
    Date(NaiveDate),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid date {0:?}: expected YYYY, YYYY-MM or YYYY-MM-DD")]
pub struct InvalidDate(pub String);

impl PartialDate {
    pub fn parse(s: &str) -> Result<Self, InvalidDate> {
        let err = || InvalidDate(s.to_owned());
        // FHIR dateTime values may carry a time; the date part is what the record keeps here.
        let date_part = s.split('T').next().unwrap_or(s);
        let parts: Vec<&str> = date_part.split('-').collect();
        let num = |p: &str, len: usize| -> Result<u32, InvalidDate> {
            if p.len() == len && p.bytes().all(|b| b.is_ascii_digit()) {
                p.parse().map_err(|_| err())
            } else {
                Err(err())
            }
        };
        match parts.as_slice() {
            [y] => Ok(Self::Year(num(y, 4)? as i32)),
            [y, m] => {
                let (y, m) = (num(y, 4)? as i32, num(m, 2)?);
                if (1..=12).contains(&m) {
                    Ok(Self::YearMonth(y, m))
                } else {
                    Err(err())
                }
            }
            [y, m, d] => NaiveDate::from_ymd_opt(num(y, 4)? as i32, num(m, 2)?, num(d, 2)?)
                .map(Self::Date)
                .ok_or_else(err),
            _ => Err(err()),
        }
    }

    /// The first day the value can mean.
    pub fn earliest(&self) -> NaiveDate {
        match *self {
            Self::Year(y) => NaiveDate::from_ymd_opt(y, 1, 1),
            Self::YearMonth(y, m) => NaiveDate::from_ymd_opt(y, m, 1),
            Self::Date(d) => Some(d),
        }
        .unwrap_or(NaiveDate::MIN)
    }

    /// The last day the value can mean.
    pub fn latest(&self) -> NaiveDate {
        match *self {
            Self::Year(y) => NaiveDate::from_ymd_opt(y, 12, 31),
            Self::YearMonth(y, m) => NaiveDate::from_ymd_opt(y, m, 1)
                .and_then(|d| d.checked_add_months(Months::new(1)))
                .and_then(|d| d.pred_opt()),
            Self::Date(d) => Some(d),
        }
        .unwrap_or(NaiveDate::MAX)
    }
}

impl From<NaiveDate> for PartialDate {
    fn from(d: NaiveDate) -> Self {
        Self::Date(d)
    }
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Year(y) => write!(f, "{y:04}"),
            Self::YearMonth(y, m) => write!(f, "{y:04}-{m:02}"),
            Self::Date(d) => write!(f, "{}", d.format("%Y-%m-%d")),
        }
    }
}

impl TryFrom<String> for PartialDate {
    type Error = InvalidDate;
    fn try_from(s: String) -> Result<Self, InvalidDate> {
        Self::parse(&s)
    }
}

impl From<PartialDate> for String {
    fn from(d: PartialDate) -> String {
        d.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn partial_dates_round_trip_and_bound() {
        for s in ["1998", "2004-03", "2020-07-01"] {
            assert_eq!(PartialDate::parse(s).unwrap().to_string(), s);
        }
        let ym = PartialDate::parse("2024-02").unwrap();
        assert_eq!(ym.earliest(), d(2024, 2, 1));
        assert_eq!(ym.latest(), d(2024, 2, 29));
        assert_eq!(
            PartialDate::parse("2025-10-19T10:00:00+02:00").unwrap(),
            PartialDate::Date(d(2025, 10, 19))
        );
        for bad in ["", "98", "2024-13", "2024-02-30", "2024/01/01", "2024-1-1"] {
            assert!(PartialDate::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn age_boundaries() {
        let birth = d(2010, 5, 17);
        assert_eq!(age_on(birth, d(2026, 5, 16)), 15);
        assert_eq!(age_on(birth, d(2026, 5, 17)), 16);
        let leap = d(2008, 2, 29);
        assert_eq!(age_on(leap, d(2024, 2, 28)), 15);
        assert_eq!(age_on(leap, d(2024, 2, 29)), 16);
        assert_eq!(age_on(leap, d(2025, 2, 28)), 16);
    }

    #[test]
    fn local_date_uses_amsterdam() {
        // 23:30 UTC on 30 June 2020 is already 1 July in Amsterdam (CEST, UTC+2).
        let t = DateTime::parse_from_rfc3339("2020-06-30T23:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(local_date(t), d(2020, 7, 1));
        assert_eq!(local_date(start_of_local_day(d(2020, 7, 1))), d(2020, 7, 1));
    }

    #[test]
    fn months_before_clamps() {
        assert_eq!(months_before(d(2026, 11, 23), 14), d(2025, 9, 23));
        assert_eq!(months_before(d(2026, 4, 30), 14), d(2025, 2, 28));
    }
}
