//! The copy as a PDF/A document: cover page, table of contents, then one section per part of
//! the record, in the reader's language (`Copy::w`); what the GP wrote stays as written. Every
//! page carries the patient's name and birth date and "page x of y".

use crate::layout::{
    self, ACCENT, BLACK, BOTTOM, Colour, Column, Flow, GREY, MARGIN_X, MARK, Mark, Op, PAGE_H,
    PAGE_W, Role, Style, WIDTH,
};
use crate::{Copy, CopyError, Selection};
use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use chrono_tz::Europe::Amsterdam;
use inzage_domain::visibility::{ExclusionReason, ItemKind, present};
use inzage_domain::*;
use krilla::Document;
use krilla::SerializeSettings;
use krilla::configure::{Accessibility, Archival, ConfigurationBuilder, PdfVersion};
use krilla::destination::XyzDestination;
use krilla::embed::{AssociationKind, EmbeddedFile, MimeType};
use krilla::geom::Point;
use krilla::metadata::{DateTime as PdfDate, Metadata};
use krilla::outline::{Outline, OutlineNode};
use krilla::page::PageSettings;
use krilla::tagging::ArtifactType;
use std::collections::BTreeMap;

mod documents;
mod episodes;
mod medication;
mod results;
use documents::*;
use episodes::*;
use medication::*;
use results::*;

/// The PDF/A part written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standard {
    /// PDF/A-3a and PDF/UA-1: the copy as handed out, tagged for screen readers, letters
    /// attached as their original PDFs.
    A3a,
    /// PDF/A-1b: the same pages without attachments (PDF/A-1 allows none), for archives and
    /// checkers that only know part 1.
    A1b,
}

/// The copy as PDF/A-3a and PDF/UA-1.
pub fn pdf(copy: &Copy<'_>) -> Result<Vec<u8>, CopyError> {
    pdf_with(copy, Standard::A3a)
}

