//! The closing sections: the patient's own statements, letters, appointments.

use super::*;

/// The patient's own statements, each with the item it is about (R109).
pub(super) fn statements(flow: &mut Flow, copy: &Copy<'_>) {
    flow.section("Eigen verklaringen van de patiënt");
    let rows: Vec<(Vec<String>, bool)> = copy
        .statements
        .iter()
        .map(|s| {
            (
                vec![
                    dmy(inzage_domain::time::local_date(s.added_at)),
                    copy.view.title_of(&s.about).unwrap_or_default(),
                    s.text.clone(),
                ],
                false,
            )
        })
        .collect();
    flow.table(
        &[
            Column {
                title: "Toegevoegd",
                share: 1.3,
            },
            Column {
                title: "Over",
                share: 2.5,
            },
            Column {
                title: "Verklaring",
                share: 5.0,
            },
        ],
        &rows,
    );
}

pub(super) fn letters(flow: &mut Flow, copy: &Copy<'_>) {
    flow.section("Brieven");
    if copy.view.letters.is_empty() {
        return empty(flow, "Er staan geen brieven in deze kopie.");
    }
    let mut legend: Vec<String> = vec![];
    let rows: Vec<(Vec<String>, bool)> = copy
        .view
        .letters
        .iter()
        .enumerate()
        .map(|(n, l)| {
            let (first, marked) = with_mark(
                copy,
                &mut legend,
                ItemKind::Letter,
                l.id.as_str(),
                l.title.clone(),
            );
            let attachment = match &l.content {
                LetterContent::Pdf { .. } => attachment_name(n, l),
                LetterContent::Reference { .. } => "op te vragen bij de praktijk".into(),
            };
            (
                vec![
                    dmy(l.date),
                    first,
                    match l.direction {
                        LetterDirection::Incoming => format!("van {}", l.author),
                        LetterDirection::Outgoing => format!("door {}", l.author),
                    },
                    attachment,
                ],
                marked,
            )
        })
        .collect();
    print_legend(flow, &legend);
    flow.table(
        &[
            Column {
                title: "Datum",
                share: 1.3,
            },
            Column {
                title: "Brief",
                share: 3.2,
            },
            Column {
                title: "Van / door",
                share: 2.2,
            },
            Column {
                title: "Bijlage",
                share: 3.0,
            },
        ],
        &rows,
    );
}

pub(super) fn appointments(flow: &mut Flow, copy: &Copy<'_>) {
    flow.section("Afspraken");
    let mut list = copy.view.appointments.clone();
    list.sort_by_key(|a| std::cmp::Reverse(a.start));
    let mut legend: Vec<String> = vec![];
    let rows: Vec<(Vec<String>, bool)> = list
        .iter()
        .map(|a| {
            let when = a
                .start
                .with_timezone(&Amsterdam)
                .format("%d-%m-%Y %H:%M")
                .to_string();
            let (first, marked) = with_mark(
                copy,
                &mut legend,
                ItemKind::Appointment,
                a.id.as_str(),
                when,
            );
            (
                vec![
                    first,
                    a.kind.clone(),
                    format!("{} min", a.minutes),
                    match a.status {
                        AppointmentStatus::Booked => "gepland",
                        AppointmentStatus::Cancelled => "afgezegd",
                        AppointmentStatus::Fulfilled => "geweest",
                        AppointmentStatus::NoShow => "niet gekomen",
                    }
                    .into(),
                ],
                marked,
            )
        })
        .collect();
    print_legend(flow, &legend);
    flow.table(
        &[
            Column {
                title: "Wanneer",
                share: 2.0,
            },
            Column {
                title: "Soort",
                share: 3.0,
            },
            Column {
                title: "Duur",
                share: 1.0,
            },
            Column {
                title: "Status",
                share: 1.3,
            },
        ],
        &rows,
    );
}
