//! `horde new --lang LANG NAME`: a new scenario project from the templates.

use std::path::Path;

use crate::cli::args::NewArgs;
use crate::cli::exit::{self, Failure};
use crate::scaffold::{self, ScaffoldError};

pub fn new(args: NewArgs) -> Result<u8, Failure> {
    let dir = scaffold::create(Path::new("."), args.lang, &args.name).map_err(|e| match e {
        ScaffoldError::Write { .. } => Failure::error(e.to_string()),
        _ => Failure::usage(e.to_string()),
    })?;
    println!(
        "wrote {} ({} scenario): cd {} && ./build, then horde run target/{}.wasm --host URL",
        dir.display(),
        args.lang,
        args.name,
        args.name
    );
    Ok(exit::OK)
}
