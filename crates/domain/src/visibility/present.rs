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

pub fn result_line(r: &LabResult) -> ResultLine {
    let (value, unit) = match &r.value {
        ResultValue::Quantity { value, unit } => (
            value.as_str().to_owned(),
            unit.as_ref().map(|u| u.to_string()),
        ),
        ResultValue::Coded { coding } => (
            coding
                .display
                .clone()
                .unwrap_or_else(|| coding.code.clone()),
            None,
        ),
        ResultValue::Text { text } => (text.clone(), None),
    };
    let range = r
        .reference_range
        .as_ref()
        .map(|rr| match (&rr.low, &rr.high) {
            (Some(l), Some(h)) => format!("{} - {}", l.as_str(), h.as_str()),
            (Some(l), None) => format!("> {}", l.as_str()),
            (None, Some(h)) => format!("< {}", h.as_str()),
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
