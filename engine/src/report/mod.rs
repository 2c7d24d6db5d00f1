//! Outputs: the live view and progress line, the end-of-run console tables, the JSON summary,
//! Locust's CSV files, the HTML report, JUnit XML, the comparison of two summaries, and several runs in one table.

pub mod compare;
mod console;
mod csv;
mod datetime;
#[cfg(test)]
mod fixture;
mod html;
mod json;
mod junit;
mod live;
mod markup;
pub mod table;

pub use console::{print_inspect, progress_line, render_summary};
pub use csv::write_csv;
pub use html::write_html;
pub use json::write_json;
pub use junit::write_junit;
pub use live::LiveView;
