//! The copy as a PDF/A document: cover page, table of contents, then one section per part of
//! the record, in Dutch. Every page carries the patient's name and birth date and "page x of y".

use crate::layout::{
    self, ACCENT, BLACK, BOTTOM, Colour, Column, Flow, GREY, MARGIN_X, MARK, PAGE_H, PAGE_W, Style,
    WIDTH,
};
use crate::{Copy, CopyError, Selection};
use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use chrono_tz::Europe::Amsterdam;
use inzage_domain::visibility::{ExclusionReason, ItemKind, present};
use inzage_domain::*;
use krilla::Document;
use krilla::SerializeSettings;
use krilla::configure::{Archival, ConfigurationBuilder, PdfVersion};
use krilla::destination::XyzDestination;
use krilla::embed::{AssociationKind, EmbeddedFile, MimeType};
use krilla::geom::Point;
use krilla::metadata::{DateTime as PdfDate, Metadata};
use krilla::outline::{Outline, OutlineNode};
use krilla::page::PageSettings;
use std::collections::BTreeMap;

/// The PDF/A part written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standard {
    /// PDF/A-3b: the copy as handed out, letters attached as their original PDFs.
    A3b,
    /// PDF/A-1b: the same pages without attachments (PDF/A-1 allows none), for archives and
    /// checkers that only know part 1.
    A1b,
}

/// The copy as PDF/A-3b.
pub fn pdf(copy: &Copy<'_>) -> Result<Vec<u8>, CopyError> {
    pdf_with(copy, Standard::A3b)
}

pub fn pdf_with(copy: &Copy<'_>, standard: Standard) -> Result<Vec<u8>, CopyError> {
    let fonts = layout::fonts().ok_or(CopyError::Fonts)?;
    let mut flow = Flow::new(fonts);
    cover(&mut flow, copy);
    flow.new_page(); // the table of contents, filled in once page numbers are known
    flow.new_page();
    sections(&mut flow, copy);
    contents(&mut flow);

    let (archival, version) = match standard {
        Standard::A3b => (Archival::A3_B, PdfVersion::Pdf17),
        Standard::A1b => (Archival::A1_B, PdfVersion::Pdf14),
    };
    let configuration = ConfigurationBuilder::new()
        .with_version(version)
        .with_archival_validator(archival)
        .finish()
        .map_err(|e| CopyError::Pdf(format!("{e:?}")))?;
    let mut document = Document::new_with(SerializeSettings {
        configuration,
        enable_tagging: false,
        ..SerializeSettings::default()
    });
    let made = copy.made_at.with_timezone(&Amsterdam);
    let pdf_date = PdfDate::new(made.year() as u16)
        .month(made.month() as u8)
        .day(made.day() as u8)
        .hour(made.hour() as u8)
        .minute(made.minute() as u8)
        .second(made.second() as u8);
    document.set_metadata(
        Metadata::new()
            .title(format!(
                "Kopie medisch dossier - {}",
                copy.selection.title_nl()
            ))
            .language("nl-NL".into())
            .creator("inzage".into())
            .producer("inzage (krilla)".into())
            .creation_date(pdf_date),
    );
    let total = flow.pages.len();
    let header = format!(
        "{} · geboren {}",
        copy.view.patient.name.display(),
        dmy(copy.view.patient.birth_date)
    );
    let footer = format!(
        "{} · {} · gemaakt op {}",
        copy.view.practice.name,
        match copy.selection {
            Selection::Summary => "samenvatting",
            Selection::Full => "volledig afschrift",
        },
        dmy(made.date_naive())
    );
    for (i, page_out) in flow.pages.iter().enumerate() {
        let settings = PageSettings::from_wh(PAGE_W, PAGE_H)
            .ok_or_else(|| CopyError::Pdf("page size".into()))?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        let mut frame = layout::PageOut::default();
        frame.ops.push(layout::Op::Text {
            x: MARGIN_X,
            y: 44.0,
            size: 8.5,
            style: Style::Bold,
            colour: GREY,
            text: header.clone(),
        });
        frame.ops.push(layout::Op::Line {
            points: vec![(MARGIN_X, 52.0), (MARGIN_X + WIDTH, 52.0)],
            width: 0.5,
            colour: GREY,
        });
        let number = format!("Pagina {} van {}", i + 1, total);
        let number_width = fonts.regular.width(&number, 8.5);
        frame.ops.push(layout::Op::Text {
            x: MARGIN_X,
            y: BOTTOM + 36.0,
            size: 8.0,
            style: Style::Regular,
            colour: GREY,
            text: footer.clone(),
        });
        frame.ops.push(layout::Op::Text {
            x: MARGIN_X + WIDTH - number_width,
            y: BOTTOM + 36.0,
            size: 8.5,
            style: Style::Regular,
            colour: GREY,
            text: number,
        });
        layout::draw(&mut surface, fonts, &frame);
        layout::draw(&mut surface, fonts, page_out);
        surface.finish();
        page.finish();
    }
    let mut outline = Outline::new();
    for h in &flow.headings {
        outline.push_child(OutlineNode::new(
            h.title.clone(),
            XyzDestination::new(h.page, Point::from_xy(MARGIN_X, (h.y - 10.0).max(0.0))),
        ));
    }
    // PDFBox Preflight 2.0 (our PDF/A-1b checker) cannot read outline destinations written as
    // indirect objects, which PDF allows; the part-1 variant goes without bookmarks.
    if standard == Standard::A3b {
        document.set_outline(outline);
    }
    if standard == Standard::A3b {
        for (n, letter) in copy.view.letters.iter().enumerate() {
            if let LetterContent::Pdf { bytes } = &letter.content {
                let file = EmbeddedFile {
                    path: attachment_name(n, letter),
                    mime_type: MimeType::new("application/pdf"),
                    description: Some(letter.title.clone()),
                    association_kind: AssociationKind::Supplement,
                    data: bytes.clone().into(),
                    modification_date: Some(pdf_date),
                    compress: Some(true),
                    location: None,
                };
                document
                    .embed_file(file)
                    .ok_or_else(|| CopyError::Pdf("two letters with one file name".into()))?;
            }
        }
    }
    document
        .finish()
        .map_err(|e| CopyError::Pdf(format!("{e:?}")))
}

