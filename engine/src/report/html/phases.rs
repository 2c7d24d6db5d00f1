//! The report's request phases: a bar per name showing where its average request's time
//! went (k6's six phases, stacked), and the table of each phase's distribution per name.

use std::fmt::Write as _;

use super::{Section, escape, table, with_total};
use crate::summary::{EndpointSummary, PhaseSummary, Summary};

/// The phases' colour classes, in the order of `PhasesSummary::named`.
const CLASSES: [&str; 6] = [
    "blocked",
    "connecting",
    "tls",
    "sending",
    "waiting",
    "receiving",
];

/// The legend's words, short enough for its 92 px slots.
const LEGEND: [&str; 6] = [
    "blocked",
    "connecting",
    "TLS",
    "sending",
    "waiting",
    "receiving",
];

/// The most characters of a name beside its bar (the label column is 300 px wide).
const MAX_LABEL: usize = 44;

pub const STYLE: &str = "
svg.phases { width: 100%; max-width: 880px; height: auto; display: block; margin-bottom: 12px; }
svg.phases text { font-size: 12px; fill: #1d2330; }
.blocked { color: #9aa3b2; } .connecting { color: #6b3fd0; } .tls { color: #d0452f; }
.sending { color: #d08a2f; } .waiting { color: #2f5fd0; } .receiving { color: #2f9e5a; }
";

const WIDTH: f64 = 880.0;
const LABEL: f64 = 300.0;
const BAR: f64 = 18.0;
const GAP: f64 = 8.0;

/// One stacked bar per name (the aggregate last): each phase's average, scaled to the
/// longest total.
fn bars(rows: &[&EndpointSummary]) -> String {
    let total =
        |s: &EndpointSummary| -> f64 { s.phases_ms.named().iter().map(|(_, p)| p.avg).sum() };
    let longest = rows.iter().map(|s| total(s)).fold(0.0, f64::max);
    let scale = if longest > 0.0 {
        (WIDTH - LABEL - 80.0) / longest
    } else {
        0.0
    };
    let height = GAP + (rows.len() as f64 + 1.0) * (BAR + GAP);
    let mut svg = format!(
        "<svg class=\"phases\" viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" \
         aria-label=\"Average time per phase\">"
    );
    // The legend first, on its own row.
    let mut x = LABEL;
    for (word, class) in LEGEND.iter().zip(CLASSES) {
        let _ = write!(
            svg,
            "<g class=\"{class}\"><rect x=\"{x}\" y=\"{GAP}\" width=\"10\" height=\"10\" \
             fill=\"currentColor\"/><text x=\"{}\" y=\"{}\">{word}</text></g>",
            x + 14.0,
            GAP + 10.0,
        );
        x += 92.0;
    }
    for (i, s) in rows.iter().enumerate() {
        let y = GAP + (i as f64 + 1.0) * (BAR + GAP);
        let mut label = format!("{} {}", s.method, s.name);
        if label.chars().count() > MAX_LABEL {
            label = label.chars().take(MAX_LABEL - 1).chain(['…']).collect();
        }
        let _ = write!(
            svg,
            "<text x=\"0\" y=\"{}\">{}</text>",
            y + BAR - 5.0,
            escape(label.trim())
        );
        let mut x = LABEL;
        for ((_, phase), class) in s.phases_ms.named().iter().zip(CLASSES) {
            let w = phase.avg * scale;
            if w > 0.0 {
                let _ = write!(
                    svg,
                    "<rect class=\"{class}\" data-phase=\"{class}\" x=\"{x:.1}\" y=\"{y}\" \
                     width=\"{w:.1}\" height=\"{BAR}\" fill=\"currentColor\"/>"
                );
            }
            x += w;
        }
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{}\">{:.2} ms</text>",
            x + 6.0,
            y + BAR - 5.0,
            total(s)
        );
    }
    svg.push_str("</svg>");
    svg
}

pub fn section(summary: &Summary) -> Option<Section> {
    if summary.aggregated.phases_ms.waiting.count == 0 {
        return None;
    }
    let rows: Vec<&EndpointSummary> = with_total(summary).map(|(_, s)| s).collect();
    let mut header = vec!["text:Type", "text:Name", "text:Phase"];
    header.extend(PhaseSummary::COLUMNS);
    header.push("# timed");
    let cells: Vec<(bool, Vec<String>)> = with_total(summary)
        .flat_map(|(total, s)| {
            s.phases_ms.named().map(|(name, phase)| {
                let mut cells = vec![s.method.clone(), s.name.clone(), name.to_string()];
                cells.extend(phase.values().iter().map(|v| format!("{v:.3}")));
                cells.push(phase.count.to_string());
                (total, cells)
            })
        })
        .collect();
    let mut body = String::from(
        "<p>Where the average request's time went (ms). The response time is sending + \
         waiting + receiving; connecting and TLS handshaking happen before it, on new \
         connections only.</p>",
    );
    body.push_str(&bars(&rows));
    body.push_str(&table("phases", &header, &cells));
    Some(Section {
        id: "phases",
        title: "Request phases",
        body,
    })
}
