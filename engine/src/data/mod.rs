//! Data sets given with `--data NAME=FILE`: loaded once before the run into one text buffer
//! per set, shared by every VU, and read row by row in a mode (unique, sequential, random,
//! per VU). A read copies one row; nothing is copied per VU.

mod csv;
mod jsonl;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// The largest file a data set may come from: field offsets are 32-bit to keep the index at
/// four bytes per field.
pub const MAX_FILE_BYTES: u64 = u32::MAX as u64;

/// Every field of a data set, back to back in one string, with where each ends.
#[derive(Debug, Default)]
pub struct Fields {
    text: String,
    /// End offset in `text` of each field, row after row, `width` fields per row.
    ends: Vec<u32>,
    width: usize,
    columns: Vec<String>,
}

impl Fields {
    fn push_str(&mut self, s: &str) {
        self.text.push_str(s);
    }

    /// Ends the field being written. Offsets fit in 32 bits: files are at most
    /// [`MAX_FILE_BYTES`] and a field is never longer than its text in the file.
    fn end_field(&mut self) {
        self.ends.push(self.text.len() as u32);
    }

    /// Nothing to do per row: rows are `width` fields each. Kept so readers say where rows end.
    fn end_row(&mut self) {}

    /// Moves the last `n` fields out as the header's column names; the rows then have `n`
    /// fields each.
    fn take_header(&mut self, n: usize) -> Vec<String> {
        let first = self.ends.len() - n;
        let names: Vec<String> = (first..self.ends.len())
            .map(|i| self.field(i).to_string())
            .collect();
        let start = if first == 0 { 0 } else { self.ends[first - 1] };
        self.text.truncate(start as usize);
        self.ends.truncate(first);
        self.columns = names.clone();
        self.width = n;
        names
    }

    fn set_width(&mut self, width: usize) {
        self.width = width;
    }

    fn field(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.text[start..self.ends[i] as usize]
    }

    pub fn rows(&self) -> u64 {
        self.ends.len().checked_div(self.width).unwrap_or(0) as u64
    }

    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// The fields of row `index` (< [`Self::rows`]).
    pub fn row(&self, index: u64) -> impl Iterator<Item = &str> {
        let first = index as usize * self.width;
        (first..first + self.width).map(|i| self.field(i))
    }

    /// Heap bytes held: the text and the offsets.
    pub fn heap_bytes(&self) -> usize {
        self.text.capacity() + self.ends.capacity() * std::mem::size_of::<u32>()
    }

    fn shrink(&mut self) {
        self.text.shrink_to_fit();
        self.ends.shrink_to_fit();
    }
}

/// A malformed spot in a data file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Why a `--data` file cannot be used. Every message names the file (and line and column).
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error("--data {name}: cannot read {path}: {source}")]
    Read {
        name: String,
        path: String,
        source: std::io::Error,
    },
    #[error(
        "--data {name}: cannot tell the format of {path}; name it .csv (a header row, then one row per line) or .jsonl (one JSON value per line)"
    )]
    Format { name: String, path: String },
    #[error("--data {name}: {path} is larger than the 4 GiB a data set may hold")]
    TooLarge { name: String, path: String },
    #[error("--data {name}: {path}, line {line}, column {column}: {message}")]
    Malformed {
        name: String,
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("--data {name}: {path} has no rows")]
    Empty { name: String, path: String },
    #[error("--data {name} is given twice; give each data set one name")]
    Duplicate { name: String },
}

/// How a data file is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A header row naming the columns, then one record per row.
    Csv,
    /// One JSON value per line.
    JsonLines,
}

impl Format {
    /// The format a file's extension names.
    pub fn of(path: &Path) -> Option<Format> {
        match path.extension()?.to_str()? {
            "csv" => Some(Format::Csv),
            "jsonl" | "ndjson" => Some(Format::JsonLines),
            _ => None,
        }
    }
}

/// How a read picks its row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The next row no read has had; each row at most once per run.
    Unique,
    /// The next row round-robin across all reads.
    Sequential,
    /// A uniformly random row.
    Random,
    /// Row (VU id - 1) modulo the number of rows.
    PerVu,
}

/// What a `unique` read does once every row has been handed out (`--data-exhausted`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WhenExhausted {
    /// The read fails with `exhausted`, counted like any error of the scenario.
    #[default]
    Error,
    /// The read fails and the VU ends after the current hook or task, without restarting.
    StopVu,
}

/// One loaded data set.
#[derive(Debug)]
pub struct DataSet {
    pub name: String,
    pub path: String,
    pub format: Format,
    fields: Fields,
    /// Next row for `unique` reads: one atomic add per read, no lock.
    unique_next: AtomicU64,
    /// Next row for `sequential` reads.
    sequential_next: AtomicU64,
}

/// Why a read got no row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    Exhausted { rows: u64 },
}

