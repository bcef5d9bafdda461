//! The sections about illnesses and consultations: episodes with their journal lines, and the
//! journal of every contact (SOEP).

use super::*;

pub(super) fn episodes(flow: &mut Flow, copy: &Copy<'_>) {
    flow.section(&copy.w.t("pdf-episodes"));
    let mut list = copy.view.episodes.clone();
    list.sort_by_key(|e| std::cmp::Reverse(sort_key(&e.start)));
    if list.is_empty() {
        empty(flow, &copy.w.t("pdf-no-episodes"));
    } else {
        let mut legend: Vec<String> = vec![];
        let rows: Vec<(Vec<String>, bool)> = list
            .iter()
            .map(|e| {
                let label = present::episode_label(e);
                let title = match &label.secondary {
                    Some(s) => format!("{} ({s})", label.primary),
                    None => label.primary.to_owned(),
                };
                let (first, marked) =
                    with_mark(copy, &mut legend, ItemKind::Episode, e.id.as_str(), title);
                (
                    vec![
                        first,
                        partial(&e.start),
                        e.end
                            .as_ref()
                            .map(partial)
                            .unwrap_or_else(|| copy.w.t("pdf-ongoing")),
                        if e.attentiewaarde {
                            copy.w.t("pdf-yes")
                        } else {
                            String::new()
                        },
                    ],
                    marked,
                )
            })
            .collect();
        print_legend(flow, copy, &legend);
        flow.table(
            &[
                Column {
                    title: &copy.w.t("pdf-col-episode"),
                    share: 5.0,
                },
                Column {
                    title: &copy.w.t("pdf-col-start"),
                    share: 1.4,
                },
                Column {
                    title: &copy.w.t("pdf-col-end"),
                    share: 1.4,
                },
                Column {
                    title: &copy.w.t("pdf-col-attention"),
                    share: 0.9,
                },
            ],
            &rows,
        );
    }
    if !copy.view.alerts.is_empty() {
        flow.heading(&copy.w.t("pdf-alerts"), 30.0);
        let mut legend: Vec<String> = vec![];
        let rows: Vec<(Vec<String>, bool)> = copy
            .view
            .alerts
            .iter()
            .map(|a| {
                let name = a.code.label().to_owned();
                let (first, marked) =
                    with_mark(copy, &mut legend, ItemKind::Alert, a.id.as_str(), name);
                (
                    vec![
                        first,
                        a.detail.clone().unwrap_or_default(),
                        a.start.as_ref().map(partial).unwrap_or_default(),
                        copy.w.t(if a.active {
                            "pdf-active"
                        } else {
                            "pdf-no-longer-active"
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
                    title: &copy.w.t("pdf-col-alert"),
                    share: 3.0,
                },
                Column {
                    title: &copy.w.t("pdf-col-detail"),
                    share: 3.0,
                },
                Column {
                    title: &copy.w.t("pdf-col-since"),
                    share: 1.3,
                },
                Column {
                    title: &copy.w.t("pdf-col-status"),
                    share: 1.4,
                },
            ],
            &rows,
        );
    }
    if !copy.view.problems.is_empty() {
        flow.heading(&copy.w.t("pdf-problems"), 30.0);
        let mut legend: Vec<String> = vec![];
        let rows: Vec<(Vec<String>, bool)> = copy
            .view
            .problems
            .iter()
            .map(|p| {
                let name = p.code.label().to_owned();
                let (first, marked) =
                    with_mark(copy, &mut legend, ItemKind::Problem, p.id.as_str(), name);
                (
                    vec![
                        first,
                        p.onset.as_ref().map(partial).unwrap_or_default(),
                        p.abatement.as_ref().map(partial).unwrap_or_default(),
                    ],
                    marked,
                )
            })
            .collect();
        print_legend(flow, copy, &legend);
        flow.table(
            &[
                Column {
                    title: &copy.w.t("pdf-col-diagnosis"),
                    share: 5.0,
                },
                Column {
                    title: &copy.w.t("pdf-col-start"),
                    share: 1.5,
                },
                Column {
                    title: &copy.w.t("pdf-col-end"),
                    share: 1.5,
                },
            ],
            &rows,
        );
    }
}

pub(super) fn sort_key(d: &PartialDate) -> (i32, u32, u32) {
    match d {
        PartialDate::Year(y) => (*y, 0, 0),
        PartialDate::YearMonth(y, m) => (*y, *m, 0),
        PartialDate::Date(d) => (d.year(), d.month(), d.day()),
    }
}

pub(super) fn journal(flow: &mut Flow, copy: &Copy<'_>) {
    let view = &copy.view;
    flow.section(&copy.w.t(match copy.selection {
        Selection::Summary => "pdf-journal-summary",
        Selection::Full => "pdf-journal-full",
    }));
    let mut by_contact: BTreeMap<&str, Vec<&JournalLine>> = BTreeMap::new();
    let mut loose: Vec<&JournalLine> = vec![];
    for l in &view.journal {
        match &l.contact {
            Some(c) if view.contacts.iter().any(|x| &x.id == c) => {
                by_contact.entry(c.as_str()).or_default().push(l)
            }
            _ => loose.push(l),
        }
    }
    let mut contacts = view.contacts.clone();
    contacts.sort_by(|a, b| {
        b.date
            .cmp(&a.date)
            .then_with(|| b.id.as_str().cmp(a.id.as_str()))
    });
    let mut shown = 0;
    for c in contacts {
        let lines = by_contact.remove(c.id.as_str()).unwrap_or_default();
        let contact_mark = copy.mark(ItemKind::Contact, c.id.as_str());
        if lines.is_empty() && contact_mark.is_none() && copy.selection == Selection::Summary {
            continue;
        }
        shown += 1;
        let mut title = format!(
            "{} · {} · {}",
            copy.w.long(c.date),
            copy.w.contact_type(&c.contact_type),
            present::contact_title(view, c)
        );
        if let Some(p) = c.practitioner.as_ref().and_then(|id| view.practitioner(id)) {
            title.push_str(&format!(" · {}", p.name.display()));
        }
        flow.heading(&title, 14.0);
        if let Some(r) = contact_mark {
            flow.text(&mark_text(copy, r), 8.5, Style::Regular, MARK, 0.0);
        }
        write_lines(flow, copy, lines);
    }
    if !loose.is_empty() {
        shown += 1;
        flow.heading(&copy.w.t("pdf-loose-lines"), 14.0);
        loose.sort_by_key(|l| std::cmp::Reverse(l.date));
        write_lines(flow, copy, loose);
    }
    if shown == 0 {
        empty(flow, &copy.w.t("pdf-no-lines"));
    }
}

pub(super) fn write_lines(flow: &mut Flow, copy: &Copy<'_>, mut lines: Vec<&JournalLine>) {
    lines.sort_by_key(|l| (l.soep, l.id.as_str().to_owned()));
    for l in lines {
        let mark = copy.mark(ItemKind::JournalLine, l.id.as_str());
        let colour: Colour = if mark.is_some() { MARK } else { BLACK };
        let mut text = l.text.clone();
        if let Some(code) = &l.icpc {
            text = match &l.icpc_display {
                Some(d) => format!("{text} [{} {d}]", code.as_str()),
                None => format!("{text} [{}]", code.as_str()),
            };
        }
        flow.labelled(soep_letter(l.soep), &text, 18.0, colour);
        if let Some(r) = mark {
            flow.text(&mark_text(copy, r), 8.0, Style::Regular, MARK, 18.0);
        }
    }
}

pub(super) fn soep_letter(s: Soep) -> &'static str {
    match s {
        Soep::S => "S",
        Soep::O => "O",
        Soep::E => "E",
        Soep::P => "P",
    }
}
