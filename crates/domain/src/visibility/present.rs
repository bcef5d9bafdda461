//! Presentation data the views need (R42-R44).

use super::*;

/// An episode's labels: the GP's own title first (R42), the ICPC code and NHG title second.
pub struct EpisodeLabel<'a> {
    pub primary: &'a str,
    pub secondary: Option<String>,
}

pub fn episode_label(e: &Episode) -> EpisodeLabel<'_> {
    let code = e.icpc.as_ref().map(|c| c.as_str());
    let secondary = match (code, e.icpc_display.as_deref()) {
        (Some(c), Some(t)) => Some(format!("{c} {t}")),
        (Some(c), None) => Some(c.to_owned()),
        (None, Some(t)) => Some(t.to_owned()),
        (None, None) => None,
    };
    let primary = if e.title.trim().is_empty() {
        e.icpc_display.as_deref().or(code).unwrap_or("Episode")
    } else {
        e.title.as_str()
    };
    EpisodeLabel { primary, secondary }
}

/// The title of a contact's report (R43): the episode title, or the ICPC display of the E line.
pub fn contact_title(view: &PatientView<'_>, contact: &Contact) -> String {
    if let Some(e) = contact.episode.as_ref().and_then(|id| view.episode(id)) {
        return episode_label(e).primary.to_owned();
    }
    view.journal
        .iter()
        .find(|l| l.contact.as_ref() == Some(&contact.id) && l.soep == Soep::E)
        .and_then(|l| {
            l.icpc_display
                .clone()
                .or_else(|| l.icpc.as_ref().map(|c| c.to_string()))
        })
        .unwrap_or_else(|| {
            contact
                .contact_type
                .display_nl()
                .unwrap_or("Contact")
                .to_owned()
        })
}

/// A result as shown (R44): name, value, unit, reference range and where the value lies.
pub struct ResultLine {
    pub name: String,
    pub value: String,
    pub unit: Option<String>,
    pub range: Option<String>,
    pub position: Option<RangePosition>,
}

/// A result as shown, with its numbers written as `lang` writes them (see [`decimal`]).
pub fn result_line(r: &LabResult, lang: &str) -> ResultLine {
    let (value, unit) = match &r.value {
        ResultValue::Quantity { value, unit } => (
            decimal(lang, value.as_str()),
            unit.as_ref().map(|u| unit_for_people(&u.to_string())),
        ),
        ResultValue::Coded { coding } => (coding.label().to_owned(), None),
        ResultValue::Text { text } => (text.clone(), None),
    };
    let n = |d: &Decimal| decimal(lang, d.as_str());
    let range = r
        .reference_range
        .as_ref()
        .map(|rr| match (&rr.low, &rr.high) {
            (Some(l), Some(h)) => format!("{} - {}", n(l), n(h)),
            (Some(l), None) => format!("> {}", n(l)),
            (None, Some(h)) => format!("< {}", n(h)),
            (None, None) => rr.text.clone().unwrap_or_default(),
        });
    ResultLine {
        name: r.name.clone(),
        value,
        unit,
        range,
        position: r.range_position(),
    }
}

pub use crate::locale::decimal;

/// A decimal from a measurement that arrived as a float (a chart's axis), to at most two
/// places, written as `lang` writes it.
pub fn decimal_f64(lang: &str, v: f64) -> String {
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    decimal(lang, s)
}

/// The NHG-Tabel 45 codes of a blood pressure's two numbers: (upper, lower), measured at the
/// practice and at home.
pub const BLOOD_PRESSURE_CODES: [(&str, &str); 2] = [("1744", "1740"), ("2055", "2056")];

/// A blood pressure: the upper and lower number measured together, shown as one reading
/// ("133/92 mm Hg") as people know it, not as two results.
pub struct BloodPressure<'a> {
    pub upper: &'a LabResult,
    pub lower: &'a LabResult,
}

impl BloodPressure<'_> {
    /// Measured at home by the person (NHG 2055/2056), not at the practice.
    pub fn at_home(&self) -> bool {
        self.upper.code.as_str() == BLOOD_PRESSURE_CODES[1].0
    }

    /// "133/92", "mm Hg", "< 140/90" and where the reading lies: above normal when either
    /// number is, below when either is (and none above).
    pub fn line(&self, lang: &str) -> ResultLine {
        let (up, low) = (result_line(self.upper, lang), result_line(self.lower, lang));
        let high = |r: &LabResult| r.reference_range.as_ref().and_then(|rr| rr.high.clone());
        let range = match (high(self.upper), high(self.lower)) {
            (Some(a), Some(b)) => Some(format!(
                "< {}/{}",
                decimal(lang, a.as_str()),
                decimal(lang, b.as_str())
            )),
            _ => None,
        };
        let positions = [up.position, low.position];
        let position = if positions.contains(&Some(RangePosition::Above)) {
            Some(RangePosition::Above)
        } else if positions.contains(&Some(RangePosition::Below)) {
            Some(RangePosition::Below)
        } else if positions.iter().all(|p| *p == Some(RangePosition::Within)) {
            Some(RangePosition::Within)
        } else {
            None
        };
        ResultLine {
            name: "bloeddruk".into(),
            value: format!("{}/{}", up.value, low.value),
            unit: up.unit.or(low.unit),
            range,
            position,
        }
    }
}