/// The attachment's file name: number, date and a plain form of the title.
fn attachment_name(n: usize, letter: &Letter) -> String {
    let title: String = letter
        .title
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let title: Vec<&str> = title.split('-').filter(|s| !s.is_empty()).take(6).collect();
    format!(
        "brief-{:02}-{}-{}.pdf",
        n + 1,
        letter.date.format("%Y-%m-%d"),
        title.join("-")
    )
}

fn dmy(d: NaiveDate) -> String {
    d.format("%d-%m-%Y").to_string()
}

fn partial(d: &PartialDate) -> String {
    match d {
        PartialDate::Year(y) => format!("{y}"),
        PartialDate::YearMonth(y, m) => format!("{m:02}-{y}"),
        PartialDate::Date(d) => dmy(*d),
    }
}

fn local(t: DateTime<Utc>) -> String {
    t.with_timezone(&Amsterdam).format("%d-%m-%Y").to_string()
}

fn mark_text(reason: &ExclusionReason) -> String {
    format!("Niet online: {}", reason.explain_nl())
}

fn cover(flow: &mut Flow, copy: &Copy<'_>) {
    let p = copy.view.patient;
    flow.place(
        MARGIN_X,
        130.0,
        24.0,
        Style::Bold,
        ACCENT,
        "Kopie van uw medisch dossier",
    );
    flow.place(
        MARGIN_X,
        160.0,
        13.0,
        Style::Regular,
        BLACK,
        copy.selection.title_nl(),
    );
    let mut rows: Vec<(&str, String)> = vec![
        ("Naam", p.name.display()),
        ("Geboortedatum", dmy(p.birth_date)),
    ];
    if let Some(bsn) = &p.bsn {
        rows.push(("BSN", bsn.as_str().to_owned()));
    }
    if let Some(a) = &p.address {
        rows.push((
            "Adres",
            format!(
                "{} {}, {} {}",
                a.street, a.house_number, a.postal_code, a.city
            ),
        ));
    }
    rows.push(("Huisartspraktijk", copy.view.practice.name.clone()));
    if let Some(a) = &copy.view.practice.address {
        rows.push((
            "Adres praktijk",
            format!(
                "{} {}, {} {}",
                a.street, a.house_number, a.postal_code, a.city
            ),
        ));
    }
    if let Some(gp) = copy.view.general_practitioner {
        rows.push(("Huisarts", gp.name.display()));
    }
    let made = copy.made_at.with_timezone(&Amsterdam);
    rows.push(("Gemaakt op", made.format("%d-%m-%Y om %H:%M").to_string()));
    let mut y = 210.0;
    for (label, value) in rows {
        flow.place(MARGIN_X, y, 10.5, Style::Bold, BLACK, label);
        flow.place(MARGIN_X + 130.0, y, 10.5, Style::Regular, BLACK, &value);
        y += 17.0;
    }
    flow.space(y - flow.y() + 20.0);
    let explanation = match copy.selection {
        Selection::Summary => {
            "Dit is een kopie van wat u online in uw dossier kunt zien. Aantekeningen over wat u \
             vertelde (S) en wat de huisarts onderzocht (O) staan hier niet in. Ook informatie \
             van vóór de startdatum van online inzage staat er niet in. Wilt u alles? Vraag dan \
             om het volledige afschrift."
        }
        Selection::Full => {
            "Dit is een kopie van uw hele medisch dossier bij de huisarts. Ook gegevens die u \
             online niet kunt zien, staan erin. Bij die gegevens staat \"Niet online\" met de \
             reden, in een andere kleur. Niet in deze kopie: persoonlijke werkaantekeningen van \
             de huisarts en gegevens die zijn afgeschermd om de privacy van een ander te \
             beschermen."
        }
    };
    flow.text(explanation, 10.5, Style::Regular, BLACK, 0.0);
    flow.space(8.0);
    flow.text(
        "Klopt er iets niet, of hebt u een vraag over wat hier staat? Neem contact op met de \
         praktijk. U mag vragen om iets te verbeteren of om uw eigen verklaring toe te voegen.",
        10.5,
        Style::Regular,
        BLACK,
        0.0,
    );
    if copy
        .view
        .letters
        .iter()
        .any(|l| matches!(l.content, LetterContent::Pdf { .. }))
    {
        flow.space(8.0);
        flow.text(
            "De brieven zitten als bijlage in dit PDF-bestand. U opent ze via het paperclip- of \
             bijlagenpaneel van uw PDF-lezer.",
            10.5,
            Style::Regular,
            BLACK,
            0.0,
        );
    }
}

