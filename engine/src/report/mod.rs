//! Outputs: the live view and progress line, the end-of-run console tables, the JSON summary.

mod console;
mod csv;
#[cfg(test)]
mod fixture;
mod json;
mod live;

pub use console::{print_inspect, progress_line, render_summary};
pub use csv::write_csv;
pub use json::write_json;
pub use live::LiveView;
