//! A trend chart of one test's values over time, as coordinates for the SVG in
//! `templates/chart.html`. The page always shows the same values as a table too.

use crate::i18n::Tr;
use chrono::NaiveDate;

pub struct Point {
    pub date: NaiveDate,
    pub value: f64,
}

/// One plotted value.
pub struct Dot {
    pub x: f64,
    pub y: f64,
    pub label: String,
}

/// One line of the chart: a test's values, or one of a blood pressure's two numbers.
pub struct Series {
    /// The `points` attribute of the polyline.
    pub line: String,
    pub dots: Vec<Dot>,
    /// The CSS class: `trend`, or `trend lower` (dashed, so two lines differ without colour).
    pub class: &'static str,
}

pub struct Chart {
    pub width: f64,
    pub height: f64,
    pub series: Vec<Series>,
    /// The reference range as a band: (y of the top, height).
    pub band: Option<(f64, f64)>,
    pub y_max_label: String,
    pub y_min_label: String,
    pub x_first_label: String,
    pub x_last_label: String,
    /// A text alternative for screen readers.
    pub description: String,
    /// For two lines: which is which, in words.
    pub legend: Option<String>,
    pub plot_left: f64,
    pub plot_right: f64,
    pub plot_top: f64,
    pub plot_bottom: f64,
}

// The drawing is 400 units wide and shown at most 24rem (384 px) wide, so its 17-unit labels
// are never smaller than 12 CSS px, down to a 320 px wide phone (288 px of content).
const W: f64 = 400.0;
const H: f64 = 200.0;
const LEFT: f64 = 52.0;
const RIGHT: f64 = 10.0;
const TOP: f64 = 14.0;
const BOTTOM: f64 = 30.0;

impl Chart {
    /// `None` with fewer than two values: a single value needs no trend.
    pub fn build(
        name: &str,
        unit: &str,
        points: &[Point],
        range: Option<(Option<f64>, Option<f64>)>,
        tr: &Tr,
    ) -> Option<Self> {
        Self::lines(name, unit, &[points], range, tr)
    }

    /// A blood pressure: the upper and the lower number as two lines in one chart.
    pub fn pair(name: &str, unit: &str, upper: &[Point], lower: &[Point], tr: &Tr) -> Option<Self> {
        let mut chart = Self::lines(name, unit, &[upper, lower], None, tr)?;
        chart.legend = Some(tr.t("chart-legend-pressure"));
        Some(chart)
    }

    fn lines(
        name: &str,
        unit: &str,
        lines: &[&[Point]],
        range: Option<(Option<f64>, Option<f64>)>,
        tr: &Tr,
    ) -> Option<Self> {
        let points: Vec<&Point> = lines.iter().flat_map(|l| l.iter()).collect();
        if lines.first().is_none_or(|l| l.len() < 2) {
            return None;
        }
        let lang = tr.code();
        let fmt = |v: f64| inzage_domain::visibility::present::decimal_f64(lang, v);
        let (low, high) = range.unwrap_or((None, None));
        let values = points.iter().map(|p| p.value).chain(low).chain(high);
        let min = values.clone().fold(f64::INFINITY, f64::min);
        let max = values.fold(f64::NEG_INFINITY, f64::max);
        let pad = ((max - min) * 0.1).max(0.5);
        let (y0, y1) = (min - pad, max + pad);
        let first = points.iter().map(|p| p.date).min()?;
        let last = points.iter().map(|p| p.date).max()?;
        let days = (last - first).num_days().max(1) as f64;
        let x = |d: NaiveDate| LEFT + (d - first).num_days() as f64 / days * (W - LEFT - RIGHT);
        let y = |v: f64| TOP + (y1 - v) / (y1 - y0) * (H - TOP - BOTTOM);
        let series = lines
            .iter()
            .enumerate()
            .map(|(i, line)| {
                let dots: Vec<Dot> = line
                    .iter()
                    .map(|p| Dot {
                        x: x(p.date),
                        y: y(p.value),
                        label: format!("{}: {} {unit}", tr.date(p.date), fmt(p.value)),
                    })
                    .collect();
                Series {
                    line: dots
                        .iter()
                        .map(|d| format!("{:.1},{:.1}", d.x, d.y))
                        .collect::<Vec<_>>()
                        .join(" "),
                    dots,
                    class: if i == 0 { "trend" } else { "trend lower" },
                }
            })
            .collect();
        let band = match (low, high) {
            (None, None) => None,
            (l, h) => {
                let top = y(h.unwrap_or(y1));
                let bottom = y(l.unwrap_or(y0));
                Some((top, bottom - top))
            }
        };
        Some(Self {
            width: W,
            height: H,
            series,
            description: tr.ta(
                "chart-description",
                &[
                    ("name", name.to_owned()),
                    ("count", lines[0].len().to_string()),
                    ("from", tr.date(first)),
                    ("to", tr.date(last)),
                ],
            ),
            legend: None,
            band,
            y_max_label: fmt(y1),
            y_min_label: fmt(y0),
            x_first_label: tr.date(first),
            x_last_label: tr.date(last),
            plot_left: LEFT,
            plot_right: W - RIGHT,
            plot_top: TOP,
            plot_bottom: H - BOTTOM,
        })
    }
}
