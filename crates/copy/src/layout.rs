//! A small page layout for the copy: text that wraps, headings that keep with what follows,
//! tables whose header repeats on every page, and line charts. Layout first (so every page
//! number is known), drawing with krilla afterwards. Fonts: DejaVu Sans, embedded (PDF/A).
//!
//! While laying out, the flow also builds the document's logical structure (tagged PDF, for
//! PDF/UA-1 and PDF/A-3a): sections with their headings, paragraphs, tables with header
//! cells, figures with a text alternative, the table of contents. Every piece drawn is either
//! a leaf of that structure or an artifact (page header and footer, backgrounds, rules, a
//! table header repeated on a new page), so a screen reader reads the copy in order and
//! skips the decoration.

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::num::NormalizedF32;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::tagging::{
    Artifact, ArtifactType, ContentTag, Identifier, Node, SpanTag, TableHeaderScope, Tag, TagGroup,
    TagKind, TagTree,
};
use krilla::text::{Font, GlyphId, KrillaGlyph};
use std::num::NonZeroU16;
use std::sync::LazyLock;

pub const PAGE_W: f32 = 595.28;
pub const PAGE_H: f32 = 841.89;
pub const MARGIN_X: f32 = 56.0;
pub const TOP: f32 = 78.0;
pub const BOTTOM: f32 = PAGE_H - 62.0;
pub const WIDTH: f32 = PAGE_W - 2.0 * MARGIN_X;

static REGULAR_BYTES: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
static BOLD_BYTES: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

/// A font for drawing (krilla) and for measuring (ttf-parser), parsed once per process.
pub struct FontFace {
    pub pdf: Font,
    face: ttf_parser::Face<'static>,
    /// The shaper's view of the same font, for scripts whose letters join (Arabic).
    shaper: rustybuzz::Face<'static>,
    units: f32,
    /// Advances of the ASCII characters, looked up once.
    ascii: Vec<u16>,
}

impl FontFace {
    fn load(bytes: &'static [u8]) -> Option<Self> {
        let face = ttf_parser::Face::parse(bytes, 0).ok()?;
        let ascii = (0u8..128)
            .map(|b| {
                face.glyph_index(char::from(b))
                    .and_then(|g| face.glyph_hor_advance(g))
                    .unwrap_or(0)
            })
            .collect();
        Some(Self {
            pdf: Font::new(bytes.into(), 0)?,
            units: f32::from(face.units_per_em()),
            shaper: rustybuzz::Face::from_slice(bytes, 0)?,
            face,
            ascii,
        })
    }

    /// Width of `text` at `size` points (advances; no kerning, so a line is never too long by
    /// more than a hair: DejaVu Sans kerns little). Text that needs shaping is measured
    /// shaped.
    pub fn width(&self, text: &str, size: f32) -> f32 {
        if needs_shaping(text) {
            let glyphs = self.line_glyphs(text, true);
            return glyphs.iter().map(|g| g.x_advance).sum::<f32>() * size;
        }
        let units: u32 = text.chars().map(|c| self.advance(c)).sum();
        units as f32 * size / self.units
    }

    /// The glyphs of one line in visual order: the line is split into runs of one direction
    /// by the Unicode bidirectional algorithm (numbers and Latin words keep left to right
    /// inside Arabic), and each run is shaped in its direction. On a right-to-left page
    /// (`rtl`) a line with right-to-left letters reads right to left; a line without any
    /// (the GP's Dutch words) keeps its own left-to-right order, so its brackets stay put.
    pub fn line_glyphs(&self, text: &str, rtl: bool) -> Vec<KrillaGlyph> {
        use unicode_bidi::{BidiInfo, Level};
        let level = if rtl && needs_shaping(text) {
            Level::rtl()
        } else {
            Level::ltr()
        };
        let bidi = BidiInfo::new(text, Some(level));
        let mut out = vec![];
        for para in &bidi.paragraphs {
            let (levels, runs) = bidi.visual_runs(para, para.range.clone());
            for run in runs {
                let run_rtl = levels.get(run.start).is_some_and(|l| l.is_rtl());
                self.shape_run(text, run, run_rtl, &mut out);
            }
        }
        out
    }

