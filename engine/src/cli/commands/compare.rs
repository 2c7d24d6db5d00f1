//! `horde compare A.json B.json` and `horde table A.json B.json …`: runs' JSON summaries side
//! by side. A file that is not a horde summary is bad input (exit 2), like a bad flag.

use super::print_out;
use crate::cli::args::{CompareArgs, TableArgs};
use crate::cli::exit::{self, Failure};
use crate::report::{compare, table};

pub fn compare(args: CompareArgs) -> Result<u8, Failure> {
    let a = compare::load(&args.a).map_err(Failure::usage)?;
    let b = compare::load(&args.b).map_err(Failure::usage)?;
    let comparison = compare::compare(&args.a, &a, &args.b, &b);
    let text = if args.json {
        let mut text =
            serde_json::to_string_pretty(&comparison).map_err(|e| Failure::error(e.to_string()))?;
        text.push('\n');
        text
    } else {
        compare::render(&comparison)
    };
    print_out(&text);
    Ok(exit::OK)
}

pub fn table(args: TableArgs) -> Result<u8, Failure> {
    let runs = table::load_runs(&args.summaries).map_err(Failure::usage)?;
    print_out(&table::render(&runs));
    Ok(exit::OK)
}
