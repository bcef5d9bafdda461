//! The closing sections: the patient's own statements, letters, appointments.

use super::*;

/// The patient's own statements, each with the item it is about (R109).
pub(super) fn statements(flow: &mut Flow, copy: &Copy<'_>) {
    flow.section(&copy.w.t("pdf-statements"));
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
                title: &copy.w.t("pdf-col-added"),
                share: 1.3,
            },
            Column {
                title: &copy.w.t("pdf-col-about"),
                share: 2.5,
            },
            Column {
                title: &copy.w.t("pdf-col-statement"),
                share: 5.0,
            },
        ],
        &rows,
    );
}

pub(super) fn letters(flow: &mut Flow, copy: &Copy<'_>) {
    flow.section(&copy.w.t("pdf-letters"));
    if copy.view.letters.is_empty() {
        return empty(flow, &copy.w.t("pdf-no-letters"));
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
                LetterContent::Reference { .. } => copy.w.t("pdf-letter-at-practice"),
            };
            (
                vec![
                    dmy(l.date),
                    first,
                    match l.direction {
                        LetterDirection::Incoming => {
                            copy.w.ta("pdf-letter-from", &[("name", l.author.clone())])
                        }
                        LetterDirection::Outgoing => {
                            copy.w.ta("pdf-letter-by", &[("name", l.author.clone())])
                        }
                    },
                    attachment,
                ],
                marked,
            )
        })
        .collect();
    print_legend(flow, copy, &legend);
    flow.table(
        &[
            Column {
                title: &copy.w.t("pdf-col-date"),
                share: 1.3,
            },
            Column {
                title: &copy.w.t("pdf-col-letter"),
                share: 3.2,
            },
            Column {
                title: &copy.w.t("pdf-col-from-by"),
                share: 2.2,
            },
            Column {
                title: &copy.w.t("pdf-col-attachment"),
                share: 3.0,
            },
        ],
        &rows,
    );
}

pub(super) fn appointments(flow: &mut Flow, copy: &Copy<'_>) {
    flow.section(&copy.w.t("pdf-appointments"));
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
                    copy.w
                        .ta("pdf-minutes", &[("count", a.minutes.to_string())]),
                    copy.w.t(match a.status {
                        AppointmentStatus::Booked => "pdf-appt-booked",
                        AppointmentStatus::Cancelled => "pdf-appt-cancelled",
                        AppointmentStatus::Fulfilled => "pdf-appt-fulfilled",
                        AppointmentStatus::NoShow => "pdf-appt-no-show",
                    }),
                ],
                marked,
            )
        })
        .collect();
    print_legend(flow, copy, &legend);
    flow.table(
        &[
            Column {
                title: &copy.w.t("pdf-col-when"),
                share: 2.0,
            },
            Column {
                title: &copy.w.t("pdf-col-kind"),
                share: 3.0,
            },
            Column {
                title: &copy.w.t("pdf-col-duration"),
                share: 1.0,
            },
            Column {
                title: &copy.w.t("pdf-col-status"),
                share: 1.3,
            },
        ],
        &rows,
    );
}