    fn shape_run(
        &self,
        text: &str,
        run: std::ops::Range<usize>,
        rtl: bool,
        out: &mut Vec<KrillaGlyph>,
    ) {
        let piece = &text[run.clone()];
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(piece);
        buffer.guess_segment_properties();
        buffer.set_direction(if rtl {
            rustybuzz::Direction::RightToLeft
        } else {
            rustybuzz::Direction::LeftToRight
        });
        let shaped = rustybuzz::shape(&self.shaper, &[], buffer);
        let infos = shaped.glyph_infos();
        let positions = shaped.glyph_positions();
        let mut starts: Vec<usize> = infos.iter().map(|i| i.cluster as usize).collect();
        starts.sort_unstable();
        starts.dedup();
        for (info, pos) in infos.iter().zip(positions) {
            let start = info.cluster as usize;
            let end = starts
                .iter()
                .find(|s| **s > start)
                .copied()
                .unwrap_or(piece.len());
            out.push(KrillaGlyph::new(
                GlyphId::new(info.glyph_id),
                pos.x_advance as f32 / self.units,
                pos.x_offset as f32 / self.units,
                -(pos.y_offset as f32) / self.units,
                0.0,
                run.start + start..run.start + end,
                None,
            ));
        }
    }

    /// One glyph per character, advanced by its width, for text in scripts that need no
    /// shaping (Latin, Greek, Cyrillic: below U+0590). `None` for anything else. Parsing the
    /// font for a shaper on every line was half the time of a large copy.
    pub fn simple_glyphs(&self, text: &str) -> Option<Vec<KrillaGlyph>> {
        let mut out = Vec::with_capacity(text.len());
        for (i, c) in text.char_indices() {
            if u32::from(c) >= 0x0590 {
                return None;
            }
            let glyph = self
                .face
                .glyph_index(c)
                .or_else(|| self.face.glyph_index('?'))?;
            out.push(KrillaGlyph::new(
                GlyphId::new(u32::from(glyph.0)),
                self.advance(c) as f32 / self.units,
                0.0,
                0.0,
                0.0,
                i..i + c.len_utf8(),
                None,
            ));
        }
        Some(out)
    }

    pub fn char_width(&self, c: char, size: f32) -> f32 {
        self.advance(c) as f32 * size / self.units
    }

    fn advance(&self, c: char) -> u32 {
        if let Some(w) = self.ascii.get(c as usize) {
            return u32::from(*w);
        }
        let glyph = self
            .face
            .glyph_index(c)
            .or_else(|| self.face.glyph_index('?'));
        glyph
            .and_then(|g| self.face.glyph_hor_advance(g))
            .map_or(0, u32::from)
    }
}

pub struct Fonts {
    pub regular: FontFace,
    pub bold: FontFace,
}

impl Fonts {
    /// The face of a style.
    pub fn face(&self, style: Style) -> &FontFace {
        match style {
            Style::Regular => &self.regular,
            Style::Bold => &self.bold,
        }
    }
}

static FONTS: LazyLock<Option<Fonts>> = LazyLock::new(|| {
    Some(Fonts {
        regular: FontFace::load(REGULAR_BYTES)?,
        bold: FontFace::load(BOLD_BYTES)?,
    })
});

pub fn fonts() -> Option<&'static Fonts> {
    FONTS.as_ref()
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Style {
    Regular,
    Bold,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Colour(pub u8, pub u8, pub u8);

pub const BLACK: Colour = Colour(20, 20, 20);
pub const GREY: Colour = Colour(90, 90, 90);
pub const LIGHT: Colour = Colour(235, 238, 242);
pub const ACCENT: Colour = Colour(0, 84, 140);
pub const MARK: Colour = Colour(150, 60, 0);
pub const RANGE: Colour = Colour(222, 240, 226);

/// One thing to draw on a page.
#[derive(Debug, Clone)]
pub enum Op {
    Text {
        x: f32,
        y: f32,
        size: f32,
        style: Style,
        colour: Colour,
        text: String,
    },
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        colour: Colour,
    },
    Line {
        points: Vec<(f32, f32)>,
        width: f32,
        colour: Colour,
    },
}