/// Fills the reserved second page with the table of contents.
fn contents(flow: &mut Flow) {
    let headings = flow.headings.clone();
    let mut ops = vec![layout::Op::Text {
        x: MARGIN_X,
        y: 96.0,
        size: 17.0,
        style: Style::Bold,
        colour: ACCENT,
        text: "Inhoud".into(),
    }];
    let mut y = 130.0;
    for h in headings {
        let number = format!("{}", h.page + 1);
        let w = flow.width_of(&number, 11.0, Style::Regular);
        ops.push(layout::Op::Text {
            x: MARGIN_X,
            y,
            size: 11.0,
            style: Style::Regular,
            colour: BLACK,
            text: h.title.clone(),
        });
        ops.push(layout::Op::Text {
            x: MARGIN_X + WIDTH - w,
            y,
            size: 11.0,
            style: Style::Regular,
            colour: BLACK,
            text: number,
        });
        y += 20.0;
    }
    flow.pages[1].ops = ops;
}

fn sections(flow: &mut Flow, copy: &Copy<'_>) {
    let view = &copy.view;
    episodes(flow, copy);
    journal(flow, copy);
    medication(flow, copy);
    allergies(flow, copy);
    results(flow, copy);
    if !view.treatments.is_empty() || !view.prophylaxis.is_empty() {
        treatments(flow, copy);
    }
    letters(flow, copy);
    if !copy.statements.is_empty() {
        statements(flow, copy);
    }
    if !view.appointments.is_empty() {
        appointments(flow, copy);
    }
}

