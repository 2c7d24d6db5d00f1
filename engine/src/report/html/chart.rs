//! Line charts as inline SVG, drawn here so the report needs no script and no network: axes
//! with round ticks, one polyline per series, a legend.

use std::fmt::Write as _;

use super::escape;

const WIDTH: f64 = 880.0;
const HEIGHT: f64 = 240.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 32.0;

/// Series with at most this many points also get a dot per point, so a short run's few
/// points (or a single one, which a line cannot show) are visible.
const MAX_DOTTED_POINTS: usize = 120;

/// One line: a label for the legend and (seconds since the start, value) points.
pub struct Series {
    /// A short stable key, used as the element's `data-series` and its CSS colour class.
    pub key: &'static str,
    pub label: &'static str,
    pub points: Vec<(f64, f64)>,
}

pub struct LineChart {
    /// The chart's `data-chart` key.
    pub key: &'static str,
    pub title: &'static str,
    /// The unit of the y axis, shown after the title.
    pub unit: &'static str,
    pub series: Vec<Series>,
}

/// The smallest "round" number (1, 2 or 5 times a power of ten) at or above `v`.
fn round_up(v: f64) -> f64 {
    if v <= 0.0 {
        return 1.0;
    }
    let magnitude = 10f64.powf(v.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|candidate| *candidate >= v * (1.0 - 1e-12))
        .unwrap_or(10.0 * magnitude)
}

/// Ticks from 0 to at least `max`: about four round steps.
fn ticks(max: f64) -> Vec<f64> {
    let step = round_up(max / 4.0);
    let count = (max / step).ceil().max(1.0) as usize;
    (0..=count).map(|i| i as f64 * step).collect()
}

/// A tick label: no trailing zeros, at most three decimals.
fn label(v: f64) -> String {
    let text = format!("{v:.3}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    text.to_string()
}

/// Seconds as `45s` or `12m05s`.
fn seconds(v: f64) -> String {
    let s = v.round() as u64;
    if s < 120 {
        format!("{s}s")
    } else {
        format!("{}m{:02}s", s / 60, s % 60)
    }
}

impl LineChart {
    pub fn to_svg(&self) -> String {
        let max_x = self
            .series
            .iter()
            .flat_map(|s| &s.points)
            .map(|p| p.0)
            .fold(0.0, f64::max);
        let max_y = self
            .series
            .iter()
            .flat_map(|s| &s.points)
            .map(|p| p.1)
            .fold(0.0, f64::max);
        let x_ticks = ticks(max_x);
        let y_ticks = ticks(max_y);
        let x_end = *x_ticks.last().expect("at least two ticks");
        let y_end = *y_ticks.last().expect("at least two ticks");
        let plot_w = WIDTH - LEFT - RIGHT;
        let plot_h = HEIGHT - TOP - BOTTOM;
        let x = |v: f64| LEFT + v / x_end * plot_w;
        let y = |v: f64| TOP + plot_h - v / y_end * plot_h;

        let mut svg = String::new();
        let _ = write!(
            svg,
            r#"<svg class="chart" data-chart="{}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{} ({})">"#,
            self.key,
            escape(self.title),
            escape(self.unit)
        );
        for t in &y_ticks {
            let _ = write!(
                svg,
                r#"<line class="grid" x1="{LEFT}" x2="{}" y1="{y:.1}" y2="{y:.1}"/><text class="tick" x="{}" y="{:.1}" text-anchor="end">{}</text>"#,
                WIDTH - RIGHT,
                LEFT - 6.0,
                y(*t) + 4.0,
                label(*t),
                y = y(*t),
            );
        }
        for t in &x_ticks {
            let _ = write!(
                svg,
                r#"<text class="tick" x="{:.1}" y="{}" text-anchor="middle">{}</text>"#,
                x(*t),
                HEIGHT - 10.0,
                seconds(*t)
            );
        }
        let _ = write!(
            svg,
            r#"<line class="axis" x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{bottom}"/><line class="axis" x1="{LEFT}" x2="{}" y1="{bottom}" y2="{bottom}"/>"#,
            WIDTH - RIGHT,
            bottom = TOP + plot_h,
        );
        for s in &self.series {
            let points: Vec<String> = s
                .points
                .iter()
                .map(|&(px, py)| format!("{:.1},{:.1}", x(px), y(py)))
                .collect();
            let _ = write!(
                svg,
                r#"<polyline class="line {key}" data-series="{key}" points="{}"/>"#,
                points.join(" "),
                key = s.key,
            );
            if s.points.len() <= MAX_DOTTED_POINTS {
                for &(px, py) in &s.points {
                    let _ = write!(
                        svg,
                        r#"<circle class="dot {}" cx="{:.1}" cy="{:.1}" r="2.5"><title>{}: {} at {}</title></circle>"#,
                        s.key,
                        x(px),
                        y(py),
                        escape(s.label),
                        label(py),
                        seconds(px)
                    );
                }
            }
        }
        svg.push_str("</svg>");

        let mut legend = String::new();
        for s in &self.series {
            let _ = write!(
                legend,
                r#"<span class="key {}">{}</span>"#,
                s.key,
                escape(s.label)
            );
        }
        format!(
            r#"<figure><figcaption>{} <small>({})</small> {legend}</figcaption>{svg}</figure>"#,
            escape(self.title),
            escape(self.unit)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_cover_the_maximum() {
        let labels = |max| ticks(max).into_iter().map(label).collect::<Vec<_>>();
        assert_eq!(
            labels(0.0),
            ["0", "1"],
            "an all-zero chart still has an axis"
        );
        assert_eq!(labels(7.3), ["0", "2", "4", "6", "8"]);
        assert_eq!(labels(1000.0), ["0", "500", "1000"]);
        assert_eq!(labels(0.42), ["0", "0.2", "0.4", "0.6"]);
        assert_eq!(label(0.6000000000000001), "0.6");
        assert_eq!(seconds(125.0), "2m05s");
    }

    #[test]
    fn a_polyline_per_series_with_a_point_per_row() {
        let chart = LineChart {
            key: "latency",
            title: "Response time",
            unit: "ms",
            series: vec![
                Series {
                    key: "p50",
                    label: "p50",
                    points: vec![(1.0, 1.0), (2.0, 2.0), (3.0, 4.0)],
                },
                Series {
                    key: "p99",
                    label: "p99 <&>",
                    points: vec![(1.0, 3.0), (2.0, 8.0), (3.0, 5.0)],
                },
            ],
        };
        let svg = chart.to_svg();
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert_eq!(svg.matches("<circle").count(), 6);
        // The highest point (8 ms at 2 s of 3) touches the top of the 0–8 axis.
        assert!(svg.contains(r#"cx="597.3" cy="16.0""#), "{svg}");
        assert!(svg.contains("p99 &lt;&amp;&gt;"));
        let p50 = svg.split(r#"data-series="p50" points=""#).nth(1).unwrap();
        let points = p50.split('"').next().unwrap();
        assert_eq!(points.split(' ').count(), 3);
    }
}
