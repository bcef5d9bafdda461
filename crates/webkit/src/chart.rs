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

pub struct Chart {
    pub width: f64,
    pub height: f64,
    /// The `points` attribute of the polyline.
    pub line: String,
    pub dots: Vec<Dot>,
    /// The reference range as a band: (y of the top, height).
    pub band: Option<(f64, f64)>,
    pub y_max_label: String,
    pub y_min_label: String,
    pub x_first_label: String,
    pub x_last_label: String,
    /// A text alternative for screen readers.
    pub description: String,
    pub plot_left: f64,
    pub plot_right: f64,
    pub plot_top: f64,
    pub plot_bottom: f64,
}

const W: f64 = 600.0;
const H: f64 = 220.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 28.0;

fn fmt(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

impl Chart {
    /// `None` with fewer than two values: a single value needs no trend.
    pub fn build(
        name: &str,
        unit: &str,
        points: &[Point],
        range: Option<(Option<f64>, Option<f64>)>,
        tr: &Tr,
    ) -> Option<Self> {
        if points.len() < 2 {
            return None;
        }
        let (low, high) = range.unwrap_or((None, None));
        let values = points.iter().map(|p| p.value).chain(low).chain(high);
        let min = values.clone().fold(f64::INFINITY, f64::min);
        let max = values.fold(f64::NEG_INFINITY, f64::max);
        let pad = ((max - min) * 0.1).max(0.5);
        let (y0, y1) = (min - pad, max + pad);
        let first = points.first()?.date;
        let last = points.last()?.date;
        let days = (last - first).num_days().max(1) as f64;
        let x = |d: NaiveDate| LEFT + (d - first).num_days() as f64 / days * (W - LEFT - RIGHT);
        let y = |v: f64| TOP + (y1 - v) / (y1 - y0) * (H - TOP - BOTTOM);
        let dots: Vec<Dot> = points
            .iter()
            .map(|p| Dot {
                x: x(p.date),
                y: y(p.value),
                label: format!("{}: {} {unit}", tr.date(p.date), fmt(p.value)),
            })
            .collect();
        let line = dots
            .iter()
            .map(|d| format!("{:.1},{:.1}", d.x, d.y))
            .collect::<Vec<_>>()
            .join(" ");
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
            line,
            description: tr.ta(
                "chart-description",
                &[
                    ("name", name.to_owned()),
                    ("count", points.len().to_string()),
                    ("from", tr.date(first)),
                    ("to", tr.date(last)),
                ],
            ),
            dots,
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