/// What a drawn piece is in the document's logical structure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Mark {
    /// Not content: page headers and footers, backgrounds, rules, a repeated table header.
    Artifact(ArtifactType),
    /// Content: the n-th leaf of the structure tree.
    Leaf(usize),
}

#[derive(Debug, Default, Clone)]
pub struct PageOut {
    pub ops: Vec<(Mark, Op)>,
    /// Per op: part of a chart, which keeps its left-to-right time axis on a mirrored page.
    pub in_chart: Vec<bool>,
}

/// Whether text holds letters of a script that joins or runs right to left (Hebrew, Arabic
/// and beyond: from U+0590 on).
pub fn needs_shaping(text: &str) -> bool {
    text.chars().any(|c| u32::from(c) >= 0x0590)
}

/// A structure element of the tagged PDF.
#[derive(Debug, Clone)]
pub enum Role {
    /// The top of the tree (its children become the tree's).
    Root,
    Section,
    /// A heading of level 1 or 2, with its text as title.
    Heading(u16, String),
    P,
    Table,
    THead,
    TBody,
    Tr,
    Th,
    Td,
    /// A chart, with a text alternative that says what it shows.
    Figure(String),
    Toc,
    TocItem,
}

#[derive(Debug, Clone, Copy)]
enum Kid {
    Elem(usize),
    Leaf(usize),
}

#[derive(Debug, Clone)]
struct Elem {
    role: Role,
    kids: Vec<Kid>,
}

/// A heading for the outline and the table of contents.
#[derive(Debug, Clone)]
pub struct Heading {
    pub title: String,
    pub page: usize,
    pub y: f32,
}

/// A column of a table: title and share of the width.
pub struct Column<'a> {
    pub title: &'a str,
    pub share: f32,
}

/// Lays out content top to bottom over as many pages as it needs.
pub struct Flow {
    fonts: &'static Fonts,
    pub pages: Vec<PageOut>,
    pub headings: Vec<Heading>,
    y: f32,
    /// The structure tree: element 0 is the root.
    elems: Vec<Elem>,
    /// The elements open now, innermost last; new content goes into the last.
    open: Vec<usize>,
    leaves: usize,
    /// Set while drawing decoration that is not content (a repeated table header).
    artifact: Option<ArtifactType>,
    /// Inside a figure, lines and shapes are content too.
    in_figure: bool,
}

impl Flow {
    pub fn new(fonts: &'static Fonts) -> Self {
        Self {
            fonts,
            pages: vec![PageOut::default()],
            headings: vec![],
            y: TOP,
            elems: vec![Elem {
                role: Role::Root,
                kids: vec![],
            }],
            open: vec![0],
            leaves: 0,
            artifact: None,
            in_figure: false,
        }
    }

    /// Opens a structure element inside the current one; content goes into it until `close`.
    pub fn open(&mut self, role: Role) -> usize {
        let parent = *self.open.last().unwrap_or(&0);
        self.open_in(parent, role)
    }

    /// Opens a structure element inside `parent` (an element opened earlier, e.g. the table
    /// of contents, filled in once page numbers are known).
    pub fn open_in(&mut self, parent: usize, role: Role) -> usize {
        let n = self.elems.len();
        self.elems.push(Elem { role, kids: vec![] });
        self.elems[parent].kids.push(Kid::Elem(n));
        self.open.push(n);
        n
    }

    pub fn close(&mut self) {
        if self.open.len() > 1 {
            self.open.pop();
        }
    }