pub fn pdf_with(copy: &Copy<'_>, standard: Standard) -> Result<Vec<u8>, CopyError> {
    let fonts = layout::fonts().ok_or(CopyError::Fonts)?;
    let mut flow = Flow::new(fonts);
    cover(&mut flow, copy);
    // The table of contents, filled in once page numbers are known.
    flow.new_page();
    let toc = toc_page(&mut flow, copy);
    flow.new_page();
    sections(&mut flow, copy);
    contents(&mut flow, toc);

    let configuration = match standard {
        Standard::A3a => ConfigurationBuilder::new()
            .with_version(PdfVersion::Pdf17)
            .with_archival_validator(Archival::A3_A)
            .with_accessibility_validator(Accessibility::UA1),
        Standard::A1b => ConfigurationBuilder::new()
            .with_version(PdfVersion::Pdf14)
            .with_archival_validator(Archival::A1_B),
    }
    .finish()
    .map_err(|e| CopyError::Pdf(format!("{e:?}")))?;
    let mut document = Document::new_with(SerializeSettings {
        configuration,
        enable_tagging: true,
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
            .title(match &copy.referral {
                Some(r) => format!("{}: {}", copy.w.t("pdf-referral-title"), r.to),
                None => copy.w.ta(
                    "pdf-meta-title",
                    &[("what", copy.w.t(copy.selection.title_key()))],
                ),
            })
            .language(copy.w.code().into())
            .creator("inzage".into())
            .producer("inzage (krilla)".into())
            .creation_date(pdf_date),
    );
    let total = flow.pages.len();
    let header = copy.w.ta(
        "pdf-header",
        &[
            ("name", copy.view.patient.name.display()),
            ("date", copy.w.long(copy.view.patient.birth_date)),
        ],
    );
    let footer = copy.w.ta(
        "pdf-footer",
        &[
            ("practice", copy.view.practice.name.clone()),
            (
                "what",
                copy.w.t(match (&copy.referral, copy.selection) {
                    (Some(_), _) => "pdf-referral-title",
                    (None, Selection::Summary) => "pdf-summary-short",
                    (None, Selection::Full) => "pdf-full-short",
                }),
            ),
            ("date", copy.w.long(made.date_naive())),
        ],
    );
    let mut ids = vec![None; flow.leaves()];
    for (i, page_out) in flow.pages.iter().enumerate() {
        let settings = PageSettings::from_wh(PAGE_W, PAGE_H)
            .ok_or_else(|| CopyError::Pdf("page size".into()))?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        // Header and footer are page decoration, not content: a screen reader skips them.
        let mut frame = layout::PageOut::default();
        frame.ops.push((
            Mark::Artifact(ArtifactType::Header),
            Op::Text {
                x: MARGIN_X,
                y: 44.0,
                size: 8.5,
                style: Style::Bold,
                colour: GREY,
                text: header.clone(),
            },
        ));
        frame.ops.push((
            Mark::Artifact(ArtifactType::Header),
            Op::Line {
                points: vec![(MARGIN_X, 52.0), (MARGIN_X + WIDTH, 52.0)],
                width: 0.5,
                colour: GREY,
            },
        ));
        let number = copy.w.ta(
            "pdf-page",
            &[("page", (i + 1).to_string()), ("total", total.to_string())],
        );
        let number_width = fonts.regular.width(&number, 8.5);
        frame.ops.push((
            Mark::Artifact(ArtifactType::Footer),
            Op::Text {
                x: MARGIN_X,
                y: BOTTOM + 36.0,
                size: 8.0,
                style: Style::Regular,
                colour: GREY,
                text: footer.clone(),
            },
        ));
        frame.ops.push((
            Mark::Artifact(ArtifactType::PageNumber),
            Op::Text {
                x: MARGIN_X + WIDTH - number_width,
                y: BOTTOM + 36.0,
                size: 8.5,
                style: Style::Regular,
                colour: GREY,
                text: number,
            },
        ));
        layout::draw(&mut surface, fonts, &frame, &mut ids, copy.w.rtl());
        layout::draw(&mut surface, fonts, page_out, &mut ids, copy.w.rtl());
        surface.finish();
        page.finish();
    }
    document.set_tag_tree(flow.tag_tree(ids, copy.w.code()));
    let mut outline = Outline::new();
    for h in &flow.headings {
        outline.push_child(OutlineNode::new(
            h.title.clone(),
            XyzDestination::new(h.page, Point::from_xy(MARGIN_X, (h.y - 10.0).max(0.0))),
        ));
    }
    // PDFBox Preflight 2.0 (our PDF/A-1b checker) cannot read outline destinations written as
    // indirect objects, which PDF allows; the part-1 variant goes without bookmarks.
    if standard == Standard::A3a {
        document.set_outline(outline);
    }
    if standard == Standard::A3a {
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

/// A date in a table column, where columns are narrow: "23-11-2026" (docs/vocabulary.md).
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

fn mark_text(copy: &Copy<'_>, reason: &ExclusionReason) -> String {
    copy.w
        .ta("pdf-not-online", &[("reason", copy.w.reason(reason))])
}

/// The letter's first page: to whom, the patient, the referring GP, the question; then the data.
fn referral_cover(flow: &mut Flow, copy: &Copy<'_>, r: &crate::Referral) {
    let p = copy.view.patient;
    let title = copy.w.t("pdf-referral-title");
    flow.open(Role::Heading(1, title.clone()));
    flow.place(MARGIN_X, 130.0, 24.0, Style::Bold, ACCENT, &title);
    flow.close();
    let mut rows: Vec<(&str, String)> = vec![
        ("pdf-referral-to", r.to.clone()),
        ("pdf-name", p.name.display()),
        ("pdf-birth-date", copy.w.long(p.birth_date)),
    ];
    if let Some(bsn) = &p.bsn {
        rows.push(("pdf-bsn", bsn.as_str().to_owned()));
    }
    rows.push(("pdf-referral-gp", r.gp.clone()));
    rows.push(("pdf-practice", copy.view.practice.name.clone()));
    rows.push(("pdf-made-on", copy.w.long_time(copy.made_at)));
    let mut y = 170.0;
    for (label, value) in rows {
        flow.open(Role::P);
        let label = format!("{}: ", copy.w.t(label));
        flow.place(MARGIN_X, y, 10.5, Style::Bold, BLACK, &label);
        flow.place(MARGIN_X + 130.0, y, 10.5, Style::Regular, BLACK, &value);
        flow.close();
        y += 17.0;
    }
    flow.space(y - flow.y() + 20.0);
    let question = copy.w.t("pdf-referral-question");
    flow.open(Role::Heading(2, question.clone()));
    flow.text(&question, 13.0, Style::Bold, ACCENT, 0.0);
    flow.close();
    flow.space(4.0);
    flow.open(Role::P);
    flow.text(&r.question, 10.5, Style::Regular, BLACK, 0.0);
    flow.close();
    flow.space(8.0);
    flow.text(
        &copy.w.t("pdf-referral-data"),
        10.5,
        Style::Regular,
        BLACK,
        0.0,
    );
}

fn cover(flow: &mut Flow, copy: &Copy<'_>) {
    if let Some(r) = &copy.referral {
        return referral_cover(flow, copy, r);
    }
    let p = copy.view.patient;
    let title = copy.w.t("pdf-cover-title");
    flow.open(Role::Heading(1, title.clone()));
    flow.place(MARGIN_X, 130.0, 24.0, Style::Bold, ACCENT, &title);
    flow.close();
    flow.open(Role::P);
    flow.place(
        MARGIN_X,
        160.0,
        13.0,
        Style::Regular,
        BLACK,
        &copy.w.t(copy.selection.title_key()),
    );
    flow.close();
    let mut rows: Vec<(&str, String)> = vec![
        ("pdf-name", p.name.display()),
        ("pdf-birth-date", copy.w.long(p.birth_date)),
    ];
    if let Some(bsn) = &p.bsn {
        rows.push(("pdf-bsn", bsn.as_str().to_owned()));
    }
    if let Some(a) = &p.address {
        rows.push((
            "pdf-address",
            format!(
                "{} {}, {} {}",
                a.street, a.house_number, a.postal_code, a.city
            ),
        ));
    }
    rows.push(("pdf-practice", copy.view.practice.name.clone()));
    if let Some(a) = &copy.view.practice.address {
        rows.push((
            "pdf-practice-address",
            format!(
                "{} {}, {} {}",
                a.street, a.house_number, a.postal_code, a.city
            ),
        ));
    }
    if let Some(gp) = copy.view.general_practitioner {
        rows.push(("pdf-gp", gp.name.display()));
    }
    rows.push(("pdf-made-on", copy.w.long_time(copy.made_at)));
    let mut y = 210.0;
    for (label, value) in rows {
        // One paragraph per line: "Naam: Zoë ..." when read aloud.
        flow.open(Role::P);
        let label = format!("{}: ", copy.w.t(label));
        flow.place(MARGIN_X, y, 10.5, Style::Bold, BLACK, &label);
        flow.place(MARGIN_X + 130.0, y, 10.5, Style::Regular, BLACK, &value);
        flow.close();
        y += 17.0;
    }
    flow.space(y - flow.y() + 20.0);
    let explanation = copy.w.t(match copy.selection {
        Selection::Summary => "pdf-explain-summary",
        Selection::Full => "pdf-explain-full",
    });
    flow.text(&explanation, 10.5, Style::Regular, BLACK, 0.0);
    flow.space(8.0);
    flow.text(
        &copy.w.t("pdf-explain-correct"),
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
            &copy.w.t("pdf-explain-attachments"),
            10.5,
            Style::Regular,
            BLACK,
            0.0,
        );
    }
}

/// The heading of the table of contents on the page just started, and the (still empty)
/// contents element that [`contents`] fills in.
fn toc_page(flow: &mut Flow, copy: &Copy<'_>) -> usize {
    flow.close_all();
    let title = copy.w.t("pdf-contents");
    flow.open(Role::Heading(1, title.clone()));
    flow.place(MARGIN_X, 96.0, 17.0, Style::Bold, ACCENT, &title);
    flow.close();
    let toc = flow.open(Role::Toc);
    flow.close();
    toc
}

/// Fills the reserved second page with the table of contents: one item per section, its
/// title and page number.
fn contents(flow: &mut Flow, toc: usize) {
    let headings = flow.headings.clone();
    let mut y = 130.0;
    for h in headings {
        let number = format!("{}", h.page + 1);
        let w = flow.width_of(&number, 11.0, Style::Regular);
        flow.open_in(toc, Role::TocItem);
        flow.place_on(
            1,
            MARGIN_X,
            y,
            11.0,
            Style::Regular,
            BLACK,
            &format!("{} ", h.title),
        );
        flow.place_on(
            1,
            MARGIN_X + WIDTH - w,
            y,
            11.0,
            Style::Regular,
            BLACK,
            &number,
        );
        flow.close();
        y += 20.0;
    }
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
    let text = copy.w.reason(reason);
    let n = match legend.iter().position(|l| *l == text) {
        Some(n) => n,
        None => {
            legend.push(text);
            legend.len() - 1
        }
    };
    let note = copy.w.ta("pdf-not-online-n", &[("n", (n + 1).to_string())]);
    (format!("{first}\n{note}"), true)
}

/// Above a table: what each "Niet online (n)" in it means.
fn print_legend(flow: &mut Flow, copy: &Copy<'_>, legend: &[String]) {
    for (n, reason) in legend.iter().enumerate() {
        flow.text(
            &copy.w.ta(
                "pdf-not-online-legend",
                &[("n", (n + 1).to_string()), ("reason", reason.clone())],
            ),
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
