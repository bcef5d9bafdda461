//! A small page layout for the copy: text that wraps, headings that keep with what follows,
//! tables whose header repeats on every page, and line charts. Layout first (so every page
//! number is known), drawing with krilla afterwards. Fonts: DejaVu Sans, embedded (PDF/A).

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::num::NormalizedF32;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, GlyphId, KrillaGlyph, TextDirection};
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
            face,
            ascii,
        })
    }

    /// Width of `text` at `size` points (advances; no kerning, so a line is never too long by
    /// more than a hair: DejaVu Sans kerns little).
    pub fn width(&self, text: &str, size: f32) -> f32 {
        let units: u32 = text.chars().map(|c| self.advance(c)).sum();
        units as f32 * size / self.units
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

#[derive(Debug, Default, Clone)]
pub struct PageOut {
    pub ops: Vec<Op>,
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
}

impl Flow {
    pub fn new(fonts: &'static Fonts) -> Self {
        Self {
            fonts,
            pages: vec![PageOut::default()],
            headings: vec![],
            y: TOP,
        }
    }

    fn face(&self, style: Style) -> &'static FontFace {
        match style {
            Style::Regular => &self.fonts.regular,
            Style::Bold => &self.fonts.bold,
        }
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
            self.page().ops.push(Op::Text {
                x,
                y,
                size,
                style,
                colour,
                text,
            });
        }
    }

    /// A section title: on a new page, in the outline and the table of contents.
    pub fn section(&mut self, title: &str) {
        if self.y > TOP || !self.page().ops.is_empty() {
            self.new_page();
        }
        self.headings.push(Heading {
            title: title.to_owned(),
            page: self.pages.len() - 1,
            y: self.y,
        });
        self.y += 18.0;
        self.text_at(
            MARGIN_X,
            self.y,
            17.0,
            Style::Bold,
            ACCENT,
            title.to_owned(),
        );
        self.y += 14.0;
    }

    /// A sub-heading that stays with at least `keep` points of what follows.
    pub fn heading(&mut self, title: &str, keep: f32) {
        self.need(26.0 + keep);
        self.y += 8.0;
        let lines = self.wrap(title, 11.5, Style::Bold, WIDTH);
        for l in lines {
            self.y += 14.0;
            self.text_at(MARGIN_X, self.y, 11.5, Style::Bold, BLACK, l);
        }
        self.y += 4.0;
    }

    /// Wrapped text starting at `indent`.
    pub fn text(&mut self, text: &str, size: f32, style: Style, colour: Colour, indent: f32) {
        let leading = size * 1.35;
        for l in self.wrap(text, size, style, WIDTH - indent) {
            self.need(leading);
            self.y += leading;
            self.text_at(MARGIN_X + indent, self.y, size, style, colour, l);
        }
    }

    /// A label in bold followed by wrapped text, e.g. "S  Hoest sinds een week".
    pub fn labelled(&mut self, label: &str, text: &str, label_width: f32, colour: Colour) {
        let size = 9.5;
        let leading = size * 1.35;
        let lines = self.wrap(text, size, Style::Regular, WIDTH - label_width);
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
                    label.to_owned(),
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
    }

    /// A table; the header row repeats after every page break. `marked` rows are drawn in the
    /// mark colour (items not visible online).
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
        let draw_header = |flow: &mut Flow| {
            let y = flow.y;
            flow.page().ops.push(Op::Rect {
                x: MARGIN_X,
                y,
                w: WIDTH,
                h: header_height,
                colour: LIGHT,
            });
            let mut x = MARGIN_X;
            for (c, w) in columns.iter().zip(&widths) {
                flow.text_at(
                    x + pad,
                    y + pad + size,
                    size,
                    Style::Bold,
                    BLACK,
                    c.title.to_owned(),
                );
                x += w;
            }
            flow.y += header_height;
        };
        self.need(header_height + leading + 2.0 * pad);
        draw_header(self);
        for (cells, marked) in rows {
            let wrapped: Vec<Vec<String>> = cells
                .iter()
                .zip(&widths)
                .map(|(c, w)| self.wrap(c, size, Style::Regular, w - 2.0 * pad))
                .collect();
            let lines = wrapped.iter().map(Vec::len).max().unwrap_or(1).max(1);
            let height = lines as f32 * leading + 2.0 * pad;
            if self.y + height > BOTTOM {
                self.new_page();
                draw_header(self);
            }
            let colour = if *marked { MARK } else { BLACK };
            let mut x = MARGIN_X;
            for (cell, w) in wrapped.into_iter().zip(&widths) {
                for (i, l) in cell.into_iter().enumerate() {
                    let y = self.y + pad + size + i as f32 * leading;
                    self.text_at(x + pad, y, size, Style::Regular, colour, l);
                }
                x += w;
            }
            self.y += height;
            let y = self.y;
            self.page().ops.push(Op::Line {
                points: vec![(MARGIN_X, y), (MARGIN_X + WIDTH, y)],
                width: 0.3,
                colour: LIGHT,
            });
        }
        self.y += 6.0;
    }

    /// A line chart of one test over time, with the reference range as a band.
    pub fn chart(
        &mut self,
        points: &[(f64, f64)],
        range: (Option<f64>, Option<f64>),
        labels: [String; 4],
    ) {
        let h = 120.0;
        let left = MARGIN_X + 42.0;
        let w = WIDTH - 52.0;
        self.need(h + 26.0);
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
            self.page().ops.push(Op::Rect {
                x: left,
                y: y_high,
                w,
                h: (y_low - y_high).max(0.5),
                colour: RANGE,
            });
        }
        self.page().ops.push(Op::Line {
            points: vec![(left, top), (left, top + h), (left + w, top + h)],
            width: 0.6,
            colour: GREY,
        });
        let line: Vec<(f32, f32)> = points.iter().map(|p| (px(p.0), py(p.1))).collect();
        for &(x, y) in &line {
            self.page().ops.push(Op::Rect {
                x: x - 1.6,
                y: y - 1.6,
                w: 3.2,
                h: 3.2,
                colour: ACCENT,
            });
        }
        if line.len() > 1 {
            self.page().ops.push(Op::Line {
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
        self.y = top + h + 18.0;
    }

    pub fn y(&self) -> f32 {
        self.y
    }

    /// Text placed at a fixed spot on the current page (cover page, table of contents).
    pub fn place(&mut self, x: f32, y: f32, size: f32, style: Style, colour: Colour, text: &str) {
        self.text_at(x, y, size, style, colour, text.to_owned());
    }

    pub fn width_of(&self, text: &str, size: f32, style: Style) -> f32 {
        self.face(style).width(text, size)
    }
}

fn paint(c: Colour) -> krilla::paint::Paint {
    rgb::Color::new(c.0, c.1, c.2).into()
}

/// Draws one laid-out page.
pub fn draw(surface: &mut Surface<'_>, fonts: &Fonts, page: &PageOut) {
    for op in &page.ops {
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
                let font = match style {
                    Style::Regular => fonts.regular.pdf.clone(),
                    Style::Bold => fonts.bold.pdf.clone(),
                };
                let face = match style {
                    Style::Regular => &fonts.regular,
                    Style::Bold => &fonts.bold,
                };
                let point = Point::from_xy(*x, *y);
                match face.simple_glyphs(text) {
                    Some(glyphs) => surface.draw_glyphs(point, &glyphs, font, text, *size, false),
                    // Scripts that need shaping (Arabic, Hebrew, Indic, ...) go through
                    // krilla's shaper.
                    None => surface.draw_text(point, font, *size, text, false, TextDirection::Auto),
                }
            }
            Op::Rect { x, y, w, h, colour } => {
                let Some(rect) = Rect::from_xywh(*x, *y, *w, *h) else {
                    continue;
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