    /// Closes everything: what follows is at the top of the document.
    pub fn close_all(&mut self) {
        self.open.truncate(1);
    }

    fn mark_for(&mut self, op: &Op) -> Mark {
        if let Some(kind) = self.artifact {
            return Mark::Artifact(kind);
        }
        if !self.in_figure && !matches!(op, Op::Text { .. }) {
            return Mark::Artifact(ArtifactType::Layout);
        }
        let n = self.leaves;
        self.leaves += 1;
        let top = *self.open.last().unwrap_or(&0);
        self.elems[top].kids.push(Kid::Leaf(n));
        Mark::Leaf(n)
    }

    fn push(&mut self, op: Op) {
        let mark = self.mark_for(&op);
        let in_chart = self.in_figure;
        let page = self.page();
        page.ops.push((mark, op));
        page.in_chart.resize(page.ops.len() - 1, false);
        page.in_chart.push(in_chart);
    }

    /// How many leaves the structure has (one identifier each when drawn).
    pub fn leaves(&self) -> usize {
        self.leaves
    }

    /// The structure tree with each leaf's identifier from drawing. A leaf never drawn, or an
    /// element left without content, is left out.
    pub fn tag_tree(&self, mut ids: Vec<Option<Identifier>>, lang: &str) -> TagTree {
        fn group(flow: &Flow, n: usize, ids: &mut Vec<Option<Identifier>>) -> Vec<Node> {
            let mut out = vec![];
            for kid in &flow.elems[n].kids {
                match *kid {
                    Kid::Leaf(l) => {
                        if let Some(id) = ids.get_mut(l).and_then(Option::take) {
                            out.push(Node::from(id));
                        }
                    }
                    Kid::Elem(e) => {
                        let children = group(flow, e, ids);
                        if !children.is_empty() {
                            out.push(
                                TagGroup::with_children(tag_of(&flow.elems[e].role), children)
                                    .into(),
                            );
                        }
                    }
                }
            }
            out
        }
        let mut tree = TagTree::new().with_lang(Some(lang.to_owned()));
        for node in group(self, 0, &mut ids) {
            tree.push(node);
        }
        tree
    }

