//! The date placeholders of the Nictiz qualification fixtures: `${DATE, T, D, -400}` means today
//! minus 400 days (`T` = today, unit `D` days, `M` months, `Y` years).

use chrono::{Days, Months, NaiveDate};
use std::fmt::Write as _;

/// Replaces every `${DATE, T, <unit>, <n>}` in `text` with the date relative to `today`.
/// Unknown placeholders are left as they are (the date parser then reports them).
pub fn substitute_dates(text: &str, today: NaiveDate) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let Some(end) = after.find('}') else {
            out.push_str(after);
            return out;
        };
        let inner = &after[2..end];
        match resolve(inner, today) {
            // `NaiveDate`'s Display is `%Y-%m-%d`, without parsing a format string each time.
            Some(d) => {
                let _ = write!(out, "{d}");
            }
            None => out.push_str(&after[..=end]),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

fn resolve(inner: &str, today: NaiveDate) -> Option<NaiveDate> {
    let mut parts = inner.split(',').map(str::trim);
    let (Some(kind), Some(base), Some(unit), Some(n), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    if kind != "DATE" || base != "T" {
        return None;
    }
    let n: i64 = n.parse().ok()?;
    let magnitude = n.unsigned_abs();
    match (unit, n >= 0) {
        ("D", true) => today.checked_add_days(Days::new(magnitude)),
        ("D", false) => today.checked_sub_days(Days::new(magnitude)),
        ("M", true) => today.checked_add_months(Months::new(u32::try_from(magnitude).ok()?)),
        ("M", false) => today.checked_sub_months(Months::new(u32::try_from(magnitude).ok()?)),
        ("Y", true) => today.checked_add_months(Months::new(u32::try_from(magnitude * 12).ok()?)),
        ("Y", false) => today.checked_sub_months(Months::new(u32::try_from(magnitude * 12).ok()?)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substitutes_days_months_years() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        assert_eq!(
            substitute_dates("<a value=\"${DATE, T, D, -400}\"/>", today),
            "<a value=\"2025-10-19\"/>"
        );
        assert_eq!(
            substitute_dates("${DATE, T, M, -14}T10:00", today),
            "2025-09-23T10:00"
        );
        assert_eq!(
            substitute_dates("${DATE,T,Y,1} ${DATE, T, D, 0}", today),
            "2027-11-23 2026-11-23"
        );
        assert_eq!(substitute_dates("${OTHER} ${", today), "${OTHER} ${");
    }
}