fn empty(flow: &mut Flow, text: &str) {
    flow.space(4.0);
    flow.text(text, 10.0, Style::Regular, GREY, 0.0);
}

/// A table row's first cell with the "not online" mark under it, and whether it is marked.
fn with_mark(
    copy: &Copy<'_>,
    legend: &mut Vec<String>,
    kind: ItemKind,
    id: &str,
    first: String,
) -> (String, bool) {
    let Some(reason) = copy.mark(kind, id) else {
        return (first, false);
    };
    let text = reason.explain_nl();
    let n = match legend.iter().position(|l| *l == text) {
        Some(n) => n,
        None => {
            legend.push(text);
            legend.len() - 1
        }
    };
    (format!("{first}\nNiet online ({})", n + 1), true)
}

/// Above a table: what each "Niet online (n)" in it means.
fn print_legend(flow: &mut Flow, legend: &[String]) {
    for (n, reason) in legend.iter().enumerate() {
        flow.text(
            &format!("Niet online ({}): {reason}", n + 1),
            8.0,
            Style::Regular,
            MARK,
            0.0,
        );
    }
    if !legend.is_empty() {
        flow.space(6.0);
    }
}

fn episodes(flow: &mut Flow, copy: &Copy<'_>) {
    flow.section("Ziektes en aandoeningen");
    let mut list = copy.view.episodes.clone();
    list.sort_by_key(|e| std::cmp::Reverse(sort_key(&e.start)));
    if list.is_empty() {
        empty(flow, "Er staan geen episodes in deze kopie.");
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
                            .unwrap_or_else(|| "loopt nog".into()),
                        if e.attentiewaarde { "ja" } else { "" }.into(),
                    ],
                    marked,
                )
            })
            .collect();
        print_legend(flow, &legend);
        flow.table(
            &[
                Column {
                    title: "Episode",
                    share: 5.0,
                },
                Column {
                    title: "Begin",
                    share: 1.4,
                },
                Column {
                    title: "Einde",
                    share: 1.4,
                },
                Column {
                    title: "Let op",
                    share: 0.9,
                },
            ],
            &rows,
        );
    }
    if !copy.view.alerts.is_empty() {
        flow.heading("Waarschuwingen", 30.0);
        let mut legend: Vec<String> = vec![];
        let rows: Vec<(Vec<String>, bool)> = copy
            .view
            .alerts
            .iter()
            .map(|a| {
                let name = a
                    .code
                    .display
                    .clone()
                    .unwrap_or_else(|| a.code.code.clone());
                let (first, marked) =
                    with_mark(copy, &mut legend, ItemKind::Alert, a.id.as_str(), name);
                (
                    vec![
                        first,
                        a.detail.clone().unwrap_or_default(),
                        a.start.as_ref().map(partial).unwrap_or_default(),
                        if a.active {
                            "actief"
                        } else {
                            "niet meer actief"
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
                    title: "Waarschuwing",
                    share: 3.0,
                },
                Column {
                    title: "Toelichting",
                    share: 3.0,
                },
                Column {
                    title: "Sinds",
                    share: 1.3,
                },
                Column {
                    title: "Status",
                    share: 1.4,
                },
            ],
            &rows,
        );
    }
    if !copy.view.problems.is_empty() {
        flow.heading("Diagnoses", 30.0);
        let mut legend: Vec<String> = vec![];
        let rows: Vec<(Vec<String>, bool)> = copy
            .view
            .problems
            .iter()
            .map(|p| {
                let name = p
                    .code
                    .display
                    .clone()
                    .unwrap_or_else(|| p.code.code.clone());
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
        print_legend(flow, &legend);
        flow.table(
            &[
                Column {
                    title: "Diagnose",
                    share: 5.0,
                },
                Column {
                    title: "Begin",
                    share: 1.5,
                },
                Column {
                    title: "Einde",
                    share: 1.5,
                },
            ],
            &rows,
        );
    }
}

fn sort_key(d: &PartialDate) -> (i32, u32, u32) {
    match d {
        PartialDate::Year(y) => (*y, 0, 0),
        PartialDate::YearMonth(y, m) => (*y, *m, 0),
        PartialDate::Date(d) => (d.year(), d.month(), d.day()),
    }
}

fn journal(flow: &mut Flow, copy: &Copy<'_>) {
    let view = &copy.view;
    flow.section(match copy.selection {
        Selection::Summary => "Contacten (E- en P-regels)",
        Selection::Full => "Contacten en journaal (SOEP)",
    });
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
            dmy(c.date),
            c.contact_type.display_nl().unwrap_or("Contact"),
            present::contact_title(view, c)
        );
        if let Some(p) = c.practitioner.as_ref().and_then(|id| view.practitioner(id)) {
            title.push_str(&format!(" · {}", p.name.display()));
        }
        flow.heading(&title, 14.0);
        if let Some(r) = contact_mark {
            flow.text(&mark_text(r), 8.5, Style::Regular, MARK, 0.0);
        }
        write_lines(flow, copy, lines);
    }
    if !loose.is_empty() {
        shown += 1;
        flow.heading("Regels zonder contact", 14.0);
        loose.sort_by_key(|l| std::cmp::Reverse(l.date));
        write_lines(flow, copy, loose);
    }
    if shown == 0 {
        empty(flow, "Er staan geen journaalregels in deze kopie.");
    }
}

fn write_lines(flow: &mut Flow, copy: &Copy<'_>, mut lines: Vec<&JournalLine>) {
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
            flow.text(&mark_text(r), 8.0, Style::Regular, MARK, 18.0);
        }
    }
}

