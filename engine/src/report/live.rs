//! The live view. On a terminal: a compact table redrawn in place each second (users, rates,
//! failures, p50/p95/p99 and the waiting phase's p95 per name, progress), erased when the run ends so that the summary
//! prints on a clean screen. Elsewhere (CI logs, pipes): one plain line per second.

use std::fmt::Write as _;
use std::io::{IsTerminal, Write};

use crate::run::Tick;
use crate::stats::SeriesRow;

use super::progress_line;

/// The most per-name rows shown; the rest are summed into the aggregated row only.
const MAX_ROWS: usize = 12;

pub struct LiveView {
    tty: bool,
    /// Lines of the block on screen, to move back over them at the next redraw.
    drawn: usize,
}

impl Default for LiveView {
    fn default() -> Self {
        Self::new()
    }
}

impl LiveView {
    pub fn new() -> Self {
        Self {
            tty: std::io::stderr().is_terminal(),
            drawn: 0,
        }
    }

    /// Shows a tick of the run.
    pub fn show(&mut self, tick: &Tick) {
        let line = progress_line(
            tick.elapsed,
            tick.users,
            tick.target_users,
            &tick.interval.aggregated(),
            tick.interval_s,
            &tick.totals,
        );
        self.update(&line, &tick.row, tick.progress());
    }

    /// Shows the last interval. `headline` is the plain progress line; `progress` the share
    /// of the planned duration done, when there is a plan.
    fn update(&mut self, headline: &str, row: &SeriesRow, progress: Option<f64>) {
        let mut err = std::io::stderr().lock();
        if !self.tty {
            let _ = writeln!(err, "{headline}");
            return;
        }
        let mut block = String::new();
        let _ = writeln!(block, "{headline}");
        if let Some(done) = progress {
            let done = done.clamp(0.0, 1.0);
            let width = 40;
            let filled = (done * width as f64).round() as usize;
            let _ = writeln!(
                block,
                "[{}{}] {:>5.1}%",
                "#".repeat(filled),
                "-".repeat(width - filled),
                done * 100.0
            );
        }
        let name_w = row
            .endpoints
            .iter()
            .map(|e| e.method.len() + 1 + e.name.chars().count())
            .max()
            .unwrap_or(10)
            .clamp(10, 50);
        let _ = writeln!(
            block,
            "{:<name_w$} {:>9} {:>7} {:>9} {:>9} {:>9} {:>10}",
            "name", "req/s", "fail%", "p50 ms", "p95 ms", "p99 ms", "wait p95"
        );
        let per_sec = |n: u64| n as f64 / row.interval_s.max(1e-9);
        for e in row.endpoints.iter().take(MAX_ROWS) {
            let label = format!("{} {}", e.method, e.name);
            let _ = writeln!(
                block,
                "{:<name_w$} {:>9.1} {:>7.2} {:>9.2} {:>9.2} {:>9.2} {:>10.2}",
                label,
                per_sec(e.requests),
                percent(e.failures, e.requests),
                e.p50_ms,
                e.p95_ms,
                e.p99_ms,
                e.waiting_p95_ms
            );
        }
        let _ = writeln!(
            block,
            "{:<name_w$} {:>9.1} {:>7.2} {:>9.2} {:>9.2} {:>9.2} {:>10.2}",
            "all",
            row.requests_per_sec,
            percent(row.failures, row.requests),
            row.p50_ms,
            row.p95_ms,
            row.p99_ms,
            row.waiting_p95_ms
        );
        let mut out = String::new();
        if self.drawn > 0 {
            // Back to the top of the previous block, and clear from there down.
            let _ = write!(out, "\x1b[{}A\x1b[J", self.drawn);
        }
        out.push_str(&block);
        let _ = err.write_all(out.as_bytes());
        let _ = err.flush();
        self.drawn = block.lines().count();
    }

    /// Erases the block from the terminal.
    pub fn clear(&mut self) {
        if self.tty && self.drawn > 0 {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\x1b[{}A\x1b[J", self.drawn);
            let _ = err.flush();
            self.drawn = 0;
        }
    }
}

impl Drop for LiveView {
    fn drop(&mut self) {
        self.clear();
    }
}

fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 * 100.0 / whole as f64
    }
}
