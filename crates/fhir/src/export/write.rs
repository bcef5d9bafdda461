//! Small writers: codings, concepts, quantities, periods, references, in the STU3 shapes.

use super::*;

// ---- small writers ----

pub(crate) fn profile(url: Json) -> Json {
    fhir!({ "profile": [url] })
}

pub(crate) fn reference(ty: &str, id: &str, display: &str) -> Json {
    // Most are short enough to be kept inline: no allocation.
    let mut to = compact_str::CompactString::with_capacity(ty.len() + 1 + id.len());
    to.push_str(ty);
    to.push('/');
    to.push_str(id);
    fhir!({ "reference": Json::String(to), "display": display })
}

pub(crate) fn coding(c: &Coding) -> Json {
    let mut v = fhir!({ "system": &c.system, "code": &c.code });
    if let Some(d) = &c.display {
        v["display"] = fhir!(d);
    }
    v
}

/// A CodeableConcept; `text` when no coding has a display.
pub fn concept(codes: &[Coding], text: Option<&str>) -> Json {
    let mut v = fhir!({ "coding": codes.iter().map(coding).collect::<Vec<_>>() });
    let has_display = codes.iter().any(|c| c.display.is_some());
    match text {
        Some(t) => v["text"] = fhir!(t),
        None if !has_display => {
            v["text"] = fhir!(codes.first().map(|c| c.code.as_str()).unwrap_or_default())
        }
        None => {}
    }
    v
}

/// A CodeableConcept from the codes and text the source gave.
pub(crate) fn coded(c: &CodedText) -> Json {
    let mut v = fhir!({ "coding": c.codes.iter().map(coding).collect::<Vec<_>>() });
    if let Some(t) = &c.text {
        v["text"] = fhir!(t);
    } else if !c.codes.iter().any(|x| x.display.is_some()) {
        v["text"] = fhir!(c.codes.first().map(|x| x.code.as_str()).unwrap_or_default());
    }
    v
}

/// An item's business identifiers (empty when it has none; pruned then).
pub(crate) fn identifiers(meta: &ItemMeta) -> Json {
    fhir!(
        meta.identifiers
            .iter()
            .filter(|c| c.system != system::BSN)
            .map(|c| fhir!({ "system": &c.system, "value": &c.code }))
            .collect::<Vec<_>>()
    )
}

pub(crate) fn concept1(system: &str, code: &str, display: &str) -> Json {
    fhir!({ "coding": [{ "system": system, "code": code, "display": display }] })
}

/// [`concept1`] of fixed text, kept by reference (nothing copied).
pub(crate) fn fixed_concept1(
    system: &'static str,
    code: &'static str,
    display: &'static str,
) -> Json {
    let (system, code, display) = (
        Json::from_static(system),
        Json::from_static(code),
        Json::from_static(display),
    );
    fhir!({ "coding": [{ "system": system, "code": code, "display": display }] })
}

pub(crate) fn partial(d: &PartialDate) -> compact_str::CompactString {
    match d {
        PartialDate::Year(y) => compact_str::format_compact!("{y:04}"),
        PartialDate::YearMonth(y, m) => compact_str::format_compact!("{y:04}-{m:02}"),
        PartialDate::Date(d) => day(*d),
    }
}

/// A date as FHIR writes it (`2026-03-05`): inline, never allocated.
pub(crate) fn day(d: NaiveDate) -> compact_str::CompactString {
    use chrono::Datelike;
    // The common case without chrono's format-string interpreter; chrono writes the others
    // (a year outside 0-9999 gets its sign).
    if (0..=9999).contains(&d.year()) {
        compact_str::format_compact!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
    } else {
        compact_str::format_compact!("{}", d.format("%Y-%m-%d"))
    }
}

/// An instant as FHIR writes it (`2026-03-05T09:30:00Z`, whole seconds, UTC): inline, never
/// allocated.
pub(crate) fn instant(t: DateTime<Utc>) -> compact_str::CompactString {
    use chrono::{Datelike, Timelike};
    // As `day`: the common case without chrono's formatter; chrono writes the others (a
    // leap second, which chrono keeps in the nanoseconds, as :60).
    if (0..=9999).contains(&t.year()) && t.nanosecond() < 1_000_000_000 {
        compact_str::format_compact!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            t.year(),
            t.month(),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        )
    } else {
        t.to_rfc3339_opts(SecondsFormat::Secs, true).into()
    }
}