impl DataSet {
    /// Parses `text` (the contents of `path`) as a data set.
    pub fn parse(name: &str, path: &str, format: Format, text: &str) -> Result<Self, DataError> {
        let mut fields = Fields::default();
        fields.text.reserve(text.len());
        let parsed = match format {
            Format::Csv => csv::read(text, &mut fields),
            Format::JsonLines => jsonl::read(text, &mut fields),
        };
        parsed.map_err(|e| DataError::Malformed {
            name: name.to_string(),
            path: path.to_string(),
            line: e.line,
            column: e.column,
            message: e.message,
        })?;
        if fields.rows() == 0 {
            return Err(DataError::Empty {
                name: name.to_string(),
                path: path.to_string(),
            });
        }
        fields.shrink();
        Ok(Self {
            name: name.to_string(),
            path: path.to_string(),
            format,
            fields,
            unique_next: AtomicU64::new(0),
            sequential_next: AtomicU64::new(0),
        })
    }

    /// Reads and parses the file `path` for the data set `name`.
    pub fn load(name: &str, path: &Path) -> Result<Self, DataError> {
        let shown = path.display().to_string();
        let format = Format::of(path).ok_or_else(|| DataError::Format {
            name: name.to_string(),
            path: shown.clone(),
        })?;
        let read_error = |source| DataError::Read {
            name: name.to_string(),
            path: shown.clone(),
            source,
        };
        let size = std::fs::metadata(path).map_err(read_error)?.len();
        if size > MAX_FILE_BYTES {
            return Err(DataError::TooLarge {
                name: name.to_string(),
                path: shown,
            });
        }
        let bytes = std::fs::read(path).map_err(read_error)?;
        let text = text_of(bytes).map_err(|(line, column)| DataError::Malformed {
            name: name.to_string(),
            path: shown.clone(),
            line,
            column,
            message: "not UTF-8 text".into(),
        })?;
        Self::parse(name, &shown, format, &text)
    }

    pub fn rows(&self) -> u64 {
        self.fields.rows()
    }

    pub fn columns(&self) -> &[String] {
        self.fields.columns()
    }

    pub fn heap_bytes(&self) -> usize {
        self.fields.heap_bytes()
    }

    /// The fields of row `index`.
    pub fn row(&self, index: u64) -> impl Iterator<Item = &str> {
        self.fields.row(index)
    }

    /// True once a `unique` read found every row handed out.
    pub fn unique_ran_out(&self) -> bool {
        // A read that fails still moves the cursor, so past `rows` means one failed.
        self.unique_next.load(Ordering::Relaxed) > self.rows()
    }

    /// Picks the row a read in `mode` gets. `random` is a draw from the VU's generator (any
    /// u64), `vu_id` the reading VU's id.
    pub fn pick(&self, mode: Mode, vu_id: u32, random: u64) -> Result<u64, ReadError> {
        let rows = self.rows();
        match mode {
            Mode::Unique => {
                let next = self.unique_next.fetch_add(1, Ordering::Relaxed);
                if next < rows {
                    Ok(next)
                } else {
                    Err(ReadError::Exhausted { rows })
                }
            }
            Mode::Sequential => Ok(self.sequential_next.fetch_add(1, Ordering::Relaxed) % rows),
            // Multiply-shift maps the draw onto the rows with negligible bias.
            Mode::Random => Ok(((u128::from(random) * u128::from(rows)) >> 64) as u64),
            Mode::PerVu => Ok(u64::from(vu_id.saturating_sub(1)) % rows),
        }
    }
}

/// The file's text without a UTF-8 byte-order mark, or the line and column of the first byte
/// that is not UTF-8.
fn text_of(mut bytes: Vec<u8>) -> Result<String, (usize, usize)> {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    String::from_utf8(bytes).map_err(|e| {
        let bad = e.utf8_error().valid_up_to();
        let before = &e.as_bytes()[..bad];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |n| n + 1);
        (line, bad - line_start + 1)
    })
}

/// The data sets of a run, and what a `unique` read does when one runs out.
#[derive(Debug, Default)]
pub struct DataSets {
    sets: Vec<DataSet>,
    pub when_exhausted: WhenExhausted,
}

impl DataSets {
    /// Loads every `NAME=FILE` pair, failing on the first file that cannot be used.
    pub fn load(
        specs: &[(String, PathBuf)],
        when_exhausted: WhenExhausted,
    ) -> Result<Self, DataError> {
        let mut sets: Vec<DataSet> = Vec::with_capacity(specs.len());
        for (name, path) in specs {
            if sets.iter().any(|s| &s.name == name) {
                return Err(DataError::Duplicate { name: name.clone() });
            }
            sets.push(DataSet::load(name, path)?);
        }
        Ok(Self {
            sets,
            when_exhausted,
        })
    }

    /// Adds a set built in memory (the demo's accounts), unless one of its name was given.
    pub fn add_if_missing(&mut self, set: DataSet) {
        if self.get(&set.name).is_none() {
            self.sets.push(set);
        }
    }