    fn face(&self, style: Style) -> &'static FontFace {
        self.fonts.face(style)
    }

    fn page(&mut self) -> &mut PageOut {
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    pub fn new_page(&mut self) {
        self.pages.push(PageOut::default());
        self.y = TOP;
    }

    /// Starts a new page unless `height` still fits on this one.
    pub fn need(&mut self, height: f32) {
        if self.y + height > BOTTOM && self.y > TOP {
            self.new_page();
        }
    }

    pub fn space(&mut self, h: f32) {
        self.y += h;
    }

    /// Breaks `text` into lines no wider than `width`; a word longer than a line is cut.
    /// Each word is measured once.
    pub fn wrap(&self, text: &str, size: f32, style: Style, width: f32) -> Vec<String> {
        let face = self.face(style);
        let space = face.width(" ", size);
        let mut out = vec![];
        for paragraph in text.split('\n') {
            let mut line = String::new();
            let mut line_width = 0.0;
            for word in paragraph.split_whitespace() {
                let w = face.width(word, size);
                if !line.is_empty() && line_width + space + w <= width {
                    line.push(' ');
                    line.push_str(word);
                    line_width += space + w;
                    continue;
                }
                if !line.is_empty() {
                    out.push(std::mem::take(&mut line));
                }
                if w <= width {
                    line.push_str(word);
                    line_width = w;
                    continue;
                }
                line_width = 0.0;
                for c in word.chars() {
                    let cw = face.char_width(c, size);
                    if line_width + cw > width && !line.is_empty() {
                        out.push(std::mem::take(&mut line));
                        line_width = 0.0;
                    }
                    line.push(c);
                    line_width += cw;
                }
            }
            out.push(line);
        }
        out
    }

    fn text_at(&mut self, x: f32, y: f32, size: f32, style: Style, colour: Colour, text: String) {
        if !text.is_empty() {
            self.push(Op::Text {
                x,
                y,
                size,
                style,
                colour,
                text,
            });
        }
    }

    /// A section title: on a new page, in the outline and the table of contents. The section
    /// holds everything up to the next one.
    pub fn section(&mut self, title: &str) {
        if self.y > TOP || !self.page().ops.is_empty() {
            self.new_page();
        }
        self.close_all();
        self.open(Role::Section);
        self.headings.push(Heading {
            title: title.to_owned(),
            page: self.pages.len() - 1,
            y: self.y,
        });
        self.y += 18.0;
        self.open(Role::Heading(1, title.to_owned()));
        self.text_at(
            MARGIN_X,
            self.y,
            17.0,
            Style::Bold,
            ACCENT,
            title.to_owned(),
        );
        self.close();
        self.y += 14.0;
    }

    /// A sub-heading that stays with at least `keep` points of what follows.
    pub fn heading(&mut self, title: &str, keep: f32) {
        self.need(26.0 + keep);
        self.y += 8.0;
        self.open(Role::Heading(2, title.to_owned()));
        for l in spaced(self.wrap(title, 11.5, Style::Bold, WIDTH)) {
            self.y += 14.0;
            self.text_at(MARGIN_X, self.y, 11.5, Style::Bold, BLACK, l);
        }
        self.close();
        self.y += 4.0;
    }

    /// A paragraph of wrapped text starting at `indent`.
    pub fn text(&mut self, text: &str, size: f32, style: Style, colour: Colour, indent: f32) {
        let leading = size * 1.35;
        self.open(Role::P);
        for l in spaced(self.wrap(text, size, style, WIDTH - indent)) {
            self.need(leading);
            self.y += leading;
            self.text_at(MARGIN_X + indent, self.y, size, style, colour, l);
        }
        self.close();
    }

    /// A paragraph: a label in bold followed by wrapped text, e.g. "S  Hoest sinds een week".
    pub fn labelled(&mut self, label: &str, text: &str, label_width: f32, colour: Colour) {
        let size = 9.5;
        let leading = size * 1.35;
        let lines = spaced(self.wrap(text, size, Style::Regular, WIDTH - label_width));
        self.open(Role::P);
        for (i, l) in lines.into_iter().enumerate() {
            self.need(leading);
            self.y += leading;
            if i == 0 {
                self.text_at(
                    MARGIN_X,
                    self.y,
                    size,
                    Style::Bold,
                    colour,
                    format!("{label} "),
                );
            }
            self.text_at(
                MARGIN_X + label_width,
                self.y,
                size,
                Style::Regular,
                colour,
                l,
            );
        }
        self.close();
    }

    /// A table; the header row repeats after every page break (as decoration: the structure
    /// has it once). `marked` rows are drawn in the mark colour (items not visible online).
    pub fn table(&mut self, columns: &[Column<'_>], rows: &[(Vec<String>, bool)]) {
        let size = 8.5;
        let leading = size * 1.3;
        let pad = 3.0;
        let total: f32 = columns.iter().map(|c| c.share).sum();
        let widths: Vec<f32> = columns
            .iter()
            .map(|c| WIDTH * c.share / total.max(0.0001))
            .collect();
        let header_height = leading + 2.0 * pad;
        let draw_header = |flow: &mut Flow, repeated: bool| {
            let y = flow.y;
            flow.push(Op::Rect {
                x: MARGIN_X,
                y,
                w: WIDTH,
                h: header_height,
                colour: LIGHT,
            });
            if repeated {
                flow.artifact = Some(ArtifactType::Other);
            } else {
                flow.open(Role::THead);
                flow.open(Role::Tr);
            }
            let mut x = MARGIN_X;
            for (c, w) in columns.iter().zip(&widths) {
                if !repeated {
                    flow.open(Role::Th);
                }
                flow.text_at(
                    x + pad,
                    y + pad + size,
                    size,
                    Style::Bold,
                    BLACK,
                    c.title.to_owned(),
                );
                if !repeated {
                    flow.close();
                }
                x += w;
            }
            if repeated {
                flow.artifact = None;
            } else {
                flow.close();
                flow.close();
            }
            flow.y += header_height;
        };
        self.need(header_height + leading + 2.0 * pad);
        self.open(Role::Table);
        draw_header(self, false);
        self.open(Role::TBody);
        for (cells, marked) in rows {
            let wrapped: Vec<Vec<String>> = cells
                .iter()
                .zip(&widths)
                .map(|(c, w)| spaced(self.wrap(c, size, Style::Regular, w - 2.0 * pad)))
                .collect();
            let lines = wrapped.iter().map(Vec::len).max().unwrap_or(1).max(1);
            let height = lines as f32 * leading + 2.0 * pad;
            if self.y + height > BOTTOM {
                self.new_page();
                draw_header(self, true);
            }
            let colour = if *marked { MARK } else { BLACK };
            let mut x = MARGIN_X;
            self.open(Role::Tr);
            for (cell, w) in wrapped.into_iter().zip(&widths) {
                self.open(Role::Td);
                // An empty cell still holds a space, so every row has all its cells.
                let cell = if cell.iter().all(String::is_empty) {
                    vec![" ".to_owned()]
                } else {
                    cell
                };
                for (i, l) in cell.into_iter().enumerate() {
                    let y = self.y + pad + size + i as f32 * leading;
                    self.text_at(x + pad, y, size, Style::Regular, colour, l);
                }
                self.close();
                x += w;
            }
            self.close();
            self.y += height;
            let y = self.y;
            self.push(Op::Line {
                points: vec![(MARGIN_X, y), (MARGIN_X + WIDTH, y)],
                width: 0.3,
                colour: LIGHT,
            });
        }
        self.close();
        self.close();
        self.y += 6.0;
    }

    /// A line chart of one test over time, with the reference range as a band; `alt` says in
    /// words what it shows, for whoever cannot see it.
    pub fn chart(
        &mut self,
        points: &[(f64, f64)],
        range: (Option<f64>, Option<f64>),
        labels: [String; 4],
        alt: String,
    ) {
        let h = 120.0;
        let left = MARGIN_X + 42.0;
        let w = WIDTH - 52.0;
        self.need(h + 26.0);
        self.open(Role::Figure(alt));
        self.in_figure = true;
        let top = self.y + 6.0;
        let (mut lo, mut hi) = points
            .iter()
            .fold((f64::MAX, f64::MIN), |(l, h), p| (l.min(p.1), h.max(p.1)));
        if let Some(r) = range.0 {
            lo = lo.min(r);
            hi = hi.max(r);
        }
        if let Some(r) = range.1 {
            lo = lo.min(r);
            hi = hi.max(r);
        }
        if (hi - lo).abs() < f64::EPSILON {
            hi += 1.0;
            lo -= 1.0;
        }
        let pad = (hi - lo) * 0.08;
        let (lo, hi) = (lo - pad, hi + pad);
        let (t0, t1) = points
            .iter()
            .fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.0), b.max(p.0)));
        let span = (t1 - t0).max(1.0);
        let px = |t: f64| left + ((t - t0) / span) as f32 * w;
        let py = |v: f64| top + h - ((v - lo) / (hi - lo)) as f32 * h;
        if range.0.is_some() || range.1.is_some() {
            let y_high = py(range.1.unwrap_or(hi));
            let y_low = py(range.0.unwrap_or(lo));
            self.push(Op::Rect {
                x: left,
                y: y_high,
                w,
                h: (y_low - y_high).max(0.5),
                colour: RANGE,
            });
        }
        self.push(Op::Line {
            points: vec![(left, top), (left, top + h), (left + w, top + h)],
            width: 0.6,
            colour: GREY,
        });
        let line: Vec<(f32, f32)> = points.iter().map(|p| (px(p.0), py(p.1))).collect();
        for &(x, y) in &line {
            self.push(Op::Rect {
                x: x - 1.6,
                y: y - 1.6,
                w: 3.2,
                h: 3.2,
                colour: ACCENT,
            });
        }
        if line.len() > 1 {
            self.push(Op::Line {
                points: line,
                width: 1.0,
                colour: ACCENT,
            });
        }
        let [high, low, first, last] = labels;
        self.text_at(MARGIN_X, top + 7.0, 7.5, Style::Regular, GREY, high);
        self.text_at(MARGIN_X, top + h, 7.5, Style::Regular, GREY, low);
        self.text_at(left, top + h + 11.0, 7.5, Style::Regular, GREY, first);
        let last_w = self.fonts.regular.width(&last, 7.5);
        self.text_at(
            left + w - last_w,
            top + h + 11.0,
            7.5,
            Style::Regular,
            GREY,
            last,
        );
        self.in_figure = false;
        self.close();
        self.y = top + h + 18.0;
    }

    pub fn y(&self) -> f32 {
        self.y
    }

    /// Text placed at a fixed spot on the current page (cover page), in the structure
    /// element open now.
    pub fn place(&mut self, x: f32, y: f32, size: f32, style: Style, colour: Colour, text: &str) {
        self.text_at(x, y, size, style, colour, text.to_owned());
    }

    /// Text placed at a fixed spot on page `page` (the table of contents, filled in last).
    #[allow(clippy::too_many_arguments)]
    pub fn place_on(
        &mut self,
        page: usize,
        x: f32,
        y: f32,
        size: f32,
        style: Style,
        colour: Colour,
        text: &str,
    ) {
        if text.is_empty() {
            return;
        }
        let op = Op::Text {
            x,
            y,
            size,
            style,
            colour,
            text: text.to_owned(),
        };
        let mark = self.mark_for(&op);
        if let Some(p) = self.pages.get_mut(page) {
            p.ops.push((mark, op));
        }
    }

    pub fn width_of(&self, text: &str, size: f32, style: Style) -> f32 {
        self.face(style).width(text, size)
    }
}