fn soep_letter(s: Soep) -> &'static str {
    match s {
        Soep::S => "S",
        Soep::O => "O",
        Soep::E => "E",
        Soep::P => "P",
    }
}

fn medication(flow: &mut Flow, copy: &Copy<'_>) {
    flow.section("Medicijnen");
    let mut list = copy.view.medication.clone();
    list.sort_by_key(|m| std::cmp::Reverse(m.period_start));
    if list.is_empty() {
        return empty(flow, "Er staan geen medicijnen in deze kopie.");
    }
    let mut legend: Vec<String> = vec![];
    let rows: Vec<(Vec<String>, bool)> = list
        .iter()
        .map(|m| {
            let (first, marked) = with_mark(
                copy,
                &mut legend,
                ItemKind::Medication,
                m.id.as_str(),
                m.product.name.clone(),
            );
            (
                vec![
                    first,
                    m.dosage_text.clone(),
                    m.period_start.map(dmy).unwrap_or_default(),
                    m.period_end.map(dmy).unwrap_or_else(|| "-".into()),
                    m.prescriber
                        .as_ref()
                        .and_then(|id| copy.view.practitioner(id))
                        .map(|p| p.name.display())
                        .unwrap_or_default(),
                ],
                marked,
            )
        })
        .collect();
    print_legend(flow, &legend);
    flow.table(
        &[
            Column {
                title: "Medicijn",
                share: 3.2,
            },
            Column {
                title: "Gebruik",
                share: 3.2,
            },
            Column {
                title: "Vanaf",
                share: 1.3,
            },
            Column {
                title: "Tot",
                share: 1.3,
            },
            Column {
                title: "Voorgeschreven door",
                share: 2.0,
            },
        ],
        &rows,
    );
}

