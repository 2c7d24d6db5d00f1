//! `--json FILE`: the summary as JSON, following `docs/summary.schema.json`.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::Context;

use crate::summary::Summary;

pub fn write_json(summary: &Summary, path: &Path) -> anyhow::Result<()> {
    let file = File::create(path)
        .with_context(|| format!("cannot create the JSON summary {}", path.display()))?;
    let mut out = BufWriter::new(file);
    serde_json::to_writer_pretty(&mut out, summary)
        .with_context(|| format!("cannot write the JSON summary {}", path.display()))?;
    out.write_all(b"\n")
        .and_then(|_| out.flush())
        .with_context(|| format!("cannot write the JSON summary {}", path.display()))?;
    Ok(())
}