pub(crate) fn name(n: &HumanName) -> Json {
    let mut family = fhir!({ "url": "http://hl7.org/fhir/StructureDefinition/humanname-own-name", "valueString": &n.family });
    let mut family_ext = vec![family.take()];
    if let Some(p) = &n.prefix {
        family_ext.insert(
            0,
            fhir!({ "url": "http://hl7.org/fhir/StructureDefinition/humanname-own-prefix", "valueString": p }),
        );
    }
    let qualifier = |q: &str| fhir!({ "extension": [{ "url": "http://hl7.org/fhir/StructureDefinition/iso21090-EN-qualifier", "valueCode": q }] });
    let mut given: Vec<Json> = n.given.iter().map(|g| fhir!(g)).collect();
    let mut given_ext: Vec<Json> = n.given.iter().map(|_| qualifier("BR")).collect();
    if let Some(i) = &n.initials {
        given.push(fhir!(i));
        given_ext.push(qualifier("IN"));
    }
    let family_text = match &n.prefix {
        Some(p) => format!("{p} {}", n.family),
        None => n.family.clone(),
    };
    let mut v = fhir!({
        "text": n.display(),
        "family": family_text,
        "_family": { "extension": family_ext },
    });
    if !given.is_empty() {
        v["given"] = fhir!(given);
        v["_given"] = fhir!(given_ext);
    }
    v
}

pub(crate) fn address(a: &Address, use_: &str) -> Json {
    fhir!({
        "use": use_,
        "line": [format!("{} {}", a.street, a.house_number).trim()],
        "_line": [{ "extension": [
            { "url": "http://hl7.org/fhir/StructureDefinition/iso21090-ADXP-streetName", "valueString": &a.street },
            { "url": "http://hl7.org/fhir/StructureDefinition/iso21090-ADXP-houseNumber", "valueString": &a.house_number },
        ]}],
        "city": &a.city,
        "postalCode": &a.postal_code,
        "country": &a.country,
    })
}

pub(crate) fn telecom(c: &ContactDetails, use_: &str) -> Vec<Json> {
    let mut out = vec![];
    if let Some(p) = &c.phone {
        out.push(fhir!({ "system": "phone", "value": p, "use": use_ }));
    }
    if let Some(e) = &c.email {
        out.push(fhir!({ "system": "email", "value": e, "use": use_ }));
    }
    out
}

/// An XHTML narrative div with `text` escaped.
pub(crate) fn narrative(text: &str) -> Json {
    fhir!({
        "status": "generated",
        "div": format!(
            "<div xmlns=\"http://www.w3.org/1999/xhtml\">{}</div>",
            html_escape::encode_text(text)
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_is_written_as_chrono_writes_it() {
        for (y, m, d) in [
            (2026, 3, 5),
            (99, 12, 31),
            (0, 1, 1),
            (9999, 12, 31),
            (10000, 1, 1),
            (-1, 6, 15),
        ] {
            let date = NaiveDate::from_ymd_opt(y, m, d).unwrap();
            assert_eq!(day(date), date.format("%Y-%m-%d").to_string());
        }
        assert_eq!(
            day(NaiveDate::from_ymd_opt(99, 2, 3).unwrap()),
            "0099-02-03"
        );
    }

    #[test]
    fn an_instant_is_written_as_chrono_writes_it() {
        use chrono::TimeZone;
        for t in [
            Utc.with_ymd_and_hms(2026, 3, 5, 9, 30, 7).unwrap(),
            Utc.with_ymd_and_hms(99, 12, 31, 23, 59, 59).unwrap(),
            Utc.with_ymd_and_hms(0, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(10000, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(-1, 6, 15, 12, 0, 0).unwrap(),
            // Fractions of a second are left out, as with `SecondsFormat::Secs`.
            Utc.timestamp_opt(1_700_000_000, 999_999_999).unwrap(),
            // A leap second: written as :60 by both.
            NaiveDate::from_ymd_opt(2016, 12, 31)
                .unwrap()
                .and_hms_nano_opt(23, 59, 59, 1_500_000_000)
                .unwrap()
                .and_utc(),
        ] {
            assert_eq!(instant(t), t.to_rfc3339_opts(SecondsFormat::Secs, true));
        }
        assert_eq!(
            instant(Utc.with_ymd_and_hms(2026, 3, 5, 9, 30, 7).unwrap()),
            "2026-03-05T09:30:07Z"
        );
    }
}