fn allergies(flow: &mut Flow, copy: &Copy<'_>) {
    flow.section("Allergieën en contra-indicaties");
    let view = &copy.view;
    if view.allergies.is_empty() && view.contra_indications.is_empty() {
        return empty(
            flow,
            "Er staan geen allergieën of contra-indicaties in deze kopie.",
        );
    }
    if !view.allergies.is_empty() {
        flow.heading("Allergieën en overgevoeligheden", 30.0);
        let mut legend: Vec<String> = vec![];
        let rows: Vec<(Vec<String>, bool)> = view
            .allergies
            .iter()
            .map(|a| {
                let name = a
                    .substance
                    .display
                    .clone()
                    .unwrap_or_else(|| a.substance.code.clone());
                let (first, marked) =
                    with_mark(copy, &mut legend, ItemKind::Allergy, a.id.as_str(), name);
                (
                    vec![
                        first,
                        a.reaction.clone().unwrap_or_default(),
                        match a.criticality {
                            Some(Criticality::High) => "ernstig",
                            Some(Criticality::Low) => "niet ernstig",
                            Some(Criticality::UnableToAssess) => "onbekend",
                            None => "",
                        }
                        .into(),
                        match a.status {
                            AllergyStatus::Active => "actief",
                            AllergyStatus::Inactive => "niet actief",
                            AllergyStatus::Resolved => "over",
                        }
                        .into(),
                        a.onset.as_ref().map(partial).unwrap_or_default(),
                    ],
                    marked,
                )
            })
            .collect();
        print_legend(flow, &legend);
        flow.table(
            &[
                Column {
                    title: "Stof",
                    share: 3.0,
                },
                Column {
                    title: "Reactie",
                    share: 3.0,
                },
                Column {
                    title: "Ernst",
                    share: 1.4,
                },
                Column {
                    title: "Status",
                    share: 1.3,
                },
                Column {
                    title: "Sinds",
                    share: 1.2,
                },
            ],
            &rows,
        );
    }
    if !view.contra_indications.is_empty() {
        flow.heading("Contra-indicaties", 30.0);
        let mut legend: Vec<String> = vec![];
        let rows: Vec<(Vec<String>, bool)> = view
            .contra_indications
            .iter()
            .map(|c| {
                let name = c
                    .code
                    .display
                    .clone()
                    .unwrap_or_else(|| c.code.code.clone());
                let (first, marked) = with_mark(
                    copy,
                    &mut legend,
                    ItemKind::ContraIndication,
                    c.id.as_str(),
                    name,
                );
                (
                    vec![
                        first,
                        c.start.as_ref().map(partial).unwrap_or_default(),
                        c.end.as_ref().map(partial).unwrap_or_default(),
                    ],
                    marked,
                )
            })
            .collect();
        print_legend(flow, &legend);
        flow.table(
            &[
                Column {
                    title: "Contra-indicatie",
                    share: 5.0,
                },
                Column {
                    title: "Vanaf",
                    share: 1.5,
                },
                Column {
                    title: "Tot",
                    share: 1.5,
                },
            ],
            &rows,
        );
    }
}

/// At most this many values in a trend chart.
const CHART_POINTS: usize = 60;