/// Wrapped lines with the word break at each line's end written as a space, as tagged PDF
/// asks, so that text read aloud or copied does not run two words together.
fn spaced(mut lines: Vec<String>) -> Vec<String> {
    let last = lines.len().saturating_sub(1);
    for l in &mut lines[..last] {
        if !l.is_empty() {
            l.push(' ');
        }
    }
    lines
}

fn tag_of(role: &Role) -> TagKind {
    match role {
        // The root is never a group of its own; a section is the nearest.
        Role::Root | Role::Section => Tag::Section.into(),
        Role::Heading(level, title) => Tag::Hn(
            NonZeroU16::new(*level).unwrap_or(NonZeroU16::MIN),
            Some(title.clone()),
        )
        .into(),
        Role::P => Tag::P.into(),
        Role::Table => Tag::Table.into(),
        Role::THead => Tag::THead.into(),
        Role::TBody => Tag::TBody.into(),
        Role::Tr => Tag::TR.into(),
        Role::Th => Tag::TH(TableHeaderScope::Column).into(),
        Role::Td => Tag::TD.into(),
        Role::Figure(alt) => Tag::Figure(Some(alt.clone())).into(),
        Role::Toc => Tag::TOC.into(),
        Role::TocItem => Tag::TOCI.into(),
    }
}

