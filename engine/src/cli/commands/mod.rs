//! One file per subcommand; each returns the exit code or a [`Failure`](super::exit::Failure).

pub mod cache;
pub mod compare;
pub mod demo;
pub mod inspect;
pub mod new;
pub mod run;

use std::io::Write;

/// Writes `text` to stdout. A closed pipe (`horde … | head`) is not an error of the command.
fn print_out(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush());
}