fn results(flow: &mut Flow, copy: &Copy<'_>) {
    flow.section("Uitslagen");
    let view = &copy.view;
    if view.results.is_empty() && view.held_results.is_empty() {
        return empty(flow, "Er staan geen uitslagen in deze kopie.");
    }
    if !view.held_results.is_empty() {
        flow.heading("Nog niet te zien", 20.0);
        for h in &view.held_results {
            flow.text(
                &format!(
                    "{} van {}: de uitslag is binnen en is te zien vanaf {}.",
                    h.test_name.unwrap_or("Uitslag"),
                    local(h.effective),
                    dmy(h.available_from)
                ),
                9.5,
                Style::Regular,
                BLACK,
                0.0,
            );
        }
    }
    // One group per test, by name; groups alphabetically, newest value first in the table.
    let mut groups: BTreeMap<String, Vec<&LabResult>> = BTreeMap::new();
    for r in &view.results {
        groups.entry(r.name.clone()).or_default().push(r);
    }
    for (name, mut list) in groups {
        list.sort_by_key(|r| std::cmp::Reverse(r.effective));
        let unit = list.iter().find_map(|r| present::result_line(r).unit);
        let title = match &unit {
            Some(u) => format!("{name} ({u})"),
            None => name.clone(),
        };
        flow.heading(&title, 60.0);
        // The trend of the latest values (older ones are in the table below it).
        let charted = &list[..list.len().min(CHART_POINTS)];
        let numeric: Vec<(f64, f64)> = charted
            .iter()
            .rev()
            .filter_map(|r| match &r.value {
                ResultValue::Quantity { value, .. } => value
                    .as_str()
                    .parse::<f64>()
                    .ok()
                    .map(|v| (r.effective.timestamp() as f64, v)),
                _ => None,
            })
            .collect();
        if numeric.len() >= 3 {
            let range = list
                .iter()
                .find_map(|r| r.reference_range.as_ref())
                .map(|rr| {
                    (
                        rr.low.as_ref().and_then(|d| d.as_str().parse().ok()),
                        rr.high.as_ref().and_then(|d| d.as_str().parse().ok()),
                    )
                })
                .unwrap_or((None, None));
            let (min, max) = numeric
                .iter()
                .fold((f64::MAX, f64::MIN), |(l, h), p| (l.min(p.1), h.max(p.1)));
            let first = charted
                .last()
                .map(|r| local(r.effective))
                .unwrap_or_default();
            let last = charted
                .first()
                .map(|r| local(r.effective))
                .unwrap_or_default();
            if list.len() > CHART_POINTS {
                flow.text(
                    &format!("Grafiek van de laatste {CHART_POINTS} uitslagen; alle uitslagen staan in de tabel."),
                    8.0,
                    Style::Regular,
                    GREY,
                    0.0,
                );
            }
            flow.chart(
                &numeric,
                range,
                [format!("max {max}"), format!("min {min}"), first, last],
            );
        }
        let mut legend: Vec<String> = vec![];
        let rows: Vec<(Vec<String>, bool)> = list
            .iter()
            .map(|r| {
                let line = present::result_line(r);
                let (first, marked) = with_mark(
                    copy,
                    &mut legend,
                    ItemKind::Result,
                    r.id.as_str(),
                    local(r.effective),
                );
                (
                    vec![
                        first,
                        line.value,
                        line.unit.unwrap_or_default(),
                        line.range.unwrap_or_default(),
                        match line.position {
                            Some(RangePosition::Below) => "te laag",
                            Some(RangePosition::Above) => "te hoog",
                            Some(RangePosition::Within) => "normaal",
                            None => "",
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
                    title: "Datum",
                    share: 2.6,
                },
                Column {
                    title: "Uitslag",
                    share: 2.0,
                },
                Column {
                    title: "Eenheid",
                    share: 1.4,
                },
                Column {
                    title: "Referentie",
                    share: 1.8,
                },
                Column {
                    title: "Beoordeling",
                    share: 1.6,
                },
            ],
            &rows,
        );
    }
}

fn treatments(flow: &mut Flow, copy: &Copy<'_>) {
    flow.section("Behandelingen en preventie");
    let mut legend: Vec<String> = vec![];
    let mut rows: Vec<(Vec<String>, bool)> = vec![];
    for t in &copy.view.treatments {
        let (first, marked) = with_mark(
            copy,
            &mut legend,
            ItemKind::Treatment,
            t.id.as_str(),
            t.description.clone(),
        );
        rows.push((vec![first, "Behandeling".into(), partial(&t.date)], marked));
    }
    for p in &copy.view.prophylaxis {
        let (first, marked) = with_mark(
            copy,
            &mut legend,
            ItemKind::Prophylaxis,
            p.id.as_str(),
            p.description.clone(),
        );
        rows.push((vec![first, "Preventie".into(), partial(&p.date)], marked));
    }
    print_legend(flow, &legend);
    flow.table(
        &[
            Column {
                title: "Omschrijving",
                share: 5.0,
            },
            Column {
                title: "Soort",
                share: 1.6,
            },
            Column {
                title: "Datum",
                share: 1.4,
            },
        ],
        &rows,
    );
}

/// The patient's own statements, each with the item it is about (R109).
fn statements(flow: &mut Flow, copy: &Copy<'_>) {
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

fn letters(flow: &mut Flow, copy: &Copy<'_>) {
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

fn appointments(flow: &mut Flow, copy: &Copy<'_>) {
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