fn paint(c: Colour) -> krilla::paint::Paint {
    rgb::Color::new(c.0, c.1, c.2).into()
}

/// Draws one laid-out page; each leaf's identifier goes into `ids` for the structure tree.
/// Draws a page. With `rtl` (a right-to-left language) the page is mirrored: text starts at
/// the right margin, table columns run from the right; a chart keeps its time axis left to
/// right, as in the portal.
pub fn draw(
    surface: &mut Surface<'_>,
    fonts: &Fonts,
    page: &PageOut,
    ids: &mut [Option<Identifier>],
    rtl: bool,
) {
    for (i, (mark, op)) in page.ops.iter().enumerate() {
        let mirrored;
        let op = if rtl && !page.in_chart.get(i).copied().unwrap_or(false) {
            mirrored = mirror(fonts, op);
            &mirrored
        } else {
            op
        };
        let leaf = match *mark {
            Mark::Artifact(kind) => {
                surface.start_tagged(ContentTag::Artifact(Artifact::with_kind(kind)));
                None
            }
            Mark::Leaf(n) => {
                let tag = match op {
                    Op::Text { .. } => ContentTag::Span(SpanTag::empty()),
                    _ => ContentTag::Other,
                };
                Some((n, surface.start_tagged(tag)))
            }
        };
        draw_op(surface, fonts, op, rtl);
        surface.end_tagged();
        if let Some((n, id)) = leaf
            && let Some(slot) = ids.get_mut(n)
        {
            *slot = Some(id);
        }
    }
}