    /// True once a `unique` read of any set found every row handed out.
    pub fn unique_ran_out(&self) -> bool {
        self.sets.iter().any(DataSet::unique_ran_out)
    }

    /// The set called `name`: a linear search, since a run has a handful of sets at most.
    pub fn get(&self, name: &str) -> Option<&DataSet> {
        self.sets.iter().find(|s| s.name == name)
    }

    /// The names given, for a message about a name that was not.
    pub fn names(&self) -> String {
        if self.sets.is_empty() {
            return "none was given".into();
        }
        let names: Vec<&str> = self.sets.iter().map(|s| s.name.as_str()).collect();
        format!("given: {}", names.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use std::sync::Arc;

    fn users(rows: usize) -> DataSet {
        let mut text = String::from("username,password\n");
        for i in 0..rows {
            text.push_str(&format!("user{i},pw{i}\n"));
        }
        DataSet::parse("users", "users.csv", Format::Csv, &text).unwrap()
    }

    #[test]
    fn modes_pick_the_rows_they_promise() {
        let set = users(3);
        let picks = |mode, vu| {
            (0..5)
                .map(|_| set.pick(mode, vu, 0).ok())
                .collect::<Vec<_>>()
        };
        assert_eq!(picks(Mode::Sequential, 1), [0, 1, 2, 0, 1].map(Some));
        assert_eq!(picks(Mode::PerVu, 5), [1; 5].map(Some));
        assert_eq!(
            picks(Mode::Unique, 1),
            [Some(0), Some(1), Some(2), None, None]
        );
        assert_eq!(set.pick(Mode::Random, 1, u64::MAX), Ok(2));
        assert_eq!(set.pick(Mode::Random, 1, 0), Ok(0));
        assert_eq!(set.row(1).collect::<Vec<_>>(), ["user1", "pw1"]);
        assert_eq!(set.columns(), ["username", "password"]);
    }

    /// Rows handed out by `unique` reads on many threads at once: each exactly once.
    #[test]
    fn unique_reads_never_repeat_under_contention() {
        let set = Arc::new(users(10_000));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let set = set.clone();
                std::thread::spawn(move || {
                    let mut got = Vec::new();
                    while let Ok(row) = set.pick(Mode::Unique, 1, 0) {
                        got.push(row);
                    }
                    got
                })
            })
            .collect();
        let mut all = HashSet::new();
        for t in threads {
            for row in t.join().unwrap() {
                assert!(all.insert(row), "row {row} handed out twice");
            }
        }
        assert_eq!(all.len(), 10_000);
    }

    #[test]
    fn files_are_checked_before_use() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            path
        };
        let bad = write("users.csv", "username,password\nalice,pw\nbob\n");
        let e = DataSets::load(&[("users".into(), bad.clone())], WhenExhausted::Error)
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            format!(
                "--data users: {}, line 3, column 4: 1 field(s), but the header has 2 columns",
                bad.display()
            )
        );
        let txt = write("users.txt", "a\n1\n");
        let e = DataSet::load("u", &txt).unwrap_err().to_string();
        assert!(e.contains("cannot tell the format"), "{e}");
        let empty = write("empty.csv", "a,b\n");
        let e = DataSet::load("u", &empty).unwrap_err().to_string();
        assert!(e.contains("has no rows"), "{e}");
        let latin1 = write("latin1.csv", "a\nok\n");
        std::fs::write(&latin1, b"a\nok\nd\xe9j\xe0\n").unwrap();
        let e = DataSet::load("u", &latin1).unwrap_err().to_string();
        assert!(e.ends_with("line 3, column 2: not UTF-8 text"), "{e}");
        let good = write("good.jsonl", "{\"a\":1}\n");
        let sets = DataSets::load(
            &[("a".into(), good.clone()), ("a".into(), good)],
            WhenExhausted::Error,
        );
        assert!(sets.unwrap_err().to_string().contains("given twice"));
    }

    /// Loads a million CSV rows and prints how long it took and what it holds (run with
    /// `cargo test -p horde --lib a_million_rows -- --ignored --nocapture`).
    #[test]
    #[ignore = "a measurement, not a check; run it by name"]
    fn a_million_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("users.csv");
        let mut text = String::from("username,password,email\n");
        for i in 0..1_000_000 {
            text.push_str(&format!(
                "loadtest-user-{i:07},secret-{i:07},user{i}@example.test\n"
            ));
        }
        std::fs::write(&path, &text).unwrap();
        let file_bytes = text.len();
        drop(text);
        let started = std::time::Instant::now();
        let set = DataSet::load("users", &path).unwrap();
        let took = started.elapsed();
        assert_eq!(set.rows(), 1_000_000);
        println!(
            "1,000,000 rows, {:.1} MiB file: loaded in {:.2?}, holding {:.1} MiB ({:.2}x the file)",
            file_bytes as f64 / 1048576.0,
            took,
            set.heap_bytes() as f64 / 1048576.0,
            set.heap_bytes() as f64 / file_bytes as f64
        );
    }
}