/// Splits results into blood pressures (an upper and a lower number of the same kind taken at
/// the same moment, in the same contact) and the other results, each in the order given.
pub fn pair_blood_pressures<'a>(
    results: &[&'a LabResult],
) -> (Vec<BloodPressure<'a>>, Vec<&'a LabResult>) {
    let mut pairs = vec![];
    let mut used = vec![false; results.len()];
    for (i, upper) in results.iter().enumerate() {
        let Some((_, lower_code)) = BLOOD_PRESSURE_CODES
            .iter()
            .find(|(u, _)| *u == upper.code.as_str())
        else {
            continue;
        };
        let partner = results.iter().enumerate().position(|(j, r)| {
            !used[j]
                && r.code.as_str() == *lower_code
                && r.effective == upper.effective
                && r.contact == upper.contact
        });
        if let Some(j) = partner {
            used[i] = true;
            used[j] = true;
            pairs.push(BloodPressure {
                upper,
                lower: results[j],
            });
        }
    }
    let rest = results
        .iter()
        .zip(used)
        .filter(|(_, u)| !u)
        .map(|(r, _)| *r)
        .collect();
    (pairs, rest)
}

/// A medicine's name as people read it (issue 18): names written in capitals, as the national
/// drug database gives them ("SALBUTAMOL AEROSOL 100UG/DO"), in normal case ("Salbutamol
/// aerosol 100ug/do"). A name with small letters stays as the prescriber wrote it.
pub fn medicine_name(name: &str) -> String {
    if name.chars().any(char::is_lowercase) {
        return name.to_owned();
    }
    let lower = name.to_lowercase();
    let mut chars = lower.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A UCUM unit as a Dutch lab report writes it for people (issue 18): "mm Hg" for `mm[Hg]`,
/// "ml/min/1,73 m²" for `mL/min/{1.73_m2}`, "× 10⁹/l" for `10*9/L`, "µmol/l" for `umol/L`,
/// "IE/l" for `[IU]/L`, "°C" for `Cel`. Anything else stays as written.
pub fn unit_for_people(ucum: &str) -> String {
    match ucum {
        "Cel" => return "°C".into(),
        "/min" | "{beats}/min" => return "per minuut".into(),
        _ => {}
    }
    ucum.split('/')
        .map(unit_segment)
        .collect::<Vec<_>>()
        .join("/")
}

/// One part of a unit between slashes.
fn unit_segment(part: &str) -> String {
    // An annotation: its text, with a decimal comma ("{1.73_m2}": "1,73 m²").
    if let Some(inner) = part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
        return square(&inner.replace('_', " ").replace('.', ","));
    }
    // A power of ten: "10*9" is "× 10⁹".
    if let Some(exp) = part.strip_prefix("10*")
        && !exp.is_empty()
        && exp.chars().all(|c| c.is_ascii_digit())
    {
        return format!("× 10{}", exp.chars().map(superscript).collect::<String>());
    }
    let part = part
        .replace("[Hg]", " Hg")
        .replace("[IU]", "IE")
        .replace("[iU]", "IE");
    // A litre, with or without a prefix, is "l".
    let part = match part.strip_suffix('L') {
        Some(prefix) if matches!(prefix, "" | "m" | "d" | "c" | "u" | "n" | "p" | "f") => {
            format!("{prefix}l")
        }
        _ => part,
    };
    // The micro prefix.
    let part = match part.strip_prefix('u') {
        Some(rest)
            if ["mol", "g", "l", "U", "IE"]
                .iter()
                .any(|u| rest.starts_with(u)) =>
        {
            format!("µ{rest}")
        }
        _ => part,
    };
    square(&part)
}

/// "m2" and "m3" at the end written as m² and m³.
fn square(s: &str) -> String {
    if let Some(base) = s.strip_suffix("m2") {
        format!("{base}m²")
    } else if let Some(base) = s.strip_suffix("m3") {
        format!("{base}m³")
    } else {
        s.to_owned()
    }
}

fn superscript(d: char) -> char {
    match d {
        '0' => '⁰',
        '1' => '¹',
        '2' => '²',
        '3' => '³',
        '4' => '⁴',
        '5' => '⁵',
        '6' => '⁶',
        '7' => '⁷',
        '8' => '⁸',
        _ => '⁹',
    }
}

#[cfg(test)]
mod unit_tests {
    use super::{medicine_name, unit_for_people};

    #[test]
    fn medicine_names_in_capitals_read_in_normal_case() {
        assert_eq!(
            medicine_name("SALBUTAMOL AEROSOL 100UG/DO"),
            "Salbutamol aerosol 100ug/do"
        );
        assert_eq!(medicine_name("Metformine 500 mg"), "Metformine 500 mg");
        assert_eq!(medicine_name("ÉÉN 5MG"), "Één 5mg");
        assert_eq!(medicine_name(""), "");
    }

    #[test]
    fn units_are_written_as_people_read_them_not_as_ucum_codes() {
        for (ucum, shown) in [
            ("mm[Hg]", "mm Hg"),
            ("mL/min/{1.73_m2}", "ml/min/1,73 m²"),
            ("10*9/L", "× 10⁹/l"),
            ("10*12/L", "× 10¹²/l"),
            ("umol/L", "µmol/l"),
            ("mmol/L", "mmol/l"),
            ("mmol/mol", "mmol/mol"),
            ("g/L", "g/l"),
            ("U/L", "U/l"),
            ("[IU]/L", "IE/l"),
            ("mU/L", "mU/l"),
            ("fL", "fl"),
            ("kg/m2", "kg/m²"),
            ("Cel", "°C"),
            ("/min", "per minuut"),
            ("%", "%"),
            ("mg/mmol", "mg/mmol"),
        ] {
            assert_eq!(unit_for_people(ucum), shown, "{ucum}");
        }
    }
}