/// An op placed as on the mirror image of its page.
fn mirror(fonts: &Fonts, op: &Op) -> Op {
    match op {
        Op::Text {
            x,
            y,
            size,
            style,
            colour,
            text,
        } => Op::Text {
            x: PAGE_W - x - fonts.face(*style).width(text, *size),
            y: *y,
            size: *size,
            style: *style,
            colour: *colour,
            text: text.clone(),
        },
        Op::Rect { x, y, w, h, colour } => Op::Rect {
            x: PAGE_W - x - w,
            y: *y,
            w: *w,
            h: *h,
            colour: *colour,
        },
        Op::Line {
            points,
            width,
            colour,
        } => Op::Line {
            points: points.iter().map(|(x, y)| (PAGE_W - x, *y)).collect(),
            width: *width,
            colour: *colour,
        },
    }
}

fn draw_op(surface: &mut Surface<'_>, fonts: &Fonts, op: &Op, rtl: bool) {
    {
        match op {
            Op::Text {
                x,
                y,
                size,
                style,
                colour,
                text,
            } => {
                surface.set_stroke(None);
                surface.set_fill(Some(Fill {
                    paint: paint(*colour),
                    opacity: NormalizedF32::ONE,
                    rule: Default::default(),
                }));
                let face = fonts.face(*style);
                let font = face.pdf.clone();
                let point = Point::from_xy(*x, *y);
                let glyphs = match face.simple_glyphs(text) {
                    Some(glyphs) if !rtl => glyphs,
                    // Scripts that need shaping (Arabic, ...), and any line on a right-to-left
                    // page: shaped per direction run, in visual order.
                    _ => face.line_glyphs(text, rtl),
                };
                surface.draw_glyphs(point, &glyphs, font, text, *size, false);
            }
            Op::Rect { x, y, w, h, colour } => {
                let Some(rect) = Rect::from_xywh(*x, *y, *w, *h) else {
                    return;
                };
                let mut pb = PathBuilder::new();
                pb.push_rect(rect);
                if let Some(path) = pb.finish() {
                    surface.set_stroke(None);
                    surface.set_fill(Some(Fill {
                        paint: paint(*colour),
                        opacity: NormalizedF32::ONE,
                        rule: Default::default(),
                    }));
                    surface.draw_path(&path);
                }
            }
            Op::Line {
                points,
                width,
                colour,
            } => {
                let mut pb = PathBuilder::new();
                for (i, (x, y)) in points.iter().enumerate() {
                    if i == 0 {
                        pb.move_to(*x, *y);
                    } else {
                        pb.line_to(*x, *y);
                    }
                }
                if let Some(path) = pb.finish() {
                    surface.set_fill(None);
                    surface.set_stroke(Some(Stroke {
                        paint: paint(*colour),
                        width: *width,
                        ..Default::default()
                    }));
                    surface.draw_path(&path);
                }
            }
        }
    }
}
